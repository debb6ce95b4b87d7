"""The rules of the method that run over a contact: chase an unanswered approach (1),
propose a time after a yes (2), rebook a cancelled meeting (3), report back to the referrer
(7), keep in touch (8), and tell everyone who helped once you have landed (9).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from coffeechat.core.dates import parse_cadence
from coffeechat.core.ids import item_id
from coffeechat.core.model import ATTEMPT_KINDS, OUTBOUND_KINDS, Contact, DueItem, Touch
from coffeechat.core.rules.shared import (
    QUIET,
    after,
    chase_due,
    landed_stops,
    open_approach,
    silenced,
)
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import VaultView

__all__ = ["follow_up_approach", "keep_in_touch", "landed", "rebook", "report_back", "schedule"]


# --- 1. follow_up_approach ----------------------------------------------------------------


def follow_up_approach(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    s = vault.settings
    if contact.status in QUIET:
        return
    found = open_approach(vault, contact, today)
    if found is None:
        return
    start, attempts = found
    if len(attempts) >= s.max_attempts:
        return  # gone quiet: `insights` suggests marking them dormant
    last = attempts[-1]
    n = len(attempts)
    due = chase_due(s, last.date)
    if landed_stops(s, today, due):
        return
    yield DueItem(
        id=item_id("follow_up_approach", contact.path, start.date.isoformat()),
        rule="follow_up_approach",
        contact=contact.name,
        contact_path=contact.path,
        due=due,
        title=f"Follow up with {contact.name} (attempt {n + 1} of {s.max_attempts})",
        why=(
            f"You approached {contact.name} on {start.date.isoformat()}"
            + (f" and tried again on {last.date.isoformat()}" if n > 1 else "")
            + " with no answer yet. Follow up yourself — don't wait for a reply; it often"
            " takes several tries. Said you would call on a given day? Call that day."
        ),
        source=contact.path,
        line=last.line,
        subject=contact.path,
    )


# --- 2. schedule ----------------------------------------------------------------------------


def _initiative(
    settings: Settings, touches: list[Touch], since: dt.date, days: int, today: dt.date
) -> tuple[dt.date, dt.date | None] | None:
    """When to nudge again about something that happened on ``since`` (a yes, a cancelled
    meeting): ``days`` after it, or after your latest try since then (follow-up, call,
    e-mail...). Returns (due, that latest try or None); None once you have landed."""
    tries = [t.date for t in touches if t.date >= since and t.kind in ATTEMPT_KINDS]
    last = tries[-1] if tries else None
    due = after(settings, last or since, days)
    return None if landed_stops(settings, today, due) else (due, last)


def _open_yes(vault: VaultView, contact: Contact, today: dt.date) -> Touch | None:
    """The reply to your last approach when no meeting has come of it yet (nor a refusal)."""
    touches = vault.touches(contact.path, today)
    starts = [i for i, t in enumerate(touches) if t.kind == "approach"]
    if not starts:
        return None
    start = touches[starts[-1]]
    after_start = touches[starts[-1] + 1 :]
    replies = [t for t in after_start if t.kind == "reply"]
    if not replies or any(t.kind in ("declined", "meeting") for t in after_start):
        return None
    if any(m.date >= start.date for m in vault.meetings_with(contact.path)):
        return None  # scheduled, held, or cancelled (then `rebook` takes over)
    return replies[0]


def schedule(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    """A yes that has not become a meeting: you keep the initiative and propose a time."""
    s = vault.settings
    if contact.status in QUIET:
        return
    reply = _open_yes(vault, contact, today)
    if reply is None:
        return
    if contact.follow_up is not None and contact.follow_up >= reply.date:
        return  # you already agreed a day ("call me Tuesday"): `follow_up` has it
    nudge = _initiative(s, vault.touches(contact.path, today), reply.date, s.schedule, today)
    if nudge is None:
        return
    due, last = nudge
    yield DueItem(
        id=item_id("schedule", contact.path, reply.date.isoformat()),
        rule="schedule",
        contact=contact.name,
        contact_path=contact.path,
        due=due,
        title=f"Propose a time to {contact.name}",
        why=(
            f"{contact.name} replied on {reply.date.isoformat()}"
            + (f" and you last wrote on {last.isoformat()}" if last else "")
            + ", and no meeting is on the calendar yet. Keep the initiative: offer two or"
            " three times and a place (or a call), and keep it to the 20–30 minutes you"
            " asked for. A meeting note or a `declined` line settles it."
        ),
        source=contact.path,
        line=reply.line,
        subject=contact.path,
    )


# --- 3. rebook ------------------------------------------------------------------------------


def rebook(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    """A cancelled or missed meeting with nothing in its place: offer a new time."""
    s = vault.settings
    if contact.status in QUIET:
        return
    meetings = sorted(vault.meetings_with(contact.path), key=lambda m: (m.date, m.path))
    if not meetings or not meetings[-1].cancelled:
        return
    lost = meetings[-1]
    if any(m.date >= lost.date and not m.cancelled for m in meetings):
        return
    touches = vault.touches(contact.path, today)
    if any(t.kind == "declined" and t.date >= lost.date for t in touches):
        return
    nudge = _initiative(s, touches, lost.date, s.rebook, today)
    if nudge is None:
        return
    due, last = nudge
    what = "was cancelled" if lost.status == "cancelled" else "did not happen (no-show)"
    yield DueItem(
        id=item_id("rebook", contact.path, lost.path),
        rule="rebook",
        contact=contact.name,
        contact_path=contact.path,
        due=due,
        title=f"Offer {contact.name} a new time",
        why=(
            f"{lost.title or 'Your meeting'} on {lost.date.isoformat()} {what}"
            + (f"; you last wrote on {last.isoformat()}" if last else "")
            + ". Plans change: offer two or three new times, without reproach. A new meeting"
            " note or a `declined` line settles it."
        ),
        source=lost.path,
        meeting=lost.path,
        subject=contact.path,
    )


# --- 7. report_back -------------------------------------------------------------------------


def report_back(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    referrer = contact.referred_by
    if referrer is None or contact.status == "do_not_contact" or silenced(vault, referrer):
        return
    held = [m for m in vault.meetings_with(contact.path) if m.held(today)]
    if not held:
        return
    meeting = held[0]
    known = referrer.path is not None and referrer.path in vault.contacts
    if known and any(
        t.date >= meeting.date and t.kind in OUTBOUND_KINDS
        for t in vault.touches(str(referrer.path), today)
    ):
        return
    s = vault.settings
    yield DueItem(
        id=item_id("report_back", contact.path),
        rule="report_back",
        contact=referrer.name,
        contact_path=referrer.path if known else None,
        due=after(s, meeting.date, s.report_back),
        title=f"Tell {referrer.name} how it went with {contact.name}",
        why=(
            f"{referrer.name} referred you to {contact.name}, whom you met on"
            f" {meeting.date.isoformat()}. People who give a referral want to hear what came"
            " of it; telling them keeps them invested in your search."
        ),
        source=meeting.path,
        meeting=meeting.path,
        subject=contact.path,
    )


# --- 8. keep_in_touch -----------------------------------------------------------------------


def keep_in_touch(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    s = vault.settings
    if contact.status in QUIET:
        return
    if not any(m.held(today) for m in vault.meetings_with(contact.path)):
        return
    last = vault.last_interaction(contact.path, today)
    if last is None:
        return
    cadence = parse_cadence(contact.cadence) if contact.cadence else s.cadence
    yield DueItem(
        id=item_id("keep_in_touch", contact.path),
        rule="keep_in_touch",
        contact=contact.name,
        contact_path=contact.path,
        due=s.workdays.on_or_after(cadence.after(last)),
        title=f"Keep in touch with {contact.name}",
        why=(
            f"Your last contact was on {last.isoformat()} and your cadence with them is"
            f" {cadence}. A short progress report, an article they would like or a card keeps"
            " the relationship alive — at least once a year."
        ),
        source=contact.path,
        subject=contact.path,
    )


# --- 9. landed ------------------------------------------------------------------------------


def landed(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    """Once you have landed (``[landed]``): a note to everyone who met you or referred you."""
    job = vault.settings.landed
    if job is None or contact.status == "do_not_contact":
        return
    if any(m.held(today) for m in vault.meetings_with(contact.path)):
        helped = "met with you"
    elif vault.contacts_referred_by(contact.path):
        helped = "referred you"
    else:
        return
    if any(e.kind == "landed" and e.date >= job.date for e in contact.log):
        return
    where = " ".join(
        x
        for x in (f"as {job.role}" if job.role else "", f"at {job.company}" if job.company else "")
        if x
    )
    yield DueItem(
        id=item_id("landed", contact.path, job.date.isoformat()),
        rule="landed",
        contact=contact.name,
        contact_path=contact.path,
        due=job.date,
        title=f"Tell {contact.name} you landed" + (f" {where}" if where else ""),
        why=(
            f"{contact.name} {helped} during your search. Tell everyone who helped, with thanks"
            " — they will want to know, and you will want them in your network in the new job."
        ),
        source=contact.path,
        subject=contact.path,
    )
