"""The SQLite cache: incremental by size and mtime, rebuilt when lost or damaged, never the truth."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from coffeechat.core.model import ParsedNote, Severity
from coffeechat.core.note import parse as notes_module
from coffeechat.core.note.parse import parse_note
from coffeechat.core.settings import Settings
from coffeechat.storage.cache import records as records_module
from coffeechat.storage.cache.answers import CurrentNotes
from coffeechat.storage.cache.index import Index
from coffeechat.storage.cache.records import read_note
from coffeechat.storage.cache.schema import INDEX_NAME, SCHEMA_VERSION
from coffeechat.storage.cachedir import CACHE_DIR, CacheDirError
from coffeechat.storage.scan import FileStat
from conftest import TEST_DATA

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
DATA = TEST_DATA / "notes"
#: A day ago: far outside the index's racy window, so unchanged files are not parsed again.
PAST_NS = time.time_ns() - 86_400 * 10**9


def age(root: Path, ns: int = PAST_NS) -> None:
    """Set every file's mtime into the past (distinct per file, so nothing collides)."""
    for i, path in enumerate(
        sorted(p for p in root.rglob("*") if p.is_file() and CACHE_DIR not in p.parts)
    ):
        os.utime(path, ns=(ns + i * 1000, ns + i * 1000))


def refresh(root: Path, **kwargs) -> CurrentNotes:
    return Index(root, Settings(), **kwargs).refresh()


def by_path(result: CurrentNotes) -> dict[str, ParsedNote]:
    return {n.path: n for n in result.notes}


def contact(name: str, extra: str = "") -> str:
    return f"---\ntype: contact\nname: {name}\n{extra}---\n## Log\n- 2026-01-02 approach: hi\n"


@pytest.fixture
def three(vault):
    vault.write("contacts/Jane.md", contact("Jane"))
    vault.write("contacts/Bob.md", contact("Bob"))
    vault.write("meetings/2026-01-02 Jane.md", '---\ndate: 2026-01-02\nwith: ["[[Jane]]"]\n---\n')
    age(vault.root)
    return vault


# --- first and later runs ------------------------------------------------------------------


def test_first_run_builds_the_index(three):
    result = refresh(three.root)
    assert result.rebuilt and result.cached
    assert result.parsed == 3 and result.removed == 0
    assert [n.path for n in result.notes] == [
        "contacts/Bob.md",
        "contacts/Jane.md",
        "meetings/2026-01-02 Jane.md",
    ]
    assert result.warnings == [] and result.findings == []
    assert (three.root / CACHE_DIR / INDEX_NAME).is_file()


def test_cache_folder_ignores_itself_for_git(three):
    refresh(three.root)
    ignore = (three.root / CACHE_DIR / ".gitignore").read_text(encoding="utf-8")
    assert "*" in ignore.splitlines()


def test_second_run_parses_nothing(three, monkeypatch):
    first = refresh(three.root)
    calls = []
    real = notes_module.parse_note  # (the index imports it when it first reads a note)
    monkeypatch.setattr(notes_module, "parse_note", lambda *a: calls.append(a[0]) or real(*a))
    second = refresh(three.root)
    assert not second.rebuilt
    assert second.parsed == 0 and second.removed == 0 and calls == []
    assert second.notes == first.notes


def test_touching_one_file_reparses_exactly_that_file(three, monkeypatch):
    refresh(three.root)
    path = three.root / "contacts" / "Bob.md"
    path.write_text(contact("Robert"), encoding="utf-8")
    os.utime(path, ns=(PAST_NS + 10**9, PAST_NS + 10**9))
    calls = []
    real = notes_module.parse_note  # (the index imports it when it first reads a note)
    monkeypatch.setattr(notes_module, "parse_note", lambda *a: calls.append(a[0]) or real(*a))
    result = refresh(three.root)
    assert result.parsed == 1 and calls == ["contacts/Bob.md"]
    assert by_path(result)["contacts/Bob.md"].meta["name"] == "Robert"
    assert by_path(result)["contacts/Jane.md"].meta["name"] == "Jane"


def test_same_mtime_but_new_size_is_a_change(three):
    refresh(three.root)
    path = three.root / "contacts" / "Bob.md"
    mtime = path.stat().st_mtime_ns
    path.write_text(contact("Bobby"), encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))
    result = refresh(three.root)
    assert result.parsed == 1 and by_path(result)["contacts/Bob.md"].meta["name"] == "Bobby"


def test_same_size_but_new_mtime_is_a_change(three):
    refresh(three.root)
    path = three.root / "contacts" / "Bob.md"
    path.write_text(contact("Rob"), encoding="utf-8")  # same length as "Bob"
    os.utime(path, ns=(PAST_NS + 5 * 10**9, PAST_NS + 5 * 10**9))
    result = refresh(three.root)
    assert result.parsed == 1 and by_path(result)["contacts/Bob.md"].meta["name"] == "Rob"


def test_new_file_is_parsed(three):
    refresh(three.root)
    three.write("contacts/Carl.md", contact("Carl"))
    result = refresh(three.root)
    assert result.parsed == 1 and "contacts/Carl.md" in by_path(result) and len(result.notes) == 4


def test_deleting_a_file_drops_it(three):
    refresh(three.root)
    (three.root / "contacts" / "Bob.md").unlink()
    result = refresh(three.root)
    assert result.removed == 1 and result.parsed == 0
    assert set(by_path(result)) == {"contacts/Jane.md", "meetings/2026-01-02 Jane.md"}
    again = refresh(three.root)  # and it stays gone
    assert again.removed == 0 and set(by_path(again)) == set(by_path(result))


def test_renaming_a_file(three):
    refresh(three.root)
    (three.root / "contacts" / "Bob.md").rename(three.root / "contacts" / "Robert.md")
    result = refresh(three.root)
    assert result.removed == 1 and result.parsed == 1
    assert set(by_path(result)) == {
        "contacts/Jane.md",
        "contacts/Robert.md",
        "meetings/2026-01-02 Jane.md",
    }
    assert by_path(result)["contacts/Robert.md"].path == "contacts/Robert.md"


def test_a_file_that_becomes_ignored_drops_out(three):
    refresh(three.root)
    (three.root / "templates").mkdir()
    (three.root / "contacts" / "Bob.md").rename(three.root / "templates" / "Bob.md")
    result = refresh(three.root)
    assert result.removed == 1 and "templates/Bob.md" not in by_path(result)


def test_cached_notes_keep_their_mtime(three):
    refresh(three.root)
    notes = by_path(refresh(three.root))
    stat = (three.root / "contacts" / "Jane.md").stat()
    assert notes["contacts/Jane.md"].mtime_ns == stat.st_mtime_ns


# --- racy mtimes ---------------------------------------------------------------------------


def test_file_modified_just_before_indexing_is_parsed_again(vault):
    path = vault.write("contacts/Jane.md", contact("Jane"))
    mtime = path.stat().st_mtime_ns
    clock = [mtime + 10**9]  # indexed one second after it was written: racy
    index = Index(vault.root, Settings(), clock=lambda: clock[0])
    assert index.refresh().parsed == 1
    clock[0] = mtime + 60 * 10**9
    assert index.refresh().parsed == 1  # racy entry: read again, now recorded at +60 s
    assert index.refresh().parsed == 0  # and then trusted


def test_file_indexed_well_after_its_mtime_is_trusted(vault):
    path = vault.write("contacts/Jane.md", contact("Jane"))
    mtime = path.stat().st_mtime_ns
    index = Index(vault.root, Settings(), clock=lambda: mtime + 3 * 10**9)
    assert index.refresh().parsed == 1
    assert index.refresh().parsed == 0


def test_racy_rewrite_within_the_same_mtime_is_caught(vault):
    # A coarse file system gives both versions the same mtime; the size happens to match too.
    path = vault.write("contacts/Jane.md", contact("Jane"))
    mtime = path.stat().st_mtime_ns
    index = Index(vault.root, Settings(), clock=lambda: mtime)
    assert by_path(index.refresh())["contacts/Jane.md"].meta["name"] == "Jane"
    path.write_text(contact("June"), encoding="utf-8")
    os.utime(path, ns=(mtime, mtime))
    assert by_path(index.refresh())["contacts/Jane.md"].meta["name"] == "June"


# --- damage and loss -----------------------------------------------------------------------


def test_corrupt_index_is_rebuilt_silently(three):
    first = refresh(three.root)
    db = three.root / CACHE_DIR / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(os.urandom(64) + b"this is not a database" * 200)
    result = refresh(three.root)
    assert result.rebuilt and result.cached and result.warnings == []
    assert result.parsed == 3 and result.notes == first.notes
    after = refresh(three.root)  # the rebuilt index works
    assert after.parsed == 0 and not after.rebuilt and after.notes == first.notes


def test_empty_index_file_is_rebuilt(three):
    refresh(three.root)
    db = three.root / CACHE_DIR / INDEX_NAME
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"")
    result = refresh(three.root)
    assert result.rebuilt and result.parsed == 3 and result.warnings == []


def test_foreign_sqlite_database_is_rebuilt(three):
    (three.root / CACHE_DIR).mkdir()
    db = sqlite3.connect(three.root / CACHE_DIR / INDEX_NAME)
    db.execute("CREATE TABLE something (x)")
    db.commit()
    db.close()
    result = refresh(three.root)
    assert result.rebuilt and result.parsed == 3 and len(result.notes) == 3


@pytest.mark.parametrize("version", [str(SCHEMA_VERSION - 1), str(SCHEMA_VERSION + 1), "garbage"])
def test_index_of_another_schema_version_is_rebuilt(three, version):
    first = refresh(three.root)
    db = sqlite3.connect(three.root / CACHE_DIR / INDEX_NAME)
    db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (version,))
    db.commit()
    db.close()
    result = refresh(three.root)
    assert result.rebuilt and result.parsed == 3 and result.notes == first.notes
    db = sqlite3.connect(three.root / CACHE_DIR / INDEX_NAME)
    assert db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    db.close()


def test_old_records_are_not_trusted_after_a_schema_change(three):
    refresh(three.root)
    db = sqlite3.connect(three.root / CACHE_DIR / INDEX_NAME)
    db.execute('UPDATE notes SET record = \'{"p": "contacts/Jane.md", "m": {"name": "STALE"}}\'')
    db.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    assert by_path(refresh(three.root))["contacts/Jane.md"].meta["name"] == "Jane"


def test_deleting_the_cache_folder_loses_nothing(three):
    first = refresh(three.root)
    shutil.rmtree(three.root / CACHE_DIR)
    result = refresh(three.root)
    assert result.rebuilt and result.parsed == 3
    assert result.notes == first.notes


def test_a_file_in_place_of_the_cache_folder_is_an_error_and_is_left_alone(three):
    (three.root / CACHE_DIR).write_text("a file where the cache folder should be", encoding="utf-8")
    with pytest.raises(CacheDirError, match="is not a folder") as caught:
        refresh(three.root)
    assert "\n" not in str(caught.value)
    assert (three.root / CACHE_DIR).read_text(
        encoding="utf-8"
    ) == "a file where the cache folder should be"


def test_no_cache_mode_writes_nothing(three):
    result = refresh(three.root, use_cache=False)
    assert not result.cached and result.rebuilt and result.parsed == 3
    assert {n.path for n in result.notes} == {
        "contacts/Jane.md",
        "contacts/Bob.md",
        "meetings/2026-01-02 Jane.md",
    }
    assert not (three.root / CACHE_DIR).exists()


def test_read_only_vault_still_returns_notes(three):
    root = three.root
    root.chmod(0o555)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("this user can write to a read-only folder (root)")
        result = refresh(root)
    finally:
        root.chmod(0o755)
    assert len(result.notes) == 3 and not result.cached
    assert result.warnings and not (root / CACHE_DIR).exists()


def test_read_only_cache_still_returns_notes(three):
    refresh(three.root)
    cache = three.root / CACHE_DIR
    cache.chmod(0o555)
    db = cache / INDEX_NAME
    db.chmod(0o444)
    try:
        if os.access(db, os.W_OK):
            pytest.skip("this user can write to a read-only file (root)")
        three.write("contacts/Carl.md", contact("Carl"))
        result = refresh(three.root)
    finally:
        cache.chmod(0o755)
        db.chmod(0o644)
    assert {"contacts/Carl.md", "contacts/Jane.md"} <= set(by_path(result))


# --- unreadable and odd files --------------------------------------------------------------


@pytest.mark.skipif(ROOT_USER, reason="root reads any file")
def test_unreadable_file_becomes_a_finding(three):
    path = three.root / "contacts" / "Bob.md"
    path.chmod(0)
    try:
        result = refresh(three.root)
    finally:
        path.chmod(0o644)
    bob = by_path(result)["contacts/Bob.md"]
    assert bob.broken and [(f.severity, f.code) for f in bob.findings] == [
        (Severity.ERROR, "unreadable")
    ]
    assert len(result.notes) == 3


def test_unreadable_file_becomes_a_finding_simulated(three, monkeypatch):
    real_open = open

    def fake_open(path, *args, **kwargs):
        if str(path).endswith("Bob.md"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(records_module, "open", fake_open, raising=False)
    result = refresh(three.root, use_cache=False)
    bob = by_path(result)["contacts/Bob.md"]
    assert bob.broken and bob.findings[0].code == "unreadable" and bob.findings[0].line is None
    assert "Permission denied" in bob.findings[0].message
    assert not by_path(result)["contacts/Jane.md"].broken


def test_unreadable_file_is_read_again_once_readable(three, monkeypatch):
    real_open = open
    denied = [True]

    def fake_open(path, *args, **kwargs):
        if denied[0] and str(path).endswith("Bob.md"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(records_module, "open", fake_open, raising=False)
    assert by_path(refresh(three.root))["contacts/Bob.md"].broken
    denied[0] = False
    path = three.root / "contacts" / "Bob.md"  # e.g. chmod changes ctime only: touch it
    os.utime(path, ns=(PAST_NS + 7 * 10**9, PAST_NS + 7 * 10**9))
    assert not by_path(refresh(three.root))["contacts/Bob.md"].broken


def test_read_note_of_a_vanished_file_is_none(tmp_path):
    assert read_note(tmp_path, FileStat("gone.md", 1, 1)) is None


def test_symlinked_note_becomes_a_file_finding(three, tmp_path):
    target = tmp_path / "elsewhere.md"
    target.write_text(contact("Eve"), encoding="utf-8")
    os.symlink(target, three.root / "contacts" / "Eve.md")
    result = refresh(three.root)
    assert "contacts/Eve.md" not in by_path(result)
    assert [(f.path, f.severity, f.code) for f in result.findings] == [
        ("contacts/Eve.md", Severity.WARNING, "file")
    ]


def test_broken_notes_are_cached_as_broken(vault):
    vault.write(
        "contacts/Conflict.md", "---\nname: A\n---\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n"
    )
    vault.write_bytes("contacts/Latin1.md", b"---\nname: Ren\xe9e\n---\n")
    age(vault.root)
    first = refresh(vault.root)
    second = refresh(vault.root)
    assert second.parsed == 0 and second.notes == first.notes
    assert all(n.broken for n in second.notes)
    assert {n.findings[0].code for n in second.notes} == {"conflict", "encoding"}


# --- the contract: the cache never changes what is read ------------------------------------


@pytest.fixture
def messy(vault):
    """Every golden note, in every folder, plus odd names and sub-folders."""
    for i, md in enumerate(sorted(DATA.glob("*.md"))):
        folder = ("contacts", "companies", "meetings", "people/sub")[i % 4]
        vault.write_bytes(f"{folder}/{md.name}", md.read_bytes())
    vault.write("contacts/Zoë #1 -x.md", contact("Zoë"))
    vault.write("contacts/deep/er/Jane.md", contact("Jane", "aliases:\n  - J\n"))
    vault.write(".obsidian/skip.md", contact("Skip"))
    vault.write("templates/Contact.md", '---\nname: "{{title}}"\n---\n')
    age(vault.root)
    return vault


def _sorted(notes: list[ParsedNote]) -> list[ParsedNote]:
    return sorted(notes, key=lambda n: n.path)


def test_index_gives_the_same_notes_as_a_plain_read(messy):
    plain = refresh(messy.root, use_cache=False)
    built = refresh(messy.root)
    cached = refresh(messy.root)
    assert cached.parsed == 0 and built.parsed == len(plain.notes)
    assert _sorted(built.notes) == _sorted(plain.notes)
    assert _sorted(cached.notes) == _sorted(plain.notes)  # from records, not from the files
    assert cached.findings == plain.findings
    assert len(plain.notes) >= 30
    assert not any(n.path.startswith((".obsidian", "templates")) for n in plain.notes)


def test_each_cached_note_equals_a_fresh_parse(messy):
    refresh(messy.root)
    for note in refresh(messy.root).notes:
        path = messy.root / note.path
        assert note == parse_note(note.path, path.read_bytes(), path.stat().st_mtime_ns)


def test_notes_come_in_path_order_with_or_without_the_cache(messy):
    messy.write("zzz at the root.md", contact("Zed"))  # a root file is scanned before any folder
    for result in (refresh(messy.root, use_cache=False), refresh(messy.root), refresh(messy.root)):
        assert [n.path for n in result.notes] == sorted(n.path for n in result.notes)


def test_a_note_put_back_with_its_old_time_after_a_watcher_hint_is_read_again(vault):
    """A hint (`agenda_for`, the watcher's path) stores a note without a walk; the walk's
    fingerprints of that note's bucket then no longer hold. A note restored afterwards with its
    old bytes and modification time (`cp -p`, `rsync -t`, an unzip) must still be read again:
    its bucket is compared, not trusted."""
    import datetime as dt

    today = dt.date(2026, 1, 10)
    old = contact("Jane", "follow_up: 2026-01-05\n")
    vault.write("contacts/Jane.md", old)
    vault.write("contacts/Bob.md", contact("Bob"))
    age(vault.root)
    jane = vault.root / "contacts/Jane.md"
    before_ns = jane.stat().st_mtime_ns

    def follow_ups(agenda) -> list[tuple[str, dt.date]]:
        return sorted((i.id, i.due) for i in agenda.result.items if i.rule == "follow_up")

    settings = Settings()
    first = Index(vault.root, settings).agenda(today)
    assert first.how == "rebuilt" and follow_ups(first)
    jane.write_text(contact("Jane", "follow_up: 2026-02-01\n"), encoding="utf-8")
    os.utime(jane, ns=(before_ns + 10**9, before_ns + 10**9))  # (not racy: long ago)
    hinted = Index(vault.root, settings).agenda_for({"contacts/Jane.md"}, today, first)
    assert hinted is not None and follow_ups(hinted) != follow_ups(first)
    jane.write_text(old, encoding="utf-8")
    os.utime(jane, ns=(before_ns, before_ns))
    again = Index(vault.root, settings).agenda(today)
    assert follow_ups(again) == follow_ups(first)


def test_a_stored_agenda_is_tied_to_every_module_of_the_core():
    """The digest that makes a stored agenda a miss when the core's code changes reads every
    module of the core, the rules' and the figures' subpackages included: an edited rule must
    not leave yesterday's items in the store."""
    import coffeechat.core
    from coffeechat.storage.cache.schema import core_sources

    core = Path(coffeechat.core.__file__).resolve().parent
    modules = {p.relative_to(core).as_posix() for p in core.rglob("*.py")}
    assert {"rules/follow_up.py", "coaching/figures.py"} <= modules
    assert set(core_sources()) == modules
