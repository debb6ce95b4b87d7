"""Rows on the screen and in JSON: `list`'s tables, `search`'s hits, `check`'s findings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from coffeechat.cli.render.text import table

if TYPE_CHECKING:
    from coffeechat.core.model import Finding

__all__ = [
    "check_summary",
    "finding_json",
    "finding_line",
    "list_json",
    "list_table",
    "search_lines",
]

#: The keys of each kind's rows in `list --json`, in their order.
_LIST_KEYS = {
    "companies": ("name", "path", "industry", "website", "people"),
    "contacts": ("name", "path", "company", "role", "field", "status", "last_contact"),
    "meetings": ("date", "time", "path", "title", "kind", "with", "state"),
}


def list_json(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """One element of `list KIND --json`, from the stored row of the note."""
    return {k: row[k] for k in _LIST_KEYS[kind]}


def list_table(
    kind: str, rows: Sequence[Mapping[str, Any]], words: Mapping[str, str], width: int | None
) -> list[str]:
    """`list KIND` as an aligned table; ``words``: each meeting's own word for its kind."""
    if kind == "companies":
        headers = ["name", "industry", "people", "website"]
        cells = [
            [r["name"], r["industry"] or "", str(r["people"]), r["website"] or ""] for r in rows
        ]
    elif kind == "contacts":
        headers = ["name", "company", "role", "field", "last contact", "status"]
        cells = [
            [
                r["name"],
                r["company"] or "",
                r["role"] or "",
                r["field"] or "",
                r["last_contact"] or "",
                r["status"],
            ]
            for r in rows
        ]
    else:
        headers = ["date", "kind", "with", "state", "note"]
        cells = [
            [
                r["date"] + (f" {r['time']}" if r["time"] else ""),
                words[r["path"]] or r["kind"] or "",
                ", ".join(r["with"]),
                r["state"],
                r["title"],
            ]
            for r in rows
        ]
    return table(headers, cells, width=width)


def search_lines(hits: Iterable[Mapping[str, Any]]) -> str:
    """`search`'s hits, ``path:line: text``, the path coloured, as one text (one write: a
    `click.echo` per line is a tenth of a big search)."""
    out: list[str] = []
    path = shown = ""
    for hit in hits:
        if hit["path"] != path:
            path, shown = hit["path"], click.style(hit["path"], fg="magenta")
        out.append(f"{shown}:{hit['line']}: {hit['text']}")
    return "\n".join(out)


def finding_json(finding: Finding) -> dict[str, Any]:
    """One element of `check --json`."""
    return {
        "path": finding.path,
        "line": finding.line,
        "severity": finding.severity.value,
        "code": finding.code,
        "message": finding.message,
    }


def finding_line(finding: Finding) -> str:
    """A finding as `check` lists it: errors red, suggestions dim."""
    from coffeechat.core.model import Severity

    text = str(finding)
    if finding.severity is Severity.ERROR:
        return click.style(text, fg="red")
    if finding.severity is Severity.INFO:
        return click.style(text, dim=True)
    return text


def check_summary(notes: int, findings: Sequence[Finding]) -> str:
    """`check`'s last line: the notes checked and the findings of each severity."""
    from coffeechat.core.model import Severity

    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    suggestions = sum(f.severity is Severity.INFO for f in findings)
    return (
        f"{notes} notes checked: {errors} error{'s' * (errors != 1)}"
        f" (notes left out), {warnings} warning{'s' * (warnings != 1)},"
        f" {suggestions} suggestion{'s' * (suggestions != 1)}"
    )
