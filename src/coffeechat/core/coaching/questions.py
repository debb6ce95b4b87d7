"""The question bank (templates/Questions.md) and the questions a prep sheet picks from it.

The bank is ``## Title (field: a, b; role: c)`` sections, each with an "About the job" and an
"About the industry" list; a section without a condition is for everyone. A contact gets the
questions of the sections that match their field, role, industry or tags first, then the
general ones — never two wordings of one question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from coffeechat.core.coaching.text import (
    LIST_ITEM,
    comments_out,
    fold_words,
    meaning_words,
    note_body,
    similar_words,
)
from coffeechat.core.model import Company, Contact

__all__ = ["BankSection", "PickedQuestions", "parse_bank", "pick_questions", "tiers"]

_CONDITION = re.compile(r"\(((?:field|role|industry|tag)s?\s*:[^()]*)\)\s*$", re.IGNORECASE)
_TIER = re.compile(
    r"(?:#{1,6}\s+)?(?:\*\*)?about\s+(?:the\s+|your\s+)?(.+?)(?:\*\*)?\s*:?\s*(?:\*\*)?$",
    re.IGNORECASE,
)


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
    words = fold_words(m[1])
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
        m = LIST_ITEM.match(line)
        if m and current is not None:
            text = m[1].strip()
            if text and text not in current:
                current.append(text)
    return job, industry


def parse_bank(text: str) -> list[BankSection]:
    """The question bank: ``## Title (field: a, b; role: c)`` sections, each with an
    "About the job" and an "About the industry" list. A section without a condition is for
    everyone."""
    body = comments_out(note_body(text))
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
        hay = fold_words(haystacks.get(kind, ""))
        if not hay.strip(" |"):
            continue
        for key in keys:
            if re.search(r"(?<!\w)" + re.escape(fold_words(key)) + r"(?!\w)", hay):
                return True
    return False


@dataclass(frozen=True)
class PickedQuestions:
    """The questions picked for one contact, per tier, and the bank sections they came from."""

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
    seen = [meaning_words(q) for q in skip]

    def fresh(q: str) -> bool:
        words = meaning_words(q)
        if any(similar_words(words, other) for other in seen):
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
