"""Everything coffeechat prints: the agenda, cards, tables, findings, and the JSON shapes."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TypedDict

import click

from coffeechat.core.model import DueItem, Finding, Severity

__all__ = ["DueItemJSON", "agenda", "item_json", "print_json", "relative", "table"]


class DueItemJSON(TypedDict):
    """One element of `coffeechat due --json` (a stable, documented shape)."""

    id: str
    rule: str
    contact: str
    contact_path: str | None
    due: str
    overdue: bool
    title: str
    why: str
    source: str
    line: int | None
    meeting: str | None


def item_json(item: DueItem, today: dt.date) -> DueItemJSON:
    return DueItemJSON(
        id=item.id, rule=item.rule, contact=item.contact, contact_path=item.contact_path,
        due=item.due.isoformat(), overdue=item.overdue(today), title=item.title, why=item.why,
        source=item.source, line=item.line, meeting=item.meeting,
    )


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def relative(day: dt.date, today: dt.date) -> str:
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if delta < 0:
        return f"{-delta} days overdue" if delta > -60 else f"{-delta // 7} weeks overdue"
    return f"in {delta} days" if delta < 60 else f"in {delta // 7} weeks"


def _width(text: str) -> int:
    """Terminal columns of ``text`` (wide CJK characters take two, accents none)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def agenda(items: Sequence[DueItem], today: dt.date, until: dt.date | None,
           insights: Iterable[Finding], problems: int, verbose: bool = False) -> list[str]:
    """The human `due` output: overdue / today / upcoming, then insights."""
    lines: list[str] = []
    groups = (
        ("Overdue", [i for i in items if i.due < today], "red"),
        ("Today", [i for i in items if i.due == today], "yellow"),
        ("Upcoming" + (f" · through {until:%a %d %b}" if until else ""),
         [i for i in items if i.due > today], "cyan"),
    )
    header = f"Follow-ups for {today:%A %d %B %Y}"
    lines.append(click.style(header, bold=True))
    if not items:
        lines.append("")
        lines.append(f"Nothing due{f' through {until:%a %d %b}' if until else ''}."
                     + ("  (coffeechat due --all lists every open item)" if until else ""))
    for title, group, colour in groups:
        if not group:
            continue
        lines.append("")
        lines.append(click.style(f"{title} ({len(group)})", fg=colour, bold=True))
        for item in group:
            when = f"{item.due:%a %d %b}"
            rel = relative(item.due, today) if item.due != today else ""
            lines.append(f"  {click.style(when, fg=colour)}  {item.title}")
            meta = " · ".join(x for x in (rel, item.rule.replace("_", "-"), item.id) if x)
            lines.append(click.style(f"              {meta}", dim=True))
            if verbose:
                lines.append(f"              {item.why}")
                lines.append(click.style(f"              {item.source}"
                                         + (f":{item.line}" if item.line else ""), dim=True))
    notes = list(insights)
    if notes:
        lines.append("")
        lines.append(click.style("Insights", bold=True))
        for finding in notes:
            lines.append(f"  {finding.message}")
            lines.append(click.style(f"      {finding.path}"
                                     + (f":{finding.line}" if finding.line else ""), dim=True))
    if problems:
        lines.append("")
        lines.append(click.style(
            f"{problems} problem{'s' if problems != 1 else ''} in the vault's notes:"
            " run `coffeechat check` to see them.", fg="yellow"))
    return lines


def finding_line(finding: Finding) -> str:
    text = str(finding)
    if finding.severity is Severity.ERROR:
        return click.style(text, fg="red")
    if finding.severity is Severity.INFO:
        return click.style(text, dim=True)
    return text


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], max_width: int = 40) -> list[str]:
    """A plain aligned table; long cells are cut with an ellipsis."""
    cut = [[c if _width(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cut]) for i, h in enumerate(headers)]
    out = [click.style("  ".join(_pad(h, w) for h, w in zip(headers, widths)).rstrip(), bold=True)]
    for row in cut:
        out.append("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip())
    return out
