"""Bringing the ``notes`` table up to date with the files: parse what changed on disk, drop
what vanished, in one transaction, and bump the table's generation when a record changed.

A big vault has 100,000 notes, and most runs find none changed, so the walk (path, size,
mtime of each note) is fingerprinted: the same fingerprint as the last sync, nothing to do;
otherwise the notes are spread over `BUCKETS` by a hash of their path, each with its own
fingerprint, and only the buckets whose fingerprint moved are compared with the table. A file
modified within `RACY_NS` of when it was stored is read again (coarse mtimes), as git does.
A watcher's hints (`sync_paths`) bring just the notes named up to date, without a walk.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

from coffeechat.core import progress
from coffeechat.core.model import ParsedNote
from coffeechat.core.settings import Settings
from coffeechat.storage.cache.records import read_note, record_json, records
from coffeechat.storage.cache.schema import gen, meta, rows_in
from coffeechat.storage.scan import FileStat, is_ignored

__all__ = ["BUCKETS", "PROGRESS_FROM", "RACY_NS", "NoteChanges", "sync", "sync_paths"]

#: A file modified this close to when it was indexed may have changed again within the same
#: mtime tick (coarse file systems): it is parsed again next time, as git does with racy entries.
RACY_NS = 2_000_000_000
#: Work on this many notes or more reports its progress (`coffeechat.core.progress`).
PROGRESS_FROM = 2000
#: Notes are spread over this many buckets by a hash of their path, each with a fingerprint.
BUCKETS = 256


@dataclass
class NoteChanges:
    """What bringing the notes table up to date did."""

    fresh: dict[str, ParsedNote]  # parsed this time, by path
    changed: set[str]  # of those, the ones whose record differs from the stored one
    removed: int
    gen: int  # the notes table's generation afterwards (-1: nothing could be stored)


def sync(db: sqlite3.Connection, root: Path, stats: dict[str, FileStat], now: int) -> NoteChanges:
    """Parse what changed on disk (the walk found ``stats``), store it, drop what vanished;
    bump the generation when a stored record changed. ``now``: the wall clock, which tells
    racy mtimes."""
    racy = {
        p
        for (p,) in db.execute("SELECT path FROM notes WHERE mtime_ns + ? > indexed_ns", (RACY_NS,))
    }
    lines = _listing(stats)
    walk = _walk_digest(lines)
    if not racy and walk == meta(db, "walk"):
        return NoteChanges({}, set(), 0, gen(db))  # the very walk of the last sync
    seen, groups = _digests(stats, lines)
    before = _seen(db)
    buckets = (
        None
        if before is None
        else {b for b in seen.keys() | before.keys() if seen.get(b) != before.get(b)}
    )
    if not racy and buckets == set():
        db.execute("INSERT OR REPLACE INTO meta VALUES ('walk', ?)", (walk,))
        return NoteChanges({}, set(), 0, gen(db))  # every file as it was last stored
    changes = _compare(db, root, stats, racy, now, buckets, groups)
    if changes.gen >= 0:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('seen', ?)", (json.dumps(seen),))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('walk', ?)", (walk,))
    return changes


def _compare(
    db: sqlite3.Connection,
    root: Path,
    stats: dict[str, FileStat],
    racy: set[str],
    now: int,
    buckets: set[int] | None,
    groups: Mapping[int, list[FileStat]],
) -> NoteChanges:
    """Compare the notes of ``buckets`` (None: all) with the table; and re-read ``racy``."""
    # Set operations on (path, size, mtime) tuples: a big vault has 100,000 of them.
    if buckets is None:
        stored = set(db.execute("SELECT path, size, mtime_ns FROM notes"))
        current = set(stats.values())
    else:
        listed = sorted(buckets)
        stored = set(
            rows_in(db, "SELECT path, size, mtime_ns FROM notes WHERE bucket IN ({})", listed)
        )
        current = {s for b in listed for s in groups.get(b, ())}
        stored |= set(
            rows_in(db, "SELECT path, size, mtime_ns FROM notes WHERE path IN ({})", sorted(racy))
        )
        current |= {stats[p] for p in racy if p in stats}
    changed = list(current - stored) + [stats[p] for p in racy if p in stats]
    changed = list({s.path: s for s in changed}.values())
    gone = {row[0] for row in stored - current}
    vanished = [p for p in gone if p not in stats]
    known = (
        {row[0]: row for row in stored if row[0] in gone or row[0] in racy}
        if (gone or racy)
        else {}
    )
    return _store_notes(db, root, changed, vanished, known, now)


def _store_notes(
    db: sqlite3.Connection,
    root: Path,
    changed: list[FileStat],
    vanished: list[str],
    known: Mapping[str, Any],
    now: int,
) -> NoteChanges:
    """Parse ``changed`` and store what differs from its stored record; drop ``vanished``
    (and what vanished since it was listed). ``known``: the stored rows among them."""
    if not changed and not vanished:
        return NoteChanges({}, set(), 0, gen(db))
    changed.sort(key=lambda s: s.path)
    fresh: dict[str, ParsedNote] = {}
    listed: dict[str, FileStat] = {}
    bar = progress.current() if len(changed) >= PROGRESS_FROM else None
    if bar is not None:
        bar.stage("Reading notes", len(changed))
    for n, stat in enumerate(changed, 1):
        if bar is not None and n % 512 == 0:
            bar.advance(512)
        note = read_note(root, stat)
        if note is None:
            if stat.path in known:
                vanished.append(stat.path)
            continue
        fresh[stat.path] = note
        listed[stat.path] = stat
    if bar is not None:
        bar.advance(len(changed) % 512)
    old = records(db, [p for p in fresh if p in known])
    made = {p: record_json(fresh[p]) for p in old}
    differs = {p for p in fresh if old.get(p) is None or old[p] != made[p]}
    generation = -1  # not stored: nothing may be cached against it
    try:
        db.execute("BEGIN IMMEDIATE")
        generation = gen(db) + (1 if differs or vanished else 0)
        db.executemany("DELETE FROM notes WHERE path = ?", ((p,) for p in vanished))
        # The records are made batch by batch: a cold index of 100,000 notes would hold
        # another 150 MB of JSON at once.
        pending = sorted(differs)
        for i in range(0, len(pending), 2000):
            db.executemany(
                "INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        p,
                        listed[p].size,
                        listed[p].mtime_ns,
                        now,
                        made.get(p) or record_json(fresh[p]),
                        generation,
                        bucket(p),
                    )
                    for p in pending[i : i + 2000]
                ],
            )
        db.executemany(
            "UPDATE notes SET size = ?, mtime_ns = ?, indexed_ns = ? WHERE path = ?",
            ((s.size, s.mtime_ns, now, p) for p, s in listed.items() if p not in differs),
        )
        db.execute("UPDATE meta SET value = ? WHERE key = 'gen'", (str(generation),))
        db.execute("COMMIT")
    except sqlite3.OperationalError:
        if db.in_transaction:
            db.execute("ROLLBACK")
        generation = (
            -1
        )  # locked by another coffeechat for too long: use what we parsed, save nothing
    return NoteChanges(fresh, differs, len([p for p in vanished if p in known]), generation)


def sync_paths(
    db: sqlite3.Connection,
    root: Path,
    settings: Settings,
    paths: Iterable[str],
    clock: Callable[[], int],
) -> tuple[NoteChanges, list[str]] | None:
    """Bring just these notes up to date (a watcher's hints), new ones added and vanished
    ones dropped: (what was stored, the paths dropped). None when a folder came or went
    (only a walk finds what it holds)."""
    wanted = sorted(set(paths))
    known = {
        p: (size, mtime, indexed)
        for p, size, mtime, indexed in rows_in(
            db, "SELECT path, size, mtime_ns, indexed_ns FROM notes WHERE path IN ({})", wanted
        )
    }
    changed = []
    gone = []
    for rel in wanted:
        try:
            st = os.stat(root / rel, follow_symlinks=False)
        except FileNotFoundError:
            if rel in known:
                gone.append(rel)
            continue  # (else a folder, or a file that came and went)
        if not S_ISREG(st.st_mode) or is_ignored(rel, settings) or not rel.lower().endswith(".md"):
            if S_ISDIR(st.st_mode):
                return None  # a folder moved in or renamed: walk it all
            continue
        changed.append(FileStat(rel, st.st_size, st.st_mtime_ns))
    changes = _store_notes(db, root, changed, gone, known, clock())
    if changes.changed or gone:
        # The walk's fingerprints no longer describe these notes' buckets: the next walk
        # compares those buckets' rows (not every row, as with no fingerprints at all).
        stale = {bucket(s.path) for s in changed} | {bucket(p) for p in gone}
        kept = {b: d for b, d in (_seen(db) or {}).items() if b not in stale}
        db.execute("DELETE FROM meta WHERE key IN ('seen', 'walk')")
        if kept:
            db.execute("INSERT INTO meta VALUES ('seen', ?)", (json.dumps(kept),))
    return changes, gone


# -- the walk's fingerprints -----------------------------------------------------------------
def bucket(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % BUCKETS


def _seen(db: sqlite3.Connection) -> dict[int, Any] | None:
    """The buckets' fingerprints stored by the last sync (`_digests`); None when there are
    none, or they cannot be read (every row is then compared)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'seen'").fetchone()
    try:
        return {int(b): d for b, d in json.loads(row[0]).items()} if row else None
    except (ValueError, AttributeError, TypeError):
        return None


def _listing(stats: Mapping[str, FileStat]) -> list[str]:
    """Each note the walk met, as a line of text (path, size, mtime), in the walk's order."""
    return [f"{p}\0{size}\0{mtime}" for p, size, mtime in stats.values()]


def _sha(lines: list[str]) -> str:
    return hashlib.sha1("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def _walk_digest(lines: list[str]) -> str:
    """A fingerprint of the whole walk (`_listing`): the same as the last sync's, nothing
    changed, and no bucket need be made (`_digests`)."""
    return _sha(lines)


def _digests(
    stats: Mapping[str, FileStat], lines: list[str]
) -> tuple[dict[int, str], dict[int, list[FileStat]]]:
    """A fingerprint of the paths, sizes and mtimes of each bucket's notes (`_listing`), and
    the buckets: only the notes of the buckets whose fingerprint differs from the stored one
    are compared with the table. A bucket is fingerprinted in the walk's order, not sorted: a
    folder listed in another order only costs its buckets' comparison."""
    groups: dict[int, list[FileStat]] = defaultdict(list)
    texts: dict[int, list[str]] = defaultdict(list)
    for stat, line in zip(stats.values(), lines, strict=True):
        at = bucket(stat.path)
        groups[at].append(stat)
        texts[at].append(line)
    return {at: _sha(text)[:20] for at, text in texts.items()}, groups
