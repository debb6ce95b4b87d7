"""What a subject's items were computed from, recorded while the rules run.

The agenda keeps each subject's items (`coffeechat.core.agenda`) and must know when to compute
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

from coffeechat.config import Settings
from coffeechat.core.model import Company, Contact, Meeting, Touch
from coffeechat.core.vault import Vault, last_of, touches_of

__all__ = ["NEVER", "Day", "Reads", "RecordingVault", "Window", "met_key", "name_key",
           "note_key", "referred_key"]

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
    """What one evaluation read: the keys of its lookups, and the days (as ordinals) from
    which a comparison with today it made would turn out otherwise."""

    def __init__(self, today: dt.date) -> None:
        self.keys: set[str] = set()
        self.flips: set[int] = set()
        self.ordinal = today.toordinal()
        self.today = Day(today, self)

    def window(self) -> Window:
        """The days around today over which every comparison made turns out the same."""
        t = self.ordinal
        return (max((f for f in self.flips if f <= t), default=0),
                min((f for f in self.flips if f > t), default=NEVER))


class Day(dt.date):
    """Today, noting in its `Reads` each date it is compared with. Any other use (arithmetic,
    its year, a hash) pins the window to today alone: correct, if never reused."""

    __slots__ = ("_reads",)
    _reads: Reads

    def __new__(cls, day: dt.date, reads: Reads) -> Day:
        self = super().__new__(cls, day.year, day.month, day.day)
        self._reads = reads
        return self

    def _plain(self) -> dt.date:
        return dt.date.fromordinal(self._reads.ordinal)

    def _flip(self, other: object, *offsets: int) -> bool:
        if not isinstance(other, dt.date) or isinstance(other, dt.datetime):
            return False
        day = dt.date.toordinal(other)
        self._reads.flips.update(day + o for o in offsets)
        return True

    def _pin(self) -> None:
        self._reads.flips.update((self._reads.ordinal, self._reads.ordinal + 1))

    # today < d and today >= d change at d; today <= d and today > d at d + 1.
    def __lt__(self, other: object) -> bool:
        return dt.date.__lt__(self, other) if self._flip(other, 0) else NotImplemented  # type: ignore[operator]

    def __ge__(self, other: object) -> bool:
        return dt.date.__ge__(self, other) if self._flip(other, 0) else NotImplemented  # type: ignore[operator]

    def __le__(self, other: object) -> bool:
        return dt.date.__le__(self, other) if self._flip(other, 1) else NotImplemented  # type: ignore[operator]

    def __gt__(self, other: object) -> bool:
        return dt.date.__gt__(self, other) if self._flip(other, 1) else NotImplemented  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return dt.date.__eq__(self, other) if self._flip(other, 0, 1) else NotImplemented  # type: ignore[no-any-return]

    def __ne__(self, other: object) -> bool:
        return dt.date.__ne__(self, other) if self._flip(other, 0, 1) else NotImplemented  # type: ignore[no-any-return]

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
for _name in ("toordinal", "isoformat", "strftime", "weekday", "isoweekday", "isocalendar",
              "timetuple", "ctime", "replace", "__str__", "__format__"):
    setattr(Day, _name, _pinning(_name))
for _name in ("year", "month", "day"):
    setattr(Day, _name, _pinned(_name))


class _Noted(Mapping[str, _V]):
    """A map of the vault by path that notes each path looked up; it may not be walked (a
    rule over one subject has no business reading every note)."""

    __slots__ = ("_data", "_keys")

    def __init__(self, data: Mapping[str, _V], keys: set[str]) -> None:
        self._data = data
        self._keys = keys

    def __getitem__(self, path: str) -> _V:
        self._keys.add(note_key(path))
        return self._data[path]

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        self._keys.add(note_key(path))
        return path in self._data

    def get(self, path: str, default: Any = None) -> Any:
        self._keys.add(note_key(path))
        return self._data.get(path, default)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a rule over one subject may not walk every note")

    def __len__(self) -> int:
        raise TypeError("a rule over one subject may not count every note")


class RecordingVault:
    """A `coffeechat.core.vault.VaultView` of ``vault`` noting every lookup in ``reads``."""

    def __init__(self, vault: Vault, reads: Reads) -> None:
        self._vault = vault
        self._keys = reads.keys
        self.settings: Settings = vault.settings
        self.contacts: Mapping[str, Contact] = _Noted(vault.contacts, reads.keys)
        self.meetings: Mapping[str, Meeting] = _Noted(vault.meetings, reads.keys)
        self.companies: Mapping[str, Company] = _Noted(vault.companies, reads.keys)
        self._touches: dict[str, list[Touch]] = {}

    def meetings_with(self, contact_path: str) -> list[Meeting]:
        self._keys.add(met_key(contact_path))
        return self._vault.meetings_with(contact_path)

    def contacts_referred_by(self, contact_path: str) -> list[str]:
        self._keys.add(referred_key(contact_path))
        return self._vault.contacts_referred_by(contact_path)

    def meetings_referring(self, key: str) -> list[Meeting]:
        self._keys.add(name_key(key))
        return self._vault.meetings_referring(key)

    def contacts_named(self, key: str) -> list[Contact]:
        self._keys.add(name_key(key))
        return self._vault.contacts_named(key)

    def touches(self, contact_path: str, today: dt.date) -> list[Touch]:
        # (Computed afresh, not taken from the vault's cache: the comparisons with today
        # must be noted. One view serves one subject and one day.)
        got = self._touches.get(contact_path)
        if got is None:
            got = self._touches[contact_path] = touches_of(
                self.contacts.get(contact_path), self.meetings_with(contact_path), today)
        return got

    def last_interaction(self, contact_path: str, today: dt.date) -> dt.date | None:
        return last_of(self.touches(contact_path, today), today)
