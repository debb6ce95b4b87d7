"""Generated blocks in a section (the referral tree, a prep sheet, a draft): put in, replaced on
the next run, and every other byte of the note kept."""

from __future__ import annotations

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from coffeechat.core.note.edits import EditRefused
from coffeechat.core.note.parse import parse_note
from coffeechat.core.note.sections import (
    block_digest,
    put_fenced_block,
    put_marked_block,
    section_lines,
)

TREE = ["```mermaid", "flowchart LR", "  a --> b", "```"]
OTHER = ["```mermaid", "flowchart LR", "  a --> c", "  c --> d", "```"]


def test_missing_section_is_added_at_the_end():
    out = put_fenced_block(b"# Network\n\nSome words.\n", "Referral tree", TREE)
    assert (
        out
        == b"# Network\n\nSome words.\n\n## Referral tree\n```mermaid\nflowchart LR\n  a --> b\n```\n"
    )


def test_block_is_replaced_in_place_and_words_around_it_stay():
    note = (
        b"---\ntags: [network]\n---\n# Network\n\n## Referral tree\nWritten by me, before.\n\n"
        b"```mermaid\nflowchart LR\n  old --> tree\n```\n\nAnd after.\n\n## Later\nkeep\n"
    )
    out = put_fenced_block(note, "referral TREE", TREE)
    assert out == note.replace(b"  old --> tree\n", b"  a --> b\n")
    assert put_fenced_block(out, "Referral tree", TREE) == out


def test_block_goes_at_the_end_of_its_section_before_the_next_heading():
    note = b"## Referral tree\nmy notes\n## Later\nkeep\n"
    out = put_fenced_block(note, "Referral tree", TREE)
    assert (
        out
        == b"## Referral tree\nmy notes\n\n```mermaid\nflowchart LR\n  a --> b\n```\n\n## Later\nkeep\n"
    )


def test_other_code_blocks_and_headings_inside_code_are_left_alone():
    note = (
        b"## Referral tree\n```python\n## Referral tree\nprint(1)\n```\n```dot\ndigraph {}\n```\n"
    )
    out = put_fenced_block(note, "Referral tree", TREE)
    assert (
        out
        == b"## Referral tree\n```python\n## Referral tree\nprint(1)\n```\n"
        + "\n".join(TREE).encode()
        + b"\n"
    )


def test_crlf_bom_and_no_final_newline_are_kept():
    note = b"\xef\xbb\xbf# N\r\n\r\n## Referral tree\r\ntext"
    out = put_fenced_block(note, "Referral tree", TREE)
    assert (
        out
        == b"\xef\xbb\xbf# N\r\n\r\n## Referral tree\r\ntext\r\n\r\n```mermaid\r\nflowchart LR\r\n  a --> b\r\n```"
    )
    again = put_fenced_block(out, "Referral tree", OTHER)
    assert again.endswith(b"  c --> d\r\n```") and again.startswith(b"\xef\xbb\xbf# N\r\n")


def test_unclosed_blocks_are_refused():
    with pytest.raises(EditRefused):
        put_fenced_block(b"## Referral tree\n```mermaid\nflowchart LR\n", "Referral tree", TREE)
    with pytest.raises(EditRefused):
        put_fenced_block(b"text\n```\nnever closed\n", "Referral tree", TREE)


def test_marked_block_is_replaced_only_while_unedited():
    note = b"---\ntype: meeting\ndate: 2026-11-25\n---\n## Notes\n- mine\n"
    once = put_marked_block(note, "Prep sheet", "prep", ["### Who", "- Sofia"])
    digest = block_digest(["### Who", "- Sofia"])
    assert (
        once
        == note
        + f"\n## Prep sheet\n<!-- coffeechat:prep {digest} -->\n### Who\n- Sofia\n<!-- /coffeechat:prep -->\n".encode()
    )
    twice = put_marked_block(once, "Prep sheet", "prep", ["### Who", "- Sofia M."])
    assert twice == once.replace(b"- Sofia\n", b"- Sofia M.\n").replace(
        digest.encode(), block_digest(["### Who", "- Sofia M."]).encode()
    )
    edited = twice.replace(b"- Sofia M.", b"- Sofia M. (she said: call me Sof)")
    with pytest.raises(EditRefused, match="changed since coffeechat wrote it"):
        put_marked_block(edited, "Prep sheet", "prep", ["anything"])
    with pytest.raises(EditRefused, match="closing"):
        put_marked_block(
            twice.replace(b"<!-- /coffeechat:prep -->", b""), "Prep sheet", "prep", ["x"]
        )


def test_broken_notes_are_refused():
    with pytest.raises(EditRefused):
        put_marked_block(b"---\nname: [unclosed\n---\nbody\n", "Prep sheet", "prep", ["x"])
    with pytest.raises(EditRefused):
        put_fenced_block(b"<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n", "Referral tree", TREE)


def test_section_lines():
    text = "---\nx: 1\n---\n# T\n## Goals\n- one\n  - sub\n### deeper\n- two\n\n## Notes\n- n\n"
    assert section_lines(text, "goals") == ["- one", "  - sub", "### deeper", "- two"]
    assert section_lines(text, "Notes") == ["- n"]
    assert section_lines(text, "Missing") is None
    assert section_lines("```\n## Goals\n```\n", "Goals") is None


# --- the property: the block goes in, and nothing else changes ------------------------------------

body_line = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=25),
    st.sampled_from(
        [
            "## Referral tree",
            "## Prep sheet",
            "## Notes",
            "# Title",
            "### Sub",
            "",
            "```mermaid",
            "```dot",
            "```",
            "~~~",
            "- 2026-01-02 approach: hi",
            "<!-- coffeechat:prep 0123456789 -->",
            "<!-- /coffeechat:prep -->",
            "text",
        ]
    ),
)


@st.composite
def notes(draw: st.DrawFn) -> bytes:
    lines = []
    if draw(st.booleans()):
        lines += ["---", "type: meeting", "date: 2026-11-25", "---"]
    body = draw(st.lists(body_line, max_size=12))
    if draw(st.booleans()):  # a section that already holds a block coffeechat wrote
        block = draw(
            st.sampled_from(
                [
                    ["## Referral tree", "my words", "```mermaid", "old --> tree", "```", "after"],
                    ["## Referral tree", "```dot", "digraph {}", "```"],
                    [
                        "## Prep sheet",
                        f"<!-- coffeechat:prep {block_digest(['old'])} -->",
                        "old",
                        "<!-- /coffeechat:prep -->",
                        "my notes",
                    ],
                ]
            )
        )
        at = draw(st.integers(0, len(body)))
        body[at:at] = block
    lines += body
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    text = nl.join(lines) + (nl if draw(st.booleans()) else "")
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    parsed = parse_note("n.md", data)
    assume(not parsed.broken and not any(f.code == "front-matter" for f in parsed.findings))
    return data


content = st.lists(
    st.sampled_from(["flowchart LR", "  a --> b", '  n1["Zoë"]', "", "x"]), min_size=1, max_size=4
)


def _without(data: bytes, lines: list[bytes]) -> list[bytes]:
    """``data``'s lines minus one run of ``lines`` (and blank lines), CRs dropped."""
    rows = [r.rstrip(b"\r") for r in data.removeprefix(b"\xef\xbb\xbf").split(b"\n")]
    for i in range(len(rows) - len(lines) + 1):
        if rows[i : i + len(lines)] == lines:
            rows[i : i + len(lines)] = []
            break
    return [r for r in rows if r.strip()]


@given(notes(), content, content)
# A note of one no-break space: not a blank line, so the block goes after it, not before.
@example(b"\xc2\xa0", ["flowchart LR"], ["flowchart LR"])
def test_fenced_block_changes_only_its_block(data, first, second):
    a = ["```mermaid", *first, "```"]
    b = ["```mermaid", *second, "```"]
    try:
        once = put_fenced_block(data, "Referral tree", a)
    except EditRefused:
        return
    assert parse_note("n.md", once).meta == parse_note("n.md", data).meta
    assert once.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if b"\r\n" not in data:
        assert b"\r" not in once
    assert put_fenced_block(once, "Referral tree", a) == once  # idempotent
    assert put_fenced_block(once, "Referral tree", b) == put_fenced_block(data, "Referral tree", b)
    assert section_lines(once.decode("utf-8-sig"), "Referral tree") is not None
    # every line of the note is still there, in order; only the block (and maybe its heading
    # and blank lines) was added, or an old ```mermaid/```dot block replaced
    added = _without(once, [x.encode() for x in a])
    original = [
        r.rstrip(b"\r") for r in data.removeprefix(b"\xef\xbb\xbf").split(b"\n") if r.strip()
    ]
    added_rows = added
    if added_rows != original:
        assert added_rows == [*original, b"## Referral tree"] or _replaced(original, added_rows)


def _replaced(original: list[bytes], result: list[bytes]) -> bool:
    """``result`` is ``original`` with one fenced ```mermaid or ```dot block taken out."""
    for i, row in enumerate(original):
        if row.strip() in (b"```mermaid", b"```dot"):
            for j in range(i + 1, len(original)):
                if original[j].strip().startswith(b"```") and original[j].strip() == b"```":
                    if original[:i] + original[j + 1 :] == result:
                        return True
                    break
    return False


@given(notes(), content, content)
def test_marked_block_changes_only_its_block(data, first, second):
    try:
        once = put_marked_block(data, "Prep sheet", "prep", first)
    except EditRefused as exc:
        assert (
            "changed since" in exc.message
            or "closing" in exc.message
            or "code block" in exc.message
        )
        return
    assert parse_note("n.md", once).meta == parse_note("n.md", data).meta
    assert put_marked_block(once, "Prep sheet", "prep", first) == once
    again = put_marked_block(once, "Prep sheet", "prep", second)
    assert put_marked_block(again, "Prep sheet", "prep", first) == once
    text = once.decode("utf-8-sig").replace("\r\n", "\n")
    assert f"<!-- coffeechat:prep {block_digest(first)} -->\n" + "\n".join(first) in text
    # nothing of the original note was lost, but the old block coffeechat wrote
    rows = [r.rstrip(b"\r") for r in once.removeprefix(b"\xef\xbb\xbf").split(b"\n")]
    inside = False
    for row in data.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        row = row.rstrip(b"\r")
        if row.startswith(b"<!-- coffeechat:prep "):
            inside = True
        if not inside:
            assert row in rows
        if row == b"<!-- /coffeechat:prep -->":
            inside = False


def test_without_marked_blocks():
    from coffeechat.core.note.sections import without_marked_blocks

    text = "a\n<!-- coffeechat:prep 0123 -->\n### Questions\n- q\n<!-- /coffeechat:prep -->\nb\n"
    assert without_marked_blocks(text) == "a\nb\n"
    assert without_marked_blocks("a\n<!-- coffeechat:draft x -->\nnever closed\n") == "a"
