"""Every setting coffeechat has, with its default and how a value from coffeechat.toml is
checked and converted: the `Settings` the rules, the feed and the adapters read. Pure: reading
the files and deciding which file may set what is `coffeechat.config`'s job."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from coffeechat.core.dates import Cadence, Workdays, parse_cadence, parse_weekdays

__all__ = ["OTHER_SECTIONS", "TABLE", "Landed", "Settings", "setting_names"]


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
    schedule: int = 3  # days after a yes with no meeting yet: propose a time
    rebook: int = 3  # days after a cancelled or missed meeting: offer a new time
    work_weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # `workdays`: Monday to Friday
    holidays: tuple[dt.date, ...] = ()  # sorted
    cadence: Cadence = field(default_factory=lambda: Cadence(365, "d"))
    give_up_after: int = 90
    field_limit: int = 5
    # [pitch] (prep sheets and draft letters)
    pitch_thumbnail: str = ""  # your thumbnail sketch: who you are and what you want, in 30 seconds
    pitch_signature: str = ""  # the name you sign letters with
    # [landed]
    landed: Landed | None = None
    # [feed]
    #: Relative to the vault, or absolute; "" (the default): the vault's own feed file, which
    #: the store places (`storage.outputs.feed_path`).
    feed_path: str = ""
    feed_name: str = "coffeechat follow-ups"
    feed_overdue: str = "today"  # "today": overdue items show on today; "due": on their due date
    feed_redact: bool = False
    feed_digest: bool = False
    feed_alarm_minutes: int = 30  # before a scheduled meeting; 0 = no alarm
    feed_refresh_minutes: int = 360  # REFRESH-INTERVAL and X-PUBLISHED-TTL
    feed_days_ahead: int = 0  # leave out items due further ahead than this; 0 = keep all
    feed_obsidian_vault: str = ""  # the vault's name in Obsidian (default: its folder's name)
    # [watch]
    watch_debounce_ms: int = 30
    watch_rescan_seconds: int = 300  # 0 = never
    watch_dashboard: str = ""  # e.g. "Follow-ups.md"; "" = no dashboard note
    watch_poll_seconds: int = 2
    # [serve]
    serve_host: str = "127.0.0.1"
    serve_port: int = 8765
    # [caldav] (`coffeechat push`; the password never lives in the vault)
    caldav_url: str = ""
    caldav_username: str = ""
    caldav_calendar: str = "coffeechat"  # display name or collection name; made when missing
    caldav_task_list: str = ""  # the collection for `as = "todo"` ("" = caldav_calendar)
    caldav_as: str = "event"  # "event" (VEVENT) or "todo" (VTODO)
    caldav_password_env: str = ""  # name of the environment variable holding the password
    caldav_password_command: tuple[str, ...] = ()  # argv whose first output line is the password
    caldav_keyring: str = ""  # keyring service name ("coffeechat" for `keyring = true`)
    caldav_timeout: int = 30  # seconds per request
    caldav_push_interval: int = 60  # watch --push: at most one push this often (seconds)
    caldav_check_minutes: int = 15  # watch --push: look for tasks ticked on the server this often
    # [mail] (`import mail`, `import calendar`, `watch`)
    mail_addresses: tuple[str, ...] = ()  # your own addresses, lower-case
    mail_maildir: str = ""  # a Maildir folder `watch` reads new mail from (never written)
    mail_password_env: str = ""  # `import mail imaps://…`: as caldav's, never the password itself
    mail_password_command: tuple[str, ...] = ()
    mail_keyring: str = ""
    mail_timeout: int = 30  # seconds per IMAP request

    @property
    def tz(self) -> dt.tzinfo:
        return _zone(self.timezone)

    @property
    def workdays(self) -> Workdays:
        """The days the rules' dates fall on (`workdays` less `holidays`)."""
        return Workdays(self.work_weekdays, self.holidays)


def _zone(name: str) -> dt.tzinfo:
    if name.upper() == "UTC":
        return dt.UTC
    from zoneinfo import ZoneInfo  # not at the top: a UTC vault never needs the zone data

    return ZoneInfo(name)


# section -> {toml key: (Settings attribute, converter)}
def _int(minimum: int, maximum: int | None = None) -> Any:
    def convert(value: Any) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < minimum
            or (maximum is not None and value > maximum)
        ):
            raise ValueError(
                f"must be a whole number ≥ {minimum}"
                if maximum is None
                else f"must be a whole number from {minimum} to {maximum}"
            )
        return value

    return convert


#: A rule's window in days: a century at most (a window of ten million days runs off the
#: calendar, and a vault's file must not be able to stop every command that way).
_DAYS = _int(0, 36_500)


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip().strip("/")


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfoNotFoundError

    name = _str(value)
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Paris)"
        ) from None
    return name


def _str_list(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of texts")
    return tuple(v.strip().strip("/") for v in value if v.strip())


def _dates(value: Any) -> tuple[dt.date, ...]:
    """A list of dates (TOML dates, or YYYY-MM-DD texts), sorted."""
    if not isinstance(value, list):  # (ValueError: what parse_settings reports with the line)
        raise ValueError("must be a list of dates, such as [2026-12-25, 2027-01-01]")
    out = set()
    for item in value:
        if isinstance(item, dt.datetime):
            item = item.date()
        elif isinstance(item, str):
            try:
                item = dt.date.fromisoformat(item.strip())
            except ValueError:
                raise ValueError(f"{item!r} is not a date (write YYYY-MM-DD)") from None
        if not isinstance(item, dt.date):
            raise ValueError(f"{item!r} is not a date (write YYYY-MM-DD)")
        out.add(item)
    return tuple(sorted(out))


def _cadence(value: Any) -> Cadence:
    return parse_cadence(value)


def _text(value: Any) -> str:
    """Free text kept as written (only the outer spaces go)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("must be a non-empty text")
    return value.strip()


def _text_or_empty(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a text")
    return value.strip()


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _choice(*allowed: str) -> Any:
    def convert(value: Any) -> str:
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            raise ValueError("must be " + " or ".join(f'"{a}"' for a in allowed))
        return value.strip().lower()

    return convert


def _port(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ValueError("must be a port number from 0 to 65535")
    return value


def _url(value: Any) -> str:
    text = _text(value)
    if not re.match(r"https?://[^/\s]+", text, re.IGNORECASE):
        raise ValueError("must be the server's address, starting with https:// (or http://)")
    return text


def _no_password(value: Any) -> str:
    raise ValueError(
        "must not be in coffeechat.toml (the vault syncs): set password_env,"
        " password_command or keyring instead"
    )


def _command(value: Any) -> tuple[str, ...]:
    """A command as a list of words, or one line split as a shell would (no shell runs it)."""
    import shlex

    if isinstance(value, str) and value.strip():
        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"is not a command line ({exc})") from None
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        words = list(value)
    else:
        raise ValueError('must be a command, such as "pass show caldav"')
    return tuple(words)


def _addresses(value: Any) -> tuple[str, ...]:
    """Your own e-mail addresses: a list of ``name@domain`` texts."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError('must be a list of e-mail addresses, such as ["sam@example.org"]')
    bad = [v for v in value if v.strip().count("@") != 1 or " " in v.strip()]
    if bad:
        raise ValueError(f"{bad[0]!r} is not an e-mail address")
    return tuple(v.strip().lower() for v in value)


def _keyring(value: Any) -> str:
    if value is True:
        return "coffeechat"
    if value is False:
        return ""
    return _text(value)


_INTERVAL = re.compile(r"(\d+)\s*(m|min|minutes?|h|hours?|d|days?)", re.IGNORECASE)
_ISO_INTERVAL = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", re.IGNORECASE)


def _minutes(value: Any) -> int:
    """A duration as minutes: "6h", "90m", "1d" or ISO 8601 ("PT6H", "P1D")."""
    text = value.strip() if isinstance(value, str) else ""
    minutes = 0
    if m := _INTERVAL.fullmatch(text):
        unit = m[2][0].lower()
        minutes = int(m[1]) * {"m": 1, "h": 60, "d": 1440}[unit]
    elif m := _ISO_INTERVAL.fullmatch(text):
        minutes = int(m[1] or 0) * 1440 + int(m[2] or 0) * 60 + int(m[3] or 0)
    if minutes < 1:
        raise ValueError('must be a duration of a minute or more, such as "6h", "90m" or "PT6H"')
    return minutes


TABLE: dict[str, dict[str, tuple[str, Any]]] = {
    "vault": {
        "timezone": ("timezone", _timezone),
        "contacts": ("contacts_folder", _str),
        "companies": ("companies_folder", _str),
        "meetings": ("meetings_folder", _str),
        "templates": ("templates_folder", _str),
        "ignore": ("ignore", _str_list),
    },
    "rules": {
        "follow_up_approach": ("follow_up_approach", _DAYS),
        "max_attempts": ("max_attempts", _int(1)),
        "prepare": ("prepare", _DAYS),
        "thank_you": ("thank_you", _DAYS),
        "reach_referral": ("reach_referral", _DAYS),
        "report_back": ("report_back", _DAYS),
        "schedule": ("schedule", _DAYS),
        "rebook": ("rebook", _DAYS),
        "workdays": ("work_weekdays", parse_weekdays),
        "holidays": ("holidays", _dates),
        "cadence": ("cadence", _cadence),
        "give_up_after": ("give_up_after", _DAYS),
        "field_limit": ("field_limit", _int(1)),
    },
    "pitch": {
        "thumbnail": ("pitch_thumbnail", _text_or_empty),
        "signature": ("pitch_signature", _text_or_empty),
    },
    "feed": {
        "path": ("feed_path", _text),
        "name": ("feed_name", _text),
        "overdue": ("feed_overdue", _choice("today", "due")),
        "redact": ("feed_redact", _bool),
        "digest": ("feed_digest", _bool),
        "alarm_minutes": ("feed_alarm_minutes", _int(0)),
        "refresh_interval": ("feed_refresh_minutes", _minutes),
        "days_ahead": ("feed_days_ahead", _int(0)),
        "obsidian_vault": ("feed_obsidian_vault", _text_or_empty),
    },
    "watch": {
        "debounce_ms": ("watch_debounce_ms", _int(0)),
        "rescan_seconds": ("watch_rescan_seconds", _int(0)),
        "dashboard": ("watch_dashboard", _text_or_empty),
        "poll_seconds": ("watch_poll_seconds", _int(1)),
    },
    "serve": {
        "host": ("serve_host", _text),
        "port": ("serve_port", _port),
    },
    "caldav": {
        "url": ("caldav_url", _url),
        "username": ("caldav_username", _text),
        "calendar": ("caldav_calendar", _text),
        "task_list": ("caldav_task_list", _text_or_empty),
        "as": ("caldav_as", _choice("event", "todo")),
        "password": ("caldav_url", _no_password),
        "password_env": ("caldav_password_env", _text_or_empty),
        "password_command": ("caldav_password_command", _command),
        "keyring": ("caldav_keyring", _keyring),
        "timeout": ("caldav_timeout", _int(1)),
        "push_interval": ("caldav_push_interval", _int(0)),
        "check_minutes": ("caldav_check_minutes", _int(0)),
    },
    "mail": {
        "addresses": ("mail_addresses", _addresses),
        "maildir": ("mail_maildir", _text_or_empty),
        "password": ("mail_password_env", _no_password),
        "password_env": ("mail_password_env", _text_or_empty),
        "password_command": ("mail_password_command", _command),
        "keyring": ("mail_keyring", _keyring),
        "timeout": ("mail_timeout", _int(1)),
    },
}
# Sections other issues' commands own; accepted here so a vault set up for them still loads.
OTHER_SECTIONS = {"prep", "draft", "pitch", "import", "export"}


def setting_names() -> list[str]:
    """``section.key`` for every known setting (for docs and tests)."""
    return [f"{section}.{key}" for section, table in TABLE.items() for key in table]
