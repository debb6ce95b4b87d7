"""Mail straight from an IMAP server, read only: ``imaps://user@host[:port]/MAILBOX``.

The mailbox is opened with EXAMINE (read-only: no flag, not even \\Seen, changes) and only
the headers are fetched, with ``BODY.PEEK[HEADER]``, in batches; ``--since`` becomes the
server's ``SEARCH SENTSINCE`` (by the Date header, as for a Maildir: ``SINCE`` would go by
the delivery date). Only TLS (``imaps://``, port 993 unless given) is spoken, and the
server's certificate is checked as a browser would. The password comes from ``[mail]``
password_env, password_command or keyring — the same sources as CalDAV's — never from the
vault. Each message comes back as the same `Mail` a Maildir gives.
"""

from __future__ import annotations

import datetime as dt
import imaplib
import re
import ssl
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from coffeechat.errors import CoffeechatError, UsageError
from coffeechat.transfer.mail import Mail, read_message

__all__ = ["DEFAULT_PASSWORD_ENV", "ImapSource", "is_imap_url", "parse_imap_url", "read_imap"]

#: Read when [mail] names no password source (as COFFEECHAT_CALDAV_PASSWORD for CalDAV).
DEFAULT_PASSWORD_ENV = "COFFEECHAT_MAIL_PASSWORD"
#: Headers fetched per request.
BATCH = 200
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UID = re.compile(rb"UID (\d+)")


@dataclass(frozen=True)
class ImapSource:
    host: str
    port: int
    user: str
    mailbox: str

    def __str__(self) -> str:
        port = "" if self.port == 993 else f":{self.port}"
        return f"imaps://{self.user}@{self.host}{port}/{self.mailbox}"


def is_imap_url(text: str) -> bool:
    return text.lower().startswith(("imap://", "imaps://"))


def parse_imap_url(text: str) -> ImapSource:
    """``imaps://user@host[:port][/MAILBOX]`` (MAILBOX defaults to INBOX; ``%40`` for an ``@``
    in the user name). A password in the URL, or plain ``imap://``, is refused."""
    url = urllib.parse.urlsplit(text)
    if url.scheme.lower() != "imaps":
        raise UsageError(
            f"{text}: only imaps:// (IMAP over TLS) is read; plain imap:// would send"
            " the password unencrypted"
        )
    if url.password is not None:
        raise UsageError(
            f"{text}: no password in the address; set [mail] password_env,"
            " password_command or keyring"
        )
    try:
        port = url.port or 993
    except ValueError:
        raise UsageError(f"{text}: the port is not a number") from None
    if not url.hostname or not url.username:
        raise UsageError(
            f"{text}: give the user and the server, as imaps://you@imap.example.org/INBOX"
        )
    mailbox = urllib.parse.unquote(url.path.lstrip("/")) or "INBOX"
    return ImapSource(url.hostname, port, urllib.parse.unquote(url.username), mailbox)


def _imap_date(day: dt.date) -> str:
    return f"{day.day}-{_MONTHS[day.month - 1]}-{day.year}"


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_HEADERS = BytesParser(policy=policy.default)


def read_imap(
    source: ImapSource,
    password: str,
    since: dt.date | None = None,
    timeout: int = 30,
    context: ssl.SSLContext | None = None,
) -> Iterator[Mail]:
    """The headers of every message in the mailbox (since ``since``), read only."""
    where = str(source)
    try:
        client = imaplib.IMAP4_SSL(
            source.host,
            source.port,
            timeout=timeout,
            ssl_context=context or ssl.create_default_context(),
        )
    except ssl.SSLError as exc:
        raise CoffeechatError(f"{where}: the TLS connection failed ({exc.reason or exc})") from None
    except OSError as exc:
        raise CoffeechatError(f"{where}: cannot connect ({exc.strerror or exc})") from None
    try:
        try:
            client.login(source.user, password)
        except imaplib.IMAP4.error:
            raise CoffeechatError(
                f"{where}: the server refused user {source.user!r} with this password"
            ) from None
        status, _ = client.select(_quoted(source.mailbox), readonly=True)  # EXAMINE
        if status != "OK":
            raise CoffeechatError(f"{where}: there is no mailbox {source.mailbox!r}")
        criteria = ("SENTSINCE", _imap_date(since)) if since is not None else ("ALL",)
        status, found = client.uid("SEARCH", *criteria)
        if status != "OK":
            raise CoffeechatError(f"{where}: the server could not search the mailbox")
        uids = [u.decode() for u in (found[0] or b"").split()]
        for start in range(0, len(uids), BATCH):
            chunk = ",".join(uids[start : start + BATCH])
            status, data = client.uid("FETCH", chunk, "(UID BODY.PEEK[HEADER])")
            if status != "OK":
                raise CoffeechatError(f"{where}: the server would not send the headers")
            for item in data:
                if not isinstance(item, tuple):
                    continue
                uid = _UID.search(item[0])
                key = f"uid:{uid[1].decode() if uid else '?'}"
                try:
                    msg = _HEADERS.parsebytes(item[1], headersonly=True)
                    assert isinstance(msg, EmailMessage)
                    mail = read_message(key, msg)
                except Exception:  # noqa: BLE001 - one malformed message never stops the import
                    mail = Mail(key, "", (), "", None, "unreadable")
                yield mail
    except (imaplib.IMAP4.abort, OSError) as exc:
        raise CoffeechatError(f"{where}: the connection broke ({exc})") from None
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
