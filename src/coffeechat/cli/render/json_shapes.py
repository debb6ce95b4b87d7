"""The one way coffeechat prints JSON, and the shape of an open item, which `due --json` and
`show --json` share.

Each other shape sits beside the lines of the same screen (cards, lists, coaching), so that
the two are changed together. A script reads them: they are stable and documented in the
README.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

import click

from coffeechat.cli.render.messages import problems_line

if TYPE_CHECKING:
    from coffeechat.core.model import DueItem

__all__ = ["DueItemJSON", "item_json", "print_json"]


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
        id=item.id,
        rule=item.rule,
        contact=item.contact,
        contact_path=item.contact_path,
        due=item.due.isoformat(),
        overdue=item.overdue(today),
        title=item.title,
        why=item.why,
        source=item.source,
        line=item.line,
        meeting=item.meeting,
    )


# --- JSON ------------------------------------------------------------------------------------

_SCALARS = frozenset({str, int, float, bool, type(None)})


def _dumps_rows(data: Any) -> str | None:
    """``json.dumps(data, ensure_ascii=False, indent=2)`` for a list of flat dicts (`due
    --json`, `check --json`), the same characters; None for any other shape.

    json.dumps with an indent runs the pure-Python encoder. Here the C encoder writes the whole
    list with the separator the indented one puts between the members of a dict, a newline
    and four spaces (JSON text never holds a raw newline anywhere else); between two dicts of
    the list it shows as ``},<newline>    {`` (a member of a dict starts with its key's
    quote), and only that is left to replace. Every key and value is written by the same
    encoder functions either way.
    """
    from itertools import chain

    if type(data) is not list or not data or set(map(type, data)) != {dict} or not all(data):
        return None
    if set(map(type, chain.from_iterable(data))) != {str}:  # the keys
        return None
    if not set(map(type, chain.from_iterable(map(dict.values, data)))) <= _SCALARS:
        return None
    import json

    text = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": ")).encode(data)
    body = text[2:-2].replace("},\n    {", "\n  },\n  {\n    ")
    return f"[\n  {{\n    {body}\n  }}\n]"


def print_json(data: Any, problems: int = 0) -> None:
    """``data`` as JSON on stdout, and nothing else there. ``problems``: how many problems the
    vault's notes have (notes left out, warnings); said in one line on stderr, or a script
    reading `[]` could never tell an empty agenda from notes that were not read."""
    text = _dumps_rows(data)
    if text is None:
        import json

        text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(text)
    if problems:
        click.echo(problems_line(problems), err=True)
