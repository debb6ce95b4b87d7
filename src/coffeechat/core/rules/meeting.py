"""The rules of the method that run over a meeting: prepare for it (4) and send a thank-you
after it (5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from coffeechat.core.ids import item_id
from coffeechat.core.model import DueItem, Meeting, Person
from coffeechat.core.rules.shared import after, audience, prepare_due
from coffeechat.core.vault.meeting_kinds import own_word
from coffeechat.core.vault.vault import VaultView

__all__ = ["prepare", "thank_you"]

_KIND_WORDS = {
    "informational": "informational interview",
    "coffee": "coffee",
    "call": "call",
    "video": "video call",
    "event": "meeting at the event",
}


def _when(meeting: Meeting) -> str:
    text = meeting.date.isoformat()
    return f"{text} {meeting.time.strftime('%H:%M')}" if meeting.time else text


def _names(people: list[Person]) -> str:
    names = [p.name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- 4. prepare -----------------------------------------------------------------------------


def prepare(vault: VaultView, meeting: Meeting, today: dt.date) -> Iterator[DueItem]:
    # A meeting today (or one just logged after the fact) is past preparing for.
    if meeting.date <= today or meeting.cancelled or meeting.prepared is not None:
        return
    people = audience(vault, meeting)
    if people is None:
        return
    first = people[0]
    yield DueItem(
        id=item_id("prepare", meeting.path),
        rule="prepare",
        contact=first.name,
        contact_path=first.path,
        due=prepare_due(vault.settings, meeting.date),
        title=f"Prepare for {meeting.title} ({_when(meeting)})",
        why=(
            "Re-read your approach note, research the company and the person, set your goals,"
            " write two tiers of questions (about the job; about the industry) and rehearse your"
            " thumbnail sketch. Keep to the time you asked for, and ask for two or three"
            " referrals at the end."
        ),
        source=meeting.path,
        meeting=meeting.path,
        subject=meeting.path,
    )


# --- 5. thank_you ---------------------------------------------------------------------------


def thank_you(vault: VaultView, meeting: Meeting, today: dt.date) -> Iterator[DueItem]:
    s = vault.settings
    if not meeting.held(today) or meeting.thank_you is not None or not meeting.with_:
        return
    people = audience(vault, meeting)
    if people is None:
        return
    thanked = any(
        e.kind == "thank_you" and e.date >= meeting.date
        for p in people
        if p.path is not None and (c := vault.contacts.get(p.path)) is not None
        for e in c.log
    )
    if thanked:
        return
    kind = own_word(meeting) or _KIND_WORDS.get(meeting.kind, "meeting")
    yield DueItem(
        id=item_id("thank_you", meeting.path),
        rule="thank_you",
        contact=people[0].name,
        contact_path=people[0].path,
        due=after(s, meeting.date, s.thank_you),
        title=f"Send {_names(people)} a thank-you for the {kind} on {meeting.date.isoformat()}",
        why=(
            "A short thank-you within a few days, naming something specific they told you,"
            " is what people remember — and it keeps the door open for the referrals they"
            " offered. Record it as thank_you: on the meeting note."
        ),
        source=meeting.path,
        meeting=meeting.path,
        subject=meeting.path,
    )
