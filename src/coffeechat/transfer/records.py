"""Contacts from outside — LinkedIn, Google Contacts, vCard — read into plain records.

Each reader takes the file's bytes and returns a `Batch`: the records it could read, the
parts it could not (each counted as failed and reported with its line), and warnings. A
file that is not of the expected kind at all raises `UsageError` before anything is written.
`coffeechat.transfer.match` then brings a batch into the vault.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from coffeechat.errors import UsageError

__all__ = ["Batch", "Problem", "Record", "clean_text", "decode_text", "tag_name", "utf16_as_utf8"]


@dataclass(frozen=True, slots=True)
class Record:
    """One person as a file describes them; empty values are unknown."""

    line: int  # where the person starts in the file (for messages)
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    company: str = ""
    role: str = ""
    linkedin: str = ""
    connected_on: dt.date | None = None  # LinkedIn's "Connected On"; `added` is the import day
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


@dataclass
class Batch:
    """What one file held, ready to be matched against the vault."""

    source: str  # "LinkedIn", "Google Contacts", "vCard": said in the new notes' log line
    records: list[Record] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)  # parts of the file that could not be read
    warnings: list[Problem] = field(default_factory=list)
    how_met: str = ""  # for new notes
    tags: tuple[str, ...] = ()  # added to new notes' tags


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def clean_text(value: object) -> str:
    """A value from outside as one clean line: no control characters or line breaks, single
    spaces, and no Templater tags (``<% %>``), which Obsidian's Templater plugin runs as code
    when it sees a new file. ``{{title}}`` is kept as written: Obsidian fills such
    placeholders only in a template being inserted, never in a note, and the value is
    written quoted, so a name is kept whole."""
    if value is None:
        return ""
    text = _CONTROL.sub(" ", str(value))
    text = " ".join(text.split())
    if "<%" in text or "%>" in text:
        text = text.replace("<%", "< %").replace("%>", "% >")
    return text


def tag_name(label: str) -> str:
    """A group or label name as an Obsidian tag: letters, digits, ``_``, ``-`` and ``/``; spaces
    become ``-``; ``""`` when nothing usable is left (a tag must not be only digits)."""
    text = unicodedata.normalize("NFC", clean_text(label)).lstrip("#").strip()
    text = re.sub(r"\s+", "-", text)
    text = "".join(c for c in text if c.isalnum() or c in "_-/")
    text = re.sub(r"/{2,}", "/", text).strip("/-")
    if not text or text.replace("/", "").isdigit():
        return ""
    return text


def utf16_as_utf8(data: bytes, what: str) -> bytes:
    """A file in UTF-16 with its byte-order mark (as Windows tools and some phones export
    contacts) as UTF-8 bytes; any other file unchanged. Its NUL bytes are not binary."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(f"{what} starts as UTF-16 text but is not valid UTF-16") from None
    return data


def decode_text(data: bytes, what: str) -> tuple[str, str | None]:
    """Text from a file's bytes: UTF-8 (with or without a BOM) or UTF-16 with a BOM, else
    Windows-1252 with a warning; a binary file is refused."""
    data = utf16_as_utf8(data, what)
    if b"\x00" in data[:4096]:
        raise UsageError(f"{what} is a binary file, not text")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        warning = (
            f"{what} is not UTF-8 (byte {exc.start + 1}); read as Windows-1252 —"
            " check accented names"
        )
    return data.decode("cp1252", errors="replace"), warning
