"""vCard files (2.1, 3.0, 4.0) read card by card with vobject.

vobject stops at the first bad card and loses the rest, so the file is split on
``BEGIN:VCARD``/``END:VCARD`` here and each card is decoded and parsed on its own: UTF-8, else
the card's ``CHARSET=``, else Windows-1252; quoted-printable (vCard 2.1) allowed. A card that
still fails is reported with its line and skipped; the others are read.
"""

from __future__ import annotations

import re
from typing import Any

from coffeechat.errors import UsageError
from coffeechat.transfer.records import Batch, Problem, Record, clean_text, tag_name, utf16_as_utf8

__all__ = ["parse"]

SOURCE = "vCard"
_BEGIN = re.compile(rb"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(rb"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
_CHARSET = re.compile(rb";\s*CHARSET\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_BINARY = re.compile(r"^(?:[\w-]+\.)?(PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)


def parse(data: bytes, what: str) -> Batch:
    """Read every card of a .vcf file; ``what`` names the file in messages."""
    data = utf16_as_utf8(data, what)
    if b"\x00" in data[:4096]:
        raise UsageError(f"{what} is a binary file, not a vCard file")
    batch = Batch(SOURCE)
    cards = list(_split(data, batch))
    if not cards and not batch.failed:
        raise UsageError(f"{what} is not a vCard file: it holds no BEGIN:VCARD")
    import vobject  # type: ignore[import-untyped]  # heavy; only when there are cards to read

    for line, raw in cards:
        text = _decode(raw)
        # vobject raises many kinds of exception; one bad card must not stop the rest
        try:
            card = _read(vobject, text)
        except Exception as exc:  # noqa: BLE001
            try:
                card = _read(vobject, _without_binary(text))
            except Exception:  # noqa: BLE001
                batch.failed.append(Problem(line, f"card could not be read: {_reason(exc, line)}"))
                continue
        try:
            batch.records.append(_record(card, line))
        except Exception as exc:  # noqa: BLE001 - a card vobject read, but oddly shaped
            batch.failed.append(Problem(line, f"card could not be read: {_reason(exc, line)}"))
    return batch


def _reason(exc: Exception, start: int) -> str:
    """vobject's message, its "At line N" (counted inside the card) made a file line."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    m = re.match(r"At line (\d+): (.*)", text)
    if m:
        text = f"line {start + int(m[1]) - 1}: {m[2]}"
    return text if len(text) <= 200 else text[:197] + "..."


def _split(data: bytes, batch: Batch) -> list[tuple[int, bytes]]:
    """(first line, bytes) of each BEGIN:VCARD ... END:VCARD; a card left open is a failure."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    cards: list[tuple[int, bytes]] = []
    start: int | None = None
    lines: list[bytes] = []
    for number, line in enumerate(data.split(b"\n"), 1):
        if _BEGIN.match(line):
            if start is not None:
                batch.failed.append(Problem(start, "card has no END:VCARD before the next card"))
            start, lines = number, [line]
        elif start is not None:
            lines.append(line)
            if _END.match(line):
                cards.append((start, b"\n".join(lines)))
                start, lines = None, []
    if start is not None:
        batch.failed.append(Problem(start, "card has no END:VCARD (the file ends inside it)"))
    return cards


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET.search(raw)
    if m:
        try:
            return raw.decode(m[1].decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return raw.decode("cp1252", errors="replace")


def _read(vobject: Any, text: str) -> Any:
    card = vobject.readOne(text, allowQP=True)
    if getattr(card, "name", "").upper() != "VCARD":
        raise ValueError(f"a {card.name} is not a vCard")
    return card


def _without_binary(text: str) -> str:
    """The card without photos, logos, sounds and keys (their base64 often breaks parsing)."""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        if skipping and line[:1] in (" ", "\t"):
            continue
        skipping = bool(_BINARY.match(line))
        if not skipping:
            out.append(line)
    return "\r\n".join(out) + "\r\n"


def _texts(value: Any) -> list[str]:
    """A property value as clean texts (vobject gives strings, lists, or structured names)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _texts(v)]
    text = clean_text(value)
    return [text] if text else []


def _lines(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name.lower(), []))


def _preferred(lines: list[Any]) -> list[Any]:
    def pref(line: Any) -> int:
        params = {k.upper(): [str(v).lower() for v in vs] for k, vs in line.params.items()}
        types = [t for v in params.get("TYPE", []) for t in v.split(",")]
        return 0 if "PREF" in params or "pref" in types else 1

    return sorted(lines, key=pref)  # stable: file order otherwise


def _record(card: Any, line: int) -> Record:
    labels = {
        ln.group.lower(): " ".join(_texts(ln.value)).lower()
        for ln in _lines(card, "X-ABLABEL")
        if ln.group
    }
    name = " ".join(t for ln in _lines(card, "FN")[:1] for t in _texts(ln.value))
    if not name:
        for ln in _lines(card, "N")[:1]:
            n = ln.value
            parts = (
                [
                    getattr(n, attr, "")
                    for attr in ("prefix", "given", "additional", "family", "suffix")
                ]
                if not isinstance(n, str)
                else [n]
            )
            name = clean_text(" ".join(t for p in parts for t in _texts(p)))
    nicknames = [
        t.strip()
        for ln in _lines(card, "NICKNAME")
        for v in _texts(ln.value)
        for t in v.split(",")
        if t.strip()
    ]
    if not name and nicknames:
        name = nicknames[0]
    emails = []
    for ln in _preferred(_lines(card, "EMAIL")):
        for text in _texts(ln.value):
            text = text.removeprefix("mailto:").strip()
            if "@" in text and text not in emails:
                emails.append(text)
    phones = []
    for ln in _preferred(_lines(card, "TEL")):
        for text in _texts(ln.value):
            text = text.removeprefix("tel:").strip()
            if text and text not in phones:
                phones.append(text)
    org = next((t for ln in _lines(card, "ORG") for t in _texts(ln.value)[:1]), "")
    title = next((t for ln in _lines(card, "TITLE") for t in _texts(ln.value)), "")
    linkedin = ""
    for prop in ("URL", "X-SOCIALPROFILE", "X-LINKEDIN"):
        for ln in _lines(card, prop):
            for text in _texts(ln.value):
                label = labels.get((ln.group or "").lower(), "")
                types = " ".join(str(v) for vs in ln.params.values() for v in vs).lower()
                if not linkedin and (
                    "linkedin.com/" in text.lower()
                    or "linkedin" in label
                    or (prop != "URL" and "linkedin" in types)
                ):
                    linkedin = text
    tags = []
    for ln in _lines(card, "CATEGORIES"):
        for text in _texts(ln.value):
            for part in text.split(","):
                tag = tag_name(part)
                if tag and tag not in tags:
                    tags.append(tag)
    return Record(
        line=line,
        name=name,
        emails=tuple(emails),
        phones=tuple(phones),
        company=org,
        role=title,
        linkedin=linkedin,
        aliases=tuple(n for n in nicknames if n != name),
        tags=tuple(tags),
    )
