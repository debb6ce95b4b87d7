"""Fuzzing the parsers and the edit layer with hypothesis: thousands of cases under CI
(`ci` profile), many more with ``pytest -m slow --hypothesis-profile=fuzz tests/core/note/test_fuzz.py``.

What each parser promises: it returns or raises its documented error, never anything else;
line numbers stay inside the text; an edit either refuses (EditRefused) or changes only what
it must and reads back as intended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from coffeechat.core.dates import parse_cadence, parse_date_value
from coffeechat.core.links import fold, parse_link, parse_link_list
from coffeechat.core.note.body import LOG_KINDS, parse_body_text
from coffeechat.core.note.edits import EditRefused, append_line_under_heading, set_key, tick_task
from coffeechat.core.note.parse import parse_note
from coffeechat.core.resolutions import log_line

#: Cheap properties run thousands of cases in CI; the fuzz profile raises every one of them.
MANY = max(2000, settings.default.max_examples)
SOME = max(500, settings.default.max_examples)
_many = settings(max_examples=MANY, deadline=None, suppress_health_check=list(HealthCheck))
_some = settings(max_examples=SOME, deadline=None, suppress_health_check=list(HealthCheck))


def fuzz(test: Callable[..., None]) -> Callable[..., None]:
    """Thousands of cases: marked slow, so the README's `pytest` leaves it to .ci/run."""
    return pytest.mark.slow(_many(test))


def fuzz_some(test: Callable[..., None]) -> Callable[..., None]:
    """Hundreds of cases of a dearer property; slow too."""
    return pytest.mark.slow(_some(test))


LINK_ALPHABET = st.sampled_from([*"[]|#^/\\: .-_aZé山\u0301\t\n\r%()", "[[", "]]", "!["])
link_text = st.lists(LINK_ALPHABET | st.characters(), max_size=40).map("".join)
DATE_BITS = st.sampled_from(
    [
        "2026",
        "-",
        "11",
        "02",
        "T",
        " ",
        ":",
        "10",
        "00",
        "Z",
        "+",
        "05",
        "30",
        "13",
        "45",
        "0",
        "9999",
        "0000",
        "60",
        ".",
        "1",
    ]
)
date_text = st.lists(DATE_BITS, max_size=10).map("".join)
BODY_BITS = st.sampled_from(
    [
        "- ",
        "* ",
        "[ ]",
        "[x]",
        "[-]",
        " ",
        "2026-11-02",
        "2026-02-30",
        "9999-12-31",
        "approach",
        "follow_up",
        "reply:",
        "note",
        ":",
        "📅",
        "✅",
        "[due:: ",
        "]",
        "\n",
        "\r\n",
        "```",
        "~~~",
        "## Log",
        "# ",
        "\t",
        "text",
        "\x00",
        "\u2028",
        "<<<<<<< ",
        ">>>>>>> ",
        "=======",
    ]
)
body_text = st.lists(BODY_BITS | st.characters(), max_size=40).map("".join)
NOTE_BITS = st.sampled_from(
    [
        "---\n",
        "---\r\n",
        "...\n",
        "type: contact\n",
        "name: Jane\n",
        'company: "[[Acme]]"\n',
        "company: [[Acme]]\n",
        "tags:\n  - a\n",
        "aliases: [x, y]\n",
        "follow_up: 2026-11-30\n",
        "follow_up:\n",
        "key: 'quoted'\n",
        "# comment\n",
        "\ttab: x\n",
        "title: Re: coffee\n",
        "created: {{date}}\n",
        "dup: 1\n",
        "&a [*a]\n",
        "! x\n",
        "- item\n",
        "## Log\n",
        "- 2026-11-02 approach: hi\n",
        "- [ ] task 📅 2026-12-01\n",
        "\ufeff",
        "\xff",
        "\n",
        "\r\n",
    ]
)
note_text = st.lists(NOTE_BITS | st.characters(), max_size=25).map("".join)
TODAY = dt.date(2026, 11, 23)


# --- links -----------------------------------------------------------------------------------------


@fuzz
@given(
    st.one_of(
        link_text,
        st.lists(st.lists(link_text, max_size=2), max_size=2),
        st.integers(),
        st.none(),
        st.booleans(),
        st.dictionaries(link_text, link_text, max_size=2),
    )
)
def test_parse_link_returns_a_link_or_none(value):
    link = parse_link(value)
    if link is not None:
        assert isinstance(link.target, str) and link.target == link.target.strip()
        fold(link.target)


@fuzz
@given(st.one_of(link_text, st.lists(link_text, max_size=5)))
def test_parse_link_list_never_raises(value):
    for link in parse_link_list(value):
        assert isinstance(link.target, str)


@fuzz
@given(
    link_text.filter(
        lambda t: (
            "[" not in t
            and "]" not in t
            and "|" not in t
            and "#" not in t
            and t.strip()
            and "\n" not in t
            and "\r" not in t
        )
    )
)
def test_a_quoted_link_reads_back_its_target(name):
    expected = name.strip().replace("\\", "/").lstrip("/").strip()
    assume(expected and not expected.lower().endswith(".md"))
    link = parse_link(f"[[{name}]]")
    assert link is not None and link.target == expected


def test_a_leading_slash_and_space_do_not_stay_in_the_target():
    """Found by the fuzzer: `[[/ Jane Doe]]` gave the target " Jane Doe", which resolved
    to nothing."""
    assert parse_link("[[/ Jane Doe]]").target == "Jane Doe"
    assert parse_link("/ Jane Doe").target == "Jane Doe"
    assert parse_link("[[Jane Doe .md]]").target == "Jane Doe"


@fuzz
@given(link_text)
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


# --- dates -------------------------------------------------------------------------------------------


@fuzz
@given(st.one_of(date_text, st.text(max_size=30)))
def test_date_parser_returns_or_raises_value_error(text):
    try:
        parse_date_value(text)
    except ValueError:
        pass


@fuzz
@given(st.one_of(date_text, st.text(max_size=12), st.integers(), st.floats(), st.none()))
def test_cadence_parser_returns_or_raises_value_error(value):
    try:
        parse_cadence(value)
    except ValueError:
        pass


# --- log lines and tasks ---------------------------------------------------------------------------


@fuzz
@given(body_text, st.integers(min_value=1, max_value=10_000))
def test_body_parser_keeps_line_numbers_inside_the_text(text, first):
    log, tasks, findings = parse_body_text(text, first, "x.md")
    last = first + text.count("\n")
    for entry in log:
        assert first <= entry.line <= last and entry.kind in LOG_KINDS
    for task in tasks:
        assert first <= task.line <= last
    for finding in findings:
        assert finding.line is None or first <= finding.line <= last


@fuzz
@given(st.dates(), st.sampled_from(sorted(LOG_KINDS)), st.text(max_size=60))
def test_a_log_line_we_write_is_read_back(day, kind, text):
    line = log_line(day, kind, text)
    log, _tasks, _ = parse_body_text("## Log\n" + line + "\n", 1, "x.md")
    assert [(e.date, e.kind) for e in log] == [(day, kind)]
    assert log[0].text == " ".join(text.split())


# --- whole notes ---------------------------------------------------------------------------------


@fuzz
@given(note_text)
def test_parse_note_never_raises_on_note_like_text(text):
    note = parse_note("contacts/x.md", text.encode("utf-8", "surrogatepass"))
    lines = text.count("\n") + 1
    for finding in note.findings:
        assert finding.line is None or 1 <= finding.line <= lines + 1, (finding, text)


# --- the edit layer ------------------------------------------------------------------------------


def _edits_or_refuses(fn, data: bytes) -> bytes | None:
    try:
        return fn(data)
    except EditRefused:
        return None


@fuzz_some
@given(
    note_text,
    st.sampled_from(["follow_up", "thank_you", "role", "status"]),
    st.one_of(st.text(max_size=30), st.dates(), st.none()),
)
def test_set_key_refuses_or_reads_back(text, key, value):
    data = text.encode("utf-8", "surrogatepass")
    new = _edits_or_refuses(lambda d: set_key(d, key, value), data)
    if new is None:
        return
    before, after = parse_note("x.md", data), parse_note("x.md", new)
    assert not after.broken
    expected = value.isoformat() if isinstance(value, dt.date) else value
    blank = expected is None or (isinstance(expected, str) and not expected.strip())
    got = after.meta.get(key)
    # A blank value may read back as nothing; "\x85" (NEL) is blank to Python, not to YAML.
    assert (
        got == expected
        or (isinstance(got, (int, float, bool)) and str(got) == str(expected))
        or (blank and got in ("", None))
    )
    others = {k: v for k, v in before.meta.items() if k != key}
    assert {k: v for k, v in after.meta.items() if k != key} == others
    # (an added key moves the body down a line: compare the entries, not their line numbers)
    assert [(e.date, e.kind, e.text) for e in after.log] == [
        (e.date, e.kind, e.text) for e in before.log
    ] or not before.has_front_matter


@fuzz_some
@given(note_text, st.text(max_size=40))
def test_appending_a_line_keeps_every_other_byte(text, words):
    data = text.encode("utf-8", "surrogatepass")
    line = log_line(TODAY, "note", words)
    new = _edits_or_refuses(lambda d: append_line_under_heading(d, "Log", line), data)
    if new is None:
        return
    assume(new != data)
    before, after = parse_note("x.md", data), parse_note("x.md", new)
    assert not after.broken and after.meta == before.meta
    assert (
        len([e for e in after.log if e.date == TODAY and e.kind == "note"])
        == len([e for e in before.log if e.date == TODAY and e.kind == "note"]) + 1
    )
    removed = bytearray(new)
    # every byte of the original is still there, in order
    it = iter(removed)
    assert all(any(b == c for c in it) for b in data)


@fuzz_some
@given(note_text, st.integers(min_value=-2, max_value=40))
def test_tick_refuses_or_ticks_one_open_task(text, line):
    data = text.encode("utf-8", "surrogatepass")
    new = _edits_or_refuses(lambda d: tick_task(d, line, TODAY), data)
    if new is None:
        return
    before, after = parse_note("x.md", data), parse_note("x.md", new)
    assert not after.broken and after.meta == before.meta
    old_lines, new_lines = data.split(b"\n"), new.split(b"\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed == [line - 1]
