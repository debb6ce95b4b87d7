"""The stored agenda read back and brought up to date: as stored when nothing changed; else
patched (`core.agenda.recompute.apply_changes`, `move_day`) for the notes that changed and for a new
day, and stored again (`agenda_save`). And what else is kept with it, read back checked: the
rows of `list`, the figures of `stats`, each note's findings.

A stored agenda is used only when it was computed with the same settings and code
(`schema.settings_key`); otherwise the caller rebuilds it from every note.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from coffeechat.core.agenda.agenda import Agenda, person_contact
from coffeechat.core.agenda.finished import FinishedAgenda, Patch
from coffeechat.core.agenda.recompute import apply_changes, move_day, needs_items
from coffeechat.core.coaching.figures import Figures
from coffeechat.core.model import Contact, Finding, Meeting
from coffeechat.core.settings import Settings
from coffeechat.storage.cache import codec
from coffeechat.storage.cache.agenda_save import store_agenda
from coffeechat.storage.cache.answers import CurrentAgenda
from coffeechat.storage.cache.codec import Damaged
from coffeechat.storage.cache.schema import DAMAGE, meta, remove, rows_in, stamp, stored_meta
from coffeechat.storage.cache.tables import SqlAhead, SqlDups, SqlReads, SqlShapeLookup, SqlTally

__all__ = [
    "Loaders",
    "far_ahead",
    "lazy_loaders",
    "stored_agenda",
    "stored_cards",
    "stored_figures",
    "stored_findings",
]

#: Loaders of the stored meetings ahead and people on a day (only the feed needs them).
Loaders = Callable[[dt.date], tuple[Callable[[], list[Meeting]], Callable[[], dict[str, Contact]]]]


def stored_agenda(
    db: sqlite3.Connection,
    settings: Settings,
    key: str,
    gen: int,
    today: dt.date,
    known: CurrentAgenda | None,
    loaders: Loaders,
) -> CurrentAgenda | None:
    """The stored agenda, brought up to notes of generation ``gen`` and to ``today``; None
    when only a rebuild will do. ``known``: an answer the caller holds (its items are reused
    if it is the one stored)."""
    stored = stored_meta(meta(db, "agenda"))
    if stored is None or stored[0] != key or gen < 0:
        return None
    _key, day, since = stored
    if since == gen and day == today.toordinal():
        current = stamp(db)
        result = _stored_result(db, known, current)
        return (
            None
            if result is None
            else CurrentAgenda(
                result,
                "cached",
                *loaders(today),
                stamp=current,
                base=current,
                people_changed={},
                meetings_changed={},
            )
        )
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return None
    try:
        out = _patch_agenda(db, settings, key, since, gen, today, known, loaders)
        db.execute("COMMIT" if out is not None else "ROLLBACK")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return out


def _patch_agenda(
    db: sqlite3.Connection,
    settings: Settings,
    key: str,
    since: int,
    gen: int,
    today: dt.date,
    known: CurrentAgenda | None,
    loaders: Loaders,
) -> CurrentAgenda | None:
    """The stored agenda brought up to the notes of generation ``gen`` (from ``since``) and
    to ``today``; None when only a rebuild will do (the stored state is missing, or the
    notes table moved on without a changed row to show for it)."""
    changed = [p for (p,) in db.execute("SELECT path FROM notes WHERE gen > ?", (since,))]
    removed = [
        p
        for (p,) in db.execute("SELECT path FROM shapes WHERE path NOT IN (SELECT path FROM notes)")
    ]
    lookup = SqlShapeLookup(db)
    if gen != since and not changed and not removed:
        return None
    row = db.execute("SELECT value FROM state WHERE key = 'agenda'").fetchone()
    base = stamp(db)
    result = _stored_result(db, known, base)
    if row is None or result is None:
        return None
    agenda = codec.agenda_from_json(row[0])
    agenda.done = result.items
    agenda.tally, agenda.dups, agenda.reads = SqlTally(db), SqlDups(db), SqlReads(db)
    agenda.ahead = SqlAhead(db)
    if changed or removed:
        notes = {n.path: n for n in lookup.load(set(changed))}
        if apply_changes(agenda, settings, notes, lookup, lookup.load, removed) is None:
            # A snooze changed: it may move any item, so every raw item is needed.
            _load_subjects(db, agenda)
            if apply_changes(agenda, settings, notes, lookup, lookup.load, removed) is None:
                return None
    if today != agenda.today:
        if needs_items(agenda, settings, today):
            _load_subjects(db, agenda)
        t = today.toordinal()
        stored = {
            s for (s,) in db.execute("SELECT subject FROM subjects WHERE lo > ? OR hi <= ?", (t, t))
        }
        move_day(agenda, settings, today, lookup, lookup.load, stored)
    people = {
        p: person_contact(p, agenda.people[p]) if p in agenda.people else None
        for p in agenda.touched
    }
    meetings = {p: agenda.scheduled.get(p) for p in agenda.touched}
    # (With every raw item at hand the finished list was made anew: store it whole.)
    new = store_agenda(db, agenda, key, gen, compact=agenda.items_complete)
    return CurrentAgenda(
        agenda.finished(),
        "updated",
        *loaders(agenda.today),
        stamp=new,
        base=base,
        people_changed=people,
        meetings_changed=meetings,
    )


def _stored_result(
    db: sqlite3.Connection, known: CurrentAgenda | None = None, current: str | None = None
) -> FinishedAgenda | None:
    """The stored finished agenda: the last one written whole, with the patches since; or
    ``known``'s, when that is the one stored (its stamp is ``current``)."""
    if known is not None and known.stamp is not None and known.stamp == current:
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


def lazy_loaders(
    path: Path, today: dt.date, whole: Callable[[dt.date], Agenda]
) -> tuple[Callable[[], list[Meeting]], Callable[[], dict[str, Contact]]]:
    """Loaders of the stored scheduled meetings and people of the cache ``path`` (only the
    feed needs them, after the session is closed: each reads on a fresh connection). A stored
    value found damaged by then drops the cache, and they come from ``whole(today)``, the
    agenda of every note."""

    def read(query: str) -> list[Any]:
        db = sqlite3.connect(path, timeout=10)
        try:
            return db.execute(query).fetchall()
        finally:
            db.close()

    def heal(load: Callable[[], Any], part: Callable[[Agenda], Any]) -> Callable[[], Any]:
        def run() -> Any:
            try:
                return load()
            except DAMAGE:
                remove(path)
                return part(whole(today))

        return run

    meetings = heal(
        lambda: [
            codec.meeting_from(codec.loads(v))
            for (v,) in read("SELECT value FROM scheduled ORDER BY path")
        ],
        lambda agenda: agenda.meetings(),
    )
    people = heal(
        lambda: {
            codec.text(p): person_contact(p, codec.person_from(codec.loads(v)))
            for p, v in read("SELECT path, value FROM people")
        },
        lambda agenda: agenda.contacts(),
    )
    return meetings, people


# -- what is kept with the agenda --------------------------------------------------------------
def stored_cards(db: sqlite3.Connection, kind: str) -> list[dict[str, Any]]:
    """The stored rows of `list` of every contact, meeting or company (``kind``), by subject
    (a company's with ``people``, the contacts at it)."""
    (odd,) = db.execute(
        "SELECT COUNT(*) FROM cards WHERE kind NOT IN ('contact', 'meeting', 'company')"
        " OR kind IS NULL"
    ).fetchone()
    if odd:
        raise Damaged("a stored row is of no known kind")
    rows = [
        codec.card_from(kind, codec.loads(v))
        for (v,) in db.execute("SELECT card FROM cards WHERE kind = ? ORDER BY subject", (kind,))
    ]
    if kind == "company":
        people: dict[str, int] = defaultdict(int)
        for (v,) in db.execute("SELECT card FROM cards WHERE kind = 'contact'"):
            if (at := codec.card_from("contact", codec.loads(v))["company_path"]) is not None:
                people[at] += 1
        rows = [{**row, "people": people.get(row["path"], 0)} for row in rows]
    return rows


def stored_figures(db: sqlite3.Connection) -> Figures:
    """The stored figures of every contact and meeting, in path order."""
    figures = codec.figures_of_rows(
        db.execute("SELECT subject, kind, figures FROM figures ORDER BY subject").fetchall()
    )
    (carded,) = db.execute(
        "SELECT COUNT(*) FROM cards WHERE kind IN ('contact', 'meeting')"
    ).fetchone()
    if carded != len(figures.contacts) + len(figures.meetings):
        raise Damaged("the stored figures are not those of every contact and meeting")
    return figures


def stored_findings(db: sqlite3.Connection, paths: Iterable[str] | None = None) -> list[Finding]:
    """The findings kept beside the notes ``paths`` (None: every note), checked as read."""
    query = "SELECT findings FROM facts WHERE findings != '[]'"
    rows = (
        db.execute(query).fetchall()
        if paths is None
        else rows_in(db, query + " AND path IN ({})", sorted(set(paths)))
    )
    return [f for (v,) in rows for f in codec.findings_from(codec.loads(v))]


def far_ahead(db: sqlite3.Connection, limit: dt.date) -> set[str]:
    """The notes with a date after ``limit`` (a mistyped year, for `check`)."""
    return {
        codec.text(p)
        for (p,) in db.execute("SELECT path FROM facts WHERE latest > ?", (limit.toordinal(),))
    }
