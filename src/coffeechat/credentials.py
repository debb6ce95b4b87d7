"""Passwords that never live in the vault: from an environment variable, a command's first
line of output (``pass show caldav``), or the system keyring — whichever one source the
settings name (a command or the keyring only from the per-user file, never from the synced
coffeechat.toml: `coffeechat.config.MACHINE_LOCAL`). CalDAV (`push`) and IMAP (`import mail
imaps://…`) both ask here, each with its own section's settings.

It stays at the package's top level rather than in ``caldav/``: it belongs to neither of the
two adapters that use it, and the IMAP importer (``transfer/``) would otherwise import the
CalDAV package for its password."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping

from coffeechat.errors import UsageError

__all__ = ["password_from"]


def password_from(
    section: str,
    who: str,
    username: str,
    password_env: str,
    password_command: tuple[str, ...],
    keyring: str,
    default_env: str,
    env: Mapping[str, str] | None = None,
) -> str | None:
    """The password from the one source ``[section]`` names; else the ``default_env``
    variable; None when neither is set and there is no ``username`` to need one."""
    env = os.environ if env is None else env
    sources = [
        name
        for name, value in (
            ("password_env", password_env),
            ("password_command", password_command),
            ("keyring", keyring),
        )
        if value
    ]
    if len(sources) > 1:
        raise UsageError(
            f"{section}: {' and '.join(sources)} are both set; keep only one password source"
        )
    if not sources:
        if env.get(default_env):
            return env[default_env]
        if not username:
            return None
        raise UsageError(
            f"no password for {who} {username!r}: set one of {section}.password_env"
            ' (the name of an environment variable), {s}.password_command (such as "pass show'
            ' {s}") or {s}.keyring = true in ~/.config/coffeechat/config.toml (see the README),'
            " or set the".replace("{s}", section)
            + f" {default_env} environment variable"
        )
    if sources[0] == "password_env":
        value = env.get(password_env, "")
        if not value:
            raise UsageError(
                f"the environment variable {password_env} ({section}.password_env) is"
                " not set or empty"
            )
        return value
    if sources[0] == "password_command":
        return _from_command(section, password_command)
    return _from_keyring(section, keyring, username)


def _from_command(section: str, argv: tuple[str, ...]) -> str:
    shown = " ".join(argv)
    what = f"{section}.password_command"
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise UsageError(f"{what}: {argv[0]!r} is not an installed command") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"{what} `{shown}` did not finish within 2 minutes") from None
    except OSError as exc:
        raise UsageError(f"{what} `{shown}` cannot run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        why = (done.stderr or "").strip().splitlines()
        raise UsageError(
            f"{what} `{shown}` failed (exit {done.returncode})" + (f": {why[0]}" if why else "")
        )
    lines = (done.stdout or "").splitlines()
    if not lines or not lines[0]:
        raise UsageError(f"{what} `{shown}` printed no password (its first line is used)")
    return lines[0]


def _from_keyring(section: str, service: str, username: str) -> str:
    if not username:
        raise UsageError(
            f"{section}.keyring needs {section}.username (the keyring entry is looked up by it)"
        )
    try:
        import keyring
    except ImportError:
        raise UsageError(
            f"{section}.keyring is set but the keyring library is not installed:"
            " pip install keyring (or pip install 'coffeechat[caldav]')"
        ) from None
    try:
        value = keyring.get_password(service, username)
    except Exception as exc:  # noqa: BLE001 - every backend raises its own kind
        raise UsageError(
            f"the system keyring could not be read ({type(exc).__name__}: {exc});"
            f" use {section}.password_env or {section}.password_command"
            " instead"
        ) from None
    if not value:
        raise UsageError(
            f"no password in the system keyring for service {service!r}, user"
            f" {username!r}: store it with `keyring set {service} {username}`"
        )
    return str(value)
