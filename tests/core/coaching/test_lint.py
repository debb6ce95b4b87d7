"""`lint`: real letters, good and bad, found by glob; each bad one names the rules it breaks in
its sidecar .json, and no good one may draw a single finding."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.core.coaching.kinds import KINDS, detect_kind
from coffeechat.core.coaching.lint import RULES, WORD_LIMITS, lint_letter
from conftest import TEST_DATA

LETTERS = TEST_DATA / "letters"
GOOD = sorted((LETTERS / "good").glob("*.txt"))
BAD = sorted((LETTERS / "bad").glob("*.txt"))


def sidecar(path: Path) -> dict:
    side = path.with_suffix(".json")
    return json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}


def options(meta: dict) -> dict:
    out: dict = {}
    for key in ("meeting_date", "sent"):
        if key in meta:
            out[key] = dt.date.fromisoformat(meta[key])
    for key in ("kind", "referrer"):
        if key in meta:
            out[key] = meta[key]
    return out


def test_there_are_enough_letters():
    assert len(GOOD) >= 10 and len(BAD) >= 10
    assert all("rules" in sidecar(p) for p in BAD), "every bad letter names the rules it breaks"
    tripped = {rule for p in BAD for rule in sidecar(p)["rules"]}
    assert tripped == set(RULES), f"rules no bad letter exercises: {set(RULES) - tripped}"


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_good_letters_pass(path):
    result = lint_letter(path.read_text(encoding="utf-8"), **options(sidecar(path)))
    assert result.findings == (), "\n".join(
        f"{f.line}: {f.rule}: {f.message}" for f in result.findings
    )
    assert path.stem.startswith(result.kind + "_"), "a good letter's name starts with its kind"


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_letters_trip_exactly_their_rules(path):
    meta = sidecar(path)
    result = lint_letter(path.read_text(encoding="utf-8"), **options(meta))
    assert {f.rule for f in result.findings} == set(meta["rules"]), result.findings


def test_findings_point_at_the_offending_line():
    text = (LETTERS / "bad" / "approach_resume_and_openings.txt").read_text(encoding="utf-8")
    found = {f.rule: f.line for f in lint_letter(text).findings}
    lines = text.split("\n")
    assert (
        "resume" in lines[found["no-resume"] - 1]
        and "open PM positions" in lines[found["no-job-ask"] - 1]
    )


def test_negations_are_not_asks():
    letter = (
        "Hi Ana,\n\nBob Lee suggested I write. I'm not asking about openings, and I haven't"
        " attached a résumé: I'd just value 20 minutes of your advice, over coffee or by"
        " video. I'll call you on Tuesday.\n\nBest,\nSam\n"
    )
    assert lint_letter(letter).findings == ()
    but = letter.replace(
        "I'll call you", "I know it may not be the season, but is your team hiring? I'll call you"
    )
    assert [f.rule for f in lint_letter(but).findings] == ["no-job-ask"]


@pytest.mark.parametrize(
    "ask, rule",
    [
        ("an hour of your time over coffee", "time-ask"),
        ("a quick chat over coffee", "time-ask"),
        ("a 30-minute phone call", "time-ask"),
        ("10–15 minutes by phone", None),
        ("half an hour over coffee", None),
        ("twenty minutes on Zoom", None),
    ],
)
def test_time_asks(ask, rule):
    letter = (
        f"Hi Ana,\n\nBob Lee suggested I write. Could I have {ask}? I'm not looking for a job,"
        " only your advice. I'll follow up on Friday.\n\nSam\n"
    )
    assert [f.rule for f in lint_letter(letter, kind="approach").findings] == (
        [rule] if rule else []
    )


def test_a_long_letter_is_flagged_where_it_crosses_the_limit():
    words = " ".join(["word"] * 30)
    letter = "Hi Ana,\n\n" + "\n".join([words] * 9) + "\n\nSam\n"
    found = [f for f in lint_letter(letter, kind="update").findings if f.rule == "too-long"]
    assert found and found[0].line == 11 and "is 273 words long" in found[0].message


def test_thank_you_timeliness_uses_the_date_line_or_the_sent_date():
    text = (LETTERS / "good" / "thank_you_specific.txt").read_text(encoding="utf-8")
    late = text.replace("Date: 2026-11-17", "Date: Mon, 30 Nov 2026 09:12")
    found = lint_letter(late, meeting_date=dt.date(2026, 11, 16)).findings
    assert [(f.line, f.rule) for f in found] == [(1, "thank-you-late")]
    assert "14 days after the meeting on 2026-11-16" in found[0].message
    assert (
        lint_letter(text, meeting_date=dt.date(2026, 11, 16), sent=dt.date(2026, 11, 19)).findings
        == ()
    )


@pytest.mark.parametrize(
    "name, kind",
    [
        ("approach_referred_email", "approach"),
        ("follow_up_nudge", "follow_up"),
        ("thank_you_specific", "thank_you"),
        ("report_back_to_referrer", "report_back"),
        ("update_holiday", "update"),
        ("landed_announcement", "landed"),
    ],
)
def test_kind_is_read_from_the_letter(name, kind):
    assert detect_kind((LETTERS / "good" / f"{name}.txt").read_text(encoding="utf-8")) == kind


def test_quoted_reply_and_signature_are_not_the_letter():
    text = (LETTERS / "good" / "approach_referred_email.txt").read_text(encoding="utf-8")
    text += "\n-- \nSam\nPlease find attached my resume.\n\nOn Mon, Rosa wrote:\n> any openings?\n"
    assert lint_letter(text).findings == ()


# --- the command ---------------------------------------------------------------------------------


def test_cli_good_letter_exits_0(run):
    result = run("lint", str(GOOD[0]))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr.endswith("words: no findings\n")


def test_cli_bad_letter_one_line_per_finding_and_exit_1(run):
    path = LETTERS / "bad" / "approach_hour_and_wait.txt"
    result = run("lint", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        (
            f"{path}:7: time-ask: asks for an hour: ask for 20–30 minutes (10–15 by phone); a short ask"
            " gets a yes"
        ),
        (
            f"{path}:9: you-follow-up: leaves the next step to them (“I look forward to hearing from"
            " you”): say when you will follow up, e.g. “I'll call you on Tuesday”"
        ),
    ]
    assert result.stderr == f"{path}: approach letter, 58 words: 2 findings\n"


def test_cli_reads_stdin_and_json(run):
    text = (LETTERS / "bad" / "follow_up_hiring.txt").read_text(encoding="utf-8")
    result = run("lint", "-", "--json", input=text)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["file"] == "stdin" and data["kind"] == "follow_up"
    assert [f["rule"] for f in data["findings"]] == [
        "no-resume",
        "no-job-ask",
    ]  # one line: rule order


def test_cli_thank_you_timed_against_the_vaults_meeting(vault, run, tmp_path):
    vault.contact("Ana Ruiz", log="2026-11-02 approach: emailed")
    vault.meeting("2026-11-10", ["Ana Ruiz"])
    letter = tmp_path / "thanks.txt"
    letter.write_text(
        "Hi Ana,\n\nThank you for the coffee last week. You said to read *Inspired*,"
        " and I've already ordered it.\n\nSam\n",
        encoding="utf-8",
    )
    late = run("lint", str(letter), "--to", "Ana")
    assert late.exit_code == 1
    assert late.stdout == (
        f"{letter}:3: thank-you-late: sent 13 days after the meeting on 2026-11-10:"
        " a thank-you goes out within a day or two (3 at most)\n"
    )
    assert run("lint", str(letter), "--to", "Ana", "--date", "2026-11-12").exit_code == 0


def test_cli_names_the_referrer_the_vault_knows(vault, run, tmp_path):
    vault.contact("Bob Lee")
    vault.contact("Ana Ruiz", front='referred_by: "[[Bob Lee]]"')
    letter = tmp_path / "a.txt"
    letter.write_text(
        "Hi Ana,\n\nA friend suggested I write to you. Could I have 20 minutes of your"
        " advice, by phone or over coffee? I'm not asking for a job. I'll call you on"
        " Friday.\n\nSam\n",
        encoding="utf-8",
    )
    result = run("lint", str(letter), "--to", "ana")
    assert result.exit_code == 1
    assert (
        "how-you-got-their-name: does not mention Bob Lee, who gave you the name" in result.stdout
    )


def test_lint_needs_no_vault(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["lint", str(GOOD[0])])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (("lint", "{empty}"), "Error: {empty} is empty\n"),
        (("lint", "-"), "Error: stdin is empty\n"),
        (("lint", "{missing}"), "Error: {missing}: no such file\n"),
        (
            ("lint", "{good}", "--kind", "sonnet"),
            (
                "Error: 'sonnet' is not a kind of letter (one of: approach,"
                " follow_up, thank_you, report_back, update, landed)\n"
            ),
        ),
        (("lint", "{good}", "--to", "Nobody"), "Error: no contact matches 'Nobody'\n"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(vault, run, tmp_path, args, message):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    names = {"empty": str(empty), "missing": str(tmp_path / "nope.txt"), "good": str(GOOD[0])}
    result = run(*(a.format(**names) for a in args), input="")
    assert result.exit_code == 2
    assert result.stderr == message.format(**names) and result.stdout == ""


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_letter_has_its_rules(kind):
    """The one list of letter kinds is the list the check knows: every kind has a word limit
    and rules, and a letter far too long for any of them is told so under its own kind."""
    assert set(WORD_LIMITS) == set(KINDS)
    result = lint_letter("Dear Jane,\n\n" + "word " * 300 + "\n", kind=kind)
    assert result.kind == kind
    assert "too-long" in {f.rule for f in result.findings}
