"""The value types of coffeechat: what a note holds once read, and what the rules produce."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from coffeechat.errors import located

__all__ = [
    "Company",
    "Contact",
    "DueItem",
    "Finding",
    "LogEntry",
    "LogKind",
    "Meeting",
    "NoteType",
    "ParsedNote",
    "Person",
    "Severity",
    "Task",
    "Touch",
    "count_problems",
]


class NoteType(StrEnum):
    CONTACT = "contact"
    COMPANY = "company"
    MEETING = "meeting"


class LogKind(StrEnum):
    APPROACH = "approach"
    FOLLOW_UP = "follow_up"
    CALL = "call"
    VOICEMAIL = "voicemail"
    EMAIL = "email"
    REPLY = "reply"
    THANK_YOU = "thank_you"
    UPDATE = "update"
    REPORT_BACK = "report_back"
    LANDED = "landed"
    DECLINED = "declined"
    NOTE = "note"


#: Touches that count as you reaching out (SPEC §3), plus "meeting" for a held meeting.
OUTBOUND_KINDS = frozenset(
    {
        "approach",
        "follow_up",
        "call",
        "voicemail",
        "email",
        "thank_you",
        "update",
        "report_back",
        "landed",
        "meeting",
    }
)
#: Outbound touches plus their reply: everything that shows the relationship is alive.
INTERACTION_KINDS = OUTBOUND_KINDS | {"reply"}
#: Kinds that count as one more try at an unanswered approach.
ATTEMPT_KINDS = frozenset({"approach", "follow_up", "call", "voicemail", "email"})
#: A thank-you goes out within this many days of the meeting: the etiquette check (`lint`)
#: holds a letter to it, and `stats` counts the thank-yous that kept it.
THANK_YOU_DAYS = 3


class Severity(StrEnum):
    ERROR = "error"  # the note is left out of every computation until fixed
    WARNING = "warning"  # the note is used, but something in it is off
    INFO = "info"  # a suggestion (mark dormant, broaden your field)


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see DueItem
class Finding:
    """Something `check` reports: ``path:line: message``."""

    path: str
    line: int | None
    message: str
    severity: Severity = Severity.WARNING
    code: str = ""

    def __str__(self) -> str:
        return located(self.path, self.line, self.message)


def count_problems(findings: Iterable[Finding]) -> int:
    """What `due` counts as problems: findings that are errors (the note is left out) or
    warnings, not suggestions."""
    return sum(1 for f in findings if f.severity is not Severity.INFO)


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see DueItem
class LogEntry:
    """One dated line of a contact's log: ``- 2026-11-02 approach: emailed``."""

    date: dt.date
    kind: str  # a LogKind value
    text: str
    line: int


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see DueItem
class Task:
    """A Markdown task with a due date (Obsidian Tasks ``📅`` or Dataview ``[due:: ]``)."""

    text: str
    due: dt.date
    done: bool
    line: int


@dataclass(slots=True)  # immutable by convention (see DueItem): 100,000 are built per cold index
class ParsedNote:
    """What one file holds, read without any knowledge of the rest of the vault.

    ``meta`` is the front matter as plain JSON-able values (dates stay text here);
    ``meta_lines`` gives the file line of each top-level key. A ``broken`` note (bad YAML,
    conflict markers, undecodable bytes, ...) is kept for link resolution and `check` only.
    """

    path: str
    mtime_ns: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    meta_lines: dict[str, int] = field(default_factory=dict)
    has_front_matter: bool = False
    log: tuple[LogEntry, ...] = ()
    tasks: tuple[Task, ...] = ()
    findings: tuple[Finding, ...] = ()
    broken: bool = False

    @property
    def stem(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name[:-3] if name.lower().endswith(".md") else name


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see DueItem
class Person:
    """Someone a note points at: a contact note when the link resolved, else just a name."""

    name: str
    path: str | None = None  # vault-relative path of their contact note

    @property
    def key(self) -> str:
        return self.path or "?" + self.name.casefold()


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention: see DueItem
class Touch:
    """One dated interaction on a contact's timeline (a log line or a meeting)."""

    date: dt.date
    kind: str  # a LogKind value, or "meeting" for a held meeting
    source: str  # path of the note it comes from
    line: int | None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    path: str
    name: str
    aliases: tuple[str, ...] = ()
    company: str = ""  # the company's name as linked
    company_path: str | None = None  # its company note, when the link resolved
    role: str = ""
    email: str = ""
    phone: str = ""
    linkedin: str = ""
    field: str = ""
    tags: tuple[str, ...] = ()
    referred_by: Person | None = None
    how_met: str = ""
    cadence: str = ""  # as written; the rules parse it with the configured default
    status: str = ""  # "", "dormant", "paused" or "do_not_contact"
    follow_up: dt.date | None = None
    follow_up_line: int | None = None
    added: dt.date | None = None  # as written, or from the earliest log line, or the file date
    log: tuple[LogEntry, ...] = ()
    tasks: tuple[Task, ...] = ()
    snoozes: tuple[tuple[str, dt.date], ...] = ()

    @property
    def person(self) -> Person:
        return Person(self.name, self.path)


@dataclass(frozen=True, slots=True)
class Company:
    path: str
    name: str
    aliases: tuple[str, ...] = ()
    website: str = ""
    industry: str = ""
    tags: tuple[str, ...] = ()
    research: str = ""
    tasks: tuple[Task, ...] = ()
    snoozes: tuple[tuple[str, dt.date], ...] = ()


@dataclass(frozen=True, slots=True)
class Meeting:
    path: str
    date: dt.date  # the day, in the vault's time zone
    time: dt.time | None = None  # wall-clock start when one was written
    offset: int | None = None  # UTC offset in minutes when one was written
    with_: tuple[Person, ...] = ()
    kind: str = ""  # the kind coffeechat knows it as ("coffee" for lunch), or the word itself
    duration: int = 30
    location: str = ""
    status: str = ""  # "", "cancelled" or "no_show"
    referrals: tuple[Person, ...] = ()
    thank_you: dt.date | None = None
    follow_up: dt.date | None = None
    follow_up_line: int | None = None
    prepared: dt.date | None = None
    title: str = ""
    tasks: tuple[Task, ...] = ()
    snoozes: tuple[tuple[str, dt.date], ...] = ()
    word: str = ""  # the note's kind: as the user wrote it, lower case ("lunch")

    @property
    def cancelled(self) -> bool:
        return self.status in ("cancelled", "no_show")

    def held(self, today: dt.date) -> bool:
        """Took place: dated before today and not cancelled."""
        return self.date < today and not self.cancelled

    def scheduled(self, today: dt.date) -> bool:
        """Still ahead: dated today or later and not cancelled."""
        return self.date >= today and not self.cancelled


@dataclass(slots=True, unsafe_hash=True)
class DueItem:
    """One follow-up the user owes: the unit of `due`, the feed and `done`.

    Treat it as immutable (`dataclasses.replace` makes a changed copy). It is not frozen only
    because a frozen dataclass is three times slower to build, and the stored agenda of a big
    vault holds tens of thousands of items that every `due` loads (`storage.cache.codec`).
    """

    id: str
    rule: str
    contact: str  # display name of the person to act towards
    contact_path: str | None
    due: dt.date
    title: str
    why: str
    source: str  # vault-relative path of the note that anchors the item
    line: int | None = None
    meeting: str | None = None  # path of the meeting it is about, if any
    #: What the item was computed from (a note path, or ``ref:`` + a referred name): the unit
    #: `coffeechat.core.agenda.agenda` recomputes when notes change. Not part of the item's identity.
    subject: str = field(default="", compare=False, repr=False)

    def overdue(self, today: dt.date) -> bool:
        return self.due < today
