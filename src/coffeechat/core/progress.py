"""How far long work has got: a first index of a big vault reads and parses every note, then
works out every follow-up, for tens of seconds. The store reports stages and counts here;
whoever runs coffeechat decides whether and how to show them (the command line draws a bar on
a terminal: `coffeechat.cli.render.progress.TerminalProgress`). Nothing is reported to nobody."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

__all__ = ["Progress", "current", "shown_by"]


class Progress(Protocol):
    def stage(self, label: str, total: int) -> None:
        """A stage of ``total`` steps begins (0: of no known length)."""

    def advance(self, steps: int) -> None:
        """``steps`` more of the current stage are done."""

    def finish(self) -> None:
        """The work is over: take the bar away."""


_CURRENT: ContextVar[Progress | None] = ContextVar("coffeechat_progress", default=None)


def current() -> Progress | None:
    """Where long work reports its progress now, if anywhere."""
    return _CURRENT.get()


@contextmanager
def shown_by(progress: Progress) -> Iterator[Progress]:
    """Report long work to ``progress`` inside the block."""
    token = _CURRENT.set(progress)
    try:
        yield progress
    finally:
        _CURRENT.reset(token)
        progress.finish()
