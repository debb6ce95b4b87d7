"""The SQLite cache under .coffeechat/: parsed notes keyed by path, size and mtime.

Never the source of truth: deleting it loses nothing. Each command brings it up to date by
comparing the vault's files with it (only changed files are parsed again, vanished ones
dropped) in one transaction; a missing, corrupt or older-schema cache is rebuilt.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from coffeechat.config import Settings
from coffeechat.core.model import Finding, ParsedNote, Severity
from coffeechat.core.notes import note_from_record, note_to_record, parse_note
from coffeechat.storage.scan import FileStat, scan

__all__ = ["CACHE_DIR", "INDEX_NAME", "SCHEMA_VERSION", "Index", "Refresh", "read_note"]

CACHE_DIR = ".coffeechat"
INDEX_NAME = "index.sqlite"
#: Bump whenever the parser or the record format changes: an older cache is then rebuilt.
SCHEMA_VERSION = 1
#: A file modified this close to when it was indexed may have changed again within the same
#: mtime tick (coarse file systems): it is parsed again next time, as git does with racy entries.
RACY_NS = 2_000_000_000


@dataclass
class Refresh:
    """The vault as the index now sees it, and what it took to get there."""

    notes: list[ParsedNote]
    parsed: int = 0
    removed: int = 0
    rebuilt: bool = False
    cached: bool = True  # False when the cache could not be used (read-only vault, ...)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_note(root: Path, stat: FileStat) -> ParsedNote | None:
    """Read and parse one file; ``None`` when it vanished since it was listed."""
    try:
        with open(root / stat.path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        finding = Finding(stat.path, None, f"cannot be read: {exc.strerror or exc}",
                          Severity.ERROR, "unreadable")
        return ParsedNote(stat.path, stat.mtime_ns, findings=(finding,), broken=True)
    return parse_note(stat.path, data, stat.mtime_ns)


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    indexed_ns INTEGER NOT NULL,
    record TEXT NOT NULL
);
"""


class Index:
    """Open with ``Index(root, settings)``; ``refresh()`` returns every note, up to date."""

    def __init__(self, root: Path, settings: Settings, use_cache: bool = True,
                 clock: Callable[[], int] = time.time_ns) -> None:
        self.root = root
        self.settings = settings
        self.use_cache = use_cache
        self.clock = clock  # the wall clock, used only to spot racy mtimes
        self.path = root / CACHE_DIR / INDEX_NAME

    # -- opening -----------------------------------------------------------------------------
    def _connect(self) -> tuple[sqlite3.Connection, bool]:
        """An open cache of the current schema; True when it had to be (re)built."""
        rebuilt = not self.path.exists()
        if rebuilt:
            self._make_dir()
        try:
            db = self._open()
            version = self._version(db)
            if version == SCHEMA_VERSION:
                return db, rebuilt
            db.close()
        except sqlite3.DatabaseError:
            pass  # corrupt or not a database: start again
        self._remove()
        db = self._open()
        with db:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        return db, True

    def _make_dir(self) -> None:
        folder = self.path.parent
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# coffeechat's cache and generated files: never commit them\n*\n",
                              encoding="utf-8")

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 10000")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        return db

    @staticmethod
    def _version(db: sqlite3.Connection) -> int | None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError:
            return None  # an empty file, or tables of another program
        try:
            return int(row[0]) if row else None
        except ValueError:
            return None

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass

    # -- refreshing --------------------------------------------------------------------------
    def refresh(self) -> Refresh:
        stats, problems = scan(self.root, self.settings)
        findings = [Finding(p, None, msg, Severity.WARNING, "file") for p, msg in problems]
        if not self.use_cache:
            return self._parse_all(stats, findings, cached=False)
        try:
            db, rebuilt = self._connect()
        except (sqlite3.Error, OSError) as exc:
            result = self._parse_all(stats, findings, cached=False)
            result.warnings.append(f"the index in {CACHE_DIR}/ cannot be used ({exc}); reading every note")
            return result
        try:
            result = self._update(db, stats)
        except sqlite3.DatabaseError as exc:
            db.close()
            self._remove()
            result = self._parse_all(stats, findings, cached=False)
            result.warnings.append(f"the index in {CACHE_DIR}/ was damaged ({exc}); it will be rebuilt")
            return result
        finally:
            db.close()
        result.rebuilt = rebuilt
        result.findings = findings
        return result

    def _parse_all(self, stats: dict[str, FileStat], findings: list[Finding], cached: bool) -> Refresh:
        notes = [n for s in stats.values() if (n := read_note(self.root, s)) is not None]
        notes.sort(key=lambda n: n.path)
        return Refresh(notes, parsed=len(notes), rebuilt=True, cached=cached, findings=findings)

    def _update(self, db: sqlite3.Connection, stats: dict[str, FileStat]) -> Refresh:
        now = self.clock()
        known = {path: (size, mtime, indexed) for path, size, mtime, indexed
                 in db.execute("SELECT path, size, mtime_ns, indexed_ns FROM notes")}
        changed = [s for path, s in stats.items()
                   if (old := known.get(path)) is None or old[0] != s.size or old[1] != s.mtime_ns
                   or s.mtime_ns + RACY_NS > old[2]]
        vanished = [path for path in known if path not in stats]
        fresh: dict[str, ParsedNote] = {}
        rows = []
        for stat in changed:
            note = read_note(self.root, stat)
            if note is None:
                vanished.append(stat.path)
                continue
            fresh[stat.path] = note
            record = json.dumps(note_to_record(note), ensure_ascii=False, separators=(",", ":"))
            rows.append((stat.path, stat.size, stat.mtime_ns, now, record))
        if rows or vanished:
            try:
                db.execute("BEGIN IMMEDIATE")
                db.executemany("DELETE FROM notes WHERE path = ?", ((p,) for p in vanished))
                db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?, ?, ?, ?)", rows)
                db.execute("COMMIT")
            except sqlite3.OperationalError:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                # Locked by another coffeechat for too long: use what we parsed, save nothing.
        notes = list(fresh.values())
        for path, record in db.execute("SELECT path, record FROM notes"):
            if path not in fresh and path in stats:
                notes.append(note_from_record(json.loads(record)))
        notes.sort(key=lambda n: n.path)
        return Refresh(notes, parsed=len(fresh), removed=len([p for p in vanished if p in known]))
