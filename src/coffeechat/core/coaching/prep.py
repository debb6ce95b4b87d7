"""The prep sheet: everything to re-read before a meeting, in the order you would want it — the
meeting, who they are, their company, how you got their name, every past touch, your goals,
your thumbnail sketch, questions from the bank, and the close. The vault and the text of a few
notes in, Markdown lines out; the caller reads the notes and writes the sheet.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from coffeechat.core.coaching.questions import (
    BankSection,
    PickedQuestions,
    pick_questions,
    tiers,
)
from coffeechat.core.coaching.text import (
    LIST_ITEM,
    MONTHS,
    WEEKDAYS,
    day_month,
    first_name,
    join_names,
    note_body,
)
from coffeechat.core.links import fold
from coffeechat.core.model import ATTEMPT_KINDS, Meeting
from coffeechat.core.note.parse import parse_note
from coffeechat.core.note.sections import section_lines, without_marked_blocks
from coffeechat.core.rules.shared import after
from coffeechat.core.vault.vault import Vault

__all__ = ["PrepSheet", "prep_sheet", "scheduled_meeting"]


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
    day = f"{WEEKDAYS[meeting.date.weekday()][:3]} {meeting.date.day} {MONTHS[meeting.date.month - 1][:3]} {meeting.date.year}"
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
            f"- Send the thank-you by {WEEKDAYS[due.weekday()]} {day_month(due, today)}:"
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
    mine = [item[1] for ln in written or [] if (item := LIST_ITEM.match(ln))]
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
