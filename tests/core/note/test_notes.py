"""Reading one note: bytes in, a ParsedNote out, the way Obsidian (and a careful user) reads it.

The golden cases live in tests/data/notes/NAME.md (exact bytes: CRLF, BOM, Windows-1252) with
NAME.expected.json beside them; every other test here builds its bytes inline.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from coffeechat.core.model import Finding, LogEntry, ParsedNote, Severity, Task
from coffeechat.core.note.body import normalise_kind, parse_body
from coffeechat.core.note.parse import (
    FrontMatterError,
    load_front_matter,
    note_from_record,
    note_to_record,
    parse_note,
    split_lines,
)
from conftest import TEST_DATA

D = dt.date.fromisoformat
DATA = TEST_DATA / "notes"
GOLDEN = sorted(DATA.glob("*.md"))


def parse(data: bytes | str, path: str = "contacts/Jane Doe.md") -> ParsedNote:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return parse_note(path, data, 123)


def findings(note: ParsedNote) -> list[tuple[int | None, Severity, str]]:
    return [(f.line, f.severity, f.code) for f in note.findings]


# --- golden cases --------------------------------------------------------------------------


def test_there_are_enough_golden_cases():
    assert len(GOLDEN) >= 12
    for md in GOLDEN:
        assert md.with_suffix(".expected.json").is_file(), f"{md.name} has no .expected.json"


def test_golden_bytes_were_not_normalised():
    # If git or an editor converted these files, the golden cases would test the wrong thing.
    assert (DATA / "bom_crlf.md").read_bytes().startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\r\n" in (DATA / "mixed_endings.md").read_bytes()
    assert b"\n---\n" in (DATA / "mixed_endings.md").read_bytes()
    assert b"\xe9" in (DATA / "windows1252.md").read_bytes()
    assert not (DATA / "no_final_newline.md").read_bytes().endswith(b"\n")
    assert (DATA / "empty.md").read_bytes() == b""


@pytest.mark.parametrize("md", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden(md: Path):
    expected = json.loads(md.with_suffix(".expected.json").read_text(encoding="utf-8"))
    note = parse_note(md.name, md.read_bytes(), 7)
    got = {
        "meta": note.meta,
        "meta_lines": note.meta_lines,
        "has_front_matter": note.has_front_matter,
        "log": [[e.date.isoformat(), e.kind, e.text, e.line] for e in note.log],
        "tasks": [[t.text, t.due.isoformat(), t.done, t.line] for t in note.tasks],
        "findings": [[f.line, f.severity.value, f.code] for f in note.findings],
        "broken": note.broken,
    }
    assert got == expected
    assert note.path == md.name and note.mtime_ns == 7
    assert all(f.path == md.name for f in note.findings)
    assert all(f.message for f in note.findings)
    if note.broken:  # a broken note carries nothing but its error
        assert not note.meta and not note.log and not note.tasks
        assert [f.severity for f in note.findings] == [Severity.ERROR]


# --- values as Obsidian reads them ---------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("phone: 0123456", "0123456"),
        ("zip: 01234", "01234"),
        ("country: NO", "NO"),
        ("country: no", "no"),
        ("answer: yes", "yes"),
        ("answer: Yes", "Yes"),
        ("switch: on", "on"),
        ("switch: off", "off"),
        ("letter: y", "y"),
        ("time: 10:00", "10:00"),
        ("time: 1:30:00", "1:30:00"),
        ("phone: +15550100", "+15550100"),
        ("phone: +1 555 0100", "+1 555 0100"),
        ("flag: true", True),
        ("flag: True", True),
        ("flag: false", False),
        ("flag: FALSE", False),
        ("count: 42", 42),
        ("count: 0", 0),
        ("count: -3", -3),
        ("rating: 4.5", 4.5),
        ("octal: 0o17", "0o17"),
        ("hex: 0x1F", "0x1F"),
        ("exp: 1e3", "1e3"),
        ("under: 1_000", "1_000"),
        ("sexagesimal: 190:20:30", "190:20:30"),
        ("inf: .inf", ".inf"),
        ("nan: .NaN", ".NaN"),
        ("date: 2026-03-04", "2026-03-04"),
        ("when: 2026-03-04T15:00", "2026-03-04T15:00"),
        ("when: 2026-03-04 15:00:00", "2026-03-04 15:00:00"),
        ("empty:", None),
        ("empty: ~", None),
        ("empty: null", None),
        ('quoted: "true"', "true"),
        ("quoted: '42'", "42"),
        ('link: "[[Jane Doe]]"', "[[Jane Doe]]"),
        ("title: Coffee with Jane — notes", "Coffee with Jane — notes"),
        ("emoji: ☕ chat", "☕ chat"),
    ],
)
def test_scalars_are_read_as_obsidian_reads_them(line, value):
    note = parse(f"---\n{line}\n---\n")
    assert not note.broken, note.findings
    key = line.split(":", 1)[0]
    got = note.meta[key]
    assert got == value and type(got) is type(value)


def test_lists_and_mappings_keep_their_shape():
    note = parse("---\naliases:\n  - Janie\n  - JD\ntags: [a, b]\nnested:\n  k: 01\n---\n")
    assert note.meta == {"aliases": ["Janie", "JD"], "tags": ["a", "b"], "nested": {"k": "01"}}


def test_meta_is_json_able():
    note = parse("---\na: 1\nb: [x, {c: 2026-01-01}]\nc: !!binary aGk=\nd: !!float 1e999\n---\n")
    assert not note.broken
    json.dumps(note.meta)
    assert note.meta["d"] == "inf"


def test_unknown_keys_are_kept():
    note = parse("---\ntype: contact\nfavourite_biscuit: Hobnob\n---\n")
    assert note.meta["favourite_biscuit"] == "Hobnob"


def test_key_lines_are_file_lines():
    note = parse("---\na: 1\nb:\n  - x\n  - y\nc: |\n  one\n  two\nd: 4\n---\n")
    assert note.meta_lines == {"a": 2, "b": 3, "c": 6, "d": 9}


def test_quoted_keys():
    note = parse("---\n'a b': 1\n\"c\": 2\n---\n")
    assert note.meta == {"a b": 1, "c": 2}
    assert note.meta_lines == {"a b": 2, "c": 3}


def test_unsafe_tags_are_a_yaml_error_not_code():
    note = parse("---\nx: !!python/object/apply:os.system [echo hi]\n---\n")
    assert note.broken and findings(note) == [(2, Severity.ERROR, "yaml")]


# --- BOM and line endings ------------------------------------------------------------------


def test_bom_is_skipped():
    note = parse(b"\xef\xbb\xbf---\nname: Jane\n---\n")
    assert note.meta == {"name": "Jane"} and note.has_front_matter


def test_crlf_values_carry_no_carriage_return():
    note = parse(b"---\r\nname: Jane\r\nrole: PM\r\n---\r\n## Log\r\n- 2026-01-02 call: rang\r\n")
    assert note.meta == {"name": "Jane", "role": "PM"}
    assert note.meta_lines == {"name": 2, "role": 3}
    assert note.log == (LogEntry(D("2026-01-02"), "call", "rang", 6),)


def test_crlf_block_scalar_reads_like_lf():
    crlf = parse(b"---\r\nbio: |\r\n  one\r\n  two\r\nname: A\r\n---\r\n")
    lf = parse(b"---\nbio: |\n  one\n  two\nname: A\n---\n")
    assert crlf.meta == lf.meta == {"bio": "one\ntwo\n", "name": "A"}


def test_mixed_line_endings_keep_line_numbers():
    data = b"---\nname: A\r\nrole: B\n---\r\ntext\n\r\n## Log\r\n- 2026-01-02 call: x\n- [ ] t \xf0\x9f\x93\x85 2026-01-03\r\n"
    note = parse(data)
    assert note.meta_lines == {"name": 2, "role": 3}
    assert [e.line for e in note.log] == [8]
    assert note.tasks == (Task("t", D("2026-01-03"), False, 9),)


def test_final_line_without_newline():
    note = parse("---\nname: A\n---\n## Log\n- 2026-01-02 reply: yes")
    assert note.log == (LogEntry(D("2026-01-02"), "reply", "yes", 5),)


def test_front_matter_closed_on_the_last_line_without_newline():
    note = parse("---\nname: A\n---")
    assert note.meta == {"name": "A"} and note.has_front_matter and not note.findings


def test_split_lines():
    assert split_lines("a\r\nb\nc\r") == ["a", "b", "c"]
    assert split_lines("a\n") == ["a", ""]
    assert split_lines("") == [""]
    assert split_lines("a\rb") == ["a\rb"]  # a lone CR is not a line break here


# --- broken front matter -------------------------------------------------------------------


def test_duplicate_key_is_an_error_on_the_second_line():
    note = parse("---\nstatus: done\nname: A\nstatus: open\n---\n")
    assert note.broken
    assert findings(note) == [(4, Severity.ERROR, "yaml")]
    message = note.findings[0].message
    assert "duplicate key 'status'" in message and "line 2" in message


def test_duplicate_key_inside_a_nested_mapping_is_not_checked_but_does_not_crash():
    note = parse("---\nnested:\n  a: 1\n  a: 2\n---\n")
    assert not note.broken and note.meta == {"nested": {"a": 2}}


def test_conflict_markers_in_front_matter():
    note = parse("---\nname: A\n<<<<<<< HEAD\nstatus: x\n=======\nstatus: y\n>>>>>>> b\n---\n")
    assert note.broken and findings(note) == [(3, Severity.ERROR, "conflict")]
    assert "conflict" in note.findings[0].message


def test_conflict_markers_in_body():
    note = parse("---\nname: A\n---\ntext\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n")
    assert note.broken and findings(note) == [(5, Severity.ERROR, "conflict")]
    assert note.meta == {} and note.log == ()


def test_diff3_conflict_markers():
    note = parse("a\n<<<<<<< HEAD\nx\n||||||| base\nw\n=======\ny\n>>>>>>> other\n")
    assert findings(note) == [(2, Severity.ERROR, "conflict")]


def test_conflict_markers_with_crlf():
    note = parse(b"---\r\nname: A\r\n---\r\n<<<<<<< HEAD\r\nx\r\n=======\r\ny\r\n>>>>>>> b\r\n")
    assert findings(note) == [(4, Severity.ERROR, "conflict")]


@pytest.mark.parametrize(
    "text",
    [
        "Title\n=======\n\nbody\n",  # a setext heading
        "---\nname: A\n---\nTitle\n=======\n",
        "Intro\n=======\n\nMore\n=======\n",
        "text <<<<<<< not at line start >>>>>>>\n",
        "<<<<<<< HEAD but never closed\nx\n",
        "=======\n>>>>>>> no start marker\n",
        "<<<<<<<< eight is not a marker\nx\n>>>>>>>> eight\n",
    ],
)
def test_not_a_conflict(text):
    note = parse(text)
    assert not note.broken and not [f for f in note.findings if f.code == "conflict"]


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"---\nname: Ren\xe9e\n---\n", 2),  # Windows-1252 e-acute
        (b"---\nname: A\n---\nline 4\nline \x935\x94\n", 5),
        (b"\x80", 1),
        (b"ok\nok\nok\n\xff", 4),
    ],
)
def test_non_utf8_is_an_error_on_its_line(data, line):
    note = parse(data)
    assert note.broken and findings(note) == [(line, Severity.ERROR, "encoding")]
    assert "UTF-8" in note.findings[0].message


def test_nul_bytes_in_the_body_do_not_break_the_note():
    note = parse(b"---\nname: A\n---\nsome\x00thing\n## Log\n- 2026-01-02 call: x\n")
    assert not note.broken and note.meta == {"name": "A"}
    assert [e.line for e in note.log] == [6]


def test_nul_byte_in_front_matter_breaks_the_note():
    note = parse(b"---\nname: A\x00B\n---\n")
    assert note.broken and [f.code for f in note.findings] == ["yaml"]


def test_control_character_in_front_matter_is_reported_on_its_line():
    note = parse(b"---\nname: A\nrole: x\x00y\n---\n")
    assert findings(note) == [(3, Severity.ERROR, "yaml")]


def test_empty_file():
    note = parse(b"")
    assert note == ParsedNote("contacts/Jane Doe.md", 123)


def test_body_only_note():
    note = parse("Just text.\n\n## Log\n- 2026-01-02 call: x\n")
    assert not note.has_front_matter and note.meta == {} and len(note.log) == 1


def test_empty_front_matter():
    note = parse("---\n---\nbody\n")
    assert note.has_front_matter and note.meta == {} and not note.findings


def test_front_matter_of_only_comments():
    note = parse("---\n# nothing here\n---\n")
    assert note.has_front_matter and note.meta == {} and not note.findings


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("---\n- a\n- b\n---\n", "a list"),
        ("---\njust text\n---\n", "a single value"),
        ("---\n42\n---\n", "a single value"),
    ],
)
def test_front_matter_that_is_not_a_mapping(text, kind):
    note = parse(text)
    assert note.broken and findings(note) == [(2, Severity.ERROR, "yaml")]
    assert kind in note.findings[0].message


def test_unterminated_front_matter():
    note = parse("---\nname: A\n\nbody text\n")
    assert note.broken and findings(note) == [(1, Severity.ERROR, "front-matter")]
    assert "never closed" in note.findings[0].message


def test_front_matter_after_a_blank_line_is_a_warning_and_not_read():
    note = parse("\n\n---\nname: A\n---\n## Log\n- 2026-01-02 call: x\n")
    assert not note.broken
    assert note.meta == {} and not note.has_front_matter
    assert findings(note) == [(3, Severity.WARNING, "front-matter")]
    assert [e.line for e in note.log] == [7]


def test_leading_blank_line_without_front_matter_is_fine():
    note = parse("\nJust text\n---\nname: not front matter\n---\n")
    assert note.findings == () and note.meta == {}


def test_closing_with_three_dots():
    note = parse("---\nname: A\n...\n")
    assert note.meta == {"name": "A"} and note.has_front_matter


def test_trailing_spaces_after_the_fences():
    note = parse("---  \nname: A\n--- \n")
    assert note.meta == {"name": "A"}


def test_a_horizontal_rule_later_in_the_body_is_not_front_matter():
    note = parse("---\nname: A\n---\ntext\n\n---\n\nmore: text\n")
    assert note.meta == {"name": "A"} and not note.findings


def test_colon_in_an_unquoted_value_is_an_error_with_a_hint():
    note = parse("---\nname: A\ntitle: Re: coffee\n---\n")
    assert note.broken and findings(note) == [(3, Severity.ERROR, "yaml")]
    assert 'title: "Re: coffee"' in note.findings[0].message


def test_tabs_used_for_indentation_are_an_error_with_a_hint():
    note = parse("---\naliases:\n\t- Janie\n---\n")
    assert note.broken and findings(note) == [(3, Severity.ERROR, "yaml")]
    assert "tabs" in note.findings[0].message


def test_tab_inside_a_value_is_fine():
    note = parse("---\nname: Jane\tDoe\n---\n")
    assert note.meta == {"name": "Jane\tDoe"}


def test_unfilled_template_placeholder_is_an_error_with_a_hint():
    note = parse("---\ntype: contact\ncreated: {{date}}\n---\n")
    assert note.broken and findings(note) == [(3, Severity.ERROR, "yaml")]
    assert "placeholder" in note.findings[0].message


def test_quoted_template_placeholder_is_just_text():
    note = parse('---\ncreated: "{{date}}"\n---\n')
    assert note.meta == {"created": "{{date}}"}


def test_unquoted_link_is_valid_yaml_read_as_a_nested_list():
    note = parse("---\ncompany: [[Acme Corp]]\nwith:\n  - [[Jane Doe]]\n---\n")
    assert not note.broken and note.findings == ()
    assert note.meta == {"company": [["Acme Corp"]], "with": [[["Jane Doe"]]]}


def test_unquoted_link_with_a_comma_hints_at_quotes():
    note = parse("---\nwith: [[Doe, Jane]], [[Bob]]\n---\n")
    assert note.broken and findings(note) == [(2, Severity.ERROR, "yaml")]


def test_unhashable_key_is_an_error_not_a_crash():
    note = parse("---\n? [a, b]\n: c\n---\n")
    assert note.broken and [f.code for f in note.findings] == ["yaml"]


def test_recursive_alias_is_a_finding_not_a_crash():
    note = parse("---\nname: &a [*a]\n---\n")
    assert note.broken and [f.code for f in note.findings] == ["yaml"]


def test_bad_explicit_timestamp_is_a_finding_not_a_crash():
    note = parse("---\nwhen: !!timestamp 2026-01-02 10:00\n---\n")
    assert note.broken and findings(note) == [(2, Severity.ERROR, "yaml")]


def test_lone_carriage_return_does_not_shift_line_numbers():
    note = parse(b"---\nname: A\rrole: B\nemail: c\n---\n")
    assert note.meta_lines["email"] == 3
    bad = parse(b"---\nname: A\rrole: B\nemail: [\n---\n")
    assert all(f.line is not None and f.line <= 4 for f in bad.findings)


def test_bare_conflict_markers_with_crlf():
    note = parse(b"<<<<<<<\r\nx\r\n=======\r\ny\r\n>>>>>>>\r\n")
    assert note.broken and findings(note) == [(1, Severity.ERROR, "conflict")]


def test_meta_and_meta_lines_use_the_same_key_spelling():
    note = parse("---\ntrue: x\nnull: y\n1.50: z\n---\n")
    assert set(note.meta) == set(note.meta_lines)


# --- load_front_matter ---------------------------------------------------------------------


def test_load_front_matter_counts_lines_from_first_line():
    values, lines = load_front_matter("a: 1\nb: 2\n", first_line=10)
    assert values == {"a": 1, "b": 2} and lines == {"a": 10, "b": 11}


def test_load_front_matter_empty():
    assert load_front_matter("") == ({}, {})
    assert load_front_matter("# only a comment\n") == ({}, {})


def test_load_front_matter_raises_with_a_line():
    with pytest.raises(FrontMatterError) as info:
        load_front_matter("a: 1\nb: [\n", first_line=2)
    assert info.value.line is not None and info.value.line >= 3
    assert isinstance(info.value, ValueError)


def test_load_front_matter_duplicate():
    with pytest.raises(FrontMatterError) as info:
        load_front_matter("a: 1\nb: 2\na: 3\n", first_line=2)
    assert info.value.line == 4


# --- body: log lines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("approach", "approach"),
        ("Follow-up", "follow_up"),
        ("follow up", "follow_up"),
        ("follow_up", "follow_up"),
        ("followup", "follow_up"),
        ("FOLLOW-UP", "follow_up"),
        ("thank-you", "thank_you"),
        ("Thank You", "thank_you"),
        ("thanks", "thank_you"),
        ("thank_you", "thank_you"),
        ("report back", "report_back"),
        ("Report-Back", "report_back"),
        ("call", "call"),
        ("phone", "call"),
        ("voicemail", "voicemail"),
        ("vm", "voicemail"),
        ("email", "email"),
        ("e-mail", "email"),
        ("reply", "reply"),
        ("replied", "reply"),
        ("update", "update"),
        ("landed", "landed"),
        ("declined", "declined"),
        ("note", "note"),
        ("lunch", None),
        ("", None),
        ("follow", "follow_up"),
    ],
)
def test_normalise_kind(word, kind):
    assert normalise_kind(word) == kind


def body(text: str, first_line: int = 1):
    return parse_body(text.split("\n"), first_line, "x.md")


def test_log_line_forms():
    log, tasks, found = body(
        "- 2026-01-02 approach: emailed Jane\n"
        "* 2026-01-03 Follow-up:nudged\n"
        "+ 2026-01-04 thank-you:  sent a card  \n"
        "  - 2026-01-05 call: nested list item\n"
        "- 2026-01-06 reply:\n"
    )
    assert log == (
        LogEntry(D("2026-01-02"), "approach", "emailed Jane", 1),
        LogEntry(D("2026-01-03"), "follow_up", "nudged", 2),
        LogEntry(D("2026-01-04"), "thank_you", "sent a card", 3),
        LogEntry(D("2026-01-05"), "call", "nested list item", 4),
        LogEntry(D("2026-01-06"), "reply", "", 5),
    )
    assert tasks == () and found == ()


def test_log_line_numbers_are_offset_by_first_line():
    log, _, _ = body("text\n- 2026-01-02 call: x\n", first_line=10)
    assert [e.line for e in log] == [11]


@pytest.mark.parametrize(
    "line",
    [
        "2026-01-02 call: no bullet",
        "- call 2026-01-02: date second",
        "- 2026-01-02: no kind",
        "- 2026-01-02 call no colon",
        "-2026-01-02 call: no space after the bullet",
        "- 26-01-02 call: two-digit year",
        "> - 2026-01-02 call: in a quote",
    ],
)
def test_not_log_lines(line):
    log, _, found = body("## Log\n" + line)
    assert log == () and found == ()


def test_unknown_kind_under_log_heading_is_a_warning():
    _, _, found = body("## Log\n- 2026-01-02 lunch: with Jane\n")
    assert [(f.line, f.severity, f.code) for f in found] == [(2, Severity.WARNING, "log-kind")]
    assert "'lunch'" in found[0].message


@pytest.mark.parametrize("heading", ["## Log", "# log", "### Touches", "## Timeline", "## Log ##"])
def test_log_section_headings(heading):
    _, _, found = body(f"{heading}\n- 2026-01-02 lunch: x\n")
    assert [f.code for f in found] == ["log-kind"]


def test_unknown_kind_elsewhere_is_ignored():
    log, _, found = body(
        "## Notes\n- 2026-01-02 lunch: with Jane\n## Log\n## Ideas\n- 2026-01-03 brunch: x\n"
    )
    assert log == () and found == ()


def test_unknown_kind_before_any_heading_is_ignored():
    assert body("- 2026-01-02 lunch: with Jane\n") == ((), (), ())


def test_known_kinds_count_under_any_heading():
    log, _, _ = body("## Notes\n- 2026-01-02 reply: yes\n")
    assert [e.kind for e in log] == ["reply"]


@pytest.mark.parametrize(
    "date", ["2026-02-30", "2026-13-01", "2026-00-05", "2025-02-29", "2026-4-31"]
)
def test_impossible_log_date_is_a_warning_and_skipped(date):
    log, _, found = body(f"## Log\n- {date} call: x\n")
    assert log == ()
    assert [(f.line, f.severity, f.code) for f in found] == [(2, Severity.WARNING, "log-date")]
    assert date in found[0].message


def test_loose_log_date():
    log, _, _ = body("- 2026-1-5 call: x\n")
    assert log[0].date == D("2026-01-05")


def test_log_lines_inside_fences_are_ignored():
    text = (
        "```\n- 2026-01-01 call: fenced\n```\n"
        "~~~\n```\n- 2026-01-02 call: backticks do not close a tilde fence\n~~~\n"
        "  ~~~\n- 2026-01-03 call: indented tilde fence\n~~~~\n"
        "- 2026-01-04 call: outside\n"
    )
    log, _, _ = body(text)
    assert [(e.date.day, e.line) for e in log] == [(4, 11)]


def test_shorter_fence_does_not_close_a_longer_one():
    log, _, _ = body("````\n```\n- 2026-01-02 call: still fenced\n```\n````\n")
    assert log == ()


def test_unclosed_fence_hides_the_rest():
    log, tasks, _ = body("```\n- 2026-01-01 call: x\n- [ ] t 📅 2026-01-02\n")
    assert log == () and tasks == ()


def test_fence_indented_four_spaces_is_not_a_fence():
    log, _, _ = body("    ```\n- 2026-01-01 call: x\n")
    assert len(log) == 1


def test_headings_inside_fences_do_not_start_a_log_section():
    _, _, found = body("```\n## Log\n```\n- 2026-01-02 lunch: x\n")
    assert found == ()


# --- body: tasks ---------------------------------------------------------------------------


def test_tasks_form_and_dataview_form():
    _, tasks, _ = body(
        "- [ ] send the article 📅 2026-12-01\n"
        "- [ ] send the article [due:: 2026-12-02]\n"
        "- [ ] call back (due:: 2026-12-03) soon\n"
        "- [ ] with variation selector 📅\ufe0f 2026-12-04\n"
        "- [ ] DUE upper [Due:: 2026-12-05]\n"
    )
    assert tasks == (
        Task("send the article", D("2026-12-01"), False, 1),
        Task("send the article", D("2026-12-02"), False, 2),
        Task("call back soon", D("2026-12-03"), False, 3),
        Task("with variation selector", D("2026-12-04"), False, 4),
        Task("DUE upper", D("2026-12-05"), False, 5),
    )


@pytest.mark.parametrize(
    ("box", "done"),
    [(" ", False), ("x", True), ("X", True), ("-", True), ("/", False), ("?", False), (">", False)],
)
def test_checked_and_cancelled_tasks_are_done(box, done):
    _, tasks, _ = body(f"- [{box}] thing 📅 2026-12-01\n")
    assert [t.done for t in tasks] == [done]


@pytest.mark.parametrize(
    "line",
    [
        "- [ ] no due date",
        "- [ ] scheduled only ⏳ 2026-12-01",
        "- [ ] start only 🛫 2026-12-01",
        "- [ ] short date 📅 2026-2-3",
        "- [] not a checkbox 📅 2026-12-01",
        "[ ] no bullet 📅 2026-12-01",
        "- [ ]no space 📅 2026-12-01",
    ],
)
def test_tasks_without_a_usable_due_date_are_ignored(line):
    _, tasks, found = body(line)
    assert tasks == () and found == ()


def test_an_open_task_with_an_impossible_date_is_an_error_on_its_line():
    _, tasks, found = body(
        "text\n- [ ] call Ana 📅 2027-02-30\n- [x] done long ago 📅 2026-02-30\n"
    )
    assert tasks == ()
    assert [(f.line, f.severity, f.code) for f in found] == [(2, Severity.ERROR, "task-date")]
    assert "2027-02-30 is not a real date" in found[0].message


def test_task_keeps_other_tasks_fields_in_its_text():
    _, tasks, _ = body("- [ ] ping Bob ⏫ 🔁 every week 📅 2026-12-01 #followup\n")
    assert tasks == (Task("ping Bob ⏫ 🔁 every week #followup", D("2026-12-01"), False, 1),)


def test_numbered_and_nested_tasks():
    _, tasks, _ = body(
        "1. [ ] one 📅 2026-12-01\n2) [x] two 📅 2026-12-02\n    - [ ] three 📅 2026-12-03\n"
    )
    assert [(t.text, t.done, t.line) for t in tasks] == [
        ("one", False, 1),
        ("two", True, 2),
        ("three", False, 3),
    ]


def test_a_task_is_never_also_a_log_line():
    log, tasks, _ = body("## Log\n- [ ] 2026-01-02 call: x 📅 2026-01-03\n")
    assert log == () and len(tasks) == 1


def test_tasks_in_a_parsed_note_have_file_lines():
    note = parse("---\ntype: meeting\ndate: 2026-01-01\n---\n## Notes\n- [ ] send 📅 2026-01-05\n")
    assert note.tasks == (Task("send", D("2026-01-05"), False, 6),)


def test_front_matter_lines_are_not_read_as_body():
    note = parse("---\nnotes: |\n  - 2026-01-02 call: inside YAML\n  - [ ] t 📅 2026-01-03\n---\n")
    assert note.log == () and note.tasks == ()


# --- records ---------------------------------------------------------------------------------


def _round_trip(note: ParsedNote) -> ParsedNote:
    return note_from_record(json.loads(json.dumps(note_to_record(note), ensure_ascii=False)))


@pytest.mark.parametrize("md", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_record_round_trip_of_golden_notes(md: Path):
    note = parse_note(md.name, md.read_bytes(), 1_700_000_000_123_456_789)
    assert _round_trip(note) == note


def test_record_round_trip_of_a_hand_built_note():
    note = ParsedNote(
        path="meetings/2026-01-02 Café.md",
        mtime_ns=5,
        meta={"a": [1, 2.5, None, True, {"b": "c"}], "ü": "ß"},
        meta_lines={"a": 2, "ü": 3},
        has_front_matter=True,
        log=(LogEntry(D("2026-01-02"), "call", "x", 7),),
        tasks=(Task("t", D("2026-01-03"), True, 8), Task("u", D("2026-01-04"), False, 9)),
        findings=(
            Finding("meetings/2026-01-02 Café.md", None, "m", Severity.INFO, "c"),
            Finding("meetings/2026-01-02 Café.md", 4, "n", Severity.WARNING, "d"),
        ),
        broken=False,
    )
    assert _round_trip(note) == note


def test_record_of_an_empty_note_is_small():
    note = ParsedNote("a.md", 1)
    assert note_to_record(note) == {"p": "a.md", "t": 1}
    assert _round_trip(note) == note


def test_record_keeps_front_matter_flag_without_keys():
    note = parse("---\n---\n")
    assert note.has_front_matter and _round_trip(note).has_front_matter


def test_record_of_a_broken_note():
    note = parse("---\na: 1\na: 2\n---\n")
    back = _round_trip(note)
    assert back == note and back.broken and back.findings[0].severity is Severity.ERROR
