"""The agenda: what `due`, the feed and the dashboard show, kept per *subject* so that a
changed note, or a new day, recomputes only the items it can touch.

A subject is what a group of items is computed from: a contact, a meeting or a company note
(by path), or a referred name (``ref:`` + the folded name, see `rules.referral`). Each
subject's items are computed by the rules over a `recording.RecordingVault`, which notes what
they read (keys of notes and of the vault's reverse lookups) and the window of days over which
their comparisons with today hold (`core.agenda.ahead`). The `Agenda` keeps, per subject, the raw
items, that window and those keys (`agenda_tables.ReadIndex`), and per note what `check` and
the feed need; `commit` stores what the rules found and patches the finished agenda
(`core.agenda.finished`). `build_agenda` makes it for a whole vault; `core.agenda.recompute` keeps it current
as days pass and notes change. Snoozes and the give-up horizon are applied to the raw items
afterwards. Everything here is pure: data in, data out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coffeechat.core.agenda.ahead import AheadTable, SubjectDay, chain_ahead
from coffeechat.core.agenda.finished import FinishedAgenda, Patch
from coffeechat.core.agenda.recording import RecordingVault, Window
from coffeechat.core.agenda.tables import DupTable, FieldTally, ReadIndex
from coffeechat.core.coaching.figures import ContactFigures, MeetingFigures
from coffeechat.core.model import Contact, DueItem, Finding, Meeting, count_problems
from coffeechat.core.rules import (
    all_subjects,
    finish,
    give_up_horizon,
    merge_snoozes,
    settle,
)
from coffeechat.core.rules.insights import field_limit
from coffeechat.core.rules.referral import REF
from coffeechat.core.vault.checks import identity_keys
from coffeechat.core.vault.vault import Vault

__all__ = [
    "Agenda",
    "NoteFacts",
    "PersonRow",
    "build_agenda",
    "commit",
    "person_contact",
    "snoozes_of",
]


#: What `check` needs of a note beside the rules (`Agenda.facts`).
NoteFacts = tuple[int, tuple[Finding, ...]]
#: A contact as the feed shows them: (name, company, role, email, phone).
PersonRow = tuple[str, str, str, str, str]


def person_contact(path: str, row: PersonRow) -> Contact:
    """The slim contact the feed shows for a `PersonRow`."""
    return Contact(path, row[0], company=row[1], role=row[2], email=row[3], phone=row[4])


@dataclass
class Agenda:
    """Everything the agenda needs, per subject or per note, for one day; and the finished
    agenda (`done`, the insights and the problem count) kept up to date as parts change, so an
    edit costs what it touches, not what the vault holds."""

    today: dt.date
    horizon: dt.date | None = None  # stale items before it leave the agenda (give_up_after)
    field_limit: int = 5
    items: dict[str, tuple[DueItem, ...]] = field(default_factory=dict)  # subject -> raw items
    snoozes: dict[str, tuple[tuple[str, dt.date], ...]] = field(default_factory=dict)  # note ->
    snoozed: dict[str, dt.date] = field(default_factory=dict)  # item id -> until (merged)
    dormant: dict[str, Finding] = field(default_factory=dict)  # contact -> suggestion
    tally: FieldTally = field(default_factory=FieldTally)
    limits: dict[str, Finding] = field(default_factory=dict)  # field key -> suggestion
    dups: DupTable = field(default_factory=DupTable)
    dup_problems: int = 0
    problems: dict[str, int] = field(default_factory=dict)  # note -> findings that are problems
    problem_total: int = 0
    people: dict[str, PersonRow] = field(default_factory=dict)  # for the feed
    scheduled: dict[str, Meeting] = field(default_factory=dict)  # meetings still ahead
    done: list[DueItem] = field(default_factory=list)  # the finished agenda, in order
    #: Whether `items` holds every subject's raw items. A stored agenda leaves them out (they
    #: only matter when a snooze changes, and then it is rebuilt).
    items_complete: bool = True
    #: subject -> the days its raw items hold for (a stored agenda loads them when the day
    #: moves; otherwise only the recomputed ones are here).
    windows: dict[str, Window] = field(default_factory=dict)
    #: What each subject read: which subjects a change recomputes.
    reads: ReadIndex = field(default_factory=ReadIndex)
    #: Each subject's items on the days ahead, as far as they are worked out.
    ahead: AheadTable = field(default_factory=AheadTable)
    #: note -> what `check` needs of it beside the rules: the day of its latest log line or
    #: its meeting (as an ordinal, 0 for none: a year ahead it is a mistyped year), and its
    #: findings (those of duplicates left out: they are told from `dups`)
    facts: dict[str, NoteFacts] = field(default_factory=dict)
    #: subject -> (kind, its row in `list`: `core.cards`), for contacts, meetings and
    #: companies (a stored
    #: agenda keeps them apart and writes those of the subjects it recomputed)
    cards: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    #: subject -> what it brings to `stats` and `graph` (`core.coaching.figures`), for contacts and
    #: meetings (kept, and stored, as the cards are)
    figures: dict[str, ContactFigures | MeetingFigures] = field(default_factory=dict)
    #: Notes whose per-note parts were recomputed, whose `people` / `scheduled` entries
    #: changed, the subjects recomputed (raw items and window), and the patches made to
    #: `done`, since a store last saved them.
    noted: set[str] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)
    recomputed: set[str] = field(default_factory=set)
    patches: list[Patch] = field(default_factory=list)

    def finished(self) -> FinishedAgenda:
        """What `due` shows on the agenda's day: `done`, the suggestions and the problems."""
        insights = [self.dormant[p] for p in sorted(self.dormant)]
        insights += [self.limits[k] for k in sorted(self.limits)]
        return FinishedAgenda(list(self.done), insights, self.problem_total + self.dup_problems)

    def meetings(self) -> list[Meeting]:
        return [self.scheduled[p] for p in sorted(self.scheduled)]

    def contacts(self) -> dict[str, Contact]:
        """The slim contacts the feed names people with."""
        return {p: person_contact(p, r) for p, r in self.people.items()}

    # -- keeping the finished parts up to date ---------------------------------------------
    def refinish(self) -> None:
        """Finish every raw item again (`done` from `items`): when snoozes or the day moved."""
        raw = (item for group in self.items.values() for item in group)
        self.done = finish(raw, self.snoozed, self.horizon)

    def _set_items(self, grouped: Mapping[str, Sequence[DueItem]], subjects: set[str]) -> None:
        """Replace the raw items of ``subjects`` and patch `done` accordingly."""
        for subject in subjects:
            self.items.pop(subject, None)
        self.items.update((s, tuple(g)) for s, g in grouped.items() if g)
        added = []
        known: set[str] = set()  # (an id is never shared by two subjects: see `rules`)
        for group in grouped.values():
            for item in group:
                settled = settle(item, self.snoozed, self.horizon)
                if settled is not None and settled.id not in known:
                    known.add(settled.id)
                    added.append(settled)
        patch = Patch(frozenset(subjects), tuple(added))
        self.done = patch.apply(self.done)
        self.patches.append(patch)

    def _relimit(self, keys: Iterable[str]) -> None:
        for key in keys:
            summary = self.tally.summary(key)
            if summary is not None and summary[0] > self.field_limit:
                self.limits[key] = field_limit(summary[0], summary[2], summary[1], self.field_limit)
            else:
                self.limits.pop(key, None)

    def _set_problems(self, path: str, count: int) -> None:
        self.problem_total += count - self.problems.pop(path, 0)
        if count:
            self.problems[path] = count


def build_agenda(
    vault: Vault, today: dt.date, progress: Callable[[int, int], None] | None = None
) -> Agenda:
    """The whole agenda of a vault on ``today``; ``progress(done, total)`` is told how many
    subjects are done now and then."""
    settings = vault.settings
    agenda = Agenda(today, give_up_horizon(settings, today), settings.field_limit)
    view = RecordingVault(vault)
    subjects = list(all_subjects(vault))

    def evaluated() -> Iterator[tuple[str, SubjectDay]]:
        for n, subject in enumerate(subjects):
            if progress is not None and n % 1024 == 0:
                progress(n, len(subjects))
            chain = chain_ahead(view, subject, today)
            agenda.ahead.set(subject, chain)
            yield subject, chain[0]
        if progress is not None:
            progress(len(subjects), len(subjects))

    commit(agenda, vault, evaluated(), vault.notes, whole=True)
    return agenda


def commit(
    agenda: Agenda,
    vault: Vault,
    found: Iterable[tuple[str, SubjectDay]],
    notes: Iterable[str],
    whole: bool = False,
) -> None:
    """Store what the rules ``found`` for some subjects (``whole``: for all of them) and the
    per-note parts of ``notes`` (from ``vault``, holding at least those notes)."""
    by_note: dict[str, list[Finding]] = defaultdict(list)
    for finding in vault.findings:
        if finding.code != "duplicate":
            by_note[finding.path].append(finding)
    snoozes_changed = dups_changed = whole
    for path in notes:  # per-note parts first: snoozes decide how items are finished
        agenda.noted.add(path)
        agenda.touched.add(path)
        mine = tuple(by_note.get(path, ()))
        agenda._set_problems(path, count_problems(mine))
        if path in vault.notes:
            agenda.facts[path] = (_latest(vault, path), mine)
        else:
            agenda.facts.pop(path, None)
        agenda.scheduled.pop(path, None)
        c = vault.contacts.get(path)
        if c is not None:
            agenda.people[path] = (c.name, c.company, c.role, c.email, c.phone)
        else:
            agenda.people.pop(path, None)
        keys = _dup_keys(vault, c) if c is not None else ()
        if keys != agenda.dups.get(path):
            dups_changed = True
            agenda.dups.set(path, keys)
        entries = snoozes_of(vault, path)
        if entries != agenda.snoozes.get(path, ()):
            snoozes_changed = True
            agenda.snoozes.pop(path, None)
            if entries:
                agenda.snoozes[path] = entries
    if dups_changed:
        agenda.dup_problems = agenda.dups.problems()
    if snoozes_changed:
        merged = merge_snoozes(agenda.snoozes[p] for p in sorted(agenda.snoozes))
        snoozes_changed = merged != agenda.snoozed
        agenda.snoozed = merged
    refinish = whole or snoozes_changed  # a snooze may move any item: finish them all again
    if refinish and not agenda.items_complete:
        raise ValueError("a snooze changed and the raw items are not loaded: rebuild")
    touched: set[str] = set()
    grouped: dict[str, list[DueItem]] = {}
    for subject, got in found:
        agenda.recomputed.add(subject)
        agenda.dormant.pop(subject, None)
        if got.gone:
            agenda.windows.pop(subject, None)
            agenda.reads.record(subject, None)
        else:
            agenda.windows[subject] = got.window
            if got.keys is not None:
                agenda.reads.record(subject, got.keys)
        if got.dormant is not None:
            agenda.dormant[subject] = got.dormant
        if got.card is not None:
            agenda.cards[subject] = got.card
        else:
            agenda.cards.pop(subject, None)
        if got.figures is not None:
            agenda.figures[subject] = got.figures
        else:
            agenda.figures.pop(subject, None)
        if "/" in subject and not subject.startswith(REF):
            if got.share is not None or not whole:
                touched |= agenda.tally.set(subject, got.share, fresh=whole)
            # (A store keeps the scheduled meetings apart: it writes those of `touched`.)
            was = agenda.scheduled.pop(subject, None)
            if got.scheduled is not None:
                agenda.scheduled[subject] = got.scheduled
            meeting = got.card is not None and got.card[0] == "meeting"
            if got.scheduled is not None or was is not None or meeting:
                agenda.touched.add(subject)
        if refinish:
            agenda.items.pop(subject, None)
            if got.items:
                agenda.items[subject] = tuple(got.items)
        else:
            grouped[subject] = got.items
    if refinish:
        agenda.refinish()
    else:
        agenda._set_items({s: g for s, g in grouped.items() if g}, set(grouped))
    agenda._relimit(sorted(touched))


def _latest(vault: Vault, path: str) -> int:
    """The day (as an ordinal) of a contact's latest log line or of a meeting; 0 for none."""
    if (contact := vault.contacts.get(path)) is not None:
        return max((e.date.toordinal() for e in contact.log), default=0)
    if (meeting := vault.meetings.get(path)) is not None:
        return meeting.date.toordinal()
    return 0


def snoozes_of(vault: Vault, path: str) -> tuple[tuple[str, dt.date], ...]:
    obj = vault.contacts.get(path) or vault.meetings.get(path) or vault.companies.get(path)
    return obj.snoozes if obj is not None else ()


def _dup_keys(vault: Vault, contact: Contact) -> tuple[tuple[str, str, int | None], ...]:
    lines = vault.notes[contact.path].meta_lines
    return tuple((label, key, lines.get(prop)) for label, key, prop in identity_keys(contact))
