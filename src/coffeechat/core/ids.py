"""Stable short ids for due items: the same rule and anchor give the same id on any machine."""

from __future__ import annotations

import hashlib

from coffeechat.core.links import fold

__all__ = ["ID_LENGTH", "item_id"]

#: 10 hex digits (40 bits): at 200,000 open items a collision is about a 2 % chance in the
#: whole vault; `done` and `snooze` accept any unique prefix, as git does.
ID_LENGTH = 10


def item_id(rule: str, *anchor: str) -> str:
    """Hash of the rule and what anchors it (note paths are compared NFC and case-folded)."""
    text = "\x1f".join([rule, *(fold(a) for a in anchor)])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:ID_LENGTH]
