"""Writing notes: new ones from templates under a safe, unique name, and surgical edits of
existing ones — every byte through `atomic_write`, every path kept inside the vault.

New notes are built fast (an import creates thousands): the template is read, rendered and
parsed once, each note's front matter is spliced from it exactly as `set_key` would splice it
key by key, and the result is parsed once to check it; anything unusual takes the slow path,
one `set_key` per field."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from coffeechat.config import Settings

# The splicing `set_key` does, reused here so a new note is assembled in one pass.
from coffeechat.core.edits import (
    EditRefused,
    _expected,
    _keep_comment,
    _keep_key_spelling,
    _key_span,
    _open,
    _value_lines,
    append_line_under_heading,
    set_key,
)
from coffeechat.core.links import fold
from coffeechat.core.model import NoteType, Severity
from coffeechat.core.names import safe_filename
from coffeechat.core.notes import parse_note
from coffeechat.core.templates import render
from coffeechat.errors import NoteError
from coffeechat.storage.files import atomic_write, inside_vault, read_with_fingerprint

__all__ = ["NoteNames", "create_note", "edit_note", "new_note_bytes", "template_text"]

TEMPLATE_FILES = {NoteType.CONTACT: "Contact.md", NoteType.COMPANY: "Company.md",
                  NoteType.MEETING: "Meeting.md"}
_FOLDER_SETTING = {NoteType.CONTACT: "contacts_folder", NoteType.COMPANY: "companies_folder",
                   NoteType.MEETING: "meetings_folder"}
_YAML_RISKY = re.compile(r"[\"'\\:#\[\]{}|>&*!%@`\x00-\x1f\x7f\x85\u2028\u2029]")


class NoteNames:
    """The file names already taken in the vault, compared as Obsidian compares them."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._taken: set[str] = set()
        for path in paths:
            self.add(path)

    def add(self, path: str) -> None:
        name = path.rsplit("/", 1)[-1]
        self._taken.add(fold(name[:-3] if name.lower().endswith(".md") else name))

    def __contains__(self, stem: str) -> bool:
        return fold(stem) in self._taken

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
            fm_title = _YAML_RISKY.sub(" ", title).strip() or "Untitled"
            head, _ = render("\n".join(lines[: close + 1]), fm_title, when)
            body, _ = render("\n".join(lines[close + 1:]), title, when)
            return head + "\n" + body
    return render(template, title, when)[0]


def create_note(
    root: Path, settings: Settings, note_type: NoteType, name: str,
    fields: Sequence[tuple[str, Any]], *, names: NoteNames, now: dt.datetime,
    qualifier: str = "", stem: str | None = None, subfolder: str = "",
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
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data, create=True)
    names.add(rel)
    return rel


def new_note_bytes(template: str, note_type: NoteType, name: str,
                   fields: Sequence[tuple[str, Any]], now: dt.datetime,
                   body_lines: Sequence[tuple[str, str]] = (), *,
                   settings: Settings | None = None) -> bytes:
    """The bytes of a new note: the rendered template with ``type``, ``name`` and ``fields``
    set and ``body_lines`` appended — the same bytes as one `set_key` per field, faster."""
    values: list[tuple[str, Any]] = [("type", note_type.value)]
    if note_type is not NoteType.MEETING:
        values.append(("name", name))
    values += fields
    fast = _fast_note(template, name, values, now, body_lines)
    if fast is not None:
        return fast
    return _slow_note(template, note_type, name, values, now, body_lines, settings)


def _slow_note(template: str, note_type: NoteType, name: str, values: Sequence[tuple[str, Any]],
               now: dt.datetime, body_lines: Sequence[tuple[str, str]],
               settings: Settings | None) -> bytes:
    """One verified `set_key` per field, one `append_line_under_heading` per body line."""
    data = _render_note(template, name, now).encode("utf-8")
    try:
        for key, value in values:
            data = set_key(data, key, value)
        for heading, line in body_lines:
            data = append_line_under_heading(data, heading, line)
    except EditRefused as exc:
        folder = settings.templates_folder if settings is not None else "templates"
        raise NoteError(f"{folder}/{TEMPLATE_FILES[note_type]}", exc.line,
                        f"the template cannot be used: {exc.message}") from None
    return data


@dataclass(frozen=True, slots=True)
class _Skeleton:
    """A template rendered and parsed once, ready to be filled for many notes."""

    lines: tuple[str, ...]  # the rendered front matter, "---" to "---", split on LF
    fm_end: int  # index of the closing line
    spans: dict[str, tuple[int, int]]  # key -> [start, end) of its lines, as set_key finds them
    nls: dict[str, str]  # key -> the line ending set_key would use for it; "" for appended keys
    meta: dict[str, Any]
    title_lines: frozenset[int]  # lines of the front matter that hold the title
    body: str  # the template's body, not yet rendered (it may hold {{title}})


_SKELETONS: dict[tuple[str, dt.datetime], _Skeleton | None] = {}


def _skeleton(template: str, when: dt.datetime) -> _Skeleton | None:
    key = (template, when)
    if key in _SKELETONS:
        return _SKELETONS[key]
    if len(_SKELETONS) > 32:
        _SKELETONS.clear()
    _SKELETONS[key] = sk = _make_skeleton(template, when)
    return sk


def _make_skeleton(template: str, when: dt.datetime) -> _Skeleton | None:
    if not template.startswith("---") or "\r" in template.replace("\r\n", ""):
        return None
    source = template.split("\n")
    close = next((i for i in range(1, len(source)) if source[i].rstrip() in ("---", "...")), None)
    if close is None:
        return None
    one = _render_note(template, "Aaaa", when)
    two = _render_note(template, "Bbbb", when)
    one_lines, two_lines = one.split("\n"), two.split("\n")
    if len(one_lines) != len(two_lines):
        return None
    try:
        doc = _open(one.encode("utf-8"))
    except EditRefused:
        return None
    if doc.fm_end != close:
        return None
    spans = {k: _key_span(doc, k) for k in doc.meta_lines}
    nls = {k: doc.nl_at(start) for k, (start, _) in spans.items()}
    nls[""] = doc.nl_at(doc.fm_end - 1 if doc.fm_end > 1 else 0)
    differ = frozenset(i for i in range(close + 1) if one_lines[i] != two_lines[i])
    return _Skeleton(tuple(one_lines[: close + 1]), close, spans, nls, dict(doc.meta), differ,
                     "\n".join(source[close + 1:]))


def _fast_note(template: str, name: str, values: Sequence[tuple[str, Any]], when: dt.datetime,
               body_lines: Sequence[tuple[str, str]]) -> bytes | None:
    """The note in one pass over a cached skeleton; None when the slow path must decide."""
    sk = _skeleton(template, when)
    if sk is None:
        return None
    wanted: dict[str, Any] = {}
    for key, value in values:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ -]*", key):
            return None
        wanted[key] = value  # a key set twice keeps its first place and its last value
    # Every line that holds the title must be replaced, or the head depends on the title.
    replaced = {i for k in wanted if k in sk.spans for i in range(*sk.spans[k])}
    if not sk.title_lines <= replaced:
        return None
    starts = {sk.spans[k][0]: k for k in wanted if k in sk.spans}
    out: list[str] = []
    i = 0
    while i < sk.fm_end:
        at = starts.get(i)
        if at is None:
            out.append(sk.lines[i])
            i += 1
            continue
        start, end = sk.spans[at]
        value = wanted[at]
        new = "".join(_value_lines(at, value, sk.nls[at])).split("\n")[:-1]
        new[0] = _keep_key_spelling(sk.lines[start], at, new[0])
        if not isinstance(value, (list, tuple)):
            new[0] = _keep_comment(sk.lines[start], new[0])
        out += new
        i = end
    for key, value in wanted.items():
        if key not in sk.spans:
            out += "".join(_value_lines(key, value, sk.nls[""])).split("\n")[:-1]
    out.append(sk.lines[sk.fm_end])
    body = render(sk.body, name, when)[0]
    if body_lines:
        first = next((ln.strip() for ln in body.split("\n") if ln.strip()), "")
        if first in ("---", "..."):
            return None  # a body opening with a rule would read as front matter on its own
        body_data = body.encode("utf-8")
        try:
            for heading, line in body_lines:
                body_data = append_line_under_heading(body_data, heading, line)
        except EditRefused:
            return None
        body = body_data.decode("utf-8")
    data = ("\n".join(out) + "\n" + body).encode("utf-8")
    # Check the result once, as set_key checks each step: exactly the intended properties.
    expected = dict(sk.meta)
    for key, value in wanted.items():
        expected[key] = ([_expected(v) for v in value] if isinstance(value, (list, tuple))
                         else _expected(value))
    note = parse_note("new.md", data)
    if (note.meta != expected or list(note.meta) != list(expected)
            or any(f.severity is Severity.ERROR or f.code == "front-matter" for f in note.findings)):
        return None
    return data


def edit_note(root: Path, rel: str, edit: Callable[[bytes], bytes],
              before_replace: Callable[[Path], None] | None = None) -> bool:
    """Apply ``edit`` to a note's bytes and write the result atomically, refusing if the file
    changed meanwhile. Returns False when the edit changed nothing (nothing is written)."""
    path = inside_vault(root, rel)
    try:
        data, print_ = read_with_fingerprint(path)
    except FileNotFoundError:
        raise NoteError(rel, None, "no longer exists") from None
    except OSError as exc:
        raise NoteError(rel, None, f"cannot be read: {exc.strerror}") from None
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
