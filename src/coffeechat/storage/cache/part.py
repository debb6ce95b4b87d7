"""A part of the vault, read through the store: what a command about a few notes needs
(`show`, `prep`, `draft`, the writing commands, `push` writing back a ticked task), not
every note.

`part_of` gathers the notes a typed name may mean and the notes around some subjects from the
stored shapes and links (`tables.SqlShapeLookup`), and `is_taken` tells whether a file name is
taken, both from one snapshot of a store that is up to date (`ask_current`, which never
writes); `VaultReader` is how a command asks: through the store while it can answer, else
the whole vault, loaded once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from coffeechat.core.links import fold
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import note_stem
from coffeechat.storage.cache import codec, schema
from coffeechat.storage.cache.codec import Damaged
from coffeechat.storage.cache.schema import rows_in
from coffeechat.storage.cache.tables import SqlReads, SqlShapeLookup, links_of
from coffeechat.storage.cachedir import cache_dir
from coffeechat.storage.writer import NoteNames

__all__ = ["VaultReader", "ask_current", "is_taken", "part_of"]


class VaultReader:
    """The parts of the vault a command about a few notes reads (`App.part`, and `push`
    writing back a task ticked on the server): through the store (`Index.part`,
    `Index.taken`) once it is up to date with the notes (after `Index.agenda`); the whole
    vault, loaded once (``whole``, by default through the one loader, `Index.vault`), when
    the store cannot answer."""

    def __init__(self, index: Any, whole: Callable[[], Any] | None = None) -> None:
        self.index = index
        self._load = whole if whole is not None else index.vault
        self._whole: Any = None

    def whole(self) -> Any:
        if self._whole is None:
            self._whole = self._load()
        return self._whole

    def part(self, names: Sequence[str] = (), around: Iterable[str] = ()) -> Any:
        found = self.index.part(names, around) if self._whole is None else None
        return found if found is not None else self.whole()

    def names(self) -> NoteNames:
        def taken(key: str) -> bool:
            answer = self.index.taken(key) if self._whole is None else None
            return answer if answer is not None else key in NoteNames(self.whole().notes)

        return NoteNames((), ask=taken)


def ask_current(
    root: Path, path: Path, settings: Settings, question: Callable[[sqlite3.Connection], Any]
) -> Any:
    """``question`` answered from one snapshot of the cache ``path`` of the vault ``root``,
    when the store is up to date with the notes; None when it is not, or cannot be used (it
    is never written here)."""
    from coffeechat.errors import CoffeechatError

    if not path.exists():
        return None
    try:
        cache_dir(root, create=False)
        db = schema.open_db(path)
    except (sqlite3.Error, OSError, CoffeechatError):
        return None
    try:
        db.execute("BEGIN")  # (a read: other coffeechats may write meanwhile)
        return question(db) if schema.is_current(db, root, settings) else None
    except sqlite3.OperationalError:
        return None  # (busy for too long: this once, the whole vault)
    except schema.DAMAGE:
        db.close()
        schema.remove(path)  # damaged: the next run builds it again
        return None
    finally:
        db.close()


def part_of(
    db: sqlite3.Connection, settings: Settings, names: Iterable[str], around: Iterable[str]
) -> Any:
    """The vault of the stored notes that ``names`` may mean and of the notes ``around``
    some subjects or paths (see `Index.part`), and every note their links may lead to."""
    from coffeechat.core.agenda.recompute import partial_vault

    db.create_function(
        "cc_fold", 1, lambda t: fold(t) if isinstance(t, str) else None, deterministic=True
    )
    lookup = SqlShapeLookup(db)
    core = _around(db, lookup, set(around))
    for name in names:
        core |= _named(db, lookup, name)
    _check(db, lookup, core)
    return partial_vault(settings, core, lookup, lookup.load)


def is_taken(db: sqlite3.Connection, key: str) -> bool:
    """Whether a stored note's file name (without ``.md``) folds to ``key``."""
    return any(fold(note_stem(p)) == key for p in SqlShapeLookup(db).candidates({key}))


def _check(db: sqlite3.Connection, lookup: SqlShapeLookup, paths: set[str]) -> None:
    """Raise `Damaged` when the stored links or note of one of the first ``paths``, or of
    the first two notes, do not follow from its stored shape: a store damaged so that
    questions quietly find nothing (a column of garbage) is not trusted."""
    sample = sorted(paths)[:50] + [
        codec.text(p) for (p,) in db.execute("SELECT path FROM shapes ORDER BY path LIMIT 2")
    ]
    for path in sample:
        shape = lookup.shape(path)
        if shape is None:
            continue  # (a subject without a note, or a note this command made)
        rows = sorted(db.execute("SELECT src, rel, dst FROM links WHERE src = ?", (path,)))
        notes = lookup.load({path})
        if rows != sorted(links_of(path, shape)) or [n.path for n in notes] != [path]:
            raise Damaged(f"the stored links or note of {path} do not match its shape")


def _around(db: sqlite3.Connection, lookup: SqlShapeLookup, around: set[str]) -> set[str]:
    """The notes around subjects and notes: those answering what the rules read for each
    subject (`ReadIndex`), and what a card, a prep sheet or a letter of each note shows: a
    contact's meetings, the meetings that gave their name, the contacts they referred or
    named at a meeting and the meetings with those, a meeting's people, a company's
    people (the notes linking to it by one of its names) and their meetings."""
    from coffeechat.core.rules.referral import REF

    out = {s for s in around if not s.startswith(REF)}
    out |= lookup.answering(SqlReads(db).of(around))
    for path in around:
        shape = lookup.shape(path)
        if shape is None:
            continue
        if shape.kind == "contact":
            meetings, given = lookup.meetings_with(path), lookup.referred_by(path)
            out |= meetings | lookup.referring(fold(note_stem(path)))  # who gave the name
            for meeting in meetings:  # the names they gave you, and your meetings with them
                if (held := lookup.shape(meeting)) is not None:
                    for key in held.refs:
                        given |= lookup.named(key)
            for other in given:
                out |= {other} | lookup.meetings_with(other)
        elif shape.kind == "meeting":
            out.update(shape.with_)
        elif shape.kind == "company":
            for linker in lookup.linking(set(shape.names)):
                out.add(linker)
                if (linked := lookup.shape(linker)) is not None and linked.kind == "contact":
                    out |= lookup.meetings_with(linker)
    return out


def _named(db: sqlite3.Connection, lookup: SqlShapeLookup, name: str) -> set[str]:
    """Every note `Vault.find` may find by ``name`` (more is harmless: the part's own
    `find` picks among them as the whole vault's does)."""
    from coffeechat.core.links import parse_link
    from coffeechat.core.vault.vault import ON_DATE

    out: set[str] = set()
    link = parse_link(name if "[[" in name else f"[[{name}]]")
    if link is not None:
        out |= lookup.candidates({fold(link.target).rsplit("/", 1)[-1]})
    key = fold(name.strip())
    # A name, an alias or a file name (a meeting's title is part of its file name) that
    # holds the name; then the companies by their `name:`, which links do not use.
    out.update(
        p
        for (p,) in db.execute(
            "SELECT src FROM links WHERE rel = 'n' AND instr(dst, ?) > 0", (key,)
        )
    )
    out.update(
        p
        for (p,) in db.execute(
            "SELECT path FROM shapes WHERE shape LIKE '[\"company\",%'"
            " AND instr(cc_fold(json_extract(shape, '$[1]')), ?) > 0",
            (key,),
        )
    )
    on_date = ON_DATE.fullmatch(name)
    if on_date is not None:  # "NAME on DATE": the meetings linking to what NAME means
        meant = _named(db, lookup, on_date[1])
        out |= meant
        keys = {
            k
            for (k,) in rows_in(
                db, "SELECT dst FROM links WHERE rel = 'n' AND src IN ({})", sorted(meant)
            )
        }
        out |= lookup.linking(keys)
    for path in list(out):  # meetings are told apart by their people's other meetings
        shape = lookup.shape(path)
        if shape is not None and shape.kind == "meeting":
            for contact in shape.with_:
                out |= lookup.meetings_with(contact)
    return out
