"""The terminal's primitives: colour codes, columns, fitting lines to the screen, tables.

Every screen of the renderer is made of these. Imported at start-up by every command module,
so it stays light: unicodedata, os and shutil are imported by the functions that use them.

`due` prints tens of thousands of lines on a big vault, so the agenda is printed in one write
by `print_lines`; the bytes are exactly those of one `click.echo` per line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import click

__all__ = [
    "fit",
    "fit_line",
    "print_lines",
    "screen_width",
    "shorten",
    "stdout_color",
    "style_codes",
    "table",
]


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


def style_codes(color: bool, **style: Any) -> tuple[str, str]:
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
