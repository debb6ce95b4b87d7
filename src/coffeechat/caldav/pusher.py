"""`watch --push`: pushes on a thread of their own, after the watcher's passes and every so
often, with retries while the server is down (`Pusher`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from coffeechat.caldav.client import Unreachable
from coffeechat.caldav.sync import PushResult

__all__ = ["Pusher"]


class Pusher:
    """Pushes for the watcher, off its thread: after a pass that changed something (at most
    once every ``interval`` seconds, so a burst of edits is one push), and every
    ``check_seconds`` to pick up tasks ticked on the phone. When the server is down it says so
    once, retries with growing waits (up to ``max_backoff``), and says when it is back; as each
    push sends the whole current state, nothing is lost meanwhile. Never raises."""

    def __init__(
        self,
        run: Callable[[], PushResult],
        report: Callable[[str], None],
        *,
        interval: float = 60.0,
        check_seconds: float = 900.0,
        first_backoff: float = 5.0,
        max_backoff: float = 300.0,
    ) -> None:
        self.run_push = run
        self.report = report
        self.interval = interval
        self.check_seconds = check_seconds
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.pushes = 0  # successful pushes (tests)
        self.failures = 0
        self._pending = False
        self._last = -1e18
        self._next_try = 0.0
        self._backoff = 0.0
        self._down = False
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="coffeechat-push", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def changed(self, *_: Any) -> None:
        """The watcher's callback: the vault changed; push soon."""
        with self._cond:
            self._pending = True
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stop:
                    now = time.monotonic()
                    due = self._due(now)
                    if due <= now:
                        break
                    self._cond.wait(min(due - now, 1.0))
                if self._stop:
                    return
                self._pending = False
            self._once()

    def _due(self, now: float) -> float:
        if self._down:
            return self._next_try
        soonest = self._last + self.check_seconds if self.check_seconds else float("inf")
        if self._pending:
            soonest = min(soonest, self._last + self.interval)
        return soonest

    def _once(self) -> None:
        started = time.monotonic()
        try:
            result = self.run_push()
        except Unreachable as exc:
            self.failures += 1
            self._backoff = min(
                self.max_backoff, self._backoff * 2 if self._backoff else self.first_backoff
            )
            self._next_try = time.monotonic() + self._backoff
            if not self._down:
                self.report(f"push: {exc}; retrying with backoff, nothing is lost")
            self._down = True
            with self._cond:
                self._pending = True
            return
        except Exception as exc:  # noqa: BLE001 - the watcher never dies of a push
            self.failures += 1
            self._last = started
            self.report(f"push failed: {exc} (trying again on the next change)")
            self._down = False
            return
        if self._down:
            self.report("push: the CalDAV server is back")
        self._down, self._backoff = False, 0.0
        self._last = started
        self.pushes += 1
        for line in result.done:
            self.report(f"done on the server: {line}")
        for line in result.failed:
            self.report(f"push: not done: {line}")
        if result.kept:
            self.report(
                f"push: {len(result.kept)} edited on the server, left as they are"
                " (`coffeechat push --overwrite` replaces them)"
            )
        if result.writes or result.calendar_created:
            self.report(f"pushed to {result.collection}: {result.counts()}")
