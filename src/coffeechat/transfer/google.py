"""Google Contacts' CSV export ("Google CSV"), in both header generations.

Older: ``Name,Given Name,Additional Name,Family Name,...,Group Membership,E-mail 1 - Type,
E-mail 1 - Value,...,Organization 1 - Name,Organization 1 - Title``. Current: ``First Name,
Middle Name,Last Name,...,Organization Name,Organization Title,...,Labels,E-mail 1 - Label,
E-mail 1 - Value``. Several values in one cell are joined by `` ::: ``; labels starting with
``*`` (``* myContacts``, ``* starred``) are Google's own groups and are dropped.
"""

from __future__ import annotations

import csv
import io
import re

from coffeechat.errors import UsageError
from coffeechat.transfer.records import Batch, Problem, Record, clean_text, decode_text, tag_name

__all__ = ["parse"]

SOURCE = "Google Contacts"
_MULTI = re.compile(r"^(E-mail|Phone|Website) (\d+) - (Value|Type|Label)$", re.IGNORECASE)


def _split(cell: str) -> list[str]:
    return [v for v in (clean_text(part) for part in cell.split(" ::: ")) if v]


def parse(data: bytes, what: str) -> Batch:
    """Read a Google Contacts CSV; ``what`` names the file in messages."""
    text, warning = decode_text(data, what)
    batch = Batch(SOURCE)
    if warning:
        batch.warnings.append(Problem(0, warning))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        columns = _columns(header or [])
        if columns is None:
            raise UsageError(
                f"{what} is not a Google Contacts CSV: its first line is not Google's"
                " header (First Name or Given Name, E-mail 1 - Value, ...)"
            )
        start = reader.line_num + 1
        for row in reader:
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in row):
                batch.records.append(_record(row, columns, line))
    except csv.Error as exc:
        raise UsageError(f"{what}:{reader.line_num}: not a readable CSV file ({exc})") from None
    return batch


class _Columns:
    def __init__(self, names: dict[str, int], multi: dict[str, list[int]]) -> None:
        self.names = names  # lower-cased header -> index
        self.multi = multi  # "e-mail" / "phone" / "website" -> value column indexes, in order


def _columns(header: list[str]) -> _Columns | None:
    names: dict[str, int] = {}
    numbered: dict[str, list[tuple[int, int]]] = {}
    for i, cell in enumerate(header):
        label = " ".join(cell.replace("\ufeff", "").split())
        names.setdefault(label.lower(), i)
        m = _MULTI.match(label)
        if m and m[3].lower() == "value":
            numbered.setdefault(m[1].lower(), []).append((int(m[2]), i))
    older = {"given name", "family name"} <= names.keys()
    current = {"first name", "last name"} <= names.keys() and (
        bool(numbered) or "organization name" in names or "labels" in names
    )
    if not (older or current):
        return None
    return _Columns(names, {k: [i for _, i in sorted(v)] for k, v in numbered.items()})


def _record(row: list[str], columns: _Columns, line: int) -> Record:
    def cell(*labels: str) -> str:
        for label in labels:
            i = columns.names.get(label)
            if i is not None and i < len(row) and row[i].strip():
                return row[i]
        return ""

    def values(kind: str) -> list[str]:
        out: list[str] = []
        for i in columns.multi.get(kind, []):
            if i < len(row):
                out += [v for v in _split(row[i]) if v not in out]
        return out

    name = clean_text(cell("name"))
    if not name:
        parts = [
            cell("first name", "given name"),
            cell("middle name", "additional name"),
            cell("last name", "family name"),
            cell("name suffix"),
        ]
        name = clean_text(" ".join(p for p in parts if p.strip()))
    nicknames = _split(cell("nickname"))
    if not name:
        name = (nicknames[0] if nicknames else "") or clean_text(cell("file as"))
    companies = _split(cell("organization name", "organization 1 - name"))
    titles = _split(cell("organization title", "organization 1 - title"))
    labels = _split(cell("labels", "group membership"))
    tags = []
    for label in labels:
        tag = tag_name(label) if not label.startswith("*") else ""
        if tag and tag not in tags:
            tags.append(tag)
    websites = values("website")
    linkedin = next((w for w in websites if "linkedin.com/" in w.lower()), "")
    return Record(
        line=line,
        name=name,
        emails=tuple(e for e in values("e-mail") if "@" in e),
        phones=tuple(values("phone")),
        company=companies[0] if companies else "",
        role=titles[0] if titles else "",
        linkedin=linkedin,
        aliases=tuple(n for n in nicknames if n != name),
        tags=tuple(tags),
    )
