"""A fast path for the plain front matter most notes have; ``None`` means "ask PyYAML".

Nearly every note's front matter is a flat list of ``key: value`` lines::

    type: contact
    company: "[[Acme Corp]]"
    tags: [contact, london]
    meetings:
      - "[[2024-10-21 Call with Jane]]"
    added: 2024-10-12

Building a PyYAML loader, its node tree and its resolver calls costs ~40 µs for that; reading
the lines directly costs a few.

Why this module exists beside PyYAML, measured by ``bench/fast_paths.py`` on the 40,394 front
matter blocks of a 10,000-contact vault's 41,001 notes (medians of 5 rounds, CPU time):
``load_front_matter`` with this fast path takes 7.7 µs a block (0.31 s in all; it answers 99.3%
of them itself), PyYAML's C loader alone 34.2 µs (1.38 s, 4.5×), python-frontmatter 46 µs a
whole note (1.90 s, 6.1×). At 30,000 contacts (123,001 notes) that is about 3 s of every first
index. The equivalence tests (``tests/core/note/test_fastyaml.py``) hold it to
the loader's values and key lines.

:func:`load_plain_front_matter` reads exactly this subset and
returns ``None`` for ANYTHING outside it, so that ``core.note.parse.load_front_matter`` falls back to the C
loader. The rule is: answer only when the answer is certain to be what the loader gives, values
(types included) and key lines alike. The subset:

* top-level keys at column 0 — plain, one line, starting with a word character, no ``:``/``#``
  and no quote or flow character in them; each key once (a repeat is an error: fall back);
* a value on the key's line: a plain scalar, a single-quoted one (``''`` is ``'``), a
  double-quoted one WITHOUT backslashes (escapes are left to PyYAML), or a one-line flow list
  ``[a, "b", 'c']`` of such scalars;
* an empty value — ``None``, or the list of the block sequence that follows: ``- item`` lines,
  all at one indent (column 0 included: YAML allows an "indentless" sequence under a key);
* blank lines, full-line comments, and `` #`` comments after a value.

Everything else — nested mappings, multi-line or block scalars, anchors, aliases, tags, flow
mappings, complex keys, tabs, CR/NEL/LS/PS line breaks, a BOM, non-printable characters,
directives, document markers — falls back.
"""

from __future__ import annotations

import math
import re
from sys import intern as _intern
from typing import Any

__all__ = ["IMPLICIT_RESOLVERS", "load_plain_front_matter"]

#: The YAML-1.2-like implicit resolvers: (tag, pattern, first characters), in PyYAML's
#: ``add_implicit_resolver`` order. notes.py builds its PyYAML loader from this same tuple, so
#: the fast path and the loader cannot drift apart.
IMPLICIT_RESOLVERS: tuple[tuple[str, str, list[str]], ...] = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^-?(?:0|[1-9][0-9]*)$", list("-0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^-?(?:0|[1-9][0-9]*)\.[0-9]+(?:[eE][-+]?[0-9]+)?$",
        list("-0123456789"),
    ),
)


class _Bail(Exception):
    """Raised inside the fast path for anything it does not read; the caller returns None."""


def _construct_int(value: str) -> int:
    # PyYAML's construct_yaml_int strips `_`, a sign, and 0b/0x/0o/sexagesimal forms; the int
    # pattern above admits none of those, so it is exactly int(). Past Python's digit limit
    # int() raises, as it does inside PyYAML (an error the loader reports): fall back.
    try:
        return int(value)
    except ValueError:
        raise _Bail from None


def _construct_float(value: str) -> float | str:
    # PyYAML: sign * float(rest) — the same double as float(value); `.inf`/`.nan`/`1:30.5` are
    # not admitted by the pattern. notes._plain turns an overflow (1.0e999) into "inf"/"-inf".
    number = float(value)
    return number if math.isfinite(number) else str(number)


_CONSTRUCT: dict[str, Any] = {
    "tag:yaml.org,2002:null": lambda value: None,
    "tag:yaml.org,2002:bool": lambda value: value[0] in "tT",  # only true/false forms match
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:float": _construct_float,
}

# PyYAML's Resolver.resolve looks resolvers up by the value's first character ('' for an empty
# value) and takes the first whose pattern matches; a value no pattern matches is a string.
_BY_FIRST: dict[str, list[tuple[Any, re.Pattern[str]]]] = {}
for _tag, _pattern, _first in IMPLICIT_RESOLVERS:
    for _ch in _first:
        _BY_FIRST.setdefault(_ch, []).append((_CONSTRUCT[_tag], re.compile(_pattern)))


def _resolve_plain(value: str) -> Any:
    """The JSON-able value of a PLAIN (unquoted) scalar as the loader reads it."""
    for construct, pattern in _BY_FIRST.get(value[:1], ()):
        if pattern.match(value):
            return construct(value)
    return value


# The same plain scalars that might be numbers recur across a vault's notes — dates above all
# (`added: 2024-10-12`, which stays a string), durations, numbers: remember what the short ones
# resolve to (None, a bool, an int, a float or the string itself: all immutable). Bounded.
_RESOLVED: dict[str, Any] = {}
_MISSING = object()


def _resolve_plain_cached(value: str) -> Any:
    resolved = _RESOLVED.get(value, _MISSING)
    if resolved is _MISSING:
        resolved = _resolve_plain(value)  # may raise _Bail: not remembered
        if len(value) <= 40:
            if len(_RESOLVED) >= 8192:
                _RESOLVED.clear()
            _RESOLVED[value] = resolved
    return resolved


# Characters the fast path accepts at all: LF as the only line break (YAML also breaks lines at
# CR, NEL U+0085, LS U+2028 and PS U+2029, which would change line numbers and scalar folding),
# printable ASCII, and the printable non-ASCII range minus the BOM U+FEFF (skipped by libyaml at
# the start of a line), U+FFFE/U+FFFF and lone surrogates. No tabs: YAML forbids them in
# indentation and treats them as blanks elsewhere; not worth modelling.
_UNSAFE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)

# --- the line grammar ------------------------------------------------------------------------
# One regex reads every line: `findall` hands back one tuple of groups per line, so the Python
# loop below does no string work of its own. Nothing here may span a line (no `\s`, no `.` that
# could meet a LF): each alternative ends at the line's LF or at the end of the text.

# The patterns use possessive quantifiers (`*+`, `++`, Python 3.11): a run, once matched, is
# never given back, so a line that does not fit fails at once instead of backtracking.

# A scalar in double quotes on one line. A backslash (an escape) is left to PyYAML. The quotes
# are captured too, so that `""` is told apart from a group that did not take part ("").
_DOUBLE = r'"[^"\\\n]*+"'
# A scalar in single quotes on one line: inside, `''` is one `'` and nothing else is special.
_SINGLE = r"'[^'\n]*+(?:''[^'\n]*+)*+'"
# A plain (unquoted) scalar in block context, as far as the fast path reads one:
# * it may not start with a space or an indicator (`- ? : , [ ] { } # & * ! | > ' " % @` and
#   backtick start other things or are errors) — except `-` before a letter or digit: `-5`, `-x`;
# * inside, `: ` or a final `:` would start a mapping (an error, or nesting), so a `:` must be
#   followed by something other than a space; ` #` starts a comment, so spaces may not be
#   followed by `#` (`a#b` is plain text); flow characters `[]{},` are plain text in block
#   context; so are quotes after the first character (`O'Brien`);
# * it ends at a character, never a space: YAML drops the spaces after it, and so does the tail.
_PLAIN = (
    r"""(?:[^\s\-?:,\[\]{}#&*!|>'"%@`]|-[^\W_])"""
    r"[^ \n:]*+(?:(?::(?=[^ \n])| ++(?=[^ #\n]))[^ \n:]*+)*+"
)
# What may end a line after a value: spaces, or a comment after at least one space (libyaml
# also takes `"a"#c` as a comment, but the spec does not; fall back).
_TAIL = r"(?: +#[^\n]*| *)"
# A character of a key: a plain scalar starting with a word character and holding no `:` (it
# would end the key), no `#` (` #` starts a comment), no quote, flow character or backslash.
# Spaces inside it are kept; the spaces before its colon are not part of it.
_KEY_CHAR = r"""[^ \n:#"'\[\]{},`\\]"""
_KEY = rf"\w{_KEY_CHAR}*+(?: ++{_KEY_CHAR}++)*+"

_LINE = re.compile(
    "(?:"
    # `key:` at column 0, then a value on the same line or nothing (None, or a block sequence
    # to follow). `key:value` is one scalar, not a key: a space or the end of the line must
    # follow the colon. The value is told apart by its first character; a flow list `[...]` is
    # read by _flow_list, which checks its own tail.
    rf"({_KEY}) *:(?: ++({_PLAIN}|{_DOUBLE}|{_SINGLE}|\[[^\n]*))?+{_TAIL}"
    # an entry of a block sequence: `-` at some indent (column 0 included), then a scalar, or
    # nothing (None). `-x` is a scalar, not an entry; `- - x` and `- [x]` (nesting) and
    # `- a: b` (a mapping) match nothing here.
    rf"|( *-)(?: ++({_PLAIN}|{_DOUBLE}|{_SINGLE}))?+{_TAIL}"
    # a blank line, or a full-line comment (at any indent): no groups
    r"| *+(?:#[^\n]*)?"
    # anything else: the fast path gives up
    r"|([^\n]+)"
    r")(?:\n|\Z)"
)

# One item of a one-line flow list, with the `,` or `]` after it. A plain item in flow context
# ends at `,[]{}`; it may not hold `:` or `#` here (`[a: b]` is a mapping, `[a #b]` a comment)
# and may not start with an indicator, except `-` before a letter or digit. Spaces around an
# item are not part of it. No item before a `,` or `]` (`[a, ]`, `[,]`) does not match.
_FLOW_ITEM = re.compile(
    r""" *(?:"([^"\\\n]*)"|'((?:[^'\n]|'')*)'"""
    r"""|((?:[^\s,\[\]{}#:"'&*!|>%@`?\-]|-[^\W_])[^,\[\]{}#:\n]*?)) *([,\]])"""
)
_FLOW_EMPTY = re.compile(r"\[ *\]")
_FLOW_TAIL = re.compile(_TAIL)

#: Lines whose reading is known, to try this Python's `re` on.
_PROBES = {
    "type : contact\n": ("type", "contact"),
    "a: x # note\n": ("a", "x"),
    "k: 'it''s'\n": ("k", "'it''s'"),
}


def _engine_sound() -> bool:
    """Whether this Python's `re` reads the patterns as written. Early CPython 3.11 releases
    (3.11.2, Debian 12's) give back part of a possessive run: they read `type : contact` as
    the key "type " and drop `a: x # note`. There the fast path stays off, and PyYAML reads
    every note."""
    return all(
        (found := _LINE.findall(text)) and found[0][:2] == want for text, want in _PROBES.items()
    )


_SOUND = _engine_sound()


# The first characters of a scalar that is more than its own text: a quote, a flow list, or a
# plain scalar that may resolve to null, a bool or a number. Any other plain scalar is a string.
_NOT_TEXT = frozenset("\"'[").union(_BY_FIRST)


def _value(text: str) -> Any:
    """The value of a scalar or a flow list matched by _LINE (``text[0]`` is in _NOT_TEXT)."""
    first = text[0]
    if first == '"':
        return text[1:-1]
    if first == "'":
        return text[1:-1].replace("''", "'")
    if first == "[":
        return _flow_list(text)
    return _resolve_plain_cached(text)


def _flow_list(text: str) -> list[Any]:
    """A one-line flow sequence ``[a, "b", 'c']`` of scalars (``text``: the rest of the line)."""
    items: list[Any] = []
    if m := _FLOW_EMPTY.match(text):
        end = m.end()
    else:
        end = 1
        while True:
            m = _FLOW_ITEM.match(text, end)
            if m is None:  # nesting, a mapping, a trailing comma, an unclosed list, ...
                raise _Bail
            if m[3] is not None:
                items.append(_resolve_plain_cached(m[3]))
            elif m[1] is not None:
                items.append(m[1])
            else:
                items.append(m[2].replace("''", "'"))
            end = m.end()
            if m[4] == "]":
                break
    if not _FLOW_TAIL.fullmatch(text, end):  # `[a] b`, `[a]#c`, ...
        raise _Bail
    return items


def load_plain_front_matter(
    text: str, first_line: int = 2
) -> tuple[dict[str, Any], dict[str, int]] | None:
    """(values, file line of each key) as ``core.note.parse.load_front_matter`` gives them, or ``None``
    when ``text`` is not plain front matter this reader is sure of."""
    if not _SOUND or _UNSAFE.search(text) is not None:
        return None
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    pending: str | None = None  # a key with an empty value, so far: entries may follow
    items: list[Any] | None = None  # the block sequence of `pending`, once it has begun
    indent = 0  # the column of that sequence's `-`
    try:
        # One tuple per line (and a last, empty one at the end of the text: a blank line).
        for number, (key, value, dash, item, other) in enumerate(_LINE.findall(text), first_line):
            if key:
                if key in lines or len(key) > 200:  # a duplicate key is an error; libyaml
                    return None  # also limits a key to 1024 characters
                key = _intern(key)  # 100,000 notes share a dozen keys: keep one copy of each
                lines[key] = number
                if value:
                    values[key] = value if value[0] not in _NOT_TEXT else _value(value)
                    pending = None
                else:  # `key:` or `key: # note` — None, unless a block sequence follows
                    values[key] = None
                    pending, items = key, None
            elif dash:
                if pending is None:  # only an empty value can hold a block sequence
                    return None
                if items is None:
                    items = values[pending] = []
                    indent = len(dash)
                elif len(dash) != indent:  # a nested sequence, or an error
                    return None
                if not item:  # `-` alone: an empty entry
                    items.append(None)
                else:
                    items.append(item if item[0] not in _NOT_TEXT else _value(item))
            elif other:
                return None
    except _Bail:
        return None
    return values, lines
