"""Writers meeting each other: an editor saving while `done` runs, two coffeechat processes
writing at once (the vault's write lock), and the index killed in the middle of an update."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from coffeechat.cli import items as cli_items
from coffeechat.core.note.parse import parse_note
from coffeechat.core.settings import Settings
from coffeechat.storage.cache.index import Index
from coffeechat.storage.lock import VaultBusy, sweep_temp_files, write_lock

TODAY = "2026-11-23"


def due(run) -> list[dict]:
    result = run("due", "--all", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def cc(root: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.Popen:
    """A real coffeechat process (the installed package, run as `python -m coffeechat`)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("COFFEECHAT_")}
    full_env.update(env)
    return subprocess.Popen(
        [sys.executable, "-m", "coffeechat", "--vault", str(root), "--today", TODAY, *args],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# --- an editor saves while `done` runs --------------------------------------------------------


def test_done_while_an_editor_saves_the_note_is_refused(vault, run, monkeypatch):
    """`done` works out its item (a task on line N) from the vault, then writes. If an editor
    inserts a line above meanwhile, line N is another task: before the fix, `done` ticked
    the wrong one silently."""
    path = vault.contact("Dee Park", body="- [ ] send the deck 📅 2026-11-22")
    (item,) = [i for i in due(run) if i["rule"] == "follow_up"]
    editor_version = path.read_bytes().replace(
        b"- [ ] send the deck",
        b"- [ ] call the recruiter \xf0\x9f\x93\x85 2026-12-30\n- [ ] send the deck",
    )
    real = cli_items._find_item

    def find_then_editor_saves(app, ident):
        found = real(app, ident)
        path.write_bytes(editor_version)  # Obsidian saves between the read and the write
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        return found

    monkeypatch.setattr(cli_items, "_find_item", find_then_editor_saves)
    result = run("done", item["id"])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: contacts/Dee Park.md: changed on disk after coffeechat read"
        " it (saved in an editor meanwhile?); nothing was written — run the"
        " command again\n"
    )
    assert path.read_bytes() == editor_version  # the editor's save is intact, nothing merged


def test_done_writing_twice_to_one_note_is_not_refused_by_its_own_write(vault, run):
    vault.contact(
        "Dee Park", front="follow_up: 2026-11-20", body="- [ ] send the deck 📅 2026-11-22"
    )
    for i in [i for i in due(run) if i["rule"] == "follow_up"]:
        result = run("done", i["id"])
        assert result.exit_code == 0, result.output
    assert [i for i in due(run) if i["rule"] == "follow_up"] == []


# --- two coffeechat processes -------------------------------------------------------------------


def test_a_writer_waits_for_the_lock_then_sees_the_first_writers_edit(vault):
    path = vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    with write_lock(vault.root):
        proc = cc(vault.root, "log", "Jane Doe", "note", "second writer")
        time.sleep(0.6)  # it has started and is waiting for the lock
        assert proc.poll() is None
        data = path.read_bytes()
        path.write_bytes(data + b"- 2026-11-22 note: first writer\n")
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    text = path.read_text(encoding="utf-8")
    assert "note: first writer" in text and "note: second writer" in text


def test_a_writer_that_cannot_get_the_lock_says_so_clearly(vault):
    path = vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    before = path.read_bytes()
    with write_lock(vault.root):
        proc = cc(vault.root, "log", "Jane Doe", "note", "x", COFFEECHAT_LOCK_TIMEOUT="0.3")
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert err == (
        f"Error: another coffeechat is writing to this vault (pid {os.getpid()}); try"
        " again (the lock is .coffeechat/write.lock)\n"
    )
    assert path.read_bytes() == before


def test_many_writers_at_once_lose_no_edit(vault):
    path = vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.contact("Bob Smith", log="2026-10-01 reply: glad to help")
    procs = [
        cc(vault.root, "log", "Jane Doe" if n % 2 else "Bob Smith", "note", f"writer {n}")
        for n in range(8)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    text = path.read_text() + (vault.root / "contacts" / "Bob Smith.md").read_text()
    for n in range(8):
        assert f"note: writer {n}\n" in text


def test_the_lock_is_per_thread_reentrant_and_excludes_other_threads(tmp_path):
    order: list[str] = []
    with write_lock(tmp_path, timeout=5):
        with write_lock(tmp_path, timeout=5):  # re-entrant in one thread
            pass

        def other() -> None:
            try:
                with write_lock(tmp_path, timeout=0.2):
                    order.append("other got it")
            except VaultBusy:
                order.append("other refused")

        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert order == ["other refused"]


def test_lock_without_a_writable_cache_folder_is_one_clear_error(tmp_path, monkeypatch):
    from coffeechat.errors import CoffeechatError

    (tmp_path / ".coffeechat").mkdir()
    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path).endswith("write.lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    with (
        pytest.raises(
            CoffeechatError, match=r"cannot lock the vault for writing .*Permission denied"
        ),
        write_lock(tmp_path),
    ):
        pass


def test_sweep_removes_only_dead_writers_temp_files(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    pid = int(dead.stdout)
    (tmp_path / "contacts" / "deep").mkdir(parents=True)
    stale = tmp_path / "contacts" / "deep" / f".Jane Doe.md.{pid}.ccabc123_x.tmp"
    mine = tmp_path / "contacts" / f".Jane Doe.md.{os.getpid()}.ccq1w2e3r4.tmp"
    users = tmp_path / "contacts" / ".Jane Doe.md.tmp"  # not ours: never touched
    for p in (stale, mine, users):
        p.write_bytes(b"x")
    assert sweep_temp_files(tmp_path) == [str(stale)]
    assert not stale.exists() and mine.exists() and users.exists()


# --- the index killed in the middle of an update ----------------------------------------------


def _make_notes(root: Path, n: int, stamp: str) -> None:
    for i in range(n):
        (root / "contacts" / f"P{i:04d}.md").write_text(
            f"---\ntype: contact\nname: P{i:04d}\nrole: {stamp}\n---\n## Log\n"
            f"- 2026-11-0{1 + i % 9} approach: hello {stamp}\n",
            encoding="utf-8",
        )


def _records(notes) -> list:
    return sorted((n.path, n.meta, n.log, n.tasks) for n in notes)


@pytest.mark.slow
def test_the_index_survives_being_killed_mid_update(vault):
    settings = Settings()
    _make_notes(vault.root, 1500, "v0")
    Index(vault.root, settings).refresh()
    code = (
        "import sys; from pathlib import Path; from coffeechat.core.settings import Settings;"
        " from coffeechat.storage.cache.index import Index;"
        " Index(Path(sys.argv[1]), Settings()).refresh()"
    )
    rng = __import__("random").Random(7)
    for round_ in range(12):
        _make_notes(vault.root, 1500, f"v{round_ + 1}")
        proc = subprocess.Popen([sys.executable, "-c", code, str(vault.root)])
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        warm = Index(vault.root, settings).refresh()
        assert not warm.warnings, warm.warnings
        cold = Index(vault.root, settings, use_cache=False).refresh()
        assert _records(warm.notes) == _records(cold.notes)
        assert all(n.meta["role"] == f"v{round_ + 1}" for n in warm.notes)


def test_parse_note_of_what_the_writers_left_is_whole(vault):
    """Sanity for the helpers above: every note made here parses."""
    _make_notes(vault.root, 3, "v")
    for p in (vault.root / "contacts").iterdir():
        assert not parse_note(p.name, p.read_bytes()).broken
