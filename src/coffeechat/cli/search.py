"""Commands that find notes: list (contacts, companies or meetings, filtered by their fields)
and search (full text, case and accents ignored), which fold text alike."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.cli.render.json_shapes import print_json
from coffeechat.cli.render.lists import list_json, list_table, search_lines
from coffeechat.cli.render.messages import say, tell, warn
from coffeechat.cli.render.text import print_lines, screen_width

# --- list ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
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


def _has(value: str, wanted: str | None) -> bool:
    return wanted is None or _fold(wanted) in _fold(value)


@cli.command("list")
@click.argument("kind", type=click.Choice(["contacts", "companies", "meetings"]))
@click.option("--field", help="Contacts whose field contains this.")
@click.option("--company", help="Contacts at a company whose name contains this.")
@click.option(
    "--status", help="Contacts with this status (dormant, paused, do_not_contact, active)."
)
@click.option("--tag", help="Contacts or companies with this tag.")
@click.option("--referred-by", help="Contacts referred by someone whose name contains this.")
@click.option("--with", "with_", help="Meetings with someone whose name contains this.")
@click.option("--kind", "meeting_kind", help="Meetings of this kind (coffee, call, ...).")
@click.option("--since", callback=date_option, help="Meetings on or after this date.")
@click.option("--until", callback=date_option, help="Meetings on or before this date.")
@click.option("--scheduled", "state", flag_value="scheduled", help="Only meetings still ahead.")
@click.option("--held", "state", flag_value="held", help="Only meetings that took place.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_(
    app: App,
    kind: str,
    field: str | None,
    company: str | None,
    status: str | None,
    tag: str | None,
    referred_by: str | None,
    with_: str | None,
    meeting_kind: str | None,
    since: dt.date | None,
    until: dt.date | None,
    state: str | None,
    as_json: bool,
) -> None:
    """List contacts, companies or meetings, with filters."""
    from coffeechat.storage.index import Index

    today = app.today
    # Each contact's, meeting's and company's row is kept in the store with its follow-ups.
    one = {"contacts": "contact", "meetings": "meeting", "companies": "company"}[kind]
    listed = Index(app.root, app.settings).rows(one, today)
    for warning in listed.warnings:
        warn(warning)
    problems = listed.problems
    rows: list[dict[str, Any]] = []
    words: dict[str, str] = {}  # each meeting's own word for its kind
    if kind == "companies":
        by_name = sorted(
            sorted(listed.rows, key=lambda r: r["path"]), key=lambda r: _fold(r["name"])
        )
        rows = [
            list_json(kind, co)
            for co in by_name
            if (tag is None or _fold(tag.lstrip("#")) in {_fold(t) for t in co["tags"]})
        ]
    elif kind == "contacts":
        wanted_status = (status or "").replace("-", "_").replace(" ", "_").lower()
        for c in sorted(
            sorted(listed.rows, key=lambda r: r["path"]), key=lambda r: _fold(r["name"])
        ):
            if status and c["status"] != wanted_status:
                continue
            if not (
                _has(c["field"] or "", field)
                and _has(c["company"] or "", company)
                and _has(c["referred_by"], referred_by)
            ):
                continue
            if tag and _fold(tag.lstrip("#")) not in {_fold(t) for t in c["tags"]}:
                continue
            rows.append(list_json(kind, c))
    elif kind == "meetings":
        for m in sorted(listed.rows, key=lambda r: (r["date"], r["time"] or "00:00", r["path"])):
            if (since and m["date"] < since.isoformat()) or (
                until and m["date"] > until.isoformat()
            ):
                continue
            if state and m["state"] != state:
                continue
            if not (
                _has(", ".join(m["with"]), with_)
                and (
                    meeting_kind is None
                    or _fold(meeting_kind) in (m["kind"] or "", _fold(m["word"]))
                )
            ):
                continue
            words[m["path"]] = m["word"]
            rows.append(list_json(kind, m))
    if as_json:
        print_json(rows, problems=problems)
        return
    if not rows:
        say(f"No {kind} match.")
        return
    print_lines(list_table(kind, rows, words, screen_width()))


# --- search --------------------------------------------------------------------------------


def _fold_note(data: bytes) -> str:
    """`_fold` of a note's text (its bytes decoded, a leading BOM dropped), made fast for
    `search`, which folds every note: the ASCII letters are lowered as bytes (UTF-8 never
    uses an ASCII byte inside another character), then each other character the note holds
    is replaced by its fold. Folding goes character by character (see `_fold`), so that is
    the fold of the whole note; a note where one character's fold holds another character
    being replaced is folded by `_fold`."""
    folded = data.lower().decode("utf-8", "replace").lstrip("\ufeff")
    if data.isascii():
        return folded
    changes = {}
    for char in set(data.translate(None, _ASCII_BYTES).decode("utf-8", "replace")):
        fold = _CHAR_FOLDS.get(char)
        if fold is None:
            fold = _CHAR_FOLDS[char] = _fold_run(char)
        if fold != char:
            changes[char] = fold
    if any(c in changes for fold in changes.values() for c in fold):
        return _fold(data.decode("utf-8", "replace").lstrip("\ufeff"))
    for char, fold in changes.items():
        folded = folded.replace(char, fold)
    return folded


_ASCII_BYTES = bytes(range(128))
#: Each character's fold, as `_fold_note` meets it (a vault holds a few hundred of them).
_CHAR_FOLDS: dict[str, str] = {}


def _matching_lines(data: bytes, words: Sequence[str]) -> list[tuple[int, str]]:
    """The lines of a note (its bytes) that hold one of ``words`` (folded), with their
    numbers, when the note holds every word; none otherwise: what folding each line (`_fold`)
    and looking for the words in it finds. Done fast, as `search` reads every note: the note
    is folded whole (`_fold_note`), and only the lines where a word was found are picked out
    (folding keeps each line feed where it is, and a word holds none, so a word found in the
    folded note is on the same line of the note)."""
    folded = _fold_note(data)
    if not all(w in folded for w in words):
        return []
    starts: set[int] = set()  # where the lines holding a word start, in the folded note
    for word in words:
        at = folded.find(word)
        while at >= 0:
            starts.add(folded.rfind("\n", 0, at) + 1)
            end = folded.find("\n", at)
            at = folded.find(word, end + 1) if end >= 0 else -1
    from coffeechat.core.notes import split_lines

    lines = split_lines(data.decode("utf-8", "replace").lstrip("\ufeff"))
    found, number, counted = [], 1, 0
    for start in sorted(starts):
        number += folded.count("\n", counted, start)
        counted = start
        found.append((number, lines[number - 1]))
    return found


def _file_bytes(path: str, size: int) -> bytes:
    """A file's bytes, read with plain system calls: the first asks for its size as the walk
    saw it and one byte more, and reading goes on to the end of the file whatever that was.
    `open(...).read()` builds two file objects per note, a third of what reading 41,000
    notes costs."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        parts = [os.read(fd, size + 1)]
        while parts[-1]:
            parts.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return b"".join(parts)


@cli.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of matches.")
@pass_app
def search(app: App, text: tuple[str, ...], as_json: bool) -> None:
    """Full-text search of every note (case and accents ignored).

    A note matches when it holds all the words; each line that holds one is shown.
    """
    from coffeechat.storage.scan import scan

    words = [_fold(w) for w in " ".join(text).split() if w.strip()]
    root = str(app.root)
    hits: list[dict[str, Any]] = []
    for path, stat in sorted(scan(app.root, app.settings)[0].items()):
        try:
            data = _file_bytes(os.path.join(root, path), stat.size)
        except OSError:
            continue
        hits += (
            {"path": path, "line": number, "text": line.strip()}
            for number, line in _matching_lines(data, words)
        )
    if as_json:
        print_json(hits)  # every file is searched, a broken note too: nothing is left out
        return
    if not hits:
        tell("No match.")
        click.get_current_context().exit(1)
    say(search_lines(hits))
