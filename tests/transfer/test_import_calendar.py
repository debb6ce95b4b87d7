"""`import calendar`: real .ics files in the shapes Google, Apple and Outlook export, made into
meeting notes the way `meet` makes them, and updated in place when the event moves or is
cancelled."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from coffeechat.core.note.parse import parse_note
from conftest import TEST_DATA

DATA = TEST_DATA / "calendar"


@pytest.fixture
def people(vault):
    vault.config("""
        [vault]
        timezone = "America/New_York"

        [mail]
        addresses = ["sam.rivera@gmail.com"]
    """)
    vault.contact("Jane Doe", "email: jane@acme.example\nemails: [jane.doe@gmail.com]")
    vault.contact("Carl Lee", "email: carl@globex.example")
    vault.contact("Priya Nair", "email: priya.nair@gmail.com")
    return vault


def meetings(root: Path) -> dict[str, dict]:
    """Each meeting note's file name -> its front matter."""
    return {
        p.name: parse_note(f"meetings/{p.name}", p.read_bytes()).meta
        for p in sorted((root / "meetings").iterdir())
    }


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(DATA / name, target)
    return target


def edit_ics(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert old.encode() in data
    path.write_bytes(data.replace(old.encode(), new.encode()))


def test_google_export(people, run, tmp_path):
    ics = copy("google.ics", tmp_path)
    result = run("import", "calendar", str(ics))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Created meetings/2026-11-24 Mentoring call with Carl.md (scheduled: prepare by 2026-11-23)",
        "Created meetings/2026-11-25 Coffee with Jane.md (scheduled: prepare by 2026-11-24)",
        "Created meetings/2026-12-02 Mentoring call with Carl.md (scheduled: prepare by 2026-12-01)",
        "Created meetings/2026-12-15 Mentoring call with Carl.md (scheduled: prepare by 2026-12-14)",
        (
            f"Imported {ics}: 6 events from 2026-08-25 to 2027-11-23; 4 meeting notes created,"
            " 0 updated, 0 unchanged, 2 skipped (1 cancelled, 1 no contact among the guests)."
        ),
    ]
    notes = meetings(people.root)
    jane = notes["2026-11-25 Coffee with Jane.md"]
    # 15:00Z is 10:00 in New York; the place and the UID are kept
    assert (jane["date"], jane["duration"], jane["kind"]) == ("2026-11-25T10:00", 30, "coffee")
    assert jane["with"] == ["[[Jane Doe]]"]
    assert jane["location"] == "Blue Bottle, Market St"
    assert jane["ical_uid"] == "1q2w3e4r5t6y7u8i9o0p@google.com"
    assert "ical_recurrence_id" not in jane
    # the weekly series: the 8th is excluded (EXDATE), the 1st moved to the 2nd at 13:00
    carl = {k: v for k, v in notes.items() if "Carl" in k}
    assert [(v["date"], v["ical_recurrence_id"]) for v in carl.values()] == [
        ("2026-11-24T12:00", "20261124T170000Z"),
        ("2026-12-02T13:00", "20261201T170000Z"),
        ("2026-12-15T12:00", "20261215T170000Z"),
    ]
    assert {v["duration"] for v in carl.values()} == {45}
    # made from the meeting template, as `meet` makes a note
    text = (people.root / "meetings/2026-11-25 Coffee with Jane.md").read_text(encoding="utf-8")
    assert "## Questions" in text and "- [ ] send a thank-you note" in text


def test_apple_export(people, run, tmp_path):
    result = run("import", "calendar", str(copy("apple.ics", tmp_path)))
    assert result.exit_code == 0, result.output
    notes = meetings(people.root)
    priya = notes["2026-11-30 Informational interview — Priya.md"]
    # the organiser is a urn:uuid: with EMAIL=; 16:00 in London is 11:00 in New York
    assert priya["with"] == ["[[Priya Nair]]"]
    assert (priya["date"], priya["duration"], priya["kind"]) == (
        "2026-11-30T11:00",
        60,
        "informational",
    )
    assert priya["location"] == "The British Library Euston Rd, London NW1 2DB"
    fair = notes["2026-12-04 Product career fair.md"]
    # all day; Jane declined, so only Carl is with you
    assert (fair["date"], fair["with"]) == ("2026-12-04", ["[[Carl Lee]]"])
    assert fair["duration"] == 30  # the template's: an all-day event has no length to give


def test_outlook_export(people, run, tmp_path):
    result = run("import", "calendar", str(copy("outlook.ics", tmp_path)))
    assert result.exit_code == 0, result.output
    notes = meetings(people.root)
    # a Windows zone name; the organiser as MAILTO: in capitals, at Jane's second address
    catch_up = notes["2026-12-01 Catch-up.md"]
    assert (catch_up["date"], catch_up["with"]) == ("2026-12-01T12:00", ["[[Jane Doe]]"])
    assert catch_up["location"] == "Microsoft Teams Meeting"
    house = notes["2026-12-10 Globex open house.md"]
    assert (house["date"], house["with"]) == ("2026-12-10", ["[[Carl Lee]]"])


def test_a_scheduled_event_brings_its_prepare_item(people, run, tmp_path):
    def prepares() -> list[tuple[str, str]]:
        items = json.loads(run("due", "--all", "--json").output)
        return [(i["contact"], i["due"]) for i in items if i["rule"] == "prepare"]

    assert prepares() == []
    assert run("import", "calendar", str(copy("google.ics", tmp_path))).exit_code == 0
    assert ("Jane Doe", "2026-11-24") in prepares()


def test_a_second_import_updates_in_place_and_never_doubles(people, run, tmp_path):
    ics = copy("google.ics", tmp_path)
    assert run("import", "calendar", str(ics)).exit_code == 0
    jane_note = people.root / "meetings/2026-11-25 Coffee with Jane.md"
    with jane_note.open("a", encoding="utf-8") as fh:
        fh.write("- she mentioned the Q1 reorg\n")  # the user's own words
    before = {p.name: p.read_bytes() for p in (people.root / "meetings").iterdir()}
    shutil.rmtree(people.root / ".coffeechat")
    again = run("import", "calendar", str(ics))
    assert again.exit_code == 0, again.output
    assert "0 meeting notes created, 0 updated, 4 unchanged" in again.output
    assert {p.name: p.read_bytes() for p in (people.root / "meetings").iterdir()} == before

    # Jane's coffee moves to the 26th at 11:00 for an hour; one Carl call is deleted from
    # the series, another cancelled
    edit_ics(
        ics,
        "DTSTART:20261125T150000Z\r\nDTEND:20261125T153000Z",
        "DTSTART:20261126T160000Z\r\nDTEND:20261126T170000Z",
    )
    edit_ics(
        ics,
        "EXDATE;TZID=America/New_York:20261208T120000",
        "EXDATE;TZID=America/New_York:20261208T120000,20261215T120000",
    )
    edit_ics(ics, "SEQUENCE:2\r\nSTATUS:CONFIRMED", "SEQUENCE:3\r\nSTATUS:CANCELLED")
    moved = run("import", "calendar", str(ics))
    assert moved.exit_code == 0, moved.output
    assert moved.output.splitlines()[:3] == [
        "Updated meetings/2026-11-25 Coffee with Jane.md: date: 2026-11-26T11:00, duration: 60",
        "Updated meetings/2026-12-02 Mentoring call with Carl.md: status: cancelled",
        "Updated meetings/2026-12-15 Mentoring call with Carl.md: status: cancelled",
    ]
    assert sorted(p.name for p in (people.root / "meetings").iterdir()) == sorted(before)
    after = jane_note.read_text(encoding="utf-8")
    assert after == before[jane_note.name].decode().replace(
        "date: 2026-11-25T10:00", "date: 2026-11-26T11:00"
    ).replace("duration: 30", "duration: 60")
    items = json.loads(run("due", "--all", "--json").output)
    prepares = {i["meeting"] for i in items if i["rule"] == "prepare"}
    assert "meetings/2026-12-02 Mentoring call with Carl.md" not in prepares
    assert "meetings/2026-11-25 Coffee with Jane.md" in prepares

    # and back on: the cancelled status goes
    edit_ics(ics, "SEQUENCE:3\r\nSTATUS:CANCELLED", "SEQUENCE:4\r\nSTATUS:CONFIRMED")
    back = run("import", "calendar", str(ics))
    assert "Updated meetings/2026-12-02 Mentoring call with Carl.md: status cleared" in back.output


def test_recurring_events_expand_within_since_and_until(people, run, tmp_path):
    ics = copy("google.ics", tmp_path)
    result = run("import", "calendar", "--since", "2026-11-25", "--until", "2026-12-10", str(ics))
    assert result.exit_code == 0, result.output
    assert sorted(meetings(people.root)) == [
        "2026-11-25 Coffee with Jane.md",
        "2026-12-02 Mentoring call with Carl.md",
    ]


def test_dry_run_writes_nothing(people, run, tmp_path):
    result = run("import", "calendar", "--dry-run", str(copy("apple.ics", tmp_path)))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Would create a meeting note: 2026-11-30 Informational interview — Priya (with Priya Nair)"
    )
    assert list((people.root / "meetings").iterdir()) == []


def test_the_vaults_own_meeting_template_is_used(people, run, tmp_path):
    people.write(
        "templates/Meeting.md",
        """\
        ---
        type: meeting
        date:
        with: []
        ---
        ## Agenda
    """,
    )
    assert run("import", "calendar", str(copy("outlook.ics", tmp_path))).exit_code == 0
    text = (people.root / "meetings/2026-12-01 Catch-up.md").read_text(encoding="utf-8")
    assert text.endswith("---\n## Agenda\n")


def test_a_meeting_edited_before_its_update_is_refused(people, run, tmp_path, monkeypatch):
    import coffeechat.transfer.calendar as calendar_module

    ics = copy("google.ics", tmp_path)
    assert run("import", "calendar", str(ics)).exit_code == 0
    edit_ics(ics, "DTSTART:20261125T150000Z", "DTSTART:20261125T160000Z")
    note = people.root / "meetings/2026-11-25 Coffee with Jane.md"
    saved = note.read_text(encoding="utf-8") + "typed meanwhile\n"
    plan_calendar = calendar_module.plan_calendar

    def editor_saves_meanwhile(*args, **kwargs):
        plan = plan_calendar(*args, **kwargs)
        note.write_text(saved, encoding="utf-8")
        return plan

    monkeypatch.setattr(calendar_module, "plan_calendar", editor_saves_meanwhile)
    result = run("import", "calendar", str(ics))
    assert result.exit_code == 1
    assert "changed on disk after coffeechat read it" in result.output
    assert note.read_text(encoding="utf-8") == saved


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, not a calendar\n", "is not an iCalendar file"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n", "is not an iCalendar file"),
    ],
)
def test_a_file_that_is_no_calendar_is_one_line(people, run, tmp_path, content, message):
    path = tmp_path / "x.ics"
    path.write_bytes(content)
    result = run("import", "calendar", str(path))
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "unexpected" not in result.output


def test_a_past_event_is_a_held_meeting(people, run, tmp_path):
    result = run(
        "import", "calendar", str(copy("google.ics", tmp_path)), today=dt.date(2026, 12, 20)
    )
    assert (
        "Created meetings/2026-11-25 Coffee with Jane.md (held: send the thank-you, and"
        " record it as thank_you:)"
    ) in result.output


def test_a_series_repeating_every_second_is_left_out_quickly(people, run, tmp_path):
    """A hostile file: expanding FREQ=SECONDLY over a year and a quarter would never end."""
    path = tmp_path / "storm.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:storm\r\n"
        b"DTSTART:20000101T000000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:x\r\n"
        b"ATTENDEE:mailto:jane@acme.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = run("import", "calendar", str(path))
    assert result.exit_code == 0, result.output
    assert "0 events" in result.output
    assert "1 skipped (1 repeating more often than hourly)" in result.output
