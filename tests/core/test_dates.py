"""Dates as Obsidian writes them, loose forms people type, month arithmetic and cadences."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from coffeechat.core.dates import Cadence, DateValue, add_months, parse_cadence, parse_date_value

D = dt.date
T = dt.time
UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")


# --- parse_date_value: what Obsidian writes ------------------------------------------------


def test_iso_date():
    assert parse_date_value("2026-03-04") == DateValue(D(2026, 3, 4))


def test_iso_date_surrounding_whitespace_is_ignored():
    assert parse_date_value("  2026-03-04 ") == DateValue(D(2026, 3, 4))


@pytest.mark.parametrize("text", ["2026-03-04T15:00", "2026-03-04 15:00"])
def test_datetime_with_t_or_space(text):
    assert parse_date_value(text) == DateValue(D(2026, 3, 4), T(15, 0))


def test_datetime_with_seconds():
    assert parse_date_value("2026-03-04T15:00:30") == DateValue(D(2026, 3, 4), T(15, 0, 30))


def test_datetime_fraction_of_a_second_is_dropped():
    assert parse_date_value("2026-03-04T15:00:30.250") == DateValue(D(2026, 3, 4), T(15, 0, 30))


def test_single_digit_hour_is_read():
    assert parse_date_value("2026-03-04T9:05") == DateValue(D(2026, 3, 4), T(9, 5))


def test_no_zone_means_wall_clock_time_even_with_a_vault_zone():
    # Without an offset the written time is the vault's local time: nothing is converted.
    assert parse_date_value("2026-03-04T23:30", PARIS) == DateValue(D(2026, 3, 4), T(23, 30))


def test_z_without_vault_zone_keeps_the_written_time_and_records_offset_zero():
    assert parse_date_value("2026-03-04T23:30Z") == DateValue(D(2026, 3, 4), T(23, 30), 0)


def test_z_is_converted_to_the_vault_zone_and_may_change_the_day():
    value = parse_date_value("2026-03-04T23:30Z", PARIS)  # CET = UTC+1 in March
    assert value == DateValue(D(2026, 3, 5), T(0, 30), 0)


@pytest.mark.parametrize(
    ("text", "offset", "utc_day", "utc_time"),
    [
        ("2026-03-04T10:00+05:30", 330, D(2026, 3, 4), T(4, 30)),
        ("2026-03-04T10:00+0530", 330, D(2026, 3, 4), T(4, 30)),
        ("2026-03-04T20:00-08:00", -480, D(2026, 3, 5), T(4, 0)),
        ("2026-03-04 20:00 -0800", -480, D(2026, 3, 5), T(4, 0)),
        ("2026-03-04T00:15+01:00", 60, D(2026, 3, 3), T(23, 15)),
    ],
)
def test_offsets_are_converted_to_the_zone(text, offset, utc_day, utc_time):
    assert parse_date_value(text, UTC) == DateValue(utc_day, utc_time, offset)


def test_offset_conversion_follows_daylight_saving_time():
    summer = parse_date_value("2026-07-01T12:00Z", PARIS)  # CEST = UTC+2
    winter = parse_date_value("2026-01-01T12:00Z", PARIS)
    assert summer is not None and summer.time == T(14, 0)
    assert winter is not None and winter.time == T(13, 0)


def test_python_dates_pass_through():
    assert parse_date_value(D(2026, 3, 4)) == DateValue(D(2026, 3, 4))
    assert parse_date_value(dt.datetime(2026, 3, 4, 15, 0)) == DateValue(D(2026, 3, 4), T(15, 0))


@pytest.mark.parametrize("empty", [None, ""])
def test_empty_value_is_none(empty):
    assert parse_date_value(empty) is None


# --- loose forms: accepted, marked loose ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-3-4",
        "2026/03/04",
        "2026.3.4",
        "04.03.2026",
        "4.3.2026",
        "March 4, 2026",
        "March 4 2026",
        "Mar 4, 2026",
        "Mar. 4, 2026",
        "march 4th, 2026",
        "4 March 2026",
        "4th March 2026",
        "4 Mar 2026",
    ],
)
def test_loose_unambiguous_forms_are_accepted_and_marked_loose(text):
    assert parse_date_value(text) == DateValue(D(2026, 3, 4), loose=True)


def test_sept_is_september():
    assert parse_date_value("Sept 9, 2026") == DateValue(D(2026, 9, 9), loose=True)


def test_iso_form_is_not_loose():
    value = parse_date_value("2026-03-04")
    assert value is not None and value.loose is False


# --- rejected ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "3/4/2026",  # March 4 or 3 April: never guess
        "03/04/2026",
        "next week",
        "tomorrow",
        "2026",
        "2026-03",
        "Foo 4, 2026",
        "{{date}}",
        "2026-03-04T15",
        "2026-03-04 at 3pm",
    ],
)
def test_ambiguous_or_unreadable_text_is_rejected(text):
    with pytest.raises(ValueError, match="is not a date"):
        parse_date_value(text)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2026-13-01",
        "2026-00-10",
        "2025-02-29",
        "2026-04-31",
        "2026-2-30",
        "31.02.2026",
        "February 30, 2026",
        "30 February 2026",
        "2026-03-04T24:00",
        "2026-03-04T12:60",
        "2026-03-04T12:00:61",
    ],
)
def test_impossible_dates_are_rejected_as_not_real(text):
    with pytest.raises(ValueError, match="is not a real date"):
        parse_date_value(text)


def test_leap_day_is_accepted_in_a_leap_year():
    assert parse_date_value("2028-02-29") == DateValue(D(2028, 2, 29))


@pytest.mark.parametrize("value", [42, 3.5, True, ["2026-03-04"], {"a": 1}])
def test_non_text_values_are_rejected(value):
    with pytest.raises(ValueError):
        parse_date_value(value)


def test_error_message_quotes_the_value_and_shortens_long_ones():
    with pytest.raises(ValueError) as info:
        parse_date_value("x" * 100)
    message = str(info.value)
    assert "x" * 40 in message and "x" * 41 not in message and "…" in message


@pytest.mark.parametrize("text", ["9999-12-31T23:59-01:00", "0001-01-01T00:30+01:00"])
def test_offset_past_the_end_of_the_calendar_is_a_value_error(text):
    with pytest.raises(ValueError):
        parse_date_value(text, UTC)


# --- add_months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 1, D(2026, 2, 15)),
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 1, D(2026, 4, 30)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 1, 31), -2, D(2025, 11, 30)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2026, 5, 17), 0, D(2026, 5, 17)),
        (D(2026, 5, 17), 120, D(2036, 5, 17)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


# --- parse_cadence -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("90d", Cadence(90, "d")),
        ("6w", Cadence(6, "w")),
        ("6m", Cadence(6, "m")),
        ("1y", Cadence(1, "y")),
        ("90 days", Cadence(90, "d")),
        ("1 day", Cadence(1, "d")),
        ("2 weeks", Cadence(2, "w")),
        ("3 months", Cadence(3, "m")),
        ("1 year", Cadence(1, "y")),
        ("6M", Cadence(6, "m")),
        (" 30d ", Cadence(30, "d")),
        ("30", Cadence(30, "d")),
        (30, Cadence(30, "d")),
    ],
)
def test_parse_cadence(value, expected):
    assert parse_cadence(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "d",
        "0d",
        "0",
        0,
        -5,
        "-5d",
        "90x",
        "ninety days",
        "1.5y",
        "90d!",
        "6 fortnights",
        True,
        False,
        None,
        1.5,
        ["90d"],
    ],
)
def test_invalid_cadence_is_a_value_error(value):
    with pytest.raises(ValueError, match="not a cadence"):
        parse_cadence(value)


@pytest.mark.parametrize(
    ("cadence", "start", "expected"),
    [
        ("90d", D(2026, 1, 1), D(2026, 4, 1)),
        ("6w", D(2026, 1, 1), D(2026, 2, 12)),
        ("6m", D(2026, 8, 31), D(2027, 2, 28)),
        ("1y", D(2028, 2, 29), D(2029, 2, 28)),
    ],
)
def test_cadence_after(cadence, start, expected):
    assert parse_cadence(cadence).after(start) == expected


def test_cadence_str_round_trips():
    for text in ("90d", "6w", "6m", "1y"):
        assert str(parse_cadence(text)) == text
    assert str(parse_cadence("90 days")) == "90d"
