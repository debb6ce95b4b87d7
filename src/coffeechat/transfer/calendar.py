"""Calendar in: events with a contact among the guests become meeting notes.

`read_calendar` reads an ``.ics`` export (Google, Apple, Outlook, or any other) with
`icalendar`, and expands recurring events inside a window with `recurring_ical_events`
(RRULE, RDATE, EXDATE, moved and cancelled occurrences), giving each occurrence its start
in the vault's zone, length, place, guests' addresses and status. `plan_calendar` is pure:
occurrences and the vault in, the notes to make and the properties to change out. A note
remembers its event by ``ical_uid:`` (and ``ical_recurrence_id:`` for one occurrence of a
series), so importing the file again updates a moved or cancelled event in its note instead
of making a second one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from coffeechat.core.vault.vault import Vault
from coffeechat.errors import UsageError
from coffeechat.transfer.mail import AddressBook
from coffeechat.transfer.records import clean_text

__all__ = [
    "CalendarPlan",
    "MeetingUpdate",
    "NewMeeting",
    "Occurrence",
    "plan_calendar",
    "read_calendar",
]

UID_KEY = "ical_uid"
RECURRENCE_KEY = "ical_recurrence_id"
_VIDEO = re.compile(
    r"zoom\.us|meet\.google\.com|teams\.microsoft\.com|teams\.live\.com|webex\.com"
    r"|whereby\.com|meet\.jit\.si",
    re.IGNORECASE,
)
_KIND_WORDS = (
    ("informational", re.compile(r"\binfo(?:rmational)?\b", re.IGNORECASE)),
    ("coffee", re.compile(r"\bcoffee\b|\bcaf[eé]\b", re.IGNORECASE)),
    ("video", re.compile(r"\bvideo\b|\bzoom\b", re.IGNORECASE)),
    ("call", re.compile(r"\bcall\b|\bphone\b", re.IGNORECASE)),
)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One event on one day, as the vault will hold it."""

    uid: str
    recurrence: str  # "" for a single event; the occurrence's original start for a series
    title: str
    start: dt.datetime | dt.date  # wall-clock time in the vault's zone (naive), or a whole day
    duration: int | None  # minutes (None for an all-day event)
    location: str
    addresses: tuple[str, ...]  # organiser and guests, without those who declined
    cancelled: bool
    kind: str | None = None  # informational, coffee, call, video — when the event says so

    @property
    def day(self) -> dt.date:
        return self.start.date() if isinstance(self.start, dt.datetime) else self.start


#: Series repeating this often are no meetings (and would take the expansion hours): left out.
TOO_OFTEN = frozenset({"SECONDLY", "MINUTELY"})


def read_calendar(
    data: bytes, what: str, tz: dt.tzinfo, since: dt.date, until: dt.date
) -> tuple[list[Occurrence], set[str], int]:
    """Every event occurring from ``since`` through ``until`` (recurring ones expanded), the
    UIDs of the recurring series in the file, and how many series were left out for repeating
    more often than hourly. Not iCalendar: one `UsageError`."""
    import icalendar
    import recurring_ical_events  # type: ignore[import-untyped]

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise UsageError(f"{what} is not an iCalendar file ({_first_line(exc)})") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise UsageError(f"{what} is not an iCalendar file (no VCALENDAR)")
    dropped = 0
    for component in calendar.walk():
        kept = []
        for sub in component.subcomponents:
            rules: Any = sub.get("RRULE") if sub.name == "VEVENT" else None
            if any(
                _frequency(rule) in TOO_OFTEN
                for rule in (rules if isinstance(rules, list) else [rules])
            ):
                dropped += 1
                continue
            kept.append(sub)
        component.subcomponents[:] = kept
    series = {
        str(e.get("UID", ""))
        for e in calendar.walk("VEVENT")
        if e.get("RRULE") is not None
        or e.get("RDATE") is not None
        or e.get("RECURRENCE-ID") is not None
    }
    try:
        events = recurring_ical_events.of(calendar).between(since, until + dt.timedelta(days=1))
    except Exception as exc:  # noqa: BLE001 - the library's errors have no common base
        raise UsageError(f"{what}: its events cannot be read ({_first_line(exc)})") from None
    out = []
    for event in events:
        try:
            occurrence = _occurrence(event, tz, series)
        except (ValueError, TypeError, AttributeError) as exc:
            raise UsageError(
                f"{what}: event {clean_text(event.get('UID', '?'))} cannot be read"
                f" ({_first_line(exc)})"
            ) from None
        if occurrence is not None and since <= occurrence.day <= until:
            out.append(occurrence)
    out.sort(key=lambda o: (o.day, o.uid, o.recurrence))
    return out, series, dropped


def _frequency(rule: Any) -> str:
    """An RRULE's FREQ, upper-case ("" when there is none)."""
    freq = rule.get("FREQ", [""]) if isinstance(rule, dict) else [""]
    return str(freq[0] if isinstance(freq, list) and freq else freq).upper()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def _occurrence(event: Any, tz: dt.tzinfo, series: set[str]) -> Occurrence | None:
    start_prop = event.get("DTSTART")
    if start_prop is None:
        return None
    start = _local(start_prop.dt, tz)
    duration: int | None = None
    if isinstance(start, dt.datetime):
        end_prop = event.get("DTEND")
        length: Any = None
        if end_prop is not None:
            end = _local(end_prop.dt, tz)
            length = end - start if isinstance(end, dt.datetime) else None
        elif event.get("DURATION") is not None:
            length = event.get("DURATION").dt
        if isinstance(length, dt.timedelta) and 0 < length.total_seconds() <= 24 * 3600:
            duration = max(1, round(length.total_seconds() / 60))
    uid = clean_text(event.get("UID", ""))
    recurrence = ""
    if uid in series and (rid := event.get("RECURRENCE-ID")) is not None:
        recurrence = _recurrence_text(rid.dt)
    title = clean_text(event.get("SUMMARY", ""))
    location = clean_text(event.get("LOCATION", "")) or clean_text(
        event.get("X-GOOGLE-CONFERENCE", "")
    )
    addresses = []
    for prop in ("ORGANIZER", "ATTENDEE"):
        values = event.get(prop)
        for value in values if isinstance(values, list) else [values] if values is not None else []:
            if str(getattr(value, "params", {}).get("PARTSTAT", "")).upper() == "DECLINED":
                continue
            if address := _address(value):
                addresses.append(address)
    cancelled = str(event.get("STATUS", "")).strip().upper() == "CANCELLED"
    where = f"{location} {event.get('DESCRIPTION', '')}"
    return Occurrence(
        uid,
        recurrence,
        title,
        start,
        duration,
        location,
        tuple(addresses),
        cancelled,
        _kind(title, where),
    )


def _local(value: Any, tz: dt.tzinfo) -> dt.datetime | dt.date:
    """A DTSTART/DTEND value as the vault writes it: the wall-clock time in its zone (a
    floating time is taken as already in it), or a day."""
    if isinstance(value, dt.datetime):
        when: dt.datetime = value
        if when.tzinfo is not None:
            when = when.astimezone(tz).replace(tzinfo=None)
        return when.replace(second=0, microsecond=0)
    if isinstance(value, dt.date):
        day: dt.date = value
        return day
    raise ValueError(f"{value!r} is not a date")


def _recurrence_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y%m%d")
    return str(value)


def _address(value: Any) -> str:
    """The e-mail address of an ORGANIZER or ATTENDEE: its ``mailto:`` URI (any case), else
    its EMAIL parameter (Apple writes ``urn:uuid:`` URIs with ``EMAIL=``)."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    if "@" not in text or ":" in text:
        text = str(getattr(value, "params", {}).get("EMAIL", "")).strip()
    return text if "@" in text else ""


def _kind(title: str, where: str) -> str | None:
    for kind, words in _KIND_WORDS:
        if words.search(title):
            return kind
    return "video" if _VIDEO.search(where) else None


@dataclass(frozen=True, slots=True)
class NewMeeting:
    occurrence: Occurrence
    people: tuple[str, ...]  # contact note paths
    title: str


@dataclass(frozen=True, slots=True)
class MeetingUpdate:
    """Properties of an imported meeting note that the calendar now says differently."""

    path: str
    values: tuple[tuple[str, Any], ...]

    def describe(self) -> str:
        from coffeechat.core.note.edits import format_value

        return ", ".join(
            f"{k}: {format_value(v)}" if v is not None else f"{k} cleared" for k, v in self.values
        )


@dataclass
class CalendarPlan:
    events: int = 0  # occurrences read in the window
    create: list[NewMeeting] = field(default_factory=list)
    update: list[MeetingUpdate] = field(default_factory=list)
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def imported_meetings(vault: Vault) -> dict[tuple[str, str], str]:
    """(ical_uid, ical_recurrence_id) -> path of every note made from a calendar event."""
    out: dict[tuple[str, str], str] = {}
    for path in sorted(vault.notes):
        meta = vault.notes[path].meta
        uid = meta.get(UID_KEY)
        if uid not in (None, ""):
            rid = meta.get(RECURRENCE_KEY)
            out.setdefault((str(uid), "" if rid in (None, "") else str(rid)), path)
    return out


def plan_calendar(
    occurrences: Iterable[Occurrence],
    series: set[str],
    vault: Vault,
    book: AddressBook,
    since: dt.date,
    until: dt.date,
) -> CalendarPlan:
    """The meeting notes to make and the imported ones to change, as of the vault."""
    plan = CalendarPlan()
    known = imported_meetings(vault)
    seen: set[tuple[str, str]] = set()
    for occ in occurrences:
        plan.events += 1
        key = (occ.uid, occ.recurrence)
        if key in seen:
            plan.skipped["the same event twice"] += 1
            continue
        seen.add(key)
        path = known.get(key)
        if path is not None:
            change = _change(path, occ, vault)
            if change is None:
                plan.unchanged += 1
            else:
                plan.update.append(change)
            continue
        if occ.cancelled:
            plan.skipped["cancelled"] += 1
            continue
        people = [
            p for a in occ.addresses if not book.is_own(a) if (p := book.contact(a)) is not None
        ]
        if not people:
            plan.skipped["no contact among the guests"] += 1
            continue
        people = list(dict.fromkeys(people))
        title = occ.title or f"Meeting with {vault.contacts[people[0]].name}"
        plan.create.append(NewMeeting(occ, tuple(people), title))
    # An occurrence a series no longer has (deleted from it: EXDATE) is cancelled.
    for (uid, rid), path in sorted(known.items()):
        if uid in series and rid and (uid, rid) not in seen and since <= _rid_day(rid) <= until:
            meeting = vault.meetings.get(path)
            if meeting is not None and meeting.status != "cancelled":
                plan.update.append(MeetingUpdate(path, (("status", "cancelled"),)))
    return plan


def _rid_day(rid: str) -> dt.date:
    try:
        return dt.datetime.strptime(rid[:8], "%Y%m%d").date()
    except ValueError:
        return dt.date.min


def _change(path: str, occ: Occurrence, vault: Vault) -> MeetingUpdate | None:
    meeting = vault.meetings.get(path)
    if meeting is None:  # a note coffeechat cannot read as a meeting: leave it alone
        return None
    values: list[tuple[str, Any]] = []
    time = occ.start.time() if isinstance(occ.start, dt.datetime) else None
    if (meeting.date, meeting.time) != (occ.day, time):
        values.append(("date", occ.start))
    if occ.duration is not None and meeting.duration != occ.duration:
        values.append(("duration", occ.duration))
    if occ.cancelled and meeting.status != "cancelled":
        values.append(("status", "cancelled"))
    elif not occ.cancelled and meeting.status == "cancelled":
        values.append(("status", None))
    return MeetingUpdate(path, tuple(values)) if values else None
