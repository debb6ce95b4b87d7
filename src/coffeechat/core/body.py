"""The body of a note: dated log lines and tasks with a due date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from coffeechat.core.model import Finding, LogEntry, LogKind, Severity, Task

__all__ = ["LOG_KINDS", "normalise_kind", "parse_body", "parse_body_text"]

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

_LOG = re.compile(r"[ \t]*[-*+][ \t]+(\d{4}-\d{1,2}-\d{1,2})[ \t]+([A-Za-z][A-Za-z _-]{0,30}?)[ \t]*:(.*)")
_TASK = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(.*)")
_DUE_TASKS = re.compile(r"📅\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})")
_DUE_DATAVIEW = re.compile(r"[\[(]due::[ \t]*(\d{4}-\d{2}-\d{2})[ \t]*[\])]", re.IGNORECASE)
_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)[ \t#]*")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
_CLOSED_TASK = frozenset("xX-")


def normalise_kind(word: str) -> str | None:
    """``Follow-up`` -> ``follow_up``; ``None`` for a word that is not a log kind."""
    key = re.sub(r"[ \t-]+", "_", word.strip().lower())
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
    in_log_section = False
    for offset, line in enumerate(lines):
        number = first_line + offset
        stripped = line.lstrip()
        if not stripped:
            continue
        head = stripped[0]
        if head in "`~" and (m := _FENCE.match(line)):
            run = m[1]
            if fence is None:
                fence = run
            elif run[0] == fence[0] and len(run) >= len(fence) and not line[m.end():].strip():
                fence = None
            continue
        if fence is not None:
            continue
        if head == "#" and (m := _HEADING.fullmatch(stripped)):
            in_log_section = m[1].strip().lower() in ("log", "touches", "timeline")
            continue
        if head not in "-*+0123456789":
            continue
        if m := _TASK.match(line):
            task = _task(m, number)
            if task is not None:
                tasks.append(task)
            continue
        if m := _LOG.match(line):
            kind = normalise_kind(m[2])
            if kind is None:
                if in_log_section:
                    findings.append(Finding(
                        path, number,
                        f"log line kind {m[2].strip()!r} is not one of: {', '.join(sorted(LOG_KINDS))}",
                        Severity.WARNING, "log-kind",
                    ))
                continue
            try:
                year, month, day = (int(x) for x in m[1].split("-"))
                date = dt.date(year, month, day)
            except ValueError:
                findings.append(Finding(
                    path, number, f"log line date {m[1]} is not a real date",
                    Severity.WARNING, "log-date",
                ))
                continue
            log.append(LogEntry(date, kind, m[3].strip(), number))
    return tuple(log), tuple(tasks), tuple(findings)


def parse_body_text(
    text: str, first_line: int, path: str
) -> tuple[tuple[LogEntry, ...], tuple[Task, ...], tuple[Finding, ...]]:
    """`parse_body` over text split on LF (a trailing CR is ignored, as editors show it)."""
    lines = text.split("\n")
    if "\r" in text:
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    return parse_body(lines, first_line, path)


def _task(m: re.Match[str], number: int) -> Task | None:
    text = m[2]
    due_match = _DUE_TASKS.search(text) or _DUE_DATAVIEW.search(text)
    if due_match is None:
        return None
    try:
        due = dt.date.fromisoformat(due_match[1])
    except ValueError:
        return None
    label = (text[: due_match.start()] + text[due_match.end():]).strip()
    label = re.sub(r"[ \t]{2,}", " ", label)
    return Task(label, due, m[1] in _CLOSED_TASK, number)
