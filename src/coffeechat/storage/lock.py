"""The vault's write lock: one coffeechat writes to a vault at a time.

Every command that writes notes holds ``.coffeechat/write.lock`` (``fcntl.flock``, so the lock
goes away with the process, even after SIGKILL) from before it reads the vault until its last
write; a second coffeechat waits for it, then reads what the first wrote, so no edit is lost.
After ``timeout`` seconds it gives up with a clear message naming the holder's pid.

Holding the lock also makes it safe to sweep the temporary files of writers that were killed
between writing a temporary file and renaming it (``atomic_write`` names them with its pid).

The lock is re-entrant within one thread (other threads wait like other processes). On Windows (no ``fcntl``) ``msvcrt.locking`` is
used; where neither exists, writes are not serialised (the fingerprint check still refuses
to clobber a file that changed).
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coffeechat.errors import CoffeechatError
from coffeechat.storage.cachedir import CACHE_DIR, cache_dir, cache_path

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

try:  # pragma: no cover - Windows
    import msvcrt
except ImportError:
    msvcrt = None  # type: ignore[assignment]

__all__ = ["LOCK_NAME", "VaultBusy", "sweep_temp_files", "write_lock"]

LOCK_NAME = "write.lock"
#: How long a writer waits for another one (seconds); COFFEECHAT_LOCK_TIMEOUT overrides it.
DEFAULT_TIMEOUT = 30.0
#: The temporary files `atomic_write` makes: ``.<name>.<pid>.cc<random>.tmp``.
TEMP_FILE = re.compile(r"^\..*\.(\d+)\.cc[A-Za-z0-9_]+\.tmp$")


class VaultBusy(CoffeechatError):
    """Another coffeechat held the vault's write lock for longer than the timeout."""


_held: dict[tuple[str, int], tuple[int, int]] = {}  # (resolved root, thread) -> (fd, depth)
_guard = threading.RLock()


def _timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    try:
        return float(os.environ.get("COFFEECHAT_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _try_lock(fd: int) -> bool:
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if msvcrt is not None:  # pragma: no cover - Windows
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return True  # pragma: no cover - no locking available


def _unlock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
    elif msvcrt is not None:  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 64).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (pid {text})" if text.isdigit() else ""


@contextmanager
def write_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the vault's write lock for the ``with`` block; raise VaultBusy after ``timeout``."""
    key = (os.path.realpath(root), threading.get_ident())  # re-entrant per thread, not shared
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            held = True
        else:
            held = False
    if held:
        try:
            yield
        finally:
            with _guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return
    folder = cache_path(Path(root))
    try:
        cache_dir(Path(root))
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise CoffeechatError(
            f"cannot lock the vault for writing ({folder / LOCK_NAME}: {exc.strerror or exc})"
        ) from None
    try:
        deadline = time.monotonic() + _timeout(timeout)
        delay = 0.005
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise VaultBusy(
                    f"another coffeechat is writing to this vault{_holder(fd)};"
                    " try again (the lock is .coffeechat/write.lock)"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        except OSError:
            pass  # the pid is only for the message
        with _guard:
            _held[key] = (fd, 1)
        try:
            sweep_temp_files(Path(root))
            yield
        finally:
            with _guard:
                del _held[key]
            _unlock(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its file alone
    return True


def sweep_temp_files(root: Path) -> list[str]:
    """Delete temporary files left by writers that died before their rename; return them.

    Only files named as `atomic_write` names them and whose writer process is gone are
    removed. Dot-folders other than the vault's own cache are not entered."""
    removed: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not name.startswith(".") or (folder == root and name == CACHE_DIR):
                        stack.append(Path(entry.path))
                    continue
            except OSError:
                continue
            m = TEMP_FILE.match(name)
            if m is None or _alive(int(m[1])):
                continue
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(entry.path)
    return removed
