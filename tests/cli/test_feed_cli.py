"""`coffeechat feed`: where it writes, when it does not, its options, and the [feed], [watch]
and [serve] settings."""

from __future__ import annotations

import os
import stat

import pytest

from coffeechat.config import parse_settings
from coffeechat.core.settings import Settings, setting_names


def _contact(vault, name: str = "Ana Ruiz", follow_up: str = "2026-12-01"):
    return vault.contact(name, front=f"email: ana@example.org\nfollow_up: {follow_up}")


def test_feed_writes_the_default_path_once(vault, run):
    _contact(vault)
    first = run("feed")
    path = vault.root / ".coffeechat" / "followups.ics"
    assert first.exit_code == 0
    assert first.stdout == f"Wrote {path} (1 follow-up, 0 meetings).\n"
    data, before = path.read_bytes(), os.stat(path)
    assert b"BEGIN:VCALENDAR" in data
    assert stat.S_IMODE(before.st_mode) == 0o600  # private by default
    again = run("feed")
    assert again.stdout == f"{path} is up to date (1 follow-up, 0 meetings).\n"
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # untouched
    _contact(vault, follow_up="2026-12-02")
    assert run("feed").stdout.startswith("Wrote ")
    assert path.read_bytes() != data


def test_feed_keeps_a_mode_the_user_gave(vault, run):
    _contact(vault)
    run("feed")
    path = vault.root / ".coffeechat" / "followups.ics"
    path.chmod(0o644)
    _contact(vault, follow_up="2026-12-05")
    assert run("feed").exit_code == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o644


def test_output_option_and_stdout(vault, run, tmp_path, monkeypatch):
    _contact(vault)
    monkeypatch.chdir(tmp_path)
    result = run("feed", "-o", "out.ics")
    assert result.exit_code == 0 and (tmp_path / "out.ics").is_file()
    printed = run("feed", "-o", "-")
    assert printed.stdout_bytes == (tmp_path / "out.ics").read_bytes()
    assert not (vault.root / ".coffeechat" / "followups.ics").exists()


def test_feed_path_setting_is_relative_to_the_vault(vault, run):
    vault.config('[feed]\npath = "public/cal.ics"\n')
    (vault.root / "public").mkdir()
    _contact(vault)
    assert run("feed").exit_code == 0
    assert (vault.root / "public" / "cal.ics").is_file()


def test_missing_folder_is_one_clear_error(vault, run, tmp_path):
    _contact(vault)
    result = run("feed", "-o", str(tmp_path / "nowhere" / "f.ics"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: cannot write the feed to {tmp_path / 'nowhere' / 'f.ics'}:"
        f" folder {tmp_path / 'nowhere'} does not exist\n"
    )
    result = run("feed", "-o", str(tmp_path))
    assert result.exit_code == 2 and result.stderr.startswith(f"Error: {tmp_path} is a folder")


def test_command_line_options_override_settings(vault, run):
    vault.config('[feed]\nredact = true\ndigest = true\noverdue = "due"\n')
    _contact(vault, follow_up="2026-11-01")
    redacted = run("feed", "-o", "-").stdout
    assert "Ana" not in redacted and "digest-20261101@coffeechat" in redacted
    plain = run("feed", "-o", "-", "--no-redact", "--no-digest", "--overdue", "today").stdout
    assert "Follow up with Ana Ruiz" in plain and "DTSTART;VALUE=DATE:20261123" in plain


def test_obsidian_vault_name_can_be_set(vault, run):
    vault.config('[feed]\nobsidian_vault = "Job Search"\n')
    _contact(vault)
    assert "obsidian://open?vault=Job%20Search&file=contacts%2FAna%20Ruiz" in run(
        "feed", "-o", "-"
    ).stdout.replace("\r\n ", "")


def test_bad_notes_do_not_stop_the_feed(vault, run):
    _contact(vault)
    vault.write("contacts/Broken.md", "---\nname: [unclosed\n---\n")
    result = run("feed", "-o", "-")
    assert result.exit_code == 0 and "Follow up with Ana Ruiz" in result.stdout


@pytest.mark.parametrize("command", ["feed", "watch", "serve"])
def test_every_command_has_help(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout and "--output" in result.stdout


# --- settings -------------------------------------------------------------------------------------


def test_feed_watch_serve_settings_are_read():
    text = """
[feed]
path = "public/followups.ics"
name = "Job search / 2026"
overdue = "due"
redact = true
digest = true
alarm_minutes = 0
refresh_interval = "PT2H"
days_ahead = 60
obsidian_vault = "Search"
[watch]
debounce_ms = 250
rescan_seconds = 0
dashboard = "Follow-ups.md"
poll_seconds = 5
[serve]
port = 0
"""
    settings, warnings = parse_settings(text)
    assert warnings == []
    assert (settings.feed_path, settings.feed_name, settings.feed_overdue) == (
        "public/followups.ics",
        "Job search / 2026",
        "due",
    )
    assert (settings.feed_redact, settings.feed_digest, settings.feed_alarm_minutes) == (
        True,
        True,
        0,
    )
    assert (
        settings.feed_refresh_minutes,
        settings.feed_days_ahead,
        settings.feed_obsidian_vault,
    ) == (120, 60, "Search")
    assert (
        settings.watch_debounce_ms,
        settings.watch_rescan_seconds,
        settings.watch_dashboard,
        settings.watch_poll_seconds,
    ) == (250, 0, "Follow-ups.md", 5)
    assert (settings.serve_host, settings.serve_port) == ("127.0.0.1", 0)
    for name in ("feed.path", "feed.refresh_interval", "watch.debounce_ms", "serve.port"):
        assert name in setting_names()


def test_defaults(tmp_path):
    from coffeechat.storage.outputs import feed_path

    s = Settings()
    assert (feed_path(tmp_path, s), s.feed_overdue, s.feed_redact, s.feed_digest) == (
        tmp_path / ".coffeechat" / "followups.ics",
        "today",
        False,
        False,
    )
    assert (s.feed_refresh_minutes, s.feed_alarm_minutes, s.watch_debounce_ms) == (360, 30, 30)
    assert (s.watch_rescan_seconds, s.watch_dashboard, s.serve_host, s.serve_port) == (
        300,
        "",
        "127.0.0.1",
        8765,
    )


@pytest.mark.parametrize(
    "value, minutes",
    [
        ('"6h"', 360),
        ('"90m"', 90),
        ('"1d"', 1440),
        ('"PT6H"', 360),
        ('"P1DT2H"', 1560),
        ('"PT45M"', 45),
    ],
)
def test_refresh_interval_forms(value, minutes):
    assert (
        parse_settings(f"[feed]\nrefresh_interval = {value}\n")[0].feed_refresh_minutes == minutes
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ('[feed]\noverdue = "never"\n', 'coffeechat.toml:2: feed.overdue must be "today" or "due"'),
        ("[feed]\nredact = 1\n", "coffeechat.toml:2: feed.redact must be true or false"),
        (
            '[feed]\nrefresh_interval = "PT"\n',
            "coffeechat.toml:2: feed.refresh_interval must be a duration",
        ),
        (
            "[feed]\nrefresh_interval = 6\n",
            "coffeechat.toml:2: feed.refresh_interval must be a duration",
        ),
        ('[feed]\nname = ""\n', "coffeechat.toml:2: feed.name must be a non-empty text"),
        (
            "[watch]\ndebounce_ms = -1\n",
            "coffeechat.toml:2: watch.debounce_ms must be a whole number ≥ 0",
        ),
        (
            "[watch]\npoll_seconds = 0\n",
            "coffeechat.toml:2: watch.poll_seconds must be a whole number ≥ 1",
        ),
        (
            "[serve]\nport = 70000\n",
            "coffeechat.toml:2: serve.port must be a port number from 0 to 65535",
        ),
    ],
)
def test_bad_settings_name_file_and_line(text, message):
    from coffeechat.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        parse_settings(text)
    assert str(caught.value).startswith(message)


def test_bad_setting_from_the_command_line(vault, run):
    vault.config('[feed]\noverdue = "never"\n')
    result = run("feed")
    assert result.exit_code == 2
    assert result.stderr == 'Error: coffeechat.toml:2: feed.overdue must be "today" or "due"\n'


def test_unknown_feed_key_warns(vault, run):
    vault.config("[feed]\ncolour = 3\n")
    result = run("feed", "-o", "-")
    assert result.exit_code == 0
    assert "warning: coffeechat.toml:2: unknown setting feed.colour is ignored" in result.stderr


def test_feed_reuses_the_events_it_rendered_and_only_whole_ones(sample_copy, tmp_path):
    """`feed` keeps its rendered events in the cache and reuses them: the bytes are exactly a
    fresh render's, and a stored event that is not one whole VEVENT is rendered again."""
    import sqlite3

    from click.testing import CliRunner

    from coffeechat.cli import cli

    def feed(name: str) -> bytes:
        out = tmp_path / name
        result = CliRunner().invoke(
            cli,
            ["--vault", str(sample_copy), "--today", "2026-11-23", "feed", "-o", str(out)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return out.read_bytes()

    first = feed("a.ics")
    db = sqlite3.connect(sample_copy / ".coffeechat" / "index.sqlite")
    with db:
        (count,) = db.execute("SELECT COUNT(*) FROM events").fetchone()
        assert count == first.count(b"BEGIN:VEVENT")
        db.execute("UPDATE events SET data = ? WHERE rowid % 2 = 0", (b"BEGIN:VEVENT\r\nbroken",))
        db.execute("UPDATE events SET data = ? WHERE rowid % 3 = 0", ("text, not bytes",))
    db.close()
    assert feed("b.ics") == first
    assert feed("c.ics") == first


def test_a_feed_made_again_from_its_layout_is_a_fresh_ones_after_every_change(
    sample_copy, tmp_path
):
    """The same agenda, day and options give the feed made before, put together from its
    stored events; another day, other options, an edited note or a damaged layout give
    exactly what a fresh cache gives."""
    import shutil
    import sqlite3

    from click.testing import CliRunner

    from coffeechat.cli import cli

    out = tmp_path / "feed.ics"

    def feed(*extra: str, today: str = "2026-11-23") -> bytes:
        result = CliRunner().invoke(
            cli,
            ["--vault", str(sample_copy), "--today", today, "feed", "-o", str(out), *extra],
            catch_exceptions=False,
        )
        assert result.exit_code == 0, result.output
        return out.read_bytes()

    def fresh(*extra: str, today: str = "2026-11-23") -> bytes:
        shutil.rmtree(sample_copy / ".coffeechat", ignore_errors=True)
        return feed(*extra, today=today)

    def layouts() -> int:
        db = sqlite3.connect(sample_copy / ".coffeechat" / "index.sqlite")
        try:
            return int(db.execute("SELECT COUNT(*) FROM layouts").fetchone()[0])
        finally:
            db.close()

    base = fresh()
    assert layouts() == 1
    assert feed() == base  # (again, from the layout)
    for extra, today in [
        (("--redact",), "2026-11-23"),
        (("--digest",), "2026-11-23"),
        (("--overdue", "due"), "2026-11-23"),
        ((), "2026-11-30"),
        ((), "2026-11-20"),
    ]:
        made = feed(*extra, today=today)
        assert feed(*extra, today=today) == made
        assert made != base
        assert fresh(*extra, today=today) == made
    feed()
    note = sample_copy / "contacts" / "Aisha Bello.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(text.replace("name: Aisha Bello", "name: Aisha B. Bello", 1), "utf-8")
    edited = feed()
    assert edited != base and b"Aisha B. Bello" in edited
    assert edited == fresh()
    db = sqlite3.connect(sample_copy / ".coffeechat" / "index.sqlite")
    with db:
        db.execute("UPDATE layouts SET events = ?", ('["no such event"]',))
    db.close()
    assert feed() == edited
    db = sqlite3.connect(sample_copy / ".coffeechat" / "index.sqlite")
    with db:
        db.execute("UPDATE layouts SET head = ?", (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n",))
    db.close()
    assert feed() == edited
