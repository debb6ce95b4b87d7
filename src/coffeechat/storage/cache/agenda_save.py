"""Writing the agenda into the store: whole after a rebuild (`store_rebuilt`, every table of
the agenda emptied and filled again), or what a recompute changed (`store_agenda`), with the
finished list kept as patches to the one last written whole.

Every table keyed by a note or a subject is written through one helper (`_put_rows`): each
key's row written, or deleted when the agenda no longer holds it.
"""

from __future__ import annotations

import itertools
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from coffeechat.core.agenda.agenda import Agenda
from coffeechat.core.agenda.finished import Patch
from coffeechat.core.agenda.shapes import Shape
from coffeechat.storage.cache import codec
from coffeechat.storage.cache.schema import gen
from coffeechat.storage.cache.tables import SqlAhead, links_of

__all__ = ["JOURNAL_MAX", "store_agenda", "store_rebuilt"]

#: Patches to the stored agenda kept beside it before it is written whole again.
JOURNAL_MAX = 16
#: The tables a rebuilt agenda fills again from empty.
_AGENDA_TABLES = (
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
)


def store_rebuilt(
    db: sqlite3.Connection, agenda: Agenda, shaped: Mapping[str, Shape], key: str, since: int
) -> str | None:
    """Store an agenda built from every note of generation ``since`` (with their ``shaped``
    shapes), computed with settings ``key``: its stamp; None when it could not be stored (the
    cache was locked too long) or another run stored newer notes meanwhile."""
    try:
        db.execute("BEGIN IMMEDIATE")
        stamp = None
        if gen(db) == since:  # nobody stored newer notes meanwhile
            for table in _AGENDA_TABLES:
                db.execute(f"DELETE FROM {table}")
            db.executemany(
                "INSERT OR REPLACE INTO ahead VALUES (?, ?, ?, ?)",
                (row for s, c in agenda.ahead.chains.items() for row in SqlAhead.rows(s, c)),
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
                    (p, i, *dup)
                    for p, keys in agenda.dups.keys.items()
                    for i, dup in enumerate(keys)
                ),
            )
            db.executemany(
                "INSERT INTO shapes VALUES (?, ?)",
                ((p, codec.shape_to(s)) for p, s in shaped.items()),
            )
            db.executemany(
                "INSERT INTO links VALUES (?, ?, ?)",
                (link for p, s in shaped.items() for link in links_of(p, s)),
            )
            db.executemany(
                "INSERT INTO reads VALUES (?, ?)",
                ((k, s) for s, keys in agenda.reads.by_subject.items() for k in keys),
            )
            stamp = store_agenda(db, agenda, key, since, rebuilt=True)
        db.execute("COMMIT")
    except sqlite3.OperationalError:
        if db.in_transaction:
            db.execute("ROLLBACK")
        stamp = None
    return stamp


def store_agenda(
    db: sqlite3.Connection,
    agenda: Agenda,
    key: str,
    generation: int,
    rebuilt: bool = False,
    compact: bool = False,
) -> str:
    """Save the agenda: whole when ``rebuilt`` (into emptied tables); otherwise what it
    recomputed, with the finished list as patches to the stored one (`JOURNAL_MAX` at
    most) or, ``compact``, whole. Returns the new stamp of the stored agenda."""
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
    db.execute("INSERT OR REPLACE INTO state VALUES ('agenda', ?)", (codec.agenda_to_json(agenda),))
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
        (codec.dumps([key, agenda.today.toordinal(), generation]),),
    )
    stamp = secrets.token_hex(8)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('stamp', ?)", (stamp,))
    agenda.noted.clear()
    agenda.touched.clear()
    agenda.recomputed.clear()
    agenda.patches.clear()
    return stamp


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
