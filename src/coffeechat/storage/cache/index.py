"""The store's one entry point (`Index`): every question a command asks of the vault's notes,
answered from the SQLite cache under ``.coffeechat/`` brought up to date with the files first,
or from every note when the cache cannot be used.

Each question runs in a session (`Index._session`): walk the vault, open the cache
(`schema`), bring the notes table up to date (`sync`), then answer from what is stored
(`agenda_store`, `part`) or rebuild the agenda from every note and store it
(`agenda_save`). A damaged cache is dropped and rebuilt, once; then the notes are read
without it. The pieces live in their own modules; this one only strings them together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from coffeechat.core import progress
from coffeechat.core.agenda.agenda import Agenda, build_agenda
from coffeechat.core.agenda.shapes import shapes
from coffeechat.core.cards import company_card, contact_card, meeting_card
from coffeechat.core.coaching.figures import figures_of
from coffeechat.core.dates import add_months
from coffeechat.core.model import Contact, Finding, Meeting, Severity, count_problems
from coffeechat.core.rules.insights import insights
from coffeechat.core.settings import Settings
from coffeechat.core.vault.builder import build_vault
from coffeechat.core.vault.checks import duplicate_findings, far_future
from coffeechat.storage.cache import schema
from coffeechat.storage.cache.agenda_save import store_rebuilt
from coffeechat.storage.cache.agenda_store import (
    far_ahead,
    lazy_loaders,
    stored_agenda,
    stored_cards,
    stored_figures,
    stored_findings,
)
from coffeechat.storage.cache.answers import (
    CheckReport,
    CurrentAgenda,
    CurrentNotes,
    ListRows,
    StatsFigures,
)
from coffeechat.storage.cache.events import EventBytes
from coffeechat.storage.cache.part import ask_current, is_taken, part_of
from coffeechat.storage.cache.records import all_notes, parse_files
from coffeechat.storage.cache.schema import DAMAGE, INDEX_NAME
from coffeechat.storage.cache.sync import PROGRESS_FROM, NoteChanges, sync, sync_paths
from coffeechat.storage.cache.tables import SqlDups, SqlShapeLookup
from coffeechat.storage.cachedir import CACHE_DIR
from coffeechat.storage.scan import FileStat, scan

__all__ = ["Index"]


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
                    db, rebuilt = schema.connect(self.root, self.path)
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
                    schema.remove(self.path)
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

    def _sync(self, db: sqlite3.Connection, stats: dict[str, FileStat]) -> NoteChanges:
        return sync(db, self.root, stats, self.clock())

    # -- every note ----------------------------------------------------------------------------
    def refresh(self) -> CurrentNotes:
        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> CurrentNotes:
            changes = self._sync(db, stats)
            return CurrentNotes(
                all_notes(db, changes.fresh, stats),
                parsed=len(changes.fresh),
                removed=changes.removed,
                rebuilt=rebuilt,
                stats=stats,
            )

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> CurrentNotes:
            result = self._parse_all(stats)
            result.warnings.extend(warnings)
            return result

        result: CurrentNotes = self._session(work, fallback)
        return result

    def _parse_all(self, stats: dict[str, FileStat]) -> CurrentNotes:
        notes = parse_files(self.root, sorted(stats.values(), key=lambda s: s.path))
        return CurrentNotes(notes, parsed=len(notes), rebuilt=True, cached=False, stats=stats)

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

    def findings_of(self, paths: Iterable[str] | None = None) -> list[Finding]:
        """The stored findings of the notes ``paths`` (None: of every note)."""
        try:
            db = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True, timeout=10)
            try:
                return stored_findings(db, paths)
            finally:
                db.close()
        except DAMAGE:
            return []  # (no usable cache: the next run that can use one rebuilds it)

    def events(self) -> EventBytes | None:
        """The rendered events kept for `feed` (None when the cache cannot be used)."""
        if not self.use_cache or not self.path.exists():
            return None
        return EventBytes(self.path)

    # -- the agenda ------------------------------------------------------------------------------
    def agenda(self, today: dt.date, known: CurrentAgenda | None = None) -> CurrentAgenda:
        """The finished agenda on ``today``: from the stored one when nothing changed, brought
        up to date when a few notes were edited, rebuilt from every note otherwise. ``known``:
        an earlier answer the caller still holds (its items are reused if it is the one stored)."""

        def work(
            db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool
        ) -> CurrentAgenda:
            return self._agenda(db, stats, today, known)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> CurrentAgenda:
            notes = self._parse_all(stats).notes
            result = CurrentAgenda.of(
                build_agenda(build_vault(notes, self.settings), today), "rebuilt"
            )
            result.parsed, result.warnings = len(notes), warnings
            # (Nothing is stored: the stamp tells the same files on the same day, all the same.)
            walk = sorted((s.path, s.size, s.mtime_ns) for s in stats.values())
            result.stamp = hashlib.sha256(
                repr((walk, today, schema.settings_key(self.settings))).encode()
            ).hexdigest()
            return result

        result: CurrentAgenda = self._session(work, fallback)
        return result.with_walk()

    def _agenda(
        self,
        db: sqlite3.Connection,
        stats: dict[str, FileStat],
        today: dt.date,
        known: CurrentAgenda | None = None,
    ) -> CurrentAgenda:
        key = schema.settings_key(self.settings)
        changes = self._sync(db, stats)
        out = stored_agenda(db, self.settings, key, changes.gen, today, known, self._lazy)
        if out is None:
            out = self._rebuild_agenda(db, changes, stats, today, key)
        out.parsed, out.removed = len(changes.fresh), changes.removed
        return out

    def _rebuild_agenda(
        self,
        db: sqlite3.Connection,
        changes: NoteChanges,
        stats: dict[str, FileStat],
        today: dt.date,
        key: str,
    ) -> CurrentAgenda:
        """The agenda from every note (the stored ones and those just parsed), stored whole."""
        bar = progress.current() if len(stats) >= PROGRESS_FROM else None
        if bar is not None:
            bar.stage("Linking notes", 0)
        notes = all_notes(db, changes.fresh, stats)
        vault = build_vault(notes, self.settings)
        del notes
        shaped = shapes(vault)
        agenda = build_agenda(vault, today, _stages(bar, "Working out follow-ups"))
        del vault
        if bar is not None:
            bar.stage("Saving the index", 0)
        stamp = store_rebuilt(db, agenda, shaped, key, changes.gen)
        out = CurrentAgenda.of(agenda, "rebuilt")
        out.stamp = stamp
        return out

    def agenda_for(
        self, paths: Iterable[str], today: dt.date, known: CurrentAgenda | None = None
    ) -> CurrentAgenda | None:
        """The agenda on ``today`` after just ``paths`` changed (a watcher's hints), without a
        walk; None when only a walk will do (a folder came or went, nothing is stored for these
        settings, or the cache cannot be used)."""
        if not self.use_cache or not self.path.exists():
            return None
        try:
            db, rebuilt = schema.connect(self.root, self.path)
        except (sqlite3.Error, OSError):
            return None
        try:
            if rebuilt:
                return None
            synced = sync_paths(db, self.root, self.settings, paths, self.clock)
            if synced is None:
                return None
            changes, gone = synced
            key = schema.settings_key(self.settings)
            out = stored_agenda(db, self.settings, key, changes.gen, today, known, self._lazy)
            if out is not None:
                out.parsed, out.removed = len(changes.fresh), len(gone)
            return out
        except DAMAGE:
            return None
        finally:
            db.close()

    def _lazy(
        self, today: dt.date
    ) -> tuple[Callable[[], list[Meeting]], Callable[[], dict[str, Contact]]]:
        """Loaders of the stored meetings ahead and people on ``today`` (`lazy_loaders`)."""
        return lazy_loaders(self.path, today, self._whole_agenda)

    def _whole_agenda(self, today: dt.date) -> Agenda:
        """The agenda of every note read anew: when a stored value is found damaged late."""
        notes = self._parse_all(scan(self.root, self.settings)[0]).notes
        return build_agenda(build_vault(notes, self.settings), today)

    # -- what is kept with the agenda: `list`, `check`, `stats` ----------------------------------
    def _stored_for(
        self, db: sqlite3.Connection, stats: dict[str, FileStat], today: dt.date
    ) -> CurrentAgenda | None:
        """`agenda` in a session, when the store now holds it for ``today`` and the notes as
        they are (what else it keeps is then as current); None when another run stored newer
        notes meanwhile."""
        agenda = self._agenda(db, stats, today)
        stored = schema.stored_meta(schema.meta(db, "agenda"))
        if stored is None or stored[1:] != (today.toordinal(), schema.gen(db)):
            return None
        return agenda

    def rows(self, kind: str, today: dt.date) -> ListRows:
        """What `list` shows of every contact, meeting or company (``kind``) on ``today``: each
        one's row (`core.cards`), kept with its subject in the store and brought up to date as
        for `agenda` (a company's with ``people``, the contacts at it); and the problem
        count."""

        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> ListRows:
            agenda = self._stored_for(db, stats, today)
            if agenda is None:
                return fallback(stats, [])
            return ListRows(stored_cards(db, kind), agenda.result.problems, agenda.warnings)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> ListRows:
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
            return ListRows(rows, count_problems(vault.findings), warnings)

        result: ListRows = self._session(work, fallback)
        result.problems += count_problems(result.findings)
        return result

    def check(self, today: dt.date) -> CheckReport:
        """What `check` reports on ``today``: each note's findings, duplicate people, log lines
        and meetings dated more than a year ahead (a mistyped year), the agenda's suggestions
        and what the walk could not read. From the store, brought up to date as for `agenda`."""

        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> CheckReport:
            agenda = self._stored_for(db, stats, today)
            if agenda is None:
                return fallback(stats, [])
            found = stored_findings(db) + duplicate_findings(SqlDups(db).every())
            far = far_ahead(db, add_months(today, 12))
            if far:
                found += far_future(build_vault(SqlShapeLookup(db).load(far), self.settings), today)
            (count,) = db.execute("SELECT COUNT(*) FROM notes").fetchone()
            return CheckReport(found + agenda.result.insights, int(count), agenda.warnings)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> CheckReport:
            vault = build_vault(self._parse_all(stats).notes, self.settings)
            found = vault.findings + far_future(vault, today) + insights(vault, today)
            return CheckReport(found, len(vault.notes), warnings)

        result: CheckReport = self._session(work, fallback)
        result.findings = result.found + result.findings
        return result

    def figures(self, today: dt.date) -> StatsFigures:
        """Every contact's and meeting's figures on ``today`` (`core.coaching.figures`), kept with
        its subject in the store and brought up to date as for `agenda`, in path order; and the
        problem count. From every note when the store cannot be used."""

        def work(db: sqlite3.Connection, stats: dict[str, FileStat], rebuilt: bool) -> StatsFigures:
            agenda = self._stored_for(db, stats, today)
            if agenda is None:
                return fallback(stats, [])
            return StatsFigures(stored_figures(db), agenda.result.problems, agenda.warnings)

        def fallback(stats: dict[str, FileStat], warnings: list[str]) -> StatsFigures:
            vault = build_vault(self._parse_all(stats).notes, self.settings)
            return StatsFigures(figures_of(vault, today), count_problems(vault.findings), warnings)

        result: StatsFigures = self._session(work, fallback)
        result.problems += count_problems(result.findings)
        return result

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
        return self._ask(lambda db: part_of(db, self.settings, names, around))

    def taken(self, key: str) -> bool | None:
        """Whether a note's file name (without ``.md``) folds to ``key`` (`NoteNames`); None
        when the store cannot tell (see `part`)."""
        result: bool | None = self._ask(lambda db: is_taken(db, key))
        return result

    def _ask(self, question: Callable[[sqlite3.Connection], Any]) -> Any:
        if not self.use_cache:
            return None
        return ask_current(self.root, self.path, self.settings, question)


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
