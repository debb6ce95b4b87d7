"""Writing notes: new ones from templates under a safe, unique name, and surgical edits of
existing ones — every byte through `atomic_write`, every path kept inside the vault.

A new note is the rendered template with its properties set by one verified `set_keys`
pass (an import creates thousands; the template file is read once per version)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from coffeechat.core.links import fold
from coffeechat.core.model import NoteType
from coffeechat.core.names import safe_filename
from coffeechat.core.note.edits import EditRefused, append_line_under_heading, set_keys
from coffeechat.core.note.templates import render
from coffeechat.core.settings import Settings
from coffeechat.errors import NoteError
from coffeechat.storage.files import StaleFile, atomic_write, inside_vault, read_with_fingerprint
from coffeechat.storage.lock import write_lock

__all__ = ["NoteNames", "create_note", "edit_note", "new_note_bytes", "template_text"]

TEMPLATE_FILES = {
    NoteType.CONTACT: "Contact.md",
    NoteType.COMPANY: "Company.md",
    NoteType.MEETING: "Meeting.md",
}
_FOLDER_SETTING = {
    NoteType.CONTACT: "contacts_folder",
    NoteType.COMPANY: "companies_folder",
    NoteType.MEETING: "meetings_folder",
}
# What may stand for the title inside the template's front matter: letters, digits and a
# little punctuation, which no YAML quoting style can misread (`name:` is set exactly later).
_YAML_UNSAFE = re.compile(r"[^\w .,()&+-]")
# A front-matter value that is only a quoted ISO date placeholder: `added: "{{date}}"`.
_QUOTED_DATE = re.compile(
    r"""(?m)^([\w-]+:[ \t]*)(["'])\{\{\s*date\s*(?::\s*YYYY-MM-DD\s*)?\}\}\2"""
    r"(?=[ \t]*(?:#.*)?\r?$)"
)


class NoteNames:
    """The file names already taken in the vault, compared as Obsidian compares them."""

    def __init__(self, paths: Iterable[str], ask: Callable[[str], bool] | None = None) -> None:
        """``paths``: the vault's notes; or ``ask``, whether a folded file name is taken (a
        store answers without listing every note)."""
        self._taken: set[str] = set()
        self._ask = ask
        for path in paths:
            self.add(path)

    def add(self, path: str) -> None:
        name = path.rsplit("/", 1)[-1]
        self._taken.add(fold(name[:-3] if name.lower().endswith(".md") else name))

    def __contains__(self, stem: str) -> bool:
        key = fold(stem)
        return key in self._taken or (self._ask is not None and self._ask(key))

    def unique(self, name: str, qualifier: str = "") -> str:
        """A file name (no extension) for ``name`` that no note in the vault has, ignoring case:
        ``John Smith``, else ``John Smith (Acme)``, else ``John Smith (Acme) (2)``, ``(3)``, ...
        (``John Smith (2)`` without a qualifier)."""
        base = safe_filename(name)
        candidates = [base]
        qualifier = safe_filename(qualifier, fallback="") if qualifier else ""
        if qualifier:
            candidates.append(safe_filename(f"{base} ({qualifier})"))
        for stem in candidates:
            if stem not in self:
                return stem
        n = 2
        while (stem := f"{candidates[-1]} ({n})") in self:
            n += 1
        return stem


def template_text(root: Path, settings: Settings, note_type: NoteType) -> str:
    """The vault's own template for this type of note (``templates/Contact.md``), else ours."""
    name = TEMPLATE_FILES[note_type]
    folder = root / settings.templates_folder
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.lower() == name.lower() and entry.is_file():
                try:
                    st = entry.stat()
                    return _read_template(str(entry), st.st_mtime_ns, st.st_size)
                except (OSError, UnicodeDecodeError):
                    break
    return _bundled_template(name)


@lru_cache(maxsize=16)
def _read_template(path: str, mtime_ns: int, size: int) -> str:
    """A template file's text, read once per version of the file (size and mtime)."""
    return Path(path).read_bytes().decode("utf-8-sig")


@lru_cache(maxsize=8)
def _bundled_template(name: str) -> str:
    return (resources.files("coffeechat") / "data" / "templates" / name).read_text(encoding="utf-8")


def _render_note(template: str, title: str, when: dt.datetime) -> str:
    """Render a template; in the front matter the title is made YAML-safe (the exact name is
    set afterwards through `set_key`)."""
    if template.startswith("---"):
        lines = template.split("\n")
        close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
        if close is not None:
            fm_title = " ".join(_YAML_UNSAFE.sub(" ", title).split()) or "Untitled"
            # `added: "{{date}}"` is quoted in the template so the template stays valid YAML;
            # the note gets the date unquoted, as Obsidian writes a date property.
            head_text = _QUOTED_DATE.sub(r"\1{{date:YYYY-MM-DD}}", "\n".join(lines[: close + 1]))
            head, _ = render(head_text, fm_title, when)
            body, _ = render("\n".join(lines[close + 1 :]), title, when)
            return head + "\n" + body
    return render(template, title, when)[0]


def create_note(
    root: Path,
    settings: Settings,
    note_type: NoteType,
    name: str,
    fields: Sequence[tuple[str, Any]],
    *,
    names: NoteNames,
    now: dt.datetime,
    qualifier: str = "",
    stem: str | None = None,
    subfolder: str = "",
    body_lines: Sequence[tuple[str, str]] = (),
) -> str:
    """Write a new note from the template; returns its vault-relative path.

    ``fields`` are set in order (``name`` and ``type`` always); ``body_lines`` are
    (heading, line) pairs appended after. The file name comes from ``stem`` or ``name``, made
    safe and unique across the vault ignoring case; an existing file is never replaced.
    """
    template = template_text(root, settings, note_type)
    data = new_note_bytes(template, note_type, name, fields, now, body_lines, settings=settings)
    folder = getattr(settings, _FOLDER_SETTING[note_type])
    if subfolder:
        folder = f"{folder}/{subfolder}"
    file_stem = names.unique(stem or name, qualifier)
    rel = f"{folder}/{file_stem}.md"
    path = inside_vault(root, rel)
    with write_lock(root):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data, create=True)
    names.add(rel)
    return rel


def new_note_bytes(
    template: str,
    note_type: NoteType,
    name: str,
    fields: Sequence[tuple[str, Any]],
    now: dt.datetime,
    body_lines: Sequence[tuple[str, str]] = (),
    *,
    settings: Settings | None = None,
) -> bytes:
    """The bytes of a new note: the rendered template with ``type``, ``name`` and ``fields``
    set (in one verified pass) and ``body_lines`` appended under their headings."""
    values: list[tuple[str, Any]] = [("type", note_type.value)]
    if note_type is not NoteType.MEETING:
        values.append(("name", name))
    values += fields
    data = _render_note(template, name, now).encode("utf-8")
    try:
        data = set_keys(data, values)
        for heading, line in body_lines:
            data = append_line_under_heading(data, heading, line)
    except EditRefused as exc:
        folder = settings.templates_folder if settings is not None else "templates"
        raise NoteError(
            f"{folder}/{TEMPLATE_FILES[note_type]}",
            exc.line,
            f"the template cannot be used: {exc.message}",
        ) from None
    return data


def edit_note(
    root: Path,
    rel: str,
    edit: Callable[[bytes], bytes],
    before_replace: Callable[[Path], None] | None = None,
    *,
    expected_mtime_ns: int | None = None,
) -> bool:
    """Apply ``edit`` to a note's bytes and write the result atomically, refusing if the file
    changed meanwhile. Returns False when the edit changed nothing (nothing is written).

    ``expected_mtime_ns``: the note's mtime when the caller read it to decide on the edit (a
    `done` works out its item from the vault first); if the file has changed since — an
    editor saved it meanwhile — the edit is refused rather than applied to text it was not
    meant for. The vault's write lock is held throughout."""
    path = inside_vault(root, rel)
    with write_lock(root):
        return _edit_locked(path, rel, edit, before_replace, expected_mtime_ns)


def _edit_locked(
    path: Path,
    rel: str,
    edit: Callable[[bytes], bytes],
    before_replace: Callable[[Path], None] | None,
    expected_mtime_ns: int | None,
) -> bool:
    try:
        data, print_ = read_with_fingerprint(path)
    except FileNotFoundError:
        raise NoteError(rel, None, "no longer exists") from None
    except OSError as exc:
        raise NoteError(rel, None, f"cannot be read: {exc.strerror}") from None
    if expected_mtime_ns is not None and print_.mtime_ns != expected_mtime_ns:
        raise StaleFile(
            f"{rel}: changed on disk after coffeechat read it (saved in an editor"
            " meanwhile?); nothing was written — run the command again"
        )
    try:
        new = edit(data)
    except EditRefused as exc:
        raise NoteError(rel, exc.line, exc.message) from None
    if new == data:
        return False
    try:
        atomic_write(path, new, expected=print_, before_replace=before_replace)
    except OSError as exc:
        raise NoteError(rel, None, f"cannot be written: {exc.strerror}") from None
    return True
