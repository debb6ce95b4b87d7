"""`show`'s cards: a contact's, a company's or a meeting's facts, timeline and follow-ups, as
lines for the screen and as the JSON shape of `show --json` (both made from the same facts)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from coffeechat.cli.render.agenda import relative
from coffeechat.cli.render.json_shapes import item_json
from coffeechat.cli.render.text import fit

if TYPE_CHECKING:
    from coffeechat.core.model import Contact, DueItem
    from coffeechat.core.vault.vault import Vault

__all__ = ["company_card", "contact_card", "meeting_card"]


def _items_for(items: list[DueItem], paths: set[str]) -> list[DueItem]:
    return [i for i in items if i.contact_path in paths or i.source in paths]


def _item_lines(items: list[DueItem], today: dt.date, width: int | None) -> list[str]:
    if not items:
        return []
    lines = ["", click.style("Open follow-ups", bold=True)]
    for item in items:
        colour = "red" if item.due < today else "yellow" if item.due == today else None
        lines += fit(
            f"  {click.style(item.due.isoformat(), fg=colour)}  ",
            f"{item.title}  {click.style(f'({relative(item.due, today)}; {item.id})', dim=True)}",
            width,
        )
    return lines


def contact_card(
    vault: Vault, c: Contact, items: list[DueItem], today: dt.date, screen: int | None
) -> tuple[dict[str, Any], list[str]]:
    mine = _items_for(items, {c.path})
    touches = vault.touches(c.path, today)
    meetings = vault.meetings_with(c.path)
    scheduled = [m for m in meetings if m.scheduled(today)]
    referred = [vault.contacts[p].name for p in vault.referred.get(c.path, [])]
    given = sorted({r.name for m in meetings for r in m.referrals})
    data = {
        "path": c.path,
        "type": "contact",
        "name": c.name,
        "aliases": list(c.aliases),
        "company": c.company or None,
        "company_path": c.company_path,
        "role": c.role or None,
        "email": c.email or None,
        "phone": c.phone or None,
        "linkedin": c.linkedin or None,
        "field": c.field or None,
        "tags": list(c.tags),
        "how_met": c.how_met or None,
        "referred_by": c.referred_by.name if c.referred_by else None,
        "referred_by_path": c.referred_by.path if c.referred_by else None,
        "referred_others": referred,
        "referrals_given": given,
        "cadence": c.cadence or str(vault.settings.cadence),
        "status": c.status or None,
        "added": c.added.isoformat() if c.added else None,
        "timeline": [
            {
                "date": t.date.isoformat(),
                "kind": t.kind,
                "text": t.text,
                "source": t.source,
                "line": t.line,
            }
            for t in touches
        ],
        "scheduled": [
            {
                "date": m.date.isoformat(),
                "time": m.time.strftime("%H:%M") if m.time else None,
                "path": m.path,
                "kind": m.kind,
                "location": m.location or None,
            }
            for m in scheduled
        ],
        "due": [item_json(i, today) for i in mine],
    }
    job = " at ".join(x for x in (c.role, c.company) if x)
    lines = fit(click.style(c.name, bold=True), f" — {job}" if job else "", screen, "  ")
    lines.append(click.style(f"  {c.path}", dim=True))
    facts = [
        ("aliases", ", ".join(c.aliases)),
        ("field", c.field),
        ("email", c.email),
        ("phone", c.phone),
        ("linkedin", c.linkedin),
        ("how met", c.how_met),
        ("referred by", c.referred_by.name if c.referred_by else ""),
        ("referred you to", ", ".join(referred)),
        ("names they gave", ", ".join(given)),
        ("cadence", c.cadence or f"{vault.settings.cadence} (default)"),
        ("status", c.status.replace("_", " ")),
        ("tags", ", ".join(c.tags)),
        ("added", c.added.isoformat() if c.added else ""),
    ]
    width = max(len(k) for k, _ in facts)
    for k, v in facts:
        if v:
            lines += fit(f"  {k.ljust(width)}  ", v, screen)
    if touches:
        lines += ["", click.style("Timeline", bold=True)]
        for t in touches:
            kind = t.kind.replace("_", " ")
            where = "" if t.source == c.path else click.style(f"  ({t.source})", dim=True)
            lines += fit(f"  {t.date.isoformat()}  {kind.ljust(11)}  ", f"{t.text}{where}", screen)
    if scheduled:
        lines += ["", click.style("Scheduled", bold=True)]
        for m in scheduled:
            when = m.date.isoformat() + (f" {m.time:%H:%M}" if m.time else "")
            lines += fit(
                f"  {when}  ", m.title + (f" — {m.location}" if m.location else ""), screen
            )
    lines += _item_lines(mine, today, screen)
    return data, lines


def company_card(
    vault: Vault, path: str, items: list[DueItem], today: dt.date, screen: int | None
) -> tuple[dict[str, Any], list[str]]:
    co = vault.companies[path]
    people = sorted(
        (c for c in vault.contacts.values() if c.company_path == path), key=lambda c: c.name
    )
    meetings = sorted(
        {m.path: m for c in people for m in vault.meetings_with(c.path)}.values(),
        key=lambda m: (m.date, m.path),
    )
    mine = _items_for(items, {path} | {c.path for c in people})
    data = {
        "path": path,
        "type": "company",
        "name": co.name,
        "aliases": list(co.aliases),
        "website": co.website or None,
        "industry": co.industry or None,
        "tags": list(co.tags),
        "research": co.research or None,
        "people": [{"name": c.name, "path": c.path, "role": c.role or None} for c in people],
        "meetings": [
            {"date": m.date.isoformat(), "path": m.path, "title": m.title} for m in meetings
        ],
        "due": [item_json(i, today) for i in mine],
    }
    lines = fit(
        click.style(co.name, bold=True), f" — {co.industry}" if co.industry else "", screen, "  "
    )
    lines.append(click.style(f"  {path}", dim=True))
    for k, v in (
        ("website", co.website),
        ("aliases", ", ".join(co.aliases)),
        ("tags", ", ".join(co.tags)),
        ("research", co.research),
    ):
        if v:
            lines += fit(f"  {k.ljust(8)}  ", v, screen)
    lines += ["", click.style(f"People ({len(people)})", bold=True)]
    for c in people:
        lines += fit(f"  {c.name}", f" — {c.role}" if c.role else "", screen, "    ")
    if not people:
        lines.append("  (none yet)")
    if meetings:
        lines += ["", click.style(f"Meetings ({len(meetings)})", bold=True)]
        for m in meetings:
            lines += fit(
                f"  {m.date.isoformat()}  ",
                m.title + (f"  [{m.status}]" if m.status else ""),
                screen,
            )
    lines += _item_lines(mine, today, screen)
    return data, lines


def meeting_card(
    vault: Vault, path: str, items: list[DueItem], today: dt.date, screen: int | None
) -> tuple[dict[str, Any], list[str]]:
    m = vault.meetings[path]
    mine = [i for i in items if i.meeting == path or i.source == path]
    state = m.status or ("scheduled" if m.scheduled(today) else "held")
    data = {
        "path": path,
        "type": "meeting",
        "title": m.title,
        "date": m.date.isoformat(),
        "time": m.time.strftime("%H:%M") if m.time else None,
        "kind": m.kind or None,
        "duration": m.duration,
        "location": m.location or None,
        "state": state,
        "with": [{"name": p.name, "path": p.path} for p in m.with_],
        "referrals": [{"name": p.name, "path": p.path} for p in m.referrals],
        "thank_you": m.thank_you.isoformat() if m.thank_you else None,
        "due": [item_json(i, today) for i in mine],
    }
    when = m.date.isoformat() + (f" {m.time:%H:%M}" if m.time else "")
    lines = fit(click.style(m.title, bold=True), f" — {when}, {state}", screen, "  ")
    lines.append(click.style(f"  {path}", dim=True))
    for k, v in (
        ("with", ", ".join(p.name for p in m.with_)),
        ("kind", m.word or m.kind),
        ("duration", f"{m.duration} min"),
        ("where", m.location),
        ("referrals", ", ".join(p.name for p in m.referrals)),
        ("thank-you", m.thank_you.isoformat() if m.thank_you else ""),
    ):
        if v:
            lines += fit(f"  {k.ljust(9)}  ", v, screen)
    lines += _item_lines(mine, today, screen)
    return data, lines
