"""When the watcher acts on hints: after a quiet moment, at the latest MAX_WAIT after the first
of a stream that never goes quiet, and at each rescan; how long its loop may sleep meanwhile."""

from __future__ import annotations

import pytest

from coffeechat.live.timing import MAX_WAIT, TICK, rescan_due, settling, sleep_for

DEBOUNCE = 0.5


def test_hints_settle_after_a_quiet_moment():
    assert settling(100.2, True, 100.0, 100.1, DEBOUNCE)  # the last came 0.1 s ago
    assert not settling(100.7, True, 100.0, 100.1, DEBOUNCE)  # quiet for 0.6 s
    assert not settling(100.2, False, 0.0, 0.0, DEBOUNCE)  # nothing pending


def test_a_stream_that_never_goes_quiet_is_still_processed_after_max_wait():
    first = 100.0
    now = first + MAX_WAIT
    assert not settling(now, True, first, now - 0.01, DEBOUNCE)
    assert settling(now - 0.1, True, first, now - 0.11, DEBOUNCE)


@pytest.mark.parametrize(
    ("now", "next_rescan", "due"), [(5.0, 0.0, False), (5.0, 6.0, False), (6.0, 6.0, True)]
)
def test_a_rescan_is_due_only_when_one_is_set_and_its_time_has_come(now, next_rescan, due):
    assert rescan_due(now, next_rescan) is due


def test_the_loop_sleeps_until_the_hints_settle_or_the_rescan_and_never_long():
    # pending: until the debounce ends, at least 5 ms, at most four ticks
    assert sleep_for(100.0, True, 100.0, 100.0, DEBOUNCE, False, 0.0) == pytest.approx(DEBOUNCE)
    assert sleep_for(100.0, True, 90.0, 99.9999, DEBOUNCE, False, 0.0) == 0.005
    assert sleep_for(100.0, True, 100.0, 100.0, 60.0, False, 0.0) == TICK * 4
    # git busy: look again every tick
    assert sleep_for(100.0, True, 100.0, 100.0, DEBOUNCE, True, 0.0) == TICK
    # idle: a second at most, less when the rescan is sooner, none when it is overdue
    assert sleep_for(100.0, False, 0.0, 0.0, DEBOUNCE, False, 0.0) == 1.0
    assert sleep_for(100.0, False, 0.0, 0.0, DEBOUNCE, False, 100.3) == pytest.approx(0.3)
    assert sleep_for(100.0, False, 0.0, 0.0, DEBOUNCE, False, 99.0) == 0.0
