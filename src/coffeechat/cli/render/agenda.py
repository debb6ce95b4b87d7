"""The agenda `due` prints: overdue / today / upcoming, then insights; and what `index` says.

Built with plain string operations (each date's text made once, the colour codes worked out
once): on a big vault it is tens of thousands of lines, and `click.style` per line was most
of the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from coffeechat.cli.render.messages import problems_line
from coffeechat.cli.render.text import fit, stdout_color, style_codes

if TYPE_CHECKING:
    from coffeechat.core.model import DueItem, Finding

__all__ = ["agenda", "index_line", "relative"]


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


#: The indent of an item's second (and third, fourth) line.
_INDENT = " " * 14


def agenda(
    items: Sequence[DueItem],
    today: dt.date,
    until: dt.date | None,
    insights: Iterable[Finding],
    problems: int,
    verbose: bool = False,
    color: bool | None = None,
    width: int | None = None,
) -> list[str]:
    """The human `due` output: overdue / today / upcoming, then insights, its lines fitted to
    ``width`` columns when one is given (`screen_width`).

    The lines are styled as `click.style` would style them when ``color`` is true, and left
    plain when it is false; None (the default) means as `click.echo` would print to stdout
    now (`stdout_color`), so printing the lines gives the same bytes either way.
    """
    from coffeechat.core.dates import day_label

    if color is None:
        color = stdout_color()
    bold = style_codes(color, bold=True)
    dim_on, dim_off = style_codes(color, dim=True)
    lines: list[str] = []
    overdue: list[DueItem] = []
    on_today: list[DueItem] = []
    upcoming: list[DueItem] = []
    for item in items:
        due = item.due
        (overdue if due < today else on_today if due == today else upcoming).append(item)
    groups = (
        ("Overdue", overdue, "red"),
        ("Today", on_today, "yellow"),
        ("Upcoming" + (f" · through {day_label(until, today)}" if until else ""), upcoming, "cyan"),
    )
    header = f"Follow-ups for {today:%A %d %B %Y}"
    lines.append(f"{bold[0]}{header}{bold[1]}")
    if not items:
        lines.append("")
        lines.append(
            f"Nothing due{f' through {day_label(until, today)}' if until else ''}."
            + ("  (coffeechat due --all lists every open item)" if until else "")
        )
    rules: dict[str, str] = {}
    append = lines.append
    for title, group, colour in groups:
        if not group:
            continue
        heading = style_codes(color, fg=colour, bold=True)
        when_on, when_off = style_codes(color, fg=colour)
        append("")
        append(f"{heading[0]}{title} ({len(group)}){heading[1]}")
        # per day: "  <styled date>  " and the relative words ("" for today)
        days: dict[dt.date, tuple[str, str]] = {}
        for item in group:
            due = item.due
            day = days.get(due)
            if day is None:
                day = days[due] = (
                    f"  {when_on}{day_label(due, today)}{when_off}  ",
                    relative(due, today) if due != today else "",
                )
            rule = rules.get(item.rule)
            if rule is None:
                rule = rules[item.rule] = item.rule.replace("_", "-")
            # " · ".join(x for x in (rel, rule, id) if x)
            head = f"{day[1]} · {rule}" if day[1] and rule else day[1] or rule
            ident = item.id
            meta = (f"{head} · {ident}" if head else ident) if ident else head
            if width is None:
                append(f"{day[0]}{item.title}")
                append(f"{dim_on}{_INDENT}{meta}{dim_off}")
                if verbose:
                    append(f"{_INDENT}{item.why}")
            else:
                lines.extend(fit(day[0], item.title, width, _INDENT))
                lines.extend(f"{dim_on}{ln}{dim_off}" for ln in fit(_INDENT, meta, width))
                if verbose:
                    lines.extend(fit(_INDENT, item.why, width))
            if verbose:
                append(
                    f"{dim_on}{_INDENT}{item.source}"
                    + (f":{item.line}" if item.line else "")
                    + dim_off
                )
    notes = list(insights)
    if notes:
        append("")
        append(f"{bold[0]}Insights{bold[1]}")
        for finding in notes:
            lines.extend(fit("  ", finding.message, width, "    "))
            append(
                f"{dim_on}      {finding.path}"
                + (f":{finding.line}" if finding.line else "")
                + dim_off
            )
    if problems:
        append("")
        warn_on, warn_off = style_codes(color, fg="yellow")
        lines.extend(f"{warn_on}{ln}{warn_off}" for ln in fit("", problems_line(problems), width))
    return lines


def index_line(how: str, parsed: int, removed: int, items: int) -> str:
    """What `index` says it did: ``how`` is cached, updated or rebuilt."""
    done = {"cached": "was up to date", "updated": "brought up to date", "rebuilt": "rebuilt"}[how]
    return (
        f"Index {done}: {parsed} note{'s' * (parsed != 1)} read,"
        f" {removed} removed; {items} open follow-ups."
    )
