"""Meeting kinds: the words a ``kind:`` may be written with and the kind each means, the
kinds coffeechat has words of its own for, and when the user's own word is kept in titles and
letters (`own_word`) or a likely typo is pointed out (`kind_suggestion`)."""

from __future__ import annotations

from coffeechat.core.model import Meeting

__all__ = ["KNOWN_KINDS", "MEETING_KINDS", "kind_suggestion", "own_word"]

MEETING_KINDS = {
    "informational": "informational",
    "informational interview": "informational",
    "info": "informational",
    "info interview": "informational",
    "interview": "informational",
    "coffee": "coffee",
    "coffee chat": "coffee",
    "lunch": "coffee",
    "breakfast": "coffee",
    "tea": "coffee",
    "drinks": "coffee",
    "walk": "coffee",
    "call": "call",
    "phone": "call",
    "phone call": "call",
    "video": "video",
    "video call": "video",
    "zoom": "video",
    "teams": "video",
    "meet": "video",
    "google meet": "video",
    "event": "event",
    "meetup": "event",
    "conference": "event",
    "career fair": "event",
}
#: The kinds coffeechat has words of its own for (`meet --kind` completes them).
KNOWN_KINDS = ("informational", "coffee", "call", "video", "event")
#: Known words that name the occasion better than their kind does: the text keeps them.
_OCCASIONS = frozenset(
    {"lunch", "breakfast", "dinner", "tea", "drinks", "walk", "meetup", "conference", "career fair"}
)


def own_word(meeting: Meeting) -> str:
    """The user's word for the meeting where titles and letters should say it ("lunch",
    "hike"); "" where the kind's own words say it (coffee, zoom: a video call)."""
    word = meeting.word
    return word if word and (word not in MEETING_KINDS or word in _OCCASIONS) else ""


def kind_suggestion(word: str) -> str | None:
    """The known kind a word that means nothing to coffeechat was likely meant to be ("cofee":
    coffee); None for a word of its own ("hike"), which is kept as written."""
    import difflib

    if not word or word in MEETING_KINDS:
        return None
    close = difflib.get_close_matches(word, list(MEETING_KINDS), n=1, cutoff=0.8)
    return MEETING_KINDS[close[0]] if close else None
