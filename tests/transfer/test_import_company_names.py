"""LinkedIn writes a company as its people typed it: "Acme", "Acme, Inc.", "ACME Inc", "Acme
GmbH" are one company, and an import links the note the vault already has."""

from __future__ import annotations

from pathlib import Path

import pytest

from coffeechat.core.note.parse import parse_note
from coffeechat.transfer.identity import company_key

HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def _csv(tmp_path: Path, *rows: str) -> str:
    path = tmp_path / "Connections.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "written",
    [
        "Acme",
        "Acme, Inc.",
        "ACME Inc",
        "Acme GmbH",
        "acme inc.",
        "Acme Co., Ltd.",
        "Acme Corporation",
        " ACME,  LLC ",
    ],
)
def test_legal_forms_punctuation_and_case_are_one_company(written):
    assert company_key(written) == company_key("Acme")


def test_other_companies_stay_apart():
    assert company_key("Acme Labs") != company_key("Acme")
    assert company_key("Company") == "company"  # nothing but a legal form: kept
    assert company_key("Globex, Inc") != company_key("Initech LLC")


def test_import_matches_a_known_person_at_the_company_however_written(vault, run, tmp_path):
    vault.write("companies/Acme.md", "---\ntype: company\n---\n")
    vault.contact("Priya Shah", front='company: "[[Acme]]"\nrole: PM')
    before = (vault.root / "contacts/Priya Shah.md").read_bytes()
    csv = _csv(
        tmp_path,
        'Priya,Shah,,priya@acme.example,"Acme, Inc.",Director,05 Mar 2024',
        "Ben,Ode,,,ACME Inc,Engineer,06 Mar 2024",
        "Cleo,Park,,,Acme GmbH,Recruiter,07 Mar 2024",
    )
    result = run("import", "linkedin", csv)
    assert result.exit_code == 0, result.output
    assert "2 created, 1 updated, 0 skipped, 0 failed.\n" in result.stdout
    notes = sorted(p.name for p in (vault.root / "contacts").iterdir())
    assert notes == ["Ben Ode.md", "Cleo Park.md", "Priya Shah.md"]
    assert sorted(p.name for p in (vault.root / "companies").iterdir()) == ["Acme.md"]
    for name in ("Ben Ode", "Cleo Park"):
        meta = parse_note("x.md", (vault.root / f"contacts/{name}.md").read_bytes()).meta
        assert meta["company"] == "[[Acme]]"
    priya = (vault.root / "contacts/Priya Shah.md").read_bytes()
    assert priya.startswith(before.split(b"---\n", 2)[0])  # only empty fields were filled
    assert b"email: priya@acme.example" in priya and b"role: PM" in priya


def test_a_namesake_at_another_company_still_gets_the_qualifier(vault, run, tmp_path):
    vault.write("companies/Acme.md", "---\ntype: company\n---\n")
    vault.contact("Priya Shah", front='company: "[[Acme]]"')
    csv = _csv(tmp_path, "Priya,Shah,,,Globex Ltd,Engineer,05 Mar 2024")
    result = run("import", "linkedin", csv)
    assert result.exit_code == 0, result.output
    assert (vault.root / "contacts/Priya Shah (Globex Ltd).md").exists()
    assert (vault.root / "companies/Globex Ltd.md").exists()
