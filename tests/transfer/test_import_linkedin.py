"""`import linkedin`: the Connections.csv quirks, matching, filling, dry runs and refusals."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
import zipfile
from pathlib import Path

import pytest

from coffeechat.core.note.parse import parse_note
from coffeechat.core.settings import Settings
from coffeechat.transfer import linkedin
from coffeechat.transfer.identity import company_key, linkedin_key, person_key
from coffeechat.transfer.match import import_batch
from conftest import TEST_DATA

DATA = TEST_DATA / "import"


def tree(root: Path, cache: bool = True) -> dict[str, str]:
    """Every file under ``root`` (the cache too, unless told) with a hash of its bytes."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (cache or ".coffeechat" not in p.parts)
    }


@pytest.fixture
def csv_file(tmp_path: Path) -> str:
    target = tmp_path / "Connections.csv"
    shutil.copy(DATA / "Connections.csv", target)
    return str(target)


JANE = """\
---
type: contact
name: Jane Doe
aliases: []
company: "[[Acme Corp]]"
role: VP, Engineering
email:
phone:
linkedin: https://www.linkedin.com/in/jane-doe-4a1b2c
field:
tags:
  - contact
  - linkedin
referred_by:
how_met: LinkedIn connection
added: 2026-11-23
connected_on: 2024-03-05
---
Who they are, and why you want their advice.

## Log
- 2026-11-23 note: imported from LinkedIn
"""


def test_fixture_has_the_real_export_quirks():
    data = (DATA / "Connections.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfNotes:\n")
    assert b'"VP, Engineering"' in data and "山本".encode() in data


def test_first_import_creates_notes_and_companies(vault, run, csv_file):
    result = run("import", "linkedin", csv_file)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Imported {csv_file}: 13 contacts read; 12 created, 0 updated,"
        " 1 skipped, 0 failed; 7 company notes created.\n"
    )
    assert result.stderr == (
        f"warning: {csv_file}:13: no name; skipped\n"
        f"warning: {csv_file}:17: 'Connected On' '31 Foo 2024' is not a date like 05 Mar 2024;"
        " left out\n"
    )
    contacts = sorted(p.name for p in (vault.root / "contacts").iterdir())
    assert contacts == sorted(
        [
            "Jane Doe.md",
            "José Martínez.md",
            "Zoë Brontë.md",
            "山本 太郎.md",
            "Priya Raman.md",
            "Li Wei.md",
            "Ana O'Neil.md",
            "Jean-Luc Picard (he him).md",
            "etc passwd.md",
            "CON_.md",
            "Jane Doe (Acme Corp).md",
            "Marie Curie.md",
        ]
    )
    assert (vault.root / "contacts" / "Jane Doe.md").read_text(encoding="utf-8") == JANE
    companies = sorted(p.name for p in (vault.root / "companies").iterdir())
    assert companies == [
        "Acme Corp.md",
        "Globex, Inc.md",
        "Haworth Press.md",
        "Sony.md",
        "Sorbonne.md",
        "Stealth Startup.md",
        "United Federation of Planets.md",
    ]


def test_names_stay_whole_while_file_names_are_safe(vault, run, csv_file):
    run("import", "linkedin", csv_file)

    def meta(rel: str) -> dict:
        return parse_note(rel, (vault.root / rel).read_bytes()).meta

    assert meta("contacts/etc passwd.md")["name"] == "../../etc passwd"
    assert meta("contacts/CON_.md")["name"] == "CON"
    assert meta("contacts/Jean-Luc Picard (he him).md")["name"] == "Jean-Luc Picard (he/him)"
    jose = meta("contacts/José Martínez.md")
    assert jose["company"] == "[[Globex, Inc]]" and jose["email"] == "jose@example.com"
    assert meta("companies/Globex, Inc.md")["name"] == "Globex, Inc."
    zoe = meta("contacts/Zoë Brontë.md")
    assert zoe["role"] == 'Editor, "Special" Projects' and zoe["connected_on"] == "2022-12-01"
    assert zoe["added"] == "2026-11-23"  # the day the note entered the vault
    taro = meta("contacts/山本 太郎.md")
    assert taro["linkedin"] == "https://jp.linkedin.com/in/taro-yamamoto/"
    assert meta("contacts/Li Wei.md")["company"] is None  # no company: no link, no note
    assert "added" in meta("contacts/Marie Curie.md")  # the template's date, not a bad one
    # Nothing outside the vault, nothing but notes in the note folders.
    assert not (vault.root.parent / "etc passwd.md").exists()
    assert {p.suffix for p in (vault.root / "contacts").iterdir()} == {".md"}


def test_second_import_creates_nothing_and_changes_nothing(vault, run, csv_file):
    assert run("import", "linkedin", csv_file).exit_code == 0
    before = tree(vault.root, cache=False)
    result = run("import", "linkedin", csv_file)
    assert result.exit_code == 0
    assert result.stdout == (
        f"Imported {csv_file}: 13 contacts read; 0 created, 0 updated, 13 skipped, 0 failed.\n"
    )
    assert tree(vault.root, cache=False) == before


EXISTING = {
    # matched by name + company (Acme Corp's note has the alias "Acme Corp")
    "contacts/people/Jane Doe.md": (
        "---\r\n"
        "type: contact\r\n"
        "name: Jane Doe   # met at ProductCon\r\n"
        'company: "[[Acme Corporation]]"\r\n'
        "role:\r\n"
        "tags: [pm, friend]\r\n"
        "email: jane@personal.example\r\n"
        "---\r\n"
        "Met at ProductCon.\r\n\r\n## Log\r\n- 2026-10-01 approach: emailed\r\n"
    ),
    # matched by e-mail, whatever the name
    "contacts/Joe M.md": (
        "---\ntype: contact\nname: Joe M\nemail: JOSE@example.com\nrole: PM (Payments)\n---\n"
    ),
    # matched by LinkedIn URL, written differently
    "contacts/Z. Brontë.md": (
        "---\ntype: contact\nname: Z. Brontë\nlinkedin: http://linkedin.com/in/Zoe-Bronte/?trk=x\n"
        "role: ''\n---\nbody\n"
    ),
    # matched by name without accents and without company
    "contacts/LI WÉI.md": "---\nname: LI WÉI\ntags:\n  - colleague\n---\n",
    # everything filled already: untouched
    "contacts/Priya Raman.md": (
        '---\ntype: contact\nname: Priya Raman\ncompany: "[[Acme Corporation]]"\nrole: Data Lead\n'
        "email: priya@acme.example\nphone: '0123'\nlinkedin: https://www.linkedin.com/in/priyaraman\n"
        "connected_on: 2020-01-01\naliases: [PR]\n---\n"
    ),
    "companies/Acme Corporation.md": "---\ntype: company\naliases:\n  - Acme Corp\n---\n",
}

JANE_FILLED = (
    "---\r\n"
    "type: contact\r\n"
    "name: Jane Doe   # met at ProductCon\r\n"
    'company: "[[Acme Corporation]]"\r\n'
    "role: VP, Engineering\r\n"
    "tags: [pm, friend]\r\n"
    "email: jane@personal.example\r\n"
    "linkedin: https://www.linkedin.com/in/jane-doe-4a1b2c\r\n"
    "connected_on: 2024-03-05\r\n"
    "---\r\n"
    "Met at ProductCon.\r\n\r\n## Log\r\n- 2026-10-01 approach: emailed\r\n"
)


@pytest.fixture
def existing(vault):
    for rel, text in EXISTING.items():
        vault.write(rel, text, dedent=False)
    return vault


def test_existing_people_only_get_empty_fields_filled(existing, run, csv_file):
    root = existing.root
    before = tree(root, cache=False)
    result = run("import", "linkedin", csv_file, "-v")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"Imported {csv_file}: 13 contacts read; 7 created, 4 updated, 2 skipped, 0 failed;"
        " 6 company notes created."
    )
    actions = result.stdout.splitlines()[:-1]
    assert "update contacts/people/Jane Doe.md: role, linkedin, connected_on" in actions
    assert "update contacts/Joe M.md: company, linkedin, connected_on" in actions
    assert "update contacts/Z. Brontë.md: company, role, connected_on" in actions
    assert "update contacts/LI WÉI.md: linkedin, connected_on" in actions
    assert "create contacts/Jane Doe (Acme Corp).md" in actions  # another Jane: other profile
    assert "create companies/Acme Corp.md" not in actions  # the alias found Acme Corporation
    after = tree(root, cache=False)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {
        "contacts/people/Jane Doe.md",
        "contacts/Joe M.md",
        "contacts/Z. Brontë.md",
        "contacts/LI WÉI.md",
    }
    assert (root / "contacts/people/Jane Doe.md").read_bytes() == JANE_FILLED.encode()
    assert (root / "contacts/Joe M.md").read_text(encoding="utf-8") == (
        "---\ntype: contact\nname: Joe M\nemail: JOSE@example.com\nrole: PM (Payments)\n"
        'company: "[[Globex, Inc]]"\nlinkedin: https://www.linkedin.com/in/jose-martinez\n'
        "connected_on: 2023-01-17\n---\n"
    )
    assert (root / "contacts/Z. Brontë.md").read_text(encoding="utf-8") == (
        "---\ntype: contact\nname: Z. Brontë\nlinkedin: http://linkedin.com/in/Zoe-Bronte/?trk=x\n"
        'role: Editor, "Special" Projects\ncompany: "[[Haworth Press]]"\nconnected_on: 2022-12-01\n'
        "---\nbody\n"
    )
    assert (root / "contacts/LI WÉI.md").read_text(encoding="utf-8") == (
        "---\nname: LI WÉI\ntags:\n  - colleague\nlinkedin: https://www.linkedin.com/in/li-wei-88\n"
        "connected_on: 2020-04-03\n---\n"
    )
    other = parse_note("x.md", (root / "contacts/Jane Doe (Acme Corp).md").read_bytes()).meta
    assert other["company"] == "[[Acme Corporation]]" and other["role"] == "Recruiter"
    again = run("import", "linkedin", csv_file)
    assert "0 created, 0 updated, 13 skipped" in again.stdout
    assert tree(root, cache=False) == after


def test_dry_run_writes_nothing_and_counts_the_same(existing, run, csv_file):
    root = existing.root
    before = tree(root)
    dry = run("import", "linkedin", "--dry-run", csv_file)
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == (
        "Dry run, nothing written: 13 contacts read; 7 would be created,"
        " 4 would be updated, 2 skipped, 0 failed; 6 company notes would be"
        " created.\n"
    )
    assert tree(root) == before  # not even the cache
    assert not (root / ".coffeechat").exists()
    real = run("import", "linkedin", "-v", csv_file)
    dry_v = run("import", "linkedin", "-n", "-v", csv_file)  # now: nothing left to do
    assert "7 created, 4 updated, 2 skipped, 0 failed" in real.stdout
    assert dry_v.stdout.endswith("0 would be created, 0 would be updated, 13 skipped, 0 failed.\n")


def test_a_note_that_cannot_be_edited_is_a_failure_not_a_crash(vault, run, csv_file):
    vault.write("contacts/Li Wei.md", "\n---\ntype: contact\n---\nnot front matter\n", dedent=False)
    vault.write("contacts/Priya Raman.md", "---\nname: Priya Raman\ncompany: [[Acme Corp]\n---\n")
    before = {
        p: (vault.root / p).read_bytes() for p in ("contacts/Li Wei.md", "contacts/Priya Raman.md")
    }
    result = run("import", "linkedin", csv_file)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "Error: 2 contacts could not be imported (see the lines above)"
    assert any(
        ln.startswith(
            f"{csv_file}:9: Priya Raman: contacts/Priya Raman.md has the same"
            " name but cannot be read"
        )
        for ln in lines
    )
    assert any(ln.startswith(f"{csv_file}:10: Li Wei: contacts/Li Wei.md") for ln in lines)
    assert "10 created, 0 updated, 1 skipped, 2 failed" in result.stdout
    for rel, data in before.items():
        assert (vault.root / rel).read_bytes() == data


def test_a_file_the_scan_does_not_see_is_never_replaced(vault, run, csv_file):
    vault.config('[vault]\nignore = ["contacts/Jane Doe.md"]\n')
    hidden = vault.write("contacts/Jane Doe.md", "mine, not a note\n")
    assert run("import", "linkedin", csv_file).exit_code == 0
    assert hidden.read_text() == "mine, not a note\n"
    assert (vault.root / "contacts/Jane Doe (Acme Corp).md").exists()
    assert (vault.root / "contacts/Jane Doe (Acme Corp) (2).md").exists()


def test_templater_code_from_outside_is_never_written(vault, run, tmp_path):
    """Templater runs `<% %>` in a new file; `{{…}}` is only filled in a template being
    inserted, so a name holding it is kept whole (and written quoted)."""
    path = tmp_path / "Connections.csv"
    path.write_text(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        '{{date}},<% tp.system.prompt() %>,,,"{{title}} Inc",x,01 Jan 2024\n',
        encoding="utf-8",
    )
    assert run("import", "linkedin", str(path)).exit_code == 0
    for note in (vault.root / "contacts").iterdir():
        text = note.read_text(encoding="utf-8")
        assert "<%" not in text and "%>" not in text
        assert 'name: "{{date}} < % tp.system.prompt() % >"' in text


def test_zip_export_and_older_header(vault, run, tmp_path):
    old = (
        "First Name,Last Name,Email Address,Company\n"
        "Ada,Lovelace,ada@engines.example,Analytical Engines\n"
    )
    archive = tmp_path / "Basic_LinkedInDataExport.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Invitations.csv", "From,To\n")
        zf.writestr("Connections.csv", old)
    result = run("import", "linkedin", str(archive))
    assert result.exit_code == 0, result.output
    assert "1 contact read; 1 created" in result.stdout
    meta = parse_note("x", (vault.root / "contacts/Ada Lovelace.md").read_bytes()).meta
    assert meta["email"] == "ada@engines.example" and meta["company"] == "[[Analytical Engines]]"


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "{f}: no such file"),
        (
            b"First Name,Middle Name,Last Name,E-mail 1 - Value\nA,,B,a@b.example\n",
            (
                "{f} is not a LinkedIn Connections.csv: no 'First Name,Last Name,URL,...' header in its"
                " first lines"
            ),
        ),
        (
            b"",
            (
                "{f} is not a LinkedIn Connections.csv: no 'First Name,Last Name,URL,...' header in"
                " its first lines"
            ),
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "{f} is a binary file, not text"),
        (b"PK\x03\x04garbage", "{f} is a damaged zip file (File is not a zip file)"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(vault, run, tmp_path, content, message):
    path = tmp_path / "input.csv"
    if content is not None:
        path.write_bytes(content)
    before = tree(vault.root)
    result = run("import", "linkedin", str(path))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message.format(f=path)}\n"
    assert result.stdout == ""
    assert tree(vault.root) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["import", "linkedin"],
            "Error: Missing argument 'FILE'. (see coffeechat import linkedin --help)\n",
        ),
        (
            ["import", "outlook", "x.csv"],
            "Error: unknown import format 'outlook' (use calendar or google or linkedin or mail or vcard)\n",
        ),
        (
            ["import", "linkedin", "--bogus", "x.csv"],
            (
                "Error: No such option '--bogus'. Did you mean '--verbose'? (see coffeechat import"
                " linkedin --help)\n"
            ),
        ),
    ],
)
def test_usage_errors_are_one_line(vault, run, args, message):
    before = tree(vault.root)
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, message)
    assert tree(vault.root) == before


def test_a_folder_is_not_a_file(vault, run, tmp_path):
    result = run("import", "linkedin", str(tmp_path))
    assert (result.exit_code, result.stderr) == (2, f"Error: {tmp_path} is a folder, not a file\n")


def test_progress_is_reported_per_record(vault):
    batch = linkedin.parse((DATA / "Connections.csv").read_bytes(), "c.csv")
    from coffeechat.core.vault.builder import build_vault

    ticks: list[int] = []
    summary = import_batch(
        vault.root,
        Settings(),
        build_vault([], Settings()),
        batch,
        what="c.csv",
        today=dt.date(2026, 11, 23),
        now=dt.datetime(2026, 11, 23, 9),
        dry_run=True,
        progress=ticks.append,
    )
    assert len(ticks) == len(batch.records) == 13 and summary.created == 12


def test_parse_keeps_quoted_commas_and_finds_the_header_anywhere_early():
    text = (
        'Notes:\n"a, b"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,'
        'Connected On\r\nA,B,u,,"X, Inc.","VP, Sales",05 Mar 2024\r\n\r\n'
    )
    batch = linkedin.parse(io.BytesIO(text.encode("utf-8")).read(), "c")
    (rec,) = batch.records
    assert (rec.line, rec.company, rec.role, rec.connected_on) == (
        5,
        "X, Inc.",
        "VP, Sales",
        dt.date(2024, 3, 5),
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("05 Mar 2024", dt.date(2024, 3, 5)),
        ("5 mar 2024", dt.date(2024, 3, 5)),
        ("29 Feb 2024", dt.date(2024, 2, 29)),
        ("2024-03-05", dt.date(2024, 3, 5)),
        ("05 September 2024", dt.date(2024, 9, 5)),
        ("31 Feb 2024", None),
        ("05 Mrz 2024", None),
        ("", None),
        ("03/05/2024", None),
    ],
)
def test_connected_on_dates(text, expected):
    assert linkedin.parse_connected_on(text) == expected


def test_match_keys():
    assert linkedin_key("https://www.linkedin.com/in/Jane-Doe/?trk=x") == "linkedin.com/in/jane-doe"
    assert linkedin_key("http://de.linkedin.com/in/jos%C3%A9#top") == linkedin_key(
        "linkedin.com/in/josé/"
    )
    assert person_key("  JOSÉ   Martínez ") == person_key("jose martinez")
    assert person_key("Zoë") == person_key("ZOE") and person_key("Ann") != person_key("Anne")
    assert company_key("Acme, Inc.") == company_key("ACME inc")


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import sys

    from coffeechat.cli.render.progress import IMPORT_PROGRESS_FROM, import_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    monkeypatch.setattr(sys, "stderr", stream)
    with import_progress(IMPORT_PROGRESS_FROM) as tick:
        assert tick is None  # a short file: no bar
    with import_progress(IMPORT_PROGRESS_FROM + 1) as tick:
        assert tick is not None
        tick(IMPORT_PROGRESS_FROM + 1)
    assert "Importing" in stream.getvalue() and "100%" in stream.getvalue()
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with import_progress(10_000) as tick:
        assert tick is None  # not a terminal: no bar


def test_help_and_stdin(vault, run):
    for args in (
        ["import", "--help"],
        ["import", "linkedin", "--help"],
        ["export", "--help"],
        ["export", "vcard", "--help"],
    ):
        result = run(*args)
        assert result.exit_code == 0 and "Usage: " in result.output
    data = (DATA / "Connections.csv").read_bytes()
    result = run("import", "linkedin", "-", input=data)
    assert result.exit_code == 0
    assert result.stdout.startswith("Imported <stdin>: 13 contacts read; 12 created")
