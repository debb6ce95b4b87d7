"""Names from outside as file names: safe, unique across the vault, never outside it; and new
notes built fast are byte for byte the notes built one `set_key` at a time."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from coffeechat.core.model import NoteType
from coffeechat.core.names import MAX_NAME_BYTES, safe_filename
from coffeechat.core.note.edits import Link
from coffeechat.core.note.parse import parse_note
from coffeechat.core.settings import Settings
from coffeechat.storage.writer import (
    NoteNames,
    _bundled_template,
    create_note,
)

NOW = dt.datetime(2026, 11, 23, 9, 5)
DEVICE = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$")


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Jane Doe", "Jane Doe"),
        ("AC/DC", "AC DC"),
        ("back\\slash", "back slash"),
        ("../../etc/passwd", "etc passwd"),
        ("..", "Untitled"),
        (".hidden", "hidden"),
        ("...dots", "dots"),
        ("trailing dot.", "trailing dot"),
        ("CON", "CON_"),
        ("nul.txt", "nul.txt_"),
        ("Lpt1", "Lpt1_"),
        ("Console", "Console"),
        ("tab\there\x00nul\x1fend", "tab here nul end"),
        ("a: b | c # d ^ e [[f]]", "a b c d e f"),
        ("  spaced   out  ", "spaced out"),
        ("", "Untitled"),
        ("José", "José"),
        ("Jose\u0301", "José"),  # NFD from macOS becomes NFC
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_long_names_are_cut_at_a_character_boundary():
    name = "é" * 300  # 600 bytes
    safe = safe_filename(name)
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES and safe == "é" * 120
    assert len(safe_filename("山" * 100).encode("utf-8")) == 240


def test_unique_names_ignore_case_and_normalisation():
    names = NoteNames(["contacts/John Smith.md", "companies/Acme.md", "contacts/x/José.md"])
    assert names.unique("Jane Doe") == "Jane Doe"
    assert names.unique("john smith", "Acme") == "john smith (Acme)"
    assert names.unique("JOSE\u0301") == "JOSE\u0301 (2)".replace("E\u0301", "É")
    assert names.unique("Acme") == "Acme (2)"  # a company's name is taken too
    names.add("contacts/John Smith (Acme).md")
    assert names.unique("John Smith", "Acme") == "John Smith (Acme) (2)"
    names.add("contacts/John Smith (Acme) (2).md")
    assert names.unique("John Smith", "Acme") == "John Smith (Acme) (3)"
    assert names.unique("John Smith", "//") == "John Smith (2)"  # nothing left of the qualifier
    assert names.unique("../John Smith", "../Acme") == "John Smith (Acme) (3)"


def _safe(stem: str) -> None:
    assert stem
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem
    assert not stem.startswith(".") and not stem.endswith((".", " "))
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u2028\u2029" for c in stem)
    assert len(stem.encode("utf-8")) <= MAX_NAME_BYTES
    assert not DEVICE.match(stem)


@given(st.text())
def test_any_text_gives_a_safe_name(name):
    stem = safe_filename(name)
    _safe(stem)
    assert safe_filename(stem) == stem  # already safe: unchanged


@given(st.lists(st.text(max_size=300), min_size=1, max_size=6), st.text(max_size=80))
def test_unique_names_are_safe_and_distinct(names, qualifier):
    taken = NoteNames([])
    seen = set()
    for name in names:
        stem = taken.unique(name, qualifier)
        assert len(f"{stem}.md".encode()) <= 255
        key = unicodedata.normalize("NFC", stem).casefold()
        assert key not in seen
        seen.add(key)
        taken.add(f"contacts/{stem}.md")


@given(st.lists(st.text(min_size=0, max_size=120), min_size=1, max_size=4))
@example(
    ["{{", "{{title}}"]
)  # (a name with braces is kept as written, not taken for a placeholder)
def test_creating_notes_never_writes_outside_the_vault(names):
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root = base / "vault"
        root.mkdir()
        settings = Settings()
        taken = NoteNames([])
        for name in names:
            rel = create_note(
                root, settings, NoteType.CONTACT, name, [("role", name)], names=taken, now=NOW
            )
            assert rel.startswith("contacts/") and rel.count("/") == 1
            data = (root / rel).read_bytes()
            note = parse_note(rel, data)
            assert note.meta["name"] == name and note.meta["role"] == name  # the whole name
            if "{" not in name:  # (every placeholder filled; a name may hold braces, kept)
                assert b"{{" not in data
        files = [p for p in base.rglob("*") if p.is_file() and p.parent != root / ".coffeechat"]
        assert len(files) == len(names)
        assert all(p.parent == root / "contacts" for p in files)


# --- one set_keys pass writes what one set_key per field writes, byte for byte ---------------

TEMPLATES = {
    "contact": _bundled_template("Contact.md"),
    "company": _bundled_template("Company.md"),
    "meeting": _bundled_template("Meeting.md"),
    "comments and spacing": (
        '---\ntype: contact\nname : "{{title}}"  # the full name\n'
        "role:   # what they do\ntags: [a, b]\nnested:\n  x: 1\n---\n"
        "# {{title}}\n\n## Log\n- 2026-01-01 note: x\n\n## Other\n"
    ),
    "crlf, title elsewhere": (
        '---\r\nname: "{{title}}"\r\naliases:\r\n    - "{{title}}"\r\n'
        "added: {{date}}\r\n---\r\nBody {{title}}\r\n"
    ),
    "empty front matter": "---\n---\n",
    "no front matter": "Just {{title}}\n## Log\n",
}
NAMES = ["Jane Doe", 'José: the "best" #1', "line\nbreak", "{{x}} <% y %>", "x\u2028y"]


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=TEMPLATES.keys())
@pytest.mark.parametrize("name", NAMES)
def test_one_pass_equals_one_set_key_per_field(template, name):
    from coffeechat.core.note.edits import set_key, set_keys
    from coffeechat.storage.writer import _render_note

    values = [
        ("type", "contact"),
        ("name", name),
        ("company", Link("Acme")),
        ("role", "VP, Eng"),
        ("tags", ["contact", "x"]),
        ("added", dt.date(2024, 3, 5)),
        ("email", None),
    ]
    rendered = _render_note(template, name, NOW).encode("utf-8")
    one_by_one = rendered
    for key, value in values:
        one_by_one = set_key(one_by_one, key, value)
    assert set_keys(rendered, values) == one_by_one
