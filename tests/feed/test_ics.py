"""The iCalendar feed: parsed back by icalendar, vobject (and ical.js when installed), matched
one to one with `due --json`, byte-stable, and shaped as the calendar apps need."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
import vobject

from coffeechat.core.model import Contact, DueItem, Meeting, Person
from coffeechat.feed.cache import EventCache
from coffeechat.feed.events import FeedOptions, initials
from coffeechat.feed.render import render_feed, vault_feed
from coffeechat.obsidian.links import obsidian_uri
from conftest import TEST_DATA

TODAY = dt.date(2026, 11, 23)
DATA = TEST_DATA


def _sample_feed(run, root: Path, *args: str) -> bytes:
    out = root / "feed.ics"
    result = run("feed", "-o", str(out), *args, root=root)
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def _due_all(run, root: Path) -> list[dict]:
    result = run("due", "--all", "--json", root=root)
    assert result.exit_code == 0
    return json.loads(result.stdout)


def _events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _unfold(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


# --- the feed and `due --json`, one to one ------------------------------------------------------


def test_every_due_item_is_one_all_day_event(run, sample_copy):
    data = _sample_feed(run, sample_copy)
    items = _due_all(run, sample_copy)
    assert items == json.loads((DATA / "sample-due-all.json").read_text(encoding="utf-8"))
    events = _events(data)
    follow_ups = {uid: e for uid, e in events.items() if not uid.startswith("meeting-")}
    assert sorted(follow_ups) == sorted(f"{i['id']}@coffeechat" for i in items)
    for item in items:
        event = follow_ups[f"{item['id']}@coffeechat"]
        due = dt.date.fromisoformat(item["due"])
        shown = max(due, TODAY)  # overdue items move on to today
        assert event.decoded("DTSTART") == shown and not isinstance(
            event.decoded("DTSTART"), dt.datetime
        )
        assert event["DTSTART"].params["VALUE"] == "DATE"
        assert event.decoded("DTEND") == shown + dt.timedelta(days=1)  # exclusive
        assert str(event["SUMMARY"]) == item["title"]
        assert str(event["TRANSP"]) == "TRANSPARENT"
        description = str(event["DESCRIPTION"])
        assert item["why"] in description
        assert f"Note: {item['source']}" in description
        assert obsidian_uri(sample_copy.name, item["source"]) in description
        assert "obsidian://open?vault=sample&file=" in description
        if item["overdue"]:
            assert f"Due {item['due']}: overdue" in description
        assert event.decoded("DTSTAMP").tzinfo is not None
        assert event.decoded("LAST-MODIFIED") == event.decoded("DTSTAMP")
        assert isinstance(event.decoded("SEQUENCE"), int)


def test_vobject_reads_the_same_events(run, sample_copy):
    """vobject (Radicale's parser) is independent of icalendar: same UIDs, dates, texts."""
    data = _sample_feed(run, sample_copy)
    items = {f"{i['id']}@coffeechat": i for i in _due_all(run, sample_copy)}
    cal = vobject.readOne(data.decode("utf-8"))
    seen = {}
    for event in cal.vevent_list:
        seen[event.uid.value] = event
    assert len(seen) == len(cal.vevent_list)  # no UID twice
    assert {u for u in seen if not u.startswith("meeting-")} == set(items)
    for uid, item in items.items():
        event = seen[uid]
        assert event.summary.value == item["title"]  # commas survive (escaped)
        assert event.dtstart.value == max(dt.date.fromisoformat(item["due"]), TODAY)
        assert event.dtend.value == event.dtstart.value + dt.timedelta(days=1)
        assert item["why"] in event.description.value
        assert "\n" in event.description.value  # \n came back as line breaks
    meetings = [e for u, e in seen.items() if u.startswith("meeting-")]
    assert sorted(e.summary.value for e in meetings) == [
        "Coffee with Sofia Marchetti",
        "Meeting with Helen Park",
    ]
    coffee = next(e for e in meetings if "Sofia" in e.summary.value)
    assert coffee.dtstart.value == dt.datetime(
        2026, 11, 25, 10, 0, tzinfo=coffee.dtstart.value.tzinfo
    )
    assert coffee.dtstart.value.utcoffset() == dt.timedelta(hours=-5)
    assert coffee.location.value == "Café Grumpy, 224 W 20th St"
    assert coffee.valarm.trigger.value == dt.timedelta(minutes=-30)


ICAL_JS = """
const ICAL = require('ical.js');
const fs = require('fs');
const comp = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[2], 'utf8')));
// as Thunderbird does: the feed's own VTIMEZONEs define its TZIDs
for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
const out = comp.getAllSubcomponents('vevent').map(v => {
  const e = new ICAL.Event(v);
  return {uid: e.uid, summary: e.summary, start: e.startDate.toString(), allDay: e.startDate.isDate,
          zone: e.startDate.zone.tzid, utc: e.startDate.isDate ? null : e.startDate.toJSDate().toISOString()};
});
console.log(JSON.stringify(out));
"""


def test_ical_js_reads_the_same_events(run, sample_copy, tmp_path):
    """Thunderbird's parser, when node and ical.js are installed (never installed by the test)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    probe = subprocess.run(
        [node, "-e", "require('ical.js')"], capture_output=True, timeout=30, check=False
    )
    if probe.returncode != 0:
        pytest.skip("ical.js is not installed (npm install ical.js)")
    data = _sample_feed(run, sample_copy)
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    script = tmp_path / "read.js"
    script.write_text(ICAL_JS, encoding="utf-8")
    out = subprocess.run(
        [node, str(script), str(path)], capture_output=True, text=True, timeout=30, check=True
    )
    events = {e["uid"]: e for e in json.loads(out.stdout)}
    items = _due_all(run, sample_copy)
    assert {u for u in events if not u.startswith("meeting-")} == {
        f"{i['id']}@coffeechat" for i in items
    }
    for item in items:
        event = events[f"{item['id']}@coffeechat"]
        assert event["summary"] == item["title"] and event["allDay"]
        assert event["start"] == max(dt.date.fromisoformat(item["due"]), TODAY).isoformat()
    timed = {e["summary"]: e for e in events.values() if not e["allDay"]}
    assert {e["zone"] for e in timed.values()} == {"America/New_York"}  # not floating
    assert timed["Coffee with Sofia Marchetti"]["utc"] == "2026-11-25T15:00:00.000Z"


# --- byte-stable output ---------------------------------------------------------------------------


def test_two_runs_give_identical_bytes(run, sample_copy, tmp_path):
    first = _sample_feed(run, sample_copy)
    second = _sample_feed(run, sample_copy)
    assert first == second
    copy = tmp_path / "elsewhere" / "sample"  # another clone, other mtimes, same vault name
    shutil.copytree(sample_copy, copy, ignore=shutil.ignore_patterns(".coffeechat", "feed.ics"))
    for note in copy.rglob("*.md"):
        note.touch()
    assert _sample_feed(run, copy) == first


def test_feed_text_follows_rfc_5545(run, sample_copy):
    data = _sample_feed(run, sample_copy)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # folds fall between characters, never inside one
    text = _unfold(data)
    header = text.split("BEGIN:VEVENT", 1)[0]
    for expected in (
        "VERSION:2.0",
        "PRODID:-//coffeechat//coffeechat follow-ups//EN",
        "METHOD:PUBLISH",
        "NAME:coffeechat follow-ups",
        "X-WR-CALNAME:coffeechat follow-ups",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ):
        assert f"\r\n{expected}\r\n" in header
    assert re.findall(r"\r\nMETHOD:[^\r]*", text) == ["\r\nMETHOD:PUBLISH"]
    assert "VTODO" not in text
    for tzid in set(re.findall(r";TZID=([^:;]+)", text)):
        assert f"\r\nTZID:{tzid}\r\n" in text  # a VTIMEZONE for every TZID used
    cal = icalendar.Calendar.from_ical(data)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    starts = [
        (
            e.decoded("DTSTART")
            if not isinstance(e.decoded("DTSTART"), dt.datetime)
            else e.decoded("DTSTART").date()
        )
        for e in cal.walk("VEVENT")
    ]
    assert starts == sorted(starts)


def test_scheduled_meetings_are_timed_events_with_zone_place_and_alarm(run, sample_copy):
    events = _events(_sample_feed(run, sample_copy))
    meetings = {str(e["SUMMARY"]): e for u, e in events.items() if u.startswith("meeting-")}
    assert set(meetings) == {"Coffee with Sofia Marchetti", "Meeting with Helen Park"}
    helen = meetings["Meeting with Helen Park"]
    start, end = helen.decoded("DTSTART"), helen.decoded("DTEND")
    assert helen["DTSTART"].params["TZID"] == "America/New_York"
    assert start.replace(tzinfo=None) == dt.datetime(2026, 12, 3, 16, 0)
    assert end - start == dt.timedelta(minutes=30)
    assert str(helen["LOCATION"]) == "Brightline Learning, 8th floor reception, 330 Hudson St"
    assert str(helen["TRANSP"]) == "OPAQUE"
    alarm = helen.walk("VALARM")[0]
    assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == dt.timedelta(
        minutes=-30
    )
    assert 'coffeechat prep "Helen Park"' in str(helen["DESCRIPTION"])


def test_held_and_cancelled_meetings_are_not_in_the_feed(vault, run):
    vault.contact("Ana Ruiz")
    vault.meeting(
        "2026-11-30T09:00", ["Ana Ruiz"], front="status: cancelled", title="2026-11-30 Cancelled"
    )
    vault.meeting("2026-11-20T09:00", ["Ana Ruiz"], title="2026-11-20 Held")
    vault.meeting("2026-12-01", ["Ana Ruiz"], front="duration: 1h", title="2026-12-01 All day")
    events = _events(_sample_feed(run, vault.root))
    meetings = [e for u, e in events.items() if u.startswith("meeting-")]
    assert [str(e["SUMMARY"]) for e in meetings] == ["All day"]
    assert meetings[0].decoded("DTSTART") == dt.date(2026, 12, 1)  # no time: all-day
    assert not meetings[0].walk("VALARM")


def test_a_utc_vault_needs_no_vtimezone(vault, run):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-30T09:00", ["Ana Ruiz"], front="duration: 45")
    data = _sample_feed(run, vault.root)
    assert b"VTIMEZONE" not in data and b"TZID" not in data
    event = next(e for u, e in _events(data).items() if u.startswith("meeting-"))
    assert event.decoded("DTSTART") == dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=45)


def test_alarm_minutes_and_refresh_interval_come_from_settings(vault, run):
    vault.config('[feed]\nalarm_minutes = 0\nrefresh_interval = "90m"\nname = "Job search"\n')
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-30T09:00", ["Ana Ruiz"])
    text = _unfold(_sample_feed(run, vault.root))
    assert "VALARM" not in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M" in text and "X-PUBLISHED-TTL:PT1H30M" in text
    assert "\r\nNAME:Job search\r\n" in text and "X-WR-CALNAME:Job search" in text


# --- options ------------------------------------------------------------------------------------


def test_overdue_can_stay_on_its_due_date(run, sample_copy):
    events = _events(_sample_feed(run, sample_copy, "--overdue", "due"))
    for item in _due_all(run, sample_copy):
        event = events[f"{item['id']}@coffeechat"]
        assert event.decoded("DTSTART") == dt.date.fromisoformat(item["due"])
        assert "overdue, so it shows on today" not in str(event["DESCRIPTION"])


def test_redaction_keeps_names_addresses_and_places_out(run, sample_copy):
    data = _sample_feed(run, sample_copy, "--redact")
    text = _unfold(data)
    plain = icalendar.Calendar.from_ical(data)
    shown = "\n".join(str(v) for e in plain.walk("VEVENT") for v in e.values())
    from coffeechat import load_vault

    vault = load_vault(sample_copy)
    for contact in vault.contacts.values():
        for secret in (contact.name, contact.email, contact.phone, contact.name.split()[-1]):
            if secret:
                assert secret not in shown, secret
    for meeting in vault.meetings.values():
        if meeting.location:
            assert meeting.location not in shown
    for forbidden in ("obsidian://", "contacts/", "meetings/", "LOCATION", "@northwind", ".md"):
        assert forbidden not in text.replace("@coffeechat", ""), forbidden
    summaries = {str(e["SUMMARY"]) for e in plain.walk("VEVENT")}
    assert "Follow up with D. K." in summaries and "Coffee with S. M." in summaries
    assert len(_events(data)) == len(_events(_sample_feed(run, sample_copy)))  # same events


def test_digest_is_one_event_a_day_listing_its_items(run, sample_copy):
    data = _sample_feed(run, sample_copy, "--digest")
    items = _due_all(run, sample_copy)
    by_day: dict[dt.date, list[dict]] = {}
    for item in items:
        by_day.setdefault(max(dt.date.fromisoformat(item["due"]), TODAY), []).append(item)
    events = _events(data)
    digests = {u: e for u, e in events.items() if u.startswith("digest-")}
    assert sorted(digests) == sorted(f"digest-{d:%Y%m%d}@coffeechat" for d in by_day)
    for day, group in by_day.items():
        event = digests[f"digest-{day:%Y%m%d}@coffeechat"]
        assert event.decoded("DTSTART") == day
        assert str(event["SUMMARY"]).startswith(f"{len(group)} follow-up")
        for item in group:
            assert item["title"] in str(event["DESCRIPTION"])
    assert len([u for u in events if u.startswith("meeting-")]) == 2  # meetings stay events
    assert not [u for u in events if re.fullmatch(r"[0-9a-f]{10}@coffeechat", u)]


def test_days_ahead_leaves_out_far_items(vault, run):
    vault.config("[feed]\ndays_ahead = 30\n")
    vault.contact("Near", front="follow_up: 2026-12-01")
    vault.contact("Far", front="follow_up: 2027-06-01")
    events = _events(_sample_feed(run, vault.root))
    assert [e.decoded("DTSTART") for e in events.values()] == [dt.date(2026, 12, 1)]


# --- DTSTAMP, LAST-MODIFIED, SEQUENCE from the data --------------------------------------------


def _item(
    title: str = "Call Ana, re: pricing; C:\\new",
    due: dt.date = dt.date(2026, 12, 1),
    ident: str = "0123456789",
) -> DueItem:
    return DueItem(
        id=ident,
        rule="follow_up",
        contact="Ana Ruiz",
        contact_path="contacts/Ana Ruiz.md",
        due=due,
        title=title,
        why="Because.",
        source="contacts/Ana Ruiz.md",
        line=7,
    )


def _render(
    *items: DueItem,
    options: FeedOptions | None = None,
    cache: EventCache | None = None,
    meetings: tuple[Meeting, ...] = (),
) -> bytes:
    return render_feed(
        items, meetings, TODAY, options or FeedOptions(vault_name="V"), cache=cache
    ).data


def _stamps(data: bytes, uid: str) -> tuple[dt.datetime, dt.datetime, int]:
    event = _events(data)[uid]
    return event.decoded("DTSTAMP"), event.decoded("LAST-MODIFIED"), event.decoded("SEQUENCE")


def test_revision_comes_from_the_event_not_the_clock():
    other = _item("Something else", ident="abcdefabcd")
    before = _render(_item(), other)
    assert _render(_item(), other) == before
    uid = "0123456789@coffeechat"
    stamp, modified, sequence = _stamps(before, uid)
    assert stamp == modified and stamp.tzinfo is not None and stamp.date() == dt.date(2026, 12, 1)
    retitled = _render(_item("Call Ana about pricing"), other)
    assert _stamps(retitled, uid)[0] != stamp  # any change of text changes the time stamps
    assert _stamps(retitled, "abcdefabcd@coffeechat") == _stamps(before, "abcdefabcd@coffeechat")
    later = _render(_item(due=dt.date(2026, 12, 8)), other)
    assert _stamps(later, uid)[2] == sequence + 7  # moving later always raises SEQUENCE
    assert _stamps(later, uid)[0] > stamp


def test_an_item_going_overdue_moves_daily_with_a_rising_sequence():
    item = _item(due=dt.date(2026, 11, 1))
    uid = "0123456789@coffeechat"
    day1 = render_feed([item], [], TODAY, FeedOptions()).data
    day2 = render_feed([item], [], TODAY + dt.timedelta(days=1), FeedOptions()).data
    assert _stamps(day2, uid)[2] == _stamps(day1, uid)[2] + 1


def test_text_is_escaped_for_every_parser():
    data = _render(_item())
    assert b"SUMMARY:Call Ana\\, re: pricing\\; C:\\\\new" in data
    assert (
        str(_events(data)["0123456789@coffeechat"]["SUMMARY"]) == "Call Ana, re: pricing; C:\\new"
    )
    event = vobject.readOne(data.decode("utf-8")).vevent
    assert event.summary.value == "Call Ana, re: pricing; C:\\new"


def test_the_event_cache_changes_nothing():
    cache = EventCache()
    items = [_item(), _item("Other", ident="abcdefabcd")]
    assert _render(*items, cache=cache) == _render(*items)
    assert len(cache.items) == 2
    kept = cache.items["0123456789"]
    items[1] = _item("Other, changed", ident="abcdefabcd")
    assert _render(*items, cache=cache) == _render(*items)
    assert cache.items["0123456789"] is kept  # the unchanged item's event was not made again
    assert cache.items["abcdefabcd"][0] is items[1]


def test_far_dates_do_not_break_the_feed():
    data = _render(
        _item(due=dt.date.max),
        _item("Old", due=dt.date(1990, 1, 1), ident="abcdefabcd"),
        options=FeedOptions(overdue="due"),
    )
    events = _events(data)
    assert events["0123456789@coffeechat"].decoded("DTEND") == dt.date.max
    assert events["abcdefabcd@coffeechat"].decoded("SEQUENCE") == 0


def test_meeting_with_several_people_and_contact_details():
    ana = Contact(
        path="contacts/Ana.md",
        name="Ana Ruiz",
        role="PM",
        company="Acme",
        email="ana@acme.example",
        phone="0123 456",
    )
    meeting = Meeting(
        path="meetings/2026-12-02 Lunch.md",
        date=dt.date(2026, 12, 2),
        time=dt.time(12, 30),
        with_=(Person("Ana Ruiz", "contacts/Ana.md"), Person("Bo Li")),
        kind="coffee",
        duration=60,
        location="Pier 5",
        title="Lunch",
    )
    options = FeedOptions(vault_name="My Vault", timezone="Europe/Paris")
    data = render_feed([], [meeting], TODAY, options, {"contacts/Ana.md": ana}).data
    event = next(iter(_events(data).values()))
    description = str(event["DESCRIPTION"])
    assert "With Ana Ruiz (PM at Acme) · ana@acme.example · 0123 456" in description
    assert "With Bo Li" in description
    assert "obsidian://open?vault=My%20Vault&file=meetings%2F2026-12-02%20Lunch" in description
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=1)
    redacted = render_feed(
        [],
        [meeting],
        TODAY,
        FeedOptions(redact=True, timezone="Europe/Paris"),
        {"contacts/Ana.md": ana},
    ).data
    assert b"Ana" not in redacted and b"Pier" not in redacted and b"acme" not in redacted
    assert str(next(iter(_events(redacted).values()))["SUMMARY"]) == "Coffee with A. R., B. L."


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Jane Doe", "J. D."),
        ("Priya Raman, PhD", "P. R."),
        ("José Núñez", "J. N."),
        ("Sean O'Brien", "S. O."),
        ("Jean-Luc Picard", "J. L. P."),
        ("王伟", "王."),
        ("", "?"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_vault_feed_is_the_cli_feed(run, sample_copy):
    from coffeechat import load_vault
    from coffeechat.config import load_settings

    settings, _ = load_settings(sample_copy)
    feed = vault_feed(load_vault(sample_copy), TODAY, FeedOptions.from_settings(settings, "sample"))
    assert feed.data == _sample_feed(run, sample_copy)
    assert (feed.items, feed.meetings) == (21, 2)


@pytest.mark.parametrize("seed", range(4))
def test_the_watchers_event_cache_matches_a_fresh_render_through_any_sequence(seed):
    """Items kept, replaced, dropped and added; contacts edited; meetings moved; the day and
    the options changing: the cached render is always byte for byte a fresh one."""
    import random

    rng = random.Random(seed)
    people = {
        f"contacts/P{i}.md": Contact(
            f"contacts/P{i}.md", f"Person {i}", role="PM", company="Acme", email=f"p{i}@x.org"
        )
        for i in range(8)
    }
    items = {}
    meetings = {}
    cache = EventCache()
    day = TODAY
    options = FeedOptions(vault_name="V", timezone="Europe/Paris")
    for step in range(60):
        for _ in range(rng.randint(1, 6)):
            ident = f"{rng.randrange(40):010x}"
            if rng.random() < 0.25:
                items.pop(ident, None)
                continue
            path = rng.choice(sorted(people))
            items[ident] = DueItem(
                id=ident,
                rule=rng.choice(["follow_up", "thank_you", "prepare"]),
                contact=people[path].name,
                contact_path=path,
                due=day + dt.timedelta(days=rng.randint(-30, 30)),
                title=f"Item {ident} step {step}",
                why="Because.",
                source=path,
                line=rng.randint(1, 9),
                subject=path,
            )
        if rng.random() < 0.3:
            path = rng.choice(sorted(people))
            people[path] = Contact(path, people[path].name, role=f"Role {step}", company="Acme")
        if rng.random() < 0.3:
            name = f"meetings/M{rng.randrange(5)}.md"
            when = day + dt.timedelta(days=rng.randint(0, 20))
            meetings[name] = Meeting(
                path=name,
                date=when,
                time=dt.time(rng.randint(8, 18), 0),
                with_=(Person(people["contacts/P1.md"].name, "contacts/P1.md"),),
                title=f"Coffee {step}",
            )
        if rng.random() < 0.05:
            day += dt.timedelta(days=1)
        if rng.random() < 0.05:
            options = FeedOptions(
                vault_name="V", timezone="UTC", overdue=rng.choice(["today", "due"])
            )
        listed = sorted(items.values(), key=lambda i: (i.due, i.id))
        cached = render_feed(listed, meetings.values(), day, options, people, cache)
        fresh = render_feed(listed, meetings.values(), day, options, people)
        assert cached.data == fresh.data, step
        assert (cached.items, cached.meetings, cached.events) == (
            fresh.items,
            fresh.meetings,
            fresh.events,
        )
