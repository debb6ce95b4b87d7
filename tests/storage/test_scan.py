"""Walking the vault: what is a note, what is skipped, and what is reported."""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

import pytest

from coffeechat.core.settings import Settings
from coffeechat.storage.scan import FileStat, is_ignored, scan

NOTE = "---\ntype: contact\n---\n"
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def paths(root: Path, settings: Settings | None = None) -> set[str]:
    found, _ = scan(root, settings or Settings())
    return set(found)


def test_finds_notes_in_every_folder(vault):
    vault.write("contacts/Jane Doe.md", NOTE)
    vault.write("companies/Acme.md", NOTE)
    vault.write("meetings/2026-01-02 Jane.md", NOTE)
    vault.write("people/Other.md", NOTE)  # any folder: used for link resolution
    vault.write("Root note.md", NOTE)
    assert paths(vault.root) == {
        "contacts/Jane Doe.md",
        "companies/Acme.md",
        "meetings/2026-01-02 Jane.md",
        "people/Other.md",
        "Root note.md",
    }


def test_file_stat_has_size_and_mtime(vault):
    path = vault.write("contacts/Jane.md", "---\nname: Jane\n---\n")
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
    found, problems = scan(vault.root, Settings())
    assert problems == []
    assert found["contacts/Jane.md"] == FileStat(
        "contacts/Jane.md", path.stat().st_size, 1_600_000_000_123_456_789
    )


def test_empty_vault(vault):
    assert scan(vault.root, Settings()) == ({}, [])


@pytest.mark.parametrize(
    "rel",
    [
        ".obsidian/workspace.md",
        ".obsidian/plugins/x/README.md",
        ".trash/contacts/Deleted.md",
        ".git/Note.md",
        ".coffeechat/dashboard.md",
        ".hidden.md",
        "contacts/.Jane.md.swp.md",
        "contacts/.#Jane.md",
        "contacts/.archive/Old.md",
        "templates/Contact.md",
        "templates/letters/Approach.md",
        "Templates/Meeting.md",  # the templates folder is matched case-insensitively
        "conflict-files-obsidian-git.md",
        "contacts/conflict-files-obsidian-git.md",
        "Conflict-Files-Obsidian-Git.md",
    ],
)
def test_skipped(vault, rel):
    vault.write("contacts/Kept.md", NOTE)
    vault.write(rel, NOTE)
    assert paths(vault.root) == {"contacts/Kept.md"}


@pytest.mark.parametrize(
    "rel",
    [
        "contacts/Jane.txt",
        "contacts/Jane.md.bak",
        "contacts/Jane.md~",
        "contacts/Board.canvas",
        "contacts/md",
        "contacts/Jane.markdown",
        "contacts/4913",
        "contacts/Jane.md.tmp",
        "contacts/photo.png",
        "coffeechat.toml",
    ],
)
def test_non_markdown_files_are_skipped(vault, rel):
    vault.write(rel, NOTE)
    assert paths(vault.root) == set()


def test_upper_case_extension_is_a_note(vault):
    vault.write("contacts/Jane.MD", NOTE)
    assert paths(vault.root) == {"contacts/Jane.MD"}


def test_a_folder_named_like_a_note_is_a_folder(vault):
    vault.write("contacts/odd.md/Inside.md", NOTE)
    assert paths(vault.root) == {"contacts/odd.md/Inside.md"}


def test_configured_templates_folder_is_skipped(vault):
    settings = Settings(templates_folder="Meta/Templates")
    vault.write("Meta/Templates/Contact.md", NOTE)
    vault.write("meta/templates/sub/Meeting.md", NOTE)  # case-insensitive
    vault.write("Meta/Other.md", NOTE)
    vault.write("templates/Not a template here.md", NOTE)  # the default no longer applies
    assert paths(vault.root, settings) == {"Meta/Other.md", "templates/Not a template here.md"}


def test_configured_ignore_list_is_skipped(vault):
    settings = Settings(ignore=("Archive", "contacts/old"))
    vault.write("Archive/Jane.md", NOTE)
    vault.write("contacts/old/Bob.md", NOTE)
    vault.write("contacts/older/Carl.md", NOTE)  # a prefix of a name is not the folder
    vault.write("Archive.md", NOTE)
    assert paths(vault.root, settings) == {"contacts/older/Carl.md", "Archive.md"}


def test_templates_prefix_is_not_the_templates_folder(vault):
    vault.write("templates-old/Jane.md", NOTE)
    vault.write("my templates/Jane.md", NOTE)
    assert paths(vault.root) == {"templates-old/Jane.md", "my templates/Jane.md"}


def test_deep_sub_folders(vault):
    vault.write("contacts/a/b/c/d/e/f/g/Deep.md", NOTE)
    vault.write("meetings/2026/11/2026-11-20 Jane.md", NOTE)
    assert paths(vault.root) == {
        "contacts/a/b/c/d/e/f/g/Deep.md",
        "meetings/2026/11/2026-11-20 Jane.md",
    }


@pytest.mark.parametrize(
    "name",
    [
        "Jane Doe (Acme).md",
        "Zoë Ñúñez.md",
        "#1 fan.md",
        "C# dev.md",
        "-leading dash.md",
        "--.md",
        "O'Brien.md",
        "a  b.md",
        "日本語.md",
        "emoji ☕.md",
        "semi;colon.md",
        "100%.md",
        "[[brackets]].md",
        "trailing space .md",
    ],
)
def test_odd_names(vault, name):
    vault.write(f"contacts/{name}", NOTE)
    assert paths(vault.root) == {f"contacts/{name}"}


def test_nfd_name_is_reported_as_on_disk(vault):
    name = unicodedata.normalize("NFD", "José.md")
    vault.write(f"contacts/{name}", NOTE)
    assert paths(vault.root) == {f"contacts/{name}"}


def test_odd_folder_names(vault):
    vault.write("-dash/#hash/ü ml/Note.md", NOTE)
    assert paths(vault.root) == {"-dash/#hash/ü ml/Note.md"}


# --- symbolic links ------------------------------------------------------------------------


def _scan_with_deadline(root: Path, seconds: float = 10):
    result: list = []
    worker = threading.Thread(target=lambda: result.append(scan(root, Settings())), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "scan did not finish: a symlink loop?"
    return result[0]


def test_symlinked_folder_is_not_followed(vault, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Secret.md").write_text(NOTE, encoding="utf-8")
    os.symlink(outside, vault.root / "contacts" / "linked", target_is_directory=True)
    vault.write("contacts/Jane.md", NOTE)
    found, problems = _scan_with_deadline(vault.root)
    assert set(found) == {"contacts/Jane.md"}
    assert problems == []


def test_symlink_loop_does_not_hang(vault):
    vault.write("contacts/Jane.md", NOTE)
    os.symlink(vault.root, vault.root / "contacts" / "loop", target_is_directory=True)
    os.symlink("..", vault.root / "contacts" / "up", target_is_directory=True)
    os.symlink("self", vault.root / "self", target_is_directory=True)  # points at itself
    found, _ = _scan_with_deadline(vault.root)
    assert set(found) == {"contacts/Jane.md"}


def test_symlinked_note_is_reported_not_read(vault, tmp_path):
    target = tmp_path / "elsewhere.md"
    target.write_text(NOTE, encoding="utf-8")
    os.symlink(target, vault.root / "contacts" / "Linked.md")
    os.symlink(vault.root / "contacts" / "nowhere.md", vault.root / "contacts" / "Dangling.md")
    os.symlink(target, vault.root / "contacts" / "linked.txt")  # not a note: not reported
    found, problems = scan(vault.root, Settings())
    assert found == {}
    assert sorted(p for p, _ in problems) == ["contacts/Dangling.md", "contacts/Linked.md"]
    assert all("symbolic link" in msg for _, msg in problems)


def test_symlink_inside_a_skipped_folder_is_not_reported(vault, tmp_path):
    target = tmp_path / "elsewhere.md"
    target.write_text(NOTE, encoding="utf-8")
    (vault.root / ".obsidian").mkdir()
    os.symlink(target, vault.root / ".obsidian" / "Linked.md")
    os.symlink(target, vault.root / "contacts" / ".Hidden.md")
    assert scan(vault.root, Settings()) == ({}, [])


# --- unreadable folders --------------------------------------------------------------------


@pytest.mark.skipif(ROOT_USER, reason="root reads any folder")
def test_unreadable_folder_is_reported_and_the_rest_is_scanned(vault):
    vault.write("contacts/Jane.md", NOTE)
    locked = vault.root / "locked"
    locked.mkdir()
    (locked / "Hidden.md").write_text(NOTE, encoding="utf-8")
    locked.chmod(0)
    try:
        found, problems = scan(vault.root, Settings())
    finally:
        locked.chmod(0o755)
    assert set(found) == {"contacts/Jane.md"}
    assert [p for p, _ in problems] == ["locked"]
    assert "cannot be read" in problems[0][1]


def test_missing_root_is_reported_not_raised(tmp_path):
    found, problems = scan(tmp_path / "nope", Settings())
    assert found == {} and [p for p, _ in problems] == ["."]


# --- is_ignored ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "ignored"),
    [
        ("contacts/Jane.md", False),
        (".obsidian", True),
        ("contacts/.trash/x.md", True),
        ("templates", True),
        ("TEMPLATES/x.md", True),
        ("templatesx/x.md", False),
        ("contacts/templates/x.md", False),  # only the configured path, not any folder of that name
        ("conflict-files-obsidian-git.md", True),
        ("a/conflict-files-obsidian-git.md", True),
        ("conflict-files-obsidian-git.md.bak", False),
    ],
)
def test_is_ignored(rel, ignored):
    assert is_ignored(rel, Settings()) is ignored


def test_is_ignored_folds_unicode():
    settings = Settings(ignore=(unicodedata.normalize("NFC", "Archivé"),))
    assert is_ignored(unicodedata.normalize("NFD", "archivé/x.md"), settings)
