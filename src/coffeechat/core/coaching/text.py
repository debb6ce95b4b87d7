"""Small text helpers the prep sheet, the question bank and the letters share: a note's body
without its front matter or comments, Markdown to plain prose, names and dates as a letter says
them, and the meaning words that tell two wordings of one question or remark apart.

Wiki-links are shown through `coffeechat.core.links.link_text`, the one wiki-link parser.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

from coffeechat.core.links import fold, link_text

__all__ = [
    "LIST_ITEM",
    "MONTHS",
    "WEEKDAYS",
    "comments_out",
    "day_month",
    "first_name",
    "fold_words",
    "join_names",
    "meaning_words",
    "month_name",
    "note_body",
    "pitch_text",
    "plain",
    "similar_words",
    "when_phrase",
]

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def note_body(text: str) -> str:
    """A note's text after its front matter (the whole text when it has none)."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if lines and lines[0].rstrip("\r").rstrip() == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip("\r").rstrip() in ("---", "..."):
                return "\n".join(lines[i + 1 :])
    return text


_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|==|~~)(\S(?:.*?\S)?)\1")


def plain(text: str) -> str:
    """Markdown to plain prose: links to their text, no emphasis marks, one line."""
    text = link_text(text)
    text = _MD_LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\2", text)
    return " ".join(text.split())


def comments_out(text: str) -> str:
    """``text`` without its HTML (``<!-- -->``) and Obsidian (``%% %%``) comments: notes for
    the writer, never part of what is read out of a template."""
    text = re.sub(r"<!--.*?-->", "", text, flags=re.DOTALL)
    return re.sub(r"%%.*?%%", "", text, flags=re.DOTALL)


_TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame"}


def first_name(name: str) -> str:
    """ "Jane" for "Jane Doe", "Doe, Jane" or "Dr. Jane Doe"."""
    name = name.strip()
    if "," in name:  # "Doe, Jane"
        name = name.split(",", 1)[1].strip() or name
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in _TITLES:
        words.pop(0)
    return words[0] if words else name


def join_names(names: Sequence[str]) -> str:
    """ "A, B and C" (each name once, empty ones left out), as a sentence lists people."""
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def day_month(day: dt.date, today: dt.date) -> str:
    """ "6 November" (with the year when it is not this year's)."""
    text = f"{day.day} {MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def when_phrase(day: dt.date, today: dt.date) -> str:
    """ "today", "yesterday", "on Friday" (within the week), else "on 6 November"."""
    delta = (today - day).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "yesterday"
    if 1 < delta < 7:
        return f"on {WEEKDAYS[day.weekday()]}"
    return f"on {day_month(day, today)}"


def month_name(day: dt.date, today: dt.date) -> str:
    """ "October" (with the year when it is not this year's)."""
    return MONTHS[day.month - 1] + ("" if day.year == today.year else f" {day.year}")


def fold_words(text: str) -> str:
    """``text`` folded as names are matched (`fold`) and without accents, so that keywords
    and questions compare as a reader would (café ≈ Cafe)."""
    text = unicodedata.normalize("NFKD", fold(text))
    return "".join(c for c in text if not unicodedata.combining(c))


def pitch_text(configured: str, template: str | None) -> str:
    """The thumbnail sketch: [pitch] thumbnail, else the text of templates/Pitch.md (comments,
    headings and front matter left out); "" when neither holds one."""
    if configured.strip():
        return configured.strip()
    if not template:
        return ""
    body = comments_out(note_body(template))
    lines = [ln.strip().lstrip(">").strip() for ln in body.splitlines()]
    return "\n".join(ln for ln in lines if ln and not ln.startswith("#")).strip()


#: A list item ("- ", "* ", "1. ", with or without a task box): its text in group 1.
LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+(?:\[.\]\s+)?(.*\S)\s*$")


#: Words that carry no meaning of their own in a question ("What does a typical week look
#: like for you?" asks what "What does a normal week look like?" asks).
_FILLER = frozenset(
    (
        "a",
        "an",
        "the",
        "what",
        "whats",
        "how",
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "you",
        "your",
        "yours",
        "i",
        "me",
        "my",
        "for",
        "of",
        "to",
        "in",
        "on",
        "at",
        "it",
        "this",
        "that",
        "there",
        "be",
        "been",
        "would",
        "could",
        "should",
        "can",
        "will",
        "any",
    )
)
#: Words that ask the same thing, folded onto one.
_SAME = {
    "normal": "typical",
    "usual": "typical",
    "average": "typical",
    "ordinary": "typical",
    "regular": "typical",
    "day": "week",
    "days": "week",
    "weeks": "week",
}


def meaning_words(text: str) -> frozenset[str]:
    """A question's meaning words, for telling two wordings of one question apart."""
    text = re.sub(r"['’]s\b", " is", fold_words(text))
    words = (_SAME.get(w, w) for w in re.findall(r"\w+", text))
    return frozenset(w for w in words if w not in _FILLER)


def similar_words(a: frozenset[str], b: frozenset[str]) -> bool:
    """The same question in other words (most of the words shared)."""
    return bool(a and b) and len(a & b) / len(a | b) >= 0.7
