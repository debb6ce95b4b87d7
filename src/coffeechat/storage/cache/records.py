"""Notes as the cache keeps them: reading and parsing one file (`read_note`), a parsed note's
record as the JSON text of the ``notes`` table and back, and every note the walk saw, from
the table and what was just parsed.

The parser (`core.note.parse`, and YAML with it) is imported only when a note is read: a command
whose notes are all stored never loads it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from coffeechat.core.model import Finding, ParsedNote, Severity
from coffeechat.storage.cache.codec import Damaged
from coffeechat.storage.cache.schema import rows_in
from coffeechat.storage.scan import FileStat

__all__ = ["all_notes", "note_of", "parse_files", "read_note", "record_json", "records"]


def read_note(root: Path, stat: FileStat) -> ParsedNote | None:
    """Read and parse one file; ``None`` when it vanished since it was listed."""
    try:
        with open(os.path.join(root, stat.path), "rb") as fh:  # (a Path per note: 5 µs)
            data = fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        finding = Finding(
            stat.path, None, f"cannot be read: {exc.strerror or exc}", Severity.ERROR, "unreadable"
        )
        return ParsedNote(stat.path, stat.mtime_ns, findings=(finding,), broken=True)
    from coffeechat.core.note.parse import parse_note  # (YAML: not needed when nothing changed)

    return parse_note(stat.path, data, stat.mtime_ns)


def parse_files(root: Path, stats: list[FileStat]) -> list[ParsedNote]:
    """Read and parse ``stats`` (in order), leaving out files that vanished meanwhile."""
    return [note for stat in stats if (note := read_note(root, stat)) is not None]


def record_json(note: ParsedNote) -> str:
    """A note's record as the cache stores it."""
    return json.dumps(_record(note), ensure_ascii=False, separators=(",", ":"))


def note_of(record: str) -> ParsedNote:
    """The note a stored record holds."""
    from coffeechat.core.note.parse import note_from_record

    return note_from_record(json.loads(record))


def _record(note: ParsedNote) -> dict[str, Any]:
    from coffeechat.core.note.parse import note_to_record

    return note_to_record(note)


def records(db: sqlite3.Connection, paths: list[str]) -> dict[str, str]:
    """The stored records of ``paths``, by path."""
    return dict(rows_in(db, "SELECT path, record FROM notes WHERE path IN ({})", paths))


def all_notes(
    db: sqlite3.Connection, fresh: Mapping[str, ParsedNote], stats: Mapping[str, FileStat]
) -> list[ParsedNote]:
    """Every note the walk saw (``stats``), in path order: those just parsed (``fresh``), the
    others as stored. Raises `Damaged` when the table lacks one, or holds another's."""
    notes = list(fresh.values())
    for path, record in db.execute("SELECT path, record FROM notes"):
        if path not in fresh and path in stats:
            note = note_of(record)
            if note.path != path:
                raise Damaged(f"the record of {path} is another note's")
            notes.append(note)
    if len(notes) != len(stats):  # (the walk's fingerprints matched rows that are not there)
        raise Damaged("notes the walk found are missing from the table")
    notes.sort(key=lambda n: n.path)
    return notes
