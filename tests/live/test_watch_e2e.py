"""End to end: the installed `coffeechat watch` on a git vault, while notes are saved the ways
vim, VS Code and Obsidian save them, deleted, renamed, and swapped by a checkout of a few
hundred files — after each step its feed must equal a fresh `coffeechat feed`."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import COFFEECHAT, GIT, git

EXE = COFFEECHAT
TODAY = "2026-11-23"
BULK = 300

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COFFEECHAT_", "GIT_"))}
    env["NO_COLOR"] = "1"
    return env


class Watching:
    """`coffeechat watch` running in the background; its output lines in a queue."""

    def __init__(self, root: Path) -> None:
        assert EXE, "the coffeechat command is not installed (pip install -e '.[test]')"
        self.root = root
        self.proc = subprocess.Popen(
            [EXE, "--vault", str(root), "--today", TODAY, "watch"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=_env(),
        )
        self.queue: queue.Queue[str] = queue.Queue()
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.queue.put(line.rstrip("\n"))

    def _drain(self, timeout: float) -> str | None:
        try:
            line = self.queue.get(timeout=timeout)
        except queue.Empty:
            return None
        self.lines.append(line)
        return line

    def expect(self, text: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self._drain(0.05)
            if line is not None and text in line:
                return
            assert self.proc.poll() is None or not self.queue.empty(), self.lines
        raise AssertionError(f"no {text!r} in {self.lines}")

    def passes(self) -> int:
        while self._drain(0) is not None:
            pass
        return sum(1 for line in self.lines if " change: " in line or " rescan: " in line)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=5)
            self.reader.join(timeout=5)
            self.passes()


def fresh_feed(root: Path, out: Path) -> bytes:
    result = subprocess.run(
        [EXE or "coffeechat", "--vault", str(root), "--today", TODAY, "feed", "-o", str(out)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def settle(w: Watching, before: int, feed: Path, fresh: Path, timeout: float = 20) -> bytes:
    """Wait for the watcher's pass after a step, then for its feed to equal a fresh one."""
    deadline = time.monotonic() + timeout
    while w.passes() <= before:
        assert time.monotonic() < deadline, f"no pass after the step: {w.lines}"
        time.sleep(0.05)
    expected = fresh_feed(w.root, fresh)
    while feed.read_bytes() != expected:  # a straggling event may bring one more pass
        assert time.monotonic() < deadline, f"the feed differs from a fresh one: {w.lines}"
        time.sleep(0.1)
        expected = fresh_feed(w.root, fresh)
    return expected


def contact(name: str, follow_up: str) -> str:
    return (
        f"---\ntype: contact\nname: {name}\nemail: {name.split()[0].lower()}@example.org\n"
        f"follow_up: {follow_up}\n---\nMet at the meetup.\n\n## Log\n"
        f"- 2026-10-01 note: added\n"
    )


def vim_save(path: Path, line: str) -> None:
    """Append ``line`` the way vim saves with 'writebackup' (vim itself when installed): probe
    file 4913, swap file, the note renamed to A.md~, a new A.md written, the backup deleted."""
    vim = shutil.which("vim")
    if vim is not None:
        subprocess.run(
            [
                vim,
                "-N",
                "-u",
                "NONE",
                "-i",
                "NONE",
                "-n",
                "-E",
                "-s",
                "-c",
                "set backupskip= backupcopy=no writebackup nobackup",
                "-c",
                f"$put ={chr(39)}{line}{chr(39)}",
                "-c",
                "wq",
                str(path),
            ],
            check=True,
            timeout=30,
            capture_output=True,
        )
        return
    text = path.read_text(encoding="utf-8") + line + "\n"
    probe = path.parent / "4913"
    probe.write_text("")
    probe.unlink()
    swap = path.parent / f".{path.name}.swp"
    swap.write_bytes(b"b0VIM 9.0")
    backup = path.parent / f"{path.name}~"
    os.rename(path, backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()
    swap.unlink()


def vscode_save(path: Path, text: str) -> None:
    """VS Code (and most editors): truncate and write the file in place, in pieces."""
    data = text.encode("utf-8")
    with open(path, "r+b") as fh:
        fh.truncate(0)
        fh.flush()
        time.sleep(0.02)
        fh.write(data[: len(data) // 2])
        fh.flush()
        os.fsync(fh.fileno())
        time.sleep(0.02)
        fh.write(data[len(data) // 2 :])


def obsidian_save(path: Path, text: str) -> None:
    """An atomic save: a temporary file beside the note, then a rename onto it."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def test_watch_keeps_the_feed_equal_to_a_fresh_one(sample_copy, tmp_path):
    root = sample_copy
    with open(root / "coffeechat.toml", "a", encoding="utf-8") as fh:
        fh.write("\n[watch]\ndebounce_ms = 200\nrescan_seconds = 0\n")
    people = root / "contacts" / "people"
    people.mkdir()
    for n in range(BULK):
        (people / f"Person {n:03}.md").write_text(
            contact(f"Person {n:03}", "2026-12-01"), encoding="utf-8"
        )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "vault")
    git(root, "checkout", "-q", "-b", "bulk")
    for n in range(BULK):
        (people / f"Person {n:03}.md").write_text(
            contact(f"Person {n:03}", "2026-12-15"), encoding="utf-8"
        )
    git(root, "commit", "-q", "-am", "a few hundred changes")
    git(root, "checkout", "-q", "main")

    feed = root / ".coffeechat" / "followups.ics"
    fresh = tmp_path / "fresh.ics"
    w = Watching(root)
    try:
        w.expect("watching for changes")
        previous = fresh_feed(root, fresh)
        assert feed.read_bytes() == previous

        deborah = root / "contacts" / "Deborah Kline.md"
        nate = root / "contacts" / "Nate Halvorsen.md"
        people_dir = root / "contacts" / "people"
        steps = [
            ("vim", lambda: vim_save(deborah, "- 2026-11-22 reply: happy to talk next week")),
            (
                "VS Code",
                lambda: vscode_save(
                    nate,
                    nate.read_text(encoding="utf-8").replace(
                        "follow_up: 2026-11-24\n", "follow_up: 2026-12-04\n", 1
                    ),
                ),
            ),
            (
                "Obsidian",
                lambda: obsidian_save(
                    root / "contacts" / "Ana New.md", contact("Ana New", "2026-11-27")
                ),
            ),
            # git checkout of a few hundred files at once
            ("git checkout", lambda: git(root, "checkout", "-q", "bulk")),
            ("delete", (people_dir / "Person 007.md").unlink),
            (
                "rename",
                lambda: os.rename(people_dir / "Person 008.md", people_dir / "Person Eight.md"),
            ),
        ]
        for name, step in steps:
            before = w.passes()
            step()
            current = settle(w, before, feed, fresh)
            assert current != previous, f"the {name} step changed nothing in the feed"
            previous = current
            if name == "git checkout":
                assert current.count(b"DTSTART;VALUE=DATE:20261215") == BULK
                time.sleep(0.5)  # one re-index for the burst (two at most, for a straggler)
                assert w.passes() - before <= 2, w.lines
    finally:
        code = w.stop()
    assert code == 0, w.lines
    assert w.lines[-1].endswith("stopped")
    assert not any(
        "Traceback" in line or "error" in line or "left out" in line for line in w.lines
    ), w.lines
    assert not list(root.rglob("*.md~")) and not list(root.rglob("4913"))
