"""`search` finds what folding every line and looking for each word in it finds: the fast
path (ASCII notes by `bytes.lower`, only the lines where a word was found picked out) is held
to that, the way search worked before it, kept here as the reference."""

from __future__ import annotations

import string
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from coffeechat.core.note.parse import split_lines
from coffeechat.core.textsearch import fold as _fold
from coffeechat.core.textsearch import matching_lines as _matching_lines

#: Pieces that take every path: accents composed and not, ß and ẞ, ligatures, a dotted İ, a
#: title-case digraph, line ends of every kind, a BOM inside the text, astral characters.
PIECES = [
    "a",
    "B",
    "referral",
    "REFERRAL",
    "É",
    "e\u0301",
    "\u0301",
    "ß",
    "ẞ",
    "Straße",
    "STRASSE",
    "ss",
    "ﬁ",
    "fi",
    "ﬀ",
    "Æ",
    "İ",
    "ǅ",
    "ǰ",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    " ",
    "\t",
    "\ufeff",
    "\u2028",
    "\x85",
    "📅",
    "\U0001d165",
    "Café",
    "cafe",
    "- [ ] ",
]


def _definition(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _reference(data: bytes, words: list[str]) -> list[tuple[int, str]]:
    """One note as search read it before: decoded whole, folded, every line searched."""
    body = data.decode("utf-8", "replace").lstrip("\ufeff")
    folded_all = _definition(body)
    if not all(w in folded_all for w in words):
        return []
    return [
        (number, line)
        for number, (line, folded) in enumerate(
            zip(split_lines(body), split_lines(folded_all), strict=False), 1
        )
        if any(w in folded for w in words)
    ]


_texts = st.one_of(
    st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=40).map("".join),
    st.text(alphabet=string.printable, max_size=200),
)


@st.composite
def _notes(draw: st.DrawFn) -> tuple[bytes, list[str]]:
    """A note's bytes (UTF-8 with or without a BOM, Latin-1, or with stray bytes) and the
    folded words of a query: pieces of the note's own text, or of the pieces above."""
    text = draw(_texts)
    how = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "stray"]))
    if how == "latin-1":
        data = text.encode("latin-1", "replace")
    elif how == "stray":
        data = text.encode() + draw(st.binary(max_size=6)) + text.encode()
    else:
        data = text.encode(how)
    queries = []
    for _ in range(draw(st.integers(1, 3))):
        if text and draw(st.booleans()):
            start = draw(st.integers(0, len(text) - 1))
            queries.append(text[start : draw(st.integers(start + 1, len(text)))])
        else:
            queries.append(draw(st.sampled_from(PIECES)))
    words = [_fold(w) for w in " ".join(queries).split() if w.strip()]
    return data, words


@settings(max_examples=1500, deadline=None)
@given(_notes())
def test_search_finds_what_folding_every_line_finds(note):
    data, words = note
    assert _matching_lines(data, words) == _reference(data, words)


def test_the_reference_and_the_fast_path_agree_on_a_real_vault(vault, run):
    """The command end to end: a note in Latin-1, one with a BOM and CRLF, one in ASCII."""
    vault.write_bytes("contacts/Latin.md", "# Zoë Müller\nRéférral from Zoë\n".encode("latin-1"))
    vault.write_bytes("contacts/Bom.md", "\ufeff# Ann\r\nA REFERRAL, via Straße\r\n".encode())
    vault.write_bytes("contacts/Plain.md", b"# Bo\nno\nReferral by Bo\n")
    result = run("search", "referral", "--json")
    assert result.exit_code == 0, result.output
    import json

    got = [(h["path"], h["line"], h["text"]) for h in json.loads(result.output)]
    assert got == [
        ("contacts/Bom.md", 2, "A REFERRAL, via Straße"),
        ("contacts/Plain.md", 3, "Referral by Bo"),
    ]
    assert json.loads(run("search", "strasse", "ann", "--json").output) == [
        {"path": "contacts/Bom.md", "line": 1, "text": "# Ann"},
        {"path": "contacts/Bom.md", "line": 2, "text": "A REFERRAL, via Straße"},
    ]
    assert run("search", "r\ufffdf\ufffdrral").exit_code == 0  # (Latin-1: replaced, still read)


def test_a_note_is_read_whole_whatever_size_the_walk_saw(tmp_path):
    """A note saved again between the walk and the read is read to its end, grown or shrunk."""
    from coffeechat.cli.search import _file_bytes

    note = tmp_path / "note.md"
    data = bytes(range(256)) * 1000
    note.write_bytes(data)
    for seen in (0, 1, 255, len(data) - 1, len(data), len(data) + 10):
        assert _file_bytes(str(note), seen) == data
