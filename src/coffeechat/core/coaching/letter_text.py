"""A letter as the etiquette check and the kind detection read it, and the text scanning they
share: the letter's headers, body lines (no quoted text, reply chain or signature block) and one
joined text with a way back to line numbers; clause-aware negation; the amounts of time a letter
asks for; the date on its ``Date:`` line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = [
    "DURATION",
    "WORD",
    "Letter",
    "minutes",
    "negated",
    "parse_date",
    "read_letter",
    "rx",
    "sentence_of",
]

_HEADER = re.compile(r"(subject|to|from|cc|bcc|date|re|sent)\s*:\s*(.*)", re.IGNORECASE)
_REPLY_CHAIN = re.compile(
    r"(on .{4,80} wrote:|-{2,}\s*original message\s*-{2,}|_{5,}|from:\s.+)$", re.IGNORECASE
)
_GREETING = re.compile(
    r"(dear|hi|hello|hey|good (morning|afternoon|evening)|greetings)\b.{0,60}[,:!]?$", re.IGNORECASE
)
_SIGN_OFF = re.compile(
    r"(best|best wishes|best regards|kind regards|warm regards|regards|warmly|thanks|"
    r"thank you|many thanks|thanks again|cheers|sincerely|yours sincerely|"
    r"yours|all the best|with thanks|gratefully|talk soon)[,.!]?$",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@dataclass
class Letter:
    """The letter split into what the rules read: headers, body lines, one joined text."""

    lines: list[str]  # the whole file, 1-based through `line_of`
    body: list[int]  # numbers of the body lines (no headers, quoted text or signature block)
    subject: tuple[int, str] | None
    date_line: tuple[int, str] | None
    text: str  # subject and body joined by spaces, for matching across line breaks
    starts: list[tuple[int, int]]  # (offset in text, line number), ascending

    def line_at(self, offset: int) -> int:
        line = self.starts[0][1] if self.starts else 1
        for start, number in self.starts:
            if start > offset:
                break
            line = number
        return line

    @property
    def opening(self) -> int:
        """The first line of the letter proper (after the greeting)."""
        for n in self.body:
            if self.lines[n - 1].strip() and not _GREETING.match(self.lines[n - 1].strip()):
                return n
        return self.body[0] if self.body else 1

    @property
    def closing(self) -> int:
        """The last line before the sign-off."""
        numbers = [n for n in self.body if self.lines[n - 1].strip()]
        for i in range(len(numbers) - 1, -1, -1):
            if _SIGN_OFF.match(self.lines[numbers[i] - 1].strip()):
                return numbers[i - 1] if i > 0 else numbers[i]
        return numbers[-1] if numbers else 1


def read_letter(text: str) -> Letter:
    """``text`` read as a letter: leading ``Subject:``/``Date:`` headers, then the body up to a
    signature separator or a quoted reply chain, quoted lines left out."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    subject = date_line = None
    body: list[int] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines) and (m := _HEADER.match(lines[i].strip())):
        if m[1].lower() in ("subject", "re"):
            subject = (i + 1, m[2])
        elif m[1].lower() in ("date", "sent"):
            date_line = (i + 1, m[2])
        i += 1
    for j in range(i, len(lines)):
        line = lines[j].rstrip()
        if line.strip() in ("--", "-- ") or _REPLY_CHAIN.match(line.strip()):
            break
        if line.lstrip().startswith(">"):
            continue
        body.append(j + 1)
    pieces: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, content in ([subject] if subject else []) + [(n, lines[n - 1]) for n in body]:
        content = content.strip()
        piece = content + " " if content else "\n"  # a paragraph break stops a sentence
        starts.append((offset, number))
        pieces.append(piece)
        offset += len(piece)
    return Letter(lines, body, subject, date_line, "".join(pieces), starts)


def rx(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern that matches any of ``patterns``."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


_NEG = re.compile(r"\b(not|never|no|without|nor|neither|none)\b|n['’]t\b", re.IGNORECASE)
_CLAUSE = re.compile(r"[.!?;\n]|\s[—–]\s|\s-\s|—|\bbut\b|\bthough\b|\bhowever\b", re.IGNORECASE)


def negated(text: str, start: int) -> bool:
    """Is the match at ``start`` inside a clause that says not / never / without?"""
    head = text[:start]
    cut = 0
    for m in _CLAUSE.finditer(head):
        cut = m.end()
    return bool(_NEG.search(head[cut:]))


_NUM = (
    r"(\d{1,3}|five|ten|fifteen|twenty|twenty[- ]five|thirty|forty|forty[- ]five|fifty|sixty|"
    r"ninety)"
)
_WORDS = {
    "five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "twenty-five": 25,
    "twenty five": 25,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "forty five": 45,
    "fifty": 50,
    "sixty": 60,
    "ninety": 90,
}
_UNIT = r"\s*(?:minutes?|mins?)\b"
#: An amount of time: "20-30 minutes", "a quarter of an hour", "an hour".
DURATION = re.compile(
    rf"\b{_NUM}\s*(?:-|–|—|to|or)\s*{_NUM}-?{_UNIT}|\b{_NUM}(?:\s*-\s*|\s+){_UNIT.strip()}|"
    rf"\b{_NUM}-?{_UNIT}|"
    r"\b(half an? hour|half-hour|half hour)\b|\b(quarter of an hour|quarter-hour)\b|"
    r"\b(an|one|1|a full|a couple of|two|2) hours?\b",
    re.IGNORECASE,
)


def minutes(m: re.Match[str]) -> list[int]:
    """The minutes a `DURATION` match asks for ("20-30 minutes" -> [20, 30])."""
    text = m[0].lower()
    if "half" in text:
        return [30]
    if "quarter" in text:
        return [15]
    if "hour" in text:
        return [120 if re.match(r"(a couple of|two|2)\b", text) else 60]
    out = []
    for raw in re.findall(_NUM, text, re.IGNORECASE):
        value = raw if isinstance(raw, str) else raw[0]
        value = value.lower()
        out.append(
            int(value)
            if value.isdigit()
            else _WORDS.get(value.replace("-", " "), _WORDS.get(value, 0))
        )
    return out


def sentence_of(text: str, start: int) -> str:
    """The sentence of ``text`` around offset ``start``."""
    left = max(text.rfind(c, 0, start) for c in ".!?\n")
    ends = [i for c in ".!?\n" if (i := text.find(c, start)) >= 0]
    return text[left + 1 : min(ends) if ends else len(text)]


def parse_date(text: str) -> dt.date | None:
    """The date of a ``Date:`` header (ISO, or as mail clients write it); None if unreadable."""
    text = text.strip()
    m = re.search(r"\d{4}-\d{2}-\d{2}", text)
    if m:
        try:
            return dt.date.fromisoformat(m[0])
        except ValueError:
            return None
    # a weekday in front
    cleaned = re.sub(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", text, flags=re.IGNORECASE)
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    cleaned = re.sub(r"\s+(at\s+)?\d{1,2}:\d{2}.*$", "", cleaned).strip(" ,")
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%B %d %Y", "%b %d %Y"):
        try:
            return dt.datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None
