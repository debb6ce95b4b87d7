"""Names from outside (imports, the command line) made into safe, portable file names."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BIDI_CONTROLS", "MAX_NAME_BYTES", "escape_bidi", "safe_filename"]

#: Most file systems cap a name at 255 bytes; keep room for " (2)" and ".md".
MAX_NAME_BYTES = 240
_WINDOWS_RESERVED = re.compile(r"(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$")
#: Unicode's bidirectional controls (embeddings, overrides, isolates, marks): invisible, they
#: reorder what follows, so ``Evil\u202egnp.exe`` shows as ``Evilexe.png``. Never in a file
#: name coffeechat makes; escaped wherever a terminal shows text from outside.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Characters no file system (or Obsidian's link syntax) accepts in a note name.
_BAD = re.compile(r'[\x00-\x1f\x7f-\x9f\u2028\u2029/\\:*?"<>|#^\[\]]')


def safe_filename(name: str, fallback: str = "Untitled") -> str:
    """``name`` as a file name without extension: no path separators, no ``..``, no leading
    dot, no control or reserved characters, no Windows device name, at most 240 UTF-8 bytes.
    The full name stays in the note's ``name:`` property."""
    text = unicodedata.normalize("NFC", BIDI_CONTROLS.sub("", name))
    text = _BAD.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = text.lstrip(". ")  # no hidden files, no "..": only what follows'
    text = text.rstrip(". ")  # Windows drops trailing dots and spaces
    if _WINDOWS_RESERVED.match(text):
        text = f"{text}_"
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_NAME_BYTES:
        text = encoded[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(". ")
    return text or fallback


def escape_bidi(text: str) -> str:
    """``text`` with each bidirectional control shown as ``\\u202e``: what a terminal prints
    is then what the bytes say."""
    return BIDI_CONTROLS.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
