"""LinkedIn's Connections.csv (from "Get a copy of your data"), or the export zip holding it.

The file opens with a ``Notes:`` preamble, then the header
``First Name,Last Name,URL,Email Address,Company,Position,Connected On`` (older exports lack
some columns); e-mails are usually empty, dates read ``05 Mar 2024``, and cells may hold
quoted commas. The header is found by its cells, columns are mapped by name.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from typing import Any

from coffeechat.errors import UsageError
from coffeechat.transfer.records import Batch, Problem, Record, clean_text, decode_text

__all__ = ["parse", "parse_connected_on"]

SOURCE = "LinkedIn"
_HEADER_LINES = 20  # the header is looked for among this many first rows
_COLUMNS = {
    "first name": "first",
    "last name": "last",
    "url": "url",
    "profile url": "url",
    "email address": "email",
    "e-mail address": "email",
    "email": "email",
    "company": "company",
    "position": "position",
    "connected on": "connected",
}
_LINKEDIN_ONLY = {"url", "email", "company", "position", "connected"}
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
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
    names = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "sept",
        "october",
        "november",
        "december",
    ]
    return word.lower() in names


#: The most a Connections.csv may hold once unzipped. 30,000 connections are about 5 MB; a zip
#: of a few hundred KB can unpack to gigabytes, and is refused before any of it is read.
MAX_CSV_BYTES = 64 * 1024 * 1024


def _connections_in_zip(archive: zipfile.ZipFile, what: str) -> zipfile.ZipInfo:
    for info in archive.infolist():
        if info.filename.rsplit("/", 1)[-1].lower() == "connections.csv":
            if info.file_size > MAX_CSV_BYTES:
                raise UsageError(
                    f"{what}:{info.filename} unpacks to {info.file_size / 1e6:,.0f} MB,"
                    f" more than a Connections.csv can be ({MAX_CSV_BYTES >> 20} MB);"
                    " nothing was read"
                )
            return info
    raise UsageError(
        f"{what} is a zip file without a Connections.csv (LinkedIn sends it in the export's zip)"
    )


def _zip_encoding(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> str:
    """UTF-8 when every byte of the member is (checked as it streams, nothing kept), else
    Windows-1252, as `decode_text` decides for a file given whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with archive.open(info) as stream:
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def parse(data: bytes, what: str) -> Batch:
    """Read a Connections.csv (or the zip holding it); ``what`` names the file in messages.
    The CSV in a zip is read as it unpacks (the zip's size says nothing of what it holds)."""
    batch = Batch(SOURCE, how_met="LinkedIn connection", tags=("linkedin",))
    if not data.startswith(b"PK\x03\x04"):
        text, warning = decode_text(data, what)
        if warning:
            batch.warnings.append(Problem(0, warning))
        _read_rows(csv.reader(io.StringIO(text, newline="")), what, batch)
        return batch
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = _connections_in_zip(archive, what)
            what = f"{what}:{info.filename}"
            head = archive.open(info).read(4096)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                encoding = "utf-16"
            elif b"\x00" in head:
                raise UsageError(f"{what} is a binary file, not text")
            else:
                encoding = _zip_encoding(archive, info)
            if encoding == "cp1252":
                batch.warnings.append(
                    Problem(0, f"{what} is not UTF-8; read as Windows-1252 — check accented names")
                )
            with (
                archive.open(info) as raw,
                io.TextIOWrapper(raw, encoding, errors="replace", newline="") as stream,
            ):
                _read_rows(csv.reader(stream), what, batch)
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
        raise UsageError(f"{what} is a damaged zip file ({exc})") from None
    return batch


def _read_rows(reader: Any, what: str, batch: Batch) -> None:
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
        raise UsageError(
            f"{what} is not a LinkedIn Connections.csv: no 'First Name,Last Name,"
            "URL,...' header in its first lines"
        )


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
    connected_on = None
    connected = cell("connected")
    if connected:
        connected_on = parse_connected_on(connected)
        if connected_on is None:
            batch.warnings.append(
                Problem(
                    line, f"'Connected On' {connected!r} is not a date like 05 Mar 2024; left out"
                )
            )
    email = cell("email")
    return Record(
        line=line,
        name=name,
        emails=(email,) if "@" in email else (),
        company=cell("company"),
        role=cell("position"),
        linkedin=cell("url"),
        connected_on=connected_on,
    )
