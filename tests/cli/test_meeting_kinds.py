"""A meeting's kind is the user's word: `kind: lunch` is a lunch in titles and letters, `check`
suggests a known kind only for a word that looks like a slip, and `meet --kind` takes any
word."""

from __future__ import annotations

import json
import os

from click.testing import CliRunner

from coffeechat.cli import cli


def _story(vault, kind: str):
    vault.contact("Jane Doe", log="2026-11-02 approach: emailed")
    vault.meeting(
        "2026-11-20",
        ["Jane Doe"],
        front=f"kind: {kind}",
        title=f"2026-11-20 {kind.capitalize()} with Jane Doe",
    )


def test_lunch_stays_lunch(vault, run):
    _story(vault, "lunch")
    due = json.loads(run("due", "--json").stdout)
    thanks = next(i for i in due if i["rule"] == "thank_you")
    assert thanks["title"] == "Send Jane Doe a thank-you for the lunch on 2026-11-20"
    assert "lunch" in run("list", "meetings").stdout.splitlines()[1]
    assert "coffee" not in run("list", "meetings").stdout
    assert "  kind       lunch" in run("show", "Lunch with Jane Doe").stdout
    assert len(json.loads(run("list", "meetings", "--kind", "lunch", "--json").stdout)) == 1
    letter = run("draft", "thank_you", "Jane")
    assert "Thank you for the lunch" in letter.stdout and "coffee" not in letter.stdout
    vault.meeting(
        "2026-11-30T12:00",
        ["Jane Doe"],
        front="kind: lunch",
        title="2026-11-30 Lunch with Jane Doe",
    )
    for note in vault.root.rglob("*.md"):  # settled notes: the second run trusts the cache
        os.utime(note, (1_700_000_000, 1_700_000_000))
    for _ in range(2):  # the second one reads the meetings back from the cache
        feed = run("feed", "-o", "-").stdout
        assert "SUMMARY:Lunch with Jane Doe\n" in feed.replace("\r\n", "\n")
        redacted = run("feed", "--redact", "-o", "-").stdout  # the kind, not the title
        assert "SUMMARY:Lunch with J. D.\n" in redacted.replace("\r\n", "\n")


def test_an_own_word_is_kept_without_a_finding(vault, run):
    _story(vault, "hike")
    assert json.loads(run("due", "--json").stdout)[0]["title"] == (
        "Send Jane Doe a thank-you for the hike on 2026-11-20"
    )
    result = run("check")
    assert result.exit_code == 0 and "kind" not in result.stdout


def test_check_suggests_a_known_kind_for_a_slip(vault, run):
    _story(vault, "cofee")
    result = run("check")
    assert result.exit_code == 0  # a suggestion, not a warning
    assert (
        "meetings/2026-11-20 Cofee with Jane Doe.md:6: kind: 'cofee' means nothing to"
        " coffeechat; did you mean coffee? (known: informational, coffee, call, video, event;"
        " any other word is kept as you wrote it)"
    ) in result.stdout


def test_known_kinds_keep_their_own_words(vault, run):
    _story(vault, "zoom")
    assert json.loads(run("due", "--json").stdout)[0]["title"] == (
        "Send Jane Doe a thank-you for the video call on 2026-11-20"
    )


def test_meet_takes_any_word(vault, run):
    vault.contact("Jane Doe")
    result = run("meet", "Jane", "--kind", "Lunch", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    note = vault.root / "meetings" / "2026-11-30 Lunch with Jane Doe.md"
    assert "kind: lunch" in note.read_text(encoding="utf-8")
    assert run("meet", "Jane", "--kind", "video", "--date", "2026-12-01").stdout.startswith(
        "Created meetings/2026-12-01 Video call with Jane Doe.md"
    )


def test_meet_kind_completes_the_known_kinds(vault):
    from click.shell_completion import ShellComplete

    complete = ShellComplete(cli, {}, "coffeechat", "_COFFEECHAT_COMPLETE")
    words = [c.value for c in complete.get_completions(["meet", "Jane", "--kind"], "")]
    assert words == ["informational", "coffee", "call", "video", "event"]
    assert [c.value for c in complete.get_completions(["meet", "Jane", "--kind"], "c")] == [
        "coffee",
        "call",
    ]


def test_the_help_names_the_known_kinds():
    out = " ".join(CliRunner().invoke(cli, ["meet", "--help"]).stdout.split())
    assert "--kind WORD coffee, informational, call, video, event — or your own word" in out
