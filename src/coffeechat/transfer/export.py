"""Contacts out of the vault: a CSV for spreadsheets, a vCard 3.0 file for address books.

Both are deterministic — the same vault gives the same bytes — and ordered by name. The
vCard's UID comes from the note's path, so an address book that imports the file again
updates its cards instead of doubling them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

from coffeechat.core.links import fold
from coffeechat.core.model import Contact
from coffeechat.core.vault.vault import Vault

__all__ = ["CSV_COLUMNS", "contacts_csv", "contacts_vcard"]

CSV_COLUMNS = (
    "name",
    "aliases",
    "company",
    "role",
    "email",
    "phone",
    "linkedin",
    "field",
    "tags",
    "referred_by",
    "how_met",
    "cadence",
    "status",
    "follow_up",
    "added",
    "path",
)
_PHONE_LIKE = re.compile(r"[+-][\d\s().\-/]*")


def _contacts(vault: Vault) -> list[Contact]:
    return sorted(vault.contacts.values(), key=lambda c: (fold(c.name), c.path))


def _spreadsheet_safe(text: str) -> str:
    """Keep spreadsheet apps from running a cell as a formula (``=HYPERLINK(...)`` in a name
    that came from an import): such cells get a leading apostrophe. Phone numbers stay."""
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not _PHONE_LIKE.fullmatch(text)
    ):
        return "'" + text
    return text


def _emails(text: str) -> list[str]:
    return [e for e in re.split(r"[\s,;]+", text) if "@" in e]


def _written_date(vault: Vault, contact: Contact, key: str, value: Any) -> str:
    """A date only when the note says it (``added`` otherwise falls back to the file's date)."""
    written = vault.notes[contact.path].meta.get(key) if contact.path in vault.notes else None
    return value.isoformat() if value is not None and written not in (None, "") else ""


def contacts_csv(vault: Vault) -> str:
    """Every contact as one CSV row (RFC 4180, CRLF); lists are joined with ``; ``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for c in _contacts(vault):
        row = [
            c.name,
            "; ".join(c.aliases),
            c.company,
            c.role,
            c.email,
            c.phone,
            c.linkedin,
            c.field,
            "; ".join(c.tags),
            c.referred_by.name if c.referred_by else "",
            c.how_met,
            c.cadence,
            c.status,
            c.follow_up.isoformat() if c.follow_up else "",
            _written_date(vault, c, "added", c.added),
            c.path,
        ]
        writer.writerow([_spreadsheet_safe(v) for v in row])
    return out.getvalue()


def _split_name(name: str) -> tuple[str, str]:
    """(family, given) for N: — the last word is taken as the family name."""
    parts = name.split()
    if len(parts) < 2:
        return "", name
    return parts[-1], " ".join(parts[:-1])


def contacts_vcard(vault: Vault) -> str:
    """Every contact as a vCard 3.0 card (CRLF, folded lines)."""
    import vobject  # type: ignore[import-untyped]  # heavy; only when exporting

    cards = []
    for c in _contacts(vault):
        card = vobject.vCard()
        card.add("version").value = "3.0"
        card.add("uid").value = (
            "coffeechat-" + hashlib.sha1(c.path.encode("utf-8")).hexdigest()[:20]
        )
        card.add("fn").value = c.name
        family, given = _split_name(c.name)
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        for alias in c.aliases:
            card.add("nickname").value = alias
        if c.company:
            card.add("org").value = [c.company]
        if c.role:
            card.add("title").value = c.role
        for email in _emails(c.email):
            line = card.add("email")
            line.value = email
            line.type_param = "INTERNET"
        if c.phone:
            card.add("tel").value = c.phone
        if c.linkedin:
            card.add("url").value = c.linkedin
        if c.tags:
            card.add("categories").value = list(c.tags)
        cards.append(card.serialize())
    return "".join(cards)
