"""Vault discovery and coffeechat.toml: every setting with its default, in one table."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coffeechat.core.dates import Cadence, parse_cadence
from coffeechat.errors import ConfigError, VaultNotFound

__all__ = ["CONFIG_NAME", "Landed", "Settings", "find_vault", "load_settings", "parse_settings"]

CONFIG_NAME = "coffeechat.toml"


@dataclass(frozen=True, slots=True)
class Landed:
    """The job you landed: set in [landed], it triggers the `landed` rule."""

    date: dt.date
    company: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. The rules read windows (in days) from here, never constants."""

    # [vault]
    timezone: str = "UTC"
    contacts_folder: str = "contacts"
    companies_folder: str = "companies"
    meetings_folder: str = "meetings"
    templates_folder: str = "templates"
    ignore: tuple[str, ...] = ()
    # [rules]
    follow_up_approach: int = 5
    max_attempts: int = 3
    prepare: int = 1
    thank_you: int = 1
    reach_referral: int = 7
    report_back: int = 7
    cadence: Cadence = field(default_factory=lambda: Cadence(365, "d"))
    give_up_after: int = 90
    field_limit: int = 5
    # [landed]
    landed: Landed | None = None

    @property
    def tz(self) -> dt.tzinfo:
        return _zone(self.timezone)


def _zone(name: str) -> dt.tzinfo:
    if name.upper() == "UTC":
        return dt.timezone.utc
    return ZoneInfo(name)


# section -> {toml key: (Settings attribute, converter)}
def _int(minimum: int) -> Any:
    def convert(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"must be a whole number ≥ {minimum}")
        return value
    return convert


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip().strip("/")


def _timezone(value: Any) -> str:
    name = _str(value)
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)") from None
    return name


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of texts")
    return tuple(v.strip().strip("/") for v in value if v.strip())


def _cadence(value: Any) -> Cadence:
    return parse_cadence(value)


_TABLE: dict[str, dict[str, tuple[str, Any]]] = {
    "vault": {
        "timezone": ("timezone", _timezone),
        "contacts": ("contacts_folder", _str),
        "companies": ("companies_folder", _str),
        "meetings": ("meetings_folder", _str),
        "templates": ("templates_folder", _str),
        "ignore": ("ignore", _str_list),
    },
    "rules": {
        "follow_up_approach": ("follow_up_approach", _int(0)),
        "max_attempts": ("max_attempts", _int(1)),
        "prepare": ("prepare", _int(0)),
        "thank_you": ("thank_you", _int(0)),
        "reach_referral": ("reach_referral", _int(0)),
        "report_back": ("report_back", _int(0)),
        "cadence": ("cadence", _cadence),
        "give_up_after": ("give_up_after", _int(0)),
        "field_limit": ("field_limit", _int(1)),
    },
}
# Sections other issues' commands own; accepted here so a vault set up for them still loads.
_OTHER_SECTIONS = {"feed", "serve", "watch", "caldav", "prep", "draft", "pitch", "import", "export"}


def parse_settings(text: str, path: str = CONFIG_NAME) -> tuple[Settings, list[str]]:
    """Settings from the text of coffeechat.toml; also returns warnings (unknown keys)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, int(m[1]) if m else None, f"not valid TOML: {message}") from None
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for section, values in data.items():
        if section == "landed":
            changes["landed"] = _landed(values, path, text)
            continue
        table = _TABLE.get(section)
        if table is None:
            if section not in _OTHER_SECTIONS:
                warnings.append(f"{path}: unknown section [{section}] is ignored")
            continue
        if not isinstance(values, dict):
            raise ConfigError(path, _line_of(text, section), f"{section} must be a [{section}] table")
        for key, value in values.items():
            if key not in table:
                warnings.append(f"{path}:{_line_of(text, key) or '?'}: unknown setting {section}.{key} is ignored")
                continue
            attr, convert = table[key]
            try:
                changes[attr] = convert(value)
            except ValueError as exc:
                raise ConfigError(path, _line_of(text, key), f"{section}.{key} {exc}") from None
    return replace(Settings(), **changes), warnings


def _landed(values: Any, path: str, text: str) -> Landed:
    if not isinstance(values, dict):
        raise ConfigError(path, _line_of(text, "landed"), "landed must be a [landed] table")
    date = values.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if isinstance(date, dt.datetime):
        date = date.date()
    if not isinstance(date, dt.date):
        raise ConfigError(path, _line_of(text, "date"), "landed.date must be a date (YYYY-MM-DD)")
    return Landed(date, str(values.get("company", "")), str(values.get("role", "")))


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith(key) and stripped[len(key):].lstrip().startswith("=") \
                or stripped == f"[{key}]":
            return number
    return None


def load_settings(vault: Path) -> tuple[Settings, list[str]]:
    """Read ``vault/coffeechat.toml``; defaults when the file is absent."""
    path = vault / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(), []
    except OSError as exc:
        raise ConfigError(CONFIG_NAME, None, f"cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(CONFIG_NAME, None, "is not UTF-8") from None
    return parse_settings(text, CONFIG_NAME)


def find_vault(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """``--vault``/``COFFEECHAT_VAULT`` when given, else the nearest folder holding coffeechat.toml."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise VaultNotFound(f"vault {str(explicit)!r} is not a folder")
        return path.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise VaultNotFound(
        f"no {CONFIG_NAME} in {here} or any folder above it: run `coffeechat init`, "
        "or pass --vault PATH (or set COFFEECHAT_VAULT)")


def setting_names() -> list[str]:
    """``section.key`` for every known setting (for docs and tests)."""
    return [f"{section}.{key}" for section, table in _TABLE.items() for key in table]

