"""Where the generated files go, and writing them: atomically, and only when their bytes change.

Used by `feed`, `watch` and `serve`. Writing only on change keeps the file's mtime (and so the
HTTP Last-Modified, a sync client's upload, an Obsidian Git commit) still while nothing moves.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coffeechat.errors import CoffeechatError, UsageError
from coffeechat.storage.cachedir import CACHE_DIR, FEED_NAME, cache_dir, cache_path
from coffeechat.storage.files import atomic_write, inside_vault, read_with_fingerprint

if TYPE_CHECKING:
    from coffeechat.core.settings import Settings

__all__ = [
    "NotOurs",
    "dashboard_path",
    "feed_path",
    "mtime_ns",
    "vault_name",
    "write_dashboard",
    "write_if_changed",
]


class NotOurs(CoffeechatError):
    """The dashboard path holds a note coffeechat did not write; it is left alone."""


def vault_name(root: Path, settings: Settings) -> str:
    """The vault's name in Obsidian (for obsidian:// links): set in [feed], else the folder's."""
    return settings.feed_obsidian_vault or root.name


def feed_path(root: Path, settings: Settings, output: str | None = None) -> Path:
    """The feed file: ``-o PATH`` (relative to the working folder), else ``feed.path``:
    absolute only from the per-user settings (the vault's file may not say so), relative to
    the vault and kept inside it — a symbolic link in the vault does not lead the write out.
    Its folder must exist, except the vault's own .coffeechat/. ``feed.path`` not set: the
    vault's own feed file, .coffeechat/followups.ics."""
    if output:
        path = Path(output).expanduser().absolute()
    else:
        path = Path(settings.feed_path or f"{CACHE_DIR}/{FEED_NAME}").expanduser()
        if not path.is_absolute():
            in_cache = (root / path).parent == cache_path(root)
            # The cache folder is checked (never a link) by cache_dir below; any other
            # folder of the vault must not lead the write out through a link either.
            path = root / path if in_cache else inside_vault(root, path)
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give the feed a file name such as followups.ics")
    if path.parent == cache_path(root):
        try:
            cache_dir(root)
        except OSError as exc:
            raise CoffeechatError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    elif not path.parent.is_dir():
        raise UsageError(f"cannot write the feed to {path}: folder {path.parent} does not exist")
    return path


def dashboard_path(root: Path, settings: Settings) -> Path | None:
    """The dashboard note (``watch.dashboard``), inside the vault; None when not configured."""
    rel = settings.watch_dashboard
    if not rel:
        return None
    if not rel.lower().endswith(".md"):
        raise UsageError(
            f"watch.dashboard must name a Markdown note (…/Follow-ups.md), not {rel!r}"
        )
    path = inside_vault(root, rel)
    if not path.parent.is_dir():
        raise UsageError(f"watch.dashboard: folder {path.parent} does not exist")
    return path


def write_if_changed(
    path: Path,
    data: bytes,
    before_replace: Callable[[Path], None] | None = None,
    holds: bytes | None = None,
) -> bool:
    """Write ``data`` atomically unless the file already holds exactly these bytes
    (``holds``: what the caller knows the file holds, so it need not be read again)."""
    try:
        if holds is not None:
            if holds == data:
                return False
        elif path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CoffeechatError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        atomic_write(path, data, before_replace=before_replace)
    except OSError as exc:
        raise CoffeechatError(f"cannot write {path}: {exc.strerror or exc}") from None
    return True


def write_dashboard(
    path: Path, data: bytes, before_replace: Callable[[Path], None] | None = None
) -> bool:
    """Write the dashboard note when its bytes change — never over a note a person wrote
    (NotOurs), and never over an edit made since it was read (StaleFile)."""
    from coffeechat.obsidian.dashboard import is_dashboard

    try:
        old, fingerprint = read_with_fingerprint(path)
    except FileNotFoundError:
        try:
            atomic_write(path, data, create=True, before_replace=before_replace)
        except OSError as exc:
            raise CoffeechatError(f"cannot write {path}: {exc.strerror or exc}") from None
        return True
    except OSError as exc:
        raise CoffeechatError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not is_dashboard(old):
        raise NotOurs(
            f"{path.name} exists and is not coffeechat's dashboard: it is left alone"
            " (move it away, or set watch.dashboard to another name)"
        )
    if old == data:
        return False
    try:
        atomic_write(path, data, expected=fingerprint, before_replace=before_replace)
    except OSError as exc:
        raise CoffeechatError(f"cannot write {path}: {exc.strerror or exc}") from None
    return True


def mtime_ns(path: Path) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None
