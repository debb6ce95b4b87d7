"""The agenda: what `due`, the feed and the dashboard show, kept per *subject* so that a
changed note recomputes only the items it can touch.

A subject is what a group of items is computed from: a contact, a meeting or a company note
(by path), or a referred name (``ref:`` + the folded name, see `rules.referral_subject`). The
rules read a subject's own note and a few linked ones; `Shape` records those links for every
note, and `affected` / `reads` use them to find, for a set of changed notes, which subjects to
recompute and which notes that takes. Links are of three kinds:

* ``with``: a meeting -> the contacts it was with (only notes that are contacts),
* ``referrer``: a contact -> the contact who referred them (`referred_by`),
* ``refs``: a meeting -> the folded names of the referrals it gave.

What each subject's items read (mirrors `coffeechat.core.rules`, and the equivalence tests hold
the two together):

* contact X: X, the meetings with X, X's referrer R, the meetings with R, the contacts X
  referred (the `landed` rule);
* meeting M: M and the contacts it was with (status, log, field);
* company: itself;
* ``ref:K``: the meetings that referred K, and every contact whose file name folds to K with
  the meetings with them.

Names are not tracked: a note whose display name, aliases or kind changed (or a note added or
removed) changes how links resolve and what other notes show, and the caller then rebuilds the
whole agenda. Everything here is pure: data in, data out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from coffeechat.config import Settings
from coffeechat.core.links import fold, parse_link_list
from coffeechat.core.model import Contact, DueItem, Finding, Meeting, ParsedNote, Severity
from coffeechat.core.rules import (
    FieldShare,
    dormant,
    field_limits,
    field_share,
    finish,
    merge_snoozes,
    raw_items,
    referral_subject,
)
from coffeechat.core.vault import (
    LINK_LISTS,
    LINK_SINGLES,
    Vault,
    build_vault,
    duplicate_findings,
    identity_keys,
    note_stem,
    single_link,
)

__all__ = ["Agenda", "Change", "Lookup", "Result", "Shape", "ShapeIndex", "affected",
           "apply_changes", "build_agenda", "link_keys", "reads", "shapes", "update_agenda"]

REF = "ref:"


@dataclass(frozen=True, slots=True)
class Shape:
    """How one note connects to the others, as the rules see it."""

    kind: str  # "contact", "meeting", "company", or "" (any other note, or one left out)
    sig: tuple[str | None, tuple[str, ...]]  # (display name, aliases): what links and names use
    with_: tuple[str, ...] = ()  # meeting: contact paths
    refs: tuple[str, ...] = ()  # meeting: folded referral names
    referrer: str | None = None  # contact: the referring contact's path
    names: tuple[str, ...] = ()  # folded keys a link may find this note by (file name, aliases)


@dataclass(frozen=True, slots=True)
class Result:
    """The finished agenda on its day: open items (oldest first), suggestions, problem count."""

    items: list[DueItem]
    insights: list[Finding]
    problems: int


@dataclass
class Agenda:
    """Everything the agenda needs, per subject or per note, for one day and one settings."""

    today: dt.date
    items: dict[str, tuple[DueItem, ...]] = field(default_factory=dict)  # subject -> raw items
    snoozes: dict[str, tuple[tuple[str, dt.date], ...]] = field(default_factory=dict)
    dormant: dict[str, Finding] = field(default_factory=dict)  # contact -> suggestion
    shares: dict[str, FieldShare] = field(default_factory=dict)  # meeting -> field share
    dups: dict[str, tuple[tuple[str, str, int | None], ...]] = field(default_factory=dict)
    findings: dict[str, tuple[Finding, ...]] = field(default_factory=dict)  # note -> findings
    people: dict[str, Contact] = field(default_factory=dict)  # slim contacts, for the feed
    scheduled: dict[str, Meeting] = field(default_factory=dict)  # meetings still ahead

    def result(self, settings: Settings) -> Result:
        raw = [item for group in self.items.values() for item in group]
        items = finish(raw, merge_snoozes(self.snoozes.values()), settings, self.today)
        insights = [self.dormant[p] for p in sorted(self.dormant)]
        insights += field_limits(self.shares.values(), settings)
        problems = sum(1 for fs in self.findings.values() for f in fs if f.severity is not Severity.INFO)
        problems += sum(1 for f in duplicate_findings(self.dups) if f.severity is not Severity.INFO)
        return Result(items, insights, problems)

    def meetings(self) -> list[Meeting]:
        return [self.scheduled[p] for p in sorted(self.scheduled)]


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
            out_shape = Shape("contact", (shown, aliases),
                              referrer=referrer if referrer in vault.contacts else None)
        elif path in vault.meetings:
            meeting = vault.meetings[path]
            with_ = tuple(dict.fromkeys(p.path for p in meeting.with_ if p.path in vault.contacts))
            refs = tuple(dict.fromkeys(fold(_anchor(p.path, p.name)) for p in meeting.referrals))
            out_shape = Shape("meeting", (shown, ()), with_=with_, refs=refs)  # type: ignore[arg-type]
        elif path in vault.companies:
            aliases = vault.companies[path].aliases
            out_shape = Shape("company", (shown, aliases))
        else:
            out_shape = Shape("", (shown, ()))
        names |= {fold(a.strip()) for a in aliases}
        if shown and out_shape.kind == "contact":
            names.add(fold(shown))
        out[path] = Shape(out_shape.kind, out_shape.sig, out_shape.with_, out_shape.refs,
                          out_shape.referrer, tuple(sorted(names)))
    return out


def _anchor(path: str | None, name: str) -> str:
    return note_stem(path) if path else name


def build_agenda(vault: Vault, today: dt.date) -> Agenda:
    """The whole agenda of a vault on ``today``."""
    agenda = Agenda(today)
    _fill(agenda, vault, None, vault.notes)
    return agenda


def _fill(agenda: Agenda, vault: Vault, subjects: set[str] | None, notes: Iterable[str]) -> None:
    """(Re)compute the parts of ``agenda`` for ``subjects`` (None: all) and per-note parts for
    ``notes``, from ``vault`` (the whole vault, or a part holding everything they read)."""
    today = agenda.today
    grouped: dict[str, list[DueItem]] = defaultdict(list)
    for item in raw_items(vault, today):
        if subjects is None or item.subject in subjects:
            grouped[item.subject].append(item)
    wanted: Callable[[str], bool] = (lambda s: True) if subjects is None else subjects.__contains__
    for subject in ([] if subjects is None else subjects):
        agenda.items.pop(subject, None)
        agenda.dormant.pop(subject, None)
        agenda.shares.pop(subject, None)
    agenda.items.update((s, tuple(group)) for s, group in grouped.items())
    for contact in vault.contacts.values():
        if wanted(contact.path) and (found := dormant(vault, contact, today)) is not None:
            agenda.dormant[contact.path] = found
    for meeting in vault.meetings.values():
        if wanted(meeting.path) and (share := field_share(vault, meeting, today)) is not None:
            agenda.shares[meeting.path] = share
    by_note: dict[str, list[Finding]] = defaultdict(list)
    for finding in vault.findings:
        if finding.code != "duplicate":
            by_note[finding.path].append(finding)
    for path in notes:
        for part in (agenda.snoozes, agenda.dups, agenda.findings, agenda.people, agenda.scheduled):
            part.pop(path, None)
        if by_note.get(path):
            agenda.findings[path] = tuple(by_note[path])
        if (c := vault.contacts.get(path)) is not None:
            agenda.people[path] = Contact(path, c.name, company=c.company, role=c.role,
                                          email=c.email, phone=c.phone)
            if keys := _dup_keys(vault, c):
                agenda.dups[path] = keys
        obj = c or vault.meetings.get(path) or vault.companies.get(path)
        if obj is not None and obj.snoozes:
            agenda.snoozes[path] = obj.snoozes
        if (m := vault.meetings.get(path)) is not None and m.scheduled(today):
            agenda.scheduled[path] = m


def _dup_keys(vault: Vault, contact: Contact) -> tuple[tuple[str, str, int | None], ...]:
    lines = vault.notes[contact.path].meta_lines
    return tuple((label, key, lines.get(prop)) for label, key, prop in identity_keys(contact))


# --- what a change touches ----------------------------------------------------------------

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

    def update(self, changed: Mapping[str, Shape]) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ShapeIndex(Lookup):
    """`Lookup` over shapes held in memory."""

    def __init__(self, shapes: Mapping[str, Shape]) -> None:
        self.shapes: dict[str, Shape] = {}
        self._with: dict[str, set[str]] = defaultdict(set)
        self._referred: dict[str, set[str]] = defaultdict(set)
        self._refs: dict[str, set[str]] = defaultdict(set)
        self._named: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, set[str]] = defaultdict(set)
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

    def update(self, changed: Mapping[str, Shape]) -> None:
        for path, shape in changed.items():
            old = self.shapes.get(path)
            if old is not None:
                for table, key in self._links(path, old):
                    table[key].discard(path)
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


def affected(changed: Iterable[str], before: Mapping[str, Shape | None],
             after: Mapping[str, Shape | None], lookup: Lookup) -> set[str]:
    """The subjects whose items may differ after ``changed`` notes went from ``before`` to
    ``after`` (names unchanged)."""
    out: set[str] = set()
    for path in changed:
        out.add(path)
        for shape in (before.get(path), after.get(path)):
            if shape is None:
                continue
            if shape.kind == "meeting":
                for contact in shape.with_:
                    out.add(contact)
                    out |= lookup.referred_by(contact)  # report_back reads the referrer's meetings
                out.update(REF + key for key in shape.refs)
            elif shape.kind == "contact":
                out |= lookup.meetings_with(path)
                out |= lookup.referred_by(path)
                if shape.referrer:
                    out.add(shape.referrer)
    out.update(referral_subject(fold(note_stem(p))) for p in list(out) if not p.startswith(REF))
    return out


def reads(subjects: Iterable[str], lookup: Lookup) -> set[str]:
    """Every note the items of ``subjects`` are computed from."""
    out: set[str] = set()
    for subject in subjects:
        if subject.startswith(REF):
            key = subject[len(REF):]
            out |= lookup.referring(key)
            for contact in lookup.named(key):
                out.add(contact)
                out |= lookup.meetings_with(contact)
            continue
        shape = lookup.shape(subject)
        if shape is None:
            continue
        out.add(subject)
        if shape.kind == "contact":
            out |= lookup.meetings_with(subject)
            out |= lookup.referred_by(subject)
            if shape.referrer:
                out.add(shape.referrer)
                out |= lookup.meetings_with(shape.referrer)
        elif shape.kind == "meeting":
            out.update(shape.with_)
    return out


def update_agenda(agenda: Agenda, part: Vault, subjects: set[str], changed: Iterable[str]) -> None:
    """Recompute ``subjects`` and the per-note parts of ``changed`` notes from ``part``, a
    vault holding at least `reads(subjects)` and the notes their links lead to."""
    _fill(agenda, part, subjects, list(changed))


@dataclass
class Change:
    """What `apply_changes` did: the new shapes of the changed notes, and how much it took."""

    shapes: dict[str, Shape]
    subjects: int = 0
    notes_read: int = 0


def apply_changes(agenda: Agenda, settings: Settings, changed: Mapping[str, ParsedNote],
                  lookup: Lookup, load: Callable[[set[str]], Iterable[ParsedNote]]) -> Change | None:
    """Bring ``agenda`` up to date after ``changed`` notes (already in the vault before, and
    still there) were edited; ``load`` gives the stored notes of a set of paths. ``lookup`` is
    updated with the new shapes. None, and nothing touched, when a change reaches names or
    kinds (a note renamed, retyped, broken or mended): the caller then rebuilds everything."""
    paths = set(changed)

    def part(core: set[str]) -> Vault:
        notes = {n.path: n for n in load(core - paths)}
        notes.update((p, changed[p]) for p in core & paths)
        keys = set().union(*(link_keys(n) for n in notes.values()))
        extra = lookup.candidates(keys) - notes.keys() - paths
        notes.update((n.path, n) for n in load(extra))
        notes.update((p, changed[p]) for p in lookup.candidates(keys) & paths)
        return build_vault(notes.values(), settings)

    mini = part(set(paths))
    after = shapes(mini, paths)
    before = {p: lookup.shape(p) for p in paths}
    for path in paths:
        old, new = before[path], after[path]
        if old is None or old.kind != new.kind or old.sig != new.sig or old.names != new.names:
            return None
    subjects = affected(paths, before, after, lookup)
    lookup.update(after)
    core = reads(subjects, lookup) | paths
    whole = part(core)
    update_agenda(agenda, whole, subjects, paths)
    return Change(after, len(subjects), len(whole.notes))
