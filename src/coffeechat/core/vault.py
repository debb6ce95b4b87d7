"""Parsed notes in, a linked model out: contacts, companies, meetings and their timelines."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from coffeechat.core.dates import add_months, out_of_range, parse_cadence, parse_date_value
from coffeechat.core.links import Link, LinkResolver, fold, parse_link, parse_link_list
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
    "KNOWN_KINDS",
    "LINK_LISTS",
    "LINK_SINGLES",
    "Vault",
    "VaultView",
    "build_vault",
    "duplicate_findings",
    "far_future",
    "identity_keys",
    "kind_suggestion",
    "note_stem",
    "note_type",
    "own_word",
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


CONTACT_STATUSES = {
    "dormant": "dormant",
    "paused": "paused",
    "do_not_contact": "do_not_contact",
    "do-not-contact": "do_not_contact",
    "do not contact": "do_not_contact",
    "dnc": "do_not_contact",
}
MEETING_STATUSES = {
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "no_show": "no_show",
    "no-show": "no_show",
    "no show": "no_show",
}
MEETING_KINDS = {
    "informational": "informational",
    "informational interview": "informational",
    "info": "informational",
    "info interview": "informational",
    "interview": "informational",
    "coffee": "coffee",
    "coffee chat": "coffee",
    "lunch": "coffee",
    "breakfast": "coffee",
    "tea": "coffee",
    "drinks": "coffee",
    "walk": "coffee",
    "call": "call",
    "phone": "call",
    "phone call": "call",
    "video": "video",
    "video call": "video",
    "zoom": "video",
    "teams": "video",
    "meet": "video",
    "google meet": "video",
    "event": "event",
    "meetup": "event",
    "conference": "event",
    "career fair": "event",
}
#: The kinds coffeechat has words of its own for (`meet --kind` completes them).
KNOWN_KINDS = ("informational", "coffee", "call", "video", "event")
#: Known words that name the occasion better than their kind does: the text keeps them.
_OCCASIONS = frozenset(
    {"lunch", "breakfast", "dinner", "tea", "drinks", "walk", "meetup", "conference", "career fair"}
)


def own_word(meeting: Meeting) -> str:
    """The user's word for the meeting where titles and letters should say it ("lunch",
    "hike"); "" where the kind's own words say it (coffee, zoom: a video call)."""
    word = meeting.word
    return word if word and (word not in MEETING_KINDS or word in _OCCASIONS) else ""


def kind_suggestion(word: str) -> str | None:
    """The known kind a word that means nothing to coffeechat was likely meant to be ("cofee":
    coffee); None for a word of its own ("hike"), which is kept as written."""
    import difflib

    if not word or word in MEETING_KINDS:
        return None
    close = difflib.get_close_matches(word, list(MEETING_KINDS), n=1, cutoff=0.8)
    return MEETING_KINDS[close[0]] if close else None


#: "Priya Raman on 2026-10-08", or a title as `due` prints it, "Coffee with Priya Raman
#: (2026-10-08 16:00)".
_ON_DATE = re.compile(
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
_SNOOZE = re.compile(r"\s*([0-9a-fA-F]{6,})\b\D*?(\d{4}-\d{2}-\d{2})\s*")
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(h|hours?|hrs?|m|mins?|minutes?)?\s*", re.IGNORECASE)


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
    lookup (`coffeechat.core.recording`). Everything a rule learns about other notes goes
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
        m = _ON_DATE.fullmatch(name)
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


def build_vault(notes: Iterable[ParsedNote], settings: Settings) -> Vault:
    """Type every note, convert its properties, resolve its links, and collect findings."""
    by_path = {n.path: n for n in notes}
    vault = Vault(settings, by_path)
    typed: dict[str, NoteType] = {}
    aliases: dict[str, Iterable[str]] = {}
    for note in by_path.values():
        vault.findings.extend(note.findings)
        kind = note_type(note, settings)
        if kind is None:
            continue
        typed[note.path] = kind
        if not note.broken and kind in (NoteType.CONTACT, NoteType.COMPANY):
            names = _text_list(note.meta.get("aliases"))
            if kind is NoteType.CONTACT and isinstance(note.meta.get("name"), str):
                names.append(note.meta["name"])
            aliases[note.path] = names
    vault.resolver = LinkResolver(by_path, aliases)
    builder = _Builder(vault, settings)
    for path in sorted(typed):
        note = by_path[path]
        if note.broken:
            continue
        builder.add(note, typed[path])
    builder.link_meetings()
    builder.duplicates()
    return vault


class _Skip(Exception):
    """A property is wrong in a way that makes the note unusable (e.g. a date that is not one)."""


class _Builder:
    def __init__(self, vault: Vault, settings: Settings) -> None:
        self.vault = vault
        self.settings = settings
        self.tz = settings.tz
        self.findings: list[Finding] = []
        self.note: ParsedNote | None = None

    # -- findings ------------------------------------------------------------------------
    def _find(self, key: str | None, message: str, severity: Severity, code: str) -> None:
        assert self.note is not None
        line = self.note.meta_lines.get(key) if key else None
        self.findings.append(Finding(self.note.path, line, message, severity, code))

    # -- property readers ----------------------------------------------------------------
    def date(self, key: str) -> dt.date | None:
        value = self.note.meta.get(key) if self.note else None
        try:
            parsed = parse_date_value(value, self.tz)
        except ValueError as exc:
            self._find(
                key, f"{key}: {exc}; the note is left out until it is fixed", Severity.ERROR, "date"
            )
            raise _Skip from None
        if parsed is None:
            return None
        if parsed.loose:
            self._find(
                key,
                f"{key}: {value!r} read as {parsed.day.isoformat()}; write it as"
                f" {parsed.day.isoformat()} so Obsidian sees a date",
                Severity.WARNING,
                "date-format",
            )
        return parsed.day

    def text(self, key: str) -> str:
        value = self.note.meta.get(key) if self.note else None
        if value is None or isinstance(value, (dict, list)):
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value).strip()

    def link(self, key: str) -> tuple[str, str | None] | None:
        """(display name, resolved path) of a single-link property."""
        assert self.note is not None
        link = single_link(self.note.meta.get(key))
        if link is None:
            return None
        path = self.resolve(link, key)
        return self._name(link, path), path

    def links(self, key: str) -> list[Person]:
        assert self.note is not None
        people = []
        for link in parse_link_list(self.note.meta.get(key)):
            path = self.resolve(link, key)
            people.append(Person(self._name(link, path), path))
        return people

    def _name(self, link: Link, path: str | None) -> str:
        if path is not None:
            note = self.vault.notes[path]
            name = note.meta.get("name")
            if isinstance(name, str) and name.strip():
                return name.strip()
            return note.stem
        return link.target.rsplit("/", 1)[-1]  # the full name, not a nickname display text

    def resolve(self, link: Link, key: str) -> str | None:
        assert self.note is not None and self.vault.resolver is not None
        res = self.vault.resolver.resolve(link, self.note.path)
        shown = f"[[{link.target}]]"
        if link.nested:
            self._find(
                key,
                f"{key}: unquoted {shown} is read by YAML as a nested list; write"
                f' "{shown}" (with quotes)',
                Severity.WARNING,
                "link-quotes",
            )
        if res.how == "missing":
            if link.bare:
                return None  # a plain name, not a link: nothing to resolve
            if key == "referrals":  # the normal state of a name you were just given
                self._find(
                    key,
                    f"{key}: {shown} has no note yet; add one when you reach out"
                    f' (coffeechat add contact "{link.target.rsplit("/", 1)[-1]}")',
                    Severity.INFO,
                    "referral-no-note",
                )
            else:
                self._find(
                    key, f"{key}: {shown} leads to no note", Severity.WARNING, "link-missing"
                )
        elif res.how == "ambiguous-alias":
            self._find(
                key,
                f"{key}: {shown} is an alias of several notes: {', '.join(res.candidates)}",
                Severity.WARNING,
                "link-ambiguous",
            )
        elif res.how == "alias":
            assert res.path is not None
            self._find(
                key,
                f"{key}: {shown} matches only an alias of {res.path}; Obsidian leaves"
                f" it unresolved — write [[{self.vault.notes[res.path].stem}|{link.target}]]",
                Severity.INFO,
                "link-alias",
            )
        elif res.candidates:
            self._find(
                key,
                f"{key}: {shown} matches {len(res.candidates) + 1} notes; Obsidian picks"
                f" {res.path} — link by path to be sure",
                Severity.WARNING,
                "link-ambiguous",
            )
        return res.path

    def snoozes(self) -> tuple[tuple[str, dt.date], ...]:
        assert self.note is not None
        out = []
        for entry in _text_list(self.note.meta.get("snooze")):
            m = _SNOOZE.fullmatch(entry) or _SNOOZE.match(entry)
            try:
                if m is None:
                    raise ValueError
                out.append((m[1].lower(), dt.date.fromisoformat(m[2])))
            except ValueError:
                self._find(
                    "snooze",
                    f"snooze: {entry!r} is not `ID YYYY-MM-DD`",
                    Severity.WARNING,
                    "snooze",
                )
        return tuple(out)

    # -- notes ---------------------------------------------------------------------------
    def add(self, note: ParsedNote, kind: NoteType) -> None:
        self.note = note
        self.findings = []
        try:
            if kind is NoteType.CONTACT:
                contact = self.contact(note)
                self.vault.contacts[note.path] = contact
            elif kind is NoteType.COMPANY:
                self.vault.companies[note.path] = self.company(note)
            else:
                meeting = self.meeting(note)
                if meeting is not None:
                    self.vault.meetings[note.path] = meeting
        except _Skip:
            pass
        self.vault.findings.extend(self.findings)

    def contact(self, note: ParsedNote) -> Contact:
        name = self.text("name") or note.stem
        company = self.link("company")
        referred = self.link("referred_by")
        status = self.text("status").lower()
        if status and status not in CONTACT_STATUSES:
            self._find(
                "status",
                f"status: {status!r} means nothing to coffeechat (use dormant,"
                " paused or do_not_contact, or leave it out)",
                Severity.WARNING,
                "status",
            )
        cadence = self.text("cadence")
        if cadence:
            try:
                parse_cadence(cadence)
            except ValueError as exc:
                self._find(
                    "cadence",
                    f"cadence: {exc}; using {self.settings.cadence}",
                    Severity.WARNING,
                    "cadence",
                )
                cadence = ""
        follow_up = self.date("follow_up")
        added = self.date("added")
        if added is None and note.log:
            added = min(e.date for e in note.log)
        if added is None and note.mtime_ns:
            added = dt.datetime.fromtimestamp(note.mtime_ns / 1e9, self.tz).date()
        return Contact(
            path=note.path,
            name=name,
            aliases=tuple(_text_list(note.meta.get("aliases"))),
            company=company[0] if company else "",
            company_path=company[1] if company else None,
            role=self.text("role"),
            email=self.text("email"),
            phone=self.text("phone"),
            linkedin=self.text("linkedin"),
            field=self.text("field"),
            tags=tuple(t.lstrip("#") for t in _text_list(note.meta.get("tags"), split=True)),
            referred_by=Person(*referred) if referred else None,
            how_met=self.text("how_met"),
            cadence=cadence,
            status=CONTACT_STATUSES.get(status, ""),
            follow_up=follow_up,
            follow_up_line=note.meta_lines.get("follow_up"),
            added=added,
            log=note.log,
            tasks=note.tasks,
            snoozes=self.snoozes(),
        )

    def company(self, note: ParsedNote) -> Company:
        research = note.meta.get("research")
        if isinstance(research, list):
            research = "; ".join(str(r) for r in research)
        return Company(
            path=note.path,
            name=self.text("name") or note.stem,
            aliases=tuple(_text_list(note.meta.get("aliases"))),
            website=self.text("website"),
            industry=self.text("industry"),
            tags=tuple(t.lstrip("#") for t in _text_list(note.meta.get("tags"), split=True)),
            research=str(research or "").strip(),
            tasks=note.tasks,
            snoozes=self.snoozes(),
        )

    def meeting(self, note: ParsedNote) -> Meeting | None:
        value = note.meta.get("date")
        try:
            when = parse_date_value(value, self.tz)
        except ValueError as exc:
            self._find(
                "date",
                f"date: {exc}; the meeting is left out until it is fixed",
                Severity.ERROR,
                "date",
            )
            return None
        if when is None:
            m = re.match(r"(\d{4}-\d{2}-\d{2})", note.stem)
            if m is None:
                self._find(
                    "date" if "date" in note.meta else None,
                    "meeting has no date: (add `date: YYYY-MM-DD`); it is left out",
                    Severity.ERROR,
                    "date",
                )
                return None
            when = parse_date_value(m[1])
            assert when is not None
        if (far := out_of_range(when.day)) is not None:
            self._find(
                "date",
                f"date: {far}; the meeting is left out until it is fixed",
                Severity.ERROR,
                "date",
            )
            return None
        if when.loose:
            self._find(
                "date",
                f"date: {value!r} read as {when.day.isoformat()}; write it as"
                f" {when.day.isoformat()} so Obsidian sees a date",
                Severity.WARNING,
                "date-format",
            )
        people = self.links("with")
        if not people:
            self._find(
                "with" if "with" in note.meta else None,
                'meeting lists nobody under with: (add `with: ["[[Name]]"]`)',
                Severity.WARNING,
                "with",
            )
        kind = " ".join(self.text("kind").lower().split())
        meant = kind_suggestion(kind)
        if meant is not None:
            self._find(
                "kind",
                f"kind: {kind!r} means nothing to coffeechat; did you mean {meant}?"
                f" (known: {', '.join(KNOWN_KINDS)}; any other word is kept as"
                " you wrote it)",
                Severity.INFO,
                "kind",
            )
        status = self.text("status").lower()
        if status and status not in MEETING_STATUSES:
            self._find(
                "status",
                f"status: {status!r} means nothing to coffeechat for a meeting"
                " (use cancelled or no_show, or leave it out)",
                Severity.WARNING,
                "status",
            )
        title = re.sub(r"^\d{4}-\d{2}-\d{2}\s*[-–—:]?\s*", "", note.stem) or note.stem
        return Meeting(
            path=note.path,
            date=when.day,
            time=when.time,
            offset=when.offset,
            with_=tuple(people),
            kind=MEETING_KINDS.get(kind, kind),
            word=kind,
            duration=self.duration(),
            location=self.text("location"),
            status=MEETING_STATUSES.get(status, ""),
            referrals=tuple(self.links("referrals")),
            thank_you=self.date("thank_you"),
            follow_up=self.date("follow_up"),
            follow_up_line=note.meta_lines.get("follow_up"),
            prepared=self.date("prepared"),
            title=title,
            tasks=note.tasks,
            snoozes=self.snoozes(),
        )

    def duration(self) -> int:
        value = self.note.meta.get("duration") if self.note else None
        if value is None or value == "":
            return 30
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 24 * 60:
            return value
        m = _DURATION.fullmatch(str(value))
        if m:
            amount = float(m[1]) * (60 if (m[2] or "m").lower().startswith("h") else 1)
            if 0 < amount <= 24 * 60:
                return round(amount)
        self._find(
            "duration",
            f"duration: {value!r} is not a number of minutes; using 30",
            Severity.WARNING,
            "duration",
        )
        return 30

    # -- whole-vault passes --------------------------------------------------------------
    def link_meetings(self) -> None:
        by_contact: dict[str, list[Meeting]] = defaultdict(list)
        for meeting in self.vault.meetings.values():
            seen = set()
            for person in meeting.with_:
                if person.path in self.vault.contacts and person.path not in seen:
                    seen.add(person.path)
                    by_contact[person.path].append(meeting)
        for meetings in by_contact.values():
            meetings.sort(key=lambda m: (m.date, m.time or dt.time(), m.path))
        self.vault.meetings_by_contact = dict(by_contact)
        referred: dict[str, list[str]] = defaultdict(list)
        for contact in self.vault.contacts.values():
            if contact.referred_by and contact.referred_by.path:
                referred[contact.referred_by.path].append(contact.path)
        self.vault.referred = dict(referred)
        referring: dict[str, list[Meeting]] = defaultdict(list)
        for meeting in self.vault.meetings.values():
            for key in dict.fromkeys(referral_key(p) for p in meeting.referrals):
                referring[key].append(meeting)
        self.vault.referring = dict(referring)
        named: dict[str, list[Contact]] = defaultdict(list)
        for contact in self.vault.contacts.values():
            named[fold(note_stem(contact.path))].append(contact)
        self.vault.named = dict(named)

    def duplicates(self) -> None:
        dups = {}
        for contact in self.vault.contacts.values():
            lines = self.vault.notes[contact.path].meta_lines
            if keys := tuple(
                (label, key, lines.get(prop)) for label, key, prop in identity_keys(contact)
            ):
                dups[contact.path] = keys
        self.vault.findings.extend(duplicate_findings(dups))


def far_future(vault: Vault, today: dt.date) -> list[Finding]:
    """A warning for each log line and meeting dated more than a year after ``today``: a
    mistyped year (2207, 2027 for 2026) that would otherwise hide the touch or the meeting."""
    limit = add_months(today, 12)
    out = []
    for contact in vault.contacts.values():
        out += [
            Finding(
                contact.path,
                e.line,
                f"log line dated {e.date.isoformat()}, more than a"
                " year from today: a mistyped year?",
                Severity.WARNING,
                "far-future",
            )
            for e in contact.log
            if e.date > limit
        ]
    for meeting in vault.meetings.values():
        if meeting.date > limit:
            line = (
                vault.notes[meeting.path].meta_lines.get("date")
                if meeting.path in vault.notes
                else None
            )
            out.append(
                Finding(
                    meeting.path,
                    line,
                    f"meeting dated {meeting.date.isoformat()}, more"
                    " than a year from today: a mistyped year?",
                    Severity.WARNING,
                    "far-future",
                )
            )
    return out


def identity_keys(contact: Contact) -> list[tuple[str, str, str]]:
    """(label, key, property) of what makes a contact the same person: e-mail, LinkedIn URL."""
    keys = []
    if "@" in contact.email:
        keys.append(("e-mail", contact.email.strip().lower(), "email"))
    if contact.linkedin:
        keys.append(("LinkedIn", _linkedin_key(contact.linkedin), "linkedin"))
    return keys


def duplicate_findings(dups: Mapping[str, Iterable[tuple[str, str, int | None]]]) -> list[Finding]:
    """A warning on each contact that shares an e-mail or LinkedIn URL with an earlier one (by
    path), from each contact's (label, key, line of the property)."""
    seen: dict[tuple[str, str], str] = {}
    out = []
    for path in sorted(dups):
        for label, key, line in dups[path]:
            first = seen.setdefault((label, key), path)
            if first != path:
                out.append(
                    Finding(
                        path,
                        line,
                        f"same {label} as {first}: the same person twice? merge the notes",
                        Severity.WARNING,
                        "duplicate",
                    )
                )
                break
    return out


def _linkedin_key(url: str) -> str:
    url = url.strip().lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return re.sub(r"^(https?://)?(www\.|[a-z]{2}\.)?", "", url)


def _text_list(value: Any, split: bool = False) -> list[str]:
    """A list property as texts; a scalar is one item (or, for tags, split on commas)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [
            str(v).strip()
            for v in value
            if v is not None and not isinstance(v, (list, dict)) and str(v).strip()
        ]
    if isinstance(value, (dict,)):
        return []
    text = str(value).strip()
    if split:
        return [t for t in re.split(r"[,\s]+", text) if t]
    return [text] if text else []
