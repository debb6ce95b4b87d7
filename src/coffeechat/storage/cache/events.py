"""The feed's rendered bytes kept in the cache (`EventBytes`): each event's VEVENT in the
``events`` table, and whole feeds' layouts in ``layouts``, so that a feed whose items did not
change is written without rendering them again.

The cache may be damaged or planted: what is read back is checked to be what was stored (one
whole VEVENT; a calendar's head and tail), anything else is rendered again, and a cache that
cannot be used is a miss, never an error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coffeechat.storage.cache import codec
from coffeechat.storage.cache.codec import Damaged
from coffeechat.storage.cache.schema import rows_in

if TYPE_CHECKING:
    from coffeechat.feed.cache import Layout

__all__ = ["EventBytes"]


class EventBytes:
    """`coffeechat.feed.cache.EventStore` in the cache's ``events`` table. What it hands back is
    checked to be one whole VEVENT; anything else (damage) is rendered again, and a cache it
    cannot use is a miss, never an error."""

    _BEGIN, _END = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"

    def __init__(self, path: Path) -> None:
        self.path = path

    def get_many(self, keys: Sequence[str]) -> dict[str, bytes]:
        try:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                rows = rows_in(db, "SELECT key, data FROM events WHERE key IN ({})", list(keys))
            finally:
                db.close()
        except sqlite3.Error:
            return {}
        return {
            k: d
            for k, d in rows
            if type(k) is str
            and type(d) is bytes
            and d.startswith(self._BEGIN)
            and d.endswith(self._END)
            and d.count(self._BEGIN) == 1
        }

    def put_many(self, data: Mapping[str, bytes], keep: set[str]) -> None:
        try:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("INSERT OR REPLACE INTO events VALUES (?, ?)", data.items())
                (count,) = db.execute("SELECT COUNT(*) FROM events").fetchone()
                if count > 2 * len(keep) + 1000:  # other days' events: forget them
                    db.execute("CREATE TEMP TABLE keep (key TEXT PRIMARY KEY)")
                    db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
                    db.execute("DELETE FROM events WHERE key NOT IN (SELECT key FROM keep)")
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error:
            pass  # (locked or damaged: the next feed renders these again)

    #: Feeds kept whole (`coffeechat.feed.cache.Layout`): one per set of options in use, at most.
    LAYOUTS = 4

    def layout(self, key: str) -> Layout | None:
        from coffeechat.feed.cache import Layout

        try:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                row = db.execute(
                    "SELECT head, tail, events, items, meetings FROM layouts WHERE key = ?", (key,)
                ).fetchone()
            finally:
                db.close()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        head, tail, events, items, meetings = row
        try:
            keys = codec.loads(events)
        except Damaged:
            return None
        if not (
            type(head) is bytes
            and head.startswith(b"BEGIN:VCALENDAR\r\n")
            and b"BEGIN:VEVENT" not in head
            and tail == b"END:VCALENDAR\r\n"
            and type(keys) is list
            and all(type(k) is str for k in keys)
            and type(items) is int
            and type(meetings) is int
            and items >= 0
            and meetings >= 0
        ):
            return None  # (damage: the feed is made again)
        return Layout(head, tail, tuple(keys), items, meetings)

    def keep_layout(self, key: str, layout: Layout) -> None:
        try:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "INSERT OR REPLACE INTO layouts VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        layout.head,
                        layout.tail,
                        codec.dumps(list(layout.events)),
                        layout.items,
                        layout.meetings,
                    ),
                )
                db.execute(
                    "DELETE FROM layouts WHERE rowid NOT IN"
                    " (SELECT rowid FROM layouts ORDER BY rowid DESC LIMIT ?)",
                    (self.LAYOUTS,),
                )
                db.execute("COMMIT")
            finally:
                db.close()
        except sqlite3.Error:
            pass  # (locked or damaged: the next feed is made again)
