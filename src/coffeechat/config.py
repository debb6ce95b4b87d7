"""Vault discovery, and reading coffeechat.toml and the per-user config file into `Settings`
(`coffeechat.core.settings` says what each setting is; this module says which file may set it)."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from coffeechat.core.settings import OTHER_SECTIONS, TABLE, Landed, Settings
from coffeechat.errors import ConfigError, VaultNotFound

__all__ = [
    "CONFIG_NAME",
    "MACHINE_LOCAL",
    "find_vault",
    "load_settings",
    "parse_settings",
    "user_config_path",
]

CONFIG_NAME = "coffeechat.toml"


#: Settings that belong to this computer, never to the vault: the vault syncs, arrives as a zip
#: or a clone, and others can write it, so its coffeechat.toml must not run a command, pick a
#: secret, open the server to the network or write outside the vault. These live in the per-user
#: file (`user_config_path`), under the vault's own table, or on the command line.
MACHINE_LOCAL = {
    "caldav.password_command": "a file that syncs must not run commands on this computer",
    "caldav.keyring": "a file that syncs must not choose which secret is read",
    "serve.host": "a file that syncs must not open the server to the network",
    "feed.path": "a file that syncs must not write outside the vault",
    "mail.password_command": "a file that syncs must not run commands on this computer",
    "mail.keyring": "a file that syncs must not choose which secret is read",
    "mail.maildir": "a file that syncs must not choose which of your mail is read into the notes",
}
USER_CONFIG_NAME = "config.toml"


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/coffeechat/config.toml`` (default ``~/.config/coffeechat/config.toml``)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    folder = Path(base) if base and Path(base).is_absolute() else Path.home() / ".config"
    return folder / "coffeechat" / USER_CONFIG_NAME


def _shown(path: Path) -> str:
    """A path as a user would type it (``~/...`` under the home folder)."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def _toml_key(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _outside(value: str) -> bool:
    """A feed path that leads out of the vault (absolute, ``~``, or through ``..``)."""
    path = Path(value)
    return (
        value.startswith("~")
        or path.is_absolute()
        or ".." in path.parts
        or bool(re.match(r"[A-Za-z]:", value))
    )


def _parse_toml(text: str, path: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise ConfigError(path, int(m[1]) if m else None, f"not valid TOML: {message}") from None


def parse_settings(
    text: str, path: str = CONFIG_NAME, *, vault: Path | None = None
) -> tuple[Settings, list[str]]:
    """Settings from the text of a vault's coffeechat.toml; also returns warnings (unknown
    keys). A machine-local setting (`MACHINE_LOCAL`) is refused, naming where it goes now."""
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    _apply(
        _parse_toml(text, path),
        text,
        path,
        changes,
        warnings,
        vault=vault or Path("/path/to/vault"),
    )
    return replace(Settings(), **changes), warnings


def _apply(
    data: dict[str, Any],
    text: str,
    path: str,
    changes: dict[str, Any],
    warnings: list[str],
    *,
    vault: Path | None,
) -> None:
    """Convert the sections of ``data`` into ``changes``. ``vault``: the text is that vault's
    own file, where machine-local settings are refused; None for the per-user file."""
    for section, values in data.items():
        if section == "landed":
            changes["landed"] = _landed(values, path, text)
            continue
        table = TABLE.get(section)
        if table is None:
            if section not in OTHER_SECTIONS:
                warnings.append(f"{path}: unknown section [{section}] is ignored")
            continue
        if not isinstance(values, dict):
            raise ConfigError(
                path, _line_of(text, section), f"{section} must be a [{section}] table"
            )
        for key, value in values.items():
            if key not in table:
                warnings.append(
                    f"{path}:{_line_of(text, key) or '?'}: unknown setting {section}.{key} is ignored"
                )
                continue
            name = f"{section}.{key}"
            if (
                vault is not None
                and name in MACHINE_LOCAL
                and (name != "feed.path" or not isinstance(value, str) or _outside(value))
            ):
                where = (
                    f"[vaults.{_toml_key(str(vault))}.{section}] in {_shown(user_config_path())}"
                )
                raise ConfigError(
                    path,
                    _line_of(text, key),
                    f"{name} belongs on this computer, not in the vault"
                    f" ({MACHINE_LOCAL[name]}): move it to {where}",
                )
            attr, convert = table[key]
            try:
                changes[attr] = convert(value)
            except ValueError as exc:
                raise ConfigError(path, _line_of(text, key), f"{name} {exc}") from None


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
        if (
            stripped.startswith(key) and stripped[len(key) :].lstrip().startswith("=")
        ) or stripped == f"[{key}]":
            return number
    return None


def _read_text(path: Path, shown: str) -> str | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(shown, None, f"cannot be read: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(shown, None, "is not UTF-8") from None


def load_settings(vault: Path) -> tuple[Settings, list[str]]:
    """The vault's ``coffeechat.toml`` (defaults when absent), then this vault's table in the
    per-user file, which may also hold the machine-local settings the vault file may not."""
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    root = vault.resolve()
    text = _read_text(vault / CONFIG_NAME, CONFIG_NAME)
    if text is not None:
        _apply(_parse_toml(text, CONFIG_NAME), text, CONFIG_NAME, changes, warnings, vault=root)
    user = user_config_path()
    shown = _shown(user)
    text = _read_text(user, shown)
    if text is not None:
        data = _parse_toml(text, shown)
        for key in data.keys() - {"vaults"}:
            warnings.append(
                f"{shown}: unknown setting {key} is ignored (settings go under"
                f" [vaults.{_toml_key(str(root))}])"
            )
        vaults = data.get("vaults", {})
        if not isinstance(vaults, dict):
            raise ConfigError(shown, _line_of(text, "vaults"), "vaults must be a [vaults] table")
        for folder, table in vaults.items():
            if Path(folder).expanduser().resolve() != root:
                continue
            if not isinstance(table, dict):
                raise ConfigError(shown, None, f"vaults.{_toml_key(folder)} must be a table")
            _apply(table, text, shown, changes, warnings, vault=None)
    return replace(Settings(), **changes), warnings


def find_vault(explicit: str | os.PathLike[str] | None, cwd: Path | None = None) -> Path:
    """``--vault``/``COFFEECHAT_VAULT`` when given, else the nearest folder holding coffeechat.toml."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_dir():
            raise VaultNotFound(f"vault {str(explicit)!r} is not a folder")
        if not (path / CONFIG_NAME).is_file():
            # Reading (and caching) every file below ~/Downloads is never what was meant.
            raise VaultNotFound(
                f"{str(explicit)!r} is not a vault (it has no {CONFIG_NAME}):"
                f" run `coffeechat init {explicit}` to make it one"
            )
        return path.resolve()
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise VaultNotFound(
        f"no {CONFIG_NAME} in {here} or any folder above it: run `coffeechat init`, "
        "or pass --vault PATH (or set COFFEECHAT_VAULT)"
    )
