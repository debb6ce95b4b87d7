"""Everything coffeechat prints: the agenda, cards, tables, findings, and the JSON shapes.

Imported by every command module, so it stays light: the model types are only named for the
type checker, and json / unicodedata are imported by the functions that use them.

`due` prints tens of thousands of lines on a big vault, so the agenda is built with plain
string operations (each date's text made once, the colour codes worked out once) and printed
in one write by `print_lines`; the bytes are exactly those of one `click.echo` per line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict

import click

if TYPE_CHECKING:
    from coffeechat.core.model import DueItem, Finding

__all__ = [
    "DueItemJSON",
    "TerminalProgress",
    "agenda",
    "fit",
    "fit_line",
    "item_json",
    "print_json",
    "print_lines",
    "relative",
    "screen_width",
    "stdout_color",
    "table",
]


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


def problems_line(problems: int) -> str:
    return (
        f"{problems} problem{'s' if problems != 1 else ''} in the vault's notes:"
        " run `coffeechat check` to see them."
    )


# --- printing --------------------------------------------------------------------------------


def stdout_color() -> bool:
    """Whether `click.echo` would keep colour codes on stdout now: at a terminal (or when the
    context or a test runner forces colour), and not under NO_COLOR (the cli sets ctx.color)."""
    from click import _compat
    from click.globals import resolve_color_default

    # _compat.should_strip_ansi looked up now: CliRunner(color=...) replaces it.
    stream = _compat._default_text_stdout()
    if stream is None:
        return False
    return not _compat.should_strip_ansi(stream, resolve_color_default(None))


def print_lines(lines: Iterable[str]) -> None:
    """Print lines to stdout as ``for line in lines: click.echo(line)`` would, in one write.

    click.echo strips colour codes from the whole text exactly as it would from each line
    (its pattern never matches across a newline).
    """
    from coffeechat.core.names import escape_bidi

    lines = list(lines)
    if lines:
        click.echo(escape_bidi("\n".join(lines)))


_STYLE_CODES: dict[tuple[tuple[str, Any], ...], tuple[str, str]] = {}


def _codes(color: bool, **style: Any) -> tuple[str, str]:
    """The codes `click.style(text, **style)` puts before and after any text ("" without
    colour)."""
    if not color:
        return "", ""
    key = tuple(sorted(style.items()))
    codes = _STYLE_CODES.get(key)
    if codes is None:
        before, _, after = click.style("\x00", **style).partition("\x00")
        codes = _STYLE_CODES[key] = (before, after)
    return codes


# --- the agenda -------------------------------------------------------------------------------


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
    import unicodedata

    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


# --- fitting the terminal ---------------------------------------------------------------------

#: Narrower than this, wrapping would do more harm than good.
_NARROWEST = 30


def screen_width() -> int | None:
    """The columns to fit: $COLUMNS when set, the terminal's width when stdout is one, None
    (lines as long as they are) into a pipe or a file, where a script or `grep` reads them."""
    import os
    import shutil
    import sys

    if not os.environ.get("COLUMNS", "").strip().isdigit():
        stream = sys.stdout
        if stream is None or not stream.isatty():
            return None
    return max(_NARROWEST, shutil.get_terminal_size().columns)


def _cols(text: str) -> int:
    """Terminal columns of ``text`` that may hold colour codes."""
    return _width(click.unstyle(text)) if "\x1b" in text else _width(text)


def fit(prefix: str, text: str, width: int | None, cont: str | None = None) -> list[str]:
    """``prefix + text`` broken at spaces into lines of at most ``width`` columns, each line
    after the first starting with ``cont`` (default: as many spaces as ``prefix`` is wide, a
    hanging indent). A word longer than a line (a path, a link) is kept whole. Columns are
    counted as the terminal shows them: wide characters take two, colour codes none (which
    textwrap, counting code points, cannot do)."""
    if width is None or _cols(prefix) + _cols(text) <= width:
        return [(prefix + text).rstrip()]
    cont = " " * _cols(prefix) if cont is None else cont
    lines: list[str] = []
    # text that starts with a space goes on after the prefix with one ("Name — role")
    line, used, empty = prefix, _cols(prefix), not text[:1].isspace()
    for word in text.split():
        size = _cols(word)
        if not empty and used + 1 + size > width:
            lines.append(line.rstrip())
            line, used, empty = cont, _cols(cont), True
        line, used = (line + word, used + size) if empty else (f"{line} {word}", used + 1 + size)
        empty = False
    lines.append(line.rstrip())
    return lines


#: An indent, then a quote's "> ", a list marker (a task's box too) or a heading's hashes.
_LEAD = re.compile(r"( *)((?:>\s?)+|[-*+] (?:\[.\] )?|\d+[.)] |#+ )?")


def fit_line(line: str, width: int | None) -> list[str]:
    """One line of text or Markdown fitted to ``width``, the continuation indented under its
    text: after the indent and a list marker ("- ", "1. "), a quote ("> " is repeated) or a
    heading's hashes."""
    if width is None or _cols(line) <= width:
        return [line.rstrip()]
    m = _LEAD.match(line)
    assert m is not None  # the pattern matches the empty string
    indent, marker = m[1], m[2] or ""
    cont = indent + (marker if marker.startswith(">") else " " * len(marker))
    return fit(line[: m.end()], line[m.end() :], width, cont)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in "…" when it was cut."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for char in text:
        size = _width(char)
        if used + size > width - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


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
    bold = _codes(color, bold=True)
    dim_on, dim_off = _codes(color, dim=True)
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
        heading = _codes(color, fg=colour, bold=True)
        when_on, when_off = _codes(color, fg=colour)
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
        warn_on, warn_off = _codes(color, fg="yellow")
        lines.extend(f"{warn_on}{ln}{warn_off}" for ln in fit("", problems_line(problems), width))
    return lines


def finding_line(finding: Finding) -> str:
    from coffeechat.core.model import Severity

    text = str(finding)
    if finding.severity is Severity.ERROR:
        return click.style(text, fg="red")
    if finding.severity is Severity.INFO:
        return click.style(text, dim=True)
    return text


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    max_width: int = 40,
    width: int | None = None,
) -> list[str]:
    """A plain aligned table, no wider than ``width`` columns when one is given; long cells are
    cut with an ellipsis (the widest columns first, none below its header or 6 columns, and the
    first column, which names the row, last)."""
    cells = [list(row) for row in rows]
    widths = [
        max([_width(h)] + [min(max_width, _width(r[i])) for r in cells])
        for i, h in enumerate(headers)
    ]
    if width is not None:
        floor = [min(w, max(_width(h), 6)) for h, w in zip(headers, widths, strict=True)]
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        while excess > 0:
            i = max(
                range(len(widths)),
                key=lambda k: (k > 0 and widths[k] > floor[k], widths[k] - floor[k], k),
            )
            if widths[i] <= floor[i]:
                break
            widths[i] -= 1
            excess -= 1
    out = [
        click.style(
            "  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip(), bold=True
        )
    ]
    for row in cells:
        out.append(
            "  ".join(_pad(shorten(c, w), w) for c, w in zip(row, widths, strict=True)).rstrip()
        )
    return out


class TerminalProgress:
    """`coffeechat.core.progress.Progress` as a bar on standard error, once long work has run for
    ``delay`` seconds (`DELAY`) and only on a terminal: a pipe, a log or a quick run shows
    nothing."""

    DELAY = 1.0

    def __init__(self, stream: Any = None, delay: float | None = None, clock: Any = None) -> None:
        import sys
        import time

        self.stream = stream if stream is not None else sys.stderr
        self.delay = self.DELAY if delay is None else delay
        self.clock = clock or time.monotonic
        self.started: float | None = None
        self.label, self.total, self.done = "", 0, 0
        self.bar: Any = None
        self.shown = False  # (the current stage is on the screen)

    def _terminal(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):
            return False

    def stage(self, label: str, total: int) -> None:
        if self.started is None:
            self.started = self.clock()
        self._close()
        self.label, self.total, self.done = label, total, 0
        self._show()

    def advance(self, steps: int) -> None:
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)
        else:
            self._show()

    def _show(self) -> None:
        if self.shown or self.started is None or self.clock() - self.started < self.delay:
            return
        if not self._terminal():
            return
        self.shown = True
        if self.total <= 0:
            click.echo(f"{self.label}…", file=self.stream)
            return
        self.bar = click.progressbar(length=self.total, label=self.label, file=self.stream)
        self.bar.__enter__()
        self.bar.update(self.done)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        self.bar, self.shown = None, False

    def finish(self) -> None:
        self._close()
