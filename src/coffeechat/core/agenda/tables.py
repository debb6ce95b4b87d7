"""The tables the agenda keeps beside its items, in memory: which meetings count towards
which field (`FieldTally`), each contact's identity keys (`DupTable`), and what each subject
read (`ReadIndex`). A store may keep each in a database instead, with the same methods.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable

from coffeechat.core.rules.insights import FieldShare
from coffeechat.core.vault.checks import duplicate_findings

__all__ = ["DupTable", "FieldTally", "ReadIndex"]


class FieldTally:
    """Which held meetings count towards which field (`rules.insights.field_share`), in memory; a
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
    """Each contact's identity keys (`vault_checks.identity_keys`), in memory; a store may keep
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
