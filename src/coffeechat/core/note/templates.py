"""Obsidian core-Templates placeholders ({{title}}, {{date}}, {{time}}, with Moment formats),
rendered completely: a note coffeechat writes never keeps a ``{{…}}`` or ``<% %>``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

__all__ = ["moment", "render"]

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*(?::([^}]*))?\}\}")
_TEMPLATER = re.compile(r"<%[-_*]?.*?[-_]?%>", re.DOTALL)
_MOMENT = re.compile(
    r"\[[^\]]*\]|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|d|HH|H|hh|h|mm|m|ss|s|A|a|Z"
)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def moment(fmt: str, when: dt.datetime) -> str:
    """Format ``when`` with a Moment.js format string (the tokens Obsidian users use)."""
    tokens: dict[str, Callable[[dt.datetime], str]] = {
        "YYYY": lambda d: f"{d.year:04d}",
        "YY": lambda d: f"{d.year % 100:02d}",
        "MMMM": lambda d: d.strftime("%B"),
        "MMM": lambda d: d.strftime("%b"),
        "MM": lambda d: f"{d.month:02d}",
        "M": lambda d: str(d.month),
        "Do": lambda d: _ordinal(d.day),
        "DD": lambda d: f"{d.day:02d}",
        "D": lambda d: str(d.day),
        "dddd": lambda d: d.strftime("%A"),
        "ddd": lambda d: d.strftime("%a"),
        "dd": lambda d: d.strftime("%a")[:2],
        "d": lambda d: str(d.isoweekday() % 7),
        "HH": lambda d: f"{d.hour:02d}",
        "H": lambda d: str(d.hour),
        "hh": lambda d: f"{(d.hour % 12) or 12:02d}",
        "h": lambda d: str((d.hour % 12) or 12),
        "mm": lambda d: f"{d.minute:02d}",
        "m": lambda d: str(d.minute),
        "ss": lambda d: f"{d.second:02d}",
        "s": lambda d: str(d.second),
        "A": lambda d: "AM" if d.hour < 12 else "PM",
        "a": lambda d: "am" if d.hour < 12 else "pm",
        "Z": lambda d: d.strftime("%z") or "",
    }

    def one(m: re.Match[str]) -> str:
        token = m[0]
        return token[1:-1] if token.startswith("[") else tokens[token](when)

    return _MOMENT.sub(one, fmt)


def render(text: str, title: str, when: dt.datetime) -> tuple[str, list[str]]:
    """Fill ``{{title}}``, ``{{date[:fmt]}}`` and ``{{time[:fmt]}}``; drop anything else that
    a template engine would have filled. Returns the text and what was dropped."""
    dropped: list[str] = []

    def one(m: re.Match[str]) -> str:
        name, fmt = m[1].lower(), m[2]
        if name == "title":
            return title
        if name == "date":
            return moment(fmt.strip() if fmt else "YYYY-MM-DD", when)
        if name == "time":
            return moment(fmt.strip() if fmt else "HH:mm", when)
        dropped.append(m[0])
        return ""

    out = _PLACEHOLDER.sub(one, text)

    def templater(m: re.Match[str]) -> str:
        dropped.append(m[0])
        return ""

    out = _TEMPLATER.sub(templater, out)
    return out, dropped
