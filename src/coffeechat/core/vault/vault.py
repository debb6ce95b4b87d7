"""The linked model of the vault (`Vault`: contacts, companies, meetings, the reverse lookups
between them, and each contact's timeline of touches), the `VaultView` protocol the rules read
it through, and how a name typed by the user finds a note (`Vault.find`, `Vault.one`). The
model is built from parsed notes by `core.vault.builder`; nothing here does I/O."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from coffeechat.core.links import Link, LinkResolver, fold, parse_link
from coffeechat.core.model import (
    INTERACTION_KINDS,
    Company,
    Contact,
    Finding,
    Meeting,
    NoteType,
    ParsedNote,
    Person,
    Severity,
    Touch,
)
from coffeechat.core.settings import Settings

__all__ = [
    "LINK_LISTS",
    "LINK_SINGLES",
    "Vault",
    "VaultView",
    "last_of",
    "note_stem",
    "note_type",
    "referral_key",
    "single_link",
    "touches_of",
]

#: The properties holding one link, and those holding a list of links.
LINK_SINGLES = ("company", "referred_by")
LINK_LISTS = ("with", "referrals")


def single_link(value: Any) -> Link | None:
    """The link of a one-link property; a list holding one (or more) counts as its first."""
    if isinstance(value, list) and value and not (len(value) == 1 and isinstance(value[0], list)):
        value = value[0]
    return parse_link(value)


def note_stem(path: str) -> str:
    """A note's file name without ``.md``: the name links use."""
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


#: "Priya Raman on 2026-10-08", or a title as `due` prints it, "Coffee with Priya Raman
#: (2026-10-08 16:00)".
ON_DATE = re.compile(
    r"\s*(.+?)\s+(?:on\s+(\d{4}-\d{2}-\d{2})|\((\d{4}-\d{2}-\d{2})"
    r"(?:[ T]\d{1,2}:\d{2})?\))\s*",
    re.IGNORECASE,
)
_KIND_TYPES = {
    "contacts": NoteType.CONTACT,
    "companies": NoteType.COMPANY,
    "meetings": NoteType.MEETING,
}
#: What `Vault.one` calls what it looks for ("no contact or meeting matches 'X'").
_WHAT = {
    ("contacts",): "contact",
    ("companies",): "company",
    ("meetings",): "meeting",
    ("contacts", "meetings"): "contact or meeting",
    ("contacts", "companies", "meetings"): "contact, company or meeting",
}


def note_type(note: ParsedNote, settings: Settings) -> NoteType | None:
    """By ``type:``, else by top folder; ``None`` for any other note."""
    declared = note.meta.get("type")
    if isinstance(declared, str) and declared.strip():
        try:
            return NoteType(declared.strip().lower())
        except ValueError:
            return None
    top = fold(note.path.split("/", 1)[0]) if "/" in note.path else ""
    for kind, folder in (
        (NoteType.CONTACT, settings.contacts_folder),
        (NoteType.COMPANY, settings.companies_folder),
        (NoteType.MEETING, settings.meetings_folder),
    ):
        if top == fold(folder.split("/", 1)[0]) and fold(note.path).startswith(fold(folder) + "/"):
            return kind
    return None


class VaultView(Protocol):
    """What the rules read of a vault: `Vault` itself, or a view over it that notes each
    lookup (`coffeechat.core.agenda.recording`). Everything a rule learns about other notes goes
    through these: the maps by path and the reverse lookups below."""

    @property
    def settings(self) -> Settings: ...
    @property
    def contacts(self) -> Mapping[str, Contact]: ...
    @property
    def meetings(self) -> Mapping[str, Meeting]: ...
    @property
    def companies(self) -> Mapping[str, Company]: ...
    def meetings_with(self, contact_path: str) -> list[Meeting]: ...
    def contacts_referred_by(self, contact_path: str) -> list[str]: ...
    def meetings_referring(self, key: str) -> list[Meeting]: ...
    def contacts_named(self, key: str) -> list[Contact]: ...
    def touches(self, contact_path: str, today: dt.date) -> list[Touch]: ...
    def last_interaction(self, contact_path: str, today: dt.date) -> dt.date | None: ...


def touches_of(contact: Contact | None, meetings: Iterable[Meeting], today: dt.date) -> list[Touch]:
    """Every dated interaction with a contact, oldest first: log lines, the held ``meetings``
    with them, and the thank-you dates written on those meetings."""
    out: list[Touch] = []
    path = contact.path if contact is not None else None
    if contact is not None:
        out.extend(Touch(e.date, e.kind, contact.path, e.line, e.text) for e in contact.log)
    for meeting in meetings:
        if meeting.held(today):
            out.append(Touch(meeting.date, "meeting", meeting.path, None, meeting.title))
        if meeting.thank_you is not None and not meeting.cancelled:
            out.append(Touch(meeting.thank_you, "thank_you", meeting.path, None, "thank-you sent"))
    out.sort(key=lambda t: (t.date, t.source != path, t.line or 0))
    return out


def last_of(touches: Iterable[Touch], today: dt.date) -> dt.date | None:
    """The day of the last interaction among ``touches`` up to ``today``."""
    dates = [t.date for t in touches if t.kind in INTERACTION_KINDS and t.date <= today]
    return max(dates) if dates else None


def referral_key(person: Person) -> str:
    """The folded name a referral is known by: its note's file name, or the name as written
    (several links and plain names may mean one person)."""
    return fold(note_stem(person.path) if person.path else person.name)


@dataclass
class Vault:
    """The whole vault as one linked model. Built by `build_vault`; never does I/O."""

    settings: Settings
    notes: dict[str, ParsedNote]
    contacts: dict[str, Contact] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)
    meetings: dict[str, Meeting] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    resolver: LinkResolver | None = None
    meetings_by_contact: dict[str, list[Meeting]] = field(default_factory=dict)
    referred: dict[str, list[str]] = field(default_factory=dict)  # referrer -> contacts
    #: folded referral name (`referral_key`) -> the meetings whose referrals name it
    referring: dict[str, list[Meeting]] = field(default_factory=dict)
    #: folded file name -> the contacts of that file name
    named: dict[str, list[Contact]] = field(default_factory=dict)
    _touches: dict[tuple[str, dt.date], list[Touch]] = field(default_factory=dict, repr=False)

    def meetings_with(self, contact_path: str) -> list[Meeting]:
        return self.meetings_by_contact.get(contact_path, [])

    def contacts_referred_by(self, contact_path: str) -> list[str]:
        return self.referred.get(contact_path, [])

    def meetings_referring(self, key: str) -> list[Meeting]:
        return self.referring.get(key, [])

    def contacts_named(self, key: str) -> list[Contact]:
        return self.named.get(key, [])

    def touches(self, contact_path: str, today: dt.date) -> list[Touch]:
        """`touches_of` a contact (kept for the day: several rules ask)."""
        cached = self._touches.get((contact_path, today))
        if cached is None:
            cached = self._touches[(contact_path, today)] = touches_of(
                self.contacts.get(contact_path), self.meetings_with(contact_path), today
            )
        return cached

    def last_interaction(self, contact_path: str, today: dt.date) -> dt.date | None:
        return last_of(self.touches(contact_path, today), today)

    def find(self, name: str) -> list[str]:
        """Paths of notes a typed name may mean: a link target, an alias or a ``name:``, a
        meeting's title as coffeechat prints it ("Coffee with Priya Raman"), or "NAME on
        DATE" for the meetings with NAME (a person or a title) on that day."""
        if self.resolver is None:
            return []
        link = parse_link(name if "[[" in name else f"[[{name}]]")
        if link is not None:
            res = self.resolver.resolve(link)
            if res.path is not None:
                return [res.path]
            if res.candidates:
                return list(res.candidates)
        key = fold(name.strip())
        hits = [c.path for c in self.contacts.values() if fold(c.name) == key]
        hits += [c.path for c in self.companies.values() if fold(c.name) == key]
        hits += [m.path for m in self.meetings.values() if fold(m.title) == key]
        if not hits:
            hits = self._on_date(name)
        if not hits:  # a unique part of a name: "priya" finds Priya Raman
            hits = [c.path for c in self.contacts.values() if key in fold(c.name)]
            hits += [c.path for c in self.companies.values() if key in fold(c.name)]
        return sorted(set(hits))

    def _on_date(self, name: str) -> list[str]:
        """The meetings "NAME on 2026-10-08" (or "NAME (2026-10-08 16:00)") means: on that day,
        with NAME or titled NAME."""
        m = ON_DATE.fullmatch(name)
        if m is None:
            return []
        try:
            day = dt.date.fromisoformat(m[2] or m[3])
        except ValueError:
            return []
        meant = set(self.find(m[1]))
        return [
            mt.path
            for mt in self.meetings.values()
            if mt.date == day and (mt.path in meant or any(p.path in meant for p in mt.with_))
        ]

    def one(self, name: str, kinds: tuple[str, ...]) -> str:
        """The path of the one contact, company or meeting (``kinds``: "contacts",
        "companies", "meetings") that a name typed by the user means. Raises NotFound naming
        the choices when there are several, and NoteError naming the note and its error
        when the name means a note that cannot be read (not "no contact matches")."""
        from coffeechat.errors import NoteError, NotFound

        pools = [getattr(self, k) for k in kinds]
        found = self.find(name)
        hits = [p for p in found if any(p in pool for pool in pools)]
        if len(hits) == 1:
            return hits[0]
        what = _WHAT[kinds]
        if not hits:
            broken = self._broken(name, found, kinds)
            if broken is not None:
                raise NoteError(
                    broken.path,
                    broken.line,
                    f"{broken.message} (the note cannot be read until this is fixed)",
                )
            raise NotFound(f"no {what} matches {name!r}")
        if all(p in self.meetings for p in hits):
            choices = ", ".join(repr(self._meeting_name(p)) for p in hits[:6])
            raise NotFound(
                f"{name!r} matches {len(hits)} meetings: {choices}"
                + (" …" if len(hits) > 6 else "")
                + " — say which one"
            )
        shown = ", ".join(hits[:6]) + (" …" if len(hits) > 6 else "")
        plural = kinds[0] if len(kinds) == 1 else "notes"
        raise NotFound(
            f"{name!r} matches several {plural}: {shown} — give more of the name or a path"
        )

    def _meeting_name(self, path: str) -> str:
        """How to name one meeting without doubt: "Priya Raman on 2026-10-08" (the title when
        it lists nobody, or two on the same day with the same person)."""
        m = self.meetings[path]
        same_day = [
            o for o in self.meetings.values() if o.date == m.date and o.with_[:1] == m.with_[:1]
        ]
        who = m.with_[0].name if m.with_ and len(same_day) == 1 else m.title
        return f"{who} on {m.date.isoformat()}"

    def _broken(self, name: str, found: list[str], kinds: tuple[str, ...]) -> Finding | None:
        """The first error of a note of ``kinds`` that cannot be read and that ``name`` means:
        a link to it, or its file name holding the name."""
        wanted = {_KIND_TYPES[k] for k in kinds}
        key = fold(name.strip())
        for path in [*found, *sorted(self.notes)]:
            note = self.notes.get(path)
            if note is None or not note.broken or note_type(note, self.settings) not in wanted:
                continue
            if path in found or key in fold(note.stem):
                return next(
                    (f for f in note.findings if f.severity is Severity.ERROR),
                    note.findings[0] if note.findings else None,
                )
        return None

    def display_name(self, path: str) -> str:
        if path in self.contacts:
            return self.contacts[path].name
        if path in self.companies:
            return self.companies[path].name
        if path in self.meetings:
            return self.meetings[path].title
        return self.notes[path].stem if path in self.notes else path
