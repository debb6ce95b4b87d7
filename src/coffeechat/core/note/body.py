"""The body of a note: dated log lines and tasks with a due date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from sys import intern

from coffeechat.core.model import Finding, LogEntry, LogKind, Severity, Task

__all__ = ["LOG_KINDS", "normalise_kind", "parse_body", "parse_body_text", "scan_body_text"]

LOG_KINDS = frozenset(k.value for k in LogKind)
_KIND_ALIASES = {
    "followup": "follow_up",
    "follow": "follow_up",
    "nudge": "follow_up",
    "thanks": "thank_you",
    "thankyou": "thank_you",
    "thank": "thank_you",
    "reportback": "report_back",
    "report": "report_back",
    "phone": "call",
    "phone_call": "call",
    "vm": "voicemail",
    "voice_mail": "voicemail",
    "mail": "email",
    "e_mail": "email",
    "replied": "reply",
    "response": "reply",
    "decline": "declined",
    "notes": "note",
}

_LOG = re.compile(
    r"[ \t]*[-*+][ \t]+(\d{4}-\d{1,2}-\d{1,2})[ \t]+([A-Za-z][A-Za-z _-]{0,30}?)[ \t]*:(.*)"
)
_TASK = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(.*)")
_DUE_TASKS = re.compile(r"📅\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})")
_DUE_DATAVIEW = re.compile(r"[\[(]due::[ \t]*(\d{4}-\d{2}-\d{2})[ \t]*[\])]", re.IGNORECASE)
_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)[ \t#]*")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_CLOSED_TASK = frozenset("xX-")
# What a line must start with to be a task (_TASK) or a log line (_LOG): one test that most
# list items (`- text`, `- [[link]]`) fail, instead of two.
_ITEM_START = r"[ \t]*(?:[-*+][ \t]+(?:\[.\][ \t]|\d{4}-)|\d+[.)][ \t]+\[.\][ \t])"
_ITEM = re.compile(_ITEM_START)
# The same after a LF: a literal first character lets the regex engine jump from LF to LF.
_NEXT_ITEM = re.compile("\n" + _ITEM_START)
_KIND_SEPARATORS = re.compile(r"[ \t-]+")
_LABEL_SPACES = re.compile(r"[ \t]{2,}")
# Kinds that normalise to themselves (not an alias of another kind).
_CANONICAL_KINDS = frozenset(k for k in LOG_KINDS if k not in _KIND_ALIASES)


def normalise_kind(word: str) -> str | None:
    """``Follow-up`` -> ``follow_up``; ``None`` for a word that is not a log kind."""
    if word in _CANONICAL_KINDS:  # as most log lines write it: nothing to normalise
        return word
    key = _KIND_SEPARATORS.sub("_", word.strip().lower())
    key = _KIND_ALIASES.get(key, key)
    return key if key in LOG_KINDS else None


def parse_body(
    lines: Sequence[str], first_line: int, path: str
) -> tuple[tuple[LogEntry, ...], tuple[Task, ...], tuple[Finding, ...]]:
    """Find log lines and dated tasks in ``lines``; ``first_line`` is the file line of lines[0]."""
    log: list[LogEntry] = []
    tasks: list[Task] = []
    findings: list[Finding] = []
    fence: str | None = None
    # Whether the last heading was Log/Touches/Timeline matters only for a log line of an unknown
    # kind, which is rare: keep the `#` lines seen since the last time it was needed, and read
    # them (from the last back to the first that is a heading) only then.
    in_log_section = False
    hash_lines: list[str] = []
    for number, line in enumerate(lines, first_line):
        stripped = line.lstrip()
        if not stripped:
            continue
        head = stripped[0]
        if head in "`~" and (m := _FENCE.match(line)):
            run = m[1]
            if fence is None:
                fence = run
            elif run[0] == fence[0] and len(run) >= len(fence) and not line[m.end() :].strip():
                fence = None
            continue
        if fence is not None:
            continue
        if head == "#":  # a heading, or a line like `#tag` that is not one: see above
            hash_lines.append(stripped)
            continue
        if head not in "-*+0123456789" or not _ITEM.match(line):
            continue
        if (word := _read_item(line, number, path, log, tasks, findings)) is not None:
            if hash_lines:
                in_log_section = _in_log_section(hash_lines, in_log_section)
                hash_lines.clear()
            if in_log_section:
                findings.append(_kind_finding(path, number, word))
    return tuple(log), tuple(tasks), tuple(findings)


def _read_item(
    line: str,
    number: int,
    path: str,
    log: list[LogEntry],
    tasks: list[Task],
    findings: list[Finding],
) -> str | None:
    """Read a task or log line into ``tasks``, ``log`` or ``findings``. Return the kind word of
    a log line of no known kind (a finding only in a log section, which the caller knows)."""
    if m := _TASK.match(line):
        try:
            task = _task(m, number)
        except ValueError as exc:  # an open task with no such day would silently vanish
            findings.append(
                Finding(
                    path,
                    number,
                    f"task date {exc} is not a real date; the task is left out until it is fixed",
                    Severity.ERROR,
                    "task-date",
                )
            )
            return None
        if task is not None:
            tasks.append(task)
        return None
    if m := _LOG.match(line):
        kind = normalise_kind(m[2])
        if kind is None:
            return m[2]
        try:
            date = _date(m[1])
        except ValueError:
            findings.append(
                Finding(
                    path,
                    number,
                    f"log line date {m[1]} is not a real date",
                    Severity.WARNING,
                    "log-date",
                )
            )
            return None
        log.append(LogEntry(date, intern(kind), m[3].strip(), number))
    return None


_DATES: dict[str, dt.date] = {}


def _date(text: str) -> dt.date:
    """The date of a log line's ``YYYY-M-D``; raises ValueError if there is no such day.

    The same few hundred days recur across a vault's log lines: remember them (a bounded cache).
    """
    date = _DATES.get(text)
    if date is None:
        year, month, day = map(int, text.split("-"))
        date = dt.date(year, month, day)
        if len(_DATES) >= 4096:
            _DATES.clear()
        _DATES[text] = date
    return date


def _kind_finding(path: str, number: int, word: str) -> Finding:
    return Finding(
        path,
        number,
        f"log line kind {word.strip()!r} is not one of: {', '.join(sorted(LOG_KINDS))}",
        Severity.WARNING,
        "log-kind",
    )


def _in_log_section(hash_lines: list[str], before: bool) -> bool:
    """Whether the last real heading among ``hash_lines`` (stripped `#` lines, in file order)
    opens a log section; ``before`` if none of them is a heading."""
    for stripped in reversed(hash_lines):
        if m := _HEADING.fullmatch(stripped):
            return m[1].strip().lower() in ("log", "touches", "timeline")
    return before


def parse_body_text(
    text: str, first_line: int, path: str
) -> tuple[tuple[LogEntry, ...], tuple[Task, ...], tuple[Finding, ...]]:
    """`parse_body` over text split on LF (a trailing CR is ignored, as editors show it)."""
    return scan_body_text(text, 0, first_line, path)


def scan_body_text(
    text: str, start: int, first_line: int, path: str
) -> tuple[tuple[LogEntry, ...], tuple[Task, ...], tuple[Finding, ...]]:
    """``parse_body_text(text[start:], first_line, path)``, without copying the text.

    ``start`` begins a line. Without a code fence (no ``` or ~~~ anywhere), only task and log
    lines (_ITEM) can add anything: they alone are found — by a search that jumps from LF to
    LF — and read, instead of walking every line. Headings matter only to a log line of an
    unknown kind (a finding inside a log section); for that rare line, and for text with a
    fence, every line is walked by parse_body.
    """
    # (A one-character `in` is much faster than a three-character one: test that first.)
    if ("`" not in text or "```" not in text) and ("~" not in text or "~~~" not in text):
        log: list[LogEntry] = []
        tasks: list[Task] = []
        findings: list[Finding] = []
        number, counted = first_line, start
        if (
            _ITEM.match(text, start)
            and _read_item(_line_at(text, start), number, path, log, tasks, findings) is not None
        ):
            return _walk(text, start, first_line, path)
        for m in _NEXT_ITEM.finditer(text, start):
            line_start = m.start() + 1
            number += text.count("\n", counted, line_start)
            counted = line_start
            if (
                _read_item(_line_at(text, line_start), number, path, log, tasks, findings)
                is not None
            ):
                return _walk(text, start, first_line, path)
        return tuple(log), tuple(tasks), tuple(findings)
    return _walk(text, start, first_line, path)


def _walk(
    text: str, start: int, first_line: int, path: str
) -> tuple[tuple[LogEntry, ...], tuple[Task, ...], tuple[Finding, ...]]:
    """parse_body over every line of ``text[start:]``, split as split_lines does."""
    body = text[start:] if start else text
    lines = body.split("\n")
    if "\r" in body:
        lines = [ln.removesuffix("\r") for ln in lines]
    return parse_body(lines, first_line, path)


def _line_at(text: str, start: int) -> str:
    """The line starting at ``start``, without its LF or a CR before it (as split_lines)."""
    end = text.find("\n", start)
    line = text[start:] if end < 0 else text[start:end]
    return line.removesuffix("\r")


def _task(m: re.Match[str], number: int) -> Task | None:
    """The task of a ``- [ ] ...`` line with a due date; None without one. Raises ValueError
    (with the date as written) for an open task whose date is no real day."""
    text = m[2]
    due_match = _DUE_TASKS.search(text) or _DUE_DATAVIEW.search(text)
    if due_match is None:
        return None
    try:
        due = dt.date.fromisoformat(due_match[1])
    except ValueError:
        if m[1] in _CLOSED_TASK:
            return None  # done: its date no longer matters
        raise ValueError(due_match[1]) from None
    label = (text[: due_match.start()] + text[due_match.end() :]).strip()
    label = _LABEL_SPACES.sub(" ", label)
    return Task(label, due, m[1] in _CLOSED_TASK, number)
