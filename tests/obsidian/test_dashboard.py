"""The dashboard note: `coffeechat dashboard` on the sample vault — links, commands, the embedded
upcoming view, the funnel and the referral tree — and the notes it must never replace."""

from __future__ import annotations

import datetime as dt
import json
import re

from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.obsidian.dashboard import is_dashboard, render_dashboard
from conftest import TODAY


def _run(root, *args: str):
    return CliRunner().invoke(
        cli, ["--vault", str(root), "--today", TODAY.isoformat(), *args], catch_exceptions=False
    )


def test_dashboard_on_the_sample_vault(sample_copy):
    result = _run(sample_copy, "dashboard")
    assert result.exit_code == 0 and result.output == "Wrote Follow-ups.md.\n"
    board = (sample_copy / "Follow-ups.md").read_text(encoding="utf-8")
    assert is_dashboard(board.encode())
    items = json.loads(_run(sample_copy, "due", "--all", "--json").stdout)
    week = [i for i in items if dt.date.fromisoformat(i["due"]) <= TODAY + dt.timedelta(days=7)]
    assert len(week) == 12
    lines = board.splitlines()
    for item in week:
        at = next(
            n for n, line in enumerate(lines) if line.startswith("- ") and item["title"] in line
        )
        stem = item["source"].removesuffix(".md")
        assert f"[[{stem}|" in lines[at] and "obsidian://open?vault=sample&file=" in lines[at]
        assert lines[at + 1] == (
            f"  `coffeechat done {item['id']}` ·"
            f" `coffeechat snooze {item['id']} --until 2026-11-30`"
        )
    assert "![[Meetings.base#Upcoming]]" in lines
    funnel = json.loads(_run(sample_copy, "stats", "--json").stdout)["funnel"]
    block = board.split("## The funnel", 1)[1].split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert re.findall(r'"([^"]+)"', block) == [
        f"approached: {funnel['approached']}",
        f"replied: {funnel['replied']} of {funnel['approached']}",
        f"met: {funnel['met']} of {funnel['replied']}",
        f"referred: {funnel['referrals_received']}",
        "landed: not yet",
    ]
    assert "s1 --> s2 --> s3 --> s4 --> s5" in block
    tree = _run(sample_copy, "graph").output.strip()
    assert tree in board
    again = _run(sample_copy, "dashboard")
    assert again.exit_code == 0 and again.output == "Follow-ups.md is up to date.\n"


def test_the_funnel_shows_the_landed_job(sample_copy):
    config = sample_copy / "coffeechat.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[landed]\ndate = 2026-11-20\n"
        'company = "Northwind Health"\nrole = "Associate Product Manager"\n',
        encoding="utf-8",
    )
    board = _run(sample_copy, "dashboard", "-o", "-").output
    assert '"landed: Northwind Health, Associate Product Manager (2026-11-20)"' in board


def test_without_the_meetings_base_the_meetings_are_listed(vault):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-25T10:00", ["Ana Ruiz"], front='location: "Café #1"')
    board = _run(vault.root, "dashboard", "-o", "-").output
    assert "![[" not in board
    assert (
        "- **Wed 25 Nov 10:00** · [[meetings/2026-11-25 Coffee with Ana Ruiz|Coffee with Ana"
        " Ruiz]] · Café #1 · [open](obsidian://open?vault=vault&file=meetings%2F2026-11-25"
        "%20Coffee%20with%20Ana%20Ruiz)"
    ) in board
    assert _run(vault.root, "obsidian").exit_code == 0
    assert "![[Meetings.base#Upcoming]]" in _run(vault.root, "dashboard", "-o", "-").output


def test_dashboard_goes_where_watch_writes_it_or_where_asked(vault):
    vault.config('[watch]\ndashboard = "Board.md"\n')
    assert _run(vault.root, "dashboard").output == "Wrote Board.md.\n"
    (vault.root / "notes").mkdir()
    assert _run(vault.root, "dashboard", "-o", "notes/Mine.md").output == "Wrote notes/Mine.md.\n"
    assert is_dashboard((vault.root / "notes" / "Mine.md").read_bytes())
    outside = _run(vault.root, "dashboard", "-o", "../Elsewhere.md")
    assert outside.exit_code == 2 and "outside the vault" in outside.output
    assert not (vault.root.parent / "Elsewhere.md").exists()
    wrong = _run(vault.root, "dashboard", "-o", "Board.txt")
    assert wrong.exit_code == 2 and "Markdown note" in wrong.output


def test_a_note_of_that_name_is_never_replaced(vault):
    mine = vault.write("Follow-ups.md", "# My own list\n- call mum\n")
    result = _run(vault.root, "dashboard")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: Follow-ups.md exists and is not coffeechat's dashboard:"
        " it is left alone (move it away, or set watch.dashboard to"
        " another name)"
    )
    assert mine.read_text(encoding="utf-8") == "# My own list\n- call mum\n"


def test_render_is_pure_and_says_when_nothing_is_due():
    one = render_dashboard([], [], TODAY)
    assert one == render_dashboard([], [], TODAY)
    assert b"Nothing due." in one and b"obsidian://" not in one and b"## The funnel" not in one
