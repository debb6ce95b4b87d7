"""What each contact and each meeting brings to `stats` and `graph`: its *figures*, facts as of
today (the day it was added, its latest reply and attempt, its meetings, its thank-you, its node
in the referral tree), with dates as day ordinals.

The numbers and the tree are those figures added up (`coffeechat.core.coaching.stats`,
`coffeechat.core.coaching.graph`), the same way whether the figures come from the whole vault
(`figures_of`) or from the store, which keeps each subject's figures with its follow-ups
(`coffeechat.core.agenda.agenda`) and computes them again exactly when those are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from coffeechat.core.links import fold
from coffeechat.core.model import (
    ATTEMPT_KINDS,
    OUTBOUND_KINDS,
    THANK_YOU_DAYS,
    Contact,
    Meeting,
    Person,
)
from coffeechat.core.vault.vault import Vault, VaultView

__all__ = [
    "STATES",
    "ContactFigures",
    "Figures",
    "MeetingFigures",
    "Who",
    "contact_figures",
    "figures_of",
    "meeting_figures",
]

#: A contact's node in the referral tree, in the order the legend names them.
STATES = ("met", "booked", "approached", "not_reached")

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
    only compared with (see `coffeechat.core.agenda.recording`)."""
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
