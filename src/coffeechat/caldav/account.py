"""What a push talks to: the server, the account and the collection from the [caldav]
settings (`Target`), and the password from the one source they name
(`coffeechat.credentials`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from coffeechat.core.settings import Settings
from coffeechat.errors import UsageError

__all__ = ["DEFAULT_PASSWORD_ENV", "Target", "password", "target"]

#: Read when no password source is configured (handy for CI and one-off runs).
DEFAULT_PASSWORD_ENV = "COFFEECHAT_CALDAV_PASSWORD"


@dataclass(frozen=True)
class Target:
    """The server, the account and the collection a push writes to."""

    url: str
    username: str
    collection: str  # a display name, a collection name, or the collection's full URL
    component: str  # "VEVENT" or "VTODO"
    timeout: int = 30


def target(settings: Settings, as_: str | None = None) -> Target:
    """The [caldav] settings as a Target; `--as` overrides caldav.as."""
    if not settings.caldav_url:
        raise UsageError(
            "no CalDAV server is set: add a [caldav] section to coffeechat.toml with"
            ' url = "https://…", username = "…" and calendar = "…"'
            " (the README shows Nextcloud, Fastmail and iCloud)"
        )
    mode = as_ or settings.caldav_as
    todo = mode == "todo"
    collection = (
        (settings.caldav_task_list or settings.caldav_calendar)
        if todo
        else settings.caldav_calendar
    )
    return Target(
        settings.caldav_url,
        settings.caldav_username,
        collection,
        "VTODO" if todo else "VEVENT",
        settings.caldav_timeout,
    )


def password(settings: Settings, env: Mapping[str, str] | None = None) -> str | None:
    """The password from the one source the settings name: an environment variable, a
    command's first line of output, or the system keyring (the last two only from the per-user
    file, never from the vault's). None when no username is set."""
    from coffeechat.credentials import password_from

    return password_from(
        "caldav",
        "CalDAV user",
        settings.caldav_username,
        settings.caldav_password_env,
        settings.caldav_password_command,
        settings.caldav_keyring,
        DEFAULT_PASSWORD_ENV,
        env,
    )
