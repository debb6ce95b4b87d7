"""The method as a job seeker lives it: stories of a search told through the CLI, with
``--today`` moving forward — working days, a yes that must become a meeting, a meeting that
fell through, landing, imported contacts, noise, bad dates, snoozes and prep sheets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coffeechat import load_vault
from coffeechat.cli import cli
from coffeechat.config import parse_settings
from coffeechat.core.coaching.facts import letter_facts
from coffeechat.core.note.parse import parse_note
from coffeechat.core.rules import evaluate
from coffeechat.core.rules.shared import chase_due
from coffeechat.core.vault.builder import build_vault

D = dt.date.fromisoformat


def due(run, today: str, *args: str) -> list[dict]:
    result = run("due", "--all", "--json", *args, today=D(today))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def of(items: list[dict], rule: str) -> list[dict]:
    return [i for i in items if i["rule"] == rule]


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


# --- 1. working days --------------------------------------------------------------------------


def test_the_letter_promises_the_day_the_chase_comes_due(vault, run):
    # Monday 4 January 2027: approach today, "I'll follow up on ..." — five days on is Saturday.
    vault.contact("Ana Ruiz", front="field: UX research\nhow_met: her talk at UX Camp")
    letter = run("draft", "approach", "Ana Ruiz", today=D("2027-01-04"))
    assert letter.exit_code == 0, letter.output
    assert "I'll follow up on Monday 11 January" in letter.stdout
    assert run("log", "Ana Ruiz", "approach", "emailed", today=D("2027-01-04")).exit_code == 0
    chase = of(due(run, "2027-01-04"), "follow_up_approach")
    assert [c["due"] for c in chase] == ["2027-01-11"]  # not Saturday 9 January


@given(
    day=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
    window=st.integers(0, 20),
    weekdays=st.sampled_from(['["mon", "tue", "wed", "thu", "fri"]', '"sun-thu"', '"mon-sat"']),
    holiday=st.integers(0, 25),
)
def test_letter_and_rule_agree_for_any_day_window_and_calendar(day, window, weekdays, holiday):
    holidays = [day + dt.timedelta(days=holiday)]
    settings, _ = parse_settings(
        f"[rules]\nfollow_up_approach = {window}\nworkdays = {weekdays}\n"
        f"holidays = [{holidays[0].isoformat()}]\n"
    )
    note = f"---\ntype: contact\n---\n## Log\n- {day.isoformat()} approach: emailed\n"
    vault = build_vault([parse_note("contacts/Ana.md", note.encode())], settings)
    promised = letter_facts("approach", vault, "contacts/Ana.md", day).values["follow_up_day"]
    (item,) = evaluate(vault, day, ["follow_up_approach"])
    assert item.due == chase_due(settings, day) and settings.workdays.works(item.due)
    assert promised == f"{item.due.strftime('%A')} {item.due.day} {item.due.strftime('%B')}" + (
        "" if item.due.year == day.year else f" {item.due.year}"
    )


def test_computed_dates_fall_on_working_days_and_written_ones_stay(vault, run):
    vault.config("[rules]\nholidays = [2026-11-26]\n")  # Thanksgiving
    vault.contact("Bob Smith", front="follow_up: 2026-11-28")  # a Saturday you chose
    vault.contact(
        "Ana Ruiz",
        front='referred_by: "[[Bob Smith]]"\nadded: 2026-10-01',
        body="- [ ] send her my deck 📅 2026-11-29",
    )
    vault.meeting("2026-11-25", ["Ana Ruiz"], title="2026-11-25 Coffee with Ana Ruiz")  # Wed
    vault.meeting("2026-11-30T09:00", ["Bob Smith"], title="2026-11-30 Call with Bob Smith")  # Mon
    items = due(run, "2026-11-27")
    # thank-you: Thursday 26 is a holiday -> Friday 27; report back: Wed 2 Dec is a working day
    assert [i["due"] for i in of(items, "thank_you")] == ["2026-11-27"]
    assert [i["due"] for i in of(items, "report_back")] == ["2026-12-02"]
    # prepare for Monday's call: Sunday 29 moves back to Friday 27
    assert [i["due"] for i in of(items, "prepare")] == ["2026-11-27"]
    # what you wrote stays as written, weekend or not
    assert sorted(i["due"] for i in of(items, "follow_up")) == ["2026-11-28", "2026-11-29"]


def test_keep_in_touch_and_referrals_move_off_the_weekend(vault, run):
    vault.contact("Bob Smith", front="cadence: 12d")
    vault.meeting("2026-11-02", ["Bob Smith"], front="thank_you: 2026-11-02\nreferrals:\n  - Cy Po")
    items = due(run, "2026-11-05")
    assert [i["due"] for i in of(items, "keep_in_touch")] == ["2026-11-16"]  # Sat 14 -> Mon 16
    assert [i["due"] for i in of(items, "reach_referral")] == ["2026-11-09"]  # Mon 9, as is


def test_workdays_setting_and_its_errors(vault, run):
    vault.config('[rules]\nworkdays = "sun-thu"\n')
    vault.meeting("2026-11-19", ["Ana Ruiz"])  # Thursday: thank-you on Friday 20 -> Sunday 22
    assert [i["due"] for i in of(due(run, "2026-11-20"), "thank_you")] == ["2026-11-22"]
    vault.config('[rules]\nworkdays = ["mon", "funday"]\n')
    result = run("due")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        (
            "Error: coffeechat.toml:2: rules.workdays 'funday' is not a day of the week (write mon,"
            " tue, ... sun)"
        )
    ]
    vault.config('[rules]\nholidays = ["2026-02-30"]\n')
    assert "rules.holidays '2026-02-30' is not a date" in run("due").stderr


# --- 2. a yes that never became a meeting -----------------------------------------------------


def test_a_yes_without_a_meeting_asks_you_to_propose_a_time(vault, run):
    vault.contact("Ana Ruiz", log="2026-11-02 approach: emailed\n2026-11-04 reply: happy to chat!")
    items = due(run, "2026-11-05")
    assert of(items, "follow_up_approach") == []
    (item,) = of(items, "schedule")
    assert item["title"] == "Propose a time to Ana Ruiz"
    assert item["due"] == "2026-11-09"  # three days on is Saturday 7: Monday
    # you proposed a time on Monday: the nudge moves on from there
    done = run("done", item["id"], "-m", "offered Tue or Thu morning", today=D("2026-11-09"))
    assert done.exit_code == 0, done.output
    assert [i["due"] for i in of(due(run, "2026-11-09"), "schedule")] == ["2026-11-12"]
    # a meeting on the calendar settles it
    assert run("meet", "Ana Ruiz", "--date", "2026-11-19", today=D("2026-11-10")).exit_code == 0
    assert of(due(run, "2026-11-10"), "schedule") == []


@pytest.mark.parametrize(
    "settled_by",
    [
        "2026-11-06 declined: no time after all",
    ],
)
def test_a_refusal_settles_the_yes(vault, run, settled_by):
    vault.contact(
        "Ana Ruiz", log=f"2026-11-02 approach: emailed\n2026-11-04 reply: yes\n{settled_by}"
    )
    assert of(due(run, "2026-11-10"), "schedule") == []


def test_an_agreed_follow_up_day_is_the_one_item(vault, run):
    vault.contact(
        "Ana Ruiz",
        front="follow_up: 2026-11-10",
        log="2026-11-02 approach: emailed\n2026-11-04 reply: call me Tuesday the 10th",
    )
    items = due(run, "2026-11-05")
    assert of(items, "schedule") == [] and len(of(items, "follow_up")) == 1


# --- 3. cancelled and no-show meetings --------------------------------------------------------


@pytest.mark.parametrize(
    "status, words", [("cancelled", "was cancelled"), ("no_show", "did not happen (no-show)")]
)
def test_a_meeting_that_fell_through_offers_a_rebook(vault, run, status, words):
    vault.contact("Ana Ruiz", log="2026-11-02 approach: emailed\n2026-11-04 reply: yes")
    vault.meeting("2026-11-18", ["Ana Ruiz"], front=f"status: {status}")
    (item,) = of(due(run, "2026-11-19"), "rebook")
    assert item["title"] == "Offer Ana Ruiz a new time" and item["due"] == "2026-11-23"
    assert words in item["why"] and of(due(run, "2026-11-19"), "schedule") == []
    assert run("meet", "Ana Ruiz", "--date", "2026-12-01", today=D("2026-11-20")).exit_code == 0
    assert of(due(run, "2026-11-20"), "rebook") == []


def test_declined_after_a_cancellation_settles_the_rebook(vault, run):
    vault.contact("Ana Ruiz", log="2026-11-20 declined: too busy until spring")
    vault.meeting("2026-11-18", ["Ana Ruiz"], front="status: cancelled")
    assert of(due(run, "2026-11-23"), "rebook") == []


# --- 4. meet with no --date -------------------------------------------------------------------


def test_a_meeting_made_today_needs_no_preparing(vault, run):
    vault.contact("Ana Ruiz")
    result = run("meet", "Ana Ruiz")
    assert result.exit_code == 0 and "prepare by" not in result.stdout
    assert of(due(run, "2026-11-23"), "prepare") == []
    tomorrow = run("meet", "Ana Ruiz", "--date", "2026-11-24", "--kind", "call")
    assert "(scheduled: prepare by 2026-11-23)" in tomorrow.stdout
    assert [i["due"] for i in of(due(run, "2026-11-23"), "prepare")] == ["2026-11-23"]


# --- 5. after [landed] ------------------------------------------------------------------------


def _busy_search(vault) -> None:
    vault.contact("Chased", log="2026-11-16 approach: emailed")
    vault.contact("Said Yes", log="2026-11-10 approach: emailed\n2026-11-12 reply: sure")
    vault.contact("Fell Through")
    vault.meeting("2026-11-18", ["Fell Through"], front="status: cancelled")
    vault.contact("Bob Smith", log="2025-06-01 update: hello")
    vault.contact("Jane Doe", front='referred_by: "[[Bob Smith]]"')
    vault.meeting("2026-11-19", ["Jane Doe"], front="referrals:\n  - Cy Po")


def test_landing_stops_the_outreach_and_keeps_the_thanks(vault, run):
    _busy_search(vault)
    before = {i["rule"] for i in due(run, "2026-11-23")}
    assert {"follow_up_approach", "schedule", "rebook", "reach_referral"} <= before
    vault.config('[landed]\ndate = 2026-11-20\ncompany = "Acme"\n')
    after = due(run, "2026-11-23")
    rules = {i["rule"] for i in after}
    assert not rules & {"follow_up_approach", "schedule", "rebook", "reach_referral"}
    assert {"thank_you", "report_back", "landed", "keep_in_touch"} <= rules


def test_outreach_due_on_or_after_a_future_landed_date_is_left_out(vault, run):
    vault.contact("Chased", log="2026-11-16 approach: emailed")  # chase due Monday 23
    vault.config("[landed]\ndate = 2026-11-23\n")
    assert of(due(run, "2026-11-17"), "follow_up_approach") == []
    vault.config("[landed]\ndate = 2026-11-24\n")
    assert len(of(due(run, "2026-11-17"), "follow_up_approach")) == 1


# --- 6. imported contacts: added is the day the note entered the vault ------------------------


def test_a_referral_added_to_an_imported_connection_comes_due(vault, run, tmp_path):
    csv = tmp_path / "Connections.csv"
    csv.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Ruiz,https://www.linkedin.com/in/ana-ruiz,,Acme,PM,05 Mar 2019\n",
        encoding="utf-8",
    )
    assert run("import", "linkedin", str(csv)).exit_code == 0
    note = vault.root / "contacts" / "Ana Ruiz.md"
    text = note.read_text(encoding="utf-8")
    assert "connected_on: 2019-03-05" in text and "added: 2026-11-23\n" in text
    vault.contact("Bob Smith")
    note.write_text(text.replace("referred_by:", 'referred_by: "[[Bob Smith]]"'), encoding="utf-8")
    (item,) = of(due(run, "2026-11-24"), "reach_referral")
    assert item["due"] == "2026-11-30"  # import day + 7 (Monday 30), not 2019


def test_a_referral_is_not_given_up_before_it_was_ever_shown(vault, run):
    # an old contact (added in 2019) to whom you only now wrote referred_by
    vault.contact("Bob Smith")
    vault.contact("Ana Ruiz", front='referred_by: "[[Bob Smith]]"\nadded: 2019-03-05')
    assert len(of(due(run, "2026-11-23"), "reach_referral")) == 1
    # a referral named at a meeting long ago still goes stale as before
    vault.meeting("2025-01-10", ["Bob Smith"], front="thank_you: 2025-01-10\nreferrals:\n  - Cy Po")
    assert [i["contact"] for i in of(due(run, "2026-11-23"), "reach_referral")] == ["Ana Ruiz"]


# --- 7. noise ---------------------------------------------------------------------------------


def test_dormant_waits_for_the_last_attempt_to_go_unanswered(vault, run):
    vault.contact(
        "Ana Ruiz",
        log="""
        2026-11-02 approach: emailed
        2026-11-09 follow_up: nudged
        2026-11-16 voicemail: left a message
    """,
    )
    for today in ("2026-11-16", "2026-11-20"):  # the third try has not had its five days
        assert "dormant" not in run("check", today=D(today)).stdout
    assert "consider `status: dormant`" in run("check", today=D("2026-11-23")).stdout


def test_a_referral_you_are_already_chasing_is_one_item(vault, run):
    vault.contact("Carl Lee", log="2026-11-16 approach: emailed")
    vault.contact("Ana Ruiz")
    vault.meeting(
        "2026-11-18", ["Ana Ruiz"], front='thank_you: 2026-11-18\nreferrals:\n  - "[[Carl Lee]]"'
    )
    carl = [i for i in due(run, "2026-11-23") if i["contact"] == "Carl Lee"]
    assert [i["rule"] for i in carl] == ["follow_up_approach"]


def test_a_referral_with_no_note_yet_is_a_suggestion(vault, run):
    vault.contact("Ana Ruiz")
    vault.meeting(
        "2026-11-18", ["Ana Ruiz"], front='thank_you: 2026-11-18\nreferrals:\n  - "[[Carl Lee]]"'
    )
    check = run("check")
    assert check.exit_code == 0, check.output
    assert (
        "referrals: [[Carl Lee]] has no note yet; add one when you reach out (coffeechat add"
        ' contact "Carl Lee")'
    ) in check.stdout
    assert "0 warnings, 1 suggestion" in check.stderr
    assert "problem" not in run("due").stdout


# --- 12. impossible and far-future dates ------------------------------------------------------


def test_an_impossible_task_date_is_a_check_error_with_its_line(vault, run):
    path = vault.contact("Ana Ruiz", body="- [ ] send her the deck 📅 2027-02-30")
    line = (
        path.read_text(encoding="utf-8").splitlines().index("- [ ] send her the deck 📅 2027-02-30")
        + 1
    )
    check = run("check")
    assert check.exit_code == 1
    assert (
        f"contacts/Ana Ruiz.md:{line}: task date 2027-02-30 is not a real date; the task is"
        " left out until it is fixed"
    ) in check.stdout
    assert "1 error" in check.stderr
    # the rest of the note is still used and still editable
    assert run("log", "Ana Ruiz", "note", "asked about the deck").exit_code == 0


def test_log_lines_and_meetings_over_a_year_ahead_are_warnings(vault, run):
    vault.contact("Ana Ruiz", log="2207-11-20 email: sent the deck\n2026-12-20 note: next month")
    vault.meeting("2028-01-05", ["Ana Ruiz"])
    check = run("check")
    assert check.exit_code == 1
    assert re.search(
        r"contacts/Ana Ruiz\.md:\d+: log line dated 2207-11-20, more than a year from"
        r" today: a mistyped year\?",
        check.stdout,
    )
    assert re.search(
        r"meetings/2028-01-05 Coffee with Ana Ruiz\.md:3: meeting dated 2028-01-05", check.stdout
    )
    assert "2026-12-20" not in check.stdout


# --- 13. snooze -------------------------------------------------------------------------------


def test_a_snooze_on_or_before_the_due_date_is_refused(vault, run):
    vault.contact("Ana Ruiz", log="2026-11-16 approach: emailed")
    (item,) = of(due(run, "2026-11-20"), "follow_up_approach")
    assert item["due"] == "2026-11-23"
    before = tree(vault.root)
    for until in ("2026-11-23", "2026-11-21"):
        result = run("snooze", item["id"], "--until", until, today=D("2026-11-20"))
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr == (
            f"Error: {item['id']} is due on 2026-11-23; a snooze moves it"
            " later — give --until a day after 2026-11-23\n"
        )
    assert tree(vault.root) == before
    assert run("snooze", item["id"], "--until", "2026-11-24", today=D("2026-11-20")).exit_code == 0


# --- 14. prep sheets --------------------------------------------------------------------------


def test_a_prep_sheet_out_of_the_box_is_only_what_you_wrote(tmp_path):
    root = tmp_path / "search"
    runner = CliRunner()

    def cc(*args: str) -> str:
        result = runner.invoke(cli, ["--vault", str(root), "--today", "2026-11-23", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    assert runner.invoke(cli, ["init", str(root)]).exit_code == 0
    cc("add", "contact", "Priya Shah", "--role", "Product Manager")
    cc("meet", "Priya Shah", "--date", "2026-11-26")
    sheet = cc("prep", "Priya Shah")
    assert "Tags:" not in sheet
    assert "Who they are, and why you want their advice." not in sheet
    assert "What does a typical week look like?" in sheet  # the meeting template's
    assert "What does a normal week look like for you?" not in sheet  # the bank's, reworded
    assert "Send the thank-you by Friday 27 November" in sheet
    items = json.loads(cc("due", "--all", "--json"))
    assert [i["rule"] for i in items] == ["prepare"]
    assert "and set prepared: 2026-11-23" in cc("prep", "Priya Shah", "--write")
    assert json.loads(cc("due", "--all", "--json")) == []


def test_what_you_wrote_about_them_is_kept_beside_the_template_line(vault, run):
    vault.write(
        "templates/Contact.md",
        "---\ntype: contact\ntags:\n  - contact\n---\n"
        "Who they are, and why you want their advice.\n\n## Log\n",
    )
    vault.contact(
        "Priya Shah",
        front="tags:\n  - contact\n  - pm",
        body="Who they are, and why you want their advice.\n\nRuns the maps team.",
    )
    sheet = run("prep", "Priya Shah").stdout
    assert "- Tags: pm\n" in sheet and "> Runs the maps team." in sheet
    assert "why you want their advice" not in sheet


def test_log_with_no_text_writes_a_plain_description(vault, run):
    path = vault.contact("Ana Ruiz")
    assert run("log", "Ana Ruiz", "reply").stdout == (
        "Added `- 2026-11-23 reply: they replied` to contacts/Ana Ruiz.md\n"
    )
    assert "reply:\n" not in path.read_text(encoding="utf-8")
    before = path.read_bytes()
    note = run("log", "Ana Ruiz", "note")
    assert note.exit_code == 2 and "a note line needs its text" in note.stderr
    assert path.read_bytes() == before
    assert (
        load_vault(vault.root, use_cache=False).contacts["contacts/Ana Ruiz.md"].log[-1].text
        == "they replied"
    )


def test_the_working_day_settings_print_alike_in_every_process():
    # The settings' repr keys the stored agenda: a set of holidays printed in a new order by
    # each process would throw the stored agenda away on every run.
    import subprocess
    import sys

    code = (
        "from coffeechat.config import parse_settings;"
        'print(repr(parse_settings(\'[rules]\\nworkdays = "sun-thu"\\nholidays = [2026-12-25,'
        " 2027-01-01, 2026-11-26, 2026-05-01, 2026-07-04]')[0]))"
    )
    reprs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(reprs) == 1
