"""Dates at the edges of the calendar: a meeting on 9999-12-31T23:59 is a `check` finding and
left out, everything else still works, a `--today` far out is a usage error; and `serve` never
sends an empty or partial calendar, whatever a rebuild does."""

from __future__ import annotations

import datetime as dt
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coffeechat.config import load_settings
from coffeechat.live.serve import FEED_NAME, FeedServer, FeedState, watcher_report
from coffeechat.live.watch import Watcher

TODAY = dt.date(2026, 11, 23)
FAR = '---\ntype: meeting\ndate: 9999-12-31T23:59\nwith:\n  - "[[Jane Doe]]"\n---\n'


@pytest.fixture
def far_vault(vault):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.meeting("2026-11-25T10:00", ["Jane Doe"])
    vault.write("meetings/Far.md", FAR)
    return vault


@pytest.mark.parametrize(
    "args",
    [
        ("feed", "-o", "-"),
        ("prep", "Jane"),
        ("due", "--all"),
        ("show", "Jane"),
        ("stats",),
        ("due", "--json"),
    ],
)
def test_a_meeting_at_the_end_of_time_is_left_out(far_vault, run, args):
    result = run(*args)
    assert result.exit_code == 0, result.output + result.stderr
    assert "unexpected" not in result.output + result.stderr


def test_check_names_it_with_its_line(far_vault, run):
    result = run("check")
    assert result.exit_code == 1
    assert (
        "meetings/Far.md:3: date: 9999-12-31 is outside the years 1900–2999 coffeechat"
        " handles; the meeting is left out until it is fixed"
    ) in result.output


def test_the_feed_still_holds_everything_else(far_vault, run):
    feed = run("feed", "-o", "-").output
    assert feed.count("BEGIN:VEVENT") >= 2  # Jane's follow-up and the 2026-11-25 meeting
    assert "9999" not in feed


def test_the_watcher_builds_the_feed(far_vault):
    settings, _ = load_settings(far_vault.root)
    lines: list[str] = []
    watcher = Watcher(far_vault.root, settings, today=TODAY, report=lines.append)
    try:
        watcher.start()
    finally:
        watcher.stop()
    assert not [line for line in lines if line.startswith("error")], lines
    assert watcher.feed_path.read_bytes().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize("today", ["0001-01-01", "9999-12-31", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("args", [("due",), ("feed", "-o", "-"), ("show", "Jane")])
def test_a_today_far_out_is_a_usage_error(far_vault, run, today, args):
    result = run("--today", today, *args, today=None)
    assert result.exit_code == 2
    assert f"Invalid value for '--today': {today} is outside the years 1900–2999" in result.stderr
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize("today", ["1900-01-01", "2999-12-31"])
def test_the_edges_themselves_work(far_vault, run, today):
    for args in (("due", "--all"), ("feed", "-o", "-"), ("show", "Jane")):
        result = run("--today", today, *args, today=None)
        assert result.exit_code == 0, result.output + result.stderr


def test_someday_dates_elsewhere_are_still_read(vault, run):
    vault.write(
        "contacts/Sam.md",
        "---\ntype: contact\nname: Sam\nfollow_up: 9999-12-31\n"
        "cadence: 9000y\nsnooze:\n  - abcdef1234 until 9999-12-31\n---\n## Log\n"
        "- 9999-12-31 approach: hi\n- [ ] ask 📅 9999-12-31\n",
    )
    for args in (("due", "--all"), ("feed", "-o", "-"), ("show", "Sam"), ("check",)):
        result = run(*args)
        assert result.exit_code in (0, 1), result.output + result.stderr
        assert "unexpected" not in result.output + result.stderr


# --- serve: never an empty or partial calendar ----------------------------------------------

TOKEN = "hostile-" + "k" * 30


@pytest.fixture
def served() -> Iterator[tuple[FeedServer, FeedState]]:
    state = FeedState()
    server = FeedServer("127.0.0.1", 0, TOKEN, state, log=lambda line: None)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield server, state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _fetch(server: FeedServer) -> tuple[int, dict[str, str], bytes]:
    url = f"http://127.0.0.1:{server.port}/{TOKEN}/{FEED_NAME}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _broken_render(*args: object, **kwargs: object) -> object:
    raise OverflowError("date value out of range")


def _serving_watcher(root: Path, state: FeedState) -> tuple[Watcher, list[str]]:
    """A watcher wired as `serve` wires it: good feeds into ``state``, its report to a log."""
    settings, _ = load_settings(root)
    log: list[str] = []
    return Watcher(
        root, settings, today=TODAY, on_feed=state.update, report=watcher_report(state, log.append)
    ), log


def test_no_feed_yet_is_503_not_an_empty_calendar(served):
    server, _state = served
    code, headers, body = _fetch(server)
    assert code == 503 and headers["Retry-After"] == "60"
    assert b"VCALENDAR" not in body and not headers.get("ETag")


def test_a_failed_first_build_answers_503_and_says_so(far_vault, served, monkeypatch):
    server, state = served
    monkeypatch.setattr("coffeechat.feed.render.render_feed", _broken_render)
    watcher, log = _serving_watcher(far_vault.root, state)
    try:
        watcher.start()
    finally:
        watcher.stop()
    assert any(line.startswith("error: unexpected OverflowError") for line in log), log
    assert "no feed built yet: answering 503 (try again later) until one is" in log
    assert _fetch(server)[0] == 503


def test_a_failed_rebuild_keeps_serving_the_last_good_feed(far_vault, served, monkeypatch):
    server, state = served
    watcher, log = _serving_watcher(far_vault.root, state)
    try:
        watcher.start()
        code, headers, good = _fetch(server)
        assert code == 200 and good.startswith(b"BEGIN:VCALENDAR") and b"END:VCALENDAR" in good
        monkeypatch.setattr("coffeechat.feed.render.render_feed", _broken_render)
        far_vault.contact("Bo Li", log="2026-11-02 approach: emailed")
        watcher.update("change", {"contacts/Bo Li.md"}, force=True)
    finally:
        watcher.stop()
    assert any(line.startswith("still serving the last good feed (built ") for line in log), log
    again = _fetch(server)
    assert again[0] == 200 and again[2] == good and again[1]["ETag"] == headers["ETag"]


@pytest.mark.parametrize(
    "key",
    [
        "give_up_after",
        "follow_up_approach",
        "prepare",
        "thank_you",
        "reach_referral",
        "report_back",
    ],
)
def test_a_rule_window_off_the_calendar_is_a_setting_error(vault, run, key):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.config(f"[rules]\n{key} = 10000000\n")
    result = run("due")
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: coffeechat.toml:2: rules.{key} must be a whole number from 0 to 36500\n"
    )
    vault.config(f"[rules]\n{key} = 36500\n")
    assert run("due").exit_code == 0 and run("feed", "-o", "-").exit_code == 0
