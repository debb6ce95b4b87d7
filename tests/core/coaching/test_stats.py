"""`stats`: the funnel and the numbers behind it, on the sample vault and on small vaults."""

from __future__ import annotations

import json

import pytest

from coffeechat.core.coaching.stats import bar


def stats(run, *args: str, **kwargs) -> dict:
    result = run("stats", "--json", *args, **kwargs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_sample_vault_numbers(sample_copy, run):
    data = stats(run, root=sample_copy)
    assert data["funnel"] == {
        "contacts": 18,
        "approached": 16,
        "replied": 13,
        "met": 10,
        "referrals_received": 9,
        "referrals_met": 5,
    }
    assert data["response_rate"] == 0.8125
    assert data["days_to_meeting"] == {"median": 12, "count": 9, "min": 9, "max": 35}
    assert data["thank_yous"] == {"within_3_days": 10, "meetings": 10, "open": 1}  # Kenji's is open
    assert data["fields"][0] == {"field": "product management", "meetings": 7, "over_limit": True}
    assert [f["field"] for f in data["fields"]] == [
        "product management",
        "UX research",
        "growth marketing",
        "instructional design",
    ]
    assert data["busiest_weeks"][0] == {"week": "2026-W42", "start": "2026-10-12", "touches": 5}
    assert data["today"] == "2026-11-23" and data["since"] is None and data["field_limit"] == 5


def test_sample_vault_since_round_two(sample_copy, run):
    data = stats(run, "--since", "2026-09-01", root=sample_copy)
    assert data["funnel"] == {
        "contacts": 17,
        "approached": 15,
        "replied": 12,
        "met": 7,
        "referrals_received": 8,
        "referrals_met": 4,
    }
    assert data["since"] == "2026-09-01"
    assert all(w["start"] >= "2026-08-31" for w in data["busiest_weeks"])


def test_sample_vault_text(sample_copy, run):
    result = run("stats", root=sample_copy)
    assert result.exit_code == 0
    lines = result.stdout.split("\n")
    assert lines[0] == "Your search as of Mon 23 Nov 2026 (all time)"
    assert lines[3] == "  contacts              18  " + "█" * 30
    assert (
        lines[5] == "  replied               13  █████████████████████▋           81% of approached"
    )
    assert "  Response rate         81%  (13 of 16 approached answered)" in lines
    assert "  Approach to meeting   median 12 days  (9 meetings; 9–35 days)" in lines
    assert (
        "  Thank-yous in 3 days  10 of 10 held meetings  (1 still within the three days)" in lines
    )
    field = next(ln for ln in lines if ln.startswith("  product management"))
    assert "more than 5: you will learn little new" in field
    assert not any("more than 5" in ln for ln in lines if ln.startswith("  UX research"))
    assert "  week of Mon 12 Oct 2026    5  " + "█" * 20 in lines


def test_small_vault_by_hand(vault, run):
    vault.contact(
        "Ana",
        log="""
        2026-10-01 approach: emailed
        2026-10-03 reply: yes
        """,
    )
    vault.contact(
        "Bo",
        front='referred_by: "[[Ana]]"\nadded: 2026-10-10\nfield: design',
        log="2026-10-12 approach: emailed\n2026-10-20 follow_up: nudged",
    )
    vault.contact(
        "Cy",
        front="field: design",
        log="2026-10-05 approach: emailed\n2026-10-06 declined: no time",
    )
    vault.contact("Di", front="field: design")  # never contacted
    vault.meeting(
        "2026-10-10", ["Ana"], front='referrals:\n  - "[[Bo]]"\n  - "[[Ed]]"\nthank_you: 2026-10-15'
    )
    vault.meeting("2026-11-21", ["Bo"], front="kind: event")  # an event is not a meeting held
    data = stats(run)
    assert data["funnel"] == {
        "contacts": 4,
        "approached": 3,
        "replied": 2,
        "met": 1,
        "referrals_received": 2,
        "referrals_met": 0,
    }
    assert data["response_rate"] == round(2 / 3, 4)
    assert data["days_to_meeting"] == {"median": 9, "count": 1, "min": 9, "max": 9}
    # Ana's thank-you went out 5 days after; the event two days ago is still inside its three days
    assert data["thank_yous"] == {"within_3_days": 0, "meetings": 1, "open": 1}
    assert data["fields"] == []  # Ana has no field; the event does not count


def test_thank_you_window(vault, run):
    vault.contact("Ana", log="2026-11-21 thank_you: emailed")
    vault.meeting("2026-11-20", ["Ana"])
    vault.meeting("2026-11-22", ["Ana"], title="2026-11-22 second")
    data = stats(run)
    assert data["thank_yous"] == {"within_3_days": 1, "meetings": 1, "open": 1}


def test_field_limit_comes_from_the_config(vault, run):
    vault.config("[rules]\nfield_limit = 1\n")
    for name, day in (("Ana", "2026-10-01"), ("Bo", "2026-10-02")):
        vault.contact(name, front="field: design")
        vault.meeting(day, [name])
    assert stats(run)["fields"] == [{"field": "design", "meetings": 2, "over_limit": True}]
    assert "more than 1:" in run("stats").stdout


def test_empty_vault(vault, run):
    data = stats(run)
    assert data["funnel"] == dict.fromkeys(
        ["contacts", "approached", "replied", "met", "referrals_received", "referrals_met"], 0
    )
    assert data["response_rate"] is None and data["days_to_meeting"]["median"] is None
    text = run("stats").stdout
    assert "– (nobody approached yet)" in text and "(no meetings held yet)" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (("--since", "2027-01-01"), "Error: --since 2027-01-01 is after today (2026-11-23)\n"),
    ],
)
def test_bad_since(vault, run, args, message):
    result = run("stats", *args)
    assert result.exit_code == 2 and result.stderr == message


def test_bar():
    assert bar(0, 10) == "" and bar(10, 10, 30) == "█" * 30
    assert bar(5, 10, 3) == "█▌" and bar(1, 1000, 30) == "▏"
