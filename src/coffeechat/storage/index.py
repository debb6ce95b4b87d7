"""The SQLite cache under .coffeechat/: parsed notes keyed by path, size and mtime.

Never the source of truth: deleting it loses nothing. Each command brings it up to date by
comparing the vault's files with it (only changed files are parsed again, vanished ones
dropped) in one transaction; a missing, corrupt or older-schema cache is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import secrets
import sqlite3
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import TYPE_CHECKING, Any

from coffeechat import __version__
from coffeechat.core import progress
from coffeechat.core.agenda import Agenda, build_agenda, person_contact
from coffeechat.core.agenda_tables import DupTable, FieldTally, ReadIndex
from coffeechat.core.ahead import AheadTable, SubjectDay
from coffeechat.core.builder import build_vault
from coffeechat.core.cards import company_card, contact_card, meeting_card
from coffeechat.core.coaching.figures import Figures, figures_of
from coffeechat.core.dates import add_months
from coffeechat.core.finished import FinishedAgenda, Patch
from coffeechat.core.links import fold
from coffeechat.core.model import (
    Contact,
    Finding,
    Meeting,
    ParsedNote,
    Severity,
    count_problems,
)
from coffeechat.core.recompute import apply_changes, move_day, needs_items
from coffeechat.core.rules.insights import FieldShare, insights
from coffeechat.core.settings import Settings
from coffeechat.core.shapes import Lookup, Shape, shapes
from coffeechat.core.vault import note_stem
from coffeechat.core.vault_checks import duplicate_findings, far_future
from coffeechat.storage import codec
from coffeechat.storage.cachedir import CACHE_DIR, cache_dir
from coffeechat.storage.codec import Damaged
from coffeechat.storage.scan import FileStat, is_ignored, scan

if TYPE_CHECKING:
    from coffeechat.feed.cache import Layout

__all__ = [
    "CACHE_DIR",
    "INDEX_NAME",
    "SCHEMA_VERSION",
    "AgendaRefresh",
    "Checked",
    "Figured",
    "Index",
    "Refresh",
    "read_note",
]

INDEX_NAME = "index.sqlite"
#: Bump whenever the record format or the tables change: an older cache is rebuilt (as it is
#: when the core's source changes at all, see `_code_digest`).
SCHEMA_VERSION = 17
#: Bump whenever what the stored agenda holds changes (the rules, `core.agenda`).
AGENDA_VERSION = 1
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
    stats: dict[str, FileStat] = field(default_factory=dict)  # the notes as the walk saw them


def read_note(root: Path, stat: FileStat) -> ParsedNote | None:
    """Read and parse one file; ``None`` when it vanished since it was listed."""
    try:
        with open(os.path.join(root, stat.path), "rb") as fh:  # (a Path per note: 5 µs)
            data = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        finding = Finding(
            stat.path, None, f"cannot be read: {exc.strerror or exc}", Severity.ERROR, "unreadable"
        )
        return ParsedNote(stat.path, stat.mtime_ns, findings=(finding,), broken=True)
    from coffeechat.core.notes import parse_note  # (YAML: not needed when nothing changed)

    return parse_note(stat.path, data, stat.mtime_ns)


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE notes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    indexed_ns INTEGER NOT NULL,
    record TEXT NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0,
    bucket INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX notes_gen ON notes (gen);
CREATE INDEX notes_bucket ON notes (bucket);
CREATE TABLE shapes (path TEXT PRIMARY KEY, shape TEXT NOT NULL);
CREATE TABLE links (src TEXT NOT NULL, rel TEXT NOT NULL, dst TEXT NOT NULL);
CREATE INDEX links_dst ON links (rel, dst);
CREATE INDEX links_src ON links (src);
CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE people (path TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE shares (meeting TEXT NOT NULL, key TEXT NOT NULL, day INTEGER NOT NULL, name TEXT NOT NULL);
CREATE INDEX shares_meeting ON shares (meeting);
CREATE INDEX shares_key ON shares (key, day, meeting);
-- (label and key have no type: a number planted there stays a number, and reads as damage)
CREATE TABLE dups (path TEXT NOT NULL, pos INTEGER NOT NULL, label NOT NULL, key NOT NULL, line INTEGER);
CREATE INDEX dups_path ON dups (path);
CREATE INDEX dups_key ON dups (label, key, path);
CREATE TABLE scheduled (path TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE events (key TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE layouts (key TEXT PRIMARY KEY, head BLOB NOT NULL, tail BLOB NOT NULL,
                      events TEXT NOT NULL, items INTEGER NOT NULL, meetings INTEGER NOT NULL);
CREATE TABLE subjects (subject TEXT PRIMARY KEY, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
                       items TEXT NOT NULL);
CREATE TABLE reads (key TEXT NOT NULL, subject TEXT NOT NULL, PRIMARY KEY (key, subject))
    WITHOUT ROWID;
CREATE INDEX reads_subject ON reads (subject);
CREATE TABLE facts (path TEXT PRIMARY KEY, latest INTEGER NOT NULL, findings TEXT NOT NULL);
CREATE INDEX facts_latest ON facts (latest);
CREATE TABLE cards (subject TEXT PRIMARY KEY, kind TEXT NOT NULL, card TEXT NOT NULL);
CREATE TABLE ahead (subject TEXT NOT NULL, lo INTEGER NOT NULL, hi INTEGER NOT NULL,
                    found TEXT NOT NULL, PRIMARY KEY (subject, lo)) WITHOUT ROWID;
CREATE INDEX cards_kind ON cards (kind);
CREATE TABLE figures (subject TEXT PRIMARY KEY, kind TEXT NOT NULL, figures TEXT NOT NULL);
INSERT INTO meta VALUES ('gen', '0');
"""
#: Patches to the stored agenda kept beside it before it is written whole again.
JOURNAL_MAX = 16
#: What a damaged or planted cache can raise as it is read (a page of garbage, a value of
#: the wrong type in any column, a missing table, a record of another shape): the cache is
#: dropped and built again, never trusted and never fatal.
DAMAGE = (
    sqlite3.DatabaseError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
)
#: SQLite's limit on the parameters of one statement is 32,766 nowadays, 999 in old builds.
_CHUNK = 900


@dataclass
class Synced:
    """What bringing the notes table up to date did."""

    fresh: dict[str, ParsedNote]  # parsed this time, by path
    changed: set[str]  # of those, the ones whose record differs from the stored one
    removed: int
    gen: int  # the notes table's generation afterwards


@dataclass
class AgendaRefresh:
    """The agenda on a day, as the index now sees the vault, and how it got there."""

    result: FinishedAgenda
    how: str  # "cached", "updated" (only what changed was recomputed) or "rebuilt"
    meetings: Callable[[], list[Meeting]]  # the meetings still ahead, for the feed
    contacts: Callable[[], dict[str, Contact]]  # slim contacts, for the feed
    parsed: int = 0
    removed: int = 0
    findings: list[Finding] = field(default_factory=list)  # what the walk found unreadable
    warnings: list[str] = field(default_factory=list)
    #: Which stored agenda this is (a new one each time it is stored; None when it was not): a
    #: caller holding it (`watch`) passes it back as ``known`` and is spared reading it again.
    stamp: str | None = None
    #: The stored agenda this one was brought up from (its stamp), and the people and the
    #: meetings ahead that changed on the way (None: gone); None when not known.
    base: str | None = None
    people_changed: dict[str, Contact | None] | None = None
    meetings_changed: dict[str, Meeting | None] | None = None

    @classmethod
    def of(cls, agenda: Agenda, how: str) -> AgendaRefresh:
        return cls(agenda.finished(), how, agenda.meetings, agenda.contacts)


@dataclass
class Listed:
    """What `list` shows (`Index.rows`): a row per contact or meeting, by path."""

    rows: list[dict[str, Any]]
    problems: int
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what the walk found unreadable


@dataclass
class Figured:
    """What `stats` and `graph` add up (`Index.figures`): each contact's and meeting's figures,
    and the problem count."""

    figures: Figures
    problems: int
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what the walk found unreadable


@dataclass
class Checked:
    """What `check` reports (`Index.check`): every finding, and how many notes were read."""

    found: list[Finding]
    notes: int
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # all of them, once the walk's are in


def _with_walk(result: AgendaRefresh) -> AgendaRefresh:
    """The agenda's problem count with what the walk could not read."""
    if result.findings:
        extra = count_problems(result.findings)
        result.result = FinishedAgenda(
            result.result.items, result.result.insights, result.result.problems + extra
        )
    return result


class Index:
    """Open with ``Index(root, settings)``; ``refresh()`` returns every note, up to date;
    ``agenda(today)`` the finished agenda, recomputing only what changed since last time."""

    def __init__(
        self,
        root: Path,
        settings: Settings,
        use_cache: bool = True,
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        self.root = root
        self.settings = settings
        self.use_cache = use_cache
        self.clock = clock  # the wall clock, used only to spot racy mtimes
        self.path = root / CACHE_DIR / INDEX_NAME

    # -- opening -----------------------------------------------------------------------------
    def _connect(self) -> tuple[sqlite3.Connection, bool]:
        """An open cache of the current schema; True when it had to be (re)built."""
        cache_dir(self.root)  # a real folder inside the vault, links inside it removed
        rebuilt = not self.path.exists()
        owner = self._owner()
        try:
            db = self._open()
            if (
                not rebuilt
                and self._version(db) == SCHEMA_VERSION
                and self._meta(db, "owner") == owner
                and self._meta(db, "code") == _code_digest()
            ):
                return db, rebuilt
            db.close()
        except sqlite3.DatabaseError:
            pass  # corrupt or not a database: start again
        self._remove()
        db = self._open()
        with db:
            db.executescript(_SCHEMA)
            db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            db.execute("INSERT INTO meta VALUES ('owner', ?)", (owner,))
            # (Parsed notes are kept as this code read them: other code reads them again.)
            db.execute("INSERT INTO meta VALUES ('code', ?)", (_code_digest(),))
        return db, True

    def _owner(self) -> str:
        """Which folder the cache was made for (device and inode): a cache that arrived with a
        copy of the vault (a zip, a clone of a repository that committed it) was made for
        another folder and is rebuilt, whatever it claims."""
        info = os.stat(self.root)
        return f"{info.st_dev}:{info.st_ino}"

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> Any:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @classmethod
    def _stamp(cls, db: sqlite3.Connection) -> str | None:
        stamp = cls._meta(db, "stamp")
        return stamp if type(stamp) is str else None

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
        except (ValueError, TypeError):
            return None

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(f"{self.path}{suffix}")
            except FileNotFoundError:
                pass

    def _session(
        self,
        work: Callable[[sqlite3.Connection, dict[str, FileStat], bool], Any],
        fallback: Callable[[dict[str, FileStat], list[str]], Any],
    ) -> Any:
        """Walk the vault, open the cache and run ``work``; ``fallback`` (reading every note)
        when the cache cannot be used, with the reason."""
        stats, problems = scan(self.root, self.settings)
        findings = [Finding(p, None, msg, Severity.WARNING, "file") for p, msg in problems]
        if not self.use_cache:
            result = fallback(stats, [])
        else:
            warnings: list[str] = []
            for attempt in (1, 2):
                try:
                    db, rebuilt = self._connect()
                except (sqlite3.Error, OSError) as exc:
                    result = fallback(
                        stats,
                        [(f"the index in {CACHE_DIR}/ cannot be used ({exc}); reading every note")],
                    )
                    break
                try:
                    result = work(db, stats, rebuilt)
                    result.warnings[:0] = warnings
                    break
                except DAMAGE as exc:
                    db.close()
                    self._remove()
                    if attempt == 2:  # (damaged again as it was rebuilt: work without it)
                        result = fallback(
                            stats,
                            [
                                (
                                    f"the index in {CACHE_DIR}/ cannot be used"
                                    f" ({exc}); reading every note"
                                )
                            ],
                        )
                    else:
                        warnings.append(
                            f"the index in {CACHE_DIR}/ was damaged ({exc}); it was rebuilt"
                        )
                finally:
                    db.close()
        result.findings = findings
        return result

    # -- every note ----------------------------------------------------------------------------
    def refresh(self) -> Refresh:
        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> Refresh:
            synced = self._sync(db, stats)
            notes = self._all_notes(db, synced, stats)
            return Refresh(
                notes,
                parsed=len(synced.fresh),
                removed=synced.removed,
                rebuilt=rebuilt,
                stats=stats,
            )

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> Refresh:
            result = self._parse_all(stats)
            result.warnings.extend(warnings)
            return result

        result: Refresh = self._session(work, fallback)
        return result

    def _parse_all(self, stats: dict[str, FileStat]) -> Refresh:
        notes = parse_files(self.root, sorted(stats.values(), key=lambda s: s.path))
        return Refresh(notes, parsed=len(notes), rebuilt=True, cached=False, stats=stats)

    def _all_notes(
        self, db: sqlite3.Connection, synced: Synced, stats: dict[str, FileStat]
    ) -> list[ParsedNote]:
        notes = list(synced.fresh.values())
        for path, record in db.execute("SELECT path, record FROM notes"):
            if path not in synced.fresh and path in stats:
                note = _note(record)
                if note.path != path:
                    raise Damaged(f"the record of {path} is another note's")
                notes.append(note)
        if len(notes) != len(stats):  # (the walk's fingerprints matched rows that are not there)
            raise Damaged("notes the walk found are missing from the table")
        notes.sort(key=lambda n: n.path)
        return notes

    def _sync(self, db: sqlite3.Connection, stats: dict[str, FileStat]) -> Synced:
        """Parse what changed on disk, store it, drop what vanished; bump the generation when
        a stored record changed."""
        now = self.clock()
        racy = {
            p
            for (p,) in db.execute(
                "SELECT path FROM notes WHERE mtime_ns + ? > indexed_ns", (RACY_NS,)
            )
        }
        lines = _listing(stats)
        walk = _walk_digest(lines)
        if not racy and walk == self._meta(db, "walk"):
            return Synced({}, set(), 0, self._gen(db))  # the very walk of the last sync
        seen, groups = _digests(stats, lines)
        before = _seen(db)
        buckets = (
            None
            if before is None
            else {b for b in seen.keys() | before.keys() if seen.get(b) != before.get(b)}
        )
        if not racy and buckets == set():
            db.execute("INSERT OR REPLACE INTO meta VALUES ('walk', ?)", (walk,))
            return Synced({}, set(), 0, self._gen(db))  # every file as it was last stored
        synced = self._compare(db, stats, racy, now, buckets, groups)
        if synced.gen >= 0:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('seen', ?)", (json.dumps(seen),))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('walk', ?)", (walk,))
        return synced

    def _compare(
        self,
        db: sqlite3.Connection,
        stats: dict[str, FileStat],
        racy: set[str],
        now: int,
        buckets: set[int] | None,
        groups: Mapping[int, list[FileStat]],
    ) -> Synced:
        """Compare the notes of ``buckets`` (None: all) with the table; and re-read ``racy``."""
        # Set operations on (path, size, mtime) tuples: a big vault has 100,000 of them.
        if buckets is None:
            stored = set(db.execute("SELECT path, size, mtime_ns FROM notes"))
            current = set(stats.values())
        else:
            listed = sorted(buckets)
            stored = set(
                _rows(db, "SELECT path, size, mtime_ns FROM notes WHERE bucket IN ({})", listed)
            )
            current = {s for b in listed for s in groups.get(b, ())}
            stored |= set(
                _rows(db, "SELECT path, size, mtime_ns FROM notes WHERE path IN ({})", sorted(racy))
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
        return self._store_notes(db, changed, vanished, known, now)

    def _store_notes(
        self,
        db: sqlite3.Connection,
        changed: list[FileStat],
        vanished: list[str],
        known: Mapping[str, Any],
        now: int,
    ) -> Synced:
        gen = self._gen(db)
        if not changed and not vanished:
            return Synced({}, set(), 0, gen)
        changed.sort(key=lambda s: s.path)
        fresh: dict[str, ParsedNote] = {}
        listed: dict[str, FileStat] = {}
        bar = progress.current() if len(changed) >= PROGRESS_FROM else None
        if bar is not None:
            bar.stage("Reading notes", len(changed))
        for n, stat in enumerate(changed, 1):
            if bar is not None and n % 512 == 0:
                bar.advance(512)
            note = read_note(self.root, stat)
            if note is None:
                if stat.path in known:
                    vanished.append(stat.path)
                continue
            fresh[stat.path] = note
            listed[stat.path] = stat
        if bar is not None:
            bar.advance(len(changed) % 512)
        old = self._records(db, [p for p in fresh if p in known])
        made = {p: _record_json(fresh[p]) for p in old}
        differs = {p for p in fresh if old.get(p) is None or old[p] != made[p]}
        gen = -1  # not stored: nothing may be cached against it
        try:
            db.execute("BEGIN IMMEDIATE")
            gen = self._gen(db) + (1 if differs or vanished else 0)
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
                            made.get(p) or _record_json(fresh[p]),
                            gen,
                            _bucket(p),
                        )
                        for p in pending[i : i + 2000]
                    ],
                )
            db.executemany(
                "UPDATE notes SET size = ?, mtime_ns = ?, indexed_ns = ? WHERE path = ?",
                ((s.size, s.mtime_ns, now, p) for p, s in listed.items() if p not in differs),
            )
            db.execute("UPDATE meta SET value = ? WHERE key = 'gen'", (str(gen),))
            db.execute("COMMIT")
        except sqlite3.OperationalError:
            if db.in_transaction:
                db.execute("ROLLBACK")
            gen = -1  # locked by another coffeechat for too long: use what we parsed, save nothing
        return Synced(fresh, differs, len([p for p in vanished if p in known]), gen)

    def _sync_paths(
        self, db: sqlite3.Connection, paths: Iterable[str]
    ) -> tuple[Synced, list[str]] | None:
        """Bring just these notes up to date (a watcher's hints), new ones added and vanished
        ones dropped: (what was stored, the paths dropped). None when a folder came or went
        (only a walk finds what it holds)."""
        wanted = sorted(set(paths))
        known = {
            p: (size, mtime, indexed)
            for p, size, mtime, indexed in _rows(
                db, "SELECT path, size, mtime_ns, indexed_ns FROM notes WHERE path IN ({})", wanted
            )
        }
        changed = []
        gone = []
        for rel in wanted:
            try:
                st = os.stat(self.root / rel, follow_symlinks=False)
            except FileNotFoundError:
                if rel in known:
                    gone.append(rel)
                continue  # (else a folder, or a file that came and went)
            if (
                not S_ISREG(st.st_mode)
                or is_ignored(rel, self.settings)
                or not rel.lower().endswith(".md")
            ):
                if S_ISDIR(st.st_mode):
                    return None  # a folder moved in or renamed: walk it all
                continue
            changed.append(FileStat(rel, st.st_size, st.st_mtime_ns))
        synced = self._store_notes(db, changed, gone, known, self.clock())
        if synced.changed or gone:
            # The walk's fingerprints no longer describe these notes' buckets: the next walk
            # compares those buckets' rows (not every row, as with no fingerprints at all).
            stale = {_bucket(s.path) for s in changed} | {_bucket(p) for p in gone}
            kept = {b: d for b, d in (_seen(db) or {}).items() if b not in stale}
            db.execute("DELETE FROM meta WHERE key IN ('seen', 'walk')")
            if kept:
                db.execute("INSERT INTO meta VALUES ('seen', ?)", (json.dumps(kept),))
        return synced, gone

    def findings_of(self, paths: Iterable[str] | None = None) -> list[Finding]:
        """The stored findings of the notes ``paths`` (None: of every note)."""
        try:
            db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True, timeout=10)
            try:
                return _stored_findings(db, paths)
            finally:
                db.close()
        except DAMAGE:
            return []  # (no usable cache: the next run that can use one rebuilds it)

    def events(self) -> EventBytes | None:
        """The rendered events kept for `feed` (None when the cache cannot be used)."""
        if not self.use_cache or not self.path.exists():
            return None
        return EventBytes(self.path)

    @staticmethod
    def _gen(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT value FROM meta WHERE key = 'gen'").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _records(db: sqlite3.Connection, paths: list[str]) -> dict[str, str]:
        return dict(_rows(db, "SELECT path, record FROM notes WHERE path IN ({})", paths))

    # -- the agenda ------------------------------------------------------------------------------
    def agenda(self, today: dt.date, known: AgendaRefresh | None = None) -> AgendaRefresh:
        """The finished agenda on ``today``: from the stored one when nothing changed, brought
        up to date when a few notes were edited, rebuilt from every note otherwise. ``known``:
        an earlier answer the caller still holds (its items are reused if it is the one stored)."""

        def work(
            db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool
        ) -> AgendaRefresh:
            return self._agenda(db, stats, today, known)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> AgendaRefresh:
            notes = self._parse_all(stats).notes
            result = AgendaRefresh.of(
                build_agenda(build_vault(notes, self.settings), today), "rebuilt"
            )
            result.parsed, result.warnings = len(notes), warnings
            # (Nothing is stored: the stamp tells the same files on the same day, all the same.)
            walk = sorted((s.path, s.size, s.mtime_ns) for s in stats.values())
            result.stamp = hashlib.sha256(
                repr((walk, today, _settings_key(self.settings))).encode()
            ).hexdigest()
            return result

        result: AgendaRefresh = self._session(work, fallback)
        return _with_walk(result)

    def _agenda(
        self,
        db: sqlite3.Connection,
        stats: dict[str, FileStat],
        today: dt.date,
        known: AgendaRefresh | None = None,
    ) -> AgendaRefresh:
        key = _settings_key(self.settings)
        synced = self._sync(db, stats)
        out = self._stored_agenda(db, key, synced.gen, today, known)
        if out is None:
            out = self._rebuild_agenda(db, synced, stats, today, key)
        out.parsed, out.removed = len(synced.fresh), synced.removed
        return out

    def _stored_agenda(
        self,
        db: sqlite3.Connection,
        key: str,
        gen: int,
        today: dt.date,
        known: AgendaRefresh | None,
    ) -> AgendaRefresh | None:
        """The stored agenda, brought up to notes of generation ``gen`` and to ``today``; None
        when only a rebuild will do."""
        stored = _stored_meta(self._meta(db, "agenda"))
        if stored is None or stored[0] != key or gen < 0:
            return None
        _key, day, since = stored
        if since == gen and day == today.toordinal():
            stamp = self._stamp(db)
            result = self._stored_result(db, known, stamp)
            return (
                None
                if result is None
                else AgendaRefresh(
                    result,
                    "cached",
                    *self._lazy(today),
                    stamp=stamp,
                    base=stamp,
                    people_changed={},
                    meetings_changed={},
                )
            )
        return self._update_agenda(db, key, since, gen, today, known)

    def agenda_for(
        self, paths: Iterable[str], today: dt.date, known: AgendaRefresh | None = None
    ) -> AgendaRefresh | None:
        """The agenda on ``today`` after just ``paths`` changed (a watcher's hints), without a
        walk; None when only a walk will do (a folder came or went, nothing is stored for these
        settings, or the cache cannot be used)."""
        if not self.use_cache or not self.path.exists():
            return None
        try:
            db, rebuilt = self._connect()
        except (sqlite3.Error, OSError):
            return None
        try:
            if rebuilt:
                return None
            synced = self._sync_paths(db, paths)
            if synced is None:
                return None
            out = self._stored_agenda(db, _settings_key(self.settings), synced[0].gen, today, known)
            if out is not None:
                out.parsed, out.removed = len(synced[0].fresh), len(synced[1])
            return out
        except DAMAGE:
            return None
        finally:
            db.close()

    def _stored_for(
        self, db: sqlite3.Connection, stats: dict[str, FileStat], today: dt.date
    ) -> AgendaRefresh | None:
        """`agenda` in a session, when the store now holds it for ``today`` and the notes as
        they are (what else it keeps is then as current); None when another run stored newer
        notes meanwhile."""
        agenda = self._agenda(db, stats, today)
        stored = _stored_meta(self._meta(db, "agenda"))
        if stored is None or stored[1:] != (today.toordinal(), self._gen(db)):
            return None
        return agenda

    def rows(self, kind: str, today: dt.date) -> Listed:
        """What `list` shows of every contact, meeting or company (``kind``) on ``today``: each
        one's row (`core.cards`), kept with its subject in the store and brought up to date as
        for `agenda` (a company's with ``people``, the contacts at it); and the problem
        count."""

        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> Listed:
            agenda = self._stored_for(db, stats, today)
            if agenda is None:
                return fallback(stats, [])
            (odd,) = db.execute(
                "SELECT COUNT(*) FROM cards WHERE kind NOT IN ('contact', 'meeting', 'company')"
                " OR kind IS NULL"
            ).fetchone()
            if odd:
                raise Damaged("a stored row is of no known kind")
            rows = [
                codec.card_from(kind, codec.loads(v))
                for (v,) in db.execute(
                    "SELECT card FROM cards WHERE kind = ? ORDER BY subject", (kind,)
                )
            ]
            if kind == "company":
                people: dict[str, int] = defaultdict(int)
                for (v,) in db.execute("SELECT card FROM cards WHERE kind = 'contact'"):
                    if (
                        at := codec.card_from("contact", codec.loads(v))["company_path"]
                    ) is not None:
                        people[at] += 1
                rows = [{**row, "people": people.get(row["path"], 0)} for row in rows]
            return Listed(rows, agenda.result.problems, agenda.warnings)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> Listed:
            vault = build_vault(self._parse_all(stats).notes, self.settings)
            if kind == "contact":
                rows = [contact_card(vault, c, today) for c in vault.contacts.values()]
            elif kind == "meeting":
                rows = [meeting_card(m, today) for m in vault.meetings.values()]
            else:
                people = Counter(c.company_path for c in vault.contacts.values() if c.company_path)
                rows = [
                    {**company_card(co), "people": people[co.path]}
                    for co in vault.companies.values()
                ]
            problems = count_problems(vault.findings)
            return Listed(rows, problems, warnings)

        result: Listed = self._session(work, fallback)
        result.problems += count_problems(result.findings)
        return result

    def check(self, today: dt.date) -> Checked:
        """What `check` reports on ``today``: each note's findings, duplicate people, log lines
        and meetings dated more than a year ahead (a mistyped year), the agenda's suggestions
        and what the walk could not read. From the store, brought up to date as for `agenda`."""

        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> Checked:
            agenda = self._stored_for(db, stats, today)
            if agenda is None:
                return fallback(stats, [])
            found = _stored_findings(db) + duplicate_findings(_SqlDups(db).every())
            limit = add_months(today, 12).toordinal()
            far = {
                codec.text(p)
                for (p,) in db.execute("SELECT path FROM facts WHERE latest > ?", (limit,))
            }
            if far:
                found += far_future(build_vault(_SqlLookup(db).load(far), self.settings), today)
            (count,) = db.execute("SELECT COUNT(*) FROM notes").fetchone()
            return Checked(found + agenda.result.insights, int(count), agenda.warnings)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> Checked:
            vault = build_vault(self._parse_all(stats).notes, self.settings)
            found = vault.findings + far_future(vault, today) + insights(vault, today)
            return Checked(found, len(vault.notes), warnings)

        result: Checked = self._session(work, fallback)
        result.findings = result.found + result.findings
        return result

    def _read(self, query: str, *args: Any) -> list[Any]:
        """Rows from a fresh connection (the one of `agenda` is closed by then)."""
        db = sqlite3.connect(self.path, timeout=10)
        try:
            return db.execute(query, args).fetchall()
        finally:
            db.close()

    def _lazy(
        self, today: dt.date
    ) -> tuple[Callable[[], list[Meeting]], Callable[[], dict[str, Contact]]]:
        """Loaders of the stored scheduled meetings and people (only the feed needs them). A
        stored value found damaged by then drops the cache, and they come from the notes."""

        def heal(load: Callable[[], Any], part: Callable[[Agenda], Any]) -> Callable[[], Any]:
            def run() -> Any:
                try:
                    return load()
                except DAMAGE:
                    self._remove()
                    notes = self._parse_all(scan(self.root, self.settings)[0]).notes
                    return part(build_agenda(build_vault(notes, self.settings), today))

            return run

        meetings = heal(
            lambda: [
                codec.meeting_from(codec.loads(v))
                for (v,) in self._read("SELECT value FROM scheduled ORDER BY path")
            ],
            lambda agenda: agenda.meetings(),
        )
        people = heal(
            lambda: {
                codec.text(p): person_contact(p, codec.person_from(codec.loads(v)))
                for p, v in self._read("SELECT path, value FROM people")
            },
            lambda agenda: agenda.contacts(),
        )
        return meetings, people

    @staticmethod
    def _stored_result(
        db: sqlite3.Connection, known: AgendaRefresh | None = None, stamp: str | None = None
    ) -> FinishedAgenda | None:
        """The stored finished agenda: the last one written whole, with the patches since; or
        ``known``'s, when that is the one stored (``stamp``)."""
        if known is not None and known.stamp is not None and known.stamp == stamp:
            return known.result
        rows = dict(db.execute("SELECT key, value FROM state WHERE key IN ('result', 'journal')"))
        if "result" not in rows:
            return None
        result = codec.result_from_json(rows["result"])
        journal = codec.journal_from(rows.get("journal"))
        if journal is not None and journal[0]:
            patches, insights, problems = journal
            result = FinishedAgenda(Patch.apply_all(result.items, patches), insights, problems)
        return result

    def _rebuild_agenda(
        self,
        db: sqlite3.Connection,
        synced: Synced,
        stats: dict[str, FileStat],
        today: dt.date,
        key: str,
    ) -> AgendaRefresh:
        bar = progress.current() if len(stats) >= PROGRESS_FROM else None
        if bar is not None:
            bar.stage("Linking notes", 0)
        notes = self._all_notes(db, synced, stats)
        vault = build_vault(notes, self.settings)
        del notes
        shaped = shapes(vault)
        agenda = build_agenda(vault, today, _stages(bar, "Working out follow-ups"))
        del vault
        if bar is not None:
            bar.stage("Saving the index", 0)
        try:
            db.execute("BEGIN IMMEDIATE")
            stamp = None
            if self._gen(db) == synced.gen:  # nobody stored newer notes meanwhile
                for table in (
                    "shapes",
                    "links",
                    "people",
                    "scheduled",
                    "shares",
                    "dups",
                    "subjects",
                    "reads",
                    "facts",
                    "cards",
                    "ahead",
                    "figures",
                ):
                    db.execute(f"DELETE FROM {table}")
                db.executemany(
                    "INSERT OR REPLACE INTO ahead VALUES (?, ?, ?, ?)",
                    (row for s, c in agenda.ahead.chains.items() for row in _SqlAhead.rows(s, c)),
                )
                db.executemany(
                    "INSERT INTO shares VALUES (?, ?, ?, ?)",
                    (
                        (m, k, day, name)
                        for k, entries in agenda.tally.by_field.items()
                        for m, (day, name) in entries.items()
                    ),
                )
                db.executemany(
                    "INSERT INTO dups VALUES (?, ?, ?, ?, ?)",
                    (
                        (p, i, *key)
                        for p, keys in agenda.dups.keys.items()
                        for i, key in enumerate(keys)
                    ),
                )
                db.executemany(
                    "INSERT INTO shapes VALUES (?, ?)",
                    ((p, codec.shape_to(s)) for p, s in shaped.items()),
                )
                db.executemany(
                    "INSERT INTO links VALUES (?, ?, ?)",
                    (link for p, s in shaped.items() for link in _links(p, s)),
                )
                db.executemany(
                    "INSERT INTO reads VALUES (?, ?)",
                    ((k, s) for s, keys in agenda.reads.by_subject.items() for k in keys),
                )
                stamp = self._store_agenda(db, agenda, key, synced.gen, rebuilt=True)
            db.execute("COMMIT")
        except sqlite3.OperationalError:
            if db.in_transaction:
                db.execute("ROLLBACK")
            stamp = None
        out = AgendaRefresh.of(agenda, "rebuilt")
        out.stamp = stamp
        return out

    def _update_agenda(
        self,
        db: sqlite3.Connection,
        key: str,
        since: int,
        gen: int,
        today: dt.date,
        known: AgendaRefresh | None = None,
    ) -> AgendaRefresh | None:
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return None
        try:
            out = self._patch_agenda(db, key, since, gen, today, known)
            db.execute("COMMIT" if out is not None else "ROLLBACK")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return out

    def _patch_agenda(
        self,
        db: sqlite3.Connection,
        key: str,
        since: int,
        gen: int,
        today: dt.date,
        known: AgendaRefresh | None = None,
    ) -> AgendaRefresh | None:
        """The stored agenda brought up to the notes of generation ``gen`` (from ``since``) and
        to ``today``; None when only a rebuild will do (the stored state is missing, or the
        notes table moved on without a changed row to show for it)."""
        changed = [p for (p,) in db.execute("SELECT path FROM notes WHERE gen > ?", (since,))]
        removed = [
            p
            for (p,) in db.execute(
                "SELECT path FROM shapes WHERE path NOT IN (SELECT path FROM notes)"
            )
        ]
        lookup = _SqlLookup(db)
        if gen != since and not changed and not removed:
            return None
        row = db.execute("SELECT value FROM state WHERE key = 'agenda'").fetchone()
        base = self._stamp(db)
        result = self._stored_result(db, known, base)
        if row is None or result is None:
            return None
        agenda = codec.agenda_from_json(row[0])
        agenda.done = result.items
        agenda.tally, agenda.dups, agenda.reads = _SqlTally(db), _SqlDups(db), _SqlReads(db)
        agenda.ahead = _SqlAhead(db)
        if changed or removed:
            notes = {n.path: n for n in lookup.load(set(changed))}
            if apply_changes(agenda, self.settings, notes, lookup, lookup.load, removed) is None:
                # A snooze changed: it may move any item, so every raw item is needed.
                self._load_subjects(db, agenda)
                if (
                    apply_changes(agenda, self.settings, notes, lookup, lookup.load, removed)
                    is None
                ):
                    return None
        if today != agenda.today:
            if needs_items(agenda, self.settings, today):
                self._load_subjects(db, agenda)
            t = today.toordinal()
            stored = {
                s
                for (s,) in db.execute(
                    "SELECT subject FROM subjects WHERE lo > ? OR hi <= ?", (t, t)
                )
            }
            move_day(agenda, self.settings, today, lookup, lookup.load, stored)
        people = {
            p: person_contact(p, agenda.people[p]) if p in agenda.people else None
            for p in agenda.touched
        }
        meetings = {p: agenda.scheduled.get(p) for p in agenda.touched}
        # (With every raw item at hand the finished list was made anew: store it whole.)
        stamp = self._store_agenda(db, agenda, key, gen, compact=agenda.items_complete)
        return AgendaRefresh(
            agenda.finished(),
            "updated",
            *self._lazy(agenda.today),
            stamp=stamp,
            base=base,
            people_changed=people,
            meetings_changed=meetings,
        )

    @staticmethod
    def _load_subjects(db: sqlite3.Connection, agenda: Agenda) -> None:
        """Every subject's raw items and window into ``agenda`` (those it recomputed itself
        are kept)."""
        for subject, lo, hi, items in db.execute("SELECT subject, lo, hi, items FROM subjects"):
            subject = codec.text(subject)
            if subject in agenda.recomputed:
                continue
            if type(lo) is not int or type(hi) is not int:
                raise Damaged("a stored window is not two days")
            agenda.windows[subject] = (lo, hi)
            group = codec.items_from(codec.loads(items))
            if group:
                agenda.items[subject] = tuple(group)
        agenda.items_complete = True

    @staticmethod
    def _store_agenda(
        db: sqlite3.Connection,
        agenda: Agenda,
        key: str,
        gen: int,
        rebuilt: bool = False,
        compact: bool = False,
    ) -> str:
        """Save the agenda: whole when ``rebuilt`` (into emptied tables); otherwise what it
        recomputed, with the finished list as patches to the stored one (`JOURNAL_MAX` at
        most) or, ``compact``, whole."""
        whole = rebuilt or compact
        result = agenda.finished()
        patches: list[Patch] = []
        if not whole:
            row = db.execute("SELECT value FROM state WHERE key = 'journal'").fetchone()
            stored = codec.journal_from(row[0] if row else None)
            patches = (stored[0] if stored is not None else []) + agenda.patches
            whole = len(patches) > JOURNAL_MAX
        if whole:
            db.execute(
                "INSERT OR REPLACE INTO state VALUES ('result', ?)", (codec.result_to_json(result),)
            )
            patches = []
        # (The insights and problem count are the latest only: not one copy per patch.)
        db.execute(
            "INSERT OR REPLACE INTO state VALUES ('journal', ?)",
            (codec.journal_to((patches, result.insights, result.problems)),),
        )
        # (The field tally and the identity keys are kept in their own tables.)
        db.execute(
            "INSERT OR REPLACE INTO state VALUES ('agenda', ?)", (codec.agenda_to_json(agenda),)
        )
        db.executemany(
            "DELETE FROM subjects WHERE subject = ?",
            ((s,) for s in agenda.recomputed if s not in agenda.windows),
        )
        db.executemany(
            "INSERT OR REPLACE INTO subjects VALUES (?, ?, ?, ?)",
            (
                (
                    subject,
                    *agenda.windows[subject],
                    codec.dumps(codec.items_to(agenda.items.get(subject, ()))),
                )
                for subject in (agenda.windows if rebuilt else agenda.recomputed)
                if subject in agenda.windows
            ),
        )
        paths = agenda.people.keys() | agenda.scheduled.keys() if rebuilt else agenda.touched
        people, scheduled = agenda.people, agenda.scheduled
        _put_rows(
            db, "people", "path", paths, people, lambda p: codec.dumps(codec.person_to(people[p]))
        )
        _put_rows(
            db,
            "scheduled",
            "path",
            paths,
            scheduled,
            lambda p: codec.dumps(codec.meeting_to(scheduled[p])),
        )
        cards, figures, facts = agenda.cards, agenda.figures, agenda.facts
        _put_rows(
            db,
            "cards",
            "subject",
            cards.keys() if rebuilt else agenda.recomputed,
            cards,
            lambda s: (cards[s][0], codec.dumps(cards[s][1])),
        )
        _put_rows(
            db,
            "figures",
            "subject",
            figures.keys() if rebuilt else agenda.recomputed,
            figures,
            lambda s: codec.figures_to(figures[s]),
        )
        _put_rows(
            db,
            "facts",
            "path",
            facts.keys() if rebuilt else agenda.noted,
            facts,
            lambda p: (facts[p][0], codec.dumps(codec.findings_to(list(facts[p][1])))),
        )
        db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('agenda', ?)",
            (codec.dumps([key, agenda.today.toordinal(), gen]),),
        )
        stamp = secrets.token_hex(8)
        db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))
        agenda.noted.clear()
        agenda.touched.clear()
        agenda.recomputed.clear()
        agenda.patches.clear()
        return stamp

    # -- a part of the vault: what a command about a few notes reads -------------------------
    def part(self, names: Iterable[str] = (), around: Iterable[str] = ()) -> Any:
        """The vault of the stored notes that a command about a few notes needs, not of every
        note: the notes a name typed by the user in ``names`` may mean (`Vault.find`: a link,
        an alias, a ``name:``, a meeting's title, "NAME on DATE", a part of a name), the
        notes around ``around`` (subjects or paths: what their items read; a company's people
        and their meetings), and every note their links may lead to, so that names, links
        and cards come out as in the whole vault. Call it after `agenda`, which brings the
        store up to date with the disk (the notes' shapes with it). None when the store is not
        up to date (it could not be written, or cannot be used): then read the whole vault."""
        from coffeechat.core.recompute import partial_vault

        def build(db: sqlite3.Connection) -> Any:
            db.create_function(
                "cc_fold", 1, lambda t: fold(t) if isinstance(t, str) else None, deterministic=True
            )
            lookup = _SqlLookup(db)
            core = self._around(db, lookup, set(around))
            for name in names:
                core |= self._named(db, lookup, name)
            self._check(db, lookup, core)
            return partial_vault(self.settings, core, lookup, lookup.load)

        return self._ask_current(build)

    def taken(self, key: str) -> bool | None:
        """Whether a note's file name (without ``.md``) folds to ``key`` (`NoteNames`); None
        when the store cannot tell (see `part`)."""
        result: bool | None = self._ask_current(
            lambda db: any(fold(note_stem(p)) == key for p in _SqlLookup(db).candidates({key}))
        )
        return result

    def _ask_current(self, question: Callable[[sqlite3.Connection], Any]) -> Any:
        """``question`` answered from one snapshot of the store, when the store is up to date
        with the notes; None when it is not, or cannot be used (it is never written here)."""
        from coffeechat.errors import CoffeechatError

        if not self.use_cache or not self.path.exists():
            return None
        try:
            cache_dir(self.root, create=False)
            db = self._open()
        except (sqlite3.Error, OSError, CoffeechatError):
            return None
        try:
            db.execute("BEGIN")  # (a read: other coffeechats may write meanwhile)
            return question(db) if self._current(db) else None
        except sqlite3.OperationalError:
            return None  # (busy for too long: this once, the whole vault)
        except DAMAGE:
            db.close()
            self._remove()  # damaged: the next run builds it again
            return None
        finally:
            db.close()

    def _current(self, db: sqlite3.Connection) -> bool:
        """Whether the notes' shapes and links are stored for the notes as they now are."""
        if (
            self._version(db) != SCHEMA_VERSION
            or self._meta(db, "owner") != self._owner()
            or self._meta(db, "code") != _code_digest()
        ):
            return False
        stored = _stored_meta(self._meta(db, "agenda"))
        return (
            stored is not None
            and stored[0] == _settings_key(self.settings)
            and stored[2] == self._gen(db)
        )

    @staticmethod
    def _check(db: sqlite3.Connection, lookup: _SqlLookup, paths: set[str]) -> None:
        """Raise `Damaged` when the stored links or note of one of the first ``paths``, or of
        the first two notes, do not follow from its stored shape: a store damaged so that
        questions quietly find nothing (a column of garbage) is not trusted."""
        sample = sorted(paths)[:50] + [
            codec.text(p) for (p,) in db.execute("SELECT path FROM shapes ORDER BY path LIMIT 2")
        ]
        for path in sample:
            shape = lookup.shape(path)
            if shape is None:
                continue  # (a subject without a note, or a note this command made)
            rows = sorted(db.execute("SELECT src, rel, dst FROM links WHERE src = ?", (path,)))
            notes = lookup.load({path})
            if rows != sorted(_links(path, shape)) or [n.path for n in notes] != [path]:
                raise Damaged(f"the stored links or note of {path} do not match its shape")

    @staticmethod
    def _around(db: sqlite3.Connection, lookup: _SqlLookup, around: set[str]) -> set[str]:
        """The notes around subjects and notes: those answering what the rules read for each
        subject (`ReadIndex`), and what a card, a prep sheet or a letter of each note shows: a
        contact's meetings, the meetings that gave their name, the contacts they referred or
        named at a meeting and the meetings with those, a meeting's people, a company's
        people (the notes linking to it by one of its names) and their meetings."""
        from coffeechat.core.rules.referral import REF

        out = {s for s in around if not s.startswith(REF)}
        out |= lookup.answering(_SqlReads(db).of(around))
        for path in around:
            shape = lookup.shape(path)
            if shape is None:
                continue
            if shape.kind == "contact":
                meetings, given = lookup.meetings_with(path), lookup.referred_by(path)
                out |= meetings | lookup.referring(fold(note_stem(path)))  # who gave the name
                for meeting in meetings:  # the names they gave you, and your meetings with them
                    if (held := lookup.shape(meeting)) is not None:
                        for key in held.refs:
                            given |= lookup.named(key)
                for other in given:
                    out |= {other} | lookup.meetings_with(other)
            elif shape.kind == "meeting":
                out.update(shape.with_)
            elif shape.kind == "company":
                for linker in lookup.linking(set(shape.names)):
                    out.add(linker)
                    if (linked := lookup.shape(linker)) is not None and linked.kind == "contact":
                        out |= lookup.meetings_with(linker)
        return out

    def _named(self, db: sqlite3.Connection, lookup: _SqlLookup, name: str) -> set[str]:
        """Every note `Vault.find` may find by ``name`` (more is harmless: the part's own
        `find` picks among them as the whole vault's does)."""
        from coffeechat.core.links import parse_link
        from coffeechat.core.vault import _ON_DATE

        out: set[str] = set()
        link = parse_link(name if "[[" in name else f"[[{name}]]")
        if link is not None:
            out |= lookup.candidates({fold(link.target).rsplit("/", 1)[-1]})
        key = fold(name.strip())
        # A name, an alias or a file name (a meeting's title is part of its file name) that
        # holds the name; then the companies by their `name:`, which links do not use.
        out.update(
            p
            for (p,) in db.execute(
                "SELECT src FROM links WHERE rel = 'n' AND instr(dst, ?) > 0", (key,)
            )
        )
        out.update(
            p
            for (p,) in db.execute(
                "SELECT path FROM shapes WHERE shape LIKE '[\"company\",%'"
                " AND instr(cc_fold(json_extract(shape, '$[1]')), ?) > 0",
                (key,),
            )
        )
        on_date = _ON_DATE.fullmatch(name)
        if on_date is not None:  # "NAME on DATE": the meetings linking to what NAME means
            meant = self._named(db, lookup, on_date[1])
            out |= meant
            keys = {
                k
                for (k,) in _rows(
                    db, "SELECT dst FROM links WHERE rel = 'n' AND src IN ({})", sorted(meant)
                )
            }
            out |= lookup.linking(keys)
        for path in list(out):  # meetings are told apart by their people's other meetings
            shape = lookup.shape(path)
            if shape is not None and shape.kind == "meeting":
                for contact in shape.with_:
                    out |= lookup.meetings_with(contact)
        return out

    # -- the whole vault: the one loader -------------------------------------------------------
    def vault(self, warn: Callable[[str], None] | None = None) -> Any:
        """Every note, brought up to date (`refresh`), built into the model
        (`core.vault.Vault`), with what the walk could not read among its findings; ``warn``
        hears what went wrong with the store itself. The one way anything loads the whole
        vault (the CLI's `App.vault`, `coffeechat.load_vault`, an import, the
        mail watcher), so they all see the same notes the same way."""
        refresh = self.refresh()
        vault = build_vault(refresh.notes, self.settings)
        for warning in refresh.warnings:
            if warn is not None:
                warn(warning)
        vault.findings.extend(refresh.findings)
        return vault

    # -- what `stats` and `graph` add up -----------------------------------------------------
    def figures(self, today: dt.date) -> Figured:
        """Every contact's and meeting's figures on ``today`` (`core.coaching.figures`), kept with its
        subject in the store and brought up to date as for `agenda`, in path order; and the
        problem count. From every note when the store cannot be used."""

        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> Figured:
            agenda = self._stored_for(db, stats, today)
            if agenda is None:
                return fallback(stats, [])
            figures = codec.figures_of_rows(
                db.execute("SELECT subject, kind, figures FROM figures ORDER BY subject").fetchall()
            )
            (carded,) = db.execute(
                "SELECT COUNT(*) FROM cards WHERE kind IN ('contact', 'meeting')"
            ).fetchone()
            if carded != len(figures.contacts) + len(figures.meetings):
                raise Damaged("the stored figures are not those of every contact and meeting")
            return Figured(figures, agenda.result.problems, agenda.warnings)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> Figured:
            vault = build_vault(self._parse_all(stats).notes, self.settings)
            return Figured(figures_of(vault, today), count_problems(vault.findings), warnings)

        result: Figured = self._session(work, fallback)
        result.problems += count_problems(result.findings)
        return result


def _stored_findings(db: sqlite3.Connection, paths: Iterable[str] | None = None) -> list[Finding]:
    """The findings kept beside the notes ``paths`` (None: every note), checked as read."""
    query = "SELECT findings FROM facts WHERE findings != '[]'"
    rows = (
        db.execute(query).fetchall()
        if paths is None
        else _rows(db, query + " AND path IN ({})", sorted(set(paths)))
    )
    return [f for (v,) in rows for f in codec.findings_from(codec.loads(v))]


def _chunks(keys: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(keys), _CHUNK):
        yield keys[i : i + _CHUNK]


def _rows(db: sqlite3.Connection, query: str, keys: list[Any]) -> list[Any]:
    """``query`` with its ``IN ({})`` filled for every key, in chunks SQLite accepts."""
    out: list[Any] = []
    for chunk in _chunks(keys):
        out.extend(db.execute(query.format(",".join("?" * len(chunk))), chunk))
    return out


def _note(record: str) -> ParsedNote:
    from coffeechat.core.notes import note_from_record

    return note_from_record(json.loads(record))


def _record(note: ParsedNote) -> dict[str, Any]:
    from coffeechat.core.notes import note_to_record

    return note_to_record(note)


#: Work on this many notes or more reports its progress (`coffeechat.core.progress`).
PROGRESS_FROM = 2000

#: Notes are spread over this many buckets by a hash of their path, each with a fingerprint.
BUCKETS = 256


def _bucket(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogateescape")) % BUCKETS


def _stages(bar: progress.Progress | None, label: str) -> Callable[[int, int], None] | None:
    """A ``(done, total)`` callback that reports to ``bar`` as the stage ``label``."""
    if bar is None:
        return None
    at = 0

    def report(done: int, total: int) -> None:
        nonlocal at
        if done == 0:
            bar.stage(label, total)
        else:
            bar.advance(done - at)
        at = done

    return report


def _put_rows(
    db: sqlite3.Connection,
    table: str,
    column: str,
    keys: Iterable[str],
    current: Mapping[str, Any],
    values: Callable[[str], Any],
) -> None:
    """Bring the rows of ``keys`` in ``table`` (keyed by its first column, ``column``) in line
    with ``current``: each key it holds written with ``values(key)`` as the other columns,
    each key it lacks deleted."""
    keys = list(keys)
    db.executemany(
        f"DELETE FROM {table} WHERE {column} = ?", ((k,) for k in keys if k not in current)
    )
    rows = ((k, *_columns(values(k))) for k in keys if k in current)
    first = next(rows, None)  # (rows are made as they are written: a cold index has 150,000)
    if first is not None:
        marks = ", ".join("?" * len(first))
        db.executemany(
            f"INSERT OR REPLACE INTO {table} VALUES ({marks})", itertools.chain((first,), rows)
        )


def _columns(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,)


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
        bucket = _bucket(stat.path)
        groups[bucket].append(stat)
        texts[bucket].append(line)
    return {bucket: _sha(text)[:20] for bucket, text in texts.items()}, groups


def _settings_key(settings: Settings) -> str:
    """What a stored agenda was computed with: the settings and the code that computes it
    (not the day: a new day recomputes only the subjects whose window it leaves)."""
    return hashlib.sha1(f"{AGENDA_VERSION}|{_code_digest()}|{settings!r}".encode()).hexdigest()


@functools.cache
def _code_digest() -> str:
    """A digest of the pure core's source: any change to the rules, the model or the parser
    (an upgrade, a developer's edit) makes a stored agenda a miss, with no version to bump."""
    core = Path(__file__).resolve().parent.parent / "core"
    digest = hashlib.sha1(__version__.encode())
    for path in sorted(core.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _stored_meta(value: Any) -> tuple[str, int, int] | None:
    """(settings key, day, notes generation) of the stored agenda; None when there is none."""
    if value is None:
        return None
    key, day, gen = codec.loads(value)
    if type(key) is not str or type(day) is not int or type(gen) is not int:
        raise Damaged("the stored agenda's key is of another kind")
    return key, day, gen


def _links(path: str, shape: Shape) -> Iterator[tuple[str, str, str]]:
    """The rows of ``links`` for one note: what `_SqlLookup` answers reverse questions from."""
    for contact in shape.with_:
        yield path, "w", contact
    if shape.referrer:
        yield path, "b", shape.referrer
    for key in shape.refs:
        yield path, "r", key
    if shape.kind == "contact":
        yield path, "k", fold(note_stem(path))
    for key in shape.names:
        yield path, "n", key
    for key in shape.links:
        yield path, "l", key


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
                rows = _rows(db, "SELECT key, data FROM events WHERE key IN ({})", list(keys))
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


class _SqlLookup(Lookup):
    """`Lookup` answered from the cache's ``shapes`` and ``links`` tables."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def _sources(self, rel: str, dst: str) -> set[str]:
        return {
            p
            for (p,) in self.db.execute(
                "SELECT src FROM links WHERE rel = ? AND dst = ?", (rel, dst)
            )
        }

    def meetings_with(self, contact: str) -> set[str]:
        return self._sources("w", contact)

    def referred_by(self, contact: str) -> set[str]:
        return self._sources("b", contact)

    def referring(self, key: str) -> set[str]:
        return self._sources("r", key)

    def named(self, key: str) -> set[str]:
        return self._sources("k", key)

    def shape(self, path: str) -> Shape | None:
        row = self.db.execute("SELECT shape FROM shapes WHERE path = ?", (path,)).fetchone()
        return codec.shape_from(row[0]) if row else None

    def candidates(self, keys: set[str]) -> set[str]:
        return {
            p
            for (p,) in _rows(
                self.db, "SELECT src FROM links WHERE rel = 'n' AND dst IN ({})", sorted(keys)
            )
        }

    def linking(self, keys: set[str]) -> set[str]:
        return {
            p
            for (p,) in _rows(
                self.db, "SELECT src FROM links WHERE rel = 'l' AND dst IN ({})", sorted(keys)
            )
        }

    def update(self, changed: Mapping[str, Shape | None]) -> None:
        for path, shape in changed.items():
            self.db.execute("DELETE FROM links WHERE src = ?", (path,))
            if shape is None:
                self.db.execute("DELETE FROM shapes WHERE path = ?", (path,))
                continue
            self.db.executemany("INSERT INTO links VALUES (?, ?, ?)", _links(path, shape))
            self.db.execute(
                "INSERT OR REPLACE INTO shapes VALUES (?, ?)", (path, codec.shape_to(shape))
            )

    def load(self, paths: set[str]) -> list[ParsedNote]:
        return [
            _note(r)
            for (r,) in _rows(self.db, "SELECT record FROM notes WHERE path IN ({})", sorted(paths))
        ]

    def answers(self, keys: Iterable[str]) -> dict[str, set[str]]:
        by_kind: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            by_kind[key[0]].append(key[2:])
        out: dict[str, set[str]] = {"n:" + p: {p} for p in by_kind.pop("n", ())}
        for kind, rels in (("w", ("w",)), ("r", ("b",)), ("k", ("r", "k"))):
            wanted = sorted(by_kind.get(kind, ()))
            for what in wanted:
                out[f"{kind}:{what}"] = set()
            for rel in rels:
                for dst, src in _rows(
                    self.db,
                    f"SELECT dst, src FROM links WHERE rel = '{rel}' AND dst IN ({{}})",
                    wanted,
                ):
                    out[f"{kind}:{codec.text(dst)}"].add(codec.text(src))
        return out


class _SqlReads(ReadIndex):
    """`ReadIndex` kept in the cache's ``reads`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def record(self, subject: str, keys: Iterable[str] | None) -> None:
        self.db.execute("DELETE FROM reads WHERE subject = ?", (subject,))
        if keys is not None:
            self.db.executemany(
                "INSERT OR IGNORE INTO reads VALUES (?, ?)", ((k, subject) for k in keys)
            )

    def readers(self, keys: Iterable[str]) -> set[str]:
        return {
            codec.text(s)
            for (s,) in _rows(self.db, "SELECT subject FROM reads WHERE key IN ({})", sorted(keys))
        }

    def of(self, subjects: Iterable[str]) -> set[str]:
        return {
            codec.text(k)
            for (k,) in _rows(
                self.db, "SELECT key FROM reads WHERE subject IN ({})", sorted(subjects)
            )
        }


class _SqlTally(FieldTally):
    """`FieldTally` kept in the cache's ``shares`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def set(self, meeting: str, share: FieldShare | None, fresh: bool = False) -> set[str]:
        new = {key: (share[0].toordinal(), name) for key, name in share[2]} if share else {}
        old = {
            key: (day, name)
            for key, day, name in self.db.execute(
                "SELECT key, day, name FROM shares WHERE meeting = ?", (meeting,)
            )
        }
        if old == new:
            return set()
        self.db.execute("DELETE FROM shares WHERE meeting = ?", (meeting,))
        self.db.executemany(
            "INSERT INTO shares VALUES (?, ?, ?, ?)",
            ((meeting, key, day, name) for key, (day, name) in new.items()),
        )
        return old.keys() | new.keys()

    def summary(self, key: str) -> tuple[int, str, str] | None:
        (count,) = self.db.execute("SELECT COUNT(*) FROM shares WHERE key = ?", (key,)).fetchone()
        if not count:
            return None
        (latest,) = self.db.execute(
            "SELECT meeting FROM shares WHERE key = ? ORDER BY day DESC, meeting DESC LIMIT 1",
            (key,),
        ).fetchone()
        (name,) = self.db.execute(
            "SELECT name FROM shares WHERE key = ? ORDER BY meeting LIMIT 1", (key,)
        ).fetchone()
        return count, latest, name


class _SqlAhead(AheadTable):
    """`AheadTable` kept in the cache's ``ahead`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def holding(self, subjects: Iterable[str], day: int) -> dict[str, SubjectDay]:
        # (Only the window holding the day is read back: a chain has up to eight.)
        rows = _rows(
            self.db,
            f"SELECT subject, lo, hi, found FROM ahead WHERE lo <= {int(day)}"
            f" AND hi > {int(day)} AND subject IN ({{}})",
            sorted(subjects),
        )
        return {codec.text(s): codec.found_from(lo, hi, f) for s, lo, hi, f in rows}

    def set(self, subject: str, chain: tuple[SubjectDay, ...] | None) -> None:
        self.db.execute("DELETE FROM ahead WHERE subject = ?", (subject,))
        if chain is not None and len(chain) > 1:
            self.db.executemany(
                "INSERT OR REPLACE INTO ahead VALUES (?, ?, ?, ?)", self.rows(subject, chain)
            )

    @staticmethod
    def rows(subject: str, chain: tuple[SubjectDay, ...]) -> Iterator[tuple[str, int, int, str]]:
        """The table's rows of ``subject``'s chain: one per window."""
        for found in chain:
            yield subject, *found.window, codec.found_to(found)


class _SqlDups(DupTable):
    """`DupTable` kept in the cache's ``dups`` table (paths compare as Python's do: SQLite
    compares TEXT by its UTF-8 bytes, which orders as code points)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get(self, path: str) -> tuple[tuple[str, str, int | None], ...]:
        return tuple(
            self.db.execute(
                "SELECT label, key, line FROM dups WHERE path = ? ORDER BY pos", (path,)
            )
        )

    def set(self, path: str, keys: tuple[tuple[str, str, int | None], ...]) -> None:
        self.db.execute("DELETE FROM dups WHERE path = ?", (path,))
        self.db.executemany(
            "INSERT INTO dups VALUES (?, ?, ?, ?, ?)",
            ((path, i, *key) for i, key in enumerate(keys)),
        )

    def every(self) -> dict[str, list[tuple[str, str, int | None]]]:
        """Every contact's identity keys, checked as read (`vault_checks.duplicate_findings`)."""
        out: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
        for path, label, key, line in self.db.execute(
            "SELECT path, label, key, line FROM dups ORDER BY path, pos"
        ):
            if type(line) not in (int, type(None)):
                raise Damaged("a stored line is not a number")
            out[codec.text(path)].append((codec.text(label), codec.text(key), line))
        return out

    def problems(self) -> int:
        (count,) = self.db.execute(
            "SELECT COUNT(DISTINCT d.path) FROM dups d WHERE EXISTS (SELECT 1 FROM dups e"
            " WHERE e.label = d.label AND e.key = d.key AND e.path < d.path)"
        ).fetchone()
        return int(count)


# --- parsing --------------------------------------------------------------------------------


def parse_files(root: Path, stats: list[FileStat]) -> list[ParsedNote]:
    """Read and parse ``stats`` (in order), leaving out files that vanished meanwhile."""
    return [note for stat in stats if (note := read_note(root, stat)) is not None]


def _record_json(note: ParsedNote) -> str:
    """A note's record as the cache stores it."""
    return json.dumps(_record(note), ensure_ascii=False, separators=(",", ":"))
