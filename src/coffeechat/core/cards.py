"""What `list` shows of a contact, a meeting or a company: one row each, as data.

The agenda computes a subject's row with its items, over the same recording view
(`coffeechat.core.agenda.agenda`), so a row is kept in the store and recomputed exactly when the items
are: when a note it reads changes, or on the day a comparison with today would turn out
otherwise (a contact's last interaction, a meeting that was ahead and is now held).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from coffeechat.core.model import Company, Contact, Meeting
from coffeechat.core.vault.vault import VaultView

__all__ = ["company_card", "contact_card", "meeting_card"]


def contact_card(vault: VaultView, contact: Contact, today: dt.date) -> dict[str, Any]:
    """A contact's row: what `list contacts` prints, ``tags`` and ``referred_by`` (what it
    filters on), and ``company_path`` (whom `list companies` counts)."""
    last = vault.last_interaction(contact.path, today)
    return {
        "name": contact.name,
        "path": contact.path,
        "company": contact.company or None,
        "role": contact.role or None,
        "field": contact.field or None,
        "status": contact.status or "active",
        "last_contact": last.isoformat() if last else None,
        "tags": list(contact.tags),
        "referred_by": contact.referred_by.name if contact.referred_by else "",
        "company_path": contact.company_path,
    }


def meeting_card(meeting: Meeting, today: dt.date) -> dict[str, Any]:
    """A meeting's row: what `list meetings` prints, and its ``word`` (the kind as written)."""
    return {
        "date": meeting.date.isoformat(),
        "time": meeting.time.strftime("%H:%M") if meeting.time else None,
        "path": meeting.path,
        "title": meeting.title,
        "kind": meeting.kind or None,
        "with": [p.name for p in meeting.with_],
        "state": meeting.status or ("scheduled" if meeting.scheduled(today) else "held"),
        "word": meeting.word,
    }


def company_card(company: Company) -> dict[str, Any]:
    """A company's row: what `list companies` prints (its people are counted from the
    contacts' rows), and its ``tags``."""
    return {
        "name": company.name,
        "path": company.path,
        "industry": company.industry or None,
        "website": company.website or None,
        "tags": list(company.tags),
    }
