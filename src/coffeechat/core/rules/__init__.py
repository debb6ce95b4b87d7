"""The ten follow-up rules of the method, listed and run: (vault, today) in, due items out.
No I/O, no clock.

Each rule is a generator over one *subject* of the linked vault (a contact, a meeting, a
company or a referred name) that asks a `VaultView` for anything else it reads; the rules live
by what they run over (`contact`, `meeting`, `referral`, and `follow_up` for every kind of
note), with what they share in `shared`. This module lists them (`RULE_NAMES`, in the order
ties sort, and the tables by subject), runs them (`subject_items` for one subject, `raw_items`
for all), and finishes their items: `evaluate` applies snoozes and the give-up horizon and sorts
oldest first. Suggestions beside the rules are in `insights`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import replace
from typing import TypeVar

from coffeechat.core.links import fold
from coffeechat.core.model import Company, Contact, DueItem, Meeting
from coffeechat.core.rules.contact import (
    follow_up_approach,
    keep_in_touch,
    landed,
    rebook,
    report_back,
    schedule,
)
from coffeechat.core.rules.follow_up import follow_up_company, follow_up_contact, follow_up_meeting
from coffeechat.core.rules.meeting import prepare, thank_you
from coffeechat.core.rules.referral import REF, reach_referral, referral_subject
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import Vault, VaultView

__all__ = [
    "RULE_NAMES",
    "all_subjects",
    "evaluate",
    "finish",
    "raw_items",
    "subject_items",
]

_T = TypeVar("_T")
#: Obligations that go stale: past `give_up_after` days overdue they leave the agenda.
STALE_RULES = frozenset(
    {"follow_up_approach", "schedule", "rebook", "thank_you", "reach_referral", "report_back"}
)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


# --- the rules, by what they run over ---------------------------------------------------------

#: Each rule runs over one subject at a time: a contact, a meeting, a company, or a referred
#: name. Everything else a rule reads, it asks the `VaultView` for, so a view that notes each
#: lookup learns what a subject's items were computed from (`coffeechat.core.agenda.recording`).
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
