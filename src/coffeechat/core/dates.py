"""Dates as Obsidian writes them, the loose forms people type, and keep-in-touch cadences."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

__all__ = [
    "EARLIEST",
    "LATEST",
    "WEEKDAY_NAMES",
    "Cadence",
    "DateValue",
    "Workdays",
    "add_months",
    "day_label",
    "out_of_range",
    "parse_cadence",
    "parse_date_value",
    "parse_weekdays",
]

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ISO_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
# Forms people type that name one day without doubt; accepted with a warning.
_LOOSE_YMD = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")  # 2026-3-4, 2026/03/04
_DOTTED_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # 04.03.2026 (day first, always)
_MONTHS = {
    name.lower(): i
    for i in range(1, 13)
    for name in (calendar.month_name[i], calendar.month_abbr[i])
}
_MONTHS["sept"] = 9
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")


#: The days a meeting (and `--today`) may have. Python's calendar ends at years 1 and 9999,
#: where a meeting's end, its time zone or a rule's window runs over the edge; no real meeting
#: is outside these years, and a date that is (``9999-12-31T23:59``) is a typo or a trap.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def out_of_range(day: dt.date) -> str | None:
    """Why ``day`` is too far out for a meeting or for today; None when it is not."""
    if EARLIEST <= day <= LATEST:
        return None
    return (
        f"{day.isoformat()} is outside the years {EARLIEST.year}–{LATEST.year} coffeechat handles"
    )


@dataclass(frozen=True, slots=True)
class DateValue:
    """A parsed date or date-time property.

    ``day`` is the calendar day in the vault's time zone; ``time`` is the wall-clock time when
    one was written; ``offset`` is the UTC offset in minutes when one was written (``Z`` = 0).
    ``loose`` is set when the text was a readable but non-Obsidian form (``2026-3-4``).
    """

    day: dt.date
    time: dt.time | None = None
    offset: int | None = None
    loose: bool = False


def parse_date_value(value: object, tz: dt.tzinfo | None = None) -> DateValue | None:
    """Read a front-matter value as a date or date-time.

    Returns ``None`` for an empty value. Raises ``ValueError`` with a message fit for the user
    when the value is there but is not a date (or names an impossible one, like 2026-02-30).
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):  # only from an explicit !!timestamp tag
        return DateValue(value.date(), value.time().replace(tzinfo=None))
    if isinstance(value, dt.date):
        return DateValue(value)
    if not isinstance(value, str):
        raise ValueError(f"{_show(value)} is not a date (write YYYY-MM-DD)")
    text = value.strip()
    try:
        if m := _ISO_DATE.fullmatch(text):
            return DateValue(dt.date(int(m[1]), int(m[2]), int(m[3])))
        if m := _ISO_DATETIME.fullmatch(text):
            return _datetime_value(m, tz)
        loose = _parse_loose(text)
    except (ValueError, OverflowError):
        raise ValueError(f"{_show(value)} is not a real date") from None
    if loose is None:
        raise ValueError(f"{_show(value)} is not a date (write YYYY-MM-DD)")
    return DateValue(loose, loose=True)


def _datetime_value(m: re.Match[str], tz: dt.tzinfo | None) -> DateValue:
    day = dt.date(int(m[1]), int(m[2]), int(m[3]))
    clock = dt.time(int(m[4]), int(m[5]), int(m[6] or 0))
    zone = m[7]
    if zone is None:
        return DateValue(day, clock)
    if zone == "Z":
        offset = 0
    else:
        digits = zone[1:].replace(":", "")
        offset = int(digits[:2]) * 60 + int(digits[2:])
        offset = -offset if zone[0] == "-" else offset
    if tz is not None:
        aware = dt.datetime.combine(day, clock, dt.timezone(dt.timedelta(minutes=offset)))
        local = aware.astimezone(tz)
        return DateValue(local.date(), local.time().replace(tzinfo=None), offset)
    return DateValue(day, clock, offset)


def _parse_loose(text: str) -> dt.date | None:
    if m := _LOOSE_YMD.fullmatch(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _DOTTED_DMY.fullmatch(text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    if (m := _MONTH_DAY_YEAR.fullmatch(text)) and m[1].lower() in _MONTHS:
        return dt.date(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    if (m := _DAY_MONTH_YEAR.fullmatch(text)) and m[2].lower() in _MONTHS:
        return dt.date(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    return None  # 3/4/2026 is March 4 or 3 April: refuse to guess


def _show(value: object) -> str:
    text = value if isinstance(value, str) else repr(value)
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)


#: Within this many days of today a weekday, day and month name a date without doubt.
NEAR_DAYS = 183


def day_label(day: dt.date, today: dt.date) -> str:
    """ "Sat 15 Jan" for a date within about six months of today; "Sat 15 Jan 2028" further
    out (or back), where the day and month alone read like a date already past."""
    near = abs((day - today).days) <= NEAR_DAYS
    return day.strftime("%a %d %b" if near else "%a %d %b %Y")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


_CADENCE = re.compile(r"(\d+)\s*(d|w|m|y|days?|weeks?|months?|years?)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Cadence:
    """A keep-in-touch interval: ``count`` days, weeks, months or years."""

    count: int
    unit: str  # one of "d", "w", "m", "y"

    def after(self, day: dt.date) -> dt.date:
        try:
            if self.unit == "d":
                return day + dt.timedelta(days=self.count)
            if self.unit == "w":
                return day + dt.timedelta(weeks=self.count)
        except OverflowError:
            return dt.date.max
        months = self.count * (12 if self.unit == "y" else 1)
        try:
            return add_months(day, months)
        except (ValueError, OverflowError):
            return dt.date.max

    def __str__(self) -> str:
        return f"{self.count}{self.unit}"


#: Day names as `Workdays` reads them (Monday first, as ``date.weekday()`` counts).
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Workdays:
    """The days you do your search on: the weekdays you work, less holidays.

    The rules move every date they compute onto one of these days (a chase promised "on
    Monday" must not come due on Saturday); dates the user wrote stay as written.
    """

    # Sorted tuples, not sets: the settings' repr keys the stored agenda, and a set of dates
    # prints in a different order in every process.
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # date.weekday() numbers; Monday to Friday
    holidays: tuple[dt.date, ...] = ()

    def works(self, day: dt.date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def on_or_after(self, day: dt.date) -> dt.date:
        """``day`` when it is a working day, else the next one."""
        return self._step(day, 1)

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` when it is a working day, else the previous one."""
        return self._step(day, -1)

    def _step(self, day: dt.date, step: int) -> dt.date:
        if not self.days:  # no working day at all: nothing to move to
            return day
        start = day
        try:
            while not self.works(day):  # ends: the holidays are finite, and one weekday works
                day += dt.timedelta(days=step)
        except OverflowError:  # the edge of the calendar (a 'someday' 9999-12-31)
            return start
        return day

    def __str__(self) -> str:
        return ", ".join(WEEKDAY_NAMES[d].capitalize() for d in sorted(self.days))


def parse_weekdays(value: object) -> tuple[int, ...]:
    """``["mon", "tue", ...]`` (or full names, or ``"mon-fri"``) as ``date.weekday()`` numbers."""
    words: list[str]
    if isinstance(value, str):
        words = [w for w in re.split(r"[,\s]+", value.strip()) if w]
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        words = [w.strip() for w in value]
    else:
        raise ValueError('must be a list of day names, such as ["mon", "tue", "wed", "thu", "fri"]')
    days: set[int] = set()
    for word in words:
        ends = [_weekday(end, word) for end in word.split("-", 1)]
        if len(ends) == 1:
            days.add(ends[0])
        else:
            first, last = ends
            days.update(d % 7 for d in range(first, last + (7 if last < first else 0) + 1))
    if not days:
        raise ValueError("must name at least one day")
    return tuple(sorted(days))


def _weekday(text: str, word: str) -> int:
    key = text.strip().lower()[:3]
    if key not in WEEKDAY_NAMES or not calendar.day_name[
        WEEKDAY_NAMES.index(key)
    ].lower().startswith(text.strip().lower()):
        raise ValueError(f"{_show(word)} is not a day of the week (write mon, tue, ... sun)")
    return WEEKDAY_NAMES.index(key)


def parse_cadence(value: object) -> Cadence:
    """``90d``, ``6w``, ``6m``, ``1y`` (also ``90 days``, or a bare number of days)."""
    if isinstance(value, bool):
        raise ValueError(f"{_show(value)} is not a cadence (write e.g. 90d, 6w, 6m or 1y)")
    if isinstance(value, int):
        text = f"{value}d"
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            text += "d"
    else:
        raise ValueError(f"{_show(value)} is not a cadence (write e.g. 90d, 6w, 6m or 1y)")
    m = _CADENCE.fullmatch(text)
    if not m or int(m[1]) == 0:
        raise ValueError(f"{_show(value)} is not a cadence (write e.g. 90d, 6w, 6m or 1y)")
    return Cadence(int(m[1]), m[2][0].lower())
