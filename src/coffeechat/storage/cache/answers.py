"""What the store answers each question with (`storage.cache.index.Index`): every note, the agenda
on a day, the rows of `list`, the figures of `stats` and `graph`, the findings of `check` —
each with what the walk could not read and what went wrong with the store itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coffeechat.core.agenda.agenda import Agenda
from coffeechat.core.agenda.finished import FinishedAgenda
from coffeechat.core.coaching.figures import Figures
from coffeechat.core.model import Contact, Finding, Meeting, ParsedNote, count_problems
from coffeechat.storage.scan import FileStat

__all__ = ["CheckReport", "CurrentAgenda", "CurrentNotes", "ListRows", "StatsFigures"]


@dataclass
class CurrentNotes:
    """Every note as the store now sees the vault (`Index.refresh`), and what it took to get
    there."""

    notes: list[ParsedNote]
    parsed: int = 0
    removed: int = 0
    rebuilt: bool = False
    cached: bool = True  # False when the cache could not be used (read-only vault, ...)
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    stats: dict[str, FileStat] = field(default_factory=dict)  # the notes as the walk saw them


@dataclass
class CurrentAgenda:
    """The agenda on a day, as the store now sees the vault (`Index.agenda`), and how it got
    there."""

    result: FinishedAgenda
    how: str  # "cached", "updated" (only what changed was recomputed) or "rebuilt"
    meetings: Callable[[], list[Meeting]]  # the meetings still ahead, for the feed
    contacts: Callable[[], dict[str, Contact]]  # slim contacts, for the feed
    parsed: int = 0
    removed: int = 0
    findings: list[Finding] = field(default_factory=list)  # what the walk found unreadable
    warnings: list[str] = field(default_factory=list)
    #: Which stored agenda this is (a new one each time it is stored; None when it was not): a
    #: caller holding it (`watch`) passes it back as ``known`` and is spared reading it again.
    stamp: str | None = None
    #: The stored agenda this one was brought up from (its stamp), and the people and the
    #: meetings ahead that changed on the way (None: gone); None when not known.
    base: str | None = None
    people_changed: dict[str, Contact | None] | None = None
    meetings_changed: dict[str, Meeting | None] | None = None

    @classmethod
    def of(cls, agenda: Agenda, how: str) -> CurrentAgenda:
        return cls(agenda.finished(), how, agenda.meetings, agenda.contacts)

    def with_walk(self) -> CurrentAgenda:
        """This agenda, its problem count with what the walk could not read."""
        if self.findings:
            extra = count_problems(self.findings)
            self.result = FinishedAgenda(
                self.result.items, self.result.insights, self.result.problems + extra
            )
        return self


@dataclass
class ListRows:
    """What `list` shows (`Index.rows`): a row per contact or meeting, by path."""

    rows: list[dict[str, Any]]
    problems: int
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what the walk found unreadable


@dataclass
class StatsFigures:
    """What `stats` and `graph` add up (`Index.figures`): each contact's and meeting's figures,
    and the problem count."""

    figures: Figures
    problems: int
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # what the walk found unreadable


@dataclass
class CheckReport:
    """What `check` reports (`Index.check`): every finding, and how many notes were read."""

    found: list[Finding]
    notes: int
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # all of them, once the walk's are in
