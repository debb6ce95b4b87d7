"""The quote picker: the one specific thing from a meeting's notes a letter names — a line
they said (a whole sentence beats a fragment), else a topic they covered — and never your own
words (your pitch, what you asked)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from coffeechat.core.coaching.text import LIST_ITEM, meaning_words, note_body, plain
from coffeechat.core.note.sections import section_lines, without_marked_blocks

__all__ = ["Point", "pick_point", "point_phrase"]

_QUOTE = re.compile(r"(?<![\w*])(?:\"([^\"\n]{8,160})\"|“([^”\n]{8,160})”)")


@dataclass(frozen=True)
class Point:
    """Something specific from a meeting's notes: a line they said, or a topic they covered."""

    quote: str = ""
    topic: str = ""


_OWN_WORDS = re.compile(
    r"\b(I|we) (said|say|asked|ask|told \w+|wrote|pitched|replied)\b|"
    r"\bmy (pitch|answer|version|question|line|email|note|draft)\b",
    re.IGNORECASE,
)


def pick_point(meeting_text: str, exclude: Sequence[str] = ()) -> Point | None:
    """The first quoted remark in the meeting's ## Notes (else a bullet's "Topic: ..." label).
    A whole sentence beats a fragment; your own words (``My pitch: "..."``, or anything close to
    the texts in ``exclude``, such as your thumbnail sketch) are not theirs, and are skipped."""
    mine = [meaning_words(x) for x in exclude if x.strip()]
    body = without_marked_blocks(note_body(meeting_text))
    notes = section_lines(body, "Notes")
    lines = notes if notes is not None else body.splitlines()
    bullets = [
        plain(m[1])
        for ln in lines
        if (m := LIST_ITEM.match(ln)) and not re.match(r"\s*[-*+]\s+\[", ln)
    ]
    quotes: list[str] = []
    for text in bullets + [plain(ln) for ln in lines if not LIST_ITEM.match(ln)]:
        for m in _QUOTE.finditer(text):
            quote = (m[1] or m[2]).strip()
            before = text[: m.start()].rstrip().lower()
            if before.endswith(
                (" a", " an", " the", " my", " his", " her", " their", " our")
            ) or before in ("a", "an", "the"):
                continue  # a name or a title ('a "what does my plan cover?" explainer')
            if _OWN_WORDS.search(text[max(0, m.start() - 60) : m.start()]):
                continue
            if any(
                len(meaning_words(quote) & w) / max(1, len(meaning_words(quote))) >= 0.5
                for w in mine
            ):
                continue
            if 3 <= len(quote.split()) <= 20:
                quotes.append(quote)
    if quotes:
        # a whole sentence they said beats a fragment of one
        whole = [q for q in quotes if q[0].isupper() and q[-1] in ".!?"]
        quote = (whole or quotes)[0]
        quote = re.sub(r"^(?:but|and|so|or|then)\s+", "", quote, flags=re.IGNORECASE)
        return Point(quote=quote.rstrip(" ,;:.").strip())
    for text in bullets:
        m = re.match(r"([^:.!?]{3,48}):\s+\S", text)
        if m and len(m[1].split()) <= 6:
            topic = m[1].strip()
            if len(topic) > 1 and topic[1].islower():
                topic = topic[0].lower() + topic[1:]
            return Point(topic=topic)
    return None


def point_phrase(point: Point, who: str = "you") -> str:
    """The point as a letter names it: "what you said: “…”" or "what Jane said about …"."""
    speaker = "what you said" if who == "you" else f"what {who} said"
    if point.quote:
        return f"{speaker}: “{point.quote}”"
    return f"{speaker} about {point.topic}"
