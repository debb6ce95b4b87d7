"""The cache's SQLite file (``.coffeechat/index.sqlite``): its tables, opening it, telling
whether it is ours and current, and its ``meta`` rows.

Never the source of truth: deleting it loses nothing. A missing, corrupt, older-schema or
copied-in cache (made for another folder, or by other code) is dropped and built again, so
every reader here treats what it finds as possibly damaged (`DAMAGE`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from coffeechat import __version__
from coffeechat.core.settings import Settings
from coffeechat.storage.cache import codec
from coffeechat.storage.cache.codec import Damaged
from coffeechat.storage.cachedir import cache_dir

__all__ = [
    "AGENDA_VERSION",
    "DAMAGE",
    "INDEX_NAME",
    "SCHEMA",
    "SCHEMA_VERSION",
    "code_digest",
    "connect",
    "core_sources",
    "gen",
    "is_current",
    "meta",
    "open_db",
    "owner",
    "remove",
    "rows_in",
    "settings_key",
    "stamp",
    "stored_meta",
    "version",
]

INDEX_NAME = "index.sqlite"
#: Bump whenever the record format or the tables change: an older cache is rebuilt (as it is
#: when the core's source changes at all, see `code_digest`).
SCHEMA_VERSION = 17
#: Bump whenever what the stored agenda holds changes (the rules, `core.agenda`).
AGENDA_VERSION = 1

SCHEMA = """
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


# -- opening ---------------------------------------------------------------------------------
def connect(root: Path, path: Path) -> tuple[sqlite3.Connection, bool]:
    """The cache ``path`` of the vault ``root``, open and of the current schema; True when it
    had to be (re)built."""
    cache_dir(root)  # a real folder inside the vault, links inside it removed
    rebuilt = not path.exists()
    made_for = owner(root)
    try:
        db = open_db(path)
        if (
            not rebuilt
            and version(db) == SCHEMA_VERSION
            and meta(db, "owner") == made_for
            and meta(db, "code") == code_digest()
        ):
            return db, rebuilt
        db.close()
    except sqlite3.DatabaseError:
        pass  # corrupt or not a database: start again
    remove(path)
    db = open_db(path)
    with db:
        db.executescript(SCHEMA)
        db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        db.execute("INSERT INTO meta VALUES ('owner', ?)", (made_for,))
        # (Parsed notes are kept as this code read them: other code reads them again.)
        db.execute("INSERT INTO meta VALUES ('code', ?)", (code_digest(),))
    return db, True


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def owner(root: Path) -> str:
    """Which folder the cache was made for (device and inode): a cache that arrived with a
    copy of the vault (a zip, a clone of a repository that committed it) was made for
    another folder and is rebuilt, whatever it claims."""
    info = os.stat(root)
    return f"{info.st_dev}:{info.st_ino}"


def remove(path: Path) -> None:
    """Delete the cache file and SQLite's files beside it."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def is_current(db: sqlite3.Connection, root: Path, settings: Settings) -> bool:
    """Whether the notes' shapes and links are stored for the notes as they now are."""
    if (
        version(db) != SCHEMA_VERSION
        or meta(db, "owner") != owner(root)
        or meta(db, "code") != code_digest()
    ):
        return False
    stored = stored_meta(meta(db, "agenda"))
    return stored is not None and stored[0] == settings_key(settings) and stored[2] == gen(db)


# -- the meta rows ---------------------------------------------------------------------------
def meta(db: sqlite3.Connection, key: str) -> Any:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def stamp(db: sqlite3.Connection) -> str | None:
    """Which stored agenda the cache holds (a new one each time it is stored)."""
    value = meta(db, "stamp")
    return value if type(value) is str else None


def version(db: sqlite3.Connection) -> int | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        return None  # an empty file, or tables of another program
    try:
        return int(row[0]) if row else None
    except (ValueError, TypeError):
        return None


def gen(db: sqlite3.Connection) -> int:
    """The notes table's generation: bumped whenever a stored record changes."""
    row = db.execute("SELECT value FROM meta WHERE key = 'gen'").fetchone()
    return int(row[0]) if row else 0


def stored_meta(value: Any) -> tuple[str, int, int] | None:
    """(settings key, day, notes generation) of the stored agenda; None when there is none."""
    if value is None:
        return None
    key, day, generation = codec.loads(value)
    if type(key) is not str or type(day) is not int or type(generation) is not int:
        raise Damaged("the stored agenda's key is of another kind")
    return key, day, generation


def settings_key(settings: Settings) -> str:
    """What a stored agenda was computed with: the settings and the code that computes it
    (not the day: a new day recomputes only the subjects whose window it leaves)."""
    return hashlib.sha1(f"{AGENDA_VERSION}|{code_digest()}|{settings!r}".encode()).hexdigest()


_CORE = Path(__file__).resolve().parents[2] / "core"


def core_sources() -> list[str]:
    """Every module of the pure core, its subpackages' too (the rules live in ``core/rules/``,
    the figures `stats` keeps in ``core/coaching/``): their paths inside it, in order."""
    return sorted(path.relative_to(_CORE).as_posix() for path in _CORE.rglob("*.py"))


@functools.cache
def code_digest() -> str:
    """A digest of the pure core's source (`core_sources`): any change to the rules, the model
    or the parser (an upgrade, a developer's edit) makes a stored agenda a miss, with no version
    to bump."""
    digest = hashlib.sha1(__version__.encode())
    for name in core_sources():
        digest.update(name.encode() + b"\0" + (_CORE / name).read_bytes())
    return digest.hexdigest()


# -- queries ---------------------------------------------------------------------------------
def _chunks(keys: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(keys), _CHUNK):
        yield keys[i : i + _CHUNK]


def rows_in(db: sqlite3.Connection, query: str, keys: list[Any]) -> list[Any]:
    """``query`` with its ``IN ({})`` filled for every key, in chunks SQLite accepts."""
    out: list[Any] = []
    for chunk in _chunks(keys):
        out.extend(db.execute(query.format(",".join("?" * len(chunk))), chunk))
    return out
