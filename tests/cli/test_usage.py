"""The command line as a user types it: one-line usage errors, global options anywhere,
colour that follows the terminal and --color/--no-color."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli


@pytest.fixture
def people(vault):
    vault.contact("Jane Doe", log="2026-11-10 approach: emailed")
    return vault


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["due", "--bogus"], "Error: No such option '--bogus'."),
        (["bogus"], "Error: No such command 'bogus'."),
        (["due", "--within", "soon"], "Error: Invalid value for '--within': 'soon' is not a valid"),
        (
            ["--today", "2026-13-01", "due"],
            "Error: Invalid value for '--today': '2026-13-01' is not a",
        ),
        (["show"], "Error: Missing argument 'NAME'."),
    ],
)
def test_usage_error_is_one_line_and_one_hint(people, args, first):
    result = CliRunner().invoke(cli, ["--vault", str(people.root), *args])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(first)
    assert len(lines) <= 2 and not any(ln.startswith(("Usage:", "Try ")) for ln in lines)
    assert result.stdout == ""


@pytest.mark.parametrize("args", [[], ["import"]])
def test_a_bare_command_still_shows_its_help(people, args):
    result = CliRunner().invoke(cli, args)
    assert result.stderr.startswith("Usage: ") and "Error" not in result.stderr
    assert "Commands:" in result.stderr


def test_did_you_mean_is_the_only_hint(people):
    result = CliRunner().invoke(cli, ["--vault", str(people.root), "due", "--verbos"])
    assert result.stderr == "Error: No such option '--verbos'. Did you mean '--verbose'?\n"


def test_global_options_after_the_command(people, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no vault above: only the option can name it
    runner = CliRunner()
    before = runner.invoke(
        cli, ["--vault", str(people.root), "--today", "2026-11-23", "due", "--json"]
    )
    after = runner.invoke(
        cli, ["due", "--json", "--today", "2026-11-23", "--vault", str(people.root)]
    )
    assert before.exit_code == after.exit_code == 0
    assert after.stdout == before.stdout and '"overdue": true' in after.stdout
    # the one typed after the command wins
    later = runner.invoke(
        cli,
        [
            "--today",
            "2026-01-01",
            "--vault",
            str(people.root),
            "due",
            "--json",
            "--today",
            "2026-11-23",
        ],
    )
    assert later.stdout == before.stdout
    # sub-commands of a group take them too
    shown = runner.invoke(cli, ["export", "csv", "--vault", str(people.root)])
    assert shown.exit_code == 0 and "Jane Doe" in shown.stdout
    bad = runner.invoke(cli, ["due", "--today", "2026-02-30", "--vault", str(people.root)])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: Invalid value for '--today': '2026-02-30' is not a date")


def _due(people, monkeypatch, term, *flags):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", term)
    runner = CliRunner()
    return runner.invoke(
        cli, ["--vault", str(people.root), "--today", "2026-11-23", *flags, "due"], color=True
    ).stdout


def test_colour_at_a_terminal_but_not_when_dumb(people, monkeypatch):
    assert "\x1b[" in _due(people, monkeypatch, "xterm-256color")
    assert "\x1b[" not in _due(people, monkeypatch, "dumb")
    assert "\x1b[" not in _due(people, monkeypatch, "xterm", "--no-color")


def test_color_flag_forces_colour_into_a_pipe(people, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "dumb")
    runner = CliRunner()  # not a terminal
    args = ["--vault", str(people.root), "--today", "2026-11-23"]
    assert "\x1b[" not in runner.invoke(cli, [*args, "due"]).stdout
    assert "\x1b[1mFollow-ups" in runner.invoke(cli, [*args, "--color", "due"]).stdout
    assert "\x1b[1mFollow-ups" in runner.invoke(cli, [*args, "due", "--color"]).stdout


def test_due_help_names_every_rule():
    """`due --help` lists the rules a user can pass to --rule: all ten, not the first eight."""
    from coffeechat.core.rules import RULE_NAMES

    shown = " ".join(CliRunner().invoke(cli, ["due", "--help"]).output.split())
    listed = shown.split("Rules: ", 1)[1].split(" (see the README)", 1)[0]
    assert listed.split(", ") == list(RULE_NAMES)
