"""The rule of the method that runs over a referred name rather than a note: reach the
people you were given (6). Its subject is the folded name (`referral_subject`), whether or not
a note has it: several links and plain names may mean one person."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from coffeechat.core.ids import item_id
from coffeechat.core.model import OUTBOUND_KINDS, Contact, DueItem, Person
from coffeechat.core.rules.shared import QUIET, after, landed_stops, open_approach, silenced
from coffeechat.core.vault.vault import VaultView, referral_key

__all__ = ["REF", "reach_referral", "referral_subject"]

#: What the subject of a referred name starts with (see `referral_subject`).
REF = "ref:"


def referral_subject(key: str) -> str:
    """The subject of a reach_referral item: the referred name (folded), whether or not a note
    has it — several links and plain names may mean one person."""
    return "ref:" + key


# --- 6. reach_referral ----------------------------------------------------------------------


def reach_referral(vault: VaultView, key: str, today: dt.date) -> Iterator[DueItem]:
    """A name you were given (``key``, see `referral_key`), not reached yet: the earliest of
    the held meetings that gave it and the contact notes of that name with `referred_by`."""
    s = vault.settings
    trigger: tuple[dt.date, Person, str, str] | None = None  # (date, person, source, giver)
    for meeting in vault.meetings_referring(key):
        if meeting.held(today):
            giver = meeting.with_[0].name if meeting.with_ else meeting.title
            for person in meeting.referrals:
                if referral_key(person) == key and (trigger is None or meeting.date < trigger[0]):
                    trigger = (meeting.date, person, meeting.path, giver)
    for contact in vault.contacts_named(key):
        if contact.referred_by is None or contact.added is None:
            continue
        if vault.meetings_with(contact.path) or any(
            t.kind in OUTBOUND_KINDS or t.kind == "reply"
            for t in vault.touches(contact.path, today)
        ):
            continue
        if trigger is None or contact.added < trigger[0]:
            trigger = (contact.added, contact.person, contact.path, contact.referred_by.name)
    if trigger is None:
        return
    date, person, source, giver = trigger
    if silenced(vault, person, QUIET):
        return
    due = after(s, date, s.reach_referral)
    if landed_stops(s, today, due):
        return
    noted = vault.contacts.get(person.path) if person.path is not None else None
    if noted is not None:
        if _chased(vault, noted, today):
            return  # one item per person: the chase of your approach already has them
        if any(
            t.date >= date and (t.kind in OUTBOUND_KINDS or t.kind == "reply")
            for t in vault.touches(noted.path, today)
        ):
            return
        if any(m.date >= date and not m.cancelled for m in vault.meetings_with(noted.path)):
            return
    contact_path = noted.path if noted is not None else None
    yield DueItem(
        id=item_id("reach_referral", key),
        rule="reach_referral",
        contact=person.name,
        contact_path=contact_path,
        due=due,
        title=f"Reach out to {person.name}, referred by {giver}",
        why=(
            f"{giver} gave you {person.name}'s name on {date.isoformat()}. Contact each referral"
            " while the introduction is fresh, and say who sent you — that is what gets a yes."
            + ("" if contact_path else " (No contact note yet: add one to keep the log.)")
        ),
        source=source,
        meeting=source if source in vault.meetings else None,
        subject=referral_subject(key),
    )


def _chased(vault: VaultView, contact: Contact, today: dt.date) -> bool:
    """Whether `follow_up_approach` has an item for ``contact``."""
    found = open_approach(vault, contact, today)
    return found is not None and len(found[1]) < vault.settings.max_attempts
