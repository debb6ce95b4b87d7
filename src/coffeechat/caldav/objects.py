"""The objects `push` keeps in a CalDAV collection, and what it reads back from one.

Each object is a VCALENDAR holding one of the feed's events (the same UID and the same bytes
as in the feed, `coffeechat.feed.events` and `coffeechat.feed.serialise`) or, for a task
list, one VTODO per open item. `parse_object` reduces an object on the server to what the sync
compares: its UID, a fingerprint of what it shows, and whether a task was ticked off.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from icalendar import Calendar

from coffeechat.core.model import Contact, DueItem, Meeting
from coffeechat.feed import serialise
from coffeechat.feed.cache import EventStore, bytes_of
from coffeechat.feed.events import (
    UID_DOMAIN,
    EventSpec,
    FeedOptions,
    feed_events,
    item_event,
    visible,
)
from coffeechat.feed.serialise import object_envelope

__all__ = [
    "FINGERPRINT_PROPS",
    "TODO_FOOTER",
    "PushObject",
    "item_id_of",
    "parse_object",
    "push_objects",
]

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
    head, tail = object_envelope(options.timezone, first, last)
    if body is None:
        body = serialise.todo_bytes(spec) if component == "VTODO" else serialise.event_bytes(spec)
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
    ``stored``: the events' bytes as the feed keeps them
    (`coffeechat.feed.render.render_feed`), reused."""
    contacts = contacts or {}
    objects: dict[str, PushObject] = {}
    if todo:
        horizon = today + dt.timedelta(days=options.days_ahead) if options.days_ahead else None
        as_due = replace(options, overdue="due")
        for item in items:
            if horizon is not None and item.due > horizon:
                continue
            spec = item_event(item, today, contacts, as_due)
            spec = replace(
                spec, description="\n\n".join(x for x in (spec.description, TODO_FOOTER) if x)
            )
            objects[spec.uid] = _object(spec, "VTODO", options, item.id)
        return objects
    shown, scheduled = visible(items, meetings, today, options)
    events = feed_events(shown, scheduled, today, options, contacts)
    data, made, keys = bytes_of([spec for spec, _item in events], stored)
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
            return moment.astimezone(dt.UTC).isoformat()
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
