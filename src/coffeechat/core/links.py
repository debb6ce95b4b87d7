"""Wiki-links (``[[path#heading|display]]``) and how Obsidian resolves them to notes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "Link",
    "LinkResolver",
    "Resolution",
    "fold",
    "link_text",
    "parse_link",
    "parse_link_list",
]

_WIKILINK = re.compile(r"!?\[\[([^\[\]]*?)\]\]")


def fold(text: str) -> str:
    """The key Obsidian matches names by: Unicode-composed (NFC) and case-folded."""
    if text.isascii():
        return text.lower()  # ASCII is already NFC, and casefold() is lower() on it
    # Compose again after folding: "ß" + U+0301 folds to "ss" + U+0301, which composes to "sś".
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


@dataclass(frozen=True, slots=True)
class Link:
    """A parsed link: ``target`` is the path or name, without ``.md``, heading or display."""

    target: str
    display: str | None = None
    heading: str | None = None
    raw: str = ""
    bare: bool = False  # a plain name with no [[ ]], or an unquoted [[link]] YAML read as a list
    nested: bool = False  # an unquoted [[link]] that YAML read as a list in a list

    @property
    def name(self) -> str:
        """What to call the person when the link does not resolve."""
        return self.display or self.target.rsplit("/", 1)[-1]


def parse_link(value: Any) -> Link | None:
    """``"[[Jane Doe|Jane]]"`` -> Link; a plain ``Jane Doe`` is taken as a bare name.

    An unquoted ``[[Jane Doe]]`` reaches us from YAML as ``[["Jane Doe"]]``; it is recovered
    and marked ``bare`` so `check` can ask for quotes.
    """
    if (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], list)
        and len(value[0]) == 1
        and isinstance(value[0][0], str)
    ):
        link = parse_link("[[" + value[0][0] + "]]")
        return Link(link.target, link.display, link.heading, link.raw, True, True) if link else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    m = _WIKILINK.search(text)
    if m is None:
        # A Markdown link [Jane](contacts/Jane%20Doe.md) or a plain name.
        md = re.fullmatch(r"\[([^\]]*)\]\(([^)]+)\)", text)
        if md:
            from urllib.parse import unquote

            return _split(unquote(md[2]), md[1] or None, text, bare=False)
        return _split(text, None, text, bare=True)
    inner = m[1]
    display = None
    if "|" in inner:
        inner, display = inner.split("|", 1)
        inner = inner.rstrip("\\")  # [[a\|b]] inside tables
        display = display.strip() or None
    return _split(inner, display, text, bare=False)


def link_text(text: str) -> str:
    """``text`` with each wiki-link as Obsidian shows it in reading view: its display text,
    else the name of the note it points to (``[[people/Jane Doe#Log|Jane]]`` -> ``Jane``)."""

    def shown(m: re.Match[str]) -> str:
        link = parse_link(m[0])
        return link.name.strip() if link is not None else ""

    return _WIKILINK.sub(shown, text)


def _split(inner: str, display: str | None, raw: str, bare: bool) -> Link | None:
    heading = None
    if "#" in inner:
        inner, heading = inner.split("#", 1)
    target = inner.strip().replace("\\", "/").lstrip("/").strip()  # [[/ Jane Doe]]: "Jane Doe"
    if target.lower().endswith(".md"):
        target = target[:-3].rstrip()
    if not target:
        return None  # [[#heading]] points into the same note
    return Link(target, display, heading or None, raw, bare)


def parse_link_list(value: Any) -> list[Link]:
    """A list property of links; also accepts one link written as a scalar."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        if (
            len(value) == 1
            and isinstance(value[0], list)
            and all(isinstance(x, str) for x in value[0])
        ):
            value = [value]  # `with: [[Jane]]` unquoted: YAML read a flow list in a flow list
        links = []
        for item in value:
            link = parse_link(item)  # a text, or [["Jane"]] from an unquoted `- [[Jane]]`
            if link is not None:
                links.append(link)
        return links
    link = parse_link(value)
    return [link] if link else []


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a link led: ``path`` is None when it led nowhere."""

    path: str | None
    how: str  # "path", "name", "alias", "missing", "ambiguous-alias"
    candidates: tuple[str, ...] = ()  # other notes sharing the name (Obsidian's tie-break chose)


class LinkResolver:
    """Resolves links over a set of note paths as Obsidian does, plus ``aliases:``.

    Order: the exact vault path; then among notes with that file name (case-insensitive,
    NFC), the one in the linking note's folder, then the shortest path. Aliases are a
    fallback Obsidian does not have.
    """

    def __init__(
        self, paths: Iterable[str], aliases: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self._by_path: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = {}
        for path in paths:
            stem = path[:-3] if path.lower().endswith(".md") else path
            key = fold(stem)
            self._by_path[key] = path
            self._by_name.setdefault(key.rsplit("/", 1)[-1], []).append(path)
        for same in self._by_name.values():
            same.sort(key=lambda p: (len(p), p))
        self._by_alias: dict[str, list[str]] = {}
        for path, names in (aliases or {}).items():
            for alias in names:
                self._by_alias.setdefault(fold(alias.strip()), []).append(path)

    def resolve(self, link: Link, source: str | None = None) -> Resolution:
        key = fold(link.target)
        exact = self._by_path.get(key)
        if exact is not None:
            return Resolution(exact, "path")
        name = key.rsplit("/", 1)[-1]
        candidates = self._by_name.get(name, [])
        if "/" in key:
            candidates = [p for p in candidates if fold(p[:-3]).endswith("/" + key)]
        if len(candidates) == 1:
            return Resolution(candidates[0], "name")
        if candidates:
            folder = source.rsplit("/", 1)[0] if source and "/" in source else ""
            local = [p for p in candidates if (p.rsplit("/", 1)[0] if "/" in p else "") == folder]
            chosen = local[0] if local else candidates[0]
            return Resolution(chosen, "name", tuple(p for p in candidates if p != chosen))
        if "/" not in key:
            owners = sorted(set(self._by_alias.get(name, [])))
            if len(owners) == 1:
                return Resolution(owners[0], "alias")
            if owners:
                return Resolution(None, "ambiguous-alias", tuple(owners))
        return Resolution(None, "missing")
