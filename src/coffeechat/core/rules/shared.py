"""What several rules of the method share: who may still be contacted, the working-day
arithmetic every computed date goes through, when the search is over, and the open approach
that both the chase (`contact.follow_up_approach`) and the dormant suggestion read.

Every date a rule computes falls on a working day (`Settings.workdays`): `after` moves it on
to the next one, `prepare_due` back to the previous one. Dates the user wrote (``follow_up:``,
a task's date, ``[landed]``) stay as written.
"""

from __future__ import annotations

import datetime as dt

from coffeechat.core.model import ATTEMPT_KINDS, Contact, Meeting, Person, Touch
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import VaultView

__all__ = [
    "QUIET",
    "SEARCH_RULES",
    "after",
    "audience",
    "chase_due",
    "landed_stops",
    "open_approach",
    "prepare_due",
    "silenced",
]

#: Contact statuses that stop the chase (approach nudges, referral outreach, keep-in-touch).
QUIET = frozenset({"dormant", "paused", "do_not_contact"})
#: Outreach that stops once you have landed (`[landed]`): chasing, proposing times, referrals.
SEARCH_RULES = frozenset({"follow_up_approach", "schedule", "rebook", "reach_referral"})


def silenced(
    vault: VaultView, person: Person | None, quiet: frozenset[str] = frozenset({"do_not_contact"})
) -> bool:
    """Whether ``person`` has a contact note whose status is one of ``quiet``: off limits."""
    if person is None or person.path is None:
        return False
    contact = vault.contacts.get(person.path)
    return contact is not None and contact.status in quiet


def audience(vault: VaultView, meeting: Meeting) -> list[Person] | None:
    """The people of a meeting one may still contact; None when all of them are off limits."""
    people = [p for p in meeting.with_ if not silenced(vault, p)]
    if meeting.with_ and not people:
        return None
    return people or [Person(meeting.title)]


def _plus(day: dt.date, days: int) -> dt.date:
    """``day`` + ``days``, clamped to the calendar: a 'someday' 9999-12-31 must not crash."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days >= 0 else dt.date.min


def after(settings: Settings, day: dt.date, days: int) -> dt.date:
    """``days`` after ``day``, moved on to the next working day: the date of every rule that
    counts forward from something that happened."""
    return settings.workdays.on_or_after(_plus(day, days))


def chase_due(settings: Settings, last_attempt: dt.date) -> dt.date:
    """When an unanswered attempt made on ``last_attempt`` is chased: the day
    `follow_up_approach` makes due, and the day a drafted letter promises to follow up on."""
    return after(settings, last_attempt, settings.follow_up_approach)


def prepare_due(settings: Settings, meeting_day: dt.date) -> dt.date:
    """When to prepare for a meeting: `prepare` days before, moved back to a working day."""
    return settings.workdays.on_or_before(_plus(meeting_day, -settings.prepare))


def landed_stops(settings: Settings, today: dt.date, due: dt.date) -> bool:
    """Whether the search is over for an outreach item (`SEARCH_RULES`) due on ``due``: from
    the landed date on there is nobody left to chase or to ask for a meeting."""
    job = settings.landed
    return job is not None and (today >= job.date or due >= job.date)


def open_approach(
    vault: VaultView, contact: Contact, today: dt.date
) -> tuple[Touch, list[Touch]] | None:
    """(the last approach, its attempts) when it has had no reply, meeting or refusal."""
    touches = vault.touches(contact.path, today)
    starts = [i for i, t in enumerate(touches) if t.kind == "approach"]
    if not starts:
        return None
    start = touches[starts[-1]]
    after = touches[starts[-1] + 1 :]
    if any(t.kind in ("reply", "declined", "meeting") for t in after):
        return None
    if any(m.date >= start.date and not m.cancelled for m in vault.meetings_with(contact.path)):
        return None  # a meeting on the calendar (or held) answers the approach
    attempts = [start] + [t for t in after if t.kind in ATTEMPT_KINDS]
    return start, attempts
