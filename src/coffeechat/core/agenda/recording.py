"""What a subject's items were computed from, recorded while the rules run.

The agenda keeps each subject's items (`coffeechat.core.agenda.agenda`) and must know when to compute
them again. Rather than keep a copy of what each rule reads, it runs the rules for one subject
over a `RecordingVault`, a view of the vault that notes every lookup as a *key*, with a `Day`
for today that notes every date it is compared with:

* ``n:PATH``: the note at PATH (whether it is a contact, meeting or company, and what it says);
* ``w:PATH``: the meetings with the contact at PATH, and what they say;
* ``r:PATH``: the contacts the contact at PATH referred;
* ``k:NAME``: the meetings that referred the folded name NAME, the contacts of that file name,
  and what they say.

A change to the vault then recomputes the subjects that read one of the keys it touches
(`touched_keys`), and a new day the subjects whose window of days it leaves: the rules see
today only through comparisons, so a subject's items hold from the last day one of them
would have turned out otherwise up to the next (`Reads.window`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn, TypeVar

from coffeechat.core.model import Company, Contact, Meeting, Touch
from coffeechat.core.settings import Settings
from coffeechat.core.vault.vault import Vault, last_of, touches_of

__all__ = [
    "NEVER",
    "Day",
    "Reads",
    "RecordingVault",
    "Window",
    "met_key",
    "name_key",
    "note_key",
    "referred_key",
]

#: A window that never ends (day ordinals run to 3,652,059).
NEVER = 10**7
#: A subject's window: the days (as ordinals, ``lo <= day < hi``) its items hold for.
Window = tuple[int, int]
_V = TypeVar("_V")


def note_key(path: str) -> str:
    return "n:" + path


def met_key(contact: str) -> str:
    return "w:" + contact


def referred_key(contact: str) -> str:
    return "r:" + contact


def name_key(key: str) -> str:
    return "k:" + key


class Reads:
    """What one evaluation read: the paths, contacts and names of its lookups (see `keys`),
    and the days (as ordinals) from which a comparison with today it made would turn out
    otherwise."""

    __slots__ = ("flips", "met", "names", "notes", "ordinal", "referred")

    def __init__(self, today: dt.date) -> None:
        self.notes: set[str] = set()
        self.met: set[str] = set()
        self.referred: set[str] = set()
        self.names: set[str] = set()
        self.flips: set[int] = set()
        self.ordinal = today.toordinal()

    def keys(self) -> set[str]:
        """The keys read, as `touched_keys` names what a change touches."""
        out = {note_key(p) for p in self.notes}
        out.update(met_key(p) for p in self.met)
        out.update(referred_key(p) for p in self.referred)
        out.update(name_key(k) for k in self.names)
        return out

    def window(self) -> Window:
        """The days around today over which every comparison made turns out the same."""
        t = self.ordinal
        return (
            max((f for f in self.flips if f <= t), default=0),
            min((f for f in self.flips if f > t), default=NEVER),
        )


_ordinal = dt.date.toordinal


def _plain_date(other: object) -> bool:
    return type(other) is dt.date or (
        isinstance(other, dt.date) and not isinstance(other, dt.datetime)
    )


class Day(dt.date):
    """Today, noting in its `Reads` each date it is compared with. Any other use (arithmetic,
    its year, a hash) pins the window to today alone: correct, if never reused."""

    __slots__ = ("_flips", "_ord")
    _flips: set[int]
    _ord: int

    def __new__(cls, day: dt.date, reads: Reads) -> Day:
        self = super().__new__(cls, day.year, day.month, day.day)
        self._flips = reads.flips
        self._ord = reads.ordinal
        return self

    def _plain(self) -> dt.date:
        return dt.date.fromordinal(self._ord)

    def _pin(self) -> None:
        self._flips.update((self._ord, self._ord + 1))

    # today < d and today >= d change at d; today <= d and today > d at d + 1.
    def __lt__(self, other: object) -> bool:
        if not _plain_date(other):
            return NotImplemented
        o = _ordinal(other)  # type: ignore[arg-type]
        self._flips.add(o)
        return self._ord < o

    def __ge__(self, other: object) -> bool:
        if not _plain_date(other):
            return NotImplemented
        o = _ordinal(other)  # type: ignore[arg-type]
        self._flips.add(o)
        return self._ord >= o

    def __le__(self, other: object) -> bool:
        if not _plain_date(other):
            return NotImplemented
        o = _ordinal(other)  # type: ignore[arg-type]
        self._flips.add(o + 1)
        return self._ord <= o

    def __gt__(self, other: object) -> bool:
        if not _plain_date(other):
            return NotImplemented
        o = _ordinal(other)  # type: ignore[arg-type]
        self._flips.add(o + 1)
        return self._ord > o

    def __eq__(self, other: object) -> bool:
        if not _plain_date(other):
            return NotImplemented
        o = _ordinal(other)  # type: ignore[arg-type]
        self._flips.update((o, o + 1))
        return self._ord == o

    def __ne__(self, other: object) -> bool:
        if not _plain_date(other):
            return NotImplemented
        o = _ordinal(other)  # type: ignore[arg-type]
        self._flips.update((o, o + 1))
        return self._ord != o

    def __hash__(self) -> int:
        self._pin()
        return hash(self._plain())

    def __add__(self, other: Any) -> Any:
        self._pin()
        return self._plain() + other

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        self._pin()
        return self._plain() - other

    def __rsub__(self, other: Any) -> Any:
        self._pin()
        return other - self._plain()

    def __reduce__(self) -> NoReturn:
        raise TypeError("a recording day is not kept")


def _pinning(name: str) -> Any:
    def method(self: Day, *args: Any, **kwargs: Any) -> Any:
        self._pin()
        return getattr(self._plain(), name)(*args, **kwargs)

    return method


def _pinned(name: str) -> property:
    def get(self: Day) -> Any:
        self._pin()
        return getattr(self._plain(), name)

    return property(get)


# What a `Day` tells only by pinning the window to today.
for _name in (
    "toordinal",
    "isoformat",
    "strftime",
    "weekday",
    "isoweekday",
    "isocalendar",
    "timetuple",
    "ctime",
    "replace",
    "__str__",
    "__format__",
):
    setattr(Day, _name, _pinning(_name))
for _name in ("year", "month", "day"):
    setattr(Day, _name, _pinned(_name))


class _Noted(Mapping[str, _V]):
    """A map of the vault by path that notes each path looked up (in ``seen``); it may not be
    walked (a rule over one subject has no business reading every note)."""

    __slots__ = ("_data", "seen")

    def __init__(self, data: Mapping[str, _V]) -> None:
        self._data = data
        self.seen: set[str] = set()

    def __getitem__(self, path: str) -> _V:
        self.seen.add(path)
        return self._data[path]

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        self.seen.add(path)
        return path in self._data

    def get(self, path: str, default: Any = None) -> Any:
        self.seen.add(path)
        return self._data.get(path, default)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a rule over one subject may not walk every note")

    def __len__(self) -> int:
        raise TypeError("a rule over one subject may not count every note")


class RecordingVault:
    """A `coffeechat.core.vault.vault.VaultView` of ``vault`` noting every lookup in the `Reads`
    of the evaluation under way (`record`): one view serves one subject at a time."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self.settings: Settings = vault.settings
        self._contacts = _Noted(vault.contacts)
        self._meetings = _Noted(vault.meetings)
        self._companies = _Noted(vault.companies)
        self.contacts: Mapping[str, Contact] = self._contacts
        self.meetings: Mapping[str, Meeting] = self._meetings
        self.companies: Mapping[str, Company] = self._companies
        self.reads = Reads(dt.date.min)
        self._touches: dict[str, list[Touch]] = {}

    def record(self, today: dt.date) -> Day:
        """Start noting what the rules read into a fresh `Reads`; returns today, as the rules
        must see it (a `Day`)."""
        reads = self.reads = Reads(today)
        self._contacts.seen = self._meetings.seen = self._companies.seen = reads.notes
        self._touches = {}
        return Day(today, reads)

    def meetings_with(self, contact_path: str) -> list[Meeting]:
        self.reads.met.add(contact_path)
        return self._vault.meetings_with(contact_path)

    def contacts_referred_by(self, contact_path: str) -> list[str]:
        self.reads.referred.add(contact_path)
        return self._vault.contacts_referred_by(contact_path)

    def meetings_referring(self, key: str) -> list[Meeting]:
        self.reads.names.add(key)
        return self._vault.meetings_referring(key)

    def contacts_named(self, key: str) -> list[Contact]:
        self.reads.names.add(key)
        return self._vault.contacts_named(key)

    def touches(self, contact_path: str, today: dt.date) -> list[Touch]:
        # (Computed afresh, not taken from the vault's cache: the comparisons with today
        # must be noted. The cache here lasts one subject.)
        got = self._touches.get(contact_path)
        if got is None:
            got = self._touches[contact_path] = touches_of(
                self.contacts.get(contact_path), self.meetings_with(contact_path), today
            )
        return got

    def last_interaction(self, contact_path: str, today: dt.date) -> dt.date | None:
        return last_of(self.touches(contact_path, today), today)
