"""What `import` and `export` say: the summary of an import, the lines of a mail or calendar
import, the notes it would write, and the file an export wrote."""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = [
    "calendar_summary",
    "exported",
    "import_summary",
    "mail_summary",
    "meeting_planned",
    "meeting_updated",
    "plural",
    "refused",
]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def import_summary(summary: Any, total: int, what: str, dry_run: bool) -> str:
    """The last line of `import linkedin|vcard|google`: ``total`` contacts read from ``what``,
    and what became of them."""
    would = "would be " if dry_run else ""
    line = (
        f"{summary.created} {would}created, {summary.updated} {would}updated,"
        f" {summary.skipped} skipped, {summary.failed} failed"
    )
    if summary.companies:
        line += (
            f"; {summary.companies} company note{'s' if summary.companies != 1 else ''}"
            f" {would}created"
        )
    head = "Dry run, nothing written" if dry_run else f"Imported {what}"
    return f"{head}: {total} contact{'s' if total != 1 else ''} read; {line}."


def _skipped(skipped: dict[str, int]) -> str:
    """How many were skipped, and why (``reason: count``)."""
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
    return f"{sum(skipped.values())} skipped{f' ({why})' if why else ''}"


def mail_summary(plan: Any, written: int, sources: list[str], dry_run: bool) -> str:
    """The last line of `import mail`: messages read from ``sources``, lines written."""
    head = "Dry run, nothing written" if dry_run else f"Imported mail from {', '.join(sources)}"
    return (
        f"{head}: {plural(plan.messages, 'message')} read, {plan.matched} matched a contact,"
        f" {_skipped(plan.skipped)};"
        f" {plural(written, 'line')} {'would be ' if dry_run else ''}written,"
        f" {plan.already} already in the notes."
    )


def meeting_planned(day: dt.date, title: str, people: list[str]) -> str:
    """`import calendar --dry-run`: a meeting note it would make."""
    return f"Would create a meeting note: {day.isoformat()} {title} (with {', '.join(people)})"


def meeting_updated(path: str, change: str, dry_run: bool) -> str:
    return f"{'Would update' if dry_run else 'Updated'} {path}: {change}"


def calendar_summary(
    plan: Any,
    what: str,
    since: dt.date,
    until: dt.date,
    created: int,
    updated: int,
    dry_run: bool,
) -> str:
    """The last line of `import calendar`: events read, meeting notes made and updated."""
    head = "Dry run, nothing written" if dry_run else f"Imported {what}"
    would = "would be " if dry_run else ""
    return (
        f"{head}: {plural(plan.events, 'event')} from {since.isoformat()} to"
        f" {until.isoformat()}; {plural(created, 'meeting note')} {would}created,"
        f" {updated} {would}updated, {plan.unchanged} unchanged,"
        f" {_skipped(plan.skipped)}."
    )


def refused(problem: str) -> str:
    """A note an import could not write (the import goes on with the others)."""
    return f"Error: {problem}"


def exported(count: int, shown: str) -> str:
    return f"Exported {count} contact{'s' if count != 1 else ''} to {shown}."
