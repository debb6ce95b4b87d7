"""The finished agenda (`FinishedAgenda`: what `due` shows) and the patches that keep it up
to date (`Patch`): a change drops the items of the subjects it recomputed and inserts their new
ones in order, so a store can replay the patches made since it last saved instead of writing
the whole agenda again.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from coffeechat.core.model import DueItem, Finding
from coffeechat.core.rules import item_order

__all__ = ["FinishedAgenda", "Patch"]


@dataclass(frozen=True, slots=True)
class FinishedAgenda:
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
