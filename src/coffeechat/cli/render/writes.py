"""What the commands that write into a vault say they did: notes created, lines added, items
done or snoozed, a vault made. `import calendar` and `import mail` say it in the same words."""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = [
    "done_line",
    "line_added",
    "meeting_created",
    "note_created",
    "snoozed",
    "vault_ready",
    "would_do",
]


def note_created(rel: str) -> str:
    return f"Created {rel}"


def meeting_created(rel: str, prepare_by: dt.date | None, today: bool = False) -> str:
    """A new meeting note, and what it asks of you next: preparing by ``prepare_by`` for one
    still ahead, the thank-you after one held ``today`` or before."""
    if prepare_by is not None:
        return f"Created {rel} (scheduled: prepare by {prepare_by.isoformat()})"
    if today:
        return f"Created {rel} (today: afterwards, send the thank-you)"
    return f"Created {rel} (held: send the thank-you, and record it as thank_you:)"


def line_added(line: str, path: str, dry_run: bool = False) -> str:
    return f"{'Would add' if dry_run else 'Added'} `{line}` to {path}"


def would_do(write: Any) -> str:
    """`done --dry-run`: one write it would make."""
    return f"Would {write.describe(planned=True)}"


def done_line(item: Any, write: Any) -> str:
    return f"Done {item.id}: {item.title} — {write.describe()}"


def snoozed(item: Any, until: dt.date) -> str:
    return f"Snoozed {item.id} ({item.title}) until {until.isoformat()} in {item.source}"


def vault_ready(where: str, made: list[str]) -> list[str]:
    """What `init` made in the vault ``where`` (nothing: it was one already), and what next."""
    if made:
        first = f"Vault ready in {where}: created " + ", ".join(made) + "."
    else:
        first = f"{where} is already a coffeechat vault; nothing to add."
    return [first, "Next: add a contact note in contacts/, then run `coffeechat due`."]
