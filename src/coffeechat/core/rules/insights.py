"""Suggestions beside the rules (`check` and `due` show them, they are not due items): a
contact whose approaches went unanswered may be marked dormant, and too many informational
interviews on one field."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from coffeechat.core.links import fold
from coffeechat.core.model import Contact, Finding, Meeting, Severity
from coffeechat.core.rules.shared import QUIET, chase_due, open_approach
from coffeechat.core.vault.vault import Vault, VaultView

__all__ = ["FieldShare", "dormant", "field_limit", "field_limits", "field_share", "insights"]


def dormant(vault: VaultView, contact: Contact, today: dt.date) -> Finding | None:
    """The suggestion to mark a contact dormant, when their approaches went unanswered."""
    if contact.status in QUIET:
        return None
    found = open_approach(vault, contact, today)
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
