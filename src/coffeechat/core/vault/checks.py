"""Findings about the vault as a whole rather than one note: contacts that are the same
person twice (same e-mail or LinkedIn URL, told from each contact's identity keys so a store can
keep the keys and check them without the notes), and dates more than a year ahead (a mistyped
year)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from coffeechat.core.dates import add_months
from coffeechat.core.model import Contact, Finding, Severity
from coffeechat.core.vault.vault import Vault

__all__ = ["duplicate_findings", "far_future", "identity_keys"]


def far_future(vault: Vault, today: dt.date) -> list[Finding]:
    """A warning for each log line and meeting dated more than a year after ``today``: a
    mistyped year (2207, 2027 for 2026) that would otherwise hide the touch or the meeting."""
    limit = add_months(today, 12)
    out = []
    for contact in vault.contacts.values():
        out += [
            Finding(
                contact.path,
                e.line,
                f"log line dated {e.date.isoformat()}, more than a"
                " year from today: a mistyped year?",
                Severity.WARNING,
                "far-future",
            )
            for e in contact.log
            if e.date > limit
        ]
    for meeting in vault.meetings.values():
        if meeting.date > limit:
            line = (
                vault.notes[meeting.path].meta_lines.get("date")
                if meeting.path in vault.notes
                else None
            )
            out.append(
                Finding(
                    meeting.path,
                    line,
                    f"meeting dated {meeting.date.isoformat()}, more"
                    " than a year from today: a mistyped year?",
                    Severity.WARNING,
                    "far-future",
                )
            )
    return out


def identity_keys(contact: Contact) -> list[tuple[str, str, str]]:
    """(label, key, property) of what makes a contact the same person: e-mail, LinkedIn URL."""
    keys = []
    if "@" in contact.email:
        keys.append(("e-mail", contact.email.strip().lower(), "email"))
    if contact.linkedin:
        keys.append(("LinkedIn", _linkedin_key(contact.linkedin), "linkedin"))
    return keys


def duplicate_findings(dups: Mapping[str, Iterable[tuple[str, str, int | None]]]) -> list[Finding]:
    """A warning on each contact that shares an e-mail or LinkedIn URL with an earlier one (by
    path), from each contact's (label, key, line of the property)."""
    seen: dict[tuple[str, str], str] = {}
    out = []
    for path in sorted(dups):
        for label, key, line in dups[path]:
            first = seen.setdefault((label, key), path)
            if first != path:
                out.append(
                    Finding(
                        path,
                        line,
                        f"same {label} as {first}: the same person twice? merge the notes",
                        Severity.WARNING,
                        "duplicate",
                    )
                )
                break
    return out


def _linkedin_key(url: str) -> str:
    url = url.strip().lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return re.sub(r"^(https?://)?(www\.|[a-z]{2}\.)?", "", url)
