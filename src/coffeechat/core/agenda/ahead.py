"""What the rules make of one subject on one day (`SubjectDay`), and on the days ahead: a chain
of those days, each following the window of the one before, as far as `AHEAD_DAYS`
(`chain_ahead`), kept per subject (`AheadTable`) so that a new day takes a subject's items from
its chain instead of running the rules again. Pure: a `RecordingVault` in, data out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from coffeechat.core.agenda.recording import NEVER, RecordingVault, Window, note_key
from coffeechat.core.cards import company_card, contact_card, meeting_card
from coffeechat.core.coaching.figures import (
    ContactFigures,
    MeetingFigures,
    contact_figures,
    meeting_figures,
)
from coffeechat.core.model import DueItem, Finding, Meeting
from coffeechat.core.rules import subject_items
from coffeechat.core.rules.insights import FieldShare, dormant, field_share
from coffeechat.core.rules.referral import REF

__all__ = [
    "AHEAD_DAYS",
    "AHEAD_WINDOWS",
    "AheadTable",
    "SubjectDay",
    "chain_ahead",
    "evaluate_subject",
]

#: How far ahead of today a subject's items are worked out too (`AheadTable`), in days, and in
#: windows at most: the first run of each of those days finds them made, and reads no note.
AHEAD_DAYS = 45
AHEAD_WINDOWS = 8


class AheadTable:
    """Each subject's items over the windows from the day they were computed on, as far as
    `AHEAD_DAYS` (a chain of `SubjectDay`, today's first), in memory; a store may keep them in a
    database instead (same methods). A new day, or a day back, takes a subject's items from
    here when a window of its chain holds that day; only a change to what it read replaces the
    chain. Subjects whose items hold for good have none."""

    def __init__(self) -> None:
        self.chains: dict[str, tuple[SubjectDay, ...]] = {}

    def holding(self, subjects: Iterable[str], day: int) -> dict[str, SubjectDay]:
        """Of ``subjects``, those whose chain has a window holding ``day`` (an ordinal): its
        `SubjectDay`, with what the subject read left as recorded."""
        out = {}
        for subject in subjects:
            for found in self.chains.get(subject, ()):
                if found.window[0] <= day < found.window[1]:
                    out[subject] = replace(found, keys=None)
                    break
        return out

    def set(self, subject: str, chain: tuple[SubjectDay, ...] | None) -> None:
        """Replace ``subject``'s chain (None: it has none)."""
        if chain is None or len(chain) < 2:
            self.chains.pop(subject, None)
        else:
            self.chains[subject] = chain


@dataclass(frozen=True, slots=True)
class SubjectDay:
    """What the rules made of one subject on one day, and what they read to make it."""

    items: list[DueItem]
    keys: set[str] | None  # (None: what the subject read is as recorded)
    window: Window
    gone: bool = False  # the subject is no more (its note went, or nothing names it)
    dormant: Finding | None = None  # a contact: the suggestion to mark them dormant
    share: FieldShare | None = None  # a meeting: the fields it counts towards
    scheduled: Meeting | None = None  # a meeting still ahead
    card: tuple[str, dict[str, Any]] | None = None  # (kind, its row in `list`)
    figures: ContactFigures | MeetingFigures | None = None  # its part of `stats` and `graph`


def evaluate_subject(view: RecordingVault, subject: str, today: dt.date) -> SubjectDay:
    """Run the rules for ``subject`` over ``view``, noting what they read."""
    day = view.record(today)
    reads = view.reads
    if subject.startswith(REF):
        key = subject[len(REF) :]
        if not view.meetings_referring(key) and not view.contacts_named(key):
            return SubjectDay([], reads.keys(), (0, NEVER), gone=True)
        items = list(subject_items(view, subject, day))
        return SubjectDay(items, reads.keys(), reads.window())
    contact, meeting = view.contacts.get(subject), view.meetings.get(subject)
    company = view.companies.get(subject) if contact is None and meeting is None else None
    if contact is None and meeting is None and company is None:
        return SubjectDay([], reads.keys(), (0, NEVER), gone=True)
    items = list(subject_items(view, subject, day))
    found = dormant(view, contact, day) if contact is not None else None
    share = field_share(view, meeting, day) if meeting is not None else None
    ahead = meeting if meeting is not None and meeting.scheduled(day) else None
    card = (
        ("contact", contact_card(view, contact, day))
        if contact is not None
        else ("meeting", meeting_card(meeting, day))
        if meeting is not None
        else ("company", company_card(company))
        if company is not None
        else None
    )
    figures = (
        contact_figures(view, contact, day)
        if contact is not None
        else meeting_figures(view, meeting, day)
        if meeting is not None
        else None
    )
    keys = reads.keys()
    # (A subject always reads its own note: a change to it recomputes the subject anyway.)
    keys.discard(note_key(subject))
    return SubjectDay(items, keys, reads.window(), False, found, share, ahead, card, figures)


def chain_ahead(view: RecordingVault, subject: str, today: dt.date) -> tuple[SubjectDay, ...]:
    """``subject`` on ``today``, and on the first day after each window as far as
    `AHEAD_DAYS`: the windows follow one another. The first holds what every one read."""
    chain = [evaluate_subject(view, subject, today)]
    limit = today.toordinal() + AHEAD_DAYS
    while not chain[-1].gone and chain[-1].window[1] <= limit and len(chain) < AHEAD_WINDOWS:
        chain.append(evaluate_subject(view, subject, dt.date.fromordinal(chain[-1].window[1])))
    if len(chain) == 1:
        return (chain[0],)
    keys = set().union(*(f.keys or () for f in chain))
    return (replace(chain[0], keys=keys), *chain[1:])
