"""The rendered events kept for reuse: the watcher's in-memory cache (`EventCache`, reused
while an item or a meeting is the very same object) and the store's (`EventStore`, by
`event_key`, between runs), and the feed's layout kept whole (`Layout`).

Only an optimisation: the bytes put together from either cache are exactly those a fresh
render (`coffeechat.feed.serialise`) gives, which tests/feed and tests/cli/test_feed_cli.py
compare.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from coffeechat.core.model import Contact, DueItem, Meeting
from coffeechat.feed import serialise
from coffeechat.feed.events import EventSpec, FeedOptions, canonical, item_event, meeting_event
from coffeechat.feed.serialise import Feed, envelope

__all__ = [
    "EventCache",
    "EventStore",
    "Layout",
    "bytes_of",
    "event_key",
    "layout_key",
    "render_cached",
]

#: The modules whose code decides an event's (and a feed's) bytes: a change to any of them
#: makes every stored event and layout stale.
_RENDERING = ("events.py", "serialise.py", "render.py")


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
    digest = hashlib.sha256(_renderer().encode() + b"\x1d" + canonical(spec).encode("utf-8"))
    return digest.hexdigest()[:40]


@functools.cache
def _renderer() -> str:
    """A digest of the source of the modules that make the events and the feed, and of the
    icalendar version they render with."""
    import icalendar

    source = b"".join(Path(__file__).with_name(n).read_bytes() for n in _RENDERING)
    return hashlib.sha256(source + icalendar.__version__.encode()).hexdigest()


def bytes_of(
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
            data = serialise.event_bytes(spec)
            if keys:
                made[keys[n]] = data
        out.append(data)
    return out, made, keys


def render_cached(
    shown: list[DueItem],
    scheduled: list[Meeting],
    today: dt.date,
    options: FeedOptions,
    contacts: Mapping[str, Contact],
    cache: EventCache,
    stored: EventStore | None = None,
) -> Feed:
    """`coffeechat.feed.render.render_feed` reusing from ``cache`` every event whose item (or
    meeting) is the very same object as last time, with the very same contact objects: the
    agenda patches only what an edit touched, so a pass re-renders a handful of events and
    keeps the order of the rest (a 10,000-contact vault has ~28,000). Many new events at once
    (the first pass, a new day) are taken from ``stored`` where it has them."""
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
            spec = item_event(item, today, contacts, options)
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
            spec = meeting_event(meeting, contacts, options, options.tz)
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
    head, tail = envelope(options, timed)
    # (One join: the feed of a big vault is 80 MB, and each copy of it costs.)
    whole = b"".join([head, *[data[ref] for _key, ref in order], tail])
    return Feed(whole, items=len(shown), meetings=len(scheduled), events=len(order))


def _with_bytes(
    made: list[tuple[str, tuple[Any, ...]]], stored: EventStore | None
) -> list[tuple[str, tuple[Any, ...]]]:
    """``made`` events (ref, hit) with their bytes (`render_cached`): from ``stored`` where
    it has them, rendered (and stored) otherwise."""
    data, new, keys = bytes_of([hit[3] for _ref, hit in made], stored)
    if stored is not None and new:
        stored.put_many(new, set(keys))
    return [(ref, (*hit[:4], b, hit[5])) for (ref, hit), b in zip(made, data, strict=True)]
