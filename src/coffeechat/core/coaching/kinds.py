"""The kinds of letter — the one list every part of coaching uses — and telling which kind a
letter's text reads as (a thank-you, a report back, a follow-up, an update, news that you
landed; an approach when nothing else fits).
"""

from __future__ import annotations

from coffeechat.core.coaching.letter_text import DURATION, read_letter, rx

__all__ = ["KINDS", "detect_kind"]

#: The kinds of letter, in the order the method writes them.
KINDS = ("approach", "follow_up", "thank_you", "report_back", "update", "landed")

_KIND_THANKS = rx(
    r"\bthank(s| you)\b[^.?!\n]{0,40}\bfor (meeting|speaking|talking|chatting|sitting down|seeing me|"
    r"the (coffee|chat|conversation|call|video call|meeting|tour|lunch|walk|time yesterday)|"
    r"your time (yesterday|today|this|last|on)|taking (the )?time (to|out) (to )?(meet|speak|talk|chat|"
    r"see|sit)|making (the )?time (for me|to (meet|speak|talk|chat)))",
    r"\b(great|lovely|wonderful|so good|a pleasure) (to )?(meet|meeting|talk|talking|chat|chatting|"
    r"speak|speaking) (with )?you (yesterday|today|this morning|this afternoon|on \w+day|last week)",
)
_KIND_LANDED = rx(
    r"\b(I['’]ve|I have|I) (accepted|signed|landed|started)\b[^.?!\n]{0,40}\b(offer|job|role|position)\b",
    r"\b(I['’]ll|I will|I['’]m going to) be (joining|starting)\b",
    r"\b(I['’]m|I am|I['’]ve|I have) (joining|joined|starting at)\b",
    r"\bstart(ing)? (a|my) new (job|role|position)\b",
)
_KIND_REPORT = rx(
    r"\b(let you know|tell you|update you( on)?) how (it|things|my|the) [^.?!\n]{0,40}(went|go|going)\b",
    r"\bthanks to (your|the) (introduction|intro|suggestion|referral)\b",
    r"\b(met|spoke with|talked with|had coffee with|caught up with)\b[^.?!\n]{0,40}\bthanks to you\b",
)
_KIND_FOLLOW = rx(
    r"\b(just|I['’]m|I am|only) (following|checking) (up|in|back)\b",
    r"\bfollow(ing)? up on (my|our|the|an?) (\w+ )?(e-?mail|note|message|letter|request|voicemail|call)\b",
    r"\bcircling back\b",
    r"\bbumping (this|my)\b",
    r"\b(my|an) (earlier|previous|last) (e-?mail|note|message|letter)\b",
    r"\bI wrote (to you )?(last|on|a|earlier|recently)\b",
)
_KIND_UPDATE = rx(
    r"\b(been a while|quick update|an update|give you an update|where things stand|"
    r"happy (holidays|new year)|season['’]?s greetings|thought of you when)\b",
)


def detect_kind(text: str) -> str:
    """What kind of letter this reads as (approach when nothing else fits)."""
    letter = read_letter(text)
    body = letter.text
    asks_time = DURATION.search(body) is not None
    if _KIND_LANDED.search(body):
        return "landed"
    if _KIND_THANKS.search(body[: max(400, len(body) // 2)]) and not asks_time:
        return "thank_you"
    if _KIND_REPORT.search(body):
        return "report_back"
    if _KIND_FOLLOW.search(body):
        return "follow_up"
    if _KIND_UPDATE.search(body) and not asks_time:
        return "update"
    return "approach"
