"""Bytes of one note in, a ParsedNote out: BOM, line endings, front matter, YAML, body.

Values are read as Obsidian reads them (YAML 1.2-like, via PyYAML's C parser): only ``true``/
``false`` are booleans, only plain decimal numbers are numbers, and dates, times, ``NO``,
``0123456`` or ``+15550100`` stay the text that was written.

Speed matters here (a cold index reads every note): flat front matter is read by
``fastyaml.load_plain_front_matter``, which answers only when its answer is exactly the loader's,
and the body scan reads only the lines that can hold a log entry or a task.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from sys import intern
from typing import Any

import yaml

from coffeechat.core.model import Finding, LogEntry, ParsedNote, Severity, Task
from coffeechat.core.note.body import scan_body_text
from coffeechat.core.note.fastyaml import IMPLICIT_RESOLVERS, load_plain_front_matter

__all__ = ["load_front_matter", "note_from_record", "note_to_record", "parse_note", "split_lines"]

_BOM = b"\xef\xbb\xbf"


class _ObsidianLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's (C) safe loader with YAML 1.2 core-schema scalars instead of YAML 1.1's."""


_ObsidianLoader.yaml_implicit_resolvers = {}
# The resolvers live in fastyaml so that its fast path reads scalars exactly as this loader does.
for _tag, _pattern, _first in IMPLICIT_RESOLVERS:
    _ObsidianLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class FrontMatterError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_front_matter(text: str, first_line: int = 2) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a front-matter block; return (values, file line of each top-level key).

    ``first_line`` is the file line of the block's first line. Raises FrontMatterError for YAML
    that does not parse, is not a mapping, or repeats a key.
    """
    # Most front matter is flat `key: value` lines, which fastyaml reads in a fraction of the
    # time; it answers only when its answer is certain to be the loader's, else None.
    fast = load_plain_front_matter(text, first_line)
    return fast if fast is not None else _load_with_yaml(text, first_line)


def _load_with_yaml(text: str, first_line: int) -> tuple[dict[str, Any], dict[str, int]]:
    """`load_front_matter` through PyYAML's (C) loader: any YAML, and every error message."""

    def at(mark: Any) -> int:  # YAML also breaks lines at a lone CR, NEL, U+2028/9: count LFs
        return first_line + text.count("\n", 0, mark.index)

    loader = _ObsidianLoader(text)
    values: dict[str, Any] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
            raise FrontMatterError(
                at(node.start_mark), f"front matter is {kind}, not a set of `key: value` properties"
            )
        if "*" in text:  # an alias: the values could expand far beyond the text (a YAML bomb)
            size = _expanded_size(node)
            if size > min(MAX_EXPANDED, EXPANSION * len(text) + 10_000):
                raise FrontMatterError(
                    at(node.start_mark),
                    f"front matter expands through YAML aliases (&name, *name) to {_size(size)}"
                    f" from {_size(len(text))} of text; the note is left out until it is fixed",
                )
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = at(key_node.start_mark)
            if not isinstance(key_node, yaml.ScalarNode):
                raise FrontMatterError(line, "front matter is not valid YAML: found unhashable key")
            key = str(key_node.value)  # as written: `true:` is the key "true", not True
            if key in lines:
                raise FrontMatterError(
                    line,
                    f"duplicate key {key!r} (also on line {lines[key]}); keep one"
                    " — a git merge=union often leaves both sides",
                )
            lines[key] = line
            try:
                values[key] = _plain(loader.construct_object(value_node, deep=True))
            except yaml.YAMLError:
                raise
            # parse_note never raises: RecursionError (&a [*a]), AttributeError (!!timestamp), ...
            except Exception as exc:  # noqa: BLE001
                raise FrontMatterError(line, f"{key}: value could not be read ({exc})") from None
    except FrontMatterError:
        raise
    except yaml.reader.ReaderError as exc:
        bad = re.search(
            r"[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", text
        )
        where = first_line + text.count("\n", 0, bad.start()) if bad else None
        raise FrontMatterError(where, f"front matter is not valid YAML: {exc.reason}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = at(mark) if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise FrontMatterError(
            where, f"front matter is not valid YAML: {problem}{_hint(text, mark)}"
        ) from None
    except yaml.YAMLError as exc:
        raise FrontMatterError(None, f"front matter is not valid YAML: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - parse_note never raises: anything else is a finding
        raise FrontMatterError(None, f"front matter could not be read: {exc}") from None
    finally:
        loader.dispose()
    return values, lines


#: Front matter whose aliases expand it past this many characters is refused — or past
#: `EXPANSION` times its own text: nine nested anchors in 436 bytes expand to gigabytes.
MAX_EXPANDED = 1_000_000
EXPANSION = 100


def _expanded_size(root: Any) -> int:
    """The characters ``root``'s value would take once every alias is expanded, counted over
    the composed node graph (each node once, so it costs as little as the text): a scalar is
    its length plus one, a collection one plus its items. An alias to a node still being
    counted (``&a [*a]``) counts nothing here; constructing it fails later."""
    sizes: dict[int, int] = {}
    counting: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = len(node.value) + 1
            continue
        items = (
            [n for pair in node.value for n in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if ready:
            sizes[key] = 1 + sum(sizes.get(id(n), 0) for n in items)
            counting.discard(key)
        elif key not in counting:
            counting.add(key)
            stack.append((node, True))
            stack.extend((n, False) for n in items if id(n) not in sizes and id(n) not in counting)
    return sizes[id(root)]


def _size(chars: int) -> str:
    if chars >= 10**12:
        return f"about 10^{len(str(chars)) - 1} characters"
    if chars >= 1_000_000:
        return f"{chars / 1_000_000:,.0f} MB"
    return f"{chars:,} characters" if chars < 10_000 else f"{chars / 1000:,.0f} KB"


def _hint(text: str, mark: Any) -> str:
    if mark is None:
        return ""
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in line[: len(line) - len(line.lstrip())]:
        return " (tabs cannot indent YAML; use spaces)"
    if re.match(r"\s*[\w -]+:\s*[^\"'\s].*:\s", line):
        return " (quote a value that holds ': ', e.g. title: \"Re: coffee\")"
    if "{{" in line:
        return " (an unfilled template placeholder; quote it or fill it in)"
    if "[[" in line:
        return ' (quote links: "[[Name]]")'
    return ""


def _plain(value: Any) -> Any:
    """Make a YAML value JSON-able without losing what was written."""
    if isinstance(value, str) or value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat(sep="T")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: split on LF only, a trailing CR dropped."""
    lines = text.split("\n")
    if "\r" in text:
        lines = [ln.removesuffix("\r") for ln in lines]
    return lines


_CONFLICT_START = re.compile(r"^<<<<<<<(?: |\r?$)", re.MULTILINE)
_CONFLICT_END = re.compile(r"^>>>>>>>(?: |\r?$)", re.MULTILINE)


def _conflict_line(text: str) -> int | None:
    if "<" not in text or "<<<<<<<" not in text:  # (one character is found fastest)
        return None
    start = _CONFLICT_START.search(text)
    if start is None or _CONFLICT_END.search(text, start.end()) is None:
        return None
    return text.count("\n", 0, start.start()) + 1


def parse_note(path: str, data: bytes, mtime_ns: int = 0) -> ParsedNote:
    """Read one note. Never raises: whatever is wrong becomes a Finding."""
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return _broken(
            path,
            mtime_ns,
            line,
            (f"not UTF-8 (byte 0x{data[exc.start]:02x} on this line); re-save the note as UTF-8"),
            "encoding",
        )
    if (conflict := _conflict_line(text)) is not None:
        return _broken(
            path,
            mtime_ns,
            conflict,
            "git conflict markers (<<<<<<< ... >>>>>>>); resolve the merge — the note is"
            " left out until then",
            "conflict",
        )
    meta: dict[str, Any] = {}
    meta_lines: dict[str, int] = {}
    findings: list[Finding] = []
    body_offset, body_line = 0, 1
    has_fm = False
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() == "---":
        close = _closing_line(text, first_end)
        if close is None:
            return _broken(
                path,
                mtime_ns,
                1,
                "front matter opened with --- is never closed (add a --- line after it)",
                "front-matter",
            )
        start, end = close
        block = text[first_end + 1 : max(first_end + 1, start - 1)]
        if "\r" in block:
            block = "\n".join(split_lines(block))
        try:
            meta, meta_lines = load_front_matter(block, 2)
        except FrontMatterError as exc:
            return _broken(path, mtime_ns, exc.line or 1, exc.message, "yaml")
        has_fm = True
        body_offset = len(text) if end < 0 else end + 1
        body_line = text.count("\n", 0, body_offset) + 1
    elif not first.strip() and (m := _NON_BLANK.search(text)) is not None:
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.start())
        if text[line_start : None if line_end < 0 else line_end].rstrip() == "---":
            findings.append(
                Finding(
                    path,
                    text.count("\n", 0, line_start) + 1,
                    "front matter must start on line 1; Obsidian ignores a block after blank lines,"
                    " and so does coffeechat",
                    Severity.WARNING,
                    "front-matter",
                )
            )
    log, tasks, body_findings = scan_body_text(text, body_offset, body_line, path)
    findings.extend(body_findings)
    return ParsedNote(path, mtime_ns, meta, meta_lines, has_fm, log, tasks, tuple(findings))


# A line starting with --- or ..., found by its LF: a pattern that starts with a literal lets
# the regex engine jump from LF to LF instead of trying every position.
_FENCE_LINE = re.compile(r"\n((?:---|\.\.\.)[^\n]*)")
_NON_BLANK = re.compile(r"\S")


def _closing_line(text: str, first_end: int) -> tuple[int, int] | None:
    """(start, end) offsets of the line closing the front matter (end: its newline, or -1);
    ``first_end`` is the offset of the LF ending the opening line."""
    if first_end < 0:
        return None
    for m in _FENCE_LINE.finditer(text, first_end):
        if m[1].rstrip() in ("---", "..."):
            start = m.start() + 1
            return start, text.find("\n", start)
    return None


def _broken(path: str, mtime_ns: int, line: int | None, message: str, code: str) -> ParsedNote:
    finding = Finding(path, line, message, Severity.ERROR, code)
    return ParsedNote(path, mtime_ns, findings=(finding,), broken=True)


# --- records: the JSON form the index stores ----------------------------------------------


def note_to_record(note: ParsedNote) -> dict[str, Any]:
    record: dict[str, Any] = {"p": note.path, "t": note.mtime_ns}
    if note.meta:
        record["m"] = note.meta
        record["ml"] = note.meta_lines
    if note.has_front_matter:
        record["fm"] = 1
    if note.log:
        record["l"] = [[e.date.isoformat(), e.kind, e.text, e.line] for e in note.log]
    if note.tasks:
        record["k"] = [[t.text, t.due.isoformat(), int(t.done), t.line] for t in note.tasks]
    if note.findings:
        record["f"] = [[f.line, f.message, f.severity.value, f.code] for f in note.findings]
    if note.broken:
        record["b"] = 1
    return record


def note_from_record(record: dict[str, Any]) -> ParsedNote:
    path = record["p"]
    date = dt.date.fromisoformat
    return ParsedNote(
        path=path,
        mtime_ns=record.get("t", 0),
        # One copy of each key and kind across the vault's notes (what the parser keeps, too).
        meta={intern(k): v for k, v in record.get("m", {}).items()},
        meta_lines={intern(k): v for k, v in record.get("ml", {}).items()},
        has_front_matter=bool(record.get("fm")),
        log=tuple(LogEntry(date(d), intern(k), x, n) for d, k, x, n in record.get("l", ())),
        tasks=tuple(Task(x, date(d), bool(done), n) for x, d, done, n in record.get("k", ())),
        findings=tuple(
            Finding(path, n, msg, Severity(s), c) for n, msg, s, c in record.get("f", ())
        ),
        broken=bool(record.get("b")),
    )
