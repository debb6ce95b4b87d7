"""Keeping an agenda current: a new day (`move_day`) recomputes the subjects whose window it
leaves, and changed notes (`apply_changes`) the subjects that read what they touch. Either
recomputes a few subjects on a vault of only the notes they read (`partial_vault`), widened
until it holds every note that answers what they read. Pure: notes come from a ``load``
callable and a `ShapeLookup`, both given by the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from coffeechat.core.agenda.agenda import Agenda, commit, snoozes_of
from coffeechat.core.agenda.ahead import SubjectDay, chain_ahead
from coffeechat.core.agenda.finished import Patch
from coffeechat.core.agenda.recording import RecordingVault
from coffeechat.core.agenda.shapes import (
    Shape,
    ShapeLookup,
    link_keys,
    own_subjects,
    shapes,
    touched_keys,
)
from coffeechat.core.model import ParsedNote
from coffeechat.core.rules import give_up_horizon, goes_stale
from coffeechat.core.rules.referral import REF
from coffeechat.core.settings import Settings
from coffeechat.core.vault.builder import build_vault
from coffeechat.core.vault.vault import Vault

__all__ = ["apply_changes", "move_day", "needs_items", "partial_vault"]


def partial_vault(
    settings: Settings,
    core: set[str],
    lookup: ShapeLookup,
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
    lookup: ShapeLookup,
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
    found: dict[str, SubjectDay] = {}
    pending = subjects
    while pending:
        view = RecordingVault(part)
        got = {s: chain_ahead(view, s, agenda.today) for s in pending}
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
    commit(agenda, first, found.items(), notes)
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
    lookup: ShapeLookup,
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
            commit(agenda, build_vault((), settings), made.items(), ())
        if expired - made.keys():
            _recompute(agenda, settings, expired - made.keys(), lookup, load)
    if agenda.items_complete:
        agenda.refinish()
    return len(expired)


def apply_changes(
    agenda: Agenda,
    settings: Settings,
    changed: Mapping[str, ParsedNote],
    lookup: ShapeLookup,
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
        snoozes_of(mini, p) != agenda.snoozes.get(p, ()) for p in changed.keys() | gone
    ):
        return None  # a snooze may move any item, and the raw items are not at hand
    paths = changed.keys() | gone
    subjects = agenda.reads.readers(touched_keys(paths, before, after)) | own_subjects(
        paths, before, after
    )
    lookup.update(after)
    _recompute(agenda, settings, subjects, lookup, load, changed, paths)
    return len(subjects)
