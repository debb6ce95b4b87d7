"""The iCalendar feed: due items and scheduled meetings in, deterministic RFC 5545 bytes out.

Pure: no I/O and no clock. The same items, meetings, options and ``today`` give the same
bytes, so a feed can be committed, diffed, and served with a stable ETag.

Every follow-up is an all-day, transparent VEVENT whose UID is the item id; every scheduled
meeting is a timed VEVENT in the vault's time zone (with its VTIMEZONE), its location, duration
and a VALARM. DTSTAMP, LAST-MODIFIED and SEQUENCE come from the event itself, never from the
clock (see `revision`). The icalendar library does all escaping, folding and CRLFs; each event
is rendered on its own, so a long-running watcher can reuse the bytes of unchanged events
(`EventCache`) — the result is the same bytes as a fresh render.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from icalendar import Alarm, Calendar, Component, Event, Parameters, Timezone, Todo, vDuration
from icalendar.caselessdict import canonsort_keys
from icalendar.parser import Contentline

from coffeechat.core.ids import item_id
from coffeechat.core.meeting_kinds import own_word
from coffeechat.core.model import Contact, DueItem, Meeting
from coffeechat.core.settings import Settings
from coffeechat.obsidian.setup import obsidian_uri  # the one place that builds note links

__all__ = [
    "PRODID",
    "EventCache",
    "EventSpec",
    "EventStore",
    "Feed",
    "FeedOptions",
    "Layout",
    "PushObject",
    "event_key",
    "feed_again",
    "initials",
    "item_id_of",
    "layout_key",
    "obsidian_uri",
    "parse_object",
    "push_objects",
    "render_feed",
    "revision",
    "vault_feed",
]

PRODID = "-//coffeechat//coffeechat follow-ups//EN"
UID_DOMAIN = "coffeechat"
#: Day 0 of SEQUENCE: SEQUENCE is the number of days from here to the event's day.
EPOCH = dt.date(2000, 1, 1)
_LAST_DAY = dt.date.max - dt.timedelta(days=1)  # an all-day event needs a day after it
_UTC = dt.UTC


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """How the feed looks; from the [feed] settings, overridden by command-line options."""

    name: str = "coffeechat follow-ups"
    overdue: str = "today"  # "today": overdue items show on today; "due": on their due date
    redact: bool = False  # initials only; no e-mail, phone, location, note paths or links
    digest: bool = False  # one all-day event a day listing that day's follow-ups
    alarm_minutes: int = 30  # VALARM before a timed meeting; 0 = none
    refresh_minutes: int = 360
    days_ahead: int = 0  # 0 = every open item, however far ahead
    vault_name: str = ""  # the vault's name in Obsidian, for obsidian:// links ("" = no links)
    timezone: str = "UTC"

    @classmethod
    def from_settings(cls, settings: Settings, vault_name: str, **overrides: Any) -> FeedOptions:
        options = cls(
            name=settings.feed_name,
            overdue=settings.feed_overdue,
            redact=settings.feed_redact,
            digest=settings.feed_digest,
            alarm_minutes=settings.feed_alarm_minutes,
            refresh_minutes=settings.feed_refresh_minutes,
            days_ahead=settings.feed_days_ahead,
            vault_name=settings.feed_obsidian_vault or vault_name,
            timezone=settings.timezone,
        )
        return replace(options, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def tz(self) -> dt.tzinfo:
        return Settings(timezone=self.timezone).tz


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One VEVENT as plain values (hashable, so its rendered bytes can be reused)."""

    uid: str
    start: dt.date  # a date (all-day) or an aware datetime in the vault's zone (timed)
    end: dt.date
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    transparent: bool = True
    alarm_minutes: int = 0
    rank: int = 0  # sort order among events of one day: meetings, items, digests

    @property
    def timed(self) -> bool:
        return isinstance(self.start, dt.datetime)

    @property
    def day(self) -> dt.date:
        return self.start.date() if isinstance(self.start, dt.datetime) else self.start

    def sort_key(self) -> tuple[Any, ...]:
        clock = self.start.time().isoformat() if isinstance(self.start, dt.datetime) else ""
        return (self.day, self.timed, clock, self.rank, self.uid)


@dataclass
class Feed:
    """The rendered feed and what it holds (for the commands' messages)."""

    data: bytes
    items: int = 0
    meetings: int = 0
    events: int = 0


@dataclass
class EventCache:
    """Rendered bytes of the events of the previous render, reused when an event is unchanged.

    Only an optimisation for the watcher (a 10,000-contact vault has ~28,000 events): the
    bytes are exactly those a fresh render gives. Holds one feed's worth of events.
    """

    previous: dict[EventSpec, bytes] = field(default_factory=dict)  # digest events
    #: item id -> (the item, its contact, the day it shows on, its spec, sort key, bytes): an
    #: item that is the very same object as last time (the agenda patches only what changed)
    #: with the very same contact needs neither its spec nor its bytes made again.
    items: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    order: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)  # (sort key, id or path)
    data: dict[str, bytes] = field(default_factory=dict)  # item id or meeting path -> its event
    #: path -> the same, for meetings
    meetings: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    options: Any = None
    today: dt.date | None = None


class EventStore(Protocol):
    """Rendered events kept between runs (the cache's ``events`` table), by `event_key`: a
    `feed` of 80,000 events re-renders only those whose content changed, since folding the
    lines is most of what rendering costs."""

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]: ...

    def put_many(self, data: Mapping[str, bytes], keep: set[str]) -> None:
        """Keep ``data``; the store may forget events not in ``keep`` (this feed's)."""

    def layout(self, key: str) -> Layout | None:
        """The layout kept under ``key`` (`layout_key`), if any."""

    def keep_layout(self, key: str, layout: Layout) -> None:
        """Keep ``layout`` under ``key``: the same feed again needs no event made at all."""


@dataclass(frozen=True, slots=True)
class Layout:
    """A whole feed as the events it is made of (`event_key`, in order) between its envelope:
    with the same agenda, day and options, `feed` puts it together again from the stored events
    instead of making 80,000 events' plain values only to find their stored bytes."""

    head: bytes
    tail: bytes
    events: tuple[str, ...]
    items: int
    meetings: int


def layout_key(state: str, today: dt.date, options: FeedOptions) -> str:
    """The key of a feed made from the agenda ``state`` (a token that changes whenever the
    items, the meetings or the contacts may have), on ``today``, with ``options``, by this
    renderer."""
    text = "\x1d".join((_renderer(), state, today.isoformat(), repr(options)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def event_key(spec: EventSpec) -> str:
    """What an event's bytes depend on: everything it shows, and the code that renders it."""
    digest = hashlib.sha256(_renderer().encode() + b"\x1d" + _canonical(spec).encode("utf-8"))
    return digest.hexdigest()[:40]


@functools.cache
def _renderer() -> str:
    """A digest of this module's source and of the icalendar version it renders with."""
    import icalendar

    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + icalendar.__version__.encode()).hexdigest()


# --- DTSTAMP, LAST-MODIFIED, SEQUENCE -----------------------------------------------------


def _canonical(spec: EventSpec) -> str:
    def iso(value: dt.date) -> str:
        if isinstance(value, dt.datetime):
            return f"{value.isoformat()}[{value.tzinfo}]"
        return value.isoformat()

    return "\x1e".join(
        [
            spec.uid,
            iso(spec.start),
            iso(spec.end),
            spec.summary,
            spec.description,
            spec.location,
            spec.url,
            "\x1f".join(spec.categories),
            str(spec.transparent),
            str(spec.alarm_minutes),
        ]
    )


def revision(spec: EventSpec) -> tuple[dt.datetime, int]:
    """(DTSTAMP = LAST-MODIFIED, SEQUENCE) of an event, from its own content.

    SEQUENCE is the number of days from 2000-01-01 to the event's day, so it rises whenever
    an event moves later — the usual change (a snooze, a new attempt logged, an overdue item
    moving on to today) — which is what Google needs to replace its copy. The time stamp is
    that day at 00:00 UTC plus a number of seconds taken from a hash of everything the event
    shows, so any change of text, place or time also changes it (and the bytes, and the ETag).
    Nothing comes from the clock or the file system: a clone on another machine gives the
    same bytes.
    """
    digest = hashlib.sha256(_canonical(spec).encode("utf-8")).digest()
    seconds = int.from_bytes(digest[:4], "big") % 86_400
    stamp = dt.datetime.combine(spec.day, dt.time(0), _UTC) + dt.timedelta(seconds=seconds)
    return stamp, max(0, (spec.day - EPOCH).days)


# --- text helpers ---------------------------------------------------------------------------


def initials(name: str) -> str:
    """ "Jane Doe" -> "J. D."; "Priya Raman, PhD" -> "P. R." (what a redacted feed shows)."""
    name = name.split(",", 1)[0]
    parts = [p for p in re.split(r"[\s\-]+", name) if p and p[0].isalnum()]
    return " ".join(p[0].upper() + "." for p in parts) or "?"


def _contact_line(contact: Contact | None) -> str:
    if contact is None:
        return ""
    job = " at ".join(x for x in (contact.role, contact.company) if x)
    bits = [contact.name + (f" ({job})" if job else "")]
    bits += [x for x in (contact.email, contact.phone) if x]
    return " · ".join(bits)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


_REDACTED_TITLE = {
    "follow_up_approach": "Follow up with {who}",
    "schedule": "Propose a time to {who}",
    "rebook": "Offer {who} a new time",
    "prepare": "Prepare for your meeting with {who}",
    "thank_you": "Send {who} a thank-you",
    "reach_referral": "Reach out to {who} (a referral)",
    "report_back": "Tell {who} how it went",
    "keep_in_touch": "Keep in touch with {who}",
    "landed": "Tell {who} you landed a job",
    "follow_up": "Follow-up for {who}",
}
_REDACTED_WHY = {
    "follow_up_approach": "Your approach has had no answer yet. Follow up yourself — don't wait"
    " for a reply; it often takes several tries.",
    "schedule": "They said yes: propose a time and a place, and keep the initiative.",
    "rebook": "A meeting fell through: offer two or three new times, without reproach.",
    "prepare": "Research the company and the person, set your goals, write two tiers of questions"
    " (about the job; about the industry) and rehearse your thumbnail sketch. Ask for"
    " two or three referrals at the end.",
    "thank_you": "A short thank-you within a few days, naming something specific they told you,"
    " is what people remember.",
    "reach_referral": "Someone gave you this name. Reach out, say who referred you, and ask for"
    " 20–30 minutes of advice — not a job.",
    "report_back": "Tell the person who referred you how the meeting went: it thanks them and"
    " keeps them in your corner.",
    "keep_in_touch": "Keep in touch at least once a year: a progress report, an article, a card.",
    "landed": "Tell everyone who helped you that you landed, with thanks.",
    "follow_up": "A follow-up date you set, or a dated task in your notes.",
}
_KIND_TITLE = {
    "informational": "Informational interview",
    "coffee": "Coffee",
    "call": "Call",
    "video": "Video call",
    "event": "Event",
}


# --- items, digests and meetings as events --------------------------------------------------


def _shown_on(item: DueItem, today: dt.date, options: FeedOptions) -> dt.date:
    day = today if options.overdue == "today" and item.due < today else item.due
    return min(day, _LAST_DAY)


def _item_title(item: DueItem, options: FeedOptions) -> str:
    if not options.redact:
        return item.title
    return _REDACTED_TITLE.get(item.rule, "Follow-up for {who}").format(who=initials(item.contact))


def _item_lines(
    item: DueItem, day: dt.date, contacts: Mapping[str, Contact], options: FeedOptions
) -> list[str]:
    """What the description says about one item (after its 'why')."""
    lines = []
    if day != item.due:
        lines.append(f"Due {item.due.isoformat()}: overdue, so it shows on today until it is done.")
    if options.redact:
        lines.append(f"Item {item.id}: `coffeechat due -v` shows who and where.")
        return lines
    if contact := _contact_line(contacts.get(item.contact_path or "")):
        lines.append(contact)
    lines.append(f"Note: {item.source}" + (f":{item.line}" if item.line else ""))
    if options.vault_name:
        lines.append(f"Open in Obsidian: {obsidian_uri(options.vault_name, item.source)}")
    lines.append(
        f"Done? coffeechat done {item.id} · Later? coffeechat snooze {item.id} --until DATE"
    )
    return lines


def _item_event(
    item: DueItem, today: dt.date, contacts: Mapping[str, Contact], options: FeedOptions
) -> EventSpec:
    day = _shown_on(item, today, options)
    why = _REDACTED_WHY.get(item.rule, "") if options.redact else item.why
    description = "\n\n".join(
        x for x in (why, "\n".join(_item_lines(item, day, contacts, options))) if x
    )
    url = (
        ""
        if options.redact or not options.vault_name
        else obsidian_uri(options.vault_name, item.source)
    )
    return EventSpec(
        uid=f"{item.id}@{UID_DOMAIN}",
        start=day,
        end=day + dt.timedelta(days=1),
        summary=_item_title(item, options),
        description=description,
        url=url,
        categories=(item.rule,),
        transparent=True,
        rank=1,
    )


def _digest_event(
    day: dt.date, items: Sequence[DueItem], contacts: Mapping[str, Contact], options: FeedOptions
) -> EventSpec:
    who: list[str] = []
    for item in items:
        name = initials(item.contact) if options.redact else item.contact
        if name not in who:
            who.append(name)
    shown = ", ".join(who[:3]) + (f" and {len(who) - 3} more" if len(who) > 3 else "")
    blocks = []
    for item in items:
        lines = [f"• {_item_title(item, options)}"]
        if item.due != day:
            lines.append(f"  due {item.due.isoformat()} (overdue)")
        if options.redact:
            lines.append(f"  item {item.id}")
        else:
            lines.append(
                f"  {item.source}" + (f":{item.line}" if item.line else "") + f" · {item.id}"
            )
            if options.vault_name:
                lines.append(f"  {obsidian_uri(options.vault_name, item.source)}")
        blocks.append("\n".join(lines))
    footer = (
        "Run `coffeechat due -v` to see why each one matters; `coffeechat done ID` when"
        " one is done."
    )
    return EventSpec(
        uid=f"digest-{day:%Y%m%d}@{UID_DOMAIN}",
        start=day,
        end=day + dt.timedelta(days=1),
        summary=f"{_plural(len(items), 'follow-up')}: {shown}",
        description="\n\n".join([*blocks, footer]),
        categories=("digest",),
        transparent=True,
        rank=2,
    )


def _meeting_event(
    meeting: Meeting, contacts: Mapping[str, Contact], options: FeedOptions, tz: dt.tzinfo
) -> EventSpec:
    own = own_word(meeting)
    kind = own.capitalize() if own else _KIND_TITLE.get(meeting.kind, "Meeting")
    if meeting.time is not None:
        start: dt.date = dt.datetime.combine(meeting.date, meeting.time, tz)
        assert isinstance(start, dt.datetime)
        end: dt.date = (start.astimezone(_UTC) + dt.timedelta(minutes=meeting.duration)).astimezone(
            tz
        )
    else:  # a date without a time: an all-day event that does not block the day
        start = min(meeting.date, _LAST_DAY)
        end = start + dt.timedelta(days=1)
    people = list(meeting.with_)
    if options.redact:
        who = ", ".join(initials(p.name) for p in people) or "?"
        summary = f"{kind} with {who}"
        description = f"{kind}, {meeting.duration} minutes. Details in your coffeechat vault."
        location = ""
        url = ""
    else:
        summary = meeting.title or f"{kind} with {', '.join(p.name for p in people)}"
        lines = []
        for person in people:
            line = _contact_line(contacts.get(person.path or "")) or person.name
            lines.append(f"With {line}")
        lines.append(f"{kind}, {meeting.duration} minutes.")
        if people:
            lines.append(f'Get ready: coffeechat prep "{people[0].name}"')
        lines.append(f"Note: {meeting.path}")
        if options.vault_name:
            lines.append(f"Open in Obsidian: {obsidian_uri(options.vault_name, meeting.path)}")
        description = "\n".join(lines)
        location = meeting.location
        url = obsidian_uri(options.vault_name, meeting.path) if options.vault_name else ""
    timed = meeting.time is not None
    return EventSpec(
        uid=f"meeting-{item_id('meeting', meeting.path)}@{UID_DOMAIN}",
        start=start,
        end=end,
        summary=summary,
        description=description,
        location=location,
        url=url,
        categories=("meeting",),
        transparent=not timed,
        alarm_minutes=options.alarm_minutes if timed else 0,
        rank=0,
    )


# --- rendering ------------------------------------------------------------------------------
#
# An event is written exactly as icalendar's ``Component.to_ical`` writes it: BEGIN, the
# properties in the component's canonical order, the subcomponents, END; each property one
# content line whose value icalendar encodes (escaping included), assembles
# (``Contentline.from_parts``) and folds. What is skipped is the Component built around them for
# every event (a 30,000-contact vault has ~80,000 events): its case-less dict, the sorting of
# its keys, its property list. Lines of values that recur from event to event (the days,
# SEQUENCE, CATEGORIES, TRANSP) are rendered once. tests/cli/test_render_speed.py renders every
# kind of event both ways and compares the bytes.

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


def _event_bytes(spec: EventSpec) -> bytes:
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


def _envelope(options: FeedOptions, specs: Sequence[EventSpec]) -> tuple[bytes, bytes]:
    """The VCALENDAR lines before the events (with any VTIMEZONE) and after them."""
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
    data = bytes(cal.to_ical())
    end = b"END:VCALENDAR\r\n"
    assert data.endswith(end)
    return data[: -len(end)], end


def render_feed(
    items: Iterable[DueItem],
    meetings: Iterable[Meeting],
    today: dt.date,
    options: FeedOptions,
    contacts: Mapping[str, Contact] | None = None,
    cache: EventCache | None = None,
    stored: EventStore | None = None,
    state: str | None = None,
) -> Feed:
    """The feed for these open items and the vault's meetings, as of ``today``.

    ``meetings`` may hold every meeting: only those still scheduled on ``today`` are shown.
    ``stored``: events rendered by earlier runs, reused when their content is the same.
    ``state``: a token of the agenda these items, meetings and contacts come from (see
    `layout_key`): ``stored`` keeps the feed's layout under it, for `feed_again`.
    """
    key = None
    if stored is not None and state is not None and cache is None:
        key = layout_key(state, today, options)  # (the layout is kept with the events)
    contacts = contacts or {}
    tz = options.tz
    horizon = today + dt.timedelta(days=options.days_ahead) if options.days_ahead else None
    shown = [i for i in items if horizon is None or _shown_on(i, today, options) <= horizon]
    scheduled = [
        m for m in meetings if m.scheduled(today) and (horizon is None or m.date <= horizon)
    ]
    if cache is not None and not options.digest:
        return _render_cached(shown, scheduled, today, options, contacts, cache, stored)
    specs = [_meeting_event(m, contacts, options, tz) for m in scheduled]
    if options.digest:
        by_day: dict[dt.date, list[DueItem]] = defaultdict(list)
        for item in shown:
            by_day[_shown_on(item, today, options)].append(item)
        specs += [_digest_event(day, group, contacts, options) for day, group in by_day.items()]
    else:
        specs += [_item_event(i, today, contacts, options) for i in shown]
    specs.sort(key=EventSpec.sort_key)
    head, tail = _envelope(options, specs)
    data, made, keys = _bytes_of(specs, stored, cache.previous if cache is not None else None)
    if cache is not None:
        cache.previous = dict(zip(specs, data, strict=True))
    if stored is not None:
        stored.put_many(made, set(keys))
        if key is not None:
            stored.keep_layout(key, Layout(head, tail, tuple(keys), len(shown), len(scheduled)))
    return Feed(
        b"".join((head, *data, tail)), items=len(shown), meetings=len(scheduled), events=len(specs)
    )


def feed_again(stored: EventStore, state: str, today: dt.date, options: FeedOptions) -> Feed | None:
    """The feed `render_feed` made from the agenda ``state`` on ``today`` with ``options``,
    put together again from its stored events; None when its layout or one of its events is
    not there (never made, forgotten, or damaged)."""
    layout = stored.layout(layout_key(state, today, options))
    if layout is None:
        return None
    known = stored.get_many(layout.events)
    if not known.keys() >= set(layout.events):
        return None
    return Feed(
        b"".join((layout.head, *(known[k] for k in layout.events), layout.tail)),
        items=layout.items,
        meetings=layout.meetings,
        events=len(layout.events),
    )


def _bytes_of(
    specs: Sequence[EventSpec],
    stored: EventStore | None,
    previous: Mapping[EventSpec, bytes] | None = None,
) -> tuple[list[bytes], dict[str, bytes], list[str]]:
    """Each event's bytes: as last rendered (``previous``), as ``stored`` keeps them (by
    `event_key`), or rendered now. Also those rendered now that ``stored`` should keep, and
    every event's key (none without ``stored``)."""
    keys = [event_key(spec) for spec in specs] if stored is not None else []
    known = stored.get_many(keys) if stored is not None else {}
    made: dict[str, bytes] = {}
    out = []
    for n, spec in enumerate(specs):
        data = previous.get(spec) if previous is not None else None
        if data is None and keys:
            data = known.get(keys[n])
        if data is None:
            data = _event_bytes(spec)
            if keys:
                made[keys[n]] = data
        out.append(data)
    return out, made, keys


def _render_cached(
    shown: list[DueItem],
    scheduled: list[Meeting],
    today: dt.date,
    options: FeedOptions,
    contacts: Mapping[str, Contact],
    cache: EventCache,
    stored: EventStore | None = None,
) -> Feed:
    """`render_feed` reusing from ``cache`` every event whose item (or meeting) is the very
    same object as last time, with the very same contact objects: the agenda patches only
    what an edit touched, so a pass re-renders a handful of events and keeps the order of the
    rest (a 10,000-contact vault has ~28,000). Many new events at once (the first pass, a new
    day) are taken from ``stored`` where it has them."""
    if cache.options != options or cache.today != today:
        cache.items, cache.meetings, cache.order, cache.data = {}, {}, [], {}
        cache.options, cache.today = options, today
    known: dict[str, tuple[Any, ...]] = cache.items
    fresh: dict[str, tuple[Any, ...]] = {}
    made: list[tuple[str, tuple[Any, ...]]] = []  # (item id or meeting path, its cache entry)
    person, previous = contacts.get, known.get
    for item in shown:  # (the hot loop of a watcher's pass: kept lean)
        contact = person(item.contact_path or "")
        hit = previous(item.id)
        if hit is None or hit[0] is not item or hit[1] is not contact:
            spec = _item_event(item, today, contacts, options)
            hit = (item, contact, spec.sort_key(), spec, b"", spec.timed)
            made.append((item.id, hit))
        fresh[item.id] = hit
    was = cache.meetings
    meetings: dict[str, tuple[Any, ...]] = {}
    for meeting in scheduled:
        people = tuple(contacts.get(p.path or "") for p in meeting.with_)
        hit = was.get(meeting.path)
        if (
            hit is None
            or hit[0] is not meeting
            or len(hit[1]) != len(people)
            or any(a is not b for a, b in zip(hit[1], people, strict=True))
        ):
            spec = _meeting_event(meeting, contacts, options, options.tz)
            hit = (meeting, people, spec.sort_key(), spec, b"", spec.timed)
            made.append((meeting.path, hit))
        meetings[meeting.path] = hit
    made = _with_bytes(made, stored if len(made) > 1000 else None)
    for ref, hit in made:
        (meetings if ref in meetings else fresh)[ref] = hit
    # One order for items and meetings (by sort key; keys hold the uid, so never equal) and
    # the bytes of each, patched where something changed.
    order, data = cache.order, cache.data
    gone = [(known, i) for i in known.keys() - fresh.keys()]
    gone += [(was, p) for p in was.keys() - meetings.keys()]
    if len(made) + len(gone) > 1000 or not order:
        everything = [*fresh.items(), *meetings.items()]
        order = sorted((hit[2], ref) for ref, hit in everything)
        data = {ref: hit[4] for ref, hit in everything}
    elif made or gone:
        stale = {group[ref][2] for group, ref in gone}
        stale |= {
            old[2] for ref, _hit in made if (old := known.get(ref) or was.get(ref)) is not None
        }
        order = list(order)
        for key in stale:  # (sorted, keys unique: find each rather than test every row)
            at = bisect.bisect_left(order, (key,))
            if at < len(order) and order[at][0] == key:
                del order[at]
        for _group, ref in gone:
            del data[ref]
        for ref, hit in made:
            bisect.insort(order, (hit[2], ref))
            data[ref] = hit[4]
    cache.items, cache.meetings, cache.order, cache.data = fresh, meetings, order, data
    timed = [h[3] for group in (meetings, fresh) for h in group.values() if h[5]]
    head, tail = _envelope(options, timed)
    # (One join: the feed of a big vault is 80 MB, and each copy of it costs.)
    whole = b"".join([head, *[data[ref] for _key, ref in order], tail])
    return Feed(whole, items=len(shown), meetings=len(scheduled), events=len(order))


def _with_bytes(
    made: list[tuple[str, tuple[Any, ...]]], stored: EventStore | None
) -> list[tuple[str, tuple[Any, ...]]]:
    """``made`` events (ref, hit) with their bytes (`_render_cached`): from ``stored`` where
    it has them, rendered (and stored) otherwise."""
    data, new, keys = _bytes_of([hit[3] for _ref, hit in made], stored)
    if stored is not None and new:
        stored.put_many(new, set(keys))
    return [(ref, (*hit[:4], b, hit[5])) for (ref, hit), b in zip(made, data, strict=True)]


def vault_feed(
    vault: Any, today: dt.date, options: FeedOptions, cache: EventCache | None = None
) -> Feed:
    """The feed of a whole vault (a `coffeechat.core.vault.Vault`): its open items and meetings."""
    from coffeechat.core.rules import evaluate

    return render_feed(
        evaluate(vault, today), vault.meetings.values(), today, options, vault.contacts, cache
    )


# --- objects for a CalDAV collection (`coffeechat push`) -------------------------------------

#: The properties whose values make up an object's fingerprint: what coffeechat writes and a
#: person would edit. A server's own additions (X-APPLE-…, X-MOZ-…) and time stamps are not in it.
FINGERPRINT_PROPS = (
    "UID",
    "DTSTART",
    "DTEND",
    "DUE",
    "DURATION",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "URL",
    "CATEGORIES",
    "TRANSP",
    "STATUS",
    "RRULE",
    "PRIORITY",
)
TODO_FOOTER = (
    "Tick it off here when it is done: the next `coffeechat push` writes it into your notes."
)


@dataclass(frozen=True, slots=True)
class PushObject:
    """One calendar object resource for a CalDAV collection: a VCALENDAR holding one event or
    one task (and the VTIMEZONE a timed meeting needs), without METHOD (RFC 4791 §4.1)."""

    uid: str
    component: str  # "VEVENT" or "VTODO"
    data: bytes
    summary: str
    item_id: str | None = None  # the due item it shows (None for a meeting or a digest)


def item_id_of(uid: str) -> str | None:
    """The due item's id in an item's UID (``<id>@coffeechat``); None for any other UID."""
    head, sep, domain = uid.partition("@")
    if sep and domain == UID_DOMAIN and head and all(c in "0123456789abcdef" for c in head):
        return head
    return None


def _todo_bytes(spec: EventSpec) -> bytes:
    properties, lines = _identity(Todo, spec, ("due", spec.start))
    if spec.url:
        properties.append(("url", spec.url))
    if spec.categories:
        properties.append(("categories", list(spec.categories)))
    properties.append(("status", "NEEDS-ACTION"))
    return _component(Todo, properties, lines=lines)


@functools.lru_cache(maxsize=64)
def _object_envelope(timezone: str, first_year: int, last_year: int) -> tuple[bytes, bytes]:
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


def _object(
    spec: EventSpec,
    component: str,
    options: FeedOptions,
    item: str | None,
    body: bytes | None = None,
) -> PushObject:
    first = last = 0
    if spec.timed and options.timezone.upper() != "UTC":
        first, last = spec.day.year, min(spec.day.year + 2, dt.MAXYEAR)
    head, tail = _object_envelope(options.timezone, first, last)
    if body is None:
        body = _todo_bytes(spec) if component == "VTODO" else _event_bytes(spec)
    return PushObject(spec.uid, component, head + body + tail, spec.summary, item)


def push_objects(
    items: Iterable[DueItem],
    meetings: Iterable[Meeting],
    today: dt.date,
    options: FeedOptions,
    contacts: Mapping[str, Contact] | None = None,
    *,
    todo: bool = False,
    stored: EventStore | None = None,
) -> dict[str, PushObject]:
    """The objects `push` keeps in a CalDAV collection, by UID: the feed's events one by one
    (same UIDs, same bytes inside), or with ``todo`` one VTODO per open item, due on its due
    date (task apps show overdue tasks themselves) — meetings and digests are not tasks.
    ``stored``: the events' bytes as the feed keeps them (`render_feed`), reused."""
    contacts = contacts or {}
    horizon = today + dt.timedelta(days=options.days_ahead) if options.days_ahead else None
    objects: dict[str, PushObject] = {}
    if todo:
        as_due = replace(options, overdue="due")
        for item in items:
            if horizon is not None and item.due > horizon:
                continue
            spec = _item_event(item, today, contacts, as_due)
            spec = replace(
                spec, description="\n\n".join(x for x in (spec.description, TODO_FOOTER) if x)
            )
            objects[spec.uid] = _object(spec, "VTODO", options, item.id)
        return objects
    shown = [i for i in items if horizon is None or _shown_on(i, today, options) <= horizon]
    scheduled = [
        m for m in meetings if m.scheduled(today) and (horizon is None or m.date <= horizon)
    ]
    tz = options.tz
    events: list[tuple[EventSpec, str | None]] = [
        (_meeting_event(m, contacts, options, tz), None) for m in scheduled
    ]
    if options.digest:
        by_day: dict[dt.date, list[DueItem]] = defaultdict(list)
        for item in shown:
            by_day[_shown_on(item, today, options)].append(item)
        for day, group in by_day.items():
            events.append((_digest_event(day, group, contacts, options), None))
    else:
        events += [(_item_event(i, today, contacts, options), i.id) for i in shown]
    data, made, keys = _bytes_of([spec for spec, _item in events], stored)
    if stored is not None and made:
        stored.put_many(made, set(keys))
    for (spec, ident), body in zip(events, data, strict=True):
        objects[spec.uid] = _object(spec, "VEVENT", options, ident, body)
    return objects


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "\x1f".join(_plain(v) for v in value)
    cats = getattr(value, "cats", None)
    if cats is not None:
        return ",".join(str(c) for c in cats)
    moment = getattr(value, "dt", None)
    if moment is not None:
        if isinstance(moment, dt.datetime) and moment.tzinfo is not None:
            return moment.astimezone(_UTC).isoformat()
        if isinstance(moment, dt.date | dt.datetime | dt.timedelta):
            return f"{type(moment).__name__}:{moment}"
    if hasattr(value, "to_ical"):
        raw = value.to_ical()
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return str(value)


def parse_object(data: bytes | str) -> dict[str, Any] | None:
    """What `push` needs from an object on the server: its UID, component, fingerprint, and
    for a task whether (and when) it was completed. None when it holds no event or task."""
    try:
        cal = Calendar.from_ical(data)
    except Exception:  # noqa: BLE001 - a server may hold anything; it is simply not ours
        return None
    for component in cal.walk():
        if component.name not in ("VEVENT", "VTODO"):
            continue
        if "RECURRENCE-ID" in component:
            continue
        uid = str(component.get("UID", ""))
        parts = [
            f"{name}={_plain(component[name])}" for name in FINGERPRINT_PROPS if name in component
        ]
        alarms = sorted(
            _plain(a.get("TRIGGER", "")) for a in component.subcomponents if a.name == "VALARM"
        )
        parts.append("VALARM=" + "|".join(alarms))
        status = str(component.get("STATUS", "")).upper()
        completed: dt.date | dt.datetime | None = None
        done = status == "COMPLETED" or "COMPLETED" in component
        try:
            done = done or int(str(component.get("PERCENT-COMPLETE", 0))) >= 100
        except ValueError:
            pass
        if component.name == "VTODO" and done:
            stamp = component.get("COMPLETED")
            completed = getattr(stamp, "dt", None) or dt.date.min
        return {
            "uid": uid,
            "component": component.name,
            "fingerprint": hashlib.sha256("\x1e".join(parts).encode("utf-8")).hexdigest(),
            "summary": str(component.get("SUMMARY", "")),
            "completed": completed,
        }
    return None
