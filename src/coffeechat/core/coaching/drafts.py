"""A draft letter from a template: ``{field}`` placeholders filled from a letter's facts.

Placeholders are single braces, so they never collide with Obsidian's ``{{date}}``. A sentence
whose field is not known is left out, and reported as `Missing` so the caller can ask for it or
say so; ``A. || B.`` offers alternatives for one sentence, tried in order. No ``{field}`` ever
survives into a letter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from coffeechat.core.coaching.text import comments_out, note_body

__all__ = ["FIELD_HELP", "Filled", "Missing", "fill", "template_fields"]

#: What each field means, for the prompt that asks for it and the note that says it is missing.
FIELD_HELP: dict[str, str] = {
    "name": "their full name",
    "first": "their first name",
    "company": "their organisation",
    "role": "their job title",
    "field": "the field you are exploring with them (e.g. “UX research”)",
    "referrer": "who gave you their name",
    "referrer_first": "the first name of who gave you their name",
    "source": "how you came across them (e.g. “your talk at Product School”)",
    "pitch": "your thumbnail sketch ([pitch] thumbnail in coffeechat.toml, or templates/Pitch.md)",
    "me": "your name, to sign with ([pitch] signature in coffeechat.toml)",
    "today": "today's date",
    "follow_up_day": "the day you will follow up",
    "approach_when": "when you first wrote to them",
    "when": "when you met",
    "occasion": "what you are thanking them for (e.g. “the coffee”)",
    "point": "one specific thing they said that stayed with you",
    "referrals": "the people they suggested you talk to",
    "met": "who you met through them",
    "met_first": "the first name of who you met through them",
    "met_when": "when you met the person they referred you to",
    "met_referrals": "the names that person gave you in turn",
    "last_month": "when you were last in touch (e.g. “October”)",
    "news": "your news since you were last in touch (one or two sentences)",
    "landed_role": "the job you accepted",
    "landed_company": "the organisation you are joining",
    "help": "what they did for you (e.g. “meeting me for coffee in October”)",
}


_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")
# A sentence ends at . ! ? … (and a closing quote or bracket), or after a field that stands
# alone before a capital letter ("{pitch} I'm exploring ...").
_END = r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))"
_BOUNDARY = re.compile(_END + r"\s+|(?<=\})\s+(?=[A-ZÀ-ÖØ-Þ“\"])")


@dataclass(frozen=True)
class Missing:
    """A sentence left out because ``fields`` are not known."""

    fields: tuple[str, ...]
    sentence: str  # the template sentence, for the note that says what was left out
    line: int  # its line in the template


@dataclass(frozen=True)
class Filled:
    """A filled letter, and what was left out of it (and why)."""

    text: str
    missing: tuple[Missing, ...] = ()
    unknown_fields: tuple[str, ...] = ()  # fields the template uses that coffeechat never fills


def template_fields(template: str) -> set[str]:
    """The ``{field}``s a template uses (lower-cased; comments and front matter left out)."""
    return {m[1].lower() for m in _FIELD.finditer(comments_out(note_body(template)))}


def _slots(line: str) -> list[list[str]]:
    """Sentence slots of a line; ``A. || B.`` makes A and B alternatives for one slot."""
    slots: list[list[str]] = []
    for k, part in enumerate(re.split(r"\s*\|\|\s*", line)):
        sentences = [s for s in _BOUNDARY.split(part) if s.strip()]
        if not sentences:
            continue
        if k > 0 and slots:
            slots[-1].append(sentences.pop(0))
        slots.extend([s] for s in sentences)
    return slots


def fill(template: str, values: Mapping[str, str | None]) -> Filled:
    """Fill ``{field}``s from ``values``. A sentence with a field whose value is None is left out
    quietly; one with a field not in ``values`` is left out and reported as Missing. No ``{field}``
    survives; Obsidian's ``{{…}}`` are left for the caller to render."""
    text = comments_out(note_body(template)).replace("\r\n", "\n")
    known = {
        k.lower(): (" ".join(x.split()) if isinstance(x, str) else None) for k, x in values.items()
    }
    out: list[str] = []
    missing: list[Missing] = []
    unknown: set[str] = set()
    for number, line in enumerate(text.split("\n"), 1):
        if "{" not in line and "||" not in line:
            out.append(line.rstrip())
            continue
        indent = line[: len(line) - len(line.lstrip())]
        kept: list[str] = []
        for alternatives in _slots(line.strip()):
            chosen = None
            for sentence in alternatives:
                names = [m[1].lower() for m in _FIELD.finditer(sentence)]
                if all(known.get(n) for n in names):
                    chosen = _FIELD.sub(lambda m: str(known[m[1].lower()]), sentence)
                    break
            if chosen is not None:
                kept.append(chosen)
                continue
            last = alternatives[-1]
            absent = tuple(
                dict.fromkeys(
                    m[1].lower() for m in _FIELD.finditer(last) if m[1].lower() not in known
                )
            )
            unknown.update(n for n in absent if n not in FIELD_HELP)
            if absent:
                missing.append(Missing(absent, last, number))
        if kept:
            out.append(indent + " ".join(kept))
        # a line whose every sentence was left out disappears
    result: list[str] = []
    for line in out:
        if not line.strip() and (not result or not result[-1].strip()):
            continue  # no leading or doubled blank lines
        result.append(line)
    while result and not result[-1].strip():
        result.pop()
    filled = "\n".join(result) + "\n"
    return Filled(filled, tuple(missing), tuple(sorted(unknown)))
