"""What `done` writes for each rule: the line or property a person would have written.

`resolution` is pure — an item and the vault in, a list of planned writes out — so the
plan can be shown and tested; `storage.done.carry_out` carries it out through the safe-edit
layer, for `coffeechat done` and for a task ticked on a CalDAV server alike.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from coffeechat.core.model import DueItem
from coffeechat.core.vault.vault import Vault
from coffeechat.errors import CoffeechatError

__all__ = ["LOG_DEFAULTS", "LOG_HEADING", "Write", "log_line", "resolution"]

LOG_HEADING = "Log"


@dataclass(frozen=True)
class Write:
    """One planned change: ``op`` is "set" (key=value), "log" (a line under ## Log),
    "tick" (the task on ``line``, which must still read ``text`` due ``value``) or
    "create_contact" (name, with ``fields`` and a log line)."""

    op: str
    path: str | None
    key: str = ""
    value: Any = None
    line: int | None = None
    text: str = ""
    fields: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def describe(self, planned: bool = False) -> str:
        """What the write did ("added ..."), or with ``planned`` what it would do ("add ...",
        for `done --dry-run`: "Would add ...")."""
        verb = _PLANNED if planned else _DONE
        if self.op == "set":
            if self.value is None:
                return f"{verb['clear']} {self.key}: in {self.path}"
            return f"{verb['set']} {self.key}: {self.value} in {self.path}"
        if self.op == "log":
            return f"{verb['add']} `{self.text}` to {self.path}"
        if self.op == "tick":
            return f"{verb['tick']} the task on line {self.line} of {self.path}"
        return f"{verb['create']} a note for {self.key} with `{self.text}`"


_DONE = {"clear": "cleared", "set": "set", "add": "added", "tick": "ticked", "create": "created"}
_PLANNED = {"clear": "clear", "set": "set", "add": "add", "tick": "tick", "create": "create"}


def log_line(day: dt.date, kind: str, text: str) -> str:
    """``- 2026-11-23 follow_up: nudged by email`` (kind as the SPEC spells it)."""
    text = " ".join(text.split())
    return (
        f"- {day.isoformat()} {kind}: {text}".rstrip() if text else f"- {day.isoformat()} {kind}:"
    )


#: What `log NAME KIND` writes when no text is given: a plain description, never an empty
#: ``reply:`` (a `note` says nothing without its text, so it has none).
LOG_DEFAULTS = {
    "approach": "reached out",
    "follow_up": "followed up",
    "call": "called",
    "voicemail": "left a voicemail",
    "email": "emailed",
    "reply": "they replied",
    "thank_you": "sent a thank-you",
    "update": "sent an update",
    "report_back": "told them how it went",
    "landed": "told them I landed",
    "declined": "they declined",
}

_DEFAULT_TEXT = {
    "follow_up_approach": ("follow_up", "followed up"),
    "schedule": ("follow_up", "proposed a time to meet"),
    "rebook": ("follow_up", "offered a new time"),
    "reach_referral": ("approach", "reached out; {giver} gave me the name"),
    "report_back": ("report_back", "told them how it went with {person}"),
    "keep_in_touch": ("update", "sent an update"),
    "landed": ("landed", "told them I landed{where}, with thanks"),
}


def resolution(
    item: DueItem, vault: Vault, today: dt.date, message: str | None = None
) -> list[Write]:
    """The writes that resolve ``item`` as of ``today``."""
    if item.rule == "prepare":
        return [Write("set", item.source, key="prepared", value=today)]
    if item.rule == "thank_you":
        return [Write("set", item.source, key="thank_you", value=today)]
    if item.rule == "follow_up":
        note = vault.notes.get(item.source)
        task = next((t for t in note.tasks if t.line == item.line), None) if note else None
        if task is not None:  # text and due: what the tick must find on that line
            return [Write("tick", item.source, line=item.line, text=task.text, value=task.due)]
        return [Write("set", item.source, key="follow_up", value=None)]
    kind, template = _DEFAULT_TEXT[item.rule]
    giver = person = where = ""
    if item.rule == "reach_referral":
        meeting = vault.meetings.get(item.source)
        if meeting is not None and meeting.with_:
            giver = meeting.with_[0].name
        elif item.source in vault.contacts and vault.contacts[item.source].referred_by:
            giver = vault.contacts[item.source].referred_by.name  # type: ignore[union-attr]
    if item.rule == "report_back":
        meeting = vault.meetings.get(item.source)
        if meeting is not None:
            referred = [
                p
                for p in meeting.with_
                if p.path in vault.contacts
                and (r := vault.contacts[p.path].referred_by) is not None
                and r.path == item.contact_path
            ]
            person = (
                referred[0].name if referred else (meeting.with_[0].name if meeting.with_ else "")
            )
    if item.rule == "landed" and vault.settings.landed is not None:
        job = vault.settings.landed
        where = "".join(
            x
            for x in (
                f" as {job.role}" if job.role else "",
                f" at {job.company}" if job.company else "",
            )
        )
    text = (
        message
        if message is not None
        else template.format(giver=giver or "someone", person=person or "them", where=where)
    )
    line = log_line(today, kind, text)
    if item.contact_path is None:
        if item.rule != "reach_referral":
            raise CoffeechatError(
                f"{item.contact} has no contact note to log this in; add one with"
                f' `coffeechat add contact "{item.contact}"` first'
            )
        fields: list[tuple[str, Any]] = []
        if giver:
            fields.append(("referred_by", giver))
        return [Write("create_contact", None, key=item.contact, text=line, fields=tuple(fields))]
    return [Write("log", item.contact_path, text=line)]
