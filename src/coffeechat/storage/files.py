"""Safe file I/O: fingerprints, atomic writes that refuse to clobber, paths kept inside the vault.

Every write coffeechat makes goes through `atomic_write`: a temporary file in the same folder,
fsync, then a rename — and, for a file that was read before, a fresh fingerprint check just
before the rename, so an edit made meanwhile (by Obsidian, git, a sync client) is never lost.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coffeechat.errors import CoffeechatError

__all__ = [
    "Fingerprint",
    "PathOutsideVault",
    "StaleFile",
    "atomic_write",
    "fingerprint",
    "inside_vault",
    "read_with_fingerprint",
]


class StaleFile(CoffeechatError):
    """The file changed on disk after coffeechat read it; nothing was written."""


class PathOutsideVault(CoffeechatError):
    """A path that would lead outside the vault."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What a file was when it was read: size, mtime and a hash of its bytes."""

    size: int
    mtime_ns: int
    sha256: str


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_with_fingerprint(path: Path) -> tuple[bytes, Fingerprint]:
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        data = fh.read()
    return data, Fingerprint(len(data), st.st_mtime_ns, _digest(data))


def fingerprint(path: Path) -> Fingerprint | None:
    """The file's fingerprint now; None when it does not exist."""
    try:
        return read_with_fingerprint(path)[1]
    except FileNotFoundError:
        return None


def inside_vault(root: Path, rel: str | os.PathLike[str]) -> Path:
    """``root / rel``, refusing anything that would land outside ``root`` (``..``, absolute
    paths, symbolic links pointing out)."""
    base = root.resolve()
    target = (base / rel).resolve()
    if target != base and base not in target.parents:
        raise PathOutsideVault(f"{os.fspath(rel)!r} is outside the vault ({base})")
    return target


def atomic_write(
    path: Path,
    data: bytes,
    *,
    expected: Fingerprint | None = None,
    create: bool = False,
    private: bool = False,
    before_replace: Callable[[Path], None] | None = None,
) -> None:
    """Write ``data`` to ``path`` atomically.

    ``expected``: the fingerprint from when the file was read; the write is refused with
    StaleFile if the file changed since. ``create``: the file must not exist yet (a new note
    never replaces one; the name is claimed with a hard link, so two writers cannot both win).
    ``private``: readable and writable by its owner only (a secret), whatever mode a file it
    replaces had; the temporary file is made so, so the secret is never readable by others.
    ``before_replace`` is a test hook called between the fsync and the rename.
    """
    folder = path.parent
    # The pid in the name lets the next writer (holding the vault's write lock) remove what a
    # writer killed before its rename left behind (`coffeechat.storage.lock.sweep_temp_files`).
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{path.name[:40]}.{os.getpid()}.cc", suffix=".tmp", dir=folder
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if private:
            os.chmod(tmp, 0o600)
        elif path.exists() and not create:
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        if before_replace is not None:
            before_replace(tmp)
        if create:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise StaleFile(f"{path.name} already exists; nothing was written") from None
            except OSError:
                # File systems without hard links: check, then rename (a small race remains).
                if path.exists():
                    raise StaleFile(f"{path.name} already exists; nothing was written") from None
                os.replace(tmp, path)
        else:
            if expected is not None and fingerprint(path) != expected:
                raise StaleFile(
                    f"{path.name} changed on disk since it was read; nothing was"
                    " written — run the command again"
                )
            os.replace(tmp, path)
        _fsync_dir(folder)
    finally:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform (Windows)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
