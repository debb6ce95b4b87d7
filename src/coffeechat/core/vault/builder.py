"""Parsed notes in, a linked `Vault` out: type every note, read its properties into a
contact, company or meeting (with a finding for each property that is wrong, naming its line),
resolve its links, and link meetings, referrals and names back to the contacts. One idea — how
a note's front matter becomes the model — and so one module, though a long one: each property
reader and its findings sit beside the others they share conventions with."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from coffeechat.core.dates import out_of_range, parse_cadence, parse_date_value
from coffeechat.core.links import Link, LinkResolver, fold, parse_link_list
from coffeechat.core.model import (
    Company,
    Contact,
    Finding,
    Meeting,
    NoteType,
    ParsedNote,
    Person,
    Severity,
)
from coffeechat.core.settings import Settings
from coffeechat.core.vault.checks import duplicate_findings, identity_keys
from coffeechat.core.vault.meeting_kinds import KNOWN_KINDS, MEETING_KINDS, kind_suggestion
from coffeechat.core.vault.vault import Vault, note_stem, note_type, referral_key, single_link

__all__ = ["build_vault"]

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
_SNOOZE = re.compile(r"\s*([0-9a-fA-F]{6,})\b\D*?(\d{4}-\d{2}-\d{2})\s*")
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(h|hours?|hrs?|m|mins?|minutes?)?\s*", re.IGNORECASE)


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
