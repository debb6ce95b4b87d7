"""The agenda: what `due`, the feed and the dashboard show, kept per *subject* so that a
changed note, or a new day, recomputes only the items it can touch.

A subject is what a group of items is computed from: a contact, a meeting or a company note
(by path), or a referred name (``ref:`` + the folded name, see `rules.referral_subject`). Each
subject's items are computed by the rules over a `recording.RecordingVault`, which notes what
they read (keys of notes and of the vault's reverse lookups) and the window of days over which
their comparisons with today hold. The agenda keeps, per subject, the raw items, that window
and those keys (`ReadIndex`), so that

* a new day recomputes the subjects whose window it leaves (`move_day`);
* a changed, added or removed note recomputes the subjects that read a key it touches
  (`touched_keys`), and a note whose names changed also the notes whose links use those
  names (`Shape.links`): their links may lead elsewhere now (`apply_changes`).

To recompute a few subjects it builds a vault of only the notes they read (`partial_vault`),
and widens it until it holds every note that answers what they read. Snoozes and the give-up
horizon are applied to the raw items afterwards. Everything here is pure: data in, data out.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from coffeechat.core.cards import company_card, contact_card, meeting_card
from coffeechat.core.coaching.figures import (
    ContactFigures,
    MeetingFigures,
    contact_figures,
    meeting_figures,
)
from coffeechat.core.links import fold, parse_link_list
from coffeechat.core.model import (
    Contact,
    DueItem,
    Finding,
    Meeting,
    ParsedNote,
    count_problems,
)
from coffeechat.core.recording import (
    NEVER,
    RecordingVault,
    Window,
    met_key,
    name_key,
    note_key,
    referred_key,
)
from coffeechat.core.rules import (
    REF,
    FieldShare,
    all_subjects,
    dormant,
    field_limit,
    field_share,
    finish,
    give_up_horizon,
    goes_stale,
    item_order,
    merge_snoozes,
    referral_subject,
    settle,
    subject_items,
)
from coffeechat.core.settings import Settings
from coffeechat.core.vault import (
    LINK_LISTS,
    LINK_SINGLES,
    Vault,
    build_vault,
    duplicate_findings,
    identity_keys,
    note_stem,
    referral_key,
    single_link,
)

__all__ = [
    "AHEAD_DAYS",
    "AHEAD_WINDOWS",
    "NEVER",
    "Agenda",
    "AheadTable",
    "Found",
    "Lookup",
    "NoteFacts",
    "Patch",
    "ReadIndex",
    "Result",
    "Shape",
    "ShapeIndex",
    "apply_changes",
    "build_agenda",
    "link_keys",
    "move_day",
    "needs_items",
    "partial_vault",
    "person_contact",
    "shapes",
    "touched_keys",
]


@dataclass(frozen=True, slots=True)
class Shape:
    """How one note connects to the others, as the rules see it."""

    kind: str  # "contact", "meeting", "company", or "" (any other note, or one left out)
    sig: tuple[str | None, tuple[str, ...]]  # (display name, aliases): what links and names use
    with_: tuple[str, ...] = ()  # meeting: contact paths
    refs: tuple[str, ...] = ()  # meeting: folded referral names
    referrer: str | None = None  # contact: the referring contact's path
    names: tuple[str, ...] = ()  # folded keys a link may find this note by (file name, aliases)
    links: tuple[str, ...] = ()  # folded names its link properties use (`link_keys`)


@dataclass(frozen=True, slots=True)
class Result:
    """The finished agenda on its day: open items (oldest first), suggestions, problem count."""

    items: list[DueItem]
    insights: list[Finding]
    problems: int


@dataclass(frozen=True, slots=True)
class Patch:
    """One change to the finished agenda: drop the items of ``subjects`` and those with the
    ``ids`` (gone stale as the day moved on), add ``added``."""

    subjects: frozenset[str]
    added: tuple[DueItem, ...]
    ids: frozenset[str] = frozenset()

    def apply(self, done: list[DueItem]) -> list[DueItem]:
        return Patch.apply_all(done, [self])

    @staticmethod
    def apply_all(done: list[DueItem], patches: Sequence[Patch]) -> list[DueItem]:
        """``patches`` applied in turn, in one pass over ``done``."""
        if not patches:
            return done
        dropped = frozenset().union(*(p.subjects for p in patches))
        gone = frozenset().union(*(p.ids for p in patches))
        out = [i for i in done if i.subject not in dropped and i.id not in gone]
        for n, patch in enumerate(patches):
            later = frozenset().union(*(p.subjects for p in patches[n + 1 :]))
            later_ids = frozenset().union(*(p.ids for p in patches[n + 1 :]))
            for item in patch.added:
                if item.subject not in later and item.id not in later_ids:
                    bisect.insort(out, item, key=item_order)
        return out


def person_contact(path: str, row: PersonRow) -> Contact:
    """The slim contact the feed shows for a `PersonRow`."""
    return Contact(path, row[0], company=row[1], role=row[2], email=row[3], phone=row[4])


class FieldTally:
    """Which held meetings count towards which field (`rules.field_share`), in memory; a
    store may keep it in a database instead (same methods)."""

    def __init__(self) -> None:
        #: field key -> meeting -> (its day as an ordinal, the field as written there)
        self.by_field: dict[str, dict[str, tuple[int, str]]] = {}

    def set(self, meeting: str, share: FieldShare | None, fresh: bool = False) -> set[str]:
        """Replace a meeting's share (``fresh``: it had none); the keys whose count changed."""
        new = (
            {key: (share[0].toordinal(), sys.intern(name)) for key, name in share[2]}
            if share
            else {}
        )
        old = (
            {}
            if fresh
            else {
                key: entries[meeting]
                for key, entries in self.by_field.items()
                if meeting in entries
            }
        )
        if old == new:
            return set()
        for key in old:
            del self.by_field[key][meeting]
        for key, entry in new.items():
            self.by_field.setdefault(key, {})[meeting] = entry
        return old.keys() | new.keys()

    def summary(self, key: str) -> tuple[int, str, str] | None:
        """(how many meetings, the latest one, the field as the first one by path wrote it)."""
        entries = self.by_field.get(key)
        if not entries:
            self.by_field.pop(key, None)
            return None
        latest = max((day, path) for path, (day, _name) in entries.items())[1]
        return len(entries), latest, entries[min(entries)][1]


class DupTable:
    """Each contact's identity keys (`vault.identity_keys`), in memory; a store may keep
    them in a database instead (same methods)."""

    def __init__(self) -> None:
        self.keys: dict[str, tuple[tuple[str, str, int | None], ...]] = {}

    def get(self, path: str) -> tuple[tuple[str, str, int | None], ...]:
        return self.keys.get(path, ())

    def set(self, path: str, keys: tuple[tuple[str, str, int | None], ...]) -> None:
        self.keys.pop(path, None)
        if keys:
            self.keys[path] = keys

    def problems(self) -> int:
        """How many contacts repeat an earlier one's e-mail or LinkedIn URL."""
        return len(duplicate_findings(self.keys))


class ReadIndex:
    """What each subject's items were computed from (`recording` keys), and who read each
    key, in memory; a store may keep them in a database instead (same methods)."""

    def __init__(self) -> None:
        self.by_subject: dict[str, frozenset[str]] = {}
        self._readers: dict[str, set[str]] = defaultdict(set)

    def record(self, subject: str, keys: Iterable[str] | None) -> None:
        """Replace what ``subject`` read (None: the subject is gone)."""
        for key in self.by_subject.pop(subject, ()):
            self._readers[key].discard(subject)
        if keys is not None:
            self.by_subject[subject] = frozenset(keys)
            for key in self.by_subject[subject]:
                self._readers[key].add(subject)

    def readers(self, keys: Iterable[str]) -> set[str]:
        """The subjects that read one of ``keys``."""
        return {s for key in keys for s in self._readers.get(key, ())}

    def of(self, subjects: Iterable[str]) -> set[str]:
        """Every key ``subjects`` read."""
        return {key for s in subjects for key in self.by_subject.get(s, ())}


#: How far ahead of today a subject's items are worked out too (`AheadTable`), in days, and in
#: windows at most: the first run of each of those days finds them made, and reads no note.
AHEAD_DAYS = 45
AHEAD_WINDOWS = 8


class AheadTable:
    """Each subject's items over the windows from the day they were computed on, as far as
    `AHEAD_DAYS` (a chain of `Found`, today's first), in memory; a store may keep them in a
    database instead (same methods). A new day, or a day back, takes a subject's items from
    here when a window of its chain holds that day; only a change to what it read replaces the
    chain. Subjects whose items hold for good have none."""

    def __init__(self) -> None:
        self.chains: dict[str, tuple[Found, ...]] = {}

    def holding(self, subjects: Iterable[str], day: int) -> dict[str, Found]:
        """Of ``subjects``, those whose chain has a window holding ``day`` (an ordinal): its
        `Found`, with what the subject read left as recorded."""
        out = {}
        for subject in subjects:
            for found in self.chains.get(subject, ()):
                if found.window[0] <= day < found.window[1]:
                    out[subject] = replace(found, keys=None)
                    break
        return out

    def set(self, subject: str, chain: tuple[Found, ...] | None) -> None:
        """Replace ``subject``'s chain (None: it has none)."""
        if chain is None or len(chain) < 2:
            self.chains.pop(subject, None)
        else:
            self.chains[subject] = chain


#: What `check` needs of a note beside the rules (`Agenda.facts`).
NoteFacts = tuple[int, tuple[Finding, ...]]
#: A contact as the feed shows them: (name, company, role, email, phone).
PersonRow = tuple[str, str, str, str, str]


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

    def result(self) -> Result:
        insights = [self.dormant[p] for p in sorted(self.dormant)]
        insights += [self.limits[k] for k in sorted(self.limits)]
        return Result(list(self.done), insights, self.problem_total + self.dup_problems)

    def meetings(self) -> list[Meeting]:
        return [self.scheduled[p] for p in sorted(self.scheduled)]

    def contacts(self) -> dict[str, Contact]:
        """The slim contacts the feed names people with."""
        return {p: person_contact(p, r) for p, r in self.people.items()}

    # -- keeping the finished parts up to date ---------------------------------------------
    def _refinish(self) -> None:
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


# --- from a built vault -------------------------------------------------------------------


def link_keys(note: ParsedNote) -> set[str]:
    """The folded names the note's link properties may resolve through (file names, aliases)."""
    links = [link for key in LINK_SINGLES if (link := single_link(note.meta.get(key))) is not None]
    links += [link for key in LINK_LISTS for link in parse_link_list(note.meta.get(key))]
    return {fold(link.target).rsplit("/", 1)[-1] for link in links}


def shapes(vault: Vault, paths: Iterable[str] | None = None) -> dict[str, Shape]:
    """The `Shape` of each note of ``paths`` (default: every note of the vault)."""
    out = {}
    for path in vault.notes if paths is None else paths:
        note = vault.notes[path]
        name = note.meta.get("name")
        shown = name.strip() if isinstance(name, str) and name.strip() else None
        aliases: tuple[str, ...] = ()
        names = {fold(note_stem(path))}
        if path in vault.contacts:
            contact = vault.contacts[path]
            referrer = contact.referred_by.path if contact.referred_by else None
            aliases = contact.aliases
            out_shape = Shape(
                "contact",
                (shown, aliases),
                referrer=referrer if referrer in vault.contacts else None,
            )
        elif path in vault.meetings:
            meeting = vault.meetings[path]
            with_ = tuple(dict.fromkeys(p.path for p in meeting.with_ if p.path in vault.contacts))
            refs = tuple(dict.fromkeys(referral_key(p) for p in meeting.referrals))
            out_shape = Shape("meeting", (shown, ()), with_=with_, refs=refs)
        elif path in vault.companies:
            aliases = vault.companies[path].aliases
            out_shape = Shape("company", (shown, aliases))
        else:
            out_shape = Shape("", (shown, ()))
        names |= {fold(a.strip()) for a in aliases}
        if shown and out_shape.kind == "contact":
            names.add(fold(shown))
        out[path] = Shape(
            out_shape.kind,
            out_shape.sig,
            out_shape.with_,
            out_shape.refs,
            out_shape.referrer,
            tuple(sorted(names)),
            tuple(sorted(link_keys(note))) if not note.broken else (),
        )
    return out


def build_agenda(
    vault: Vault, today: dt.date, progress: Callable[[int, int], None] | None = None
) -> Agenda:
    """The whole agenda of a vault on ``today``; ``progress(done, total)`` is told how many
    subjects are done now and then."""
    settings = vault.settings
    agenda = Agenda(today, give_up_horizon(settings, today), settings.field_limit)
    view = RecordingVault(vault)
    subjects = list(all_subjects(vault))

    def evaluated() -> Iterator[tuple[str, Found]]:
        for n, subject in enumerate(subjects):
            if progress is not None and n % 1024 == 0:
                progress(n, len(subjects))
            chain = _chain(view, subject, today)
            agenda.ahead.set(subject, chain)
            yield subject, chain[0]
        if progress is not None:
            progress(len(subjects), len(subjects))

    _commit(agenda, vault, evaluated(), vault.notes, whole=True)
    return agenda


@dataclass(frozen=True, slots=True)
class Found:
    """What the rules made of one subject on one day, and what they read to make it."""

    items: list[DueItem]
    keys: set[str] | None  # (None: what the subject read is as recorded)
    window: Window
    gone: bool = False  # the subject is no more (its note went, or nothing names it)
    dormant: Finding | None = None  # a contact: the suggestion to mark them dormant
    share: FieldShare | None = None  # a meeting: the fields it counts towards
    scheduled: Meeting | None = None  # a meeting still ahead
    card: tuple[str, dict[str, Any]] | None = None  # (kind, its row in `list`)
    figures: ContactFigures | MeetingFigures | None = None  # its part of `stats` and `graph`


def _evaluate(view: RecordingVault, subject: str, today: dt.date) -> Found:
    """Run the rules for ``subject`` over ``view``, noting what they read."""
    day = view.record(today)
    reads = view.reads
    if subject.startswith(REF):
        key = subject[len(REF) :]
        if not view.meetings_referring(key) and not view.contacts_named(key):
            return Found([], reads.keys(), (0, NEVER), gone=True)
        items = list(subject_items(view, subject, day))
        return Found(items, reads.keys(), reads.window())
    contact, meeting = view.contacts.get(subject), view.meetings.get(subject)
    company = view.companies.get(subject) if contact is None and meeting is None else None
    if contact is None and meeting is None and company is None:
        return Found([], reads.keys(), (0, NEVER), gone=True)
    items = list(subject_items(view, subject, day))
    found = dormant(view, contact, day) if contact is not None else None
    share = field_share(view, meeting, day) if meeting is not None else None
    ahead = meeting if meeting is not None and meeting.scheduled(day) else None
    card = (
        ("contact", contact_card(view, contact, day))
        if contact is not None
        else ("meeting", meeting_card(meeting, day))
        if meeting is not None
        else ("company", company_card(company))
        if company is not None
        else None
    )
    figures = (
        contact_figures(view, contact, day)
        if contact is not None
        else meeting_figures(view, meeting, day)
        if meeting is not None
        else None
    )
    keys = reads.keys()
    # (A subject always reads its own note: a change to it recomputes the subject anyway.)
    keys.discard(note_key(subject))
    return Found(items, keys, reads.window(), False, found, share, ahead, card, figures)


def _chain(view: RecordingVault, subject: str, today: dt.date) -> tuple[Found, ...]:
    """``subject`` on ``today``, and on the first day after each window as far as
    `AHEAD_DAYS`: the windows follow one another. The first holds what every one read."""
    chain = [_evaluate(view, subject, today)]
    limit = today.toordinal() + AHEAD_DAYS
    while not chain[-1].gone and chain[-1].window[1] <= limit and len(chain) < AHEAD_WINDOWS:
        chain.append(_evaluate(view, subject, dt.date.fromordinal(chain[-1].window[1])))
    if len(chain) == 1:
        return (chain[0],)
    keys = set().union(*(f.keys or () for f in chain))
    return (replace(chain[0], keys=keys), *chain[1:])


def _commit(
    agenda: Agenda,
    vault: Vault,
    found: Iterable[tuple[str, Found]],
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
        entries = _snoozes_of(vault, path)
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
        agenda._refinish()
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


def _snoozes_of(vault: Vault, path: str) -> tuple[tuple[str, dt.date], ...]:
    obj = vault.contacts.get(path) or vault.meetings.get(path) or vault.companies.get(path)
    return obj.snoozes if obj is not None else ()


def _dup_keys(vault: Vault, contact: Contact) -> tuple[tuple[str, str, int | None], ...]:
    lines = vault.notes[contact.path].meta_lines
    return tuple((label, key, lines.get(prop)) for label, key, prop in identity_keys(contact))


# --- what a change touches ----------------------------------------------------------------


def touched_keys(
    paths: Iterable[str], before: Mapping[str, Shape | None], after: Mapping[str, Shape | None]
) -> set[str]:
    """The keys (`recording`) whose answer may differ once ``paths`` went from their shape
    ``before`` to ``after``: each note itself, and the reverse lookups it took part in then
    or takes part in now (the meetings with a contact, those a contact referred, the notes a
    referred name means)."""
    out: set[str] = set()
    for path in paths:
        out.add(note_key(path))
        for shape in (before.get(path), after.get(path)):
            if shape is None:
                continue
            out.update(met_key(contact) for contact in shape.with_)
            out.update(name_key(key) for key in shape.refs)
            if shape.referrer:
                out.add(referred_key(shape.referrer))
            if shape.kind == "contact":
                out.add(name_key(fold(note_stem(path))))
    return out


def _own_subjects(
    paths: Iterable[str], before: Mapping[str, Shape | None], after: Mapping[str, Shape | None]
) -> set[str]:
    """The subjects of changed notes themselves, and the referred names they give that they
    did not give before: nothing may have read those yet."""
    out: set[str] = set()
    for path in paths:
        out.add(path)
        old, new = before.get(path), after.get(path)
        if new is not None:
            out.update(REF + key for key in new.refs if old is None or key not in old.refs)
            if new.kind == "contact" and (old is None or old.kind != "contact"):
                out.add(referral_subject(fold(note_stem(path))))
    return out


class Lookup:
    """The notes' shapes and their reverse links, as stored (in memory: `ShapeIndex`; an
    adapter may answer from a database instead)."""

    def meetings_with(self, contact: str) -> set[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def referred_by(self, contact: str) -> set[str]:  # pragma: no cover - interface
        raise NotImplementedError

    def referring(self, key: str) -> set[str]:  # pragma: no cover - interface
        """Meetings whose referrals include the folded name ``key``."""
        raise NotImplementedError

    def named(self, key: str) -> set[str]:  # pragma: no cover - interface
        """Contacts whose file name folds to ``key``."""
        raise NotImplementedError

    def shape(self, path: str) -> Shape | None:  # pragma: no cover - interface
        raise NotImplementedError

    def candidates(self, keys: set[str]) -> set[str]:  # pragma: no cover - interface
        """Notes a link by one of these folded names may lead to (file name or alias)."""
        raise NotImplementedError

    def linking(self, keys: set[str]) -> set[str]:  # pragma: no cover - interface
        """Notes with a link property by one of these folded names."""
        raise NotImplementedError

    def update(self, changed: Mapping[str, Shape | None]) -> None:  # pragma: no cover - interface
        """Store these shapes (None: the note is gone)."""
        raise NotImplementedError

    def answers(self, keys: Iterable[str]) -> dict[str, set[str]]:
        """Per key (`recording`), the notes whose content answers its lookup."""
        out: dict[str, set[str]] = {}
        for key in keys:
            kind, what = key[0], key[2:]
            if kind == "n":
                out[key] = {what}
            elif kind == "w":
                out[key] = self.meetings_with(what)
            elif kind == "r":
                out[key] = self.referred_by(what)
            elif kind == "k":
                out[key] = self.referring(what) | self.named(what)
        return out

    def answering(self, keys: Iterable[str]) -> set[str]:
        """The notes whose content answers the lookups of ``keys``."""
        return set().union(*self.answers(keys).values())


class ShapeIndex(Lookup):
    """`Lookup` over shapes held in memory."""

    def __init__(self, shapes: Mapping[str, Shape]) -> None:
        self.shapes: dict[str, Shape] = {}
        self._with: dict[str, set[str]] = defaultdict(set)
        self._referred: dict[str, set[str]] = defaultdict(set)
        self._refs: dict[str, set[str]] = defaultdict(set)
        self._named: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, set[str]] = defaultdict(set)
        self._linking: dict[str, set[str]] = defaultdict(set)
        self.update(shapes)

    def _links(self, path: str, shape: Shape) -> Iterator[tuple[dict[str, set[str]], str]]:
        for contact in shape.with_:
            yield self._with, contact
        if shape.referrer:
            yield self._referred, shape.referrer
        for key in shape.refs:
            yield self._refs, key
        if shape.kind == "contact":
            yield self._named, fold(note_stem(path))
        for key in shape.names:
            yield self._names, key
        for key in shape.links:
            yield self._linking, key

    def update(self, changed: Mapping[str, Shape | None]) -> None:
        for path, shape in changed.items():
            old = self.shapes.pop(path, None)
            if old is not None:
                for table, key in self._links(path, old):
                    table[key].discard(path)
            if shape is None:
                continue
            self.shapes[path] = shape
            for table, key in self._links(path, shape):
                table[key].add(path)

    def shape(self, path: str) -> Shape | None:
        return self.shapes.get(path)

    def meetings_with(self, contact: str) -> set[str]:
        return set(self._with.get(contact, ()))

    def referred_by(self, contact: str) -> set[str]:
        return set(self._referred.get(contact, ()))

    def referring(self, key: str) -> set[str]:
        return set(self._refs.get(key, ()))

    def named(self, key: str) -> set[str]:
        return set(self._named.get(key, ()))

    def candidates(self, keys: set[str]) -> set[str]:
        return {path for key in keys for path in self._names.get(key, ())}

    def linking(self, keys: set[str]) -> set[str]:
        return {path for key in keys for path in self._linking.get(key, ())}


def partial_vault(
    settings: Settings,
    core: set[str],
    lookup: Lookup,
    load: Callable[[set[str]], Iterable[ParsedNote]],
    changed: Mapping[str, ParsedNote] | None = None,
) -> Vault:
    """The vault of the notes ``core`` and of every note their links may lead to (by file
    name or alias), enough to compute what reads them; ``changed`` notes replace stored ones."""
    changed = changed or {}
    paths = set(changed)
    notes = {n.path: n for n in load(core - paths)}
    notes.update((p, changed[p]) for p in core & paths)
    keys = set().union(*(link_keys(n) for n in notes.values()))
    extra = lookup.candidates(keys) - notes.keys() - paths
    notes.update((n.path, n) for n in load(extra))
    notes.update((p, changed[p]) for p in lookup.candidates(keys) & paths)
    return build_vault(notes.values(), settings)


def _recompute(
    agenda: Agenda,
    settings: Settings,
    subjects: set[str],
    lookup: Lookup,
    load: Callable[[set[str]], Iterable[ParsedNote]],
    changed: Mapping[str, ParsedNote] | None = None,
    notes: Iterable[str] = (),
) -> Vault:
    """Compute ``subjects`` again, and the per-note parts of ``notes``, from the notes they
    read: those they read last time (`ReadIndex`) and ``changed`` ones to begin with; a
    subject that reads something that vault cannot answer in full (a new link, a meeting with
    someone new) runs again on a vault of what it reads now, until it can. Returns the first
    vault (it holds ``notes``)."""
    changed = changed or {}
    core = {s for s in subjects if not s.startswith(REF)} | changed.keys() | set(notes)
    core |= lookup.answering(agenda.reads.of(subjects))
    first = part = partial_vault(settings, core, lookup, load, changed)
    absent = core - part.notes.keys()  # (asked for, and not stored: gone)
    found: dict[str, Found] = {}
    pending = subjects
    while pending:
        view = RecordingVault(part)
        got = {s: _chain(view, s, agenda.today) for s in pending}
        answers = lookup.answers(set().union(*(c[0].keys or () for c in got.values())))
        short: dict[str, set[str]] = {}
        for subject, chain in got.items():
            wanted = set().union(*(answers.get(k, ()) for k in chain[0].keys or ()))
            if wanted - part.notes.keys() - absent:
                short[subject] = wanted  # read something this part cannot answer in full
            else:
                found[subject] = chain[0]
                agenda.ahead.set(subject, chain)
        # Those run again on a part of what they read now (a new link, a meeting now held).
        pending = set(short)
        if pending:
            core = {s for s in pending if not s.startswith(REF)}.union(*short.values())
            part = partial_vault(settings, core, lookup, load, changed)
            absent |= core - part.notes.keys()
    _commit(agenda, first, found.items(), notes)
    return first


def needs_items(agenda: Agenda, settings: Settings, today: dt.date) -> bool:
    """Whether moving ``agenda`` to ``today`` needs every raw item at hand: when the give-up
    horizon moves back (stale items return), or a snoozed item would go stale."""
    if agenda.items_complete:
        return False
    horizon = give_up_horizon(settings, today)
    if horizon is None or (agenda.horizon is not None and horizon < agenda.horizon):
        return agenda.horizon is not None
    return any(i.id in agenda.snoozed and i.due < horizon for i in agenda.done)


def move_day(
    agenda: Agenda,
    settings: Settings,
    today: dt.date,
    lookup: Lookup,
    load: Callable[[set[str]], Iterable[ParsedNote]],
    stored: Iterable[str] = (),
) -> int:
    """Bring ``agenda`` from its day to ``today``: recompute the subjects whose window
    ``today`` leaves (those of `Agenda.windows`, and ``stored``: those a store found expired
    among the windows it did not load), and drop what went stale (or, with every raw item at
    hand, finish them all again). Returns how many subjects were recomputed."""
    if needs_items(agenda, settings, today):
        raise ValueError("the raw items are not loaded")
    t = today.toordinal()
    expired = {s for s, (lo, hi) in agenda.windows.items() if not lo <= t < hi}
    expired.update(s for s in stored if s not in agenda.windows and s not in agenda.recomputed)
    agenda.today = today
    agenda.horizon = give_up_horizon(settings, today)
    if not agenda.items_complete and agenda.horizon is not None:
        stale = frozenset(i.id for i in agenda.done if i.due < agenda.horizon and goes_stale(i))
        if stale:
            patch = Patch(frozenset(), (), stale)
            agenda.done = patch.apply(agenda.done)
            agenda.patches.append(patch)
    if expired:
        # (A subject whose chain has a window holding the day takes its items from there.)
        made = agenda.ahead.holding(expired, t)
        if made:
            _commit(agenda, build_vault((), settings), made.items(), ())
        if expired - made.keys():
            _recompute(agenda, settings, expired - made.keys(), lookup, load)
    if agenda.items_complete:
        agenda._refinish()
    return len(expired)


def apply_changes(
    agenda: Agenda,
    settings: Settings,
    changed: Mapping[str, ParsedNote],
    lookup: Lookup,
    load: Callable[[set[str]], Iterable[ParsedNote]],
    removed: Iterable[str] = (),
) -> int | None:
    """Bring ``agenda`` up to date after ``changed`` notes were edited or added and ``removed``
    ones went away (a rename is both); ``load`` gives the stored notes of a set of paths (never
    a removed one). ``lookup`` is updated with the new shapes. A note whose names or kind
    changed (added, removed, renamed, retyped, broken or mended) may change where other notes'
    links lead: the notes linking by those names are recomputed with it. None, and nothing
    touched, when a snooze changed while the raw items are not at hand (`Agenda.items`): the
    caller loads them, or rebuilds. Otherwise how many subjects were recomputed."""
    changed = dict(changed)
    gone = set(removed) - changed.keys()
    before = {p: lookup.shape(p) for p in changed.keys() | gone}

    def shaped(notes: Mapping[str, ParsedNote]) -> tuple[Vault, dict[str, Shape | None]]:
        part = partial_vault(settings, set(notes), lookup, load, notes)
        after: dict[str, Shape | None] = dict(shapes(part, notes))
        after.update((p, None) for p in gone)
        return part, after

    mini, after = shaped(changed)
    moved_names: set[str] = set()
    for path, old in before.items():
        new = after[path]
        if (
            old is None
            or new is None
            or old.kind != new.kind
            or old.sig != new.sig
            or old.names != new.names
        ):
            moved_names.update(old.names if old else ())
            moved_names.update(new.names if new else ())
    linkers = lookup.linking(moved_names) - before.keys() if moved_names else set()
    if linkers:  # their links may lead elsewhere now: recompute them as if edited
        loaded = {n.path: n for n in load(linkers)}
        before.update((p, lookup.shape(p)) for p in loaded)
        changed.update(loaded)
        mini, after = shaped(changed)
    if not agenda.items_complete and any(
        _snoozes_of(mini, p) != agenda.snoozes.get(p, ()) for p in changed.keys() | gone
    ):
        return None  # a snooze may move any item, and the raw items are not at hand
    paths = changed.keys() | gone
    subjects = agenda.reads.readers(touched_keys(paths, before, after)) | _own_subjects(
        paths, before, after
    )
    lookup.update(after)
    _recompute(agenda, settings, subjects, lookup, load, changed, paths)
    return len(subjects)
