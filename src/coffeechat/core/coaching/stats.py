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

Each contact and each meeting brings its *figures* (`contact_figures`, `meeting_figures`): what
it adds to these numbers and to the tree, as of today and whatever the period. The numbers and
the tree are those figures added up (`stats_of`, `graph_of`), the same way whether the figures
come from the whole vault (`figures_of`) or from the store, which keeps each subject's figures
with its follow-ups (`coffeechat.core.agenda`) and computes them again exactly when those are.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypedDict

from coffeechat.core.links import fold
from coffeechat.core.model import ATTEMPT_KINDS, OUTBOUND_KINDS, Contact, Meeting, Person
from coffeechat.core.vault import Vault, VaultView

__all__ = [
    "ContactFigures",
    "Figures",
    "Graph",
    "MeetingFigures",
    "Node",
    "Stats",
    "StatsJSON",
    "bar",
    "compute_stats",
    "contact_figures",
    "dot",
    "figures_of",
    "graph_of",
    "meeting_figures",
    "mermaid",
    "referral_graph",
    "stats_json",
    "stats_of",
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


# --- each contact's and meeting's figures -------------------------------------------------------

#: A person as a figure names them: (name, path of their note or None).
Who = tuple[str, str | None]


class ContactFigures(NamedTuple):
    """What one contact brings to `stats` and `graph`: facts as of today, read through a
    `VaultView` (so the agenda keeps them with the contact and knows when to compute them
    again), with dates as day ordinals; ``since`` is applied when they are added up."""

    name: str
    added: int | None  # the day the note says they were added
    referred_by: Who | None
    answered: int | None  # the latest reply or refusal up to today
    tried: int | None  # the latest attempt to reach them up to today
    met: int | None  # the latest held meeting (not cancelled, not an event)
    booked: bool  # a meeting (not an event) still ahead
    days: tuple[tuple[int, int], ...]  # (first meeting after an approach, days it took)
    outbound: tuple[int, ...]  # the days of their outbound log lines (any day)
    state: str  # their node in the referral tree: one of STATES


class MeetingFigures(NamedTuple):
    """What one meeting brings to `stats` and `graph` (see `ContactFigures`)."""

    date: int
    held: bool
    cancelled: bool
    giver: Who | None  # the first person it was with: who gave its referrals
    referrals: tuple[Who, ...]
    thanks: str | None  # a held meeting's thank-you: "open", "late", "on_time" (or not counted)
    fields: tuple[str, ...]  # held, not an event: its people's fields, one per folded spelling
    thank_you: int | None  # its thank-you day, when no log line of its people tells it


@dataclass(frozen=True)
class Figures:
    """Every contact's and meeting's figures, by path, in path order (the order of the whole
    vault's maps: where two spellings of one field or name meet, the first one is shown)."""

    contacts: dict[str, ContactFigures]
    meetings: dict[str, MeetingFigures]


def _who(person: Person) -> Who:
    return (person.name, person.path)


def contact_figures(vault: VaultView, contact: Contact, today: dt.date) -> ContactFigures:
    """``contact``'s figures on ``today``: everything read through ``vault``, and today
    only compared with (see `coffeechat.core.recording`)."""
    touches = [t for t in vault.touches(contact.path, today) if t.date <= today]
    meetings = [
        m for m in vault.meetings_with(contact.path) if not m.cancelled and m.kind != "event"
    ]
    held = sorted(m.date for m in meetings if m.held(today))
    booked = any(m.scheduled(today) for m in meetings)
    approaches = sorted(e.date for e in contact.log if e.kind == "approach" and e.date <= today)
    days = []
    for i, day in enumerate(approaches):
        nxt = approaches[i + 1] if i + 1 < len(approaches) else dt.date.max
        first = next((d for d in held if day <= d < nxt), None)
        if first is not None:
            days.append((first.toordinal(), (first - day).days))
    if held:
        state = "met"
    elif booked:
        state = "booked"
    elif any(
        t.kind in ATTEMPT_KINDS or t.kind in ("reply", "declined", "meeting") for t in touches
    ):
        state = "approached"
    else:
        state = "not_reached"
    return ContactFigures(
        contact.name,
        _ord(contact.added),
        _who(contact.referred_by) if contact.referred_by is not None else None,
        _latest(t.date for t in touches if t.kind in ("reply", "declined")),
        _latest(t.date for t in touches if t.kind in ATTEMPT_KINDS),
        _latest(held),
        booked,
        tuple(days),
        tuple(e.date.toordinal() for e in contact.log if e.kind in OUTBOUND_KINDS),
        state,
    )


def meeting_figures(vault: VaultView, meeting: Meeting, today: dt.date) -> MeetingFigures:
    """``meeting``'s figures on ``today`` (see `contact_figures`)."""
    held = meeting.held(today)
    fields: dict[str, str] = {}
    if held and meeting.kind != "event":
        for c in _contacts(vault, meeting):
            if c is not None and c.field:
                fields[fold(c.field)] = c.field
    thank_you = None
    if meeting.thank_you is not None and not meeting.cancelled:
        logged = any(
            e.kind == "thank_you" and e.date == meeting.thank_you
            for c in _contacts(vault, meeting)
            if c is not None
            for e in c.log
        )
        thank_you = None if logged else meeting.thank_you.toordinal()
    return MeetingFigures(
        meeting.date.toordinal(),
        held,
        meeting.cancelled,
        _who(meeting.with_[0]) if meeting.with_ else None,
        tuple(_who(p) for p in meeting.referrals),
        _thanks(vault, meeting, today) if held else None,
        tuple(fields.values()),
        thank_you,
    )


def _thanks(vault: VaultView, meeting: Meeting, today: dt.date) -> str | None:
    """How a held meeting's thank-you went: within three days ("on_time"), later or not at
    all ("late"), none yet with the three days still running ("open"); None when it is not
    counted (it was with nobody, or only with people not to be contacted)."""
    people = [c for c in _contacts(vault, meeting) if c is None or c.status != "do_not_contact"]
    if not people:
        return None
    sent = [meeting.thank_you] if meeting.thank_you else []
    sent += [
        e.date
        for c in people
        if c is not None
        for e in c.log
        if e.kind == "thank_you" and e.date >= meeting.date
    ]
    first = min(sent) if sent else None
    if first is None:
        return "late" if today > meeting.date + dt.timedelta(days=THANK_YOU_DAYS) else "open"
    return "on_time" if (first - meeting.date).days <= THANK_YOU_DAYS else "late"


def _monday(day: int) -> int:
    """The Monday of the week of ``day`` (as ordinals: day 1, 1 January of year 1, was a
    Monday)."""
    return day - (day - 1) % 7


def _contacts(vault: VaultView, meeting: Meeting) -> list[Contact | None]:
    """The contact note of each person ``meeting`` was with (None: they have none)."""
    return [vault.contacts.get(p.path) if p.path is not None else None for p in meeting.with_]


def _ord(day: dt.date | None) -> int | None:
    return None if day is None else day.toordinal()


def _latest(days: Iterable[dt.date]) -> int | None:
    return _ord(max(days, default=None))


def figures_of(vault: Vault, today: dt.date) -> Figures:
    """Every contact's and meeting's figures, from the whole vault."""
    return Figures(
        {p: contact_figures(vault, c, today) for p, c in sorted(vault.contacts.items())},
        {p: meeting_figures(vault, m, today) for p, m in sorted(vault.meetings.items())},
    )


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


def _person_key(who: Who) -> str:
    name, path = who
    return path or "?" + fold(name)


def referral_graph(vault: Vault, today: dt.date, root: str | None = None) -> Graph:
    """Who referred whom in the whole vault (`graph_of` its `figures_of`)."""
    return graph_of(figures_of(vault, today), root)


def graph_of(figures: Figures, root: str | None = None) -> Graph:
    """Who referred whom: ``referred_by:`` links and the ``referrals:`` named at meetings.
    ``root`` (a contact path) keeps only that person and everyone downstream of them."""
    people: dict[str, Who] = {}
    edges: set[tuple[str, str]] = set()

    def link(giver: Who, named: Who) -> None:
        a, b = _person_key(giver), _person_key(named)
        if a == b:
            return
        people.setdefault(a, giver)
        people.setdefault(b, named)
        edges.add((a, b))

    for path, c in figures.contacts.items():
        if c.referred_by is not None:
            link(c.referred_by, (c.name, path))
    for m in figures.meetings.values():
        if m.cancelled or m.giver is None or not m.referrals:
            continue
        for named in m.referrals:
            link(m.giver, named)
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
        if root not in people and root in figures.contacts:
            people[root] = (figures.contacts[root].name, root)
    nodes = []
    for key, (shown, at) in people.items():
        known = figures.contacts.get(at) if at is not None else None
        if known is None:
            nodes.append(Node(key, shown, None, "not_reached"))
        else:
            nodes.append(Node(key, known.name, at, known.state))
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
