"""What a letter may say: the facts about a contact, their meetings and who referred whom that
fill a letter template's ``{field}``s, for each kind of letter. The vault and the text of the
meeting notes in, a field -> value map out; a letter that makes no sense (a thank-you with no
meeting) is refused with a UsageError that says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from coffeechat.core.coaching.kinds import KINDS
from coffeechat.core.coaching.quotes import pick_point, point_phrase
from coffeechat.core.coaching.text import (
    WEEKDAYS,
    day_month,
    first_name,
    join_names,
    month_name,
    plain,
    when_phrase,
)
from coffeechat.core.links import fold
from coffeechat.core.model import Contact, Meeting, Person
from coffeechat.core.rules.shared import chase_due
from coffeechat.core.settings import Settings
from coffeechat.core.vault.meeting_kinds import own_word
from coffeechat.core.vault.vault import Vault
from coffeechat.errors import UsageError

__all__ = ["Facts", "letter_facts"]

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
    if kind not in KINDS:
        raise UsageError(f"{kind!r} is not a kind of letter (one of: {', '.join(KINDS)})")
    texts = texts or {}
    s: Settings = vault.settings
    c = vault.contacts[contact_path]
    v: dict[str, str | None] = {
        "name": c.name,
        "first": first_name(c.name),
        "today": day_month(today, today),
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
    v["follow_up_day"] = f"{WEEKDAYS[nudge.weekday()]} {day_month(nudge, today)}"
    approaches = [e for e in c.log if e.kind == "approach" and e.date <= today]
    v["approach_when"] = when_phrase(approaches[-1].date, today) if approaches else None
    described = ""

    held = _held(vault, c.path, today)
    last = held[-1] if held else None

    def point_of(meeting: Meeting | None, who: str = "you") -> str | None:
        if meeting is None or meeting.path not in texts:
            return None if meeting is None else ""
        found = pick_point(texts[meeting.path], exclude=[pitch])
        return point_phrase(found, who) if found else ""

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
        v["last_month"] = month_name(touches[-1].date, today) if touches else None
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
                helped.append(f"{how} in {month_name(first_meeting.date, today)}")
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
