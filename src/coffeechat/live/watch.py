"""Keep the index, the feed and the optional dashboard note current while the vault changes.

File-system events are only hints that "something changed": the watcher filters them in its
own code (dot-folders, the templates folder, editors' temporary files), waits for a quiet
moment, then brings the index up to date by comparing every file's size and mtime with it
(`Index.refresh`), so a dropped, merged or misleading event costs nothing. A burst — a
`git pull` of a thousand files — is one re-index; nothing happens while git is mid-operation;
a full rescan runs every few minutes anyway. It writes only its own files, and only when
their bytes change; an error is reported and the watcher carries on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coffeechat.config import CONFIG_NAME, load_settings
from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError
from coffeechat.storage.scan import is_ignored

__all__ = ["Update", "Watcher", "git_busy", "git_dir", "is_editor_temp", "network_fs"]

#: A stream of events that never goes quiet is still processed this often (seconds).
MAX_WAIT = 10.0
#: How often a paused watcher looks at git again, and the longest sleep of the loop.
TICK = 0.25
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
GIT_BUSY = (
    "index.lock",
    "MERGE_HEAD",
    "rebase-merge",
    "rebase-apply",
    "CHERRY_PICK_HEAD",
    "REVERT_HEAD",
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


@dataclass
class Update:
    """What one pass did (for the messages and the tests)."""

    reason: str
    parsed: int = 0
    removed: int = 0
    skipped: bool = False  # nothing had changed: no vault was built, nothing written
    feed_written: bool = False
    dashboard_written: bool = False
    items: int = 0
    meetings: int = 0
    seconds: float = 0.0
    error: str | None = None


class Watcher:
    """Watches ``root``; `start`, then `run` until ``stop`` is set, then `stop`.

    ``today`` fixes the date (``--today``); otherwise it is read from the clock in the vault's
    time zone at each pass, so overdue items move on at midnight. ``overrides`` are the
    command line's feed options. ``on_feed`` receives the feed's bytes after every pass;
    ``after_pass`` the `Update` of every pass that rebuilt without error (`watch --push`).
    """

    def __init__(
        self,
        root: Path,
        settings: Settings,
        *,
        today: dt.date | None = None,
        output: str | None = None,
        overrides: dict[str, Any] | None = None,
        report: Callable[[str], None] = print,
        poll: bool = False,
        on_feed: Callable[[bytes, int | None], None] | None = None,
        after_pass: Callable[[Update], None] | None = None,
        observer_factory: Callable[[], Any] | None = None,
        mounts: str | None = None,
    ) -> None:
        from coffeechat.feed.ics import EventCache
        from coffeechat.storage.outputs import dashboard_path, feed_path

        self.root = root
        self.settings = settings
        self.fixed_today = today
        self.output = output
        self.overrides = overrides or {}
        self.report = report
        self.poll = poll
        self.on_feed = on_feed
        self.after_pass = after_pass
        self.observer_factory = observer_factory
        self.mounts = mounts
        self.feed_path = feed_path(root, settings, output)
        self.dashboard = dashboard_path(root, settings)
        self.gitdir = git_dir(root)
        self.cache = EventCache()
        self.updates: deque[Update] = deque(maxlen=1000)  # the latest passes (tests, messages)
        self.observer: Any = None
        self.mode = ""
        self._root = str(root)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._dirty: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._paused: str | None = None
        self._paused_since = 0.0
        self._told_stale_lock = False
        self._next_rescan = 0.0
        self._today: dt.date | None = None
        self._built = False
        self._feed_stat: tuple[int, int] | None = None
        self._own: tuple[int, int] | None = None  # size, mtime of the dashboard we last wrote
        self._told: set[str] = set()
        self._dashboard_refused = False
        self._pass_started = 0.0
        self._feed_data: bytes | None = None  # the feed as last written
        #: The agenda the feed was last written from, as the store gave it (`AgendaRefresh`):
        #: handed back to the store, which then need not read its items again.
        self._held: Any = None
        self._contacts: dict[str, Any] = {}  # the people the feed names, kept while unchanged
        self._meetings: dict[str, Any] = {}  # the meetings ahead, likewise

    # -- settings-derived values ---------------------------------------------------------------
    @property
    def debounce(self) -> float:
        return self.settings.watch_debounce_ms / 1000

    @property
    def rescan(self) -> float:
        return float(self.settings.watch_rescan_seconds)

    def today(self) -> dt.date:
        if self.fixed_today is not None:
            return self.fixed_today
        return dt.datetime.now(self.settings.tz).date()

    # -- events --------------------------------------------------------------------------------
    def relevant(self, path: str, is_directory: bool) -> str | None:
        """The vault-relative path when an event on ``path`` may change a note, else None."""
        if not path.startswith(self._root + os.sep):
            return None
        rel = path[len(self._root) + 1 :].replace(os.sep, "/")
        if rel == CONFIG_NAME:
            return rel
        name = rel.rsplit("/", 1)[-1]
        if is_editor_temp(name) or is_ignored(rel, self.settings):
            return None
        if not is_directory and not name.lower().endswith(".md"):
            return None
        if self.dashboard is not None and not is_directory and path == str(self.dashboard):
            try:
                st = os.stat(path)
                if (st.st_size, st.st_mtime_ns) == self._own:
                    return None  # the echo of our own write
            except OSError:
                pass
        return rel

    def on_event(self, event: Any) -> None:
        """The watchdog callback (runs in the observer's thread; must never raise)."""
        try:
            kind = event.event_type
            if kind in ("opened", "closed_no_write"):
                return
            if event.is_directory and kind in ("modified", "closed"):
                return
            paths = [event.src_path]
            if kind == "moved":
                paths.append(event.dest_path)
            for raw in paths:
                path = os.fsdecode(raw)
                rel = self.relevant(path, event.is_directory)
                if rel is not None:
                    self.hint(rel)
        except Exception as exc:  # noqa: BLE001 - the observer thread must survive anything
            self.report(f"warning: an event could not be handled ({exc})")

    def hint(self, rel: str) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._dirty:
                self._first = now
            self._dirty.add(rel)
            self._last = now
        self._wake.set()

    # -- the observer ----------------------------------------------------------------------------
    def _handler(self) -> Any:
        from watchdog.events import FileSystemEventHandler

        watcher = self

        class Hints(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                watcher.on_event(event)

        return Hints()

    def _polling(self) -> Any:
        from watchdog.observers.polling import PollingObserver

        observer = PollingObserver(timeout=self.settings.watch_poll_seconds)
        observer.schedule(self._handler(), self._root, recursive=True)
        observer.start()
        self.mode = f"polling every {self.settings.watch_poll_seconds} s"
        return observer

    def _start_observer(self) -> Any:
        seconds = self.settings.watch_poll_seconds
        if self.poll:
            return self._polling()
        kind = network_fs(self.root, self.mounts)
        if kind is not None:
            self.report(
                f"{self.root} is on a {kind} file system, where change events from other"
                f" machines do not arrive: polling every {seconds} s instead (--poll)"
            )
            return self._polling()
        if self.observer_factory is not None:
            observer = self.observer_factory()
        else:
            from watchdog.observers import Observer

            observer = Observer()
        try:
            observer.schedule(self._handler(), self._root, recursive=True)
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
            self.report(
                f"cannot watch {self.root} for changes ({why}): polling every {seconds} s instead"
            )
            return self._polling()
        self.mode = "watching for changes"
        return observer

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> Update:
        """Start observing, then bring everything up to date once."""
        from coffeechat.live.mailwatch import follow_maildir

        self.observer = self._start_observer()
        self.mail = follow_maildir(self.root, self.settings, self.report, self.poll)
        return self.update("start", force=True)

    def stop(self) -> None:
        mail, self.mail = getattr(self, "mail", None), None
        if mail is not None:
            mail.stop()
        observer, self.observer = self.observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=10)

    def wake(self) -> None:
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Process hints until ``stop`` is set (call `wake` after setting it)."""
        self._next_rescan = time.monotonic() + self.rescan if self.rescan else 0.0
        while not stop.is_set():
            self._wake.wait(self._timeout())
            self._wake.clear()
            if stop.is_set():
                break
            self.tick()

    def _timeout(self) -> float:
        now = time.monotonic()
        with self._lock:
            dirty, first, last = bool(self._dirty), self._first, self._last
        if dirty:
            if self._paused:
                return TICK
            due = min(last + self.debounce, first + MAX_WAIT)
            return max(0.005, min(due - now, TICK * 4))
        waits = [1.0]
        if self._next_rescan:
            waits.append(max(0.0, self._next_rescan - now))
        return min(waits)

    def tick(self) -> Update | None:
        """One look: process the hints when quiet, else rescan or roll over to a new day."""
        now = time.monotonic()
        with self._lock:
            dirty, first, last = bool(self._dirty), self._first, self._last
        if dirty and now - last < self.debounce and now - first < MAX_WAIT:
            return None
        due_rescan = bool(self._next_rescan) and now >= self._next_rescan
        new_day = self._today is not None and self.today() != self._today
        if not (dirty or due_rescan or new_day):
            return None
        self.gitdir = git_dir(self.root)  # cheap, and a vault may become a repository
        busy = git_busy(self.gitdir)
        if busy:
            if self._paused != busy:
                self.report(f"paused: git is busy (.git/{busy}); waiting for it to finish")
                self._paused, self._paused_since = busy, now
            elif (
                busy == "index.lock" and now - self._paused_since > 60 and not self._told_stale_lock
            ):
                self._told_stale_lock = True
                self.report(
                    "still paused: .git/index.lock has been there for a minute; if no git"
                    " command is running, delete it"
                )
            return None
        if self._paused:
            self.report("git is done: catching up")
            self._paused = None
            self._told_stale_lock = False
        with self._lock:
            paths, self._dirty = self._dirty, set()
        if self.rescan:
            self._next_rescan = now + self.rescan
        reason = "change" if paths else ("new day" if new_day else "rescan")
        return self.update(reason, paths)

    # -- one pass --------------------------------------------------------------------------------
    def update(
        self, reason: str, paths: set[str] | frozenset[str] = frozenset(), force: bool = False
    ) -> Update:
        """Refresh the index; when anything changed, rebuild and write what changed."""
        from coffeechat.collector import no_cycle_collection

        started = self._pass_started = time.monotonic()
        result = Update(reason)
        try:
            with no_cycle_collection():
                self._update(result, paths, force)
        except CoffeechatError as exc:
            result.error = str(exc)
        except Exception as exc:  # noqa: BLE001 - the watcher never dies
            result.error = f"unexpected {type(exc).__name__}: {exc}"
        result.seconds = time.monotonic() - started
        if result.error:
            self.report(f"error: {result.error} (trying again on the next change)")
        self.updates.append(result)
        if self.after_pass is not None and not result.skipped and not result.error:
            try:
                self.after_pass(result)
            except Exception as exc:  # noqa: BLE001 - the watcher never dies
                self.report(f"warning: after the pass: {exc}")
        return result

    def _update(self, result: Update, paths: set[str] | frozenset[str], force: bool) -> None:
        from coffeechat.core.model import Severity
        from coffeechat.storage.index import Index
        from coffeechat.storage.outputs import dashboard_path, feed_path

        changed_settings = False
        if CONFIG_NAME in paths:
            try:
                settings, warnings = load_settings(self.root)
            except CoffeechatError as exc:
                self.report(f"error: {exc} (keeping the previous settings)")
            else:
                for warning in warnings:
                    self.report(f"warning: {warning}")
                changed_settings = settings != self.settings
                self.settings = settings
                if changed_settings:  # [feed] path or [watch] dashboard may have moved
                    self.feed_path = feed_path(self.root, settings, self.output)
                    self.dashboard = dashboard_path(self.root, settings)
                    self._dashboard_refused = False
        today = self.today()
        index = Index(self.root, self.settings)
        feed_intact = self._feed_stat is not None and self._stat(self.feed_path) == self._feed_stat
        same = (
            self._built
            and not force
            and not changed_settings
            and today == self._today
            and feed_intact
        )
        if paths and same:
            # Only the saved notes, through the store; then the walk below catches whatever
            # the events did not say (a dropped event, a git checkout).
            hinted = index.agenda_for(paths - {CONFIG_NAME}, today, self._held)
            if hinted is not None:
                result.parsed, result.removed = hinted.parsed, hinted.removed
                if hinted.parsed or hinted.removed:
                    self._report_problems(index.findings_of(paths), Severity.ERROR, paths)
                if hinted.stamp is None or hinted.stamp != self._held.stamp:
                    self._publish(result, hinted, today)
        refresh = index.agenda(today, self._held)
        for warning in refresh.warnings:
            self.report(f"warning: {warning}")
        # Against the agenda the feed was last written from, not against what this walk read:
        # another command (`coffeechat due`) may have brought the store up to date first.
        if same and refresh.stamp is not None and refresh.stamp == self._held.stamp:
            result.skipped = not (result.parsed or result.removed)
            return
        result.parsed += refresh.parsed
        result.removed += refresh.removed
        self._report_problems(index.findings_of(), Severity.ERROR)
        self._publish(result, refresh, today)

    def _publish(self, result: Update, refresh: Any, today: dt.date) -> None:
        """Write the feed and the dashboard of the agenda the store gave (``refresh``), and say
        what was done."""
        from coffeechat.feed.ics import FeedOptions, render_feed
        from coffeechat.obsidian.dashboard import compose
        from coffeechat.storage.index import Index
        from coffeechat.storage.outputs import (
            NotOurs,
            mtime_ns,
            vault_name,
            write_dashboard,
            write_if_changed,
        )

        items = refresh.result.items
        # The same objects as last time for what did not change: the event cache knows them.
        held = self._held
        if (
            held is not None
            and refresh.base is not None
            and refresh.base == held.stamp
            and refresh.people_changed is not None
            and refresh.meetings_changed is not None
        ):
            _patched(self._contacts, refresh.people_changed)  # (only what the store changed)
            _patched(self._meetings, refresh.meetings_changed)
        else:
            self._meetings = _kept(self._meetings, {m.path: m for m in refresh.meetings()})
            self._contacts = _kept(self._contacts, refresh.contacts())
        meetings = [self._meetings[p] for p in sorted(self._meetings)]
        options = FeedOptions.from_settings(
            self.settings, vault_name(self.root, self.settings), **self.overrides
        )
        feed = render_feed(
            items,
            meetings,
            today,
            options,
            self._contacts,
            self.cache,
            stored=Index(self.root, self.settings).events(),
        )
        self._held = refresh
        result.items, result.meetings = feed.items, feed.meetings
        self._today = today
        # The feed is as this watcher last wrote it (or the pass would not patch): compare in
        # memory rather than read 25 MB back.
        intact = self._feed_data is not None and self._stat(self.feed_path) == self._feed_stat
        result.feed_written = (
            write_if_changed(self.feed_path, feed.data, holds=self._feed_data if intact else None)
            or result.feed_written
        )
        self._feed_stat = self._stat(self.feed_path)
        self._feed_data = feed.data
        self._built = True
        if self.on_feed is not None:
            self.on_feed(feed.data, mtime_ns(self.feed_path))
        if self.dashboard is not None and not self._dashboard_refused:
            note = compose(self.root, self.settings, items, meetings, today)
            try:
                result.dashboard_written = (
                    write_dashboard(self.dashboard, note, self._remember_own)
                    or result.dashboard_written
                )
            except NotOurs as exc:
                self._dashboard_refused = True
                self.report(f"warning: {exc}")
        wrote = [self._shown(self.feed_path)] if result.feed_written else []
        if result.dashboard_written and self.dashboard is not None:
            wrote.append(self._shown(self.dashboard))
        state = f"wrote {' and '.join(wrote)}" if wrote else "nothing to write"
        self.report(
            f"{result.reason}: {feed.items} follow-up{'s' * (feed.items != 1)},"
            f" {feed.meetings} meeting{'s' * (feed.meetings != 1)}; {state}"
            f" ({result.parsed} note{'s' * (result.parsed != 1)} read,"
            f" {time.monotonic() - self._pass_started:.2f} s)"
        )

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @staticmethod
    def _stat(path: Path) -> tuple[int, int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def _remember_own(self, tmp: Path) -> None:
        st = os.stat(tmp)
        self._own = (st.st_size, st.st_mtime_ns)

    def _report_problems(
        self, findings: list[Any], severity: Any, paths: Collection[str] | None = None
    ) -> None:
        """Say once about each note that is left out (bad YAML, conflict markers, ...):
        ``findings`` of the whole vault, or only of the notes ``paths`` (read again; the other
        notes' problems stand)."""
        current = {str(f) for f in findings if f.severity is severity}
        if paths is not None:
            current |= {
                line for line in self._told if not any(line.startswith(p + ":") for p in paths)
            }
        for line in sorted(current - self._told)[:10]:
            self.report(f"left out until fixed: {line}")
        self._told = current


def _kept(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """``new``, with the objects of ``old`` where they are equal."""
    return {k: old[k] if k in old and old[k] == v else v for k, v in new.items()}


def _patched(kept: dict[str, Any], changed: Mapping[str, Any]) -> None:
    """``kept`` with ``changed`` entries (None: gone), its objects kept where they are equal."""
    for key, value in changed.items():
        if value is None:
            kept.pop(key, None)
        elif kept.get(key) != value:
            kept[key] = value
