"""What full-text search matches: text folded (case, compatibility forms and accents set
aside), and the lines of a note that hold every word asked for.

`search` folds every note of the vault (160 MB in a big one), so the folding is written for
speed; tests/cli/test_search.py and test_cli.py hold it to its plain definition (NFKD of the
case-folded text, the combining marks dropped) on hypothesis' strings.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from coffeechat.core.note.parse import split_lines

__all__ = ["fold", "fold_note", "matching_lines"]


def fold(text: str) -> str:
    """``text`` as search compares it: case-folded, compatibility-decomposed, accents dropped.

    `search` folds every note (160 MB in a big vault), so only the runs of non-ASCII
    characters go through the slow steps; the ASCII between them is only lower-cased, which is
    what the steps make of it. Every step works character by character (and the accents they
    drop are never ASCII), so folding the runs apart gives what folding the whole text gives."""
    if text.isascii():
        return text.lower()
    parts = _NON_ASCII.split(text)
    parts[0::2] = [part.lower() for part in parts[0::2]]
    parts[1::2] = [_fold_run(part) for part in parts[1::2]]
    return "".join(parts)


_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")


def _fold_run(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def fold_note(data: bytes) -> str:
    """`fold` of a note's text (its bytes decoded, a leading BOM dropped), made fast for
    `search`, which folds every note: the ASCII letters are lowered as bytes (UTF-8 never
    uses an ASCII byte inside another character), then each other character the note holds
    is replaced by its fold. Folding goes character by character (see `fold`), so that is
    the fold of the whole note; a note where one character's fold holds another character
    being replaced is folded by `fold`."""
    folded = data.lower().decode("utf-8", "replace").lstrip("\ufeff")
    if data.isascii():
        return folded
    changes = {}
    for char in set(data.translate(None, _ASCII_BYTES).decode("utf-8", "replace")):
        its_fold = _CHAR_FOLDS.get(char)
        if its_fold is None:
            its_fold = _CHAR_FOLDS[char] = _fold_run(char)
        if its_fold != char:
            changes[char] = its_fold
    if any(c in changes for its_fold in changes.values() for c in its_fold):
        return fold(data.decode("utf-8", "replace").lstrip("\ufeff"))
    for char, its_fold in changes.items():
        folded = folded.replace(char, its_fold)
    return folded


_ASCII_BYTES = bytes(range(128))
#: Each character's fold, as `fold_note` meets it (a vault holds a few hundred of them).
_CHAR_FOLDS: dict[str, str] = {}


def matching_lines(data: bytes, words: Sequence[str]) -> list[tuple[int, str]]:
    """The lines of a note (its bytes) that hold one of ``words`` (folded), with their
    numbers, when the note holds every word; none otherwise: what folding each line (`fold`)
    and looking for the words in it finds. Done fast, as `search` reads every note: the note
    is folded whole (`fold_note`), and only the lines where a word was found are picked out
    (folding keeps each line feed where it is, and a word holds none, so a word found in the
    folded note is on the same line of the note)."""
    folded = fold_note(data)
    if not all(w in folded for w in words):
        return []
    starts: set[int] = set()  # where the lines holding a word start, in the folded note
    for word in words:
        at = folded.find(word)
        while at >= 0:
            starts.add(folded.rfind("\n", 0, at) + 1)
            end = folded.find("\n", at)
            at = folded.find(word, end + 1) if end >= 0 else -1
    lines = split_lines(data.decode("utf-8", "replace").lstrip("\ufeff"))
    found, number, counted = [], 1, 0
    for start in sorted(starts):
        number += folded.count("\n", counted, start)
        counted = start
        found.append((number, lines[number - 1]))
    return found
