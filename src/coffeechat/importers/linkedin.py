"""LinkedIn's Connections.csv (from "Get a copy of your data"), or the export zip holding it.

The file opens with a ``Notes:`` preamble, then the header
``First Name,Last Name,URL,Email Address,Company,Position,Connected On`` (older exports lack
some columns); e-mails are usually empty, dates read ``05 Mar 2024``, and cells may hold
quoted commas. The header is found by its cells, columns are mapped by name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

from coffeechat.errors import UsageError
from coffeechat.importers import Batch, Problem, Record, clean_text, decode_text

__all__ = ["parse", "parse_connected_on"]

SOURCE = "LinkedIn"
_HEADER_LINES = 20  # the header is looked for among this many first rows
_COLUMNS = {
    "first name": "first", "last name": "last", "url": "url", "profile url": "url",
    "email address": "email", "e-mail address": "email", "email": "email",
    "company": "company", "position": "position", "connected on": "connected",
}
_LINKEDIN_ONLY = {"url", "email", "company", "position", "connected"}
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DATE = re.compile(r"(\d{1,2})[ -]([A-Za-z]{3,9})\.?,?[ -](\d{4})")


def parse_connected_on(text: str) -> dt.date | None:
    """``05 Mar 2024`` (English month names, whatever the locale), or ``2024-03-05``."""
    text = text.strip()
    m = _DATE.fullmatch(text)
    if m:
        month = _MONTHS.get(m[2][:3].lower())
        if month is None or (len(m[2]) > 3 and not _full_month(m[2])):
            return None
        try:
            return dt.date(int(m[3]), month, int(m[1]))
        except ValueError:
            return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _full_month(word: str) -> bool:
    names = ["january", "february", "march", "april", "may", "june", "july", "august",
             "september", "sept", "october", "november", "december"]
    return word.lower() in names


def _connections_from_zip(data: bytes, what: str) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.filename.rsplit("/", 1)[-1].lower() == "connections.csv":
                    return archive.read(info), f"{what}:{info.filename}"
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise UsageError(f"{what} is a damaged zip file ({exc})") from None
    raise UsageError(f"{what} is a zip file without a Connections.csv"
                     " (LinkedIn sends it in the export's zip)")


def parse(data: bytes, what: str) -> Batch:
    """Read a Connections.csv (or the zip holding it); ``what`` names the file in messages."""
    if data.startswith(b"PK\x03\x04"):
        data, what = _connections_from_zip(data, what)
    text, warning = decode_text(data, what)
    batch = Batch(SOURCE, how_met="LinkedIn connection", tags=("linkedin",))
    if warning:
        batch.warnings.append(Problem(0, warning))
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] | None = None
    try:
        start = 1
        for row in reader:
            if columns is None:
                if reader.line_num > _HEADER_LINES:
                    break
                columns = _header(row)
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            record = _record(row, columns, line, batch)
            if record is not None:
                batch.records.append(record)
    except csv.Error as exc:
        raise UsageError(f"{what}:{reader.line_num}: not a readable CSV file ({exc})") from None
    if columns is None:
        raise UsageError(f"{what} is not a LinkedIn Connections.csv: no 'First Name,Last Name,"
                         "URL,...' header in its first lines")
    return batch


def _header(row: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for i, cell in enumerate(row):
        key = _COLUMNS.get(" ".join(cell.replace("\ufeff", "").split()).lower())
        if key is not None and key not in columns:
            columns[key] = i
    if {"first", "last"} <= columns.keys() and columns.keys() & _LINKEDIN_ONLY:
        return columns
    return None


def _record(row: list[str], columns: dict[str, int], line: int, batch: Batch) -> Record | None:
    def cell(key: str) -> str:
        i = columns.get(key)
        return clean_text(row[i]) if i is not None and i < len(row) else ""

    name = " ".join(part for part in (cell("first"), cell("last")) if part)
    added = None
    connected = cell("connected")
    if connected:
        added = parse_connected_on(connected)
        if added is None:
            batch.warnings.append(Problem(line, f"'Connected On' {connected!r} is not a date"
                                                " like 05 Mar 2024; left out"))
    email = cell("email")
    record = Record(
        line=line, name=name, emails=(email,) if "@" in email else (),
        company=cell("company"), role=cell("position"), linkedin=cell("url"), added=added,
    )
    return record
