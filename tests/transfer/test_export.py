"""`export csv` and `export vcard`: every contact, deterministic, to stdout or -o FILE."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest
import vobject

from coffeechat.transfer.export import CSV_COLUMNS


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_csv_has_every_contact(sample_copy, run):
    result = run("export", "csv", root=sample_copy)
    assert result.exit_code == 0 and result.stderr == ""
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(list((sample_copy / "contacts").rglob("*.md")))
    dan = next(r for r in rows if r["name"] == "Dan Okafor")
    assert dan["company"] == "Ledgerly" and dan["tags"] == "hollis; pm; friend"
    assert dan["aliases"] == "Daniel Okafor" and dan["path"] == "contacts/alumni/Dan Okafor.md"
    assert dan["how_met"] == "Hollis College, class of 2013 — lived across the hall sophomore year"
    assert [r["name"] for r in rows] == sorted((r["name"] for r in rows), key=str.casefold)
    assert result.stdout_bytes.endswith(b"\r\n")  # RFC 4180 line ends


def test_csv_is_deterministic(sample_copy, run):
    first = run("export", "csv", root=sample_copy).stdout_bytes
    assert run("export", "csv", root=sample_copy).stdout_bytes == first


def test_csv_cells_never_run_as_formulas(vault, run):
    vault.contact('=HYPERLINK("http://x")', front="phone: +1 555 0100\nrole: -sum(A1)")
    rows = list(csv.DictReader(io.StringIO(run("export", "csv").stdout, newline="")))
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["phone"] == "+1 555 0100" and rows[0]["role"] == "'-sum(A1)"


def test_vcard_has_every_contact(sample_copy, run):
    result = run("export", "vcard", root=sample_copy)
    assert result.exit_code == 0
    data = result.stdout_bytes
    assert data.startswith(b"BEGIN:VCARD\r\nVERSION:3.0\r\n") and b"\n" not in data.replace(
        b"\r\n", b""
    )
    cards = list(vobject.readComponents(data.decode("utf-8")))
    assert len(cards) == len(list((sample_copy / "contacts").rglob("*.md")))
    assert len({c.uid.value for c in cards}) == len(cards)
    dan = next(c for c in cards if c.fn.value == "Dan Okafor")
    assert dan.org.value == ["Ledgerly"] and dan.title.value == "Group Product Manager"
    assert dan.email.value == "dan.okafor@ledgerly.example"
    assert dan.url.value == "https://www.linkedin.com/in/danokafor"
    assert dan.n.value.family == "Okafor" and dan.nickname.value == "Daniel Okafor"
    assert run("export", "vcard", root=sample_copy).stdout_bytes == data


def test_output_file(sample_copy, run, tmp_path):
    out = tmp_path / "contacts.csv"
    out.write_text("old", encoding="utf-8")
    result = run("export", "csv", "-o", str(out), root=sample_copy)
    assert result.exit_code == 0 and result.stdout == ""
    n = len(list((sample_copy / "contacts").rglob("*.md")))
    assert result.stderr == f"Exported {n} contacts to {out}.\n"
    assert out.read_bytes() == run("export", "csv", root=sample_copy).stdout_bytes


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "pdf"], "Error: unknown export format 'pdf' (use csv or vcard)\n"),
        (
            ["export", "csv", "-o"],
            "Error: Option '-o' requires an argument. (see coffeechat export csv --help)\n",
        ),
        (
            ["export", "vcard", "-o", "{tmp}/no/such/folder/x.vcf"],
            "Error: {tmp}/no/such/folder/x.vcf: folder {tmp}/no/such/folder does not exist\n",
        ),
        (["export", "csv", "-o", "{tmp}"], "Error: {tmp} is a folder; give a file name\n"),
    ],
)
def test_bad_export_is_one_line_exit_2_and_writes_nothing(vault, run, tmp_path, args, message):
    vault.contact("Ana Ruiz")
    before = tree(tmp_path)
    result = run(*[a.format(tmp=tmp_path) for a in args])
    assert (result.exit_code, result.stderr) == (2, message.format(tmp=tmp_path))
    assert result.stdout == ""
    assert tree(tmp_path) == before  # not even the vault's cache
