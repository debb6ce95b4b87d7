"""A hostile vault: every way a real vault goes wrong at once, and every command run on it.

No traceback, the documented exit status, every good note still counted, `check` naming each
bad note with its line, and not one byte of the vault changed (compared by hash)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.core.settings import Settings
from coffeechat.storage.cache import index as index_module
from coffeechat.storage.cache import records as records_module
from coffeechat.storage.cache.index import Index
from coffeechat.storage.scan import FileStat

TODAY = "2026-11-23"
BIG_BYTES = 50_000_000


def _build(root: Path, outside: Path) -> tuple[dict[str, str], dict[str, int]]:
    """Write the vault; return (good contact path -> name, bad note path -> line of the error)."""
    good: dict[str, str] = {}
    bad: dict[str, int] = {}
    (root / "coffeechat.toml").write_text("", encoding="utf-8")

    def w(rel: str, data: str | bytes) -> None:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    def contact(
        name: str,
        extra: str = "",
        eol: str = "\n",
        bom: bool = False,
        folder: str = "contacts",
        body: str = "",
    ) -> None:
        text = eol.join(
            [
                "---",
                "type: contact",
                f"name: {name}",
                *([extra] if extra else []),
                "---",
                body,
                "## Log",
                "- 2026-11-01 approach: emailed",
                "",
            ]
        )
        rel = f"{folder}/{name}.md"
        w(rel, (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
        good[rel] = unicodedata.normalize("NFC", name)

    def broken(rel: str, data: str | bytes, line: int) -> None:
        w(rel, data)
        bad[rel] = line

    contact(
        "Jane Doe", 'company: "[[Acme]]"\nreferred_by: "[[Zoë Ångström]]"\nfield: "[[case twin]]"'
    )
    w("companies/Acme.md", "---\ntype: company\nname: Acme\n---\n")
    contact("Bom Person", bom=True)
    contact("Crlf Person", eol="\r\n")
    w(
        "contacts/Mixed Person.md",
        "---\r\ntype: contact\nname: Mixed Person\r\n---\n## Log\r\n- 2026-11-01 approach: hi\n",
    )
    good["contacts/Mixed Person.md"] = "Mixed Person"
    contact("Long Line", body="x" * 10_000 + "\n- 2026-11-02 note: " + "y" * 10_000)
    contact("Deep Person", folder="contacts/" + "/".join(f"d{i}" for i in range(40)))
    contact(unicodedata.normalize("NFD", "Zoë Ångström"))  # a name typed on macOS
    contact("case twin", folder="contacts/a")
    contact("Case Twin", folder="contacts/b")
    w(
        "contacts/Unquoted Link.md",
        "---\ntype: contact\nname: Unquoted Link\ncompany: [[Acme]]\n---\n",
    )
    good["contacts/Unquoted Link.md"] = "Unquoted Link"
    w("contacts/Empty.md", b"")
    good["contacts/Empty.md"] = "Empty"
    w("contacts/Nul In Body.md", b"---\ntype: contact\nname: Nul In Body\n---\nbody\x00here\n")
    good["contacts/Nul In Body.md"] = "Nul In Body"
    chunk = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 2 + "\n") * 1000
    contact("Big Note", body=chunk * (BIG_BYTES // len(chunk)))

    broken("contacts/Broken Yaml.md", "---\ntype: contact\nname: [unclosed\n---\n", 3)
    broken("contacts/Tabs.md", "---\ntype: contact\n\tname: Tabs\n---\n", 3)
    broken("contacts/Re Coffee.md", "---\ntype: contact\ntitle: Re: coffee\n---\n", 3)
    broken(
        "contacts/Template Leftover.md", "---\ntype: contact\nname: T\ncreated: {{date}}\n---\n", 4
    )
    broken("contacts/Duplicate.md", "---\ntype: contact\nname: Dup\nrole: a\nrole: b\n---\n", 5)
    broken(
        "contacts/Conflict Fm.md",
        "---\ntype: contact\n<<<<<<< HEAD\nrole: a\n=======\nrole: b\n>>>>>>> theirs\n---\n",
        3,
    )
    broken(
        "contacts/Conflict Body.md",
        "---\ntype: contact\nname: CB\n---\n## Log\n<<<<<<< HEAD\n"
        "- 2026-11-01 note: a\n=======\n- 2026-11-02 note: b\n>>>>>>> theirs\n",
        6,
    )
    broken("contacts/Latin1.md", "---\ntype: contact\nname: José\n---\n".encode("latin-1"), 3)
    broken("contacts/Invalid Utf8.md", b"---\ntype: contact\nname: X\n---\nok\n\xff\xfe bad\n", 6)
    broken("contacts/Nul In Fm.md", b"---\ntype: contact\nname: N\x00ul\n---\n", 3)
    broken("contacts/Fm List.md", "---\n- a\n- b\n---\n", 2)
    broken("contacts/Fm Scalar.md", "---\njust words\n---\n", 2)
    broken("contacts/Unterminated.md", "---\ntype: contact\nname: U\n", 1)

    # Places that are never notes.
    w(".obsidian/workspace.json", "{}")
    w(".obsidian/Hidden.md", "---\ntype: contact\nname: Hidden\n---\n")
    w(".trash/Deleted Person.md", "---\ntype: contact\nname: Deleted Person\n---\n")
    w(
        "templates/Contact.md",
        "---\ntype: contact\nname: {{title}}\ncreated: {{date}}\n---\n<% tp.file.title %>\n",
    )
    w("templates/Meeting.md", "---\ndate: {{date}}T{{time}}\nwith: [[{{title}}]]\n---\n")
    w("templates/Sub/Placeholder.md", "---\n{{broken}}: <% x %>\n")
    w("conflict-files-obsidian-git.md", "# conflicts\n- contacts/Conflict Fm.md\n")

    # Symbolic links: outside the vault, a loop, a dangling one.
    outside.mkdir()
    (outside / "Secret.md").write_text(
        "---\ntype: contact\nname: Secret Outsider\n---\nSECRET-BODY\n"
    )
    os.symlink(outside / "Secret.md", root / "contacts" / "Outside Link.md")
    os.symlink(outside, root / "contacts" / "outside-dir")
    os.symlink(root / "contacts", root / "contacts" / "loop")
    os.symlink("Missing Target.md", root / "contacts" / "Dangling.md")
    return good, bad


def _tree(root: Path) -> dict[str, str]:
    """Hash of every file and link in the vault except coffeechat's own cache."""
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(folder, root)
        if rel_dir.split(os.sep)[0] == ".coffeechat":
            dirs[:] = []
            continue
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            rel = os.path.normpath(os.path.join(rel_dir, name))
            if os.path.islink(path):
                out[rel] = "link:" + os.readlink(path)
            else:
                with open(path, "rb") as fh:
                    out[rel] = hashlib.sha256(fh.read()).hexdigest()
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("hostile")
    root = base / "vault"
    root.mkdir()
    good, bad = _build(root, base / "outside")
    return root, good, bad, _tree(root)


def invoke(root: Path, *args: str, input: str | None = None):
    result = CliRunner().invoke(cli, ["--vault", str(root), "--today", TODAY, *args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.output,
        result.exception,
    )
    assert "Traceback" not in result.output
    assert "unexpected" not in result.output, result.output  # the boundary's catch-all
    return result


def test_check_names_each_bad_note_with_its_line(hostile):
    root, good, bad, before = hostile
    result = invoke(root, "check")
    assert result.exit_code == 1
    for rel, line in bad.items():
        assert f"{rel}:{line}: " in result.output, rel
    for rel in ("contacts/Outside Link.md", "contacts/Dangling.md"):
        assert f"{rel}: is a symbolic link" in result.output
    assert "contacts/Unquoted Link.md:4: company: unquoted [[Acme]]" in result.output
    for rel in good:  # a good note is never reported as broken
        assert f"{rel}:1: front matter" not in result.output
    for hidden in (
        "Hidden",
        "Deleted Person",
        "Secret Outsider",
        "templates/",
        ".obsidian",
        ".trash",
        "conflict-files",
    ):
        assert hidden not in result.output
    findings = json.loads(invoke(root, "check", "--json").stdout)
    assert {f["path"] for f in findings if f["severity"] == "error"} == set(bad)
    assert _tree(root) == before


def test_every_good_note_is_counted(hostile):
    root, good, _bad, before = hostile
    contacts = json.loads(invoke(root, "list", "contacts", "--json").stdout)
    assert {c["path"] for c in contacts} == set(good)
    names = sorted(unicodedata.normalize("NFC", c["name"]) for c in contacts)  # shown as written
    assert names == sorted(good.values())
    assert _tree(root) == before


COMMANDS = [
    (("due",), 0),
    (("due", "--all", "--json"), 0),
    (("due", "--within", "60"), 0),
    (("show", "Jane Doe"), 0),
    (("show", "Zoë Ångström"), 0),
    (("show", "Acme"), 0),
    (("show", "Hidden"), 2),
    (("show", "Secret Outsider"), 2),
    (("show", "CASE TWIN"), None),
    (("list", "companies"), 0),
    (("list", "meetings"), 0),
    (("list", "contacts", "--field", "x"), 0),
    (("search", "SECRET-BODY"), 1),
    (("search", "Ångström"), 0),
    (("stats",), 0),
    (("stats", "--json"), 0),
    (("graph",), 0),
    (("graph", "--format", "dot"), 0),
    (("prep", "Jane Doe"), 0),
    (("draft", "approach", "Jane Doe"), 0),
    (("draft", "thank_you", "Big Note"), None),
    (("export", "csv"), 0),
    (("export", "vcard"), 0),
    (("lint", "contacts/Latin1.md"), None),
    (("lint", "contacts/Invalid Utf8.md"), None),
    (("log", "Broken Yaml", "note", "x"), 1),
    (("log", "Hidden", "note", "x"), 2),
    (("add", "contact", "Jane Doe"), 2),
    (("add", "company", "Acme"), 2),
    (("done", "ffffffffff"), 2),
    (("snooze", "ffffffffff", "--until", "2027-01-01"), 2),
]


@pytest.mark.parametrize(("args", "code"), COMMANDS, ids=[" ".join(a) for a, _ in COMMANDS])
def test_every_command_survives_and_changes_nothing(hostile, args, code, monkeypatch):
    root, _good, _bad, before = hostile
    monkeypatch.chdir(root)
    result = invoke(root, *args)
    if code is None:
        assert result.exit_code in (0, 1, 2), result.output
    else:
        assert result.exit_code == code, result.output
    if result.exit_code and args[0] != "search":  # search: "No match." and exit 1, like grep
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "SECRET-BODY" not in result.stdout and "Secret Outsider" not in result.stdout
    assert _tree(root) == before


def test_dry_runs_and_feed_elsewhere_change_nothing(hostile, tmp_path):
    root, _good, _bad, before = hostile
    due = json.loads(invoke(root, "due", "--all", "--json").stdout)
    assert due
    for item in due[:5]:
        assert invoke(root, "done", item["id"], "--dry-run").exit_code == 0
    vcf = tmp_path / "in.vcf"
    vcf.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jane Doe\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:New Person\r\nEND:VCARD\r\n"
    )
    result = invoke(root, "import", "vcard", str(vcf), "--dry-run")
    assert result.exit_code == 0 and "Dry run, nothing written" in result.output
    out = tmp_path / "feed.ics"
    assert invoke(root, "feed", "-o", str(out)).exit_code == 0
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR") and b"SECRET" not in out.read_bytes()
    assert _tree(root) == before


def test_the_installed_command_on_the_hostile_vault(hostile):
    root, _good, _bad, before = hostile
    env = {k: v for k, v in os.environ.items() if not k.startswith("COFFEECHAT_")}
    for args, code in ((["check"], 1), (["due", "--json"], 0), (["stats"], 0)):
        proc = subprocess.run(
            [sys.executable, "-m", "coffeechat", "--vault", str(root), "--today", TODAY, *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        assert proc.returncode == code, proc.stderr
        assert "Traceback" not in proc.stderr
    assert _tree(root) == before


def test_a_cold_read_equals_the_cached_read(hostile):
    root, _good, _bad, _before = hostile
    warm = Index(root, Settings()).refresh()
    cold = Index(root, Settings(), use_cache=False).refresh()
    assert [(n.path, n.meta, n.log, n.findings) for n in warm.notes] == [
        (n.path, n.meta, n.log, n.findings) for n in cold.notes
    ]


# --- unreadable and vanishing files ----------------------------------------------------------


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="root reads any file, so a real permission test proves nothing;"
    " test_unreadable_note_simulated covers the same path",
)
def test_unreadable_note_is_reported_and_skipped(vault, run):
    vault.contact("Jane Doe")
    path = vault.contact("Locked Out")
    path.chmod(0)
    try:
        result = run("check")
        assert result.exit_code == 1
        assert "contacts/Locked Out.md: cannot be read: Permission denied" in result.output
        assert run("due").exit_code == 0
    finally:
        path.chmod(0o644)


def test_unreadable_note_simulated(vault, run, monkeypatch):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.contact("Locked Out")
    real_open = open

    def denied(file, *args, **kwargs):
        if str(file).endswith("Locked Out.md"):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(records_module, "open", denied, raising=False)
    result = run("check")
    assert result.exit_code == 1
    assert "contacts/Locked Out.md: cannot be read: Permission denied" in result.output
    due = run("due", "--json")
    assert due.exit_code == 0 and "Jane Doe" in due.output
    contacts = json.loads(run("list", "contacts", "--json").stdout)
    assert [c["name"] for c in contacts] == ["Jane Doe"]


def test_unreadable_folder_simulated(vault, run, monkeypatch):
    from coffeechat.storage import scan as scan_module

    vault.contact("Jane Doe")
    vault.contact("Hidden Away", folder="contacts/private")
    real = os.scandir

    def scandir(path):
        if str(path).endswith("private"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(scan_module.os, "scandir", scandir)
    result = run("check")
    assert "contacts/private: folder cannot be read: Permission denied" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_file_that_vanishes_between_listing_and_reading(vault, run, monkeypatch):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    real_scan = index_module.scan

    def scan_with_a_ghost(root, settings):
        found, problems = real_scan(root, settings)
        found["contacts/Ghost.md"] = FileStat("contacts/Ghost.md", 10, 1)
        return found, problems

    monkeypatch.setattr(index_module, "scan", scan_with_a_ghost)
    for args in (("due", "--json"), ("check",), ("list", "contacts", "--json")):
        result = run(*args)
        assert result.exit_code == 0, result.output
        assert "Ghost" not in result.output
