"""A first index of a big vault shows how far it has got: a bar on a terminal after a second,
and nothing in a pipe, a log or a quick run."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from coffeechat.cli.render.progress import TerminalProgress
from coffeechat.storage.cache.sync import PROGRESS_FROM


class _Screen(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_only_on_a_terminal_and_only_once_the_work_is_long():
    screen, clock = _Screen(terminal=True), _Clock()
    progress = TerminalProgress(screen, delay=1.0, clock=clock)
    progress.stage("Reading notes", 1000)
    progress.advance(400)
    assert screen.getvalue() == ""  # (quick so far: nothing)
    clock.now += 1.5
    progress.advance(100)
    shown = screen.getvalue()
    assert "Reading notes" in shown and "50%" in shown
    progress.stage("Linking notes", 0)
    assert "Linking notes…" in screen.getvalue()
    progress.stage("Working out follow-ups", 10)
    progress.advance(10)
    progress.finish()
    assert "Working out follow-ups" in screen.getvalue()
    assert "100%" in screen.getvalue()

    piped = _Screen(terminal=False)
    quiet = TerminalProgress(piped, delay=0.0, clock=clock)
    quiet.stage("Reading notes", 1000)
    quiet.advance(1000)
    quiet.finish()
    assert piped.getvalue() == ""


def _big_vault(root: Path) -> Path:
    (root / "contacts").mkdir(parents=True)
    (root / "coffeechat.toml").write_text("", encoding="utf-8")
    for n in range(PROGRESS_FROM + 10):
        (root / "contacts" / f"Person {n:05d}.md").write_text(
            f"---\ntype: contact\nname: Person {n:05d}\nfollow_up: 2026-12-01\n---\n",
            encoding="utf-8",
        )
    return root


def _on_a_terminal(args: list[str]) -> tuple[int, str, str]:
    """Run ``args`` with standard error on a pseudo-terminal: (exit code, stdout, the screen)."""
    main, child = pty.openpty()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=child, stdin=subprocess.DEVNULL)
    os.close(child)
    screen = bytearray()
    while True:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # (the child closed its end)
                chunk = b""
            if not chunk:
                break
            screen += chunk
        elif proc.poll() is not None:
            break
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait()
    os.close(main)
    return code, out, screen.decode("utf-8", "replace")


def test_a_first_index_of_a_big_vault_shows_its_stages_on_a_terminal(tmp_path):
    root = _big_vault(tmp_path / "vault")
    code, out, screen = _on_a_terminal(
        [
            sys.executable,
            "-c",
            "import sys; from coffeechat.cli.render.progress import TerminalProgress;"
            " TerminalProgress.DELAY = 0.0; from coffeechat.cli import main;"
            " main(sys.argv[1:])",
            "--vault",
            str(root),
            "--today",
            "2026-11-23",
            "index",
        ]
    )
    assert code == 0, screen
    assert out.startswith(f"Index rebuilt: {PROGRESS_FROM + 10} notes read")
    for stage in ("Reading notes", "Linking notes", "Working out follow-ups", "Saving the index"):
        assert stage in screen
    assert "100%" in screen
    # The second run has nothing long to do: no bar.
    code, out, screen = _on_a_terminal(
        [sys.executable, "-m", "coffeechat", "--vault", str(root), "--today", "2026-11-23", "index"]
    )
    assert code == 0 and out.startswith("Index was up to date")
    assert screen == ""
