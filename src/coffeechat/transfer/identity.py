"""Who is who: the keys by which an imported person or company is the same as a note's.

Pure: names, e-mails and LinkedIn URLs in, comparable keys out, and `People`, the index of the
vault's contacts by those keys that an import matches its records against (the order of the
match is `transfer.match`'s docstring).
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse
from collections.abc import Iterable
from functools import lru_cache

from coffeechat.core.links import fold
from coffeechat.transfer.records import Record

__all__ = ["People", "company_key", "linkedin_key", "person_key", "split_emails"]


def linkedin_key(url: str) -> str:
    """A LinkedIn profile URL as one comparable key: no scheme, ``www.`` or country
    sub-domain, query, fragment, trailing slash, percent-escapes or case."""
    url = urllib.parse.unquote(url.strip()).lower().split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return re.sub(r"^(https?://)?(www\.|[a-z]{2}\.)?", "", url)


@lru_cache(maxsize=1 << 16)
def person_key(name: str) -> str:
    """A name as it is compared: case, accents and spacing ignored (José ≈ JOSE)."""
    text = unicodedata.normalize("NFKD", fold(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


#: Legal forms left off a company's name when names are compared (Acme, Inc. ≈ ACME GmbH).
LEGAL_SUFFIXES = frozenset(
    {
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "llc",
        "llp",
        "lp",
        "ltd",
        "limited",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "mbh",
        "ug",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "ab",
        "oy",
        "as",
        "asa",
        "aps",
        "pty",
        "pte",
        "kk",
        "sl",
    }
)


@lru_cache(maxsize=1 << 14)
def company_key(name: str) -> str:
    """A company name as it is compared: like `person_key`, punctuation ignored too, and the
    legal form at its end (``Acme``, ``Acme, Inc.``, ``ACME Inc``, ``Acme GmbH`` are one
    company). A name that is nothing but legal forms stays as it is."""
    words = re.sub(r"[\W_]+", " ", person_key(name.replace(".", ""))).split()
    end = len(words)
    while end > 1 and words[end - 1] in LEGAL_SUFFIXES:
        end -= 1
    return " ".join(words[:end])


class People:
    """Who is already in the vault, by e-mail, LinkedIn URL and (name, company)."""

    def __init__(self) -> None:
        self.by_email: dict[str, str] = {}
        self.by_linkedin: dict[str, str] = {}
        self.by_name: dict[tuple[str, str], list[str]] = {}
        self.linkedin_of: dict[str, str] = {}
        self.broken: dict[str, str] = {}  # person key of a broken contact note's file name -> path

    def add(
        self,
        path: str,
        names: Iterable[str],
        emails: Iterable[str],
        linkedin: str,
        companies: Iterable[str],
    ) -> None:
        for email in emails:
            self.by_email.setdefault(email.strip().lower(), path)
        if linkedin.strip():
            key = linkedin_key(linkedin)
            self.by_linkedin.setdefault(key, path)
            self.linkedin_of.setdefault(path, key)
        company_keys = {company_key(c) for c in companies} or {""}
        for name in names:
            for company in company_keys:
                paths = self.by_name.setdefault((person_key(name), company), [])
                if path not in paths:
                    paths.append(path)

    def find(self, record: Record) -> str | None:
        for email in record.emails:
            path = self.by_email.get(email.strip().lower())
            if path is not None:
                return path
        own = linkedin_key(record.linkedin) if record.linkedin.strip() else ""
        if own and own in self.by_linkedin:
            return self.by_linkedin[own]
        for path in self.by_name.get((person_key(record.name), company_key(record.company)), []):
            theirs = self.linkedin_of.get(path, "")
            if not (own and theirs and own != theirs):
                return path
        return None


def split_emails(text: str) -> list[str]:
    """The addresses in an ``email:`` value (several may be separated by commas or spaces)."""
    return [e for e in re.split(r"[\s,;]+", text) if "@" in e]
