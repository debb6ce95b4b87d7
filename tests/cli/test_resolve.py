"""Names a user types resolve to the note they mean: meetings by the title coffeechat prints
and by "NAME on DATE", and a note that cannot be read is named with its error."""

from __future__ import annotations

import pytest


@pytest.fixture
def story(vault):
    vault.contact("Priya Shah", front="company: Acme")
    vault.contact("Tom Ng")
    vault.meeting("2026-11-10", ["Priya Shah"], front="kind: coffee")
    vault.meeting(
        "2026-11-30", ["Tom Ng"], front="kind: video", title="2026-11-30 Video call with Tom Ng"
    )
    vault.meeting(
        "2026-12-07",
        ["Priya Shah"],
        front="kind: coffee",
        title="2026-12-07 Coffee with Priya Shah",
    )
    return vault


def test_meetings_are_found_by_the_title_coffeechat_prints(story, run):
    due = run("due", "--all").stdout
    assert "Prepare for Video call with Tom Ng" in due
    shown = run("show", "Video call with Tom Ng")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith("Video call with Tom Ng — 2026-11-30, scheduled")
    prep = run("prep", "video call with tom ng")  # any case, as typed
    assert prep.exit_code == 0 and prep.stdout.startswith("# Prep: Video call with Tom Ng")
    written = run("prep", "Video call with Tom Ng", "--write")
    assert written.stdout == (
        "Wrote the prep sheet into meetings/2026-11-30 Video call with"
        " Tom Ng.md under ## Prep sheet and set prepared: 2026-11-23\n"
    )


def test_name_on_date_picks_one_of_several(story, run):
    both = run("show", "Coffee with Priya Shah")
    assert both.exit_code == 2 and both.stdout == ""
    assert both.stderr == (
        "Error: 'Coffee with Priya Shah' matches 2 meetings: 'Priya Shah on"
        " 2026-11-10', 'Priya Shah on 2026-12-07' — say which one\n"
    )
    for name in (
        "Priya Shah on 2026-12-07",
        "priya on 2026-12-07",
        "Coffee with Priya Shah on 2026-12-07",
        "Coffee with Priya Shah (2026-12-07)",
        "Coffee with Priya Shah (2026-12-07 09:30)",
    ):
        result = run("show", name)
        assert result.exit_code == 0, (name, result.stderr)
        assert result.stdout.startswith("Coffee with Priya Shah — 2026-12-07, scheduled")
    assert run("prep", "Priya Shah on 2026-12-07").stdout.startswith(
        "# Prep: Coffee with Priya Shah — Mon 7 Dec 2026"
    )
    none = run("show", "Priya Shah on 2026-12-08")
    assert none.exit_code == 2
    assert (
        none.stderr == "Error: no contact, company or meeting matches 'Priya Shah on 2026-12-08'\n"
    )


def test_a_contact_name_still_means_the_contact(story, run):
    assert run("show", "Priya Shah").stdout.startswith("Priya Shah — Acme")
    assert run("show", "Priya").stdout.startswith("Priya Shah — Acme")
    assert run("log", "Priya", "note", "x").exit_code == 0


DUPLICATE = """\
---
type: contact
name: Priya Shah
role: PM
company: Acme
role: Director
---

## Log
- 2026-11-02 approach: emailed
"""


@pytest.mark.parametrize(
    "args",
    [
        ("show", "Priya"),
        ("show", "Priya Shah"),
        ("log", "Priya", "note", "met at the fair"),
        ("prep", "Priya"),
        ("meet", "Priya Shah", "--date", "2026-12-01"),
        ("draft", "follow_up", "Priya"),
    ],
)
def test_a_broken_note_is_named_with_its_error(vault, run, args):
    vault.contact("Tom Ng")
    path = vault.write("contacts/Priya Shah.md", DUPLICATE)
    before = path.read_bytes()
    result = run(*args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: contacts/Priya Shah.md:6: duplicate key")
    assert "no contact matches" not in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in (vault.root / "meetings").iterdir()) == []


def test_nobody_is_still_no_match(vault, run):
    vault.write("contacts/Priya Shah.md", DUPLICATE)
    result = run("log", "Nobody", "note", "x")
    assert result.exit_code == 2 and result.stderr == "Error: no contact matches 'Nobody'\n"
