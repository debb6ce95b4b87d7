"""What coffeechat writes or prints for hostile names from an import: no bidirectional
controls in file names and escaped in the terminal, `{{title}}` kept whole, dates unquoted,
and a UTF-16 vCard read rather than refused."""

from __future__ import annotations

import codecs

import pytest

from coffeechat.core.names import escape_bidi, safe_filename
from coffeechat.core.note.parse import parse_note

RLO = "\u202e"


def _vcard(*names: str) -> str:
    return "".join(f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{n}\r\nEND:VCARD\r\n" for n in names)


def test_bidi_controls_never_reach_a_file_name(vault, run, tmp_path):
    path = tmp_path / "evil.vcf"
    path.write_text(
        _vcard(f"Evil{RLO}gnp Person.exe", "Iso\u2066late\u2069d Name"), encoding="utf-8"
    )
    result = run("import", "vcard", str(path), "-v")
    assert result.exit_code == 0, result.stderr
    names = sorted(p.name for p in (vault.root / "contacts").iterdir())
    assert names == ["Evilgnp Person.exe.md", "Isolated Name.md"]
    assert RLO not in result.output and "\u2066" not in result.output


def test_bidi_controls_are_escaped_in_terminal_output(vault, run):
    vault.write(
        "contacts/Mallory.md",
        f"---\ntype: contact\nname: Mal{RLO}lory\n---\n## Log\n- 2026-11-01 approach: emailed\n",
    )
    for args in (("due", "--all"), ("show", "Mallory"), ("check",), ("list", "contacts")):
        result = run(*args)
        assert RLO not in result.output, args
    assert "Mal\\u202elory" in run("due", "--all").output
    assert "Mal\\u202elory" in run("show", "Mallory").output


@pytest.mark.parametrize(
    "name, expected",
    [
        (f"Evil{RLO}gnp.exe", "Evilgnp.exe"),
        ("a\u200fb\u061cc\u202ad", "abcd"),
        ("\u2067\u2068\u2069", "Untitled"),
    ],
)
def test_safe_filename_strips_bidi_controls(name, expected):
    assert safe_filename(name) == expected


def test_escape_bidi():
    assert escape_bidi(f"x{RLO}y\u2066z") == "x\\u202ey\\u2066z"
    assert escape_bidi("Zoë Ångström") == "Zoë Ångström"


def test_a_placeholder_in_a_name_is_kept_whole(vault, run, tmp_path):
    path = tmp_path / "t.vcf"
    path.write_text(_vcard("{{title}} Smith"), encoding="utf-8")
    assert run("import", "vcard", str(path)).exit_code == 0
    note = vault.root / "contacts" / "{{title}} Smith.md"
    text = note.read_text(encoding="utf-8")
    assert '\nname: "{{title}} Smith"\n' in text
    assert parse_note("x.md", note.read_bytes()).meta["name"] == "{{title}} Smith"


def test_imported_dates_are_written_unquoted(vault, run, tmp_path, sample_copy):
    import shutil

    shutil.copytree(sample_copy / "templates", vault.root / "templates")
    path = tmp_path / "t.vcf"
    path.write_text(_vcard("Dana Date"), encoding="utf-8")
    assert run("import", "vcard", str(path)).exit_code == 0
    text = (vault.root / "contacts" / "Dana Date.md").read_text(encoding="utf-8")
    assert "\nadded: 2026-11-23\n" in text


def test_the_bundled_template_gives_an_unquoted_added(vault, run, tmp_path):
    path = tmp_path / "t.vcf"
    path.write_text(_vcard("Dana Date"), encoding="utf-8")
    assert run("import", "vcard", str(path)).exit_code == 0
    text = (vault.root / "contacts" / "Dana Date.md").read_text(encoding="utf-8")
    assert "\nadded: 2026-11-23\n" in text


@pytest.mark.parametrize(
    "codec, bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)]
)
def test_a_utf16_vcard_with_a_bom_is_read(vault, run, tmp_path, codec, bom):
    path = tmp_path / "phone.vcf"
    path.write_bytes(bom + _vcard("Zoë Ångström", "Bo Li").encode(codec))
    result = run("import", "vcard", str(path))
    assert result.exit_code == 0, result.stderr
    assert "2 contacts read; 2 created" in result.output
    assert (vault.root / "contacts" / "Zoë Ångström.md").exists()


def test_a_utf16_csv_with_a_bom_is_read(vault, run, tmp_path):
    path = tmp_path / "Connections.csv"
    text = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        "Zoë,Ångström,,,,,01 Jan 2024\r\n"
    )
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    result = run("import", "linkedin", str(path))
    assert result.exit_code == 0, result.stderr
    assert (vault.root / "contacts" / "Zoë Ångström.md").exists()


def test_utf16_without_its_bom_is_still_refused_as_binary(vault, run, tmp_path):
    path = tmp_path / "odd.vcf"
    path.write_bytes(_vcard("Bo Li").encode("utf-16-le"))
    result = run("import", "vcard", str(path))
    assert result.exit_code == 2 and "is a binary file" in result.stderr
