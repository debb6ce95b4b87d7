"""Where the watcher's hints come from: a watchdog observer (inotify and the like) on the
vault, or polling where events do not arrive (a network or VM-shared file system, or when the
system's limit of watches is reached), and which file names are only an editor's temporary
files."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["NETWORK_FS", "is_editor_temp", "network_fs", "start_observer"]

#: File systems on which inotify sees no changes made by other machines: poll there.
NETWORK_FS = frozenset(
    {
        "cifs",
        "smb3",
        "smbfs",
        "nfs",
        "nfs4",
        "9p",
        "v9fs",
        "drvfs",
        "fuse.sshfs",
        "sshfs",
        "afpfs",
        "davfs",
        "fuse.rclone",
        "vboxsf",
        "fuse.vmhgfs-fuse",
    }
)


def is_editor_temp(name: str) -> bool:
    """Temporary and backup files that editors make beside a note while saving it."""
    low = name.lower()
    return (
        name.isdigit()  # vim's write probe: 4913 (then 5036, ...)
        or name.endswith("~")  # vim, emacs, gedit backups
        or name.startswith((".", "#"))  # .A.md.swp, .#A.md locks, #A.md# autosaves
        or low.endswith((".swp", ".swo", ".swx", ".tmp", ".temp", ".crswap", ".part"))
        or "___jb_" in name  # JetBrains safe write: A.md___jb_tmp___, A.md___jb_old___
    )


def network_fs(path: Path, mounts: str | None = None) -> str | None:
    """The type of a network or VM-shared file system holding ``path`` (where inotify
    misses changes), or None. Reads /proc/mounts; ``mounts`` is for tests."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, kind = "", ""
    target = str(path)
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind if kind in NETWORK_FS else None


def _handler(on_event: Callable[[Any], None]) -> Any:
    from watchdog.events import FileSystemEventHandler

    class Hints(FileSystemEventHandler):
        def on_any_event(self, event: Any) -> None:
            on_event(event)

    return Hints()


def _polling(root: Path, seconds: int, on_event: Callable[[Any], None]) -> tuple[Any, str]:
    from watchdog.observers.polling import PollingObserver

    observer = PollingObserver(timeout=seconds)
    observer.schedule(_handler(on_event), str(root), recursive=True)
    observer.start()
    return observer, f"polling every {seconds} s"


def start_observer(
    root: Path,
    seconds: int,
    on_event: Callable[[Any], None],
    report: Callable[[str], None],
    *,
    poll: bool = False,
    mounts: str | None = None,
    observer_factory: Callable[[], Any] | None = None,
) -> tuple[Any, str]:
    """A started observer that hands every event under ``root`` to ``on_event``, and what it
    does (the watcher's ``mode``): polling every ``seconds`` when ``poll`` asks for it, on a
    network file system (``mounts``: /proc/mounts, for tests), and when the system refuses
    another watch (said through ``report``); watching for events otherwise."""
    if poll:
        return _polling(root, seconds, on_event)
    kind = network_fs(root, mounts)
    if kind is not None:
        report(
            f"{root} is on a {kind} file system, where change events from other"
            f" machines do not arrive: polling every {seconds} s instead (--poll)"
        )
        return _polling(root, seconds, on_event)
    if observer_factory is not None:
        observer = observer_factory()
    else:
        from watchdog.observers import Observer

        observer = Observer()
    try:
        observer.schedule(_handler(on_event), str(root), recursive=True)
        observer.start()
    except OSError as exc:
        with contextlib.suppress(Exception):  # it never started: nothing to stop
            observer.stop()
        if exc.errno == errno.ENOSPC:
            why = (
                "the system's limit of watched folders is reached; to raise it: sudo sysctl"
                " fs.inotify.max_user_watches=524288"
            )
        elif exc.errno == errno.EMFILE:
            why = (
                "too many watchers are open; to raise the limit: sudo sysctl"
                " fs.inotify.max_user_instances=1024"
            )
        else:
            why = str(exc.strerror or exc)
        report(f"cannot watch {root} for changes ({why}): polling every {seconds} s instead")
        return _polling(root, seconds, on_event)
    return observer, "watching for changes"
