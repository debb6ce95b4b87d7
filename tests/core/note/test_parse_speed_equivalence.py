"""The speed-ups of parse_note change nothing: same ParsedNote for every input.

Two shortcuts are checked against the straightforward readers they stand in for:

* the front-matter fast path (core/note/fastyaml.py) against PyYAML's loader alone;
* the body scan (core/note/body.py: only task and log lines are read when the text has no code
  fence; the heading before a log line is looked up only when it matters) against REFERENCE
  below — the line-by-line scan as it was written before, kept here as the oracle.

``repr`` compares everything, types included (``True`` is not ``1``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Sequence

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coffeechat.core.model import Finding, LogEntry, Severity, Task
from coffeechat.core.note import body
from coffeechat.core.note import parse as notes
from coffeechat.core.note.body import LOG_KINDS, normalise_kind, parse_body, parse_body_text
from coffeechat.core.note.parse import parse_note, split_lines
from conftest import SAMPLE

# --- the reference body scan: every line, in order, as first written ------------------------

_LOG = re.compile(
    r"[ \t]*[-*+][ \t]+(\d{4}-\d{1,2}-\d{1,2})[ \t]+([A-Za-z][A-Za-z _-]{0,30}?)[ \t]*:(.*)"
)
_TASK = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[(.)\][ \t]+(.*)")
_DUE_TASKS = re.compile(r"📅\ufe0f?[ \t]*(\d{4}-\d{2}-\d{2})")
_DUE_DATAVIEW = re.compile(r"[\[(]due::[ \t]*(\d{4}-\d{2}-\d{2})[ \t]*[\])]", re.IGNORECASE)
_HEADING = re.compile(r"#{1,6}[ \t]+(.*?)[ \t#]*")
_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")


def reference_kind(word: str) -> str | None:
    key = re.sub(r"[ \t-]+", "_", word.strip().lower())
    key = body._KIND_ALIASES.get(key, key)
    return key if key in LOG_KINDS else None


def reference_body(lines: Sequence[str], first_line: int, path: str) -> tuple:
    log, tasks, findings = [], [], []
    fence = None
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
            elif run[0] == fence[0] and len(run) >= len(fence) and not line[m.end() :].strip():
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
            text = m[2]
            due_match = _DUE_TASKS.search(text) or _DUE_DATAVIEW.search(text)
            if due_match is not None:
                try:
                    due = dt.date.fromisoformat(due_match[1])
                except ValueError:
                    if m[1] not in "xX-":  # an open task on no real day: an error on its line
                        findings.append(
                            Finding(
                                path,
                                number,
                                f"task date {due_match[1]} is not a real date; the task"
                                " is left out until it is fixed",
                                Severity.ERROR,
                                "task-date",
                            )
                        )
                    continue
                label = (text[: due_match.start()] + text[due_match.end() :]).strip()
                label = re.sub(r"[ \t]{2,}", " ", label)
                tasks.append(Task(label, due, m[1] in "xX-", number))
            continue
        if m := _LOG.match(line):
            kind = reference_kind(m[2])
            if kind is None:
                if in_log_section:
                    findings.append(
                        Finding(
                            path,
                            number,
                            f"log line kind {m[2].strip()!r} is not one of: {', '.join(sorted(LOG_KINDS))}",
                            Severity.WARNING,
                            "log-kind",
                        )
                    )
                continue
            try:
                year, month, day = (int(x) for x in m[1].split("-"))
                date = dt.date(year, month, day)
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
                continue
            log.append(LogEntry(date, kind, m[3].strip(), number))
    return tuple(log), tuple(tasks), tuple(findings)


def reference_parse_note(path: str, data: bytes, monkeypatch: pytest.MonkeyPatch):
    """parse_note with both shortcuts turned off."""
    with monkeypatch.context() as m:
        m.setattr(notes, "load_plain_front_matter", lambda text, first_line=2: None)
        m.setattr(
            notes,
            "scan_body_text",
            lambda text, start, first_line, path: reference_body(
                split_lines(text[start:]), first_line, path
            ),
        )
        return parse_note(path, data, 5)


# --- a grammar of bodies ------------------------------------------------------------------

BODY_LINES = [
    "",
    "",
    "  ",
    "Some prose.",
    "Prose with a date 2026-01-02 call: not a list item",
    "# Jane",
    "## Log",
    "## log ##",
    "### Touches",
    "## Timeline",
    "## Notes",
    "## Background",
    "#tag",
    "#",
    "####### seven",
    "  ## indented heading",
    "\xa0## nbsp heading",
    "\t# tab",
    "- 2026-01-02 approach: emailed",
    "- 2026-1-2 call: short date",
    "* 2026-01-02 Follow-up: x",
    "+ 2026-01-02 thanks: card",
    "  - 2026-01-02 reply: indented",
    "-\t2026-01-02\tnote:\ttabs",
    "- 2026-02-30 call: no such day",
    "- 0000-01-01 call: year zero",
    "- 2026-01-02 lunch: unknown kind",
    "- 2026-01-02 Phone Call : spaced kind",
    "- ٢٠٢٦-٠١-٠٢ call: arabic digits",
    "- 2026-01-02 call:",
    "- 2026-01-02 call",
    "1. 2026-01-02 call: numbered is not a log line",
    "-2026-01-02 call: no space",
    "\xa0- 2026-01-02 call: nbsp before",
    "- [ ] task 📅 2026-03-01",
    "- [x] done 📅 2026-03-01",
    "- [-] dropped 📅️ 2026-03-01",
    "* [ ] dataview [due:: 2026-03-02]",
    "+ [ ] (DUE:: 2026-03-02)",
    "1. [ ] numbered 📅 2026-03-01",
    "2) [ ] numbered 📅 2026-13-01",
    "- [ ] no date",
    "- [ ]  two  spaces  📅 2026-03-01  end",
    "- [[2026-01-02 Call with Jane]]",
    "- [[link]] 📅 2026-03-01",
    "- text",
    "* text",
    "+ text",
    "3. text",
    "- ",
    "-",
    "```",
    "```python",
    "````",
    "~~~",
    "  ```",
    "    ```",
    "``` ",
    "```x```",
    "~~~~ ~",
    "- 2026-01-02 call: with \r inside",
    "text\rwith a lone CR",
]


@st.composite
def bodies(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(BODY_LINES), max_size=25))
    eol = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return eol.join(lines) + draw(st.sampled_from(["", eol]))


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(bodies(), st.integers(1, 40))
@example(
    "## Notes\n- 2026-01-02 lunch: x\n## Log\n- 2026-01-02 lunch: y\n#tag\n- 2026-01-02 brunch: z",
    1,
)
@example("## Log\n```\n## Notes\n```\n- 2026-01-02 lunch: x", 3)
def test_body_scan_matches_the_reference(text: str, first_line: int):
    expected = repr(reference_body(split_lines(text), first_line, "p.md"))
    assert repr(parse_body_text(text, first_line, "p.md")) == expected
    assert repr(parse_body(split_lines(text), first_line, "p.md")) == expected
    # from an offset into a longer text, as parse_note reads a body after its front matter
    prefix = "---\nx: 1\n---\n"
    assert repr(body.scan_body_text(prefix + text, len(prefix), first_line, "p.md")) == expected


@given(
    st.text(st.sampled_from(list("-_ tT\tabcdefghijklmnopqrstuvwxyzABCFHKLNPRTUVY")), max_size=14)
)
def test_normalise_kind_matches_the_reference(word: str):
    assert normalise_kind(word) == reference_kind(word)


# --- whole notes ---------------------------------------------------------------------------

FRONT = [
    "type: contact",
    "name: Jane Doe",
    'company: "[[Acme Corp]]"',
    "company: [[Acme]]",
    "tags: [contact, london]",
    "tags:\n  - a\n  - b",
    'with:\n- "[[Jane]]"',
    "n: 42",
    "flag: true",
    "country: NO",
    "time: 10:00",
    "title: Re: coffee",
    "x: 1\nx: 2",
    "a: |\n  b",
    "added: 2026-01-02",
    "phone: 0123",
    "# comment",
    "",
    "bad: [",
    "a: &x 1\nb: *x",
]


@st.composite
def whole_notes(draw: st.DrawFn) -> bytes:
    front = draw(st.lists(st.sampled_from(FRONT), max_size=8))
    text = draw(st.sampled_from(["---\n", "---  \n", ""])) + "\n".join(front)
    if text.startswith("---"):
        text += draw(st.sampled_from(["\n---\n", "\n...\n", "\n---", "\n"]))
    text += draw(bodies())
    if draw(st.integers(0, 9)) == 0:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if draw(st.integers(0, 19)) == 0 else data


@pytest.mark.slow
@settings(max_examples=800, deadline=None)
@given(whole_notes())
def test_parse_note_matches_the_reference(data: bytes):
    with pytest.MonkeyPatch.context() as mp:
        expected = repr(reference_parse_note("contacts/Jane.md", data, mp))
    assert repr(parse_note("contacts/Jane.md", data, 5)) == expected


def test_every_note_of_the_sample_vault_matches_the_reference(monkeypatch):
    paths = sorted(SAMPLE.rglob("*.md"))
    assert paths
    for path in paths:
        name, data = path.relative_to(SAMPLE).as_posix(), path.read_bytes()
        assert repr(parse_note(name, data, 5)) == repr(
            reference_parse_note(name, data, monkeypatch)
        )


def test_a_few_hundred_varied_notes_match_the_reference(monkeypatch):
    rng = random.Random(11)
    for i in range(300):
        front = "\n".join(rng.choice(FRONT) for _ in range(rng.randint(0, 8)))
        lines = [rng.choice(BODY_LINES) for _ in range(rng.randint(0, 30))]
        text = f"---\n{front}\n---\n" + "\n".join(lines)
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        assert repr(parse_note(f"n{i}.md", data, 5)) == repr(
            reference_parse_note(f"n{i}.md", data, monkeypatch)
        ), text
