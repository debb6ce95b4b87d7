"""Bringing imported records into the vault without duplicates: match, fill, create.

A record is the person of an existing contact note when, in this order, one of its e-mails
is the note's ``email``, its LinkedIn URL is the note's ``linkedin`` (normalised), or its
name is the note's ``name`` or an alias — ignoring case and accents — at the same company
(a note whose LinkedIn URL differs is someone else with the same name). A matched note only
gets its empty properties filled; everything else in it stays byte for byte. A new person
gets a new note (and their company one, when the vault has none), under a safe file name
unique across the vault. Records are matched against notes made earlier in the same run
too, so a file that lists someone twice makes one note.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coffeechat.core.links import fold
from coffeechat.core.model import NoteType
from coffeechat.core.note.edits import EditRefused, Link, front_matter_of, set_key
from coffeechat.core.note.parse import parse_note
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import Vault
from coffeechat.errors import CoffeechatError
from coffeechat.storage.files import StaleFile
from coffeechat.storage.writer import (
    NoteNames,
    create_note,
    edit_note,
    new_note_bytes,
    template_text,
)
from coffeechat.transfer.identity import People, company_key, person_key, split_emails
from coffeechat.transfer.records import Batch, Record

__all__ = ["Summary", "import_batch"]

#: Properties an import fills on an existing note when they are empty there.
FILLED = ("company", "role", "email", "phone", "linkedin", "connected_on", "aliases")


@dataclass
class Summary:
    """What an import did (or, in a dry run, would do)."""

    records: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    companies: int = 0  # company notes created
    actions: list[str] = field(default_factory=list)  # "create contacts/Jane Doe.md", ...
    problems: list[str] = field(default_factory=list)  # "file:line: message", one per failure
    warnings: list[str] = field(default_factory=list)


def _empty(meta: dict[str, Any], key: str) -> bool:
    value = meta.get(key)
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


class _Run:
    def __init__(
        self,
        root: Path,
        settings: Settings,
        vault: Vault,
        batch: Batch,
        what: str,
        today: dt.date,
        now: dt.datetime,
        dry_run: bool,
    ) -> None:
        self.root, self.settings, self.vault, self.batch = root, settings, vault, batch
        self.what, self.today, self.now, self.dry_run = what, today, now, dry_run
        self.summary = Summary(records=len(batch.records))
        self.names = NoteNames(vault.notes)
        self.people = People()
        self.pending: dict[str, dict[str, Any]] = {}  # meta of notes planned in a dry run
        self.contacts_folder = settings.contacts_folder
        self._index_people()
        self.companies: dict[str, str] = {}  # company key -> link target
        self._index_companies()
        tmpl = parse_note(
            "t.md",
            new_note_bytes(
                template_text(root, settings, NoteType.CONTACT), NoteType.CONTACT, "x", [], now
            ),
        )
        self.template_lists = {key: _as_list(tmpl.meta.get(key)) for key in ("tags", "aliases")}
        self.template_meta = dict(tmpl.meta)

    # -- what is there -------------------------------------------------------------------
    def _index_people(self) -> None:
        vault = self.vault
        for path in sorted(vault.contacts):
            contact = vault.contacts[path]
            companies = [contact.company] if contact.company else []
            if contact.company_path in vault.companies:
                company = vault.companies[contact.company_path]
                companies += [
                    company.name,
                    *company.aliases,
                    vault.notes[contact.company_path].stem,
                ]
            self.people.add(
                path,
                [contact.name, *contact.aliases],
                split_emails(contact.email),
                contact.linkedin,
                companies,
            )
        prefix = fold(self.contacts_folder) + "/"
        for path, note in sorted(vault.notes.items()):
            if note.broken and fold(path).startswith(prefix):
                self.people.broken.setdefault(person_key(note.stem), path)

    def _index_companies(self) -> None:
        stems: dict[str, int] = {}
        for path in self.vault.notes:
            stem = fold(self.vault.notes[path].stem)
            stems[stem] = stems.get(stem, 0) + 1
        for path in sorted(self.vault.companies):
            company = self.vault.companies[path]
            stem = self.vault.notes[path].stem
            target = stem if stems.get(fold(stem), 0) == 1 else path[:-3]
            for name in (company.name, *company.aliases, stem):
                key = company_key(name)
                if key:
                    self.companies.setdefault(key, target)

    def company(self, name: str) -> str:
        """The link target of the company's note, made (or planned) when there is none."""
        key = company_key(name)
        if not key:
            return ""
        target = self.companies.get(key)
        if target is not None:
            return target
        folder = self.settings.companies_folder
        if self.dry_run:
            stem = self.names.unique(name)
            self.names.add(f"{folder}/{stem}.md")
            rel = f"{folder}/{stem}.md"
        else:
            rel = self._create(NoteType.COMPANY, name, [], "", [])
            stem = rel.rsplit("/", 1)[-1][:-3]
        self.companies[key] = stem
        self.summary.companies += 1
        self.summary.actions.append(f"create {rel}")
        return stem

    def _create(
        self,
        note_type: NoteType,
        name: str,
        fields: list[tuple[str, Any]],
        qualifier: str,
        body: list[tuple[str, str]],
    ) -> str:
        """create_note, stepping over a name taken by a file the vault scan does not see."""
        folder = (
            self.settings.companies_folder
            if note_type is NoteType.COMPANY
            else self.settings.contacts_folder
        )
        for _ in range(5):
            stem = self.names.unique(name, qualifier)
            try:
                return create_note(
                    self.root,
                    self.settings,
                    note_type,
                    name,
                    fields,
                    names=self.names,
                    now=self.now,
                    stem=stem,
                    body_lines=body,
                )
            except StaleFile:
                self.names.add(f"{folder}/{stem}.md")
        raise StaleFile(f"no free file name for {name!r} in {folder}/")

    # -- one record ----------------------------------------------------------------------
    def apply(self, record: Record) -> None:
        if not record.name:
            self.summary.skipped += 1
            self.summary.warnings.append(f"{self.what}:{record.line}: no name; skipped")
            return
        path = self.people.find(record)
        try:
            if path is None and person_key(record.name) in self.people.broken:
                broken = self.people.broken[person_key(record.name)]
                raise CoffeechatError(
                    f"{broken} has the same name but cannot be read (see"
                    " `coffeechat check`); fix it and import again"
                )
            if path is None:
                self._new(record)
            else:
                self._fill(path, record)
        except (CoffeechatError, OSError) as exc:
            self.summary.failed += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.summary.problems.append(f"{self.what}:{record.line}: {record.name}: {reason}")

    def _merged(self, key: str, extra: Iterable[str]) -> list[str]:
        base = self.template_lists[key]
        return base + [v for v in dict.fromkeys(extra) if v not in base]

    def _new(self, record: Record) -> None:
        fields: list[tuple[str, Any]] = []
        if record.company:
            target = self.company(record.company)
            if target:
                fields.append(("company", Link(target)))
        if record.role:
            fields.append(("role", record.role))
        if record.emails:
            fields.append(("email", record.emails[0]))
        if record.phones:
            fields.append(("phone", record.phones[0]))
        if record.linkedin:
            fields.append(("linkedin", record.linkedin))
        if record.aliases:
            fields.append(("aliases", self._merged("aliases", record.aliases)))
        tags = self._merged("tags", [*self.batch.tags, *record.tags])
        if tags != self.template_lists["tags"]:
            fields.append(("tags", tags))
        if self.batch.how_met:
            fields.append(("how_met", self.batch.how_met))
        if record.connected_on is not None:  # `added` stays the day the note entered the vault
            fields.append(("connected_on", record.connected_on))
        body = [("Log", f"- {self.today.isoformat()} note: imported from {self.batch.source}")]
        if self.dry_run:
            stem = self.names.unique(record.name, record.company)
            rel = f"{self.contacts_folder}/{stem}.md"
            self.names.add(rel)
            self.pending[rel] = {**self.template_meta, **dict(fields)}
        else:
            rel = self._create(NoteType.CONTACT, record.name, fields, record.company, body)
        self.summary.created += 1
        self.summary.actions.append(f"create {rel}")
        self.people.add(
            rel,
            [record.name, *record.aliases],
            record.emails,
            record.linkedin,
            [record.company] if record.company else [],
        )

    def _candidates(self, record: Record, meta: dict[str, Any]) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if record.company and _empty(meta, "company"):
            target = self.company(record.company)
            if target:
                out.append(("company", Link(target)))
        for key, value in (
            ("role", record.role),
            ("email", record.emails[0] if record.emails else ""),
            ("phone", record.phones[0] if record.phones else ""),
            ("linkedin", record.linkedin),
            ("connected_on", record.connected_on),
            ("aliases", list(record.aliases)),
        ):
            if value and _empty(meta, key):
                out.append((key, value))
        return out

    def _fill(self, path: str, record: Record) -> None:
        if path in self.pending:
            meta = self.pending[path]
        elif path in self.vault.notes:
            meta = self.vault.notes[path].meta  # as indexed; what is on disk decides below
        else:
            meta = self._read_meta(path)  # made earlier in this run
        candidates = self._candidates(record, meta)
        filled: list[str] = []
        if candidates and self.dry_run:
            if path not in self.pending:
                meta = self._read_meta(path)  # refuses, as the edit would, a note it cannot edit
                candidates = [(k, v) for k, v in candidates if _empty(meta, k)]
            filled = [key for key, _ in candidates]
            self.pending[path] = {**meta, **dict(candidates)}
        elif candidates:

            def edit(data: bytes) -> bytes:
                now_meta = front_matter_of(data)
                filled.clear()
                for key, value in candidates:
                    if _empty(now_meta, key):  # what is on disk now decides, not the index
                        data = set_key(data, key, value)
                        filled.append(key)
                return data

            if not edit_note(self.root, path, edit):
                filled.clear()
        if filled:
            self.summary.updated += 1
            self.summary.actions.append(f"update {path}: {', '.join(filled)}")
        else:
            self.summary.skipped += 1
        self.people.add(
            path,
            [record.name],
            record.emails,
            record.linkedin,
            [record.company] if record.company else [],
        )

    def _read_meta(self, path: str) -> dict[str, Any]:
        try:
            data = (self.root / path).read_bytes()
        except OSError as exc:
            raise CoffeechatError(f"{path}: cannot be read: {exc.strerror}") from None
        try:
            return front_matter_of(data)
        except EditRefused as exc:
            where = f"{path}:{exc.line}" if exc.line else path
            raise CoffeechatError(f"{where}: {exc.message}") from None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value if v is not None and not isinstance(v, (list, dict))]
    if isinstance(value, str) and value.strip():
        return [value.strip()]
    return []


def import_batch(
    root: Path,
    settings: Settings,
    vault: Vault,
    batch: Batch,
    *,
    what: str,
    today: dt.date,
    now: dt.datetime,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Bring ``batch`` into the vault (``dry_run``: only say what would change)."""
    run = _Run(root, settings, vault, batch, what, today, now, dry_run)
    summary = run.summary
    for problem in batch.failed:
        summary.failed += 1
        summary.problems.append(f"{what}:{problem.line}: {problem.message}")
    for record in batch.records:
        run.apply(record)
        if progress is not None:
            progress(1)
    summary.warnings += [
        f"{what}:{p.line}: {p.message}" if p.line else p.message for p in batch.warnings
    ]
    summary.problems.sort(key=_line_of)
    summary.warnings.sort(key=_line_of)
    return summary


def _line_of(message: str) -> int:
    """Messages in file order: by the line number after the file name (0 when none)."""
    m = re.match(r".*?:(\d+): ", message)
    return int(m[1]) if m else 0
