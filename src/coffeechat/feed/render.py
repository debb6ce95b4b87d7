"""The iCalendar feed: due items and scheduled meetings in, deterministic RFC 5545 bytes out.

Pure but for the stores it is handed: no clock, and the same items, meetings, options and
``today`` give the same bytes. The events are made in `coffeechat.feed.events`, written in
`coffeechat.feed.serialise`, and reused from `coffeechat.feed.cache` where they were rendered
before — the result is the same bytes as a fresh render.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from coffeechat.core.model import Contact, DueItem, Meeting
from coffeechat.feed.cache import (
    EventCache,
    EventStore,
    Layout,
    bytes_of,
    layout_key,
    render_cached,
)
from coffeechat.feed.events import EventSpec, FeedOptions, feed_events, visible
from coffeechat.feed.serialise import Feed, envelope

__all__ = ["feed_again", "render_feed", "vault_feed"]


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
    shown, scheduled = visible(items, meetings, today, options)
    if cache is not None and not options.digest:
        return render_cached(shown, scheduled, today, options, contacts, cache, stored)
    specs = [spec for spec, _item in feed_events(shown, scheduled, today, options, contacts)]
    specs.sort(key=EventSpec.sort_key)
    head, tail = envelope(options, specs)
    data, made, keys = bytes_of(specs, stored, cache.previous if cache is not None else None)
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


def vault_feed(
    vault: Any, today: dt.date, options: FeedOptions, cache: EventCache | None = None
) -> Feed:
    """The feed of a whole vault (a `coffeechat.core.vault.vault.Vault`): its open items and meetings."""
    from coffeechat.core.rules import evaluate

    return render_feed(
        evaluate(vault, today), vault.meetings.values(), today, options, vault.contacts, cache
    )
