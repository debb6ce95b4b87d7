"""Surgical edits of a note's bytes: change one thing, leave every other byte as it was.

Four edits — set a front-matter key, append an item to a list key, append a line under a
heading, tick a task — each taking the note's bytes and returning new bytes. They splice
lines rather than re-serialise YAML, so key order, comments, quoting, indentation, blank
lines, line endings, a BOM, the final newline and the body all survive. After splicing, the
front matter is parsed again and compared with the original: if anything but the intended
key changed, the edit is refused rather than written.

New values are written as Obsidian writes them: links in double quotes, dates unquoted,
lists as two-space indented ``- item`` lines, ``key:`` for an empty value, and quotes
wherever YAML (1.1 or 1.2) would read the text as something else.

One idea, and so one module though past 500 lines: every edit opens the note the same way
(`_open`), splices lines, and is checked the same way (`_verify`). The front-matter edits and
the body edits (a line under a heading, a ticked task) differ only in which lines they splice;
split apart, both would reach into a third module for that opening and checking.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coffeechat.core.links import fold
from coffeechat.core.model import Severity
from coffeechat.core.note.parse import parse_note

__all__ = [
    "EditRefused",
    "Link",
    "append_line_under_heading",
    "append_list_item",
    "fenced_blocks",
    "find_section",
    "format_value",
    "insert_after",
    "new_front_matter",
    "set_key",
    "set_keys",
    "tick_task",
]

_BOM = b"\xef\xbb\xbf"


class EditRefused(ValueError):
    """The note cannot be edited safely; nothing should be written. ``line`` when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class Link:
    """A value to be written as a wiki-link: ``"[[target]]"``."""

    target: str

    def __str__(self) -> str:
        return f"[[{self.target}]]"


# --- writing values --------------------------------------------------------------------------

# Plain scalars YAML 1.1 or 1.2 would read as something other than the text itself.
_NOT_TEXT = re.compile(
    r"""(?x)^(?:
        ~|null|Null|NULL|true|True|TRUE|false|False|FALSE
        |y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF
        |[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?
        |[-+]?0b[01_]+|[-+]?0o?[0-7_]+|[-+]?0x[0-9a-fA-F_]+
        |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?
        |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
        |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9].*)?
        |<<|=
    )$"""
)
_SPECIAL_START = tuple("[]{}&*!|>%@`'\",#?:-")


def _needs_quotes(text: str) -> bool:
    if text == "" or text != text.strip() or _NOT_TEXT.match(text):
        return True
    if text.startswith(_SPECIAL_START) and not (
        text.startswith(("-", "?", ":")) and len(text) > 1 and text[1] not in " \t"
    ):
        return True
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return True
    if "{{" in text or "<%" in text:
        return True
    return any(_unprintable(c) for c in text)


def _unprintable(c: str) -> bool:
    """Outside YAML's printable set (or a break YAML counts and editors do not): escape it."""
    o = ord(c)
    return (
        o < 0x20
        or 0x7F <= o <= 0x9F
        or 0xD800 <= o <= 0xDFFF
        or o in (0xFEFF, 0xFFFE, 0xFFFF)
        or c in "\u2028\u2029"
    )


def _double_quoted(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif _unprintable(c):
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def format_value(value: Any) -> str:
    """One scalar as Obsidian writes it (empty string for None: ``key:``)."""
    if value is None:
        return ""
    if isinstance(value, Link):
        return _double_quoted(str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M" + (":%S" if value.second else ""))
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return _double_quoted(text) if _needs_quotes(text) else text


def _expected(value: Any) -> Any:
    """What the reader gives back for a value written by `format_value`."""
    if value is None:
        return None
    if isinstance(value, (Link, dt.date)) and not isinstance(value, dt.datetime):
        return str(value)
    if isinstance(value, dt.datetime):
        return format_value(value)
    if isinstance(value, (bool, int)):
        return value
    return str(value)


def _value_lines(key: str, value: Any, nl: str) -> list[str]:
    """``key: value`` — or, for a list, ``key:`` and two-space indented items."""
    if isinstance(value, (list, tuple)):
        if not value:
            return [f"{key}: []{nl}"]
        return [f"{key}:{nl}"] + [f"  - {format_value(v)}{nl}" for v in value]
    text = format_value(value)
    return [f"{key}: {text}{nl}" if text else f"{key}:{nl}"]


def new_front_matter(fields: Sequence[tuple[str, Any]], nl: str = "\n") -> str:
    """A whole front-matter block for a new note, in the order given."""
    lines = ["---" + nl]
    for key, value in fields:
        lines += _value_lines(key, value, nl)
    lines.append("---" + nl)
    return "".join(lines)


# --- the note as lines -----------------------------------------------------------------------


@dataclass
class _Doc:
    bom: bool
    lines: list[str]  # split on LF; a CR stays at the end of its line
    fm_end: int | None  # index of the closing --- line, None when there is no front matter
    meta: dict[str, Any]
    meta_lines: dict[str, int]  # key -> index of its line in `lines`

    @property
    def nl(self) -> str:
        """The note's own line ending, for inserted lines."""
        crlf = sum(1 for ln in self.lines if ln.endswith("\r"))
        return "\r\n" if crlf * 2 > len(self.lines) - 1 else "\n"

    def nl_at(self, index: int) -> str:
        if 0 <= index < len(self.lines) and self.lines[index].endswith("\r"):
            return "\r\n"
        return self.nl

    def to_bytes(self) -> bytes:
        return (_BOM if self.bom else b"") + "\n".join(self.lines).encode("utf-8")

    def copy(self) -> _Doc:
        """The same note with its own list of lines, to splice while the original is kept."""
        return _Doc(self.bom, list(self.lines), self.fm_end, self.meta, self.meta_lines)


def _open(data: bytes) -> _Doc:
    """Read a note for editing; refuse anything that did not parse cleanly."""
    note = parse_note("note", data)
    for finding in note.findings:
        if (
            finding.severity is Severity.ERROR and finding.code != "task-date"
        ):  # (a line edits keep)
            raise EditRefused(f"not edited: {finding.message}", finding.line)
        if finding.code == "front-matter":  # a --- block after blank lines
            raise EditRefused(f"not edited: {finding.message}", finding.line)
    bom = data.startswith(_BOM)
    text = data[len(_BOM) :].decode("utf-8") if bom else data.decode("utf-8")
    lines = text.split("\n")
    fm_end = None
    if note.has_front_matter:
        fm_end = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
    return _Doc(bom, lines, fm_end, dict(note.meta), {k: n - 1 for k, n in note.meta_lines.items()})


def _key_span(doc: _Doc, key: str) -> tuple[int, int]:
    """[start, end) line indexes of a top-level key and its value lines (not trailing blanks
    or comments at column 0)."""
    assert doc.fm_end is not None
    start = doc.meta_lines[key]
    end = start + 1
    last = start + 1
    while end < doc.fm_end:
        line = doc.lines[end].rstrip("\r")
        if line.startswith((" ", "\t", "-")) and line.strip():
            end += 1
            last = end
        elif not line.strip():
            end += 1
        else:
            break
    return start, last


def _verify(before: _Doc, after: bytes, changed: dict[str, Any] | str) -> bytes:
    """Parse the result; refuse it unless exactly the ``changed`` keys differ, each with its
    expected value (a plain key name: that key may differ in any way; "": nothing may)."""
    doc = _open(after)
    expected = changed if isinstance(changed, dict) else {}
    keys = set(expected) if isinstance(changed, dict) else {changed}
    old = {k: v for k, v in before.meta.items() if k not in keys}
    new = {k: v for k, v in doc.meta.items() if k not in keys}
    if old != new or list(old) != list(new):
        shown = ", ".join(sorted(repr(k) for k in keys if k)) or "the body"
        raise EditRefused(
            f"not edited: the change to {shown} would also have changed other"
            " properties (please report this note)"
        )
    for key, value in expected.items():
        if doc.meta.get(key) != value:
            raise EditRefused(
                f"not edited: {key!r} would read back as {doc.meta.get(key)!r},"
                f" not {value!r} (please report this note)"
            )
    order = [k for k in doc.meta if k in keys]
    if isinstance(changed, dict) and order != [k for k in before.meta if k in keys] + [
        k for k in changed if k not in before.meta
    ]:
        raise EditRefused("not edited: the properties would have moved (please report this note)")
    return after


def _fm_check_key(key: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ -]*", key):
        raise EditRefused(f"{key!r} is not a property name coffeechat writes")


# --- the four edits --------------------------------------------------------------------------


def set_key(data: bytes, key: str, value: Any) -> bytes:
    """Set front-matter ``key`` to ``value`` (a scalar, a date, a Link, None for empty, or a
    list), replacing only that key's lines; a missing key is added at the end of the block,
    and a note without front matter gets one."""
    return set_keys(data, [(key, value)])


def set_keys(data: bytes, items: Sequence[tuple[str, Any]]) -> bytes:
    """`set_key` for several keys in one pass and one check (a key given twice keeps its
    first place and its last value); new keys are added in the order given."""
    wanted: dict[str, Any] = {}
    for key, value in items:
        _fm_check_key(key)
        wanted[key] = value
    if not wanted:
        return data
    before = _open(data)
    doc = before.copy()
    if doc.fm_end is None:
        block = new_front_matter(list(wanted.items()), doc.nl).split("\n")[:-1]
        doc.lines[0:0] = block
    else:
        added = [k for k in wanted if k not in doc.meta_lines]
        if added:  # appended first: the replacements below all sit above the closing line
            nl = doc.nl_at(doc.fm_end - 1 if doc.fm_end > 1 else 0)
            doc.lines[doc.fm_end : doc.fm_end] = "".join(
                line for k in added for line in _value_lines(k, wanted[k], nl)
            ).split("\n")[:-1]
        spans = sorted(
            ((_key_span(doc, k), k) for k in wanted if k in doc.meta_lines), reverse=True
        )
        for (start, end), key in spans:  # bottom-up, so the line numbers above stay right
            value = wanted[key]
            old_first = doc.lines[start]
            new = "".join(_value_lines(key, value, doc.nl_at(start))).split("\n")[:-1]
            new[0] = _keep_key_spelling(old_first, key, new[0])
            if not isinstance(value, (list, tuple)):
                new[0] = _keep_comment(old_first, new[0])
            doc.lines[start:end] = new
    expected = {
        k: [_expected(x) for x in v] if isinstance(v, (list, tuple)) else _expected(v)
        for k, v in wanted.items()
    }
    return _verify(before, doc.to_bytes(), expected)


def _keep_key_spelling(old: str, key: str, new: str) -> str:
    """Keep ``key :`` spacing or quoting as written when the key line is replaced."""
    m = re.match(r"([\"']?" + re.escape(key) + r"[\"']?\s*:)", old)
    if m and new.startswith(key + ":"):
        return m[1] + new[len(key) + 1 :]
    return new


def _keep_comment(old: str, new: str) -> str:
    """Keep a trailing ``# comment`` (and the spaces before it) of the replaced line."""
    m = re.search(r"\s+#(?:\s.*)?$", old.rstrip("\r"))
    if m and " #" not in new and not new.rstrip("\r").endswith(":"):
        cr = "\r" if new.endswith("\r") else ""
        return new.rstrip("\r") + m[0] + cr
    return new


def append_list_item(data: bytes, key: str, item: Any) -> bytes:
    """Add ``item`` at the end of list ``key`` (created when missing); block lists get a line
    in the list's own indentation, flow lists an element, a scalar becomes a two-item list."""
    _fm_check_key(key)
    before = _open(data)
    current = before.meta.get(key)
    if before.fm_end is None or key not in before.meta_lines or current in (None, "", []):
        return set_key(data, key, [item])
    doc = before.copy()
    start, end = _key_span(doc, key)
    first = doc.lines[start].rstrip("\r")
    nl = doc.nl_at(start)
    value_text = first.split(":", 1)[1].strip() if ":" in first else ""
    if isinstance(current, list) and end > start + 1:
        items = [
            i
            for i in range(start + 1, end)
            if doc.lines[i].lstrip().startswith("- ") or doc.lines[i].strip() == "-"
        ]
        if not items:
            raise EditRefused(f"not edited: {key!r} is a list in a form coffeechat does not edit")
        last_item = items[-1]
        indent = doc.lines[last_item][
            : len(doc.lines[last_item]) - len(doc.lines[last_item].lstrip())
        ]
        doc.lines.insert(end, f"{indent}- {format_value(item)}{nl.rstrip(chr(10))}")
    elif (
        isinstance(current, list)
        and value_text.startswith("[")
        and value_text.rstrip().endswith("]")
    ):
        m = re.match(r"(.*?)\](\s*(?:#.*)?)$", first)
        assert m is not None
        head = m[1].rstrip()
        sep = "" if head.endswith("[") else ", "
        doc.lines[start] = f"{head}{sep}{format_value(item)}]{m[2]}" + (
            "\r" if nl == "\r\n" else ""
        )
    elif not isinstance(current, (list, dict)):
        return set_key(data, key, [current, item])
    else:
        raise EditRefused(f"not edited: {key!r} is not a list")
    result = doc.to_bytes()
    return _verify(before, result, {key: [*current, _expected(item)]})


_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t#]*\r?$")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)")


def fenced_blocks(
    lines: Sequence[str], start: int
) -> tuple[set[int], list[tuple[int, int | None, str]]]:
    """Lines inside fenced code blocks (fences included), as body.py reads them, and the
    blocks as (open, close, info string); ``close`` is None for a block never closed."""
    inside: set[int] = set()
    blocks: list[tuple[int, int | None, str]] = []
    fence: str | None = None
    opened = 0
    info = ""
    for i in range(start, len(lines)):
        line = lines[i].rstrip("\r")
        m = _FENCE.match(line)
        if fence is None:
            if m:
                fence, opened, info = m[1], i, m[2].lower()
                inside.add(i)
            continue
        inside.add(i)
        if m and m[1][0] == fence[0] and len(m[1]) >= len(fence) and not line[m.end(1) :].strip():
            blocks.append((opened, i, info))
            fence = None
    if fence is not None:
        blocks.append((opened, None, info))
    return inside, blocks


def find_section(lines: Sequence[str], heading: str, start: int) -> tuple[int, int, int] | None:
    """(heading index, its level, end index) of the first heading named ``heading`` (any level,
    case and Unicode form ignored) at or after ``start``, outside code blocks; the section ends
    before the next heading of the same or a higher level."""
    fenced, _ = fenced_blocks(lines, start)
    target = fold(heading.strip())
    for i in range(start, len(lines)):
        m = _HEADING.match(lines[i])
        if m and i not in fenced and fold(m[2].strip()) == target:
            depth = len(m[1])
            end = next(
                (
                    j
                    for j in range(i + 1, len(lines))
                    if j not in fenced and (n := _HEADING.match(lines[j])) and len(n[1]) <= depth
                ),
                len(lines),
            )
            return i, depth, end
    return None


def insert_after(lines: list[str], last: int, new: Sequence[str], cr: str) -> None:
    """Insert ``new`` after line ``last``, each ended as the note ends its lines; after a last
    line that has no line ending, the note keeps none."""
    at = last + 1
    if at >= len(lines):
        lines[-1] += cr
        lines.extend(f"{x}{cr}" for x in new[:-1])
        lines.append(new[-1])
    else:
        lines[at:at] = [f"{x}{cr}" for x in new]


def append_line_under_heading(data: bytes, heading: str, line: str, level: int = 2) -> bytes:
    """Append ``line`` as the last line of the section under ``heading`` (any level, case
    ignored); a missing heading is added at the end of the note, after a blank line."""
    if "\n" in line or "\r" in line:
        raise EditRefused("a log line cannot hold a line break")
    before = _open(data)
    doc = before.copy()
    lines = doc.lines
    body_start = (doc.fm_end + 1) if doc.fm_end is not None else 0
    found = find_section(lines, heading, body_start)
    if found is not None:
        index, _, end = found
        last = max([index] + [i for i in range(index + 1, end) if lines[i].strip()])
        new = [line]
    else:
        last = max([i for i in range(len(lines)) if lines[i].strip()], default=-1)
        new = ([""] if last >= body_start else []) + [f"{'#' * level} {heading}", line]
    _, blocks = fenced_blocks(lines, body_start)
    if any(close is None and opened <= last for opened, close, _ in blocks):
        raise EditRefused(
            "not edited: the note ends inside a ``` code block; close the block first", last + 1
        )
    insert_after(lines, last, new, "\r" if doc.nl == "\r\n" else "")
    return _verify(before, doc.to_bytes(), "")


_TASK = re.compile(r"([ \t]*(?:[-*+]|\d+[.)])[ \t]+\[)(.)(\][ \t]+.*?)(\r?)$")


def tick_task(
    data: bytes,
    line_number: int,
    today: dt.date | None = None,
    expect: tuple[str, dt.date] | None = None,
) -> bytes:
    """Tick the open task on ``line_number`` (1-based); Obsidian Tasks' ``✅ date`` is added to
    a task that carries a ``📅`` date, Dataview's ``[completion:: date]`` to a ``[due::]`` one.

    ``expect``: the (text, due date) of the task the caller means — the one its item id was
    computed from. A line that no longer holds that task is refused, never ticked instead."""
    before = _open(data)
    doc = before.copy()
    index = line_number - 1
    if not 0 <= index < len(doc.lines) or (doc.fm_end is not None and index <= doc.fm_end):
        raise EditRefused(f"line {line_number} is not in the note's body", line_number)
    m = _TASK.match(doc.lines[index])
    if m is None:
        raise EditRefused(f"line {line_number} is not a task", line_number)
    if expect is not None:
        from coffeechat.core.note.body import parse_body

        tasks = parse_body([doc.lines[index].rstrip("\r\n")], line_number, "")[1]
        found = (tasks[0].text, tasks[0].due) if tasks else None
        if found != expect:
            raise EditRefused(
                f"line {line_number} is no longer the task “{expect[0]}” due"
                f" {expect[1].isoformat()} (the note changed since that id was"
                " shown): run `coffeechat due` for the current ids",
                line_number,
            )
    if m[2] in "xX-":
        raise EditRefused(f"the task on line {line_number} is already done", line_number)
    rest = m[3]
    if today is not None:
        if "📅" in rest and "✅" not in rest:
            rest += f" ✅ {today.isoformat()}"
        elif "due::" in rest.lower() and "completion::" not in rest.lower():
            rest += f" [completion:: {today.isoformat()}]"
    doc.lines[index] = f"{m[1]}x{rest}{m[4]}"
    return _verify(before, doc.to_bytes(), "")


def front_matter_of(data: bytes) -> dict[str, Any]:
    """The front matter as the editor sees it (for callers that check before they edit)."""
    return _open(data).meta


def check_editable(data: bytes) -> None:
    """Raise EditRefused when the note could not be edited safely."""
    _open(data)
