"""Each rule of SPEC §3: what triggers it, what resolves it, its default and configured window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coffeechat import load_vault
from coffeechat.core.ids import item_id
from coffeechat.core.model import DueItem, Severity
from coffeechat.core.rules import RULE_NAMES, evaluate
from coffeechat.core.rules.insights import insights

TODAY = dt.date(2026, 11, 23)
D = dt.date.fromisoformat


def items(root: Path, today: dt.date = TODAY, rule: str | None = None) -> list[DueItem]:
    found = evaluate(load_vault(root, use_cache=False), today)
    return [i for i in found if rule is None or i.rule == rule]


def one(root: Path, rule: str, today: dt.date = TODAY) -> DueItem:
    found = items(root, today, rule)
    assert len(found) == 1, found
    return found[0]


# --- follow_up_approach --------------------------------------------------------------------


def test_approach_without_reply_is_due_five_days_later(vault):
    vault.contact("Ana Ruiz", log="2026-11-16 approach: emailed, said Bob sent me")
    item = one(vault.root, "follow_up_approach")
    assert item.due == D("2026-11-23")  # five days on is Saturday 21: the next working day
    assert item.contact == "Ana Ruiz" and item.contact_path == "contacts/Ana Ruiz.md"
    assert item.source == "contacts/Ana Ruiz.md" and item.line is not None
    assert "attempt 2 of 3" in item.title


def test_each_attempt_moves_the_nudge_and_the_id_stays(vault):
    vault.contact("Ana Ruiz", log="2026-11-10 approach: emailed")
    first = one(vault.root, "follow_up_approach")
    vault.contact(
        "Ana Ruiz",
        log="""
        2026-11-10 approach: emailed
        2026-11-17 voicemail: said I would call back Tuesday
    """,
    )
    second = one(vault.root, "follow_up_approach")
    assert second.due == D("2026-11-23") and second.id == first.id  # (Sunday 22 -> Monday)
    assert "attempt 3 of 3" in second.title


@pytest.mark.parametrize(
    "resolution",
    [
        "2026-11-18 reply: happy to meet",
        "2026-11-18 declined: too busy this quarter",
    ],
)
def test_reply_or_refusal_resolves_the_approach(vault, resolution):
    vault.contact("Ana Ruiz", log=f"2026-11-16 approach: emailed\n{resolution}")
    assert items(vault.root, rule="follow_up_approach") == []


def test_a_meeting_scheduled_or_held_resolves_the_approach(vault):
    vault.contact("Ana Ruiz", log="2026-11-10 approach: emailed")
    vault.meeting("2026-12-02T09:30", ["Ana Ruiz"])
    assert items(vault.root, rule="follow_up_approach") == []


def test_a_cancelled_meeting_does_not_resolve_the_approach(vault):
    vault.contact("Ana Ruiz", log="2026-11-10 approach: emailed")
    vault.meeting("2026-12-02", ["Ana Ruiz"], front="status: cancelled")
    assert len(items(vault.root, rule="follow_up_approach")) == 1


def test_a_reply_before_a_new_approach_does_not_resolve_it(vault):
    vault.contact(
        "Ana Ruiz",
        log="""
        2025-01-10 approach: first try
        2025-01-12 reply: busy
        2026-11-16 approach: trying again a year later
    """,
    )
    assert one(vault.root, "follow_up_approach").due == D("2026-11-23")


def test_three_unanswered_attempts_stop_and_suggest_dormant(vault):
    vault.contact(
        "Ana Ruiz",
        log="""
        2026-11-01 approach: emailed
        2026-11-06 follow_up: nudged
        2026-11-12 voicemail: left a message
    """,
    )
    assert items(vault.root, rule="follow_up_approach") == []
    found = insights(load_vault(vault.root, use_cache=False), TODAY)
    assert [f.code for f in found] == ["dormant"]
    assert found[0].severity is Severity.INFO and found[0].line is not None


def test_dormant_and_paused_contacts_are_not_chased(vault):
    vault.contact("Ana Ruiz", front="status: dormant", log="2026-11-16 approach: emailed")
    vault.contact("Bo Li", front="status: paused", log="2026-11-16 approach: emailed")
    assert items(vault.root, rule="follow_up_approach") == []


def test_configured_approach_window_and_attempts(vault):
    vault.config("[rules]\nfollow_up_approach = 3\nmax_attempts = 4\n")
    vault.contact(
        "Ana Ruiz",
        log="""
        2026-11-01 approach: emailed
        2026-11-06 follow_up: nudged
        2026-11-12 voicemail: left a message
    """,
    )
    item = one(vault.root, "follow_up_approach")
    assert item.due == D("2026-11-16") and "attempt 4 of 4" in item.title  # (Sunday 15 -> Monday)


# --- prepare -------------------------------------------------------------------------------


def test_scheduled_meeting_needs_preparing_the_day_before(vault):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-25T10:00", ["Ana Ruiz"])
    item = one(vault.root, "prepare")
    assert item.due == D("2026-11-24") and "10:00" in item.title
    assert item.meeting == item.source and item.source.startswith("meetings/")


def test_prepare_is_resolved_by_the_meeting_passing(vault):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-25", ["Ana Ruiz"])
    assert items(vault.root, today=D("2026-11-26"), rule="prepare") == []
    assert items(vault.root, today=D("2026-11-25"), rule="prepare") == []  # on the day: too late
    assert len(items(vault.root, today=D("2026-11-24"), rule="prepare")) == 1


def test_cancelled_meeting_needs_no_preparing(vault):
    vault.meeting("2026-11-25", ["Ana Ruiz"], front="status: cancelled")
    assert items(vault.root, rule="prepare") == []


def test_configured_prepare_window(vault):
    vault.config("[rules]\nprepare = 3\n")
    vault.meeting("2026-11-28", ["Ana Ruiz"])
    assert one(vault.root, "prepare").due == D("2026-11-25")


# --- thank_you -----------------------------------------------------------------------------


def test_held_meeting_needs_a_thank_you_next_day(vault):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-20T15:00", ["Ana Ruiz"], front="kind: coffee")
    item = one(vault.root, "thank_you")
    assert item.due == D("2026-11-23") and item.contact == "Ana Ruiz"  # Friday's: on Monday
    assert "coffee" in item.title


def test_thank_you_date_on_the_meeting_resolves_it(vault):
    vault.meeting("2026-11-20", ["Ana Ruiz"], front="thank_you: 2026-11-21")
    assert items(vault.root, rule="thank_you") == []


def test_thank_you_log_line_on_or_after_the_meeting_resolves_it(vault):
    vault.contact("Ana Ruiz", log="2026-11-20 thank_you: emailed the same evening")
    vault.meeting("2026-11-20", ["Ana Ruiz"])
    assert items(vault.root, rule="thank_you") == []


def test_thank_you_before_the_meeting_does_not_count(vault):
    vault.contact("Ana Ruiz", log="2026-10-01 thank_you: for the intro")
    vault.meeting("2026-11-20", ["Ana Ruiz"])
    assert len(items(vault.root, rule="thank_you")) == 1


def test_no_thank_you_for_cancelled_no_show_or_future_meetings(vault):
    vault.meeting("2026-11-20", ["Ana Ruiz"], front="status: no_show")
    vault.meeting("2026-11-19", ["Bo Li"], front="status: cancelled")
    vault.meeting("2026-11-30", ["Cy Po"])
    assert items(vault.root, rule="thank_you") == []


def test_configured_thank_you_window(vault):
    vault.config("[rules]\nthank_you = 2\n")
    vault.meeting("2026-11-17", ["Ana Ruiz"])
    assert one(vault.root, "thank_you").due == D("2026-11-19")


# --- reach_referral ------------------------------------------------------------------------


def test_referral_named_in_a_meeting_is_due_a_week_later(vault):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-18", ["Ana Ruiz"], front='referrals:\n  - "[[Carl Lee]]"')
    item = one(vault.root, "reach_referral")
    assert item.due == D("2026-11-25") and item.contact == "Carl Lee"
    assert item.contact_path is None  # no note for Carl yet
    assert "Ana Ruiz" in item.title


def test_referral_with_referred_by_is_still_one_item(vault):
    vault.contact("Ana Ruiz")
    vault.contact("Carl Lee", front='referred_by: "[[Ana Ruiz]]"\nadded: 2026-11-18')
    vault.meeting("2026-11-18", ["Ana Ruiz"], front='referrals:\n  - "[[Carl Lee]]"')
    item = one(vault.root, "reach_referral")
    assert item.contact_path == "contacts/Carl Lee.md" and item.due == D("2026-11-25")


def test_contact_with_referred_by_and_no_interaction_counts_from_added(vault):
    vault.contact("Ana Ruiz")
    vault.contact("Carl Lee", front='referred_by: "[[Ana Ruiz]]"\nadded: 2026-11-10')
    assert one(vault.root, "reach_referral").due == D("2026-11-17")


def test_outbound_touch_resolves_the_referral(vault):
    vault.contact("Ana Ruiz")
    vault.contact("Carl Lee", log="2026-11-19 approach: emailed, said Ana sent me")
    vault.meeting("2026-11-18", ["Ana Ruiz"], front='referrals:\n  - "[[Carl Lee]]"')
    assert items(vault.root, rule="reach_referral") == []


def test_a_touch_before_the_referral_does_not_resolve_it(vault):
    vault.contact("Ana Ruiz")
    vault.contact("Carl Lee", log="2025-03-01 email: old thread")
    vault.meeting("2026-11-18", ["Ana Ruiz"], front='referrals:\n  - "[[Carl Lee]]"')
    assert len(items(vault.root, rule="reach_referral")) == 1


def test_configured_referral_window(vault):
    vault.config("[rules]\nreach_referral = 3\n")
    vault.meeting("2026-11-16", ["Ana Ruiz"], front='referrals:\n  - "[[Carl Lee]]"')
    assert one(vault.root, "reach_referral").due == D("2026-11-19")


# --- report_back ---------------------------------------------------------------------------


def test_meeting_a_referral_means_reporting_back_to_the_referrer(vault):
    vault.contact("Bob Smith")
    vault.contact("Jane Doe", front='referred_by: "[[Bob Smith]]"')
    vault.meeting("2026-11-18", ["Jane Doe"], front="thank_you: 2026-11-18")
    item = one(vault.root, "report_back")
    assert item.due == D("2026-11-25") and item.contact == "Bob Smith"
    assert item.contact_path == "contacts/Bob Smith.md" and "Jane Doe" in item.title


def test_report_back_line_in_the_referrers_note_resolves_it(vault):
    vault.contact("Bob Smith", log="2026-11-20 report_back: told him Jane was great")
    vault.contact("Jane Doe", front='referred_by: "[[Bob Smith]]"')
    vault.meeting("2026-11-18", ["Jane Doe"])
    assert items(vault.root, rule="report_back") == []


def test_a_touch_to_the_referrer_before_the_meeting_does_not_count(vault):
    vault.contact("Bob Smith", log="2026-11-01 email: thanks for the intro")
    vault.contact("Jane Doe", front='referred_by: "[[Bob Smith]]"')
    vault.meeting("2026-11-18", ["Jane Doe"])
    assert len(items(vault.root, rule="report_back")) == 1


def test_configured_report_back_window(vault):
    vault.config("[rules]\nreport_back = 2\n")
    vault.contact("Bob Smith")
    vault.contact("Jane Doe", front='referred_by: "[[Bob Smith]]"')
    vault.meeting("2026-11-18", ["Jane Doe"])
    assert one(vault.root, "report_back").due == D("2026-11-20")


# --- keep_in_touch -------------------------------------------------------------------------


def test_keep_in_touch_a_year_after_the_last_interaction(vault):
    vault.contact("Ana Ruiz", log="2025-12-01 update: sent the article")
    vault.meeting("2025-11-20", ["Ana Ruiz"], front="thank_you: 2025-11-21")
    assert one(vault.root, "keep_in_touch").due == D("2026-12-01")


def test_cadence_on_the_contact_wins(vault):
    vault.contact("Ana Ruiz", front="cadence: 6m", log="2026-05-31 update: card")
    vault.meeting("2026-05-01", ["Ana Ruiz"], front="thank_you: 2026-05-02")
    assert one(vault.root, "keep_in_touch").due == D("2026-11-30")


def test_configured_default_cadence(vault):
    vault.config('[rules]\ncadence = "90d"\n')
    vault.meeting("2026-09-01", ["Ana Ruiz"], title="2026-09-01 Call")
    vault.contact("Ana Ruiz")
    assert one(vault.root, "keep_in_touch").due == D("2026-11-30")


def test_any_interaction_moves_the_date_on(vault):
    vault.contact("Ana Ruiz", front="cadence: 90d", log="2026-11-20 reply: thanks for the update!")
    vault.meeting("2026-06-01", ["Ana Ruiz"], front="thank_you: 2026-06-02")
    assert one(vault.root, "keep_in_touch").due == D("2027-02-18")


def test_no_keep_in_touch_without_a_held_meeting_or_when_quiet(vault):
    vault.contact("Ana Ruiz", log="2025-01-01 email: hello")
    for status in ("dormant", "paused", "do_not_contact"):
        vault.contact(f"Q {status}", front=f"status: {status}")
        vault.meeting(
            "2025-06-01",
            [f"Q {status}"],
            front="thank_you: 2025-06-01",
            title=f"2025-06-01 {status}",
        )
    assert items(vault.root, rule="keep_in_touch") == []


# --- landed --------------------------------------------------------------------------------


def test_landed_tells_everyone_met_or_who_referred(vault):
    vault.config('[landed]\ndate = 2026-11-20\ncompany = "Northwind"\nrole = "APM"\n')
    vault.contact("Bob Smith")
    vault.contact(
        "Jane Doe", front='referred_by: "[[Bob Smith]]"', log="2026-11-21 landed: told her"
    )
    vault.contact("Never Met")
    vault.meeting("2026-10-01", ["Jane Doe"], front="thank_you: 2026-10-01")
    found = items(vault.root, rule="landed")
    assert [(i.contact, i.due) for i in found] == [("Bob Smith", D("2026-11-20"))]
    assert "APM" in found[0].title and "Northwind" in found[0].title


def test_no_landed_items_without_the_setting(vault):
    vault.contact("Jane Doe")
    vault.meeting("2026-10-01", ["Jane Doe"], front="thank_you: 2026-10-01")
    assert items(vault.root, rule="landed") == []


# --- follow_up -----------------------------------------------------------------------------


def test_explicit_follow_up_date_on_a_contact_and_a_meeting(vault):
    vault.contact("Ana Ruiz", front="follow_up: 2026-11-24")
    vault.meeting("2026-11-10", ["Ana Ruiz"], front="thank_you: 2026-11-10\nfollow_up: 2026-11-26")
    dues = sorted(i.due for i in items(vault.root, rule="follow_up"))
    assert dues == [D("2026-11-24"), D("2026-11-26")]


def test_open_tasks_in_both_forms_are_follow_ups_and_ticked_ones_are_not(vault):
    vault.contact(
        "Ana Ruiz",
        body="""
- [ ] send the pricing article 📅 2026-11-24
- [ ] send the deck [due:: 2026-11-27]
- [x] connect on LinkedIn 📅 2026-11-10
- [-] cancelled idea 📅 2026-11-11
- [ ] someday, no date
""",
    )
    found = items(vault.root, rule="follow_up")
    assert [(i.title, i.due) for i in found] == [
        ("send the pricing article", D("2026-11-24")),
        ("send the deck", D("2026-11-27")),
    ]
    assert all(i.line for i in found)


def test_clearing_the_field_resolves_it(vault):
    vault.contact("Ana Ruiz", front="follow_up:")
    assert items(vault.root, rule="follow_up") == []


# --- across rules --------------------------------------------------------------------------


def test_do_not_contact_silences_every_rule(vault):
    vault.config("[landed]\ndate = 2026-11-20\n")
    vault.contact("Bob Smith")
    vault.contact(
        "Dee Nope",
        front='status: do_not_contact\nreferred_by: "[[Bob Smith]]"\nfollow_up: 2026-11-24',
        log="2026-11-16 approach: emailed",
        body="- [ ] ping 📅 2026-11-24",
    )
    vault.meeting("2026-11-18", ["Dee Nope"], front='referrals:\n  - "[[Dee Nope]]"')
    vault.meeting("2026-11-28", ["Dee Nope"], title="2026-11-28 Call with Dee")
    # Bob referred Dee and is owed the landed note; nothing at all is about Dee.
    assert [(i.rule, i.contact) for i in items(vault.root)] == [("landed", "Bob Smith")]


def test_ids_are_stable_and_distinct(vault):
    vault.contact("Ana Ruiz", log="2026-11-16 approach: emailed")
    vault.meeting("2026-11-20", ["Bo Li"])
    first = [i.id for i in items(vault.root)]
    again = [i.id for i in items(vault.root)]
    assert first == again and len(set(first)) == len(first)
    assert item_id("thank_you", "meetings/2026-11-20 Coffee with Bo Li.md") in first
    assert all(len(i) == 10 and int(i, 16) >= 0 for i in first)


def test_snooze_on_the_note_moves_the_item(vault):
    vault.meeting("2026-11-20", ["Bo Li"])
    ident = one(vault.root, "thank_you").id
    vault.meeting("2026-11-20", ["Bo Li"], front=f'snooze:\n  - "{ident} 2026-11-27"')
    item = one(vault.root, "thank_you")
    assert item.id == ident and item.due == D("2026-11-27")


def test_stale_obligations_leave_the_agenda(vault):
    vault.meeting("2026-01-10", ["Bo Li"])
    assert items(vault.root, rule="thank_you") == []
    vault.config("[rules]\ngive_up_after = 0\n")
    assert one(vault.root, "thank_you").due == D("2026-01-12")  # (Sunday 11 -> Monday)


def test_items_are_sorted_oldest_first(vault):
    vault.contact("Ana Ruiz", log="2026-11-16 approach: emailed")
    vault.meeting("2026-11-20", ["Bo Li"])
    vault.meeting("2026-11-30", ["Cy Po"])
    dues = [i.due for i in items(vault.root)]
    assert dues == sorted(dues)


def test_field_limit_insight(vault):
    for n in range(6):
        vault.contact(f"PM {n}", front="field: product management")
        vault.meeting(
            f"2026-10-0{n + 1}", [f"PM {n}"], front="kind: informational\nthank_you: 2026-10-09"
        )
    found = [
        f
        for f in insights(load_vault(vault.root, use_cache=False), TODAY)
        if f.code == "field-limit"
    ]
    assert len(found) == 1 and "6 informational interviews" in found[0].message


def test_every_rule_name_is_in_spec_order():
    assert RULE_NAMES == (
        "follow_up_approach",
        "schedule",
        "rebook",
        "prepare",
        "thank_you",
        "reach_referral",
        "report_back",
        "keep_in_touch",
        "landed",
        "follow_up",
    )


def test_evaluate_is_pure(vault):
    """Same notes, same date, same answer; no clock, no file access."""
    vault.contact("Ana Ruiz", log="2026-11-16 approach: emailed")
    loaded = load_vault(vault.root, use_cache=False)
    (vault.root / "contacts" / "Ana Ruiz.md").unlink()
    assert evaluate(loaded, TODAY) == evaluate(loaded, TODAY) != []


def test_done_knows_what_to_write_for_every_rule():
    """A rule added without what `done` writes for it would make `done` fail on its items:
    every rule either sets a property (prepare, thank_you), ticks or clears (follow_up), or
    logs a line from resolutions._DEFAULT_TEXT."""
    from coffeechat.core import resolutions

    assert set(RULE_NAMES) == {"prepare", "thank_you", "follow_up"} | set(resolutions._DEFAULT_TEXT)
