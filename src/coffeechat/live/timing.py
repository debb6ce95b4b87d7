"""When the watcher acts: after a quiet moment once events arrive (the debounce), at the latest
`MAX_WAIT` after the first of a stream that never goes quiet, and at each periodic rescan.
Pure: the times are handed in (``time.monotonic()`` seconds), so the rules are plain
arithmetic the watcher's loop asks."""

from __future__ import annotations

__all__ = ["MAX_WAIT", "TICK", "rescan_due", "settling", "sleep_for"]

#: A stream of events that never goes quiet is still processed this often (seconds).
MAX_WAIT = 10.0
#: How often a paused watcher looks at git again, and the longest sleep of the loop.
TICK = 0.25


def settling(now: float, pending: bool, first: float, last: float, debounce: float) -> bool:
    """Whether hints are pending but still arriving: the last came less than ``debounce``
    ago, and the first less than `MAX_WAIT` ago."""
    return pending and now - last < debounce and now - first < MAX_WAIT


def rescan_due(now: float, next_rescan: float) -> bool:
    """Whether the periodic rescan is due (``next_rescan`` 0: there is none)."""
    return bool(next_rescan) and now >= next_rescan


def sleep_for(
    now: float,
    pending: bool,
    first: float,
    last: float,
    debounce: float,
    paused: bool,
    next_rescan: float,
) -> float:
    """How long the loop may sleep before it looks again: until the pending hints settle
    (`TICK` while git is busy), else until the rescan, and never more than a second."""
    if pending:
        if paused:
            return TICK
        due = min(last + debounce, first + MAX_WAIT)
        return max(0.005, min(due - now, TICK * 4))
    waits = [1.0]
    if next_rescan:
        waits.append(max(0.0, next_rescan - now))
    return min(waits)
