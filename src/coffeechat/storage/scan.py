"""Walk a vault: every Markdown note with its size and mtime, skipping what is not a note."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import NamedTuple

from coffeechat.core.settings import Settings

__all__ = ["FileStat", "is_ignored", "scan"]

#: Files that are never notes wherever they are (the Obsidian Git plugin's conflict list).
IGNORED_FILES = frozenset({"conflict-files-obsidian-git.md"})


class FileStat(NamedTuple):
    """A note file as the walk saw it (a named tuple: a vault has 100,000 of them)."""

    path: str  # vault-relative, "/"-separated, as on disk
    size: int
    mtime_ns: int


def _folded(rel: str) -> str:
    return unicodedata.normalize("NFC", rel).casefold()


def is_ignored(rel: str, settings: Settings) -> bool:
    """Whether a vault-relative path (file or folder) is never read as a note."""
    parts = rel.split("/")
    if any(p.startswith(".") for p in parts):
        return True
    if parts[-1].lower() in IGNORED_FILES:
        return True
    folded = _folded(rel)
    for folder in (settings.templates_folder, *settings.ignore):
        f = _folded(folder)
        if folded == f or folded.startswith(f + "/"):
            return True
    return False


def scan(root: Path, settings: Settings) -> tuple[dict[str, FileStat], list[tuple[str, str]]]:
    """All notes under ``root``: {path: FileStat}, plus (path, problem) for what could not be read.

    Symbolic links are not followed (no loops, nothing outside the vault); dot-folders,
    the templates folder and ignored folders are never entered.
    """
    found: dict[str, FileStat] = {}
    problems: list[tuple[str, str]] = []
    # Folders are checked against the ignore list as the walk enters them; a file needs its
    # own check only when the list names a file (`ignore = ["Dashboard.md"]`).
    files_ignored = any(f.lower().endswith(".md") for f in settings.ignore)
    stack = [""]
    new = tuple.__new__  # FileStat(...) without NamedTuple's Python-level __new__
    while stack:
        rel_dir = stack.pop()
        prefix = f"{rel_dir}/" if rel_dir else ""
        try:
            listing = os.scandir(root / rel_dir if rel_dir else root)
        except OSError as exc:
            problems.append((rel_dir or ".", f"folder cannot be read: {exc.strerror}"))
            continue
        with listing:
            for entry in listing:
                name = entry.name
                if name[0] == ".":
                    continue
                try:
                    if name.endswith(".md") or name[-3:].lower() == ".md":
                        st = entry.stat(follow_symlinks=False)  # one lstat: note, link or folder
                        if S_ISREG(st.st_mode):
                            rel = prefix + name
                            if not (
                                (files_ignored or name.lower() in IGNORED_FILES)
                                and is_ignored(rel, settings)
                            ):
                                found[rel] = new(FileStat, (rel, st.st_size, st.st_mtime_ns))
                            continue
                        if S_ISLNK(st.st_mode):
                            problems.append(
                                (
                                    prefix + name,
                                    "is a symbolic link; coffeechat does not follow links",
                                )
                            )
                            continue
                    if entry.is_dir(follow_symlinks=False) and not is_ignored(
                        prefix + name, settings
                    ):
                        stack.append(prefix + name)
                except FileNotFoundError:
                    continue  # vanished while we looked
                except OSError as exc:
                    problems.append((prefix + name, f"cannot be read: {exc.strerror}"))
    return found, problems
