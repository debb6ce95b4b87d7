"""`import google`: both Google Contacts CSV generations, ` ::: ` values, labels as tags."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from coffeechat.core.note.parse import parse_note
from coffeechat.transfer import google
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
def files(tmp_path: Path) -> dict[str, str]:
    out = {}
    for name in ("google-current.csv", "google-older.csv", "Connections.csv"):
        shutil.copy(DATA / name, tmp_path / name)
        out[name] = str(tmp_path / name)
    return out


def test_current_generation(vault, run, files):
    f = files["google-current.csv"]
    result = run("import", "google", f)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Imported {f}: 5 contacts read; 4 created, 0 updated, 1 skipped,"
        " 0 failed; 2 company notes created.\n"
    )
    assert result.stderr == f"warning: {f}:7: no name; skipped\n"  # an organisation only
    root = vault.root
    maggie = meta(root, "contacts/Margaret Chen.md")
    assert maggie["email"] == "margaret.chen@hollis.example"  # the first of ` ::: ` values
    assert maggie["phone"] == "+1 415 555 0101"
    assert maggie["aliases"] == ["Maggie"]
    assert maggie["company"] == "[[Hollis & Vane]]" and maggie["role"] == "Director, Product"
    assert maggie["linkedin"] == "https://www.linkedin.com/in/margaretchen/"
    assert maggie["tags"] == ["contact", "Mentors"]  # "* myContacts", "* starred" dropped
    assert maggie["how_met"] is None
    renee = meta(root, "contacts/Renée A. Dubois.md")
    assert renee["phone"] == "0123456789" and renee["tags"] == ["contact", "Coffee-Chats"]
    assert b'phone: "0123456789"' in (root / "contacts/Renée A. Dubois.md").read_bytes()
    assert meta(root, "contacts/Tom Baker Jr.md")["name"] == "Tom Baker Jr."
    assert meta(root, "contacts/Skip.md")["tags"] == ["contact"]  # "2024" is no tag
    log = (root / "contacts/Skip.md").read_text(encoding="utf-8").splitlines()[-1]
    assert log == "- 2026-11-23 note: imported from Google Contacts"


def test_older_generation_matches_what_is_there(vault, run, files):
    assert run("import", "google", files["google-current.csv"]).exit_code == 0
    f = files["google-older.csv"]
    result = run("import", "google", f, "-v")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "create companies/Initech.md",
        "create contacts/Carl Lee.md",
        "create contacts/Søren Kierkegaard.md",
        (
            f"Imported {f}: 3 contacts read; 2 created, 0 updated, 1 skipped, 0 failed;"
            " 1 company note created."
        ),
    ]
    carl = meta(vault.root, "contacts/Carl Lee.md")
    assert (carl["email"], carl["phone"], carl["role"]) == (
        "carl.lee@initech.example",
        "+1 650 555 0199",
        "Staff Engineer",
    )
    assert carl["linkedin"] == "linkedin.com/in/carllee" and carl["tags"] == [
        "contact",
        "Referrals",
    ]
    soren = meta(vault.root, "contacts/Søren Kierkegaard.md")
    assert soren["email"] == "soren@example.dk" and soren["tags"] == ["contact"]


def test_importing_again_creates_nothing(vault, run, files):
    for name in ("google-current.csv", "google-older.csv"):
        assert run("import", "google", files[name]).exit_code == 0
    before = tree(vault.root / "contacts")
    for name in ("google-current.csv", "google-older.csv"):
        result = run("import", "google", files[name])
        assert " 0 created, 0 updated," in result.stdout
    assert tree(vault.root / "contacts") == before


def test_fills_empty_fields_of_a_person_found_by_a_second_email(vault, run, files):
    vault.write(
        "contacts/Maggie.md",
        "---\ntype: contact\nname: Maggie\nemail: maggie@home.example"
        "\nrole: mentor\n---\n# Notes\n",
    )
    result = run("import", "google", files["google-current.csv"], "-v")
    assert "update contacts/Maggie.md: company, phone, linkedin, aliases" in result.stdout
    assert (vault.root / "contacts/Maggie.md").read_text(encoding="utf-8") == (
        "---\ntype: contact\nname: Maggie\nemail: maggie@home.example\nrole: mentor\n"
        'company: "[[Hollis & Vane]]"\nphone: +1 415 555 0101\n'
        "linkedin: https://www.linkedin.com/in/margaretchen/\naliases:\n  - Maggie\n---\n# Notes\n"
    )


def test_dry_run_writes_nothing(vault, run, files):
    before = tree(vault.root)
    result = run("import", "google", "--dry-run", files["google-current.csv"])
    assert result.exit_code == 0
    assert result.stdout.startswith("Dry run, nothing written: 5 contacts read; 4 would be created")
    assert tree(vault.root) == before


def test_a_linkedin_file_is_not_a_google_file(vault, run, files):
    before = tree(vault.root)
    f = files["Connections.csv"]
    result = run("import", "google", f)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {f} is not a Google Contacts CSV: its first line is not"
        " Google's header (First Name or Given Name, E-mail 1 - Value, ...)\n"
    )
    assert tree(vault.root) == before


def test_multi_value_columns_in_number_order():
    header = "Given Name,Family Name,E-mail 2 - Value,E-mail 1 - Value,Phone 1 - Value\n"
    batch = google.parse(
        (header + "A,B,second@x.example,first@x.example ::: third@x.example,\n").encode(), "g.csv"
    )
    (rec,) = batch.records
    assert rec.emails == ("first@x.example", "third@x.example", "second@x.example")
    assert rec.phones == () and rec.name == "A B"
