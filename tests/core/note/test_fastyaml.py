"""The front-matter fast path (core/note/fastyaml.py) against PyYAML's C loader.

The fast path may decline any input (``None``: the caller asks PyYAML), but whenever it answers,
its answer must be exactly the loader's: the same values of the same types (``True`` is not
``1``, ``1.0`` is not ``1``), the same key order, and the same key lines. ``repr`` compares all
of that at once. It must also answer for the plain shapes most notes have, or it would be a
silent no-op.
"""

from __future__ import annotations

import os
import random
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coffeechat.core.note import parse as notes
from coffeechat.core.note.fastyaml import load_plain_front_matter
from coffeechat.core.note.parse import (
    FrontMatterError,
    _load_with_yaml,
    load_front_matter,
    parse_note,
)
from conftest import REPO, SAMPLE


def slow(text: str, first_line: int = 2) -> tuple[dict[str, Any], dict[str, int]] | str:
    """The C loader's answer, or the error it raises (as text)."""
    try:
        return _load_with_yaml(text, first_line)
    except FrontMatterError as exc:
        return f"error: {exc.message}"


def check(text: str, first_line: int = 2) -> tuple[dict[str, Any], dict[str, int]] | None:
    """Whenever the fast path answers, it answers what the loader does; return its answer."""
    fast = load_plain_front_matter(text, first_line)
    if fast is not None:
        assert repr(fast) == repr(slow(text, first_line)), text
    return fast


# --- the grammar ---------------------------------------------------------------------------

SAFE_KEYS = [
    "type",
    "name",
    "company",
    "tags",
    "with",
    "date",
    "added",
    "how_met",
    "thank-you",
    "how met",
    "Key",
    "a",
    "x1",
    "1",
    "2024",
    "true",
    "null",
    "no",
    "é",
    "名前",
    "e.mail",
    "a/b",
    "k?",
    "a-",
]
ODD_KEYS = [
    "-k",
    "? k",
    "k:k",
    '"k"',
    "'k'",
    "k#",
    "k #",
    "&a k",
    "*a",
    "!k",
    "[k]",
    "{k}",
    "k,",
    " k",
    "  k",
    "k ",
    "k  ",
    "<<",
    "~",
    "%k",
    "@k",
    "`k`",
    "k\\",
    "a b",
    ".5",
    "-",
    "---",
    "...",
    "k\tx",
    "\ufeffk",
    "k\u2028",
    "k\x85",
    "",
]
SAFE_SCALARS = [
    "contact",
    "Jane Doe",
    "Café Grumpy",
    "日本語",
    "😀 emoji",
    "O'Brien",
    'say "hi"',
    "a, b",
    "a [b] {c}",
    "https://www.example.com/in/jane-doe",
    "mailto:a@b.example",
    "(931) 555-2832",
    "+33 1 82 83 08 99",
    "a#b",
    "a  b",
    "x:y",
    "-x",
    "-5",
    "-0",
    "0",
    "42",
    "0123",
    "007",
    "1e3",
    "1.0e3",
    "1.5E-3",
    "-1.25",
    "0.0",
    "-0.0",
    "1.0e999",
    "-1.0e999",
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    ".5",
    "5.",
    "+1",
    "+1.5",
    "1:30",
    "10:00",
    "2026-01-02",
    "2026-01-02T10:00",
    "2026-01-02 10:00",
    "12/31/2025",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "False",
    "FALSE",
    "yes",
    "No",
    "NO",
    "on",
    "off",
    "y",
    "n",
    ".inf",
    ".nan",
    ".NaN",
    "=",
    "<<",
    "a?",
    "a!",
    "a&b",
    "a*b",
    "a|b",
    "a>b",
    "a%b",
    "a@b",
    "a`b",
    "a\\b",
    "\\",
    "a\xa0b",
    "x\xa0",
    '""',
    "''",
    '"[[Acme Corp]]"',
    "'[[Acme Corp]]'",
    '"a: b # c"',
    "'it''s'",
    "''''",
    '"it\'s"',
    "'say \"hi\"'",
    '"  padded  "',
    "' padded '",
    '"日本"',
    "'\\'",
    "'a\\nb'",
]
ODD_SCALARS = [
    "[[Acme]]",
    "[[Acme]] (contract)",
    "a: b",
    "a:",
    "a :b",
    "a #b",
    "#x",
    ": x",
    ":x",
    "?x",
    "? x",
    "- a",
    "-",
    "--",
    "---",
    "...",
    "- - a",
    "|",
    "|-",
    ">",
    ">+",
    "!x",
    "!!str x",
    "!!timestamp 2026-01-02",
    "&a x",
    "*a",
    "@x",
    "`x`",
    "%x",
    ",a",
    "]",
    "}",
    "{a: 1}",
    "{",
    '"unbalanced',
    "'unbalanced",
    '"a" b',
    "'a' b",
    '"a"#c',
    "'a'#c",
    '"a\\"b"',
    '"a\\nb"',
    '"\\u00e9"',
    "'a\\b'",
    '"a\tb"',
    "a\tb",
    "\tx",
    "x\t",
    "a\rb",
    "a\x85b",
    "a\u2028b",
    "\ufeffx",
    "x\ufeff",
    "\x00",
    "\x7f",
    "\x9f",
    "\ufffe",
    "\xa0x",
    "\u3000x",
    "1" * 5000,
    "-.inf",
    "-.5",
    "-_x",
    "-é",
    "[",
    "[a",
    "[a, ]",
    "[,]",
    "[a,,b]",
    "[a, [b]]",
    "[a: b]",
    "[a #b]",
    "[a]x",
    "[a]#c",
    "[a, {b: c}]",
    "[- a]",
    "[?a]",
    "[a:b]",
    '["a\\""]',
    "['a'b]",
    '["a" b]',
]
SAFE_FLOWS = [
    "[]",
    "[ ]",
    "[a]",
    "[a, b]",
    "[a,b]",
    "[ a , b ]",
    "[\"a\", 'b']",
    '["[[X]]", b]',
    '["a]", b]',
    "[1, -2, 3.5, true, null, ~, NO, 0123]",
    "['it''s']",
    "[a b, c]",
    "[-x, é, 日本]",
    '[""]',
    "['']",
    "[O'Brien]",
    '[a"b]',
]
COMMENTS = ["", "", "", " # note", "   #note", " #: x", " # a: b", "#c", " ## x"]
SEPARATORS = [": ", ": ", ": ", ":  ", " : ", "  :   ", ":"]
JUNK = [
    "  continued",
    "continued",
    "\tkey: v",
    "key: |",
    "  text",
    "  nested: 1",
    "? k",
    ": v",
    "- stray",
    "---",
    "...",
    "--- x",
    "%YAML 1.2",
    "&a k: v",
    "k: v: w",
    "[a, b]",
    "{a: 1}",
    "  - indented stray",
    "key:value",
    "k:\n  sub: 1",
    "k: >\n  folded",
    "k: &a x\nj: *a",
    "k: !!str 1",
    "k: 'multi\n  line'",
    'k: "multi\n  line"',
    "\ufeff",
    "\r",
]
BLANKS = ["", "", "  ", "# comment", "  # indented comment", "#", "    #: x"]

safe_key = st.sampled_from(SAFE_KEYS)
any_key = st.one_of(
    safe_key,
    st.sampled_from(ODD_KEYS),
    st.text(st.sampled_from("ab_- :#'\"[]é1?&!"), min_size=1, max_size=6),
)
safe_scalar = st.sampled_from(SAFE_SCALARS)
random_scalar = st.text(
    st.one_of(
        st.sampled_from(list(": #'\"[]{},-?&*!|>%@`\\~.+_0123456789")),
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
    ),
    max_size=10,
)
any_scalar = st.one_of(safe_scalar, st.sampled_from(ODD_SCALARS), random_scalar)
safe_value = st.one_of(safe_scalar, st.sampled_from(SAFE_FLOWS))
any_value = st.one_of(
    safe_value,
    any_scalar,
    st.sampled_from(ODD_SCALARS),
    st.lists(any_scalar, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
)


@st.composite
def entry(draw: st.DrawFn, safe: bool, key: str) -> list[str]:
    """The lines of one top-level entry: `key: value`, or `key:` with a block sequence."""
    comment = "" if safe else draw(st.sampled_from(COMMENTS))
    if draw(st.booleans()):
        sep = ": " if safe else draw(st.sampled_from(SEPARATORS))
        return [key + sep + draw(safe_value if safe else any_value) + comment]
    indent = draw(st.sampled_from([0, 2, 2, 4]))
    lines = [key + ":" + comment]
    for _ in range(draw(st.integers(0, 4))):
        item = draw(safe_scalar if safe else st.one_of(any_scalar, st.sampled_from(SAFE_FLOWS)))
        pad = indent if safe else draw(st.sampled_from([indent, indent, indent, indent + 1, 0]))
        dash = " " * pad + "-" + (" " + item if item else "")
        lines.append(dash + ("" if safe else draw(st.sampled_from(COMMENTS))))
        if not safe and draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(BLANKS)))
    return lines


@st.composite
def front_matter(draw: st.DrawFn, safe: bool = False) -> str:
    """A block of entries, blank lines and comments; with ``safe``, only the plain shapes (and
    distinct keys: a repeated key is an error, which the fast path leaves to PyYAML), else
    near-misses and junk lines too."""
    keys = draw(st.permutations(SAFE_KEYS)) if safe else None
    lines: list[str] = []
    for i in range(draw(st.integers(1 if safe else 0, 8))):
        roll = draw(st.integers(0, 9))
        if roll == 0:
            lines.append(draw(st.sampled_from(BLANKS)))
        elif roll == 1 and not safe:
            lines.append(draw(st.sampled_from(JUNK)))
        else:
            lines.extend(draw(entry(safe, keys[i] if keys else draw(any_key))))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n", "\n  "]))


# --- properties ----------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=1500, deadline=None)
@given(front_matter(), st.sampled_from([2, 1, 7]))
@example("a: [[Acme]]", 2)
@example("a:\n  - x\n - y", 2)
@example("key:value", 2)
def test_whenever_the_fast_path_answers_it_agrees_with_the_loader(text: str, first_line: int):
    check(text, first_line)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(front_matter(safe=True))
def test_the_fast_path_answers_for_plain_front_matter(text: str):
    fast = check(text)
    assert fast is not None, f"the fast path declined plain front matter:\n{text}"


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(SAFE_KEYS), min_size=1, max_size=6, unique=True),
    st.lists(any_value, min_size=6, max_size=6),
)
def test_single_values_agree(keys: list[str], values: list[str]):
    # six values, up to six keys: the spare values are left over
    check("\n".join(f"{k}: {v}" for k, v in zip(keys, values, strict=False)))


@settings(max_examples=600, deadline=None)
@given(st.text(st.sampled_from(list("ab :#-'\"[]\n  \n,1.~")), max_size=40))
def test_character_soup_agrees(text: str):
    check(text)


# --- examples ------------------------------------------------------------------------------

ANSWERS = [
    ("", {}),
    ("# only a comment\n\n", {}),
    ("type: contact", {"type": "contact"}),
    ('company: "[[Acme Corp]]"', {"company": "[[Acme Corp]]"}),
    ("company: '[[Acme Corp]]'", {"company": "[[Acme Corp]]"}),
    ("name: 'it''s'", {"name": "it's"}),
    ("name: O'Brien", {"name": "O'Brien"}),
    ('title: "Re: coffee # 2"', {"title": "Re: coffee # 2"}),
    ("phone: 0123456", {"phone": "0123456"}),
    ("phone: +15550100", {"phone": "+15550100"}),
    ("n: 42", {"n": 42}),
    ("n: -0", {"n": 0}),
    ("x: 1.5", {"x": 1.5}),
    ("x: 1.0e3", {"x": 1000.0}),
    ("x: 1e3", {"x": "1e3"}),
    ("x: .5", {"x": ".5"}),
    ("x: 1_000", {"x": "1_000"}),
    ("x: 0x1F", {"x": "0x1F"}),
    ("x: 1.0e999", {"x": "inf"}),
    ("x: -1.0e999", {"x": "-inf"}),
    ("flag: true", {"flag": True}),
    ("flag: yes", {"flag": "yes"}),
    ("country: NO", {"country": "NO"}),
    ("v: ~", {"v": None}),
    ("v: Null", {"v": None}),
    ("v:", {"v": None}),
    ("v:   # nothing yet", {"v": None}),
    ("date: 2026-01-02", {"date": "2026-01-02"}),
    ("time: 10:00", {"time": "10:00"}),
    ("url: https://example.com/a#b", {"url": "https://example.com/a#b"}),
    ("a: x # comment", {"a": "x"}),
    ("a: x#not a comment", {"a": "x#not a comment"}),
    ("a: trailing   ", {"a": "trailing"}),
    ("a: two  spaces", {"a": "two  spaces"}),
    ("how met: at a meetup", {"how met": "at a meetup"}),
    ("key : spaced", {"key": "spaced"}),
    ("true: 1", {"true": 1}),
    ("tags: [contact, london]", {"tags": ["contact", "london"]}),
    ("tags: [\"[[A]]\", 'b', 3, true, ~]", {"tags": ["[[A]]", "b", 3, True, None]}),
    ("tags: []", {"tags": []}),
    ("tags:\n  - a\n  - \"[[X]]\"\n  -\n  - ''", {"tags": ["a", "[[X]]", None, ""]}),
    ("tags:\n- a\n- b\nnext: 1", {"tags": ["a", "b"], "next": 1}),
    ("tags:\n  - a\n# between\n\n  - b  # note", {"tags": ["a", "b"]}),
    ("tags: # list below\n    - 1", {"tags": [1]}),
]


@pytest.mark.parametrize(("text", "values"), ANSWERS, ids=[t for t, _ in ANSWERS])
def test_the_fast_path_answers(text: str, values: dict[str, Any]):
    fast = check(text)
    assert fast is not None
    assert repr(fast[0]) == repr(values)


DECLINES = [
    "a: [[Acme]]",  # a nested flow list, not a link
    "a: [[Acme]] (contract)",  # an error
    "key:value",  # one plain scalar, not a mapping
    "a: b: c",  # mapping values are not allowed here
    "title: Re: coffee",
    "a: x:",
    "a: 1\na: 2",  # a duplicate key: an error the loader words
    'a: "x\\ny"',  # an escape
    "a: 'multi\n  line'",
    "a: x\n  continued",
    "a:\n  b: 1",  # nested mapping
    "a: |\n  block",
    "a: >\n  folded",
    "a: &x 1\nb: *x",
    "a: !!str 1",
    "a: {b: 1}",
    "? a\n: b",
    "a:\n  - x\n - y",  # inconsistent indent
    "a:\n- x\n  - y",  # a continuation of `x`
    "a:\n  - - x",  # nested sequences
    "a:\n  - [x]",
    "a:\n  - b: 1",
    "a: 1\n- x",  # an entry under a key with a value
    "- x",
    "a: - x",
    "a: x\r",
    "a:\tx",
    "\ufeffa: x",
    "a: x\u2028b: y",
    "a: x\x85b: y",
    "  a: 1\n  b: 2",  # an indented mapping
    "a: [x, ]",  # a trailing comma
    "a: [x",
    "a: [x]y",
    "a: [x: y]",
    'a: "x"y',
    "a: 'x'#c",
    "a: @x",
    "a: `x`",
    "a: %x",
    "--- x",
    "%YAML 1.2",
    "a: 1" + "1" * 5000,  # past Python's int digit limit
    "k" * 300 + ": long key",
]


@pytest.mark.parametrize("text", DECLINES)
def test_the_fast_path_declines(text: str):
    assert load_plain_front_matter(text, 2) is None


def test_key_lines_count_from_first_line():
    text = "# c\na: 1\n\ntags:\n  - x\n  - y\nb: [1]\n"
    assert check(text, 2) == ({"a": 1, "tags": ["x", "y"], "b": [1]}, {"a": 3, "tags": 5, "b": 8})
    assert check(text, 10)[1] == {"a": 11, "tags": 13, "b": 16}  # type: ignore[index]


def test_load_front_matter_uses_the_fast_path_and_still_reports_errors(monkeypatch):
    calls = []
    monkeypatch.setattr(notes, "_load_with_yaml", lambda *a: calls.append(a) or ({}, {}))
    assert load_front_matter("type: contact\n") == ({"type": "contact"}, {"type": 2})
    assert calls == []
    monkeypatch.undo()
    with pytest.raises(FrontMatterError) as err:
        load_front_matter("a: 1\na: 2\n")
    assert err.value.line == 3 and "duplicate key" in err.value.message


def test_the_resolvers_are_shared_with_the_loader():
    from coffeechat.core.note.fastyaml import IMPLICIT_RESOLVERS

    resolvers = notes._ObsidianLoader.yaml_implicit_resolvers
    for tag, pattern, first in IMPLICIT_RESOLVERS:
        for ch in first:
            assert (tag, pattern) in [(t, r.pattern) for t, r in resolvers[ch]]


# --- whole vaults --------------------------------------------------------------------------


def _spy(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Check every fast answer given while notes are parsed against the loader; count them."""
    counts = {"fast": 0, "declined": 0}
    real = notes.load_plain_front_matter

    def spy(text: str, first_line: int = 2) -> Any:
        fast = real(text, first_line)
        counts["fast" if fast is not None else "declined"] += 1
        if fast is not None:
            assert repr(fast) == repr(slow(text, first_line)), text
        return fast

    monkeypatch.setattr(notes, "load_plain_front_matter", spy)
    return counts


def test_every_note_of_the_sample_vault(monkeypatch):
    counts = _spy(monkeypatch)
    paths = sorted(SAMPLE.rglob("*.md"))
    assert paths
    for path in paths:
        parse_note(path.relative_to(SAMPLE).as_posix(), path.read_bytes())
    assert counts["fast"] >= len(paths) // 2, counts


def messy_notes(count: int, seed: int = 7) -> list[bytes]:
    """A few hundred notes built from the pieces above: plain and odd front matter, CRLF, BOMs,
    blocks that are never closed, blank first lines."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(0, 10)):
            roll = rng.random()
            if roll < 0.55:
                lines.append(f"{rng.choice(SAFE_KEYS)}: {rng.choice(SAFE_SCALARS + SAFE_FLOWS)}")
            elif roll < 0.7:
                lines.append(rng.choice(SAFE_KEYS) + ":")
                pad = " " * rng.choice([0, 2, 4])
                lines += [f"{pad}- {rng.choice(SAFE_SCALARS)}" for _ in range(rng.randint(0, 3))]
            elif roll < 0.8:
                lines.append(rng.choice(BLANKS))
            elif roll < 0.9:
                lines.append(f"{rng.choice(SAFE_KEYS + ODD_KEYS)}: {rng.choice(ODD_SCALARS)}")
            else:
                lines.append(rng.choice(JUNK))
        text = "---\n" + "\n".join(lines) + "\n---\n# Note\n\n- 2026-01-02 call: hi\n"
        if rng.random() < 0.1:
            text = text.replace("\n", "\r\n")
        if rng.random() < 0.05:
            text = "\ufeff" + text
        if rng.random() < 0.05:
            text = text.replace("\n---\n#", "\n#")  # never closed
        out.append(text.encode("utf-8", "surrogatepass"))
    return out


def test_every_note_of_a_messy_vault(monkeypatch):
    counts = _spy(monkeypatch)
    for i, data in enumerate(messy_notes(400)):
        parse_note(f"contacts/n{i}.md", data)
    assert counts["fast"] > 50 and counts["declined"] > 50, counts


# --- a Python whose `re` misreads the patterns ----------------------------------------------


def test_with_the_fast_path_off_every_note_is_read_by_pyyaml(monkeypatch):
    """Where `_engine_sound` finds this Python's `re` misreading the patterns, the fast path
    gives up on everything, and notes still read right (through PyYAML)."""
    from coffeechat.core.note import fastyaml

    monkeypatch.setattr(fastyaml, "_SOUND", False)
    assert fastyaml.load_plain_front_matter("name: Ann\n") is None
    note = parse_note("contacts/A.md", b"---\ntype : contact\nname: Ann\nrole: x # note\n---\n", 1)
    assert note.meta == {"type": "contact", "name": "Ann", "role": "x"} and not note.findings


def _system_pythons() -> list[str]:
    import shutil
    import subprocess

    found = []
    for path in ("/usr/bin/python3", shutil.which("python3.11")):
        if path and os.path.exists(path):
            out = subprocess.run(
                [path, "-c", "import sys, yaml; print(sys.version_info[:3])"],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode == 0:
                found.append(path)
    return sorted(set(found))


@pytest.mark.parametrize(
    "python",
    _system_pythons()
    or [pytest.param("", marks=pytest.mark.skip(reason="no other Python with PyYAML here"))],
)
def test_every_python_on_this_machine_reads_a_spaced_key_right(python):
    """CPython 3.11.2 (Debian 12's python3) read `type : contact` as the key "type " through
    the fast path, so the note was no contact: checked on every Python at hand."""
    import subprocess

    code = (
        "from coffeechat.core.note.parse import parse_note\n"
        "n = parse_note('contacts/A.md', b'---\\ntype : contact\\nname: A\\n---\\n', 1)\n"
        "print(sorted(n.meta.items()))"
    )
    src = str(REPO / "src")
    out = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": src},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[('name', 'A'), ('type', 'contact')]"
