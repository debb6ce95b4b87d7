"""`import vcard`: vCard 2.1 quoted-printable and other charsets, 3.0 groups, 4.0, bad cards."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from coffeechat.core.note.parse import parse_note
from coffeechat.transfer import vcard
from conftest import TEST_DATA

DATA = TEST_DATA / "import"


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def meta(root: Path, rel: str) -> dict:
    return parse_note(rel, (root / rel).read_bytes()).meta


@pytest.fixture
def vcf(tmp_path: Path) -> str:
    shutil.copy(DATA / "contacts.vcf", tmp_path / "contacts.vcf")
    return str(tmp_path / "contacts.vcf")


def test_fixture_has_the_hard_cases():
    data = (DATA / "contacts.vcf").read_bytes()
    assert b"VERSION:2.1" in data and b"QUOTED-PRINTABLE" in data and b"=\r\nller" in data
    assert "González".encode("latin-1") in data  # not UTF-8
    assert b"item1.X-ABLabel" in data and b"VERSION:4.0" in data
    assert data.index(b"not a property") < data.index(b"VERSION:4.0")  # a bad card mid-file


def test_one_bad_card_is_reported_and_the_rest_imported(vault, run, vcf):
    result = run("import", "vcard", vcf)
    assert result.exit_code == 1
    assert result.stdout == (
        f"Imported {vcf}: 7 contacts read; 5 created, 0 updated, 1 skipped,"
        " 1 failed; 4 company notes created.\n"
    )
    assert result.stderr == (
        f"warning: {vcf}:57: no name; skipped\n"
        f"{vcf}:35: card could not be read: line 38: Failed to parse line: this line is not a"
        " property\n"
        "Error: 1 contact could not be imported (see the lines above)\n"
    )
    assert sorted(p.name for p in (vault.root / "contacts").iterdir()) == [
        "Carl Lee.md",
        "José González.md",
        "Jürgen Müller.md",
        "Zoë Brontë.md",
        "山本 太郎.md",
    ]


def test_every_vcard_version_is_read(vault, run, vcf):
    run("import", "vcard", vcf)
    root = vault.root
    jurgen = meta(root, "contacts/Jürgen Müller.md")  # 2.1, quoted-printable, soft line break
    assert jurgen["role"] == "Geschäftsführer" and jurgen["company"] == "[[Bäckerei Müller GmbH]]"
    assert jurgen["phone"] == "+49 170 1234567"  # the PREF one
    assert jurgen["email"] == "juergen.mueller@baeckerei.example"
    jose = meta(root, "contacts/José González.md")  # 2.1, ISO-8859-1
    assert jose["company"] == "[[Telefónica]]"
    taro = meta(root, "contacts/山本 太郎.md")  # 3.0 (Apple) with item1.TEL / X-ABLabel
    assert taro["phone"] == "+81 3 1234 5678" and taro["email"] == "taro@sony.example"
    assert taro["linkedin"] == "https://jp.linkedin.com/in/taro-yamamoto"
    assert taro["aliases"] == ["Taro-san"] and taro["company"] == "[[Sony Group]]"
    assert taro["tags"] == ["contact", "Mentors", "Coffee-Chats"]
    zoe = meta(root, "contacts/Zoë Brontë.md")  # 4.0, tel: URI, TYPE="voice,cell"
    assert zoe["phone"] == "+1-555-555-0100" and zoe["role"] == "Editor"
    assert zoe["linkedin"] == "https://www.linkedin.com/in/zoe-bronte/"
    carl = meta(root, "contacts/Carl Lee.md")  # no FN (name from N), a broken PHOTO dropped
    assert carl["name"] == "Carl Lee" and carl["email"] == "carl.lee@initech.example"


def test_importing_again_creates_nothing(vault, run, vcf):
    run("import", "vcard", vcf)
    before = tree(vault.root / "contacts")
    result = run("import", "vcard", vcf)
    assert "0 created, 0 updated, 6 skipped, 1 failed" in result.stdout
    assert tree(vault.root / "contacts") == before


def test_dry_run_writes_nothing(vault, run, vcf):
    before = tree(vault.root)
    result = run("import", "vcard", "-n", vcf)
    assert result.exit_code == 1  # the bad card is still a failure
    assert result.stdout.startswith("Dry run, nothing written: 7 contacts read; 5 would be created")
    assert tree(vault.root) == before


def test_cards_left_open_are_failures():
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Open One\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Good One\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut Off\r\n"
    )
    batch = vcard.parse(data, "x.vcf")
    assert [r.name for r in batch.records] == ["Good One"]
    assert [(p.line, p.message) for p in batch.failed] == [
        (1, "card has no END:VCARD before the next card"),
        (8, "card has no END:VCARD (the file ends inside it)"),
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Name,Email\nA,a@b.example\n", "{f} is not a vCard file: it holds no BEGIN:VCARD"),
        (b"", "{f} is not a vCard file: it holds no BEGIN:VCARD"),
        (b"\x00\x01BEGIN:VCARD", "{f} is a binary file, not a vCard file"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(vault, run, tmp_path, content, message):
    path = tmp_path / "in.vcf"
    path.write_bytes(content)
    before = tree(vault.root)
    result = run("import", "vcard", str(path))
    assert (result.exit_code, result.stderr) == (2, f"Error: {message.format(f=path)}\n")
    assert tree(vault.root) == before


def test_round_trip_through_export(sample_copy, run, tmp_path):
    out = tmp_path / "all.vcf"
    assert run("export", "vcard", "-o", str(out), root=sample_copy).exit_code == 0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "coffeechat.toml").write_text("", encoding="utf-8")
    result = run("import", "vcard", str(out), root=fresh)
    assert result.exit_code == 0, result.output
    from coffeechat import load_vault

    def people(root: Path) -> set[tuple[str, str, str, str, str]]:
        v = load_vault(root, use_cache=False)
        return {(c.name, c.email, c.role, c.linkedin, c.company) for c in v.contacts.values()}

    assert people(fresh) == people(sample_copy)
    again = run("import", "vcard", str(out), root=sample_copy)
    assert " 0 created, 0 updated," in again.stdout
