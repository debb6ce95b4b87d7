"""How the search is going, in numbers: the funnel, response rate, days from approach to
meeting, thank-yous on time, meetings per field, busiest weeks — and the referral tree as
Mermaid or Graphviz DOT text. The linked vault and a date in; values and text out.

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
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from coffeechat.core.links import fold
from coffeechat.core.model import ATTEMPT_KINDS, OUTBOUND_KINDS, Meeting, Person
from coffeechat.core.vault import Vault

__all__ = [
    "Graph",
    "Node",
    "Stats",
    "StatsJSON",
    "bar",
    "compute_stats",
    "dot",
    "mermaid",
    "referral_graph",
    "stats_json",
]

THANK_YOU_DAYS = 3


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


def _met(meeting: Meeting, today: dt.date) -> bool:
    return meeting.held(today) and meeting.kind != "event"


def compute_stats(
    vault: Vault, today: dt.date, since: dt.date | None = None, top_weeks: int = 5
) -> Stats:
    start = since or dt.date.min

    def inside(day: dt.date) -> bool:
        return start <= day <= today

    contacts = approached = replied = met = 0
    met_paths: set[str] = set()
    days: list[int] = []
    for c in vault.contacts.values():
        touches = [t for t in vault.touches(c.path, today) if inside(t.date)]
        kinds = {t.kind for t in touches}
        meetings = [m for m in vault.meetings_with(c.path) if not m.cancelled and m.kind != "event"]
        held = [m for m in meetings if m.held(today) and inside(m.date)]
        booked = [m for m in meetings if m.scheduled(today)]
        answered = bool(kinds & {"reply", "declined"}) or bool(held) or bool(booked)
        tried = answered or bool(kinds & ATTEMPT_KINDS)
        if since is None or (c.added is not None and inside(c.added)) or tried:
            contacts += 1
        approached += tried
        replied += answered
        if held:
            met += 1
            met_paths.add(c.path)
        approaches = sorted(e.date for e in c.log if e.kind == "approach" and e.date <= today)
        all_held = sorted(m.date for m in meetings if m.held(today))
        for i, day in enumerate(approaches):
            nxt = approaches[i + 1] if i + 1 < len(approaches) else dt.date.max
            first = next((d for d in all_held if day <= d < nxt), None)
            if first is not None and inside(first):
                days.append((first - day).days)

    received: dict[str, Person] = {}
    for m in vault.meetings.values():
        if m.held(today) and inside(m.date):
            for p in m.referrals:
                received.setdefault(p.key, p)
    for c in vault.contacts.values():
        if c.referred_by is not None and c.added is not None and inside(c.added):
            received.setdefault(c.path, c.person)
    referrals_met = sum(
        1
        for p in received.values()
        if p.path is not None
        and (
            p.path in met_paths
            or (since is None and any(_met(m, today) for m in vault.meetings_with(p.path)))
        )
    )

    on_time = due = still_open = 0
    for m in vault.meetings.values():
        if not m.held(today) or not inside(m.date) or not m.with_:
            continue
        people = [
            p
            for p in m.with_
            if not (p.path in vault.contacts and vault.contacts[p.path].status == "do_not_contact")
        ]
        if not people:
            continue
        sent = [m.thank_you] if m.thank_you else []
        sent += [
            e.date
            for p in people
            if p.path in vault.contacts
            for e in vault.contacts[p.path].log
            if e.kind == "thank_you" and e.date >= m.date
        ]
        first = min(sent) if sent else None
        window_over = today > m.date + dt.timedelta(days=THANK_YOU_DAYS)
        if first is None and not window_over:
            still_open += 1
            continue
        due += 1
        if first is not None and (first - m.date).days <= THANK_YOU_DAYS:
            on_time += 1

    per_field: Counter[str] = Counter()
    names: dict[str, str] = {}
    for m in vault.meetings.values():
        if not _met(m, today) or not inside(m.date):
            continue
        keys = {
            fold(vault.contacts[p.path].field): vault.contacts[p.path].field
            for p in m.with_
            if p.path in vault.contacts and vault.contacts[p.path].field
        }
        for key, name in keys.items():
            per_field[key] += 1
            names.setdefault(key, name)
    fields = tuple(
        sorted(((names[k], n) for k, n in per_field.items()), key=lambda x: (-x[1], fold(x[0])))
    )

    weeks: Counter[dt.date] = Counter()
    for day in _activity(vault, today):
        if inside(day):
            weeks[day - dt.timedelta(days=day.weekday())] += 1
    busiest = tuple(sorted(weeks.items(), key=lambda x: (-x[1], x[0]))[:top_weeks])

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
        vault.settings.field_limit,
        busiest,
    )


def _activity(vault: Vault, today: dt.date) -> Iterable[dt.date]:
    """One date per thing you did: an outbound log line, a held meeting, a meeting's thank-you."""
    logged: set[tuple[str, dt.date]] = set()
    for c in vault.contacts.values():
        for e in c.log:
            if e.kind in OUTBOUND_KINDS and e.date <= today:
                if e.kind == "thank_you":
                    logged.add((c.path, e.date))
                yield e.date
    for m in vault.meetings.values():
        if m.held(today):
            yield m.date
        if (
            m.thank_you is not None
            and m.thank_you <= today
            and not m.cancelled
            and not any((p.path, m.thank_you) in logged for p in m.with_ if p.path)
        ):
            yield m.thank_you


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


# --- the referral tree ---------------------------------------------------------------------------

STATES = ("met", "booked", "approached", "not_reached")
_STATE_WORDS = {
    "met": "met",
    "booked": "meeting booked",
    "approached": "approached, no meeting yet",
    "not_reached": "not reached yet",
}


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    path: str | None
    state: str  # one of STATES


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]  # (referrer key, referred key)


def _node_state(vault: Vault, path: str | None, today: dt.date) -> str:
    if path is None or path not in vault.contacts:
        return "not_reached"
    meetings = [m for m in vault.meetings_with(path) if not m.cancelled and m.kind != "event"]
    if any(m.held(today) for m in meetings):
        return "met"
    if any(m.scheduled(today) for m in meetings):
        return "booked"
    if any(
        t.kind in ATTEMPT_KINDS or t.kind in ("reply", "declined", "meeting")
        for t in vault.touches(path, today)
        if t.date <= today
    ):
        return "approached"
    return "not_reached"


def _person_key(person: Person) -> str:
    return person.path or "?" + fold(person.name)


def referral_graph(vault: Vault, today: dt.date, root: str | None = None) -> Graph:
    """Who referred whom: ``referred_by:`` links and the ``referrals:`` named at meetings.
    ``root`` (a contact path) keeps only that person and everyone downstream of them."""
    people: dict[str, Person] = {}
    edges: set[tuple[str, str]] = set()

    def link(giver: Person, named: Person) -> None:
        a, b = _person_key(giver), _person_key(named)
        if a == b:
            return
        people.setdefault(a, giver)
        people.setdefault(b, named)
        edges.add((a, b))

    for c in vault.contacts.values():
        if c.referred_by is not None:
            link(c.referred_by, c.person)
    for m in vault.meetings.values():
        if m.cancelled or not m.with_ or not m.referrals:
            continue
        for named in m.referrals:
            link(m.with_[0], named)
    if root is not None:
        keep = {root}
        frontier = [root]
        while frontier:
            here = frontier.pop()
            for a, b in sorted(edges):
                if a == here and b not in keep:
                    keep.add(b)
                    frontier.append(b)
        edges = {(a, b) for a, b in edges if a in keep and b in keep}
        people = {k: p for k, p in people.items() if k in keep}
        if root not in people and root in vault.contacts:
            people[root] = vault.contacts[root].person
    nodes = []
    for key, person in people.items():
        name = vault.contacts[person.path].name if person.path in vault.contacts else person.name
        nodes.append(
            Node(
                key,
                name,
                person.path if person.path in vault.contacts else None,
                _node_state(vault, person.path, today),
            )
        )
    nodes.sort(key=lambda n: (fold(n.name), n.key))
    return Graph(tuple(nodes), tuple(sorted(edges)))


_LEGEND = (
    "Referral tree (coffeechat graph): an arrow runs from who gave the name to whom."
    " Green: met. Blue: meeting booked. Yellow: approached, no meeting yet."
    " Dashed: not reached yet."
)
_COLOURS = {
    "met": ("#d8f0d8", "#2e7d32", "#1b3d1b"),
    "booked": ("#dce9fb", "#1e5bb8", "#0d2a57"),
    "approached": ("#fff4cc", "#b08800", "#4d3b00"),
    "not_reached": ("#ffffff", "#888888", "#444444"),
}


def _ids(graph: Graph) -> dict[str, str]:
    return {n.key: f"n{i}" for i, n in enumerate(graph.nodes, 1)}


def _ordered(edges: Iterable[tuple[str, str]], ids: dict[str, str]) -> list[tuple[str, str]]:
    """Edges in the order of their nodes (alphabetical by name), so the text reads well."""
    return sorted(edges, key=lambda e: (int(ids[e[0]][1:]), int(ids[e[1]][1:])))


def mermaid(graph: Graph) -> list[str]:
    """A fenced ```mermaid block that Obsidian renders; names with a note are clickable."""
    ids = _ids(graph)
    out = ["```mermaid", "flowchart LR", f"  %% {_LEGEND}"]
    if not graph.nodes:
        out.append('  empty["No referrals recorded yet"]')
    for n in graph.nodes:
        label = n.name.replace('"', "#quot;")
        out.append(f'  {ids[n.key]}["{label}"]')
    for a, b in _ordered(graph.edges, ids):
        out.append(f"  {ids[a]} --> {ids[b]}")
    for state in STATES:
        fill, stroke, text = _COLOURS[state]
        dash = ",stroke-dasharray:4 3" if state == "not_reached" else ""
        out.append(f"  classDef {state} fill:{fill},stroke:{stroke},color:{text}{dash}")
    for state in STATES:
        members = [ids[n.key] for n in graph.nodes if n.state == state]
        if members:
            out.append(f"  class {','.join(members)} {state}")
    linked = [
        ids[n.key]
        for n in graph.nodes
        if n.path and fold(n.path.rsplit("/", 1)[-1].removesuffix(".md")) == fold(n.name)
    ]
    if linked:
        out.append(f"  class {','.join(linked)} internal-link")
    out.append("```")
    return out


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(graph: Graph) -> list[str]:
    """The tree as Graphviz DOT (``coffeechat graph --format dot | dot -Tsvg > tree.svg``)."""
    ids = _ids(graph)
    out = [
        "digraph referrals {",
        f"  // {_LEGEND}",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#ffffff"];',
    ]
    for n in graph.nodes:
        fill, stroke, text = _COLOURS[n.state]
        style = ', style="rounded,dashed"' if n.state == "not_reached" else ""
        out.append(
            f'  {ids[n.key]} [label={_dot_text(n.name)}, fillcolor="{fill}", color="{stroke}",'
            f' fontcolor="{text}"{style}];'
        )
    for a, b in _ordered(graph.edges, ids):
        out.append(f"  {ids[a]} -> {ids[b]};")
    out.append("}")
    return out


def state_words(state: str) -> str:
    return _STATE_WORDS[state]
