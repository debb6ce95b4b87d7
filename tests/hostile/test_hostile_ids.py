"""A stale id never edits the wrong line: tasks of the same text keep their ids when their lines
swap, and `done` refuses a line that no longer holds the task its id was made from."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from coffeechat.core.note.edits import EditRefused, tick_task

FIRST = "- [ ] send Bo the deck 📅 2026-11-20"
SECOND = "- [ ] send Bo the deck 📅 2026-12-04"


def _note(first: str, second: str) -> str:
    return f"---\ntype: contact\nname: Bo Li\n---\n## Tasks\n{first}\n{second}\n"


def _ids(run) -> dict[str, str]:
    result = run("due", "--all", "--json")
    assert result.exit_code == 0, result.stderr
    return {
        item["due"]: item["id"] for item in json.loads(result.stdout) if item["rule"] == "follow_up"
    }


def test_swapping_two_same_text_tasks_keeps_their_ids(vault, run):
    path = vault.write("contacts/Bo Li.md", _note(FIRST, SECOND))
    before = _ids(run)
    assert len(set(before.values())) == 2
    path.write_text(_note(SECOND, FIRST), encoding="utf-8")
    assert _ids(run) == before


def test_done_with_an_id_shown_before_the_swap_ticks_that_task(vault, run):
    path = vault.write("contacts/Bo Li.md", _note(FIRST, SECOND))
    shown = _ids(run)["2026-11-20"]  # what the calendar event said, hours ago
    path.write_text(_note(SECOND, FIRST), encoding="utf-8")
    result = run("done", shown)
    assert result.exit_code == 0, result.stderr
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[5] == SECOND  # the 2026-12-04 task is untouched
    assert lines[6] == "- [x] send Bo the deck 📅 2026-11-20 ✅ 2026-11-23"


def test_the_same_task_twice_on_one_date_gets_two_ids(vault, run):
    vault.write("contacts/Bo Li.md", _note(FIRST, FIRST))
    result = run("due", "--all", "--json")
    ids = [i["id"] for i in json.loads(result.stdout) if i["rule"] == "follow_up"]
    assert len(ids) == 2 and len(set(ids)) == 2


def test_done_refuses_a_line_that_no_longer_holds_its_task(vault, run, monkeypatch):
    """A sync client swaps the lines between coffeechat's read and its write, keeping the
    file's modification time (so the fingerprint check alone cannot tell): the tick finds
    another task on the line and refuses."""
    from coffeechat.storage import writer

    path = vault.write("contacts/Bo Li.md", _note(FIRST, SECOND))
    shown = _ids(run)["2026-11-20"]
    edit_note = writer.edit_note

    def sync_then_edit(root, rel, edit, **kwargs):
        stat = path.stat()
        path.write_text(_note(SECOND, FIRST), encoding="utf-8")
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        return edit_note(root, rel, edit, **kwargs)

    monkeypatch.setattr(writer, "edit_note", sync_then_edit)
    result = run("done", shown)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: contacts/Bo Li.md:6: line 6 is no longer the task “send Bo the deck” due"
        " 2026-11-20 (the note changed since that id was shown): run `coffeechat due` for the"
        " current ids\n"
    )
    assert path.read_text(encoding="utf-8") == _note(SECOND, FIRST)


@pytest.mark.parametrize(
    "line, expect",
    [
        (SECOND, ("send Bo the deck", dt.date(2026, 11, 20))),
        (FIRST, ("send Al the deck", dt.date(2026, 11, 20))),
        ("- [ ] send Bo the deck", ("send Bo the deck", dt.date(2026, 11, 20))),
    ],
)
def test_tick_task_checks_what_it_ticks(line, expect):
    data = _note(line, "").encode()
    with pytest.raises(EditRefused, match="is no longer the task"):
        tick_task(data, 6, dt.date(2026, 11, 23), expect)


def test_tick_task_ticks_the_expected_task():
    data = _note(FIRST, SECOND).encode()
    out = tick_task(data, 6, dt.date(2026, 11, 23), ("send Bo the deck", dt.date(2026, 11, 20)))
    assert out.decode().splitlines()[5] == "- [x] send Bo the deck 📅 2026-11-20 ✅ 2026-11-23"
