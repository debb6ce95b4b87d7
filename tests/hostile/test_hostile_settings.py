"""A vault's own coffeechat.toml is data others can write: it never runs a command, picks a
secret, opens the server to the network or writes outside the vault. Those settings come from
the per-user file (``$XDG_CONFIG_HOME/coffeechat/config.toml``) or the command line. And
``--vault`` on a folder that is not a vault reads and writes nothing."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from coffeechat.config import load_settings, parse_settings, user_config_path

CALDAV = '[caldav]\nurl = "http://127.0.0.1:9/"\nusername = "sam"\n'


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_a_password_command_in_the_vault_is_refused_and_never_run(vault, run, tmp_path):
    marker = tmp_path / "ran"
    command = ["sh", "-c", f"touch {marker}; echo hunter2"]
    vault.config(CALDAV + f"password_command = {json.dumps(command)}\n")
    for args in (("push",), ("push", "--dry-run"), ("due",)):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
        where = f"[vaults.{json.dumps(str(vault.root.resolve()))}.caldav] in {user_config_path()}"
        assert result.stderr == (
            "Error: coffeechat.toml:4: caldav.password_command belongs on this computer, not in"
            " the vault (a file that syncs must not run commands on this computer): move it to"
            f" {where}\n"
        )
    assert not marker.exists()


@pytest.mark.parametrize(
    "line, key",
    [
        ("keyring = true", "caldav.keyring"),
        ('keyring = "github"', "caldav.keyring"),
    ],
)
def test_a_keyring_in_the_vault_is_refused(vault, run, line, key):
    vault.config(CALDAV + line + "\n")
    result = run("push")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: coffeechat.toml:4: {key} belongs on this computer")


def test_a_serve_host_in_the_vault_is_refused(vault, run):
    vault.config('[serve]\nport = 8765\nhost = "0.0.0.0"\n')
    result = run("serve")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: coffeechat.toml:3: serve.host belongs on this computer")
    assert "move it to [vaults." in result.stderr and ".serve] in " in result.stderr


@pytest.mark.parametrize(
    "target", ["{outside}/.bashrc", "~/.bashrc", "../outside.ics", "public/../../outside.ics"]
)
def test_a_feed_path_outside_the_vault_is_refused(vault, run, tmp_path, monkeypatch, target):
    monkeypatch.setenv("HOME", str(tmp_path))
    outside = tmp_path / "outside"
    outside.mkdir()
    bashrc = outside / ".bashrc"
    bashrc.write_text("alias ls='ls -F'\n")
    vault.config(f'[feed]\npath = "{target.format(outside=outside)}"\n')
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    result = run("feed")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: coffeechat.toml:2: feed.path belongs on this computer")
    assert bashrc.read_text() == "alias ls='ls -F'\n"
    assert not (tmp_path / "outside.ics").exists() and not (tmp_path / ".bashrc").exists()


def test_a_symlink_in_the_vault_does_not_lead_the_feed_out(vault, run, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (vault.root / "public").symlink_to(outside, target_is_directory=True)
    vault.config('[feed]\npath = "public/followups.ics"\n')
    result = run("feed")
    assert result.exit_code == 2
    assert "is outside the vault" in result.stderr and result.stderr.count("\n") == 1
    assert list(outside.iterdir()) == []


def test_a_feed_path_inside_the_vault_stays_in_the_vault_file(vault, run):
    (vault.root / "public").mkdir()
    vault.config('[feed]\npath = "public/followups.ics"\n')
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    assert run("feed").exit_code == 0
    assert (vault.root / "public/followups.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_machine_local_settings_come_from_the_user_file(vault, run, tmp_path):
    published = tmp_path / "Sites"
    published.mkdir()
    command = [sys.executable, "-c", "print('hunter2')"]
    vault.config('[feed]\nname = "Search"\n' + CALDAV)
    path = vault.user_config(
        f'[feed]\npath = "{published}/cal.ics"\n[serve]\nhost = "::1"\n'
        f"[caldav]\npassword_command = {json.dumps(command)}\n"
    )
    assert path == user_config_path()
    settings, warnings = load_settings(vault.root)
    assert warnings == []
    assert (settings.feed_path, settings.feed_name, settings.serve_host) == (
        f"{published}/cal.ics",
        "Search",
        "::1",
    )
    assert settings.caldav_password_command == tuple(command)
    assert settings.caldav_url == "http://127.0.0.1:9/"
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    assert run("feed").exit_code == 0
    assert (published / "cal.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_the_user_file_applies_only_to_its_own_vault(vault, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "coffeechat.toml").write_text("")
    vault.user_config('[serve]\nhost = "0.0.0.0"\n')
    assert load_settings(vault.root)[0].serve_host == "0.0.0.0"
    assert load_settings(other)[0].serve_host == "127.0.0.1"


def test_a_broken_user_file_is_one_line_naming_it(vault, run):
    path = user_config_path()
    path.parent.mkdir(parents=True)
    path.write_text("[vaults\n")
    result = run("due")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}:1: not valid TOML")


def test_user_config_path_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert user_config_path() == tmp_path / "cfg" / "coffeechat" / "config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_config_path() == tmp_path / ".config" / "coffeechat" / "config.toml"


def test_parse_settings_names_the_line_and_the_new_place():
    with pytest.raises(Exception) as caught:
        parse_settings('[vault]\ntimezone = "UTC"\n\n[caldav]\nkeyring = true\n')
    assert str(caught.value).startswith(
        "coffeechat.toml:5: caldav.keyring belongs on this computer"
    )
    assert '[vaults."/path/to/vault".caldav]' in str(caught.value)


# --- finding 6: --vault on a folder that is not a vault -------------------------------------


def test_vault_option_on_a_folder_without_coffeechat_toml(tmp_path, run):
    downloads = tmp_path / "Downloads"
    (downloads / "sub").mkdir(parents=True)
    (downloads / "sub" / "note.md").write_text("---\ntype: contact\nname: X\n---\n")
    before = _tree(downloads)
    for args in (("due",), ("check",), ("feed",), ("index",)):
        result = run(*args, root=downloads)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"Error: '{downloads}' is not a vault (it has no coffeechat.toml):"
            f" run `coffeechat init {downloads}` to make it one\n"
        )
    assert _tree(downloads) == before and not (downloads / ".coffeechat").exists()


def test_the_environment_variable_is_held_to_the_same_rule(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from coffeechat.cli import cli

    monkeypatch.setenv("COFFEECHAT_VAULT", str(tmp_path))
    result = CliRunner().invoke(cli, ["due"])
    assert result.exit_code == 2 and "coffeechat init" in result.stderr
    assert not (tmp_path / ".coffeechat").exists()


def test_init_still_makes_a_vault_there(tmp_path, run):
    target = tmp_path / "search"
    target.mkdir()
    assert run("init", root=target).exit_code == 0
    assert (target / "coffeechat.toml").is_file()
    assert run("due", root=target).exit_code == 0
    assert os.path.isdir(target / "contacts")
