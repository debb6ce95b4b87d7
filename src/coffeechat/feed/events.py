"""What goes in the feed: due items, digests and scheduled meetings as plain event values.

Pure: no I/O and no clock. The same items, meetings, options and ``today`` give the same
`EventSpec` values, which `coffeechat.feed.serialise` turns into bytes. Every follow-up is an
all-day, transparent event whose UID is the item id; every scheduled meeting is a timed event
in the vault's time zone, with its location, duration and an alarm. DTSTAMP, LAST-MODIFIED and
SEQUENCE come from the event itself, never from the clock (see `revision`), so a feed can be
committed, diffed, and served with a stable ETag. The CalDAV objects
(`coffeechat.caldav.objects`) are made of the same values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from coffeechat.core.ids import item_id
from coffeechat.core.model import Contact, DueItem, Meeting
from coffeechat.core.settings import Settings
from coffeechat.core.vault.meeting_kinds import own_word
from coffeechat.obsidian.links import obsidian_uri  # the one place that builds note links

__all__ = [
    "EPOCH",
    "PRODID",
    "UID_DOMAIN",
    "EventSpec",
    "FeedOptions",
    "canonical",
    "digest_event",
    "feed_events",
    "initials",
    "item_event",
    "meeting_event",
    "revision",
    "shown_on",
    "visible",
]

PRODID = "-//coffeechat//coffeechat follow-ups//EN"
UID_DOMAIN = "coffeechat"
#: Day 0 of SEQUENCE: SEQUENCE is the number of days from here to the event's day.
EPOCH = dt.date(2000, 1, 1)
LAST_DAY = dt.date.max - dt.timedelta(days=1)  # an all-day event needs a day after it


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


# --- DTSTAMP, LAST-MODIFIED, SEQUENCE -----------------------------------------------------


def canonical(spec: EventSpec) -> str:
    """Everything an event shows, as one string: what its time stamp and its stored bytes'
    key (`coffeechat.feed.cache.event_key`) are derived from."""

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
    digest = hashlib.sha256(canonical(spec).encode("utf-8")).digest()
    seconds = int.from_bytes(digest[:4], "big") % 86_400
    stamp = dt.datetime.combine(spec.day, dt.time(0), dt.UTC) + dt.timedelta(seconds=seconds)
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


def shown_on(item: DueItem, today: dt.date, options: FeedOptions) -> dt.date:
    day = today if options.overdue == "today" and item.due < today else item.due
    return min(day, LAST_DAY)


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


def item_event(
    item: DueItem, today: dt.date, contacts: Mapping[str, Contact], options: FeedOptions
) -> EventSpec:
    day = shown_on(item, today, options)
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


def digest_event(
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


def meeting_event(
    meeting: Meeting, contacts: Mapping[str, Contact], options: FeedOptions, tz: dt.tzinfo
) -> EventSpec:
    own = own_word(meeting)
    kind = own.capitalize() if own else _KIND_TITLE.get(meeting.kind, "Meeting")
    if meeting.time is not None:
        start: dt.date = dt.datetime.combine(meeting.date, meeting.time, tz)
        assert isinstance(start, dt.datetime)
        end: dt.date = (
            start.astimezone(dt.UTC) + dt.timedelta(minutes=meeting.duration)
        ).astimezone(tz)
    else:  # a date without a time: an all-day event that does not block the day
        start = min(meeting.date, LAST_DAY)
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


# --- which items and meetings, and their events -----------------------------------------------


def visible(
    items: Iterable[DueItem], meetings: Iterable[Meeting], today: dt.date, options: FeedOptions
) -> tuple[list[DueItem], list[Meeting]]:
    """The items and the meetings a feed (or a push) shows on ``today``: within
    ``days_ahead`` when it is set, and only the meetings still scheduled."""
    horizon = today + dt.timedelta(days=options.days_ahead) if options.days_ahead else None
    shown = [i for i in items if horizon is None or shown_on(i, today, options) <= horizon]
    scheduled = [
        m for m in meetings if m.scheduled(today) and (horizon is None or m.date <= horizon)
    ]
    return shown, scheduled


def feed_events(
    shown: Sequence[DueItem],
    scheduled: Sequence[Meeting],
    today: dt.date,
    options: FeedOptions,
    contacts: Mapping[str, Contact],
) -> list[tuple[EventSpec, str | None]]:
    """The events of the feed, each with the id of the due item it shows (None for a meeting
    or a digest): the meetings, then one digest a day (``digest``) or one event an item."""
    tz = options.tz
    events: list[tuple[EventSpec, str | None]] = [
        (meeting_event(m, contacts, options, tz), None) for m in scheduled
    ]
    if options.digest:
        by_day: dict[dt.date, list[DueItem]] = defaultdict(list)
        for item in shown:
            by_day[shown_on(item, today, options)].append(item)
        events += [
            (digest_event(day, group, contacts, options), None) for day, group in by_day.items()
        ]
    else:
        events += [(item_event(i, today, contacts, options), i.id) for i in shown]
    return events
