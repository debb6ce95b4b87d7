"""The recording view and day (`coffeechat.core.agenda.recording`): what they note is exactly what
decides the answers they gave."""

from __future__ import annotations

import datetime as dt
import operator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coffeechat.core.agenda.recording import NEVER, Day, Reads, RecordingVault

OPS = [operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne]
DAYS = st.dates(dt.date(1, 1, 2), dt.date(9999, 12, 30))


@given(
    today=DAYS,
    others=st.lists(st.tuples(DAYS, st.sampled_from(OPS), st.booleans()), min_size=1, max_size=6),
    probe=st.integers(-400, 400),
)
def test_every_comparison_turns_out_the_same_across_the_window(today, others, probe):
    """Compare today with some dates (today on either side); on any other day inside the window
    the comparisons come out the same, and just outside it one of them differs."""
    reads = Reads(today)
    day = Day(today, reads)

    def results(ordinal):
        day = dt.date.fromordinal(ordinal)
        return [op(day, d) if left else op(d, day) for d, op, left in others]

    seen = [op(day, d) if left else op(d, day) for d, op, left in others]
    t = today.toordinal()
    assert seen == results(t)
    lo, hi = reads.window()
    assert lo <= t < hi
    if lo <= t + probe < hi:
        assert results(t + probe) == seen
    if lo > 0:
        assert results(lo - 1) != seen
    if hi < NEVER:
        assert results(hi) != seen


@pytest.mark.parametrize(
    "use",
    [
        lambda d: d.year,
        lambda d: d.isoformat(),
        str,
        hash,
        lambda d: d - dt.timedelta(days=3),
        lambda d: d + dt.timedelta(days=3),
        lambda d: dt.date(2026, 1, 1) - d,
        lambda d: d.toordinal(),
        lambda d: f"{d:%Y}",
        lambda d: d.weekday(),
        lambda d: d.replace(day=1),
    ],
)
def test_any_other_use_of_today_pins_the_window_to_today(use):
    today = dt.date(2026, 3, 10)
    reads = Reads(today)
    day = Day(today, reads)
    value = use(day)
    assert value == use(today)
    assert type(value) is not Day  # nothing derived from it goes on noting
    assert reads.window() == (today.toordinal(), today.toordinal() + 1)


def test_a_day_compared_with_nothing_holds_forever():
    assert Reads(dt.date(2026, 3, 10)).window() == (0, NEVER)


def test_the_view_notes_lookups_and_refuses_to_walk_the_vault(tmp_path):
    from coffeechat.core.note.parse import parse_note
    from coffeechat.core.settings import Settings
    from coffeechat.core.vault.builder import build_vault

    notes = [
        parse_note("contacts/Ann.md", b"---\ntype: contact\nname: Ann\n---\n", 1),
        parse_note(
            "meetings/m.md",
            b'---\ntype: meeting\ndate: 2026-01-05\nwith: "[[Ann]]"\nreferrals: [Bo]\n---\n',
            1,
        ),
    ]
    vault = build_vault(notes, Settings())
    view = RecordingVault(vault)
    today = view.record(dt.date(2026, 3, 10))
    reads = view.reads
    assert "contacts/Ann.md" in view.contacts and view.contacts.get("nope.md") is None
    assert [m.path for m in view.meetings_with("contacts/Ann.md")] == ["meetings/m.md"]
    assert [m.path for m in view.meetings_referring("bo")] == ["meetings/m.md"]
    assert view.contacts_named("ann")[0].path == "contacts/Ann.md"
    assert view.contacts_referred_by("contacts/Ann.md") == []
    assert reads.keys() == {
        "n:contacts/Ann.md",
        "n:nope.md",
        "w:contacts/Ann.md",
        "k:bo",
        "k:ann",
        "r:contacts/Ann.md",
    }
    view.touches("contacts/Ann.md", today)
    assert reads.window() == (dt.date(2026, 1, 6).toordinal(), NEVER)  # held from the 6th on
    with pytest.raises(TypeError):
        list(view.contacts.values())
    with pytest.raises(TypeError):
        len(view.meetings)
