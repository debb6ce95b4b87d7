"""Keep the index, the feed and the optional dashboard note current while the vault changes.

File-system events are only hints that "something changed": the watcher filters them in its
own code (dot-folders, the templates folder, editors' temporary files), waits for a quiet
moment, then brings the index up to date by comparing every file's size and mtime with it
(`Index.refresh`), so a dropped, merged or misleading event costs nothing. A burst — a
`git pull` of a thousand files — is one re-index; nothing happens while git is mid-operation;
a full rescan runs every few minutes anyway. It writes only its own files, and only when
their bytes change; an error is reported and the watcher carries on.

This module is the loop and one pass; where the events come from (`coffeechat.live.observer`),
when to act on them (`coffeechat.live.timing`), whether git is busy (`coffeechat.live.git`) and
what a pass writes (`coffeechat.live.pass_outputs`) live beside it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coffeechat.config import CONFIG_NAME, load_settings
from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError
from coffeechat.live.git import git_busy, git_dir
from coffeechat.live.observer import is_editor_temp, start_observer
from coffeechat.live.timing import rescan_due, settling, sleep_for
from coffeechat.storage.scan import is_ignored

__all__ = ["PassReport", "Watcher"]


@dataclass
class PassReport:
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
    ``after_pass`` the `PassReport` of every pass that rebuilt without error (`watch --push`).
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
        after_pass: Callable[[PassReport], None] | None = None,
        observer_factory: Callable[[], Any] | None = None,
        mounts: str | None = None,
    ) -> None:
        from coffeechat.live.pass_outputs import Publisher

        self.root = root
        self.settings = settings
        self.fixed_today = today
        self.output = output
        self.overrides = overrides or {}
        self.report = report
        self.poll = poll
        self.after_pass = after_pass
        self.observer_factory = observer_factory
        self.mounts = mounts
        self.publisher = Publisher(
            root, settings, output=output, overrides=self.overrides, report=report, on_feed=on_feed
        )
        self.gitdir = git_dir(root)
        self.updates: deque[PassReport] = deque(maxlen=1000)  # the latest passes (tests, messages)
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
        self._told: set[str] = set()
        self._pass_started = 0.0

    @property
    def feed_path(self) -> Path:
        """Where the feed is written (the [feed] path, or ``output``)."""
        return self.publisher.feed_path

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
        if not is_directory and self.publisher.own_echo(path):
            return None  # the echo of our own write
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

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> PassReport:
        """Start observing, then bring everything up to date once."""
        from coffeechat.live.mailwatch import follow_maildir

        self.observer, self.mode = start_observer(
            self.root,
            self.settings.watch_poll_seconds,
            self.on_event,
            self.report,
            poll=self.poll,
            mounts=self.mounts,
            observer_factory=self.observer_factory,
        )
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
        with self._lock:
            dirty, first, last = bool(self._dirty), self._first, self._last
        return sleep_for(
            time.monotonic(),
            dirty,
            first,
            last,
            self.debounce,
            bool(self._paused),
            self._next_rescan,
        )

    def tick(self) -> PassReport | None:
        """One look: process the hints when quiet, else rescan or roll over to a new day."""
        now = time.monotonic()
        with self._lock:
            dirty, first, last = bool(self._dirty), self._first, self._last
        if settling(now, dirty, first, last, self.debounce):
            return None
        due_rescan = rescan_due(now, self._next_rescan)
        day = self.publisher.day
        new_day = day is not None and self.today() != day
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
    ) -> PassReport:
        """Refresh the index; when anything changed, rebuild and write what changed."""
        from coffeechat.collector import no_cycle_collection

        started = self._pass_started = time.monotonic()
        result = PassReport(reason)
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

    def _update(self, result: PassReport, paths: set[str] | frozenset[str], force: bool) -> None:
        from coffeechat.core.model import Severity
        from coffeechat.storage.cache.index import Index

        publisher = self.publisher
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
                    publisher.retarget(settings)
        today = self.today()
        index = Index(self.root, self.settings)
        same = (
            publisher.built
            and not force
            and not changed_settings
            and today == publisher.day
            and publisher.feed_intact()
        )
        if paths and same:
            # Only the saved notes, through the store; then the walk below catches whatever
            # the events did not say (a dropped event, a git checkout).
            hinted = index.agenda_for(paths - {CONFIG_NAME}, today, publisher.held)
            if hinted is not None:
                result.parsed, result.removed = hinted.parsed, hinted.removed
                if hinted.parsed or hinted.removed:
                    self._report_problems(index.findings_of(paths), Severity.ERROR, paths)
                if hinted.stamp is None or hinted.stamp != publisher.held.stamp:
                    publisher.publish(result, hinted, today, self._pass_started)
        refresh = index.agenda(today, publisher.held)
        for warning in refresh.warnings:
            self.report(f"warning: {warning}")
        # Against the agenda the feed was last written from, not against what this walk read:
        # another command (`coffeechat due`) may have brought the store up to date first.
        if same and refresh.stamp is not None and refresh.stamp == publisher.held.stamp:
            result.skipped = not (result.parsed or result.removed)
            return
        result.parsed += refresh.parsed
        result.removed += refresh.removed
        self._report_problems(index.findings_of(), Severity.ERROR)
        publisher.publish(result, refresh, today, self._pass_started)

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
