"""Progress on a terminal: a bar on stderr for long work (an index, an import), nothing in a
pipe or a quick run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

__all__ = ["IMPORT_PROGRESS_FROM", "TerminalProgress", "import_progress"]


class TerminalProgress:
    """`coffeechat.core.progress.Progress` as a bar on standard error, once long work has run for
    ``delay`` seconds (`DELAY`) and only on a terminal: a pipe, a log or a quick run shows
    nothing."""

    DELAY = 1.0

    def __init__(self, stream: Any = None, delay: float | None = None, clock: Any = None) -> None:
        import sys
        import time

        self.stream = stream if stream is not None else sys.stderr
        self.delay = self.DELAY if delay is None else delay
        self.clock = clock or time.monotonic
        self.started: float | None = None
        self.label, self.total, self.done = "", 0, 0
        self.bar: Any = None
        self.shown = False  # (the current stage is on the screen)

    def _terminal(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):
            return False

    def stage(self, label: str, total: int) -> None:
        if self.started is None:
            self.started = self.clock()
        self._close()
        self.label, self.total, self.done = label, total, 0
        self._show()

    def advance(self, steps: int) -> None:
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)
        else:
            self._show()

    def _show(self) -> None:
        if self.shown or self.started is None or self.clock() - self.started < self.delay:
            return
        if not self._terminal():
            return
        self.shown = True
        if self.total <= 0:
            click.echo(f"{self.label}…", file=self.stream)
            return
        self.bar = click.progressbar(length=self.total, label=self.label, file=self.stream)
        self.bar.__enter__()
        self.bar.update(self.done)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        self.bar, self.shown = None, False

    def finish(self) -> None:
        self._close()


#: Files with more records than this get a progress bar (on a terminal).
IMPORT_PROGRESS_FROM = 300


@contextmanager
def import_progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for an import of ``total`` records, only for a long file and
    only when stderr is a terminal; yields how to advance it (None: no bar)."""
    import sys

    stream = sys.stderr
    if total <= IMPORT_PROGRESS_FROM or not stream.isatty():
        yield None
        return
    with click.progressbar(length=total, label="Importing", file=stream) as bar:
        yield bar.update
