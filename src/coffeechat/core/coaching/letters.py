"""Prep sheets and draft letters: the vault and the text of a few notes and templates in,
Markdown out. No I/O — the caller reads the notes, the question bank and the templates.

Letter templates hold ``{field}`` placeholders (single braces, so they never collide with
Obsidian's ``{{date}}``). A sentence whose field is not known is left out, and reported as
`Missing` so the caller can ask for it or say so; ``A. || B.`` offers alternatives for one
sentence, tried in order. No ``{field}`` ever survives into a letter.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from coffeechat.core.coaching.lint import KINDS as LETTER_KINDS  # (the kinds of letter: one list)
from coffeechat.core.links import fold, link_text
from coffeechat.core.model import ATTEMPT_KINDS, Company, Contact, Meeting, Person
from coffeechat.core.notes import parse_note
from coffeechat.core.rules import after, chase_due
from coffeechat.core.sections import section_lines, without_marked_blocks
from coffeechat.core.settings import Settings
from coffeechat.core.vault import Vault, own_word
from coffeechat.errors import UsageError

__all__ = [
    "FIELD_HELP",
    "LETTER_KINDS",
    "BankSection",
    "Filled",
    "Missing",
    "PrepSheet",
    "fill",
    "letter_facts",
    "note_body",
    "parse_bank",
    "pick_point",
    "pick_questions",
    "pitch_text",
    "prep_sheet",
    "template_fields",
    "when_phrase",
]

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

_MONTHS = (
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
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


# --- small text helpers ----------------------------------------------------------------------


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


def _comments_out(text: str) -> str:
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
    names = list(dict.fromkeys(n for n in names if n))
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _day_month(day: dt.date, today: dt.date) -> str:
    text = f"{day.day} {_MONTHS[day.month - 1]}"
    return text if day.year == today.year else f"{text} {day.year}"


def when_phrase(day: dt.date, today: dt.date) -> str:
    """ "today", "yesterday", "on Friday" (within the week), else "on 6 November"."""
    delta = (today - day).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "yesterday"
    if 1 < delta < 7:
        return f"on {_WEEKDAYS[day.weekday()]}"
    return f"on {_day_month(day, today)}"


def _month(day: dt.date, today: dt.date) -> str:
    return _MONTHS[day.month - 1] + ("" if day.year == today.year else f" {day.year}")


def _fold_words(text: str) -> str:
    text = unicodedata.normalize("NFKD", fold(text))
    return "".join(c for c in text if not unicodedata.combining(c))


def pitch_text(configured: str, template: str | None) -> str:
    """The thumbnail sketch: [pitch] thumbnail, else the text of templates/Pitch.md (comments,
    headings and front matter left out); "" when neither holds one."""
    if configured.strip():
        return configured.strip()
    if not template:
        return ""
    body = _comments_out(note_body(template))
    lines = [ln.strip().lstrip(">").strip() for ln in body.splitlines()]
    return "\n".join(ln for ln in lines if ln and not ln.startswith("#")).strip()


# --- the question bank -----------------------------------------------------------------------

_CONDITION = re.compile(r"\(((?:field|role|industry|tag)s?\s*:[^()]*)\)\s*$", re.IGNORECASE)
_TIER = re.compile(
    r"(?:#{1,6}\s+)?(?:\*\*)?about\s+(?:the\s+|your\s+)?(.+?)(?:\*\*)?\s*:?\s*(?:\*\*)?$",
    re.IGNORECASE,
)
_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+(?:\[.\]\s+)?(.*\S)\s*$")


@dataclass(frozen=True)
class BankSection:
    """A ``##`` section of the question bank: who it is for, and its two tiers."""

    title: str
    conditions: tuple[tuple[str, tuple[str, ...]], ...]  # (field|role|industry|tag, keywords)
    job: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()

    @property
    def general(self) -> bool:
        return not self.conditions


def _tier_of(line: str) -> str | None:
    m = _TIER.fullmatch(line.strip())
    if m is None:
        return None
    words = _fold_words(m[1])
    return "industry" if re.search(r"\b(industry|field|sector|market)\b", words) else "job"


def tiers(lines: Iterable[str]) -> tuple[list[str], list[str]]:
    """Questions under "About the job" / "About the industry" lines (or ### headings)."""
    job: list[str] = []
    industry: list[str] = []
    current: list[str] | None = None
    for line in lines:
        tier = _tier_of(line)
        if tier is not None:
            current = industry if tier == "industry" else job
            continue
        m = _ITEM.match(line)
        if m and current is not None:
            text = m[1].strip()
            if text and text not in current:
                current.append(text)
    return job, industry


def parse_bank(text: str) -> list[BankSection]:
    """The question bank: ``## Title (field: a, b; role: c)`` sections, each with an
    "About the job" and an "About the industry" list. A section without a condition is for
    everyone."""
    body = _comments_out(note_body(text))
    sections: list[BankSection] = []
    title: str | None = None
    conditions: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lines: list[str] = []

    def close() -> None:
        if title is not None:
            job, industry = tiers(lines)
            sections.append(BankSection(title, conditions, tuple(job), tuple(industry)))

    for line in body.splitlines():
        m = re.match(r"##\s+(.*?)\s*#*\s*$", line)
        if m and not line.startswith("###"):
            close()
            heading = m[1]
            conditions = ()
            cm = _CONDITION.search(heading)
            if cm:
                parsed = []
                for part in re.split(r"[;]", cm[1]):
                    if ":" not in part:
                        continue
                    kind, words = part.split(":", 1)
                    kind = kind.strip().lower().rstrip("s")
                    keys = tuple(w.strip() for w in re.split(r"[,|/]", words) if w.strip())
                    if keys:
                        parsed.append((kind, keys))
                conditions = tuple(parsed)
                heading = heading[: cm.start()].strip()
            title, lines = heading, []
        elif title is not None:
            lines.append(line)
    close()
    return sections


def _matches(section: BankSection, contact: Contact, company: Company | None) -> bool:
    haystacks = {
        "field": f"{contact.field} | {contact.role}",
        "role": contact.role,
        "industry": " | ".join(
            [
                company.industry if company else "",
                *(company.tags if company else ()),
                *contact.tags,
                contact.field,
            ]
        ),
        "tag": " | ".join([*contact.tags, *(company.tags if company else ())]),
    }
    for kind, keys in section.conditions:
        hay = _fold_words(haystacks.get(kind, ""))
        if not hay.strip(" |"):
            continue
        for key in keys:
            if re.search(r"(?<!\w)" + re.escape(_fold_words(key)) + r"(?!\w)", hay):
                return True
    return False


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


def _words(text: str) -> frozenset[str]:
    """A question's meaning words, for telling two wordings of one question apart."""
    text = re.sub(r"['’]s\b", " is", _fold_words(text))
    words = (_SAME.get(w, w) for w in re.findall(r"\w+", text))
    return frozenset(w for w in words if w not in _FILLER)


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    """The same question in other words (most of the words shared)."""
    return bool(a and b) and len(a & b) / len(a | b) >= 0.7


@dataclass(frozen=True)
class PickedQuestions:
    job: tuple[str, ...]
    industry: tuple[str, ...]
    sections: tuple[str, ...]  # titles of the sections that matched the contact


def pick_questions(
    bank: Sequence[BankSection],
    contact: Contact,
    company: Company | None,
    per_tier: int = 5,
    skip: Iterable[str] = (),
) -> PickedQuestions:
    """Questions for this contact: the sections that match their field, role, industry or tags
    take turns (in the bank's order), then the sections for everyone fill up to ``per_tier``."""
    specific = [s for s in bank if not s.general and _matches(s, contact, company)]
    general = [s for s in bank if s.general]
    seen = [_words(q) for q in skip]

    def fresh(q: str) -> bool:
        words = _words(q)
        if any(_similar(words, other) for other in seen):
            return False
        seen.append(words)
        return True

    def take(tier: str) -> tuple[str, ...]:
        out: list[str] = []
        pools = [list(getattr(s, tier)) for s in specific]
        while len(out) < per_tier and any(pools):
            for pool in pools:
                while pool and len(out) < per_tier:
                    q = pool.pop(0)
                    if fresh(q):
                        out.append(q)
                        break
        for s in general:
            for q in getattr(s, tier):
                if len(out) >= per_tier:
                    break
                if fresh(q):
                    out.append(q)
        return tuple(out)

    return PickedQuestions(take("job"), take("industry"), tuple(s.title for s in specific))


# --- what the meeting notes say ----------------------------------------------------------------

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
    mine = [_words(x) for x in exclude if x.strip()]
    body = without_marked_blocks(note_body(meeting_text))
    notes = section_lines(body, "Notes")
    lines = notes if notes is not None else body.splitlines()
    bullets = [
        plain(m[1]) for ln in lines if (m := _ITEM.match(ln)) and not re.match(r"\s*[-*+]\s+\[", ln)
    ]
    quotes: list[str] = []
    for text in bullets + [plain(ln) for ln in lines if not _ITEM.match(ln)]:
        for m in _QUOTE.finditer(text):
            quote = (m[1] or m[2]).strip()
            before = text[: m.start()].rstrip().lower()
            if before.endswith(
                (" a", " an", " the", " my", " his", " her", " their", " our")
            ) or before in ("a", "an", "the"):
                continue  # a name or a title ('a "what does my plan cover?" explainer')
            if _OWN_WORDS.search(text[max(0, m.start() - 60) : m.start()]):
                continue
            if any(len(_words(quote) & w) / max(1, len(_words(quote))) >= 0.5 for w in mine):
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


def _point_phrase(point: Point, who: str = "you") -> str:
    speaker = "what you said" if who == "you" else f"what {who} said"
    if point.quote:
        return f"{speaker}: “{point.quote}”"
    return f"{speaker} about {point.topic}"


# --- prep sheet --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrepSheet:
    """A prep sheet: a title, and sections of Markdown lines."""

    title: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    meeting: str | None  # the meeting note it is for

    def markdown(self, level: int = 1) -> list[str]:
        """The sheet with its title as a heading of ``level`` and sections one level below."""
        out = [f"{'#' * level} {self.title}"]
        for name, lines in self.sections:
            out += ["", f"{'#' * (level + 1)} {name}", *_deeper(lines, level)]
        return out

    def embedded(self, level: int = 2) -> list[str]:
        """The sheet to sit under a ``level`` heading of a note: a bold title line first."""
        out = [f"**{self.title}**"]
        for name, lines in self.sections:
            out += ["", f"{'#' * (level + 1)} {name}", *_deeper(lines, level)]
        return out


def _deeper(lines: Sequence[str], level: int) -> list[str]:
    """Sub-headings are written ``### `` (for a sheet whose title is ``#``); shift them along."""
    return [("#" * (level - 1)) + ln if ln.startswith("### ") else ln for ln in lines]


def _when(meeting: Meeting) -> str:
    day = f"{_WEEKDAYS[meeting.date.weekday()][:3]} {meeting.date.day} {_MONTHS[meeting.date.month - 1][:3]} {meeting.date.year}"
    return day + (f", {meeting.time:%H:%M}" if meeting.time else "")


def _end_time(meeting: Meeting) -> str:
    if meeting.time is None:
        return ""
    end = dt.datetime.combine(meeting.date, meeting.time) + dt.timedelta(minutes=meeting.duration)
    return f" (until {end:%H:%M})"


def _state(vault: Vault, path: str, today: dt.date) -> str:
    meetings = [m for m in vault.meetings_with(path) if not m.cancelled and m.kind != "event"]
    if any(m.held(today) for m in meetings):
        return "met"
    if any(m.scheduled(today) for m in meetings):
        return "meeting booked"
    kinds = {t.kind for t in vault.touches(path, today)}
    if "reply" in kinds or "declined" in kinds:
        return "replied"
    if kinds & ATTEMPT_KINDS:
        return "approached"
    return "not contacted yet"


def _quote_block(text: str) -> list[str]:
    return [f"> {ln}" if ln.strip() else ">" for ln in text.strip().splitlines()]


def _free_text(contact_text: str) -> str:
    """The contact note's own words: the body before its first heading or log."""
    out: list[str] = []
    for line in note_body(contact_text).splitlines():
        if line.startswith("#") or re.match(r"\s*[-*+]\s+\d{4}-\d{1,2}-\d{1,2}\s", line):
            break
        out.append(line.rstrip())
    return "\n".join(out).strip()


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def _without_paragraphs(text: str, stock: frozenset[str]) -> str:
    """``text`` less the paragraphs that are word for word one of ``stock``."""
    return "\n\n".join(p for p in _paragraphs(text) if " ".join(p.split()) not in stock)


def _template_stock(template_text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(the contact template's prose paragraphs, its default tags, folded)."""
    if not template_text.strip():
        return frozenset(), frozenset()
    note = parse_note("template.md", template_text.encode("utf-8"))
    tags = note.meta.get("tags") if not note.broken else None
    folded = (
        frozenset(fold(t) for t in tags if isinstance(t, str))
        if isinstance(tags, list)
        else frozenset()
    )
    prose = frozenset(" ".join(p.split()) for p in _paragraphs(_free_text(template_text)))
    return prose, folded


def _touch_line(day: dt.date, kind: str, text: str) -> str:
    # "- 2026-11-09 — approach: ..." — the dash keeps it from reading as a log line of the meeting note
    kind = kind.replace("_", " ")
    return f"- {day.isoformat()} — {kind}" + (f": {text}" if text else "")


def scheduled_meeting(vault: Vault, contact_path: str, today: dt.date) -> Meeting | None:
    """The next meeting with this contact that is still ahead."""
    ahead = [m for m in vault.meetings_with(contact_path) if m.scheduled(today)]
    return ahead[0] if ahead else None


def prep_sheet(
    vault: Vault,
    contact_path: str,
    today: dt.date,
    *,
    meeting: Meeting | None,
    contact_text: str = "",
    meeting_text: str = "",
    pitch: str = "",
    bank: Sequence[BankSection] = (),
    per_tier: int = 5,
    bank_name: str = "templates/Questions.md",
    template_text: str = "",
) -> PrepSheet:
    """Everything to re-read before a meeting, in the order you would want it.

    ``template_text`` is the contact template: what it puts into every new note (its
    placeholder prose, its default tags) is not something the user wrote about this person,
    so the sheet leaves it out."""
    c = vault.contacts[contact_path]
    stock_text, stock_tags = _template_stock(template_text)
    company = vault.companies.get(c.company_path) if c.company_path else None
    sections: list[tuple[str, tuple[str, ...]]] = []
    meeting_text = without_marked_blocks(meeting_text)  # not the sheet written there before
    contact_text = without_marked_blocks(contact_text)
    if meeting is not None:
        title = f"Prep: {meeting.title} — {_when(meeting)}"
    else:
        title = f"Prep: {c.name} (no meeting scheduled)"

    # the meeting itself
    if meeting is not None:
        lines = []
        facts = [
            meeting.word or meeting.kind or "meeting",
            f"{meeting.duration} minutes{_end_time(meeting)}",
        ]
        if meeting.location:
            facts.append(meeting.location)
        lines.append(" · ".join(facts))
        lines.append(
            f"- Keep to the {meeting.duration} minutes you asked for, and ask for two or three"
            " names before the time is up."
        )
        due = after(vault.settings, meeting.date, vault.settings.thank_you)  # as `thank_you` has it
        lines.append(
            f"- Send the thank-you by {_WEEKDAYS[due.weekday()]} {_day_month(due, today)}:"
            " name one specific thing they told you."
        )
        sections.append(("The meeting", tuple(lines)))

    # who they are
    job = " at ".join(x for x in (c.role, f"[[{company.name}]]" if company else c.company) if x)
    who = [f"**{c.name}**" + (f" — {job}" if job else "")]
    for label, value in (
        ("Field", c.field),
        ("Email", c.email),
        ("Phone", c.phone),
        ("LinkedIn", c.linkedin),
        ("Tags", ", ".join(t for t in c.tags if fold(t) not in stock_tags)),
    ):
        if value:
            who.append(f"- {label}: {value}")
    own = _without_paragraphs(_free_text(contact_text), stock_text)
    if own:
        who += ["", *_quote_block(own)]
    sections.append(("Who they are", tuple(who)))

    # their company
    if company is not None:
        lines = [f"**{company.name}**" + (f" — {company.industry}" if company.industry else "")]
        if company.website:
            lines.append(f"- Website: {company.website}")
        if company.research:
            lines.append(f"- Research: {company.research}")
        others = sorted(
            (
                o
                for o in vault.contacts.values()
                if o.company_path == company.path and o.path != c.path
            ),
            key=lambda o: fold(o.name),
        )
        if others:
            lines.append(
                "- Others you know there: "
                + "; ".join(
                    f"{o.name}"
                    + (f" ({o.role})" if o.role else "")
                    + f" — {_state(vault, o.path, today)}"
                    for o in others
                )
            )
        sections.append(("Their company", tuple(lines)))
    elif c.company:
        sections.append(
            (
                "Their company",
                (
                    (
                        f"**{c.company}** — no company note yet: research them"
                        " (what they make, who buys it, recent news)."
                    ),
                ),
            )
        )

    # how you got their name
    how: list[str] = []
    if c.referred_by is not None:
        how.append(
            f"- Referred by **{c.referred_by.name}**: say so in the first minute, and tell"
            f" {first_name(c.referred_by.name)} afterwards how it went."
        )
    for m in sorted(vault.meetings.values(), key=lambda m: (m.date, m.path)):
        if any(p.path == c.path for p in m.referrals):
            giver = join_names([p.name for p in m.with_]) or m.title
            how.append(f"- {giver} gave you the name at {m.title} on {m.date.isoformat()}.")
    if c.how_met:
        how.append(f"- How you met: {c.how_met}")
    sections.append(
        (
            "How you got their name",
            tuple(how) or (("- (not recorded — add `how_met:` or `referred_by:` to the note)"),),
        )
    )

    # every past touch
    touches = [t for t in vault.touches(c.path, today) if t.date <= today]
    past = [_touch_line(t.date, t.kind, t.text) for t in touches]
    for m in vault.meetings_with(c.path):
        if m.cancelled:
            past.append(_touch_line(m.date, m.status.replace("_", "-"), m.title))
    past.sort(key=lambda line: line[:12])  # by date; a day's lines keep their order
    sections.append(("Past touches", tuple(past) or ("- none yet",)))

    # objectives
    goals: list[str] = []
    approaches = [e for e in c.log if e.kind in ("approach", "follow_up") and e.date <= today]
    if approaches:
        goals.append("From your approach — re-read it before you go:")
        goals += [
            f"> {e.date.isoformat()} {e.kind.replace('_', ' ')}: {e.text}" for e in approaches
        ]
    written = section_lines(note_body(meeting_text), "Goals") if meeting_text else None
    mine = [item[1] for ln in written or [] if (item := _ITEM.match(ln))]
    if mine:
        if goals:
            goals.append("")
        goals.append("Your goals for this meeting:")
        goals += [f"- {g}" for g in mine]
    if not goals:
        goals = [
            (
                "- (none written yet — what do you most want to learn from them? Add a ## Goals"
                " section to the meeting note)"
            )
        ]
    sections.append(("Your objectives", tuple(goals)))

    # thumbnail sketch
    if pitch.strip():
        sections.append(("Your thumbnail sketch", tuple(_quote_block(pitch))))
    else:
        sections.append(
            (
                "Your thumbnail sketch",
                (
                    (
                        "- (not written yet: two or three sentences on who you are and what you want, said in"
                        " under 30 seconds — put it in templates/Pitch.md or under [pitch] thumbnail in"
                        " coffeechat.toml)"
                    ),
                ),
            )
        )

    # questions
    own_job: list[str] = []
    own_industry: list[str] = []
    if meeting_text:
        qs = section_lines(note_body(meeting_text), "Questions")
        if qs:
            own_job, own_industry = tiers(qs)
    picked_job = pick_questions(
        bank, c, company, max(2, per_tier - len(own_job)), skip=own_job + own_industry
    )
    picked_industry = pick_questions(
        bank, c, company, max(2, per_tier - len(own_industry)), skip=own_job + own_industry
    )
    picked = PickedQuestions(picked_job.job, picked_industry.industry, picked_job.sections)
    lines = []
    for label, own_list, bank_list in (
        ("About the job", own_job, picked.job),
        ("About the industry", own_industry, picked.industry),
    ):
        lines += [f"### {label}", *[f"- {q}" for q in own_list], *[f"- {q}" for q in bank_list], ""]
    matched = ", ".join(picked.sections) if picked.sections else "the general questions only"
    if own_job or own_industry:
        lines.append(f"_Yours first (from the meeting note), then from {bank_name} ({matched})._")
    else:
        lines.append(f"_From {bank_name} ({matched}); edit it to make them yours._")
    sections.append(("Questions", tuple(lines)))

    # the close
    close = [
        (
            "- Ask for two or three names: “Who else should I talk to?” — and whether you may"
            " use their name."
        )
    ]
    if c.referred_by is not None:
        close.append(
            f"- Afterwards: thank-you to {first_name(c.name)}, and tell"
            f" {c.referred_by.name} how it went."
        )
    sections.append(("Before you leave", tuple(close)))
    return PrepSheet(title, tuple(sections), meeting.path if meeting else None)


# --- letters: the facts ----------------------------------------------------------------------

_OCCASION = {
    "coffee": "the coffee",
    "call": "the call",
    "video": "the video call",
    "event": "the chat at the event",
    "informational": "meeting with me",
}
_HELP_MEETING = {
    "coffee": "meeting me for coffee",
    "call": "the call",
    "video": "the video call",
    "event": "talking with me at the event",
}


@dataclass(frozen=True)
class Facts:
    """What a letter may say. ``None`` is a fact known to be absent (its sentence is left out
    quietly); a field missing from ``values`` is not known (its sentence is asked for)."""

    kind: str
    values: dict[str, str | None]
    about: str = ""  # a short description of what the letter is about, for the CLI


def _held(vault: Vault, path: str, today: dt.date) -> list[Meeting]:
    return [m for m in vault.meetings_with(path) if m.date <= today and not m.cancelled]


def letter_facts(
    kind: str,
    vault: Vault,
    contact_path: str,
    today: dt.date,
    *,
    texts: Mapping[str, str] | None = None,
    pitch: str = "",
    signature: str = "",
    about: str | None = None,
) -> Facts:
    """The facts a ``kind`` letter to the contact can use. ``texts`` maps note paths to their
    text (the meeting notes, for a specific point). Raises UsageError when the letter makes no
    sense (a thank-you with no meeting to thank them for)."""
    if kind not in LETTER_KINDS:
        raise UsageError(f"{kind!r} is not a kind of letter (one of: {', '.join(LETTER_KINDS)})")
    texts = texts or {}
    s: Settings = vault.settings
    c = vault.contacts[contact_path]
    v: dict[str, str | None] = {
        "name": c.name,
        "first": first_name(c.name),
        "today": _day_month(today, today),
    }
    for key, value in (("company", c.company), ("role", c.role), ("field", c.field)):
        if value:
            v[key] = value
    if pitch.strip():
        v["pitch"] = " ".join(pitch.split())
    if signature.strip():
        v["me"] = signature.strip()
    referrer = c.referred_by.name if c.referred_by else None
    if referrer is None:
        for m in sorted(vault.meetings.values(), key=lambda m: (m.date, m.path)):
            if any(p.path == c.path for p in m.referrals) and m.with_:
                referrer = m.with_[0].name
                break
    v["referrer"] = referrer
    v["referrer_first"] = first_name(referrer) if referrer else None
    if c.how_met.strip():  # how you came across them, as you noted it (the CLI says so)
        v["source"] = plain(c.how_met).rstrip(" .")
    nudge = chase_due(s, today)  # the day `follow_up_approach` will make the chase due
    v["follow_up_day"] = f"{_WEEKDAYS[nudge.weekday()]} {_day_month(nudge, today)}"
    approaches = [e for e in c.log if e.kind == "approach" and e.date <= today]
    v["approach_when"] = when_phrase(approaches[-1].date, today) if approaches else None
    described = ""

    held = _held(vault, c.path, today)
    last = held[-1] if held else None

    def point_of(meeting: Meeting | None, who: str = "you") -> str | None:
        if meeting is None or meeting.path not in texts:
            return None if meeting is None else ""
        found = pick_point(texts[meeting.path], exclude=[pitch])
        return _point_phrase(found, who) if found else ""

    if kind == "thank_you":
        if last is None:
            raise UsageError(
                f"you have had no meeting with {c.name} to thank them for (a thank-you"
                " follows a meeting; record it with `coffeechat meet`)"
            )
        v["when"] = when_phrase(last.date, today)
        own = own_word(last)
        v["occasion"] = f"the {own}" if own else _OCCASION.get(last.kind, "meeting with me")
        v["referrals"] = join_names([p.name for p in last.referrals]) or None
        point = point_of(last)
        if point:
            v["point"] = point
        described = f"{last.title} ({last.date.isoformat()})"
    elif kind == "report_back":
        met = _referrals_met(vault, c, today)
        if not met:
            hint = ""
            if c.referred_by is not None:
                hint = (
                    f"; to tell {c.referred_by.name}, who referred {c.name}, write"
                    f' `draft report_back "{c.referred_by.name}"`'
                )
            raise UsageError(f"you have met nobody {c.name} referred you to yet{hint}")
        if about is not None:
            chosen = [x for x in met if x[0].path == about]
            if not chosen:
                raise UsageError(
                    f"{vault.display_name(about)} is not someone {c.name} referred"
                    f" you to and you have met ({', '.join(x[0].name for x in met)})"
                )
        else:
            chosen = [max(met, key=lambda x: (x[1].date, x[1].path))]
        other, meeting = chosen[0]
        v["met"] = other.name
        v["met_first"] = first_name(other.name)
        v["met_when"] = when_phrase(meeting.date, today)
        given = sorted({p.name for m in _held(vault, other.path or "", today) for p in m.referrals})
        v["met_referrals"] = join_names(given) or None
        point = point_of(meeting, first_name(other.name))
        if point:
            v["point"] = point
        described = f"your meeting with {other.name} on {meeting.date.isoformat()}"
    elif kind in ("update", "landed"):
        touches = [t for t in vault.touches(c.path, today) if t.kind not in ("note", "declined")]
        v["last_month"] = _month(touches[-1].date, today) if touches else None
        if last is not None:
            point = point_of(last)
            if point:
                v["point"] = point
        else:
            v["point"] = None
        if kind == "landed":
            if s.landed is not None:
                if s.landed.company:
                    v["landed_company"] = s.landed.company
                if s.landed.role:
                    v["landed_role"] = s.landed.role
            helped = []
            if held:
                first_meeting = held[0]
                own = own_word(first_meeting)
                how = (
                    f"the {own}"
                    if own
                    else _HELP_MEETING.get(first_meeting.kind, "making time for me")
                )
                helped.append(f"{how} in {_month(first_meeting.date, today)}")
            names = [vault.contacts[p].name for p in vault.referred.get(c.path, [])]
            names += [p.name for m in held for p in m.referrals]
            if names:
                helped.append(f"introducing me to {join_names(sorted(set(names), key=fold))}")
            if helped:
                v["help"] = " and ".join(helped)
    elif kind == "follow_up" and not approaches:
        v["approach_when"] = None
    return Facts(kind, v, described)


def _referrals_met(vault: Vault, c: Contact, today: dt.date) -> list[tuple[Person, Meeting]]:
    """People ``c`` referred you to (``referred_by`` or named at a meeting), with the first
    meeting you held with each."""
    paths = set(vault.referred.get(c.path, []))
    for m in vault.meetings_with(c.path):
        paths.update(p.path for p in m.referrals if p.path in vault.contacts)
    out = []
    for path in sorted(paths):
        held = [m for m in _held(vault, path, today) if m.kind != "event"]
        if held:
            out.append((vault.contacts[path].person, held[0]))
    return out


# --- letters: filling a template ---------------------------------------------------------------

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
    text: str
    missing: tuple[Missing, ...] = ()
    unknown_fields: tuple[str, ...] = ()  # fields the template uses that coffeechat never fills


def template_fields(template: str) -> set[str]:
    return {m[1].lower() for m in _FIELD.finditer(_comments_out(note_body(template)))}


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
    text = _comments_out(note_body(template)).replace("\r\n", "\n")
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
