"""How notes connect, as the rules see them: each note's `Shape` (its kind, its names, the
notes its links lead to), the reverse lookups over those shapes (`ShapeLookup`, in memory
`ShapeIndex`), and which recorded reads (`recording` keys) a change of shapes touches
(`touched_keys`). The agenda uses them to know which subjects an edit recomputes and which
notes a partial vault must hold; everything here is pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from coffeechat.core.agenda.recording import met_key, name_key, note_key, referred_key
from coffeechat.core.links import fold, parse_link_list
from coffeechat.core.model import ParsedNote
from coffeechat.core.rules.referral import REF, referral_subject
from coffeechat.core.vault.vault import (
    LINK_LISTS,
    LINK_SINGLES,
    Vault,
    note_stem,
    referral_key,
    single_link,
)

__all__ = [
    "Shape",
    "ShapeIndex",
    "ShapeLookup",
    "link_keys",
    "own_subjects",
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


def own_subjects(
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


class ShapeLookup:
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


class ShapeIndex(ShapeLookup):
    """`ShapeLookup` over shapes held in memory."""

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
