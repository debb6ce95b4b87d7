"""The core's protocols (`core.agenda.shapes.ShapeLookup`, `core.agenda.tables`' `ReadIndex`, `FieldTally`
and `DupTable`, `core.agenda.ahead.AheadTable`) answered from the cache's tables, so that a few changed notes update the stored
agenda without loading every note: ``shapes`` and ``links`` (who links to whom), ``reads``
(what each subject's rules read), ``shares``, ``ahead`` and ``dups``.

Each is a thin class over an open connection; the core decides what to ask.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping

from coffeechat.core.agenda.ahead import AheadTable, SubjectDay
from coffeechat.core.agenda.shapes import Shape, ShapeLookup
from coffeechat.core.agenda.tables import DupTable, FieldTally, ReadIndex
from coffeechat.core.links import fold
from coffeechat.core.model import ParsedNote
from coffeechat.core.rules.insights import FieldShare
from coffeechat.core.vault.vault import note_stem
from coffeechat.storage.cache import codec
from coffeechat.storage.cache.codec import Damaged
from coffeechat.storage.cache.records import note_of
from coffeechat.storage.cache.schema import rows_in

__all__ = ["SqlAhead", "SqlDups", "SqlReads", "SqlShapeLookup", "SqlTally", "links_of"]


def links_of(path: str, shape: Shape) -> Iterator[tuple[str, str, str]]:
    """The rows of ``links`` for one note: what `SqlShapeLookup` answers reverse questions from."""
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


class SqlShapeLookup(ShapeLookup):
    """`ShapeLookup` answered from the cache's ``shapes`` and ``links`` tables."""

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
            for (p,) in rows_in(
                self.db, "SELECT src FROM links WHERE rel = 'n' AND dst IN ({})", sorted(keys)
            )
        }

    def linking(self, keys: set[str]) -> set[str]:
        return {
            p
            for (p,) in rows_in(
                self.db, "SELECT src FROM links WHERE rel = 'l' AND dst IN ({})", sorted(keys)
            )
        }

    def update(self, changed: Mapping[str, Shape | None]) -> None:
        for path, shape in changed.items():
            self.db.execute("DELETE FROM links WHERE src = ?", (path,))
            if shape is None:
                self.db.execute("DELETE FROM shapes WHERE path = ?", (path,))
                continue
            self.db.executemany("INSERT INTO links VALUES (?, ?, ?)", links_of(path, shape))
            self.db.execute(
                "INSERT OR REPLACE INTO shapes VALUES (?, ?)", (path, codec.shape_to(shape))
            )

    def load(self, paths: set[str]) -> list[ParsedNote]:
        return [
            note_of(r)
            for (r,) in rows_in(
                self.db, "SELECT record FROM notes WHERE path IN ({})", sorted(paths)
            )
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
                for dst, src in rows_in(
                    self.db,
                    f"SELECT dst, src FROM links WHERE rel = '{rel}' AND dst IN ({{}})",
                    wanted,
                ):
                    out[f"{kind}:{codec.text(dst)}"].add(codec.text(src))
        return out


class SqlReads(ReadIndex):
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
            for (s,) in rows_in(
                self.db, "SELECT subject FROM reads WHERE key IN ({})", sorted(keys)
            )
        }

    def of(self, subjects: Iterable[str]) -> set[str]:
        return {
            codec.text(k)
            for (k,) in rows_in(
                self.db, "SELECT key FROM reads WHERE subject IN ({})", sorted(subjects)
            )
        }


class SqlTally(FieldTally):
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


class SqlAhead(AheadTable):
    """`AheadTable` kept in the cache's ``ahead`` table."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def holding(self, subjects: Iterable[str], day: int) -> dict[str, SubjectDay]:
        # (Only the window holding the day is read back: a chain has up to eight.)
        rows = rows_in(
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


class SqlDups(DupTable):
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
