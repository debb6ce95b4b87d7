"""Carrying out what `done` writes: the one implementation of the writes that resolve an item
(`core.resolutions.resolution` plans them), used by `coffeechat done` and by `push` when a task
is ticked on the CalDAV server, so both leave the very same bytes in the notes.

Each caller brings how it reads and edits: `done` its part of the vault, its write lock and
`App.edit`'s check that a note did not change after it was read; `push` the store's part
(both through `storage.cache.part.VaultReader`) and the safe edit path. Every byte goes through
`storage.writer` (`edit_note`, `create_note`)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from coffeechat.core.model import DueItem, NoteType
from coffeechat.core.note.edits import Link, append_line_under_heading, set_key, tick_task
from coffeechat.core.resolutions import LOG_HEADING, Write
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import note_stem
from coffeechat.storage.writer import NoteNames, create_note

__all__ = ["Edit", "around", "carry_out"]

#: Applies a change to a note's bytes (a vault-relative path) through the safe edit path.
Edit = Callable[[str, Callable[[bytes], bytes]], object]


def around(item: DueItem) -> list[str]:
    """The subject of an item and the notes it names: around them, a part of the vault holds
    everything its rules read (as recorded in the store) and `resolution` looks at."""
    return [p for p in (item.subject, item.source, item.contact_path, item.meeting) if p]


def carry_out(
    writes: Iterable[Write],
    day: dt.date,
    *,
    root: Path,
    settings: Settings,
    edit: Edit,
    part: Callable[[Sequence[str]], Any],
    names: Callable[[], NoteNames],
    now: dt.datetime,
) -> Iterator[Write]:
    """Make each of ``writes`` (dated ``day``), yielding it once it is written; a new contact
    comes back with the path of its note. ``part(names)`` is a part of the vault holding what
    those names may mean (for a new contact's ``referred_by``), ``names()`` the file names
    taken, ``now`` the moment a new note's template is filled in with."""
    for write in writes:
        path = write.path or ""  # (only a new contact has none)
        if write.op == "set":
            edit(path, functools.partial(set_key, key=write.key, value=write.value))
        elif write.op == "log":
            edit(
                path,
                functools.partial(append_line_under_heading, heading=LOG_HEADING, line=write.text),
            )
        elif write.op == "tick":
            expect = (write.text, write.value)
            edit(
                path,
                functools.partial(tick_task, line_number=write.line or 0, today=day, expect=expect),
            )
        else:
            fields = list(write.fields)
            if fields and fields[0][0] == "referred_by":
                giver = part([fields[0][1]])
                hits = [p for p in giver.find(fields[0][1]) if p in giver.contacts]
                fields = [("referred_by", Link(note_stem(hits[0])))] if len(hits) == 1 else []
            fields.append(("added", day))
            rel = create_note(
                root,
                settings,
                NoteType.CONTACT,
                write.key,
                fields,
                names=names(),
                now=now,
                body_lines=[(LOG_HEADING, write.text)],
            )
            write = Write("create_contact", rel, key=write.key, text=write.text)
        yield write
