"""Whether the vault is in a git repository, and whether git is in the middle of something
(a commit, a merge, a rebase): the watcher waits while it is, so a `git pull` of a thousand
notes is read once, finished."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["GIT_BUSY", "git_busy", "git_dir"]

GIT_BUSY = (
    "index.lock",
    "MERGE_HEAD",
    "rebase-merge",
    "rebase-apply",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
)


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository holding ``root`` (a worktree's too), if any."""
    for folder in (root, *root.parents):
        dot = folder / ".git"
        if dot.is_dir():
            return dot
        if dot.is_file():
            try:
                text = dot.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return target if target.is_absolute() else (folder / target).resolve()
            return None
    return None


def git_busy(gitdir: Path | None) -> str | None:
    """What shows git is mid-operation (``.git/index.lock``, a merge, a rebase), or None."""
    if gitdir is None:
        return None
    for name in GIT_BUSY:
        if os.path.lexists(gitdir / name):
            return name
    return None
