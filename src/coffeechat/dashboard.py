"""The optional dashboard note (`watch.dashboard`): the agenda as Markdown, for Obsidian. Pure.

The note carries ``type: coffeechat-dashboard`` in its front matter: coffeechat only ever
replaces a file that says so, never a note a person wrote, and the type keeps the note out of
every rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from coffeechat.core.dates import day_label

if TYPE_CHECKING:
    from coffeechat.core.model import DueItem, Meeting

__all__ = ["MARKER", "is_dashboard", "render_dashboard"]

MARKER = "type: coffeechat-dashboard"
#: How far ahead the dashboard lists items one by one (later ones are only counted).
WEEK = 7
MEETINGS_AHEAD = 30


def is_dashboard(data: bytes) -> bool:
    """Whether a file's bytes are a dashboard coffeechat wrote (and may replace)."""
    head = data[:300].decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
    return head.startswith("---\n") and MARKER in head.split("\n---", 1)[0]


def _link(path: str | None, text: str) -> str:
    shown = text.replace("|", "/").replace("[", "(").replace("]", ")")
    if not path:
        return shown
    target = path[:-3] if path.lower().endswith(".md") else path
    return f"[[{target}|{shown}]]"


def _item_line(item: DueItem, today: dt.date) -> str:
    who = _link(item.contact_path, item.contact) if item.contact_path else item.contact
    source = "" if item.source == item.contact_path else f" · {_link(item.source, 'note')}"
    return f"- **{day_label(item.due, today)}** · {item.title} · {who}{source} · `{item.id}`"


def render_dashboard(items: Sequence[DueItem], meetings: Iterable[Meeting], today: dt.date) -> bytes:
    """The dashboard note's bytes for these open items and meetings on ``today``."""
    overdue = [i for i in items if i.due < today]
    now = [i for i in items if i.due == today]
    soon = [i for i in items if today < i.due <= today + dt.timedelta(days=WEEK)]
    later = [i for i in items if i.due > today + dt.timedelta(days=WEEK)]
    horizon = today + dt.timedelta(days=MEETINGS_AHEAD)
    ahead = sorted((m for m in meetings if m.scheduled(today) and m.date <= horizon),
                   key=lambda m: (m.date, m.time or dt.time(), m.path))
    lines = [
        "---", MARKER, "---",
        "%% Written by `coffeechat watch` from your notes; edits here are overwritten. %%",
        "# Follow-ups", "",
        (f"As of {today:%A %d %B %Y}: {len(items)} open follow-up{'s' * (len(items) != 1)},"
         f" {len(overdue)} overdue."),
    ]
    for title, group in (("Overdue", overdue), ("Today", now), (f"Next {WEEK} days", soon)):
        if group:
            lines += ["", f"## {title} ({len(group)})"]
            lines += [_item_line(i, today) for i in group]
    if ahead:
        lines += ["", f"## Meetings in the next {MEETINGS_AHEAD} days ({len(ahead)})"]
        for m in ahead:
            when = f"{m.date:%a %d %b}" + (f" {m.time:%H:%M}" if m.time else "")
            where = f" · {m.location}" if m.location else ""
            lines.append(f"- **{when}** · {_link(m.path, m.title or m.path)}{where}")
    if later:
        lines += ["", (f"Later: {len(later)} more, the next on {later[0].due:%a %d %b %Y}"
                       " (`coffeechat due --all` lists them).")]
    if not items and not ahead:
        lines += ["", "Nothing due. Time to approach someone new?"]
    return ("\n".join(lines) + "\n").encode("utf-8")
