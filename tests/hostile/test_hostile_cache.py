"""A cache that arrives with the vault: planted, damaged or linked out of it.

`.coffeechat/` is as untrusted as the notes (a zip, a shared folder, a repository that
committed it). Whatever it holds, coffeechat never runs it, never writes through it, and
gives the same answers as on a fresh cache, without failing once.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.storage.cache.schema import INDEX_NAME
from coffeechat.storage.cachedir import CACHE_DIR
from conftest import REPO

SRC = REPO / "src" / "coffeechat"
TODAY = "2026-11-23"


def _cli(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["--vault", str(root), "--today", TODAY, *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def _answers(root: Path) -> tuple[str, str, str]:
    """What the user sees: the agenda as JSON, the check, the lists, the numbers, the referral
    tree, and the feed's events."""
    code, due, _ = _cli(root, "due", "--json")
    assert code == 0
    _, check, _ = _cli(root, "check")
    for args in (
        *(["list", kind, "--json"] for kind in ("contacts", "meetings", "companies")),
        ["stats", "--json"],
        ["stats", "--json", "--since", "2026-10-01"],
        ["graph"],
        ["graph", "--from", "Priya Raman", "--format", "dot"],
    ):
        code, said, _ = _cli(root, *args)
        assert code == 0
        check += said
    feed = root.parent / f"{root.name}-feed.ics"
    code, _, err = _cli(root, "feed", "-o", str(feed))
    assert code == 0, err
    events = re.sub(r"DTSTAMP:[^\r\n]*", "", feed.read_text(encoding="utf-8"))
    return due, check, events


@pytest.fixture
def warm(sample_copy: Path) -> Callable[[], tuple[str, str, str]]:
    """The sample vault with a cache made by `due` and `feed`; its fresh answers."""
    fresh = _answers(sample_copy)
    _cli(sample_copy, "snooze", "f893f4361a", "2026-12-01")  # a journal, a stored snooze
    fresh = _answers(sample_copy)
    return lambda: fresh


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / CACHE_DIR / INDEX_NAME, isolation_level=None)


def _tables(db: sqlite3.Connection) -> list[str]:
    return [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def test_no_pickle_marshal_shelve_or_eval_anywhere_in_the_package():
    pattern = re.compile(r"\b(pickle|marshal|shelve|cPickle|dill)\b|(?<![\w.])(eval|exec)\s*\(")
    offenders = []
    for path in SRC.rglob("*.py"):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if pattern.search(code):
                offenders.append(f"{path.relative_to(SRC)}:{n}: {line.strip()}")
    assert offenders == []


class _Boom:
    """Unpickling this runs a command that leaves a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch '{self.marker}'",))


def test_a_cache_whose_every_value_is_a_pickle_that_runs_a_command_runs_nothing(
    sample_copy: Path, warm: Callable[[], tuple[str, str, str]], tmp_path: Path
):
    marker = tmp_path / "pwned"
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_Boom(probe)))  # the payload is real: unpickling runs it
    assert probe.exists()
    payload = pickle.dumps(_Boom(marker))
    db = _db(sample_copy)
    for table in _tables(db):
        if table == "meta":
            continue  # (a meta value of another kind just means a rebuild: keep it readable)
        for _cid, column, _type, _notnull, _default, primary in db.execute(
            f"PRAGMA table_info({table})"
        ).fetchall():
            if not primary:  # keep the rows findable: every value is read back
                db.execute(f"UPDATE {table} SET {column} = ?", (payload,))
    db.close()
    assert _answers(sample_copy) == warm()
    assert not marker.exists()


DAMAGE: dict[str, Callable[[Path], None]] = {}


def _damage(name: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(fn: Callable[[Path], None]) -> Callable[[Path], None]:
        DAMAGE[name] = fn
        return fn

    return register


@_damage("truncated")
def _truncate(root: Path) -> None:
    path = root / CACHE_DIR / INDEX_NAME
    data = path.read_bytes()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(data[: len(data) // 3])


@_damage("garbage bytes")
def _garbage(root: Path) -> None:
    path = root / CACHE_DIR / INDEX_NAME
    with _db(root) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    for i in range(200, len(data), 997):
        data[i] = (data[i] * 31 + 7) % 256
    path.write_bytes(bytes(data))


@_damage("a missing table")
def _missing_table(root: Path) -> None:
    db = _db(root)
    for table in ("state", "notes", "people"):
        db.execute(f"DROP TABLE {table}")
    db.close()


@_damage("meta gen is not a number")
def _meta_gen(root: Path) -> None:
    db = _db(root)
    db.execute("UPDATE meta SET value = 'abc' WHERE key = 'gen'")
    db.close()


@_damage("garbage in every stored value")
def _garbage_values(root: Path) -> None:
    db = _db(root)
    db.execute("UPDATE state SET value = 'garbage'")
    db.execute("UPDATE people SET value = '[1, 2'")
    db.execute("UPDATE scheduled SET value = '{\"a\": 1}'")
    db.close()


def _wrong_type(table: str, column: str) -> Callable[[Path], None]:
    def damage(root: Path) -> None:
        db = _db(root)
        for value in (12345, 3.5, b"\x00\xff", "text", None):
            try:
                db.execute(f"UPDATE {table} SET {column} = ?", (value,))
                break
            except sqlite3.IntegrityError:
                continue  # NOT NULL: try the next type
        db.close()

    return damage


def _every_column() -> list[tuple[str, str]]:
    """(table, column) of the cache's schema (from a cache made now)."""
    from coffeechat.storage.cache.schema import SCHEMA

    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    out = [
        (t, row[1])
        for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for row in db.execute(f"PRAGMA table_info({t})")
    ]
    db.close()
    return out


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damage_of_any_kind_heals_on_the_first_run(sample_copy, warm, name):
    DAMAGE[name](sample_copy)
    assert _answers(sample_copy) == warm()
    assert _answers(sample_copy) == warm()  # and the rebuilt cache serves the next run


@pytest.mark.parametrize("column", ["{}.{}".format(*c) for c in _every_column()])
def test_a_wrong_type_in_any_column_heals(sample_copy, warm, column):
    table, name = column.split(".")
    _wrong_type(table, name)(sample_copy)
    assert _answers(sample_copy) == warm()


def _figure_fields() -> list[str]:
    from coffeechat.core.coaching.figures import ContactFigures, MeetingFigures

    return [f"contact.{f}" for f in ContactFigures._fields] + [
        f"meeting.{f}" for f in MeetingFigures._fields
    ]


@pytest.mark.parametrize("field", _figure_fields())
def test_a_wrong_type_inside_the_stored_figures_heals(sample_copy, warm, field):
    """Each field of every stored contact's (or meeting's) figures replaced by a value of
    another type, the JSON still sound: the store is rebuilt, and says the same."""
    from coffeechat.core.coaching.figures import ContactFigures, MeetingFigures

    kind, name = field.split(".")
    at = (ContactFigures if kind == "contact" else MeetingFigures)._fields.index(name)
    db = _db(sample_copy)
    rows = db.execute("SELECT subject, figures FROM figures WHERE kind = ?", (kind,)).fetchall()
    assert rows
    for subject, value in rows:
        data = json.loads(value)
        data[at] = {"planted": 1}
        db.execute("UPDATE figures SET figures = ? WHERE subject = ?", (json.dumps(data), subject))
    db.close()
    assert _answers(sample_copy) == warm()
    db = _db(sample_copy)
    planted = db.execute("SELECT COUNT(*) FROM figures WHERE figures LIKE '%planted%'").fetchone()
    db.close()
    assert planted == (0,)  # (seen as damage and rebuilt, not read as it was)


def test_a_cache_copied_with_the_vault_is_not_trusted(sample_copy: Path, tmp_path: Path):
    """A cache that lies about a note (same size and mtime, other content) is believed by no
    other folder: a vault that arrives with its cache gets it rebuilt."""
    _cli(sample_copy, "due")
    db = _db(sample_copy)
    (record,) = db.execute(
        "SELECT record FROM notes WHERE path = 'contacts/Deborah Kline.md'"
    ).fetchone()
    db.execute(
        "UPDATE notes SET record = ? WHERE path = 'contacts/Deborah Kline.md'",
        (record.replace("Deborah Kline", "Planted Person"),),
    )
    db.execute("DELETE FROM meta WHERE key = 'agenda'")  # make it read the record again
    db.close()
    copy = tmp_path / "arrived"
    shutil.copytree(sample_copy, copy)  # (copy2: the same sizes and mtimes)
    _, due, _ = _cli(copy, "due", "--json")
    assert "Planted Person" not in due and "Deborah Kline" in due


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_cache_folder_that_is_a_link_out_of_the_vault_is_refused_and_nothing_there_changes(
    sample_copy: Path, tmp_path: Path
):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index.sqlite").write_bytes(b"someone else's file")
    (outside / "notes.txt").write_text("keep me", encoding="utf-8")
    before = _snapshot(outside)
    (sample_copy / CACHE_DIR).symlink_to(outside, target_is_directory=True)
    for args in (("due",), ("feed",), ("index",), ("log", "Deborah Kline", "email", "hi")):
        code, out, err = _cli(sample_copy, *args)
        assert code == 2, (args, out, err)
        assert err.count("\n") == 1 and "symbolic link" in err and CACHE_DIR in err
    assert _snapshot(outside) == before
    assert (sample_copy / CACHE_DIR).is_symlink()  # not deleted either: it is the user's


def test_links_planted_inside_the_cache_folder_are_removed_not_followed(sample_copy, tmp_path):
    victim = tmp_path / "bashrc"
    victim.write_text("export PATH=...\n", encoding="utf-8")
    folder = sample_copy / CACHE_DIR
    folder.mkdir()
    for name in (
        INDEX_NAME,
        INDEX_NAME + "-wal",
        INDEX_NAME + "-shm",
        "write.lock",
        "followups.ics",
        "serve-token",
    ):
        (folder / name).symlink_to(victim)
    code, _, err = _cli(sample_copy, "feed")
    assert code == 0, err
    code, _, err = _cli(sample_copy, "log", "Deborah Kline", "email", "sent the deck")
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "export PATH=...\n"
    assert not any(p.is_symlink() for p in folder.iterdir())
