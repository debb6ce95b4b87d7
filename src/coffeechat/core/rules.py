"""The ten follow-up rules of the method: (vault, today) in, due items out. No I/O, no clock.

Each rule is a generator over one *subject* of the linked vault (a contact, a meeting, a
company or a referred name) that asks a `VaultView` for anything else it reads; `RULE_NAMES`
lists them in the order ties sort. `subject_items` runs them for one subject, `raw_items` for
all; `evaluate` then applies snoozes and the give-up horizon and sorts oldest first.

Every date a rule computes falls on a working day (`Settings.workdays`): `after` moves it on
to the next one, `prepare` back to the previous one. Dates the user wrote (``follow_up:``, a
task's date, ``[landed]``) stay as written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TypeVar

from coffeechat.core.dates import parse_cadence
from coffeechat.core.ids import item_id
from coffeechat.core.links import fold
from coffeechat.core.model import (
    ATTEMPT_KINDS,
    OUTBOUND_KINDS,
    Company,
    Contact,
    DueItem,
    Finding,
    Meeting,
    Person,
    Severity,
    Task,
    Touch,
)
from coffeechat.core.settings import Settings
from coffeechat.core.vault import Vault, VaultView, own_word, referral_key

__all__ = [
    "RULE_NAMES",
    "after",
    "all_subjects",
    "chase_due",
    "evaluate",
    "finish",
    "insights",
    "prepare_due",
    "raw_items",
    "subject_items",
]

_T = TypeVar("_T")

DAY = dt.timedelta(days=1)
#: Contact statuses that stop the chase (approach nudges, referral outreach, keep-in-touch).
QUIET = frozenset({"dormant", "paused", "do_not_contact"})
#: Obligations that go stale: past `give_up_after` days overdue they leave the agenda.
STALE_RULES = frozenset(
    {"follow_up_approach", "schedule", "rebook", "thank_you", "reach_referral", "report_back"}
)
#: Outreach that stops once you have landed (`[landed]`): chasing, proposing times, referrals.
SEARCH_RULES = frozenset({"follow_up_approach", "schedule", "rebook", "reach_referral"})
_KIND_WORDS = {
    "informational": "informational interview",
    "coffee": "coffee",
    "call": "call",
    "video": "video call",
    "event": "meeting at the event",
}


def _silenced(
    vault: VaultView, person: Person | None, quiet: frozenset[str] = frozenset({"do_not_contact"})
) -> bool:
    if person is None or person.path is None:
        return False
    contact = vault.contacts.get(person.path)
    return contact is not None and contact.status in quiet


def _audience(vault: VaultView, meeting: Meeting) -> list[Person] | None:
    """The people of a meeting one may still contact; None when all of them are off limits."""
    people = [p for p in meeting.with_ if not _silenced(vault, p)]
    if meeting.with_ and not people:
        return None
    return people or [Person(meeting.title)]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


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


def _landed_stops(settings: Settings, today: dt.date, due: dt.date) -> bool:
    """Whether the search is over for an outreach item (`SEARCH_RULES`) due on ``due``: from
    the landed date on there is nobody left to chase or to ask for a meeting."""
    job = settings.landed
    return job is not None and (today >= job.date or due >= job.date)


def _when(meeting: Meeting) -> str:
    text = meeting.date.isoformat()
    return f"{text} {meeting.time.strftime('%H:%M')}" if meeting.time else text


def _names(people: list[Person]) -> str:
    names = [p.name for p in people]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- 1. follow_up_approach ----------------------------------------------------------------


def _open_approach(
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


def follow_up_approach(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    s = vault.settings
    if contact.status in QUIET:
        return
    found = _open_approach(vault, contact, today)
    if found is None:
        return
    start, attempts = found
    if len(attempts) >= s.max_attempts:
        return  # gone quiet: `insights` suggests marking them dormant
    last = attempts[-1]
    n = len(attempts)
    due = chase_due(s, last.date)
    if _landed_stops(s, today, due):
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
    return None if _landed_stops(settings, today, due) else (due, last)


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


# --- 4. prepare -----------------------------------------------------------------------------


def prepare(vault: VaultView, meeting: Meeting, today: dt.date) -> Iterator[DueItem]:
    # A meeting today (or one just logged after the fact) is past preparing for.
    if meeting.date <= today or meeting.cancelled or meeting.prepared is not None:
        return
    people = _audience(vault, meeting)
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
    people = _audience(vault, meeting)
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
    if _silenced(vault, person, QUIET):
        return
    due = after(s, date, s.reach_referral)
    if _landed_stops(s, today, due):
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
    found = _open_approach(vault, contact, today)
    return found is not None and len(found[1]) < vault.settings.max_attempts


# --- 7. report_back -------------------------------------------------------------------------


def report_back(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    referrer = contact.referred_by
    if referrer is None or contact.status == "do_not_contact" or _silenced(vault, referrer):
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


# --- 10. follow_up ---------------------------------------------------------------------------


def follow_up_contact(vault: VaultView, contact: Contact, today: dt.date) -> Iterator[DueItem]:
    """The ``follow_up:`` date and the open tasks of a contact note."""
    if contact.status == "do_not_contact":
        return
    if contact.follow_up is not None:
        yield DueItem(
            id=item_id("follow_up", contact.path, "follow_up"),
            rule="follow_up",
            contact=contact.name,
            contact_path=contact.path,
            due=contact.follow_up,
            title=f"Follow up with {contact.name}",
            why="You set follow_up: on this contact — when told “call me Tuesday”, call on"
            " Tuesday. Clear the field once done.",
            source=contact.path,
            line=contact.follow_up_line,
            subject=contact.path,
        )
    yield from _tasks(contact.path, contact.tasks, contact.person)


def follow_up_meeting(vault: VaultView, meeting: Meeting, today: dt.date) -> Iterator[DueItem]:
    """The ``follow_up:`` date and the open tasks of a meeting note."""
    people = _audience(vault, meeting)
    if people is None:
        return
    first = people[0]
    if meeting.follow_up is not None:
        yield DueItem(
            id=item_id("follow_up", meeting.path, "follow_up"),
            rule="follow_up",
            contact=first.name,
            contact_path=first.path,
            due=meeting.follow_up,
            title=f"Follow up on {meeting.title}",
            why="You set follow_up: on this meeting. Clear the field once done.",
            source=meeting.path,
            line=meeting.follow_up_line,
            meeting=meeting.path,
            subject=meeting.path,
        )
    yield from _tasks(meeting.path, meeting.tasks, first, meeting.path)


def follow_up_company(vault: VaultView, company: Company, today: dt.date) -> Iterator[DueItem]:
    """The open tasks of a company note."""
    yield from _tasks(company.path, company.tasks, Person(company.name))


def _tasks(
    path: str, tasks: tuple[Task, ...], person: Person, meeting: str | None = None
) -> Iterator[DueItem]:
    # A task's id is its text and due date (and, for repeats of both, which repeat it is):
    # never its place among tasks of the same text, or swapping two lines would swap their ids
    # and a `done ID` read off a calendar hours ago would tick the other one.
    seen: Counter[tuple[str, dt.date]] = Counter()
    for task in tasks:
        key = fold(" ".join(task.text.split()))
        seen[key, task.due] += 1
        if task.done:
            continue
        nth = seen[key, task.due]
        anchor = f"{key}\x1f{task.due.isoformat()}" + (f"\x1f{nth}" if nth > 1 else "")
        yield DueItem(
            id=item_id("follow_up", path, "task", anchor),
            rule="follow_up",
            contact=person.name,
            contact_path=person.path,
            due=task.due,
            title=task.text or "(task)",
            why="An open task with a due date in your notes. Tick it when it is done.",
            source=path,
            line=task.line,
            meeting=meeting,
            subject=path,
        )


# --- the rules, by what they run over ---------------------------------------------------------

#: Each rule runs over one subject at a time: a contact, a meeting, a company, or a referred
#: name. Everything else a rule reads, it asks the `VaultView` for, so a view that notes each
#: lookup learns what a subject's items were computed from (`coffeechat.core.recording`).
CONTACT_RULES: dict[str, Callable[[VaultView, Contact, dt.date], Iterator[DueItem]]] = {
    "follow_up_approach": follow_up_approach,
    "schedule": schedule,
    "rebook": rebook,
    "report_back": report_back,
    "keep_in_touch": keep_in_touch,
    "landed": landed,
    "follow_up": follow_up_contact,
}
MEETING_RULES: dict[str, Callable[[VaultView, Meeting, dt.date], Iterator[DueItem]]] = {
    "prepare": prepare,
    "thank_you": thank_you,
    "follow_up": follow_up_meeting,
}
COMPANY_RULES: dict[str, Callable[[VaultView, Company, dt.date], Iterator[DueItem]]] = {
    "follow_up": follow_up_company,
}
NAME_RULES: dict[str, Callable[[VaultView, str, dt.date], Iterator[DueItem]]] = {
    "reach_referral": reach_referral,
}
#: The rules in the order ties sort.
RULE_NAMES = (
    "follow_up_approach",
    "schedule",
    "rebook",
    "prepare",
    "thank_you",
    "reach_referral",
    "report_back",
    "keep_in_touch",
    "landed",
    "follow_up",
)
_ORDER = {name: i for i, name in enumerate(RULE_NAMES)}
#: What the subject of a referred name starts with (see `referral_subject`).
REF = "ref:"


def snoozes(vault: Vault) -> dict[str, dt.date]:
    """Item id -> the date it is snoozed until (see `merge_snoozes`)."""
    return merge_snoozes(
        obj.snoozes
        for group in (vault.contacts, vault.companies, vault.meetings)
        for obj in group.values()
    )


def merge_snoozes(entries: Iterable[tuple[tuple[str, dt.date], ...]]) -> dict[str, dt.date]:
    """Item id -> the date it is snoozed until, from each note's ``snooze:`` entries. Within a
    note the last entry wins (a new snooze replaces an older one); across notes, the latest date."""
    out: dict[str, dt.date] = {}
    for note_entries in entries:
        mine = dict(note_entries)  # later entries overwrite earlier ones
        for ident, until in mine.items():
            if until > out.get(ident, dt.date.min):
                out[ident] = until
    return out


def referral_subject(key: str) -> str:
    """The subject of a reach_referral item: the referred name (folded), whether or not a note
    has it — several links and plain names may mean one person."""
    return "ref:" + key


def all_subjects(vault: Vault) -> list[str]:
    """Every subject of the vault, with or without items today: its contacts, meetings and
    companies, and every referred name (given at a meeting, or a contact note's file name)."""
    names = sorted(vault.referring.keys() | vault.named.keys())
    return [*vault.contacts, *vault.meetings, *vault.companies, *map(referral_subject, names)]


def subject_items(
    vault: VaultView, subject: str, today: dt.date, rules: Collection[str] | None = None
) -> Iterator[DueItem]:
    """What the rules (``rules``: those named; default all) yield for one subject, before
    snoozes and the give-up horizon."""
    if subject.startswith(REF):
        yield from _run(NAME_RULES, vault, subject[len(REF) :], today, rules)
    elif (contact := vault.contacts.get(subject)) is not None:
        yield from _run(CONTACT_RULES, vault, contact, today, rules)
    elif (meeting := vault.meetings.get(subject)) is not None:
        yield from _run(MEETING_RULES, vault, meeting, today, rules)
    elif (company := vault.companies.get(subject)) is not None:
        yield from _run(COMPANY_RULES, vault, company, today, rules)


def _run(
    table: Mapping[str, Callable[[VaultView, _T, dt.date], Iterator[DueItem]]],
    vault: VaultView,
    what: _T,
    today: dt.date,
    rules: Collection[str] | None,
) -> Iterator[DueItem]:
    for name, rule in table.items():
        if rules is None or name in rules:
            yield from rule(vault, what, today)


def raw_items(
    vault: Vault, today: dt.date, rules: Collection[str] | None = None
) -> Iterator[DueItem]:
    """What the rules yield for the whole vault, before snoozes and the give-up horizon."""
    for subject in all_subjects(vault):
        yield from subject_items(vault, subject, today, rules)


def goes_stale(item: DueItem) -> bool:
    """Whether ``item`` leaves the agenda once `give_up_after` days overdue. Not a referral
    anchored on a contact note (``referred_by``): its date is the note's ``added``, which may
    be long before you wrote the name in, so giving up on it could drop it before it was ever
    shown; it waits until you reach out, snooze it, or mark them dormant or paused."""
    if item.rule == "reach_referral" and item.meeting is None:
        return False
    return item.rule in STALE_RULES


def settle(
    item: DueItem, snoozed: Mapping[str, dt.date], horizon: dt.date | None
) -> DueItem | None:
    """An item as the agenda shows it: moved to its snooze date, or None when it went stale
    (more than `give_up_after` days overdue)."""
    until = snoozed.get(item.id)
    if until is not None and until > item.due:
        return replace(item, due=until)
    if horizon is not None and item.due < horizon and goes_stale(item):
        return None
    return item


def give_up_horizon(settings: Settings, today: dt.date) -> dt.date | None:
    return today - _days(settings.give_up_after) if settings.give_up_after else None


def item_order(item: DueItem) -> tuple[dt.date, int, str, str]:
    """How the agenda sorts: oldest due first, then rule, person and id."""
    return (item.due, _ORDER[item.rule], fold(item.contact), item.id)


def finish(
    items: Iterable[DueItem], snoozed: Mapping[str, dt.date], horizon: dt.date | None
) -> list[DueItem]:
    """Apply snoozes and the give-up horizon (`give_up_horizon`) to raw items; oldest due first."""
    out: dict[str, DueItem] = {}
    for item in items:
        if (settled := settle(item, snoozed, horizon)) is not None:
            out.setdefault(settled.id, settled)
    return sorted(out.values(), key=item_order)


def evaluate(vault: Vault, today: dt.date, rules: list[str] | None = None) -> list[DueItem]:
    """Every open item of the vault on ``today``, oldest due first."""
    return finish(
        raw_items(vault, today, rules), snoozes(vault), give_up_horizon(vault.settings, today)
    )


def dormant(vault: VaultView, contact: Contact, today: dt.date) -> Finding | None:
    """The suggestion to mark a contact dormant, when their approaches went unanswered."""
    if contact.status in QUIET:
        return None
    found = _open_approach(vault, contact, today)
    if found is None or len(found[1]) < vault.settings.max_attempts:
        return None
    start, attempts = found
    if today < chase_due(vault.settings, attempts[-1].date):
        return None  # the last attempt has not had its time to go unanswered yet
    return Finding(
        contact.path,
        attempts[-1].line,
        f"{len(attempts)} attempts since {start.date.isoformat()} went unanswered; consider"
        " `status: dormant` (coffeechat stops nudging you about them)",
        Severity.INFO,
        "dormant",
    )


#: A held meeting's share in the field-limit count: (date, path, ((folded field, field), ...)).
FieldShare = tuple[dt.date, str, tuple[tuple[str, str], ...]]


def field_share(vault: VaultView, meeting: Meeting, today: dt.date) -> FieldShare | None:
    """The fields a held, non-event meeting counts towards (its people's ``field:``)."""
    if not meeting.held(today) or meeting.kind == "event":
        return None
    people = [
        c
        for p in meeting.with_
        if p.path is not None and (c := vault.contacts.get(p.path)) is not None
    ]
    fields = {fold(c.field): c.field for c in people if c.field}
    return (meeting.date, meeting.path, tuple(fields.items())) if fields else None


def field_limits(shares: Iterable[FieldShare], limit: int) -> list[Finding]:
    """Too many informational interviews on one field, from every meeting's `field_share`."""
    per_field: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)
    names: dict[str, str] = {}
    for date, path, fields in shares:
        for key, name in fields:
            per_field[key].append((date, path))
            names.setdefault(key, name)
    return [
        field_limit(len(meetings), names[key], max(meetings)[1], limit)
        for key, meetings in sorted(per_field.items())
        if len(meetings) > limit
    ]


def field_limit(count: int, name: str, latest: str, limit: int) -> Finding:
    """The suggestion for a field with ``count`` interviews (more than ``limit``), shown on
    the ``latest`` meeting."""
    return Finding(
        latest,
        None,
        f"{count} informational interviews on {name!r} (more than {limit}): after four or five"
        " you learn little new and word gets around — widen to a neighbouring field or go"
        " deeper with the people you met",
        Severity.INFO,
        "field-limit",
    )


def insights(vault: Vault, today: dt.date) -> list[Finding]:
    """Suggestions beside the rules: contacts gone quiet, too many interviews on one field."""
    out = [
        f
        for c in sorted(vault.contacts.values(), key=lambda c: c.path)
        if (f := dormant(vault, c, today)) is not None
    ]
    shares = [s for m in vault.meetings.values() if (s := field_share(vault, m, today)) is not None]
    return out + field_limits(shares, vault.settings.field_limit)
