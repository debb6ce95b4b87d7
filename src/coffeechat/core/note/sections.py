"""Sections of a note: read the lines under a heading, and put one generated block into a
section — replacing the block coffeechat wrote there before — keeping every other byte.

Two kinds of generated block: a fenced code block (```` ```mermaid ````, ```` ```dot ````: the
referral tree in Network.md), and a block between two HTML comments that carry a digest of what
coffeechat wrote (a prep sheet, a draft letter). A marked block someone has edited since is never
replaced: the edit is refused instead, so no word typed into it is lost.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

from coffeechat.core.note.edits import (
    EditRefused,
    check_editable,
    fenced_blocks,
    find_section,
    front_matter_of,
    insert_after,
)

__all__ = [
    "block_digest",
    "put_fenced_block",
    "put_marked_block",
    "section_lines",
    "without_marked_blocks",
]

_BOM = b"\xef\xbb\xbf"


def _body_start(lines: Sequence[str]) -> int:
    """Index of the first body line (after a front-matter block on line 1)."""
    if lines and lines[0].rstrip("\r") == "---":
        for i in range(1, len(lines)):
            if lines[i].rstrip("\r").rstrip() in ("---", "..."):
                return i + 1
    return 0


def section_lines(text: str, heading: str) -> list[str] | None:
    """The lines under ``heading`` (without the heading, trailing blank lines dropped), or None
    when the note has no such heading."""
    lines = [ln.rstrip("\r") for ln in text.lstrip("\ufeff").split("\n")]
    found = find_section(lines, heading, _body_start(lines))
    if found is None:
        return None
    index, _, end = found
    out = lines[index + 1 : end]
    while out and not out[-1].strip():
        out.pop()
    return out


_MARK = re.compile(r"[ \t]*<!--[ \t]*(/?)coffeechat:([a-z][a-z0-9_-]*)\b[^>]*-->[ \t]*\r?$")


def without_marked_blocks(text: str) -> str:
    """The text with every block coffeechat wrote (a prep sheet, a draft) taken out, so that
    reading a note never mistakes what coffeechat wrote for what you wrote."""
    out: list[str] = []
    inside: str | None = None
    for line in text.split("\n"):
        m = _MARK.match(line)
        if inside is None and m and not m[1]:
            inside = m[2]
            continue
        if inside is not None:
            if m and m[1] and m[2] == inside:
                inside = None
            continue
        out.append(line)
    return "\n".join(out)


def block_digest(lines: Sequence[str]) -> str:
    """A short digest of a block's text (line endings ignored)."""
    text = "\n".join(ln.rstrip("\r") for ln in lines)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


# A finder gets (lines, section start, section end) and returns the [first, last] line indexes
# of the existing block inside the section, or None when there is none.
_Finder = Callable[[list[str], int, int], tuple[int, int] | None]


def _put(data: bytes, heading: str, level: int, block: Sequence[str], find: _Finder) -> bytes:
    if any("\n" in ln or "\r" in ln for ln in block):
        raise EditRefused("a block line cannot hold a line break")
    check_editable(data)
    bom = data.startswith(_BOM)
    text = data[len(_BOM) :].decode("utf-8") if bom else data.decode("utf-8")
    lines = text.split("\n")
    crlf = sum(1 for ln in lines if ln.endswith("\r"))
    cr = "\r" if crlf * 2 > len(lines) - 1 else ""
    found = find_section(lines, heading, _body_start(lines))
    if found is not None:
        index, _, end = found
        span = find(lines, index + 1, end)
        if span is not None:
            first, last = span
            replacement = [ln + cr for ln in block]
            if last == len(lines) - 1:  # the old block ended the file with no line ending
                replacement[-1] = block[-1]
            lines[first : last + 1] = replacement
            return _finish(data, bom, lines)
        _, blocks = fenced_blocks(lines, index + 1)
        if any(close is None and opened < end for opened, close, _ in blocks):
            raise EditRefused(
                f"not edited: a ``` code block under {heading!r} is never closed; close it first",
                index + 1,
            )
        last = max([index] + [i for i in range(index + 1, end) if not _blank(lines[i])])
        new = ([""] if last != index else []) + list(block)
        if last + 1 == end and end < len(lines):
            new.append("")  # a blank line before the next heading
    else:
        body = _body_start(lines)
        last = max([i for i in range(len(lines)) if not _blank(lines[i])], default=-1)
        _, blocks = fenced_blocks(lines, body)
        if any(close is None for _, close, _ in blocks):
            raise EditRefused(
                "not edited: the note ends inside a ``` code block; close the block first", last + 1
            )
        new = ([""] if last >= body else []) + [f"{'#' * level} {heading}"] + list(block)
    insert_after(lines, last, new, cr)
    return _finish(data, bom, lines)


def _blank(line: str) -> bool:
    """A blank line as Markdown has it: spaces and tabs only. A line of other white space (a
    no-break space, an ideographic space) is text the user wrote, and a block goes after it."""
    return not line.strip(" \t\r")


def _finish(data: bytes, bom: bool, lines: list[str]) -> bytes:
    out = (_BOM if bom else b"") + "\n".join(lines).encode("utf-8")
    if front_matter_of(out) != front_matter_of(data):
        raise EditRefused(
            "not edited: the change would have altered the note's properties"
            " (please report this note)"
        )
    return out


def put_fenced_block(
    data: bytes,
    heading: str,
    block: Sequence[str],
    langs: Sequence[str] = ("mermaid", "dot"),
    level: int = 2,
) -> bytes:
    """Put ``block`` (a whole fenced code block, fences included) into the section under
    ``heading``: it replaces the section's first code block whose language is one of ``langs``,
    or is added at the end of the section (a missing section is added at the end of the note)."""
    wanted = {lang.lower() for lang in langs}

    def find(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
        _, blocks = fenced_blocks(lines, start)
        for opened, close, info in blocks:
            if opened >= end:
                break
            if info in wanted:
                if close is None or close >= end:
                    raise EditRefused(
                        f"not edited: the ```{info} block under {heading!r} is never closed",
                        opened + 1,
                    )
                return opened, close
        return None

    return _put(data, heading, level, block, find)


def put_marked_block(
    data: bytes, heading: str, name: str, content: Sequence[str], level: int = 2
) -> bytes:
    """Put ``content`` between ``<!-- coffeechat:NAME DIGEST -->`` and ``<!-- /coffeechat:NAME -->``
    in the section under ``heading``, replacing the block written there before — unless that
    block was edited since (its digest no longer matches), which refuses the edit."""
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", name):
        raise EditRefused(f"{name!r} is not a block name")
    begin = re.compile(
        rf"[ \t]*<!--[ \t]*coffeechat:{re.escape(name)}(?:[ \t]+([0-9a-f]+))?[ \t]*-->[ \t]*\r?$"
    )
    close_re = re.compile(rf"[ \t]*<!--[ \t]*/coffeechat:{re.escape(name)}[ \t]*-->[ \t]*\r?$")
    block = [
        f"<!-- coffeechat:{name} {block_digest(content)} -->",
        *content,
        f"<!-- /coffeechat:{name} -->",
    ]

    def find(lines: list[str], start: int, end: int) -> tuple[int, int] | None:
        for i in range(start, end):
            m = begin.match(lines[i])
            if m is None:
                continue
            close = next((j for j in range(i + 1, len(lines)) if close_re.match(lines[j])), None)
            if close is None:
                raise EditRefused(
                    f"not edited: the coffeechat {name} block under {heading!r} has"
                    f" lost its closing <!-- /coffeechat:{name} --> line",
                    i + 1,
                )
            if m[1] is None or m[1] != block_digest(lines[i + 1 : close]):
                raise EditRefused(
                    f"not edited: the {name} under {heading!r} was changed since"
                    " coffeechat wrote it; delete that block (or the section) to"
                    " write a new one",
                    i + 1,
                )
            return i, close
        return None

    return _put(data, heading, level, block, find)
