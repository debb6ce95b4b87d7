"""The feed's bytes: each `EventSpec` as RFC 5545 content lines, written by hand exactly as
icalendar writes them, and the VCALENDAR around them.

Why a serialiser of its own beside icalendar's: speed, measured. The feed of a 10,000-contact
vault (bench/make_vault.py --contacts 10000: 28,872 events, 26.9 MB) takes 2.68 s of CPU time
here against 8.06 s through icalendar (the same events as ``Event`` components in a
``Calendar``, one ``to_ical()``): 3.0 times as long, medians of 5 rounds of
bench/fast_paths.py, which first checks that both give the same bytes. Every event the store does not hold yet is rendered here (a cold `feed`;
on a new day, every overdue item moving on to it), so the difference is seconds a user waits.

An event is written exactly as icalendar's ``Component.to_ical`` writes it: BEGIN, the
properties in the component's canonical order, the subcomponents, END; each property one
content line whose value icalendar encodes (escaping included), assembles
(``Contentline.from_parts``) and folds. What is skipped is the Component built around them for
every event (a 30,000-contact vault has ~80,000 events): its case-less dict, the sorting of
its keys, its property list. Lines of values that recur from event to event (the days,
SEQUENCE, CATEGORIES, TRANSP) are rendered once. The equivalence test
(tests/cli/test_render_speed.py) renders every kind of event both ways, through icalendar's
``Event`` and through this module, and compares the bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from icalendar import Alarm, Calendar, Component, Event, Parameters, Timezone, Todo, vDuration
from icalendar.caselessdict import canonsort_keys
from icalendar.parser import Contentline

from coffeechat.feed.events import PRODID, EventSpec, FeedOptions, revision

__all__ = [
    "Feed",
    "envelope",
    "envelope_calendar",
    "event_bytes",
    "object_envelope",
    "todo_bytes",
]


@dataclass
class Feed:
    """The rendered feed and what it holds (for the commands' messages)."""

    data: bytes
    items: int = 0
    meetings: int = 0
    events: int = 0


#: (component class, name) -> the icalendar type `Component.add` makes of a str value.
_TEXT_TYPES: dict[tuple[type[Component], str], Any] = {}
#: (component class, NAME, type, value) -> the folded content line, for values that recur.
_RECURRING: dict[tuple[Any, ...], bytes] = {}
_RECURRING_NAMES = frozenset(
    {"DTSTART", "DTEND", "DUE", "SEQUENCE", "CATEGORIES", "TRANSP", "STATUS", "ACTION", "TRIGGER"}
)
#: (component class, property names) -> the names in the order to_ical writes them.
_ORDER: dict[tuple[type[Component], tuple[str, ...]], list[str]] = {}
#: component class -> its BEGIN and END lines.
_FRAME: dict[type[Component], tuple[bytes, bytes]] = {}
_FOLD_FROM = 75  # icalendar folds a content line of 75 octets or more; a shorter one is as is


def _value(cls: type[Component], name: str, value: Any) -> Any:
    """The property value object ``cls().add(name, value)`` makes (icalendar's encoding)."""
    if type(value) is str:  # add() makes a str into its property's type, nothing more
        kind = _TEXT_TYPES.get((cls, name))
        if kind is None:
            kind = _TEXT_TYPES[(cls, name)] = cls.types_factory.for_property(name)
        return kind(value)
    component = cls()  # a new one each time: `push` renders on another thread than `watch`
    component.add(name, value)
    return component[name]


def _line(key: str, value: Any) -> bytes:
    """One content line as ``Component.content_line(key, value).to_ical()`` writes it, and
    its CRLF."""
    params: Parameters = getattr(value, "params", None) or Parameters()
    line = Contentline.from_parts(key, params, value, sorted=True)
    data = line.encode("utf-8")
    return (data if len(data) < _FOLD_FROM else bytes(line.to_ical())) + b"\r\n"


def _property(cls: type[Component], name: str, value: Any) -> bytes:
    key = name.upper()
    if key not in _RECURRING_NAMES or isinstance(value, dt.datetime):
        # (an aware datetime equals the same moment in another zone, and shows differently)
        return _line(key, _value(cls, name, value))
    hashable = tuple(value) if isinstance(value, list) else value
    memo = (cls, key, type(value), hashable)
    data = _RECURRING.get(memo)
    if data is None:
        if len(_RECURRING) > 100_000:  # a watcher running for years
            _RECURRING.clear()
        data = _RECURRING[memo] = _line(key, _value(cls, name, value))
    return data


def _component(
    cls: type[Component],
    properties: Sequence[tuple[str, Any]],
    subcomponents: Sequence[bytes] = (),
    lines: dict[str, bytes] | None = None,
) -> bytes:
    """``cls()`` with each property added (names are not repeated), and the subcomponents'
    bytes, as its ``to_ical()`` writes it. ``lines`` holds properties already rendered."""
    lines = lines if lines is not None else {}
    for name, value in properties:
        lines[name.upper()] = _property(cls, name, value)
    names = tuple(lines)
    order = _ORDER.get((cls, names))
    if order is None:
        order = _ORDER[(cls, names)] = canonsort_keys(names, cls.canonical_order)
    frame = _FRAME.get(cls)
    if frame is None:
        begin, end, _ = cls().to_ical().split(b"\r\n")
        frame = _FRAME[cls] = (begin + b"\r\n", end + b"\r\n")
    return b"".join([frame[0], *[lines[name] for name in order], *subcomponents, frame[1]])


def _stamps(cls: type[Component], stamp: dt.datetime) -> dict[str, bytes]:
    """The DTSTAMP and LAST-MODIFIED lines, both ``stamp``. icalendar makes the same type of
    value of it for either name, so the value is rendered once and the lines differ only in
    their names (unless one of them is long enough to fold)."""
    line = _line("DTSTAMP", _value(cls, "dtstamp", stamp))
    other = b"LAST-MODIFIED" + line[len(b"DTSTAMP") :]
    kind = cls.types_factory.for_property
    if kind("last-modified") is not kind("dtstamp") or len(other) - 2 >= _FOLD_FROM:
        other = _line("LAST-MODIFIED", _value(cls, "last-modified", stamp))
    return {"DTSTAMP": line, "LAST-MODIFIED": other}


def _identity(
    cls: type[Component], spec: EventSpec, *dates: tuple[str, Any]
) -> tuple[list[tuple[str, Any]], dict[str, bytes]]:
    """The properties an event and a task share: UID, the data-derived SEQUENCE, ``dates``,
    summary, description; and the lines of the data-derived DTSTAMP and LAST-MODIFIED."""
    stamp, sequence = revision(spec)
    properties = [("uid", spec.uid), ("sequence", sequence), *dates, ("summary", spec.summary)]
    if spec.description:
        properties.append(("description", spec.description))
    return properties, _stamps(cls, stamp)


def event_bytes(spec: EventSpec) -> bytes:
    properties, lines = _identity(Event, spec, ("dtstart", spec.start), ("dtend", spec.end))
    if spec.location:
        properties.append(("location", spec.location))
    if spec.url:
        properties.append(("url", spec.url))
    if spec.categories:
        properties.append(("categories", list(spec.categories)))
    properties.append(("transp", "TRANSPARENT" if spec.transparent else "OPAQUE"))
    alarms = []
    if spec.alarm_minutes:
        alarms.append(
            _component(
                Alarm,
                [
                    ("action", "DISPLAY"),
                    ("description", spec.summary),
                    ("trigger", dt.timedelta(minutes=-spec.alarm_minutes)),
                ],
            )
        )
    return _component(Event, properties, alarms, lines)


def envelope(options: FeedOptions, specs: Sequence[EventSpec]) -> tuple[bytes, bytes]:
    """The VCALENDAR lines before the events (with any VTIMEZONE) and after them."""
    data = bytes(envelope_calendar(options, specs).to_ical())
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)], end


def envelope_calendar(options: FeedOptions, specs: Sequence[EventSpec]) -> Calendar:
    """The feed's VCALENDAR without its events: its properties, and the VTIMEZONE that the
    timed ones among ``specs`` need (bench/fast_paths.py adds the events to it)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.calendar_name = options.name
    cal.description = "Follow-ups and meetings from your coffeechat vault"
    refresh = dt.timedelta(minutes=options.refresh_minutes)
    cal.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    timed = [s.day for s in specs if s.timed]
    if timed and options.timezone.upper() != "UTC":
        first = dt.date(min(timed).year, 1, 1)
        last = dt.date(min(max(timed).year + 2, dt.MAXYEAR), 1, 1)
        cal.add_component(Timezone.from_tzid(options.timezone, first_date=first, last_date=last))
    return cal


def todo_bytes(spec: EventSpec) -> bytes:
    properties, lines = _identity(Todo, spec, ("due", spec.start))
    if spec.url:
        properties.append(("url", spec.url))
    if spec.categories:
        properties.append(("categories", list(spec.categories)))
    properties.append(("status", "NEEDS-ACTION"))
    return _component(Todo, properties, lines=lines)


@functools.lru_cache(maxsize=64)
def object_envelope(timezone: str, first_year: int, last_year: int) -> tuple[bytes, bytes]:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if first_year:
        cal.add_component(
            Timezone.from_tzid(
                timezone, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year, 1, 1)
            )
        )
    data = bytes(cal.to_ical())
    end = b"END:VCALENDAR\r\n"
    return data[: -len(end)], end
