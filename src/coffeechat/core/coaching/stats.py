"""How the search is going, in numbers: the funnel, response rate, days from approach to
meeting, thank-yous on time, meetings per field, busiest weeks. Each contact's and meeting's
figures (`coffeechat.core.coaching.figures`) in, the numbers and their JSON shape out; the
referral tree is `coffeechat.core.coaching.graph`.

Definitions (each counted on or after ``since`` when given, never after ``today``):

- *contacts*: contact notes added in the period, or approached in it;
- *approached*: contacts you tried to reach (approach, follow_up, call, voicemail or email), who
  answered, or whom you met or booked a meeting with;
- *replied*: of those, the ones who answered — a reply or a refusal — or met or booked you;
- *met*: the ones you had a meeting with (not cancelled, not a no-show, not just an event);
- *referrals received*: people named to you (a meeting's ``referrals:``, or a contact's
  ``referred_by:`` added in the period); *referrals met*: those of them you have met;
- *days from approach to meeting*: for each approach, the days until the first meeting after it;
- *thank-yous within three days*: held meetings whose thank-you (``thank_you:`` or a thank_you
  log line) went out within three days; a meeting still inside that window with none yet is open;
- *meetings per field*: held meetings (not events) per contact ``field``, flagged past the
  ``field_limit`` (five by default);
- *busiest weeks*: the weeks (Monday to Sunday) with the most outbound touches and meetings.

The numbers are the figures added up (`stats_of`), whatever the period: the same way whether
the figures come from the whole vault (`compute_stats`) or from the store.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TypedDict

from coffeechat.core.coaching.figures import Figures, figures_of
from coffeechat.core.links import fold
from coffeechat.core.model import Person
from coffeechat.core.vault.vault import Vault

__all__ = [
    "Funnel",
    "Stats",
    "StatsJSON",
    "bar",
    "compute_stats",
    "stats_json",
    "stats_of",
]

# --- stats -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Funnel:
    contacts: int
    approached: int
    replied: int
    met: int
    referrals_received: int
    referrals_met: int

    def stages(self) -> list[tuple[str, int]]:
        return [
            ("contacts", self.contacts),
            ("approached", self.approached),
            ("replied", self.replied),
            ("met", self.met),
            ("referrals received", self.referrals_received),
            ("referrals met", self.referrals_met),
        ]


@dataclass(frozen=True)
class Stats:
    today: dt.date
    since: dt.date | None
    funnel: Funnel
    days_to_meeting: tuple[int, ...]  # one per approach that led to a meeting, sorted
    thank_yous_on_time: int
    thank_yous_due: int  # held meetings whose three days are over, or that have a thank-you
    thank_yous_open: int  # held meetings still inside the three days with no thank-you yet
    fields: tuple[tuple[str, int], ...]  # (field, meetings), most first
    field_limit: int
    weeks: tuple[tuple[dt.date, int], ...]  # (Monday, touches), busiest first

    @property
    def response_rate(self) -> float | None:
        return self.funnel.replied / self.funnel.approached if self.funnel.approached else None

    @property
    def median_days(self) -> float | None:
        import statistics  # (not at import: every `due` imports this module with the agenda)

        return statistics.median(self.days_to_meeting) if self.days_to_meeting else None


class FieldJSON(TypedDict):
    field: str
    meetings: int
    over_limit: bool


class WeekJSON(TypedDict):
    week: str  # ISO week, "2026-W42"
    start: str  # its Monday
    touches: int


class StatsJSON(TypedDict):
    """`coffeechat stats --json` (a stable, documented shape)."""

    today: str
    since: str | None
    funnel: dict[str, int]
    response_rate: float | None
    days_to_meeting: dict[str, float | int | None]
    thank_yous: dict[str, int]
    fields: list[FieldJSON]
    field_limit: int
    busiest_weeks: list[WeekJSON]


# --- adding them up --------------------------------------------------------------------------------


def compute_stats(
    vault: Vault, today: dt.date, since: dt.date | None = None, top_weeks: int = 5
) -> Stats:
    """The numbers of the whole vault on ``today`` (`stats_of` its `figures_of`)."""
    return stats_of(figures_of(vault, today), today, since, vault.settings.field_limit, top_weeks)


def stats_of(
    figures: Figures,
    today: dt.date,
    since: dt.date | None = None,
    field_limit: int = 5,
    top_weeks: int = 5,
) -> Stats:
    """The numbers on ``today``, counted from ``since`` on, added up from ``figures``."""
    lo, hi = (since or dt.date.min).toordinal(), today.toordinal()

    def inside(day: int | None) -> bool:
        return day is not None and lo <= day <= hi

    contacts = approached = replied = met = 0
    met_paths: set[str] = set()
    days: list[int] = []
    weeks: Counter[int] = Counter()
    for path, c in figures.contacts.items():
        answered = inside(c.answered) or inside(c.met) or c.booked
        tried = answered or inside(c.tried)
        if since is None or inside(c.added) or tried:
            contacts += 1
        approached += tried
        replied += answered
        if inside(c.met):
            met += 1
            met_paths.add(path)
        days += [n for first, n in c.days if inside(first)]
        weeks.update(_monday(d) for d in c.outbound if inside(d))

    received: dict[str, str | None] = {}  # who was named to you (`Person.key`) -> their note
    on_time = due = still_open = 0
    per_field: Counter[str] = Counter()
    names: dict[str, str] = {}
    for m in figures.meetings.values():
        if m.thank_you is not None and inside(m.thank_you):
            weeks[_monday(m.thank_you)] += 1
        if not m.held or not inside(m.date):
            continue
        weeks[_monday(m.date)] += 1
        for name, at in m.referrals:
            received.setdefault(Person(name, at).key, at)
        if m.thanks == "open":
            still_open += 1
        elif m.thanks is not None:
            due += 1
            on_time += m.thanks == "on_time"
        for name in m.fields:
            key = fold(name)
            per_field[key] += 1
            names.setdefault(key, name)
    for path, c in figures.contacts.items():
        if c.referred_by is not None and inside(c.added):
            received.setdefault(path, path)
    referrals_met = sum(1 for at in received.values() if at is not None and at in met_paths)

    fields = tuple(
        sorted(((names[k], n) for k, n in per_field.items()), key=lambda x: (-x[1], fold(x[0])))
    )
    busiest = tuple(
        (dt.date.fromordinal(d), n) for d, n in sorted(weeks.items(), key=lambda x: (-x[1], x[0]))
    )[:top_weeks]
    funnel = Funnel(contacts, approached, replied, met, len(received), referrals_met)
    return Stats(
        today,
        since,
        funnel,
        tuple(sorted(days)),
        on_time,
        due,
        still_open,
        fields,
        field_limit,
        busiest,
    )


def stats_json(s: Stats) -> StatsJSON:
    return StatsJSON(
        today=s.today.isoformat(),
        since=s.since.isoformat() if s.since else None,
        funnel={name.replace(" ", "_"): value for name, value in s.funnel.stages()},
        response_rate=round(s.response_rate, 4) if s.response_rate is not None else None,
        days_to_meeting={
            "median": s.median_days,
            "count": len(s.days_to_meeting),
            "min": min(s.days_to_meeting) if s.days_to_meeting else None,
            "max": max(s.days_to_meeting) if s.days_to_meeting else None,
        },
        thank_yous={
            "within_3_days": s.thank_yous_on_time,
            "meetings": s.thank_yous_due,
            "open": s.thank_yous_open,
        },
        fields=[FieldJSON(field=f, meetings=n, over_limit=n > s.field_limit) for f, n in s.fields],
        field_limit=s.field_limit,
        busiest_weeks=[
            WeekJSON(
                week=f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}",
                start=d.isoformat(),
                touches=n,
            )
            for d, n in s.weeks
        ],
    )


_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, maximum: float, width: int = 30) -> str:
    """A horizontal bar of ``width`` cells for ``value`` out of ``maximum`` (eighths of a cell)."""
    if maximum <= 0 or value <= 0:
        return ""
    eighths = round(value / maximum * width * 8)
    eighths = max(eighths, 1)
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def _monday(day: int) -> int:
    """The Monday of the week of ``day`` (as ordinals: day 1, 1 January of year 1, was a
    Monday)."""
    return day - (day - 1) % 7
