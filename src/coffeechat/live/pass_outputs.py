"""What the watcher writes after a pass: the feed and the optional dashboard note of the
agenda the store gave, each only when its bytes change (`Publisher`).

The feed is rendered through the watcher's event cache (`coffeechat.feed.cache.EventCache`):
the people and meetings that did not change are kept as the very same objects, so only the
events an edit touched are made again, and the bytes are those a fresh render gives.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coffeechat.core.settings import Settings

if TYPE_CHECKING:
    from coffeechat.live.watch import PassReport

__all__ = ["Publisher", "file_stat"]


def file_stat(path: Path) -> tuple[int, int] | None:
    """(size, mtime in ns) of ``path``; None when it is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


class Publisher:
    """Writes the feed (to ``output`` or the [feed] path) and the [watch] dashboard of each
    agenda it is handed, and remembers what it wrote: the feed's bytes and stat (so an
    unchanged feed is compared in memory, not read back), the agenda it came from (`held`,
    handed back to the store), and the dashboard's stat (so the echo of its own write is
    not taken for an edit)."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        *,
        output: str | None = None,
        overrides: dict[str, Any] | None = None,
        report: Callable[[str], None] = print,
        on_feed: Callable[[bytes, int | None], None] | None = None,
    ) -> None:
        from coffeechat.feed.cache import EventCache

        self.root = root
        self.output = output
        self.overrides = overrides or {}
        self.report = report
        self.on_feed = on_feed
        self.cache = EventCache()
        self.settings = settings
        self.feed_path = Path()
        self.dashboard: Path | None = None
        self._dashboard_refused = False
        self.retarget(settings)
        self._feed_stat: tuple[int, int] | None = None
        self._feed_data: bytes | None = None  # the feed as last written
        self._own: tuple[int, int] | None = None  # size, mtime of the dashboard we last wrote
        #: The agenda the feed was last written from, as the store gave it (`CurrentAgenda`):
        #: handed back to the store, which then need not read its items again.
        self.held: Any = None
        self._contacts: dict[str, Any] = {}  # the people the feed names, kept while unchanged
        self._meetings: dict[str, Any] = {}  # the meetings ahead, likewise
        self.day: dt.date | None = None  # the day of the feed last rendered
        self.built = False  # a feed was written

    def retarget(self, settings: Settings) -> None:
        """New settings: the [feed] path or the [watch] dashboard may have moved."""
        from coffeechat.storage.outputs import dashboard_path, feed_path

        self.settings = settings
        self.feed_path = feed_path(self.root, settings, self.output)
        self.dashboard = dashboard_path(self.root, settings)
        self._dashboard_refused = False

    def feed_intact(self) -> bool:
        """Whether the feed file is the one last written here (nobody changed or removed it)."""
        return self._feed_stat is not None and file_stat(self.feed_path) == self._feed_stat

    def own_echo(self, path: str) -> bool:
        """Whether an event on ``path`` is only the echo of the dashboard written here."""
        if self.dashboard is None or path != str(self.dashboard):
            return False
        try:
            st = os.stat(path)
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns) == self._own

    def publish(self, result: PassReport, refresh: Any, today: dt.date, started: float) -> None:
        """Write the feed and the dashboard of the agenda the store gave (``refresh``), and say
        what was done (the pass began at ``started``)."""
        from coffeechat.feed.events import FeedOptions
        from coffeechat.feed.render import render_feed
        from coffeechat.obsidian.dashboard import compose
        from coffeechat.storage.cache.index import Index
        from coffeechat.storage.outputs import (
            NotOurs,
            mtime_ns,
            vault_name,
            write_dashboard,
            write_if_changed,
        )

        items = refresh.result.items
        # The same objects as last time for what did not change: the event cache knows them.
        held = self.held
        if (
            held is not None
            and refresh.base is not None
            and refresh.base == held.stamp
            and refresh.people_changed is not None
            and refresh.meetings_changed is not None
        ):
            _patched(self._contacts, refresh.people_changed)  # (only what the store changed)
            _patched(self._meetings, refresh.meetings_changed)
        else:
            self._meetings = _kept(self._meetings, {m.path: m for m in refresh.meetings()})
            self._contacts = _kept(self._contacts, refresh.contacts())
        meetings = [self._meetings[p] for p in sorted(self._meetings)]
        options = FeedOptions.from_settings(
            self.settings, vault_name(self.root, self.settings), **self.overrides
        )
        feed = render_feed(
            items,
            meetings,
            today,
            options,
            self._contacts,
            self.cache,
            stored=Index(self.root, self.settings).events(),
        )
        self.held = refresh
        result.items, result.meetings = feed.items, feed.meetings
        self.day = today
        # The feed is as this watcher last wrote it (or the pass would not patch): compare in
        # memory rather than read 25 MB back.
        intact = self._feed_data is not None and self.feed_intact()
        result.feed_written = (
            write_if_changed(self.feed_path, feed.data, holds=self._feed_data if intact else None)
            or result.feed_written
        )
        self._feed_stat = file_stat(self.feed_path)
        self._feed_data = feed.data
        self.built = True
        if self.on_feed is not None:
            self.on_feed(feed.data, mtime_ns(self.feed_path))
        if self.dashboard is not None and not self._dashboard_refused:
            note = compose(self.root, self.settings, items, meetings, today)
            try:
                result.dashboard_written = (
                    write_dashboard(self.dashboard, note, self._remember_own)
                    or result.dashboard_written
                )
            except NotOurs as exc:
                self._dashboard_refused = True
                self.report(f"warning: {exc}")
        wrote = [self._shown(self.feed_path)] if result.feed_written else []
        if result.dashboard_written and self.dashboard is not None:
            wrote.append(self._shown(self.dashboard))
        state = f"wrote {' and '.join(wrote)}" if wrote else "nothing to write"
        self.report(
            f"{result.reason}: {feed.items} follow-up{'s' * (feed.items != 1)},"
            f" {feed.meetings} meeting{'s' * (feed.meetings != 1)}; {state}"
            f" ({result.parsed} note{'s' * (result.parsed != 1)} read,"
            f" {time.monotonic() - started:.2f} s)"
        )

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def _remember_own(self, tmp: Path) -> None:
        st = os.stat(tmp)
        self._own = (st.st_size, st.st_mtime_ns)


def _kept(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``new``, with the objects of ``old`` where they are equal."""
    return {k: old[k] if k in old and old[k] == v else v for k, v in new.items()}


def _patched(kept: dict[str, Any], changed: Mapping[str, Any]) -> None:
    """``kept`` with ``changed`` entries (None: gone), its objects kept where they are equal."""
    for key, value in changed.items():
        if value is None:
            kept.pop(key, None)
        elif kept.get(key) != value:
            kept[key] = value
