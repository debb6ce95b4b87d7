"""The vault's own folder of generated files, ``.coffeechat/``: the one place that finds it.

A vault can come from elsewhere (a zip, a shared folder, a repository that committed its
``.coffeechat/``), so nothing in that folder is trusted. It is used only when it is a real
folder inside the vault: a symbolic link or a file in its place is an error, and coffeechat
never writes or deletes through it. Links planted *inside* the folder (``index.sqlite`` ->
``~/.bashrc``) are removed, never followed: SQLite, the lock and the feed would otherwise
write through them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from coffeechat.errors import UsageError

__all__ = [
    "CACHE_DIR",
    "FEED_NAME",
    "GITIGNORE",
    "VAULT_GITIGNORE_LINE",
    "CacheDirError",
    "cache_dir",
    "cache_path",
    "ignores_cache_dir",
]

CACHE_DIR = ".coffeechat"
GITIGNORE = "# coffeechat's cache and generated files: never commit them\n*\n"
#: The vault's own feed file, in the folder (``feed.path`` when it is not set).
FEED_NAME = "followups.ics"
#: The line of the vault's own .gitignore that keeps the folder out of git (`coffeechat init`).
VAULT_GITIGNORE_LINE = f"{CACHE_DIR}/"


def ignores_cache_dir(lines: set[str]) -> bool:
    """Whether the stripped lines of a vault's .gitignore already keep the folder out of git
    (however the line is spelled: with or without its slashes)."""
    return bool(lines & {VAULT_GITIGNORE_LINE, CACHE_DIR, f"/{CACHE_DIR}/", f"/{CACHE_DIR}"})


class CacheDirError(UsageError):
    """``.coffeechat`` is not a real folder inside the vault."""


def cache_path(root: Path) -> Path:
    """Where the folder is (whether or not it exists yet)."""
    return Path(root) / CACHE_DIR


def cache_dir(root: Path, create: bool = True) -> Path:
    """The vault's ``.coffeechat/`` folder, checked (and made when ``create``, with a
    .gitignore that keeps it out of git). Links inside it are removed.

    Raises `CacheDirError` (one line, exit 2) when something other than a real folder stands
    there; ``OSError`` when the folder cannot be made (a read-only vault)."""
    folder = cache_path(root)
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        if not create:
            return folder
        folder.mkdir(exist_ok=True)
        info = os.lstat(folder)
        _write_gitignore(folder)
    if stat.S_ISLNK(info.st_mode):
        raise CacheDirError(
            f"{folder} is a symbolic link; coffeechat keeps its cache only in a"
            " real folder inside the vault and never writes through a link:"
            " remove the link (it holds nothing of yours)"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise CacheDirError(
            f"{folder} is not a folder; coffeechat keeps its cache there: move that file away"
        )
    _unlink_links(folder)
    return folder


def _write_gitignore(folder: Path) -> None:
    try:
        fd = os.open(
            folder / ".gitignore", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644
        )
    except OSError:
        return  # already there (or a read-only vault): nothing to add
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(GITIGNORE)


def _unlink_links(folder: Path) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_symlink():
                os.unlink(entry.path)  # removes the link itself, never what it points at
        except OSError:
            pass
