"""The watcher under storm: a 1,000-file checkout, a rebase with conflicts, a held
.git/index.lock, events dropped on purpose. After the dust settles the watcher's feed equals
a cold rebuild. Every wait is bounded."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.config import load_settings
from coffeechat.live.watch import Watcher
from coffeechat.storage.cache.index import Index

TODAY = dt.date(2026, 11, 23)


def wait_for(check, timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def contact(name: str, follow_up: str, extra: str = "") -> str:
    return f"---\ntype: contact\nname: {name}\nfollow_up: {follow_up}\n{extra}---\nNotes.\n"


def write_many(root: Path, n: int, follow_up: str, start: int = 0) -> None:
    for i in range(start, start + n):
        folder = root / "contacts" / f"batch{i % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Person {i:04d}.md").write_text(
            contact(f"Person {i:04d}", follow_up), encoding="utf-8"
        )


def cold_feed(root: Path, tmp: Path) -> bytes:
    """The feed from nothing: a copy of the vault without its cache, `feed -o`."""
    copy = tmp / f"cold-{time.monotonic_ns()}" / root.name
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".coffeechat", ".git"), symlinks=True)
    out = copy.parent / "feed.ics"
    result = CliRunner().invoke(
        cli,
        ["--vault", str(copy), "--today", TODAY.isoformat(), "feed", "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return out.read_bytes()


class Live:
    """A started watcher with a real observer, run in a thread."""

    def __init__(self, root: Path, **kwargs: Any) -> None:
        settings, _ = load_settings(root)
        self.lines: list[str] = []
        self.watcher = Watcher(root, settings, report=self.lines.append, today=TODAY, **kwargs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,))

    def __enter__(self) -> Live:
        self.watcher.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.watcher.wake()
        self.thread.join(timeout=20)
        self.watcher.stop()
        assert not self.thread.is_alive()

    def feed(self) -> bytes:
        return self.watcher.feed_path.read_bytes()

    def settled_on(self, expected: bytes, timeout: float = 30.0) -> None:
        wait_for(
            lambda: self.watcher.feed_path.exists() and self.feed() == expected,
            timeout,
            f"the watcher's feed to equal a cold rebuild; log: {self.lines[-5:]}",
        )
        # A pass writes the feed before it walks the vault for what its events missed: it is
        # counted once that is done too.
        wait_for(
            lambda: self.watcher.updates and self.watcher.updates[-1].reason != "start",
            timeout,
            "the pass that wrote it to end",
        )


@pytest.fixture
def storm_vault(vault):
    vault.config("[watch]\ndebounce_ms = 150\nrescan_seconds = 0\n")
    (vault.root / "vault-marker").write_text("")
    return vault


def test_a_thousand_file_checkout_settles_to_a_cold_rebuild(storm_vault, tmp_path):
    root = storm_vault.root
    write_many(root, 1000, "2026-12-01")
    with Live(root) as live:
        # `git checkout other-branch`: every file rewritten, some deleted, some new, all at once.
        write_many(root, 900, "2026-12-05")
        for i in range(900, 1000):
            (root / "contacts" / f"batch{i % 10}" / f"Person {i:04d}.md").unlink()
        write_many(root, 50, "2026-11-30", start=1000)
        expected = cold_feed(root, tmp_path)
        live.settled_on(expected)
        assert not [u for u in live.watcher.updates if u.error]
        passes = [u for u in live.watcher.updates if u.reason == "change"]
        assert 1 <= len(passes) <= 20  # a burst is a few passes, not a thousand


def test_a_rebase_with_conflicts_pauses_then_settles(storm_vault, tmp_path):
    root = storm_vault.root
    (root / ".git").mkdir()
    write_many(root, 30, "2026-12-01")
    with Live(root) as live:
        started = len(live.watcher.updates)
        (root / ".git" / "rebase-merge").mkdir()
        conflicted = root / "contacts" / "batch0" / "Person 0000.md"
        conflicted.write_text(
            "---\ntype: contact\n<<<<<<< HEAD\nname: Person 0000\n=======\n"
            "name: P. Zero\n>>>>>>> theirs\n---\n",
            encoding="utf-8",
        )
        write_many(root, 10, "2026-12-09", start=10)
        wait_for(lambda: any("paused" in ln for ln in live.lines), 10, "a pause")
        time.sleep(0.5)
        assert len(live.watcher.updates) == started  # nothing happens mid-rebase
        conflicted.write_text(contact("Person 0000", "2026-12-09"), encoding="utf-8")
        shutil.rmtree(root / ".git" / "rebase-merge")
        live.settled_on(cold_feed(root, tmp_path))


def test_a_held_index_lock_pauses_the_watcher(storm_vault, tmp_path):
    root = storm_vault.root
    (root / ".git").mkdir()
    write_many(root, 20, "2026-12-01")
    with Live(root) as live:
        lock = root / ".git" / "index.lock"
        lock.write_text("")
        before = len(live.watcher.updates)
        write_many(root, 20, "2026-12-07")
        time.sleep(1.2)  # held for a while
        assert len(live.watcher.updates) == before
        lock.unlink()
        live.settled_on(cold_feed(root, tmp_path))
        assert any("git is done" in ln for ln in live.lines)


class _Deaf:
    """An observer that hears nothing: every event dropped (an inotify overflow)."""

    def schedule(self, *args: Any, **kwargs: Any) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


def test_dropped_events_are_caught_by_the_rescan(storm_vault, tmp_path):
    root = storm_vault.root
    write_many(root, 50, "2026-12-01")
    settings, _ = load_settings(root)
    watcher = Watcher(root, settings, report=lambda line: None, today=TODAY, observer_factory=_Deaf)
    watcher.start()
    write_many(root, 50, "2026-12-03")
    (root / "contacts" / "batch3" / "Person 0003.md").unlink()
    assert watcher.tick() is None  # no hint arrived: nothing to do yet
    watcher.update("rescan")  # what the periodic rescan does
    assert watcher.feed_path.read_bytes() == cold_feed(root, tmp_path)
    watcher.stop()


def test_an_overflowing_event_queue_is_harmless(storm_vault, tmp_path):
    """Events for paths that do not exist, duplicates and garbage: hints only."""
    root = storm_vault.root
    write_many(root, 20, "2026-12-01")
    settings, _ = load_settings(root)
    watcher = Watcher(root, settings, report=lambda line: None, today=TODAY, observer_factory=_Deaf)
    watcher.start()

    class Event:
        def __init__(self, src: str, kind: str = "modified", dest: str = "") -> None:
            self.src_path, self.dest_path, self.event_type, self.is_directory = (
                src,
                dest,
                kind,
                False,
            )

    for i in range(5000):
        watcher.on_event(Event(str(root / "contacts" / f"ghost{i % 300}.md"), "deleted"))
    watcher.on_event(Event(b"\xff\xfe".decode("latin-1")))
    watcher.on_event(object())  # not even an event
    write_many(root, 20, "2026-12-04")
    watcher.hint("contacts/batch0/Person 0000.md")
    time.sleep(settings.watch_debounce_ms / 1000 + 0.05)
    update = watcher.tick()
    assert update is not None and update.error is None
    assert watcher.feed_path.read_bytes() == cold_feed(root, tmp_path)
    watcher.stop()


def test_a_change_indexed_by_another_command_still_reaches_the_feed(storm_vault, tmp_path):
    root = storm_vault.root
    write_many(root, 5, "2026-12-01")
    old = time.time() - 3600  # files not modified "just now" (else the index re-reads them)
    for path in (root / "contacts").rglob("*.md"):
        os.utime(path, (old, old))
    settings, _ = load_settings(root)
    watcher = Watcher(root, settings, report=lambda line: None, today=TODAY, observer_factory=_Deaf)
    watcher.start()
    note = root / "contacts" / "batch1" / "Person 0001.md"
    note.write_text(contact("Person 0001", "2026-11-25"), encoding="utf-8")
    os.utime(note, (old + 60, old + 60))  # e.g. a sync client keeping the sender's mtime
    Index(root, settings).refresh()  # `coffeechat due` in another terminal, before the watcher
    watcher.hint("contacts/batch1/Person 0001.md")
    watcher.update("change", {"contacts/batch1/Person 0001.md"})
    assert watcher.feed_path.read_bytes() == cold_feed(root, tmp_path)
    watcher.stop()
