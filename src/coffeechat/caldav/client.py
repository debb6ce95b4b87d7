"""The collection on a CalDAV server: discovery and calendar creation through the `caldav`
library; listing, fetching and conditional writes as plain WebDAV requests (PROPFIND, REPORT
calendar-multiget, PUT, DELETE) whose 207 multistatus answers are parsed here, so every PUT
and DELETE carries exactly the precondition it needs (``If-Match``, ``If-None-Match: *``).
Every failure becomes one clear line: `PushError`, or `Unreachable` when a retry may help.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

from coffeechat.caldav.account import Target
from coffeechat.errors import CoffeechatError, UsageError

__all__ = ["PushError", "Remote", "Server", "Unreachable"]

_DAV = "{DAV:}"
_CALDAV_NS = "urn:ietf:params:xml:ns:caldav"
_CONTENT_TYPE = "text/calendar; charset=utf-8"


class PushError(CoffeechatError):
    """The CalDAV server refused, or answered something unusable (exit 1)."""


class Unreachable(PushError):
    """The server could not be reached at all (down, no network, timeout): worth a retry."""


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for needle, said in (
        ("refused", "connection refused"),
        ("timed out", "timed out"),
        ("Timeout", "timed out"),
        ("Name or service not known", "unknown host"),
        ("nodename nor servname", "unknown host"),
        ("getaddrinfo", "unknown host"),
        ("CERTIFICATE", "certificate problem"),
        ("SSL", "TLS problem"),
    ):
        if needle in text:
            return said
    return type(exc).__name__


@dataclass
class Remote:
    """One coffeechat object found in the collection."""

    href: str
    etag: str | None
    uid: str
    component: str
    fingerprint: str
    summary: str = ""
    completed: dt.date | dt.datetime | None = None
    known: bool = False  # the ETag is the one the server gave to coffeechat's own last write


class Server:
    """The collection on a CalDAV server, through the `caldav` library's client: discovery and
    calendar creation by the library; listing, fetching and conditional writes as plain
    WebDAV requests, so every PUT and DELETE carries exactly the precondition it needs."""

    def __init__(self, target: Target, secret: str | None) -> None:
        try:
            import caldav
            from caldav.lib import error as dav_error
        except ImportError:
            raise UsageError(
                "push needs the caldav library: pip install 'coffeechat[caldav]'"
                " (or pip install caldav)"
            ) from None
        self.target = target
        self._errors = dav_error
        self._caldav = caldav
        client_class: Any = caldav.DAVClient
        self.client = client_class(
            url=target.url,
            username=target.username or None,
            password=secret,
            timeout=target.timeout,
        )
        self.url = ""  # the collection's URL, once found
        self.name = target.collection
        self.created = False

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001 - closing a session cannot fail usefully
            pass

    @contextmanager
    def talking(self, what: str) -> Iterator[None]:
        """Turn the client's exceptions into one clear line."""
        err = self._errors
        try:
            yield
        except err.AuthorizationError as exc:
            who = f"user {self.target.username!r}" if self.target.username else "this client"
            status = getattr(exc, "status", None) or getattr(exc, "reason", "") or ""
            forbidden = "403" in str(status) or "Forbidden" in str(exc)
            if forbidden:
                raise PushError(
                    f"the CalDAV server {self.target.url} did not let {who} {what} (403 Forbidden)"
                ) from None
            raise PushError(
                f"the CalDAV server {self.target.url} refused {who} with this password"
                " (401): check caldav.username and the password (iCloud and Fastmail"
                " need an app-specific password)"
            ) from None
        except err.DAVError as exc:
            raise PushError(
                f"the CalDAV server {self.target.url} failed to {what}: {exc}"
            ) from None
        except OSError as exc:
            raise Unreachable(
                f"cannot reach the CalDAV server {self.target.url} ({_reason(exc)})"
            ) from None
        except CoffeechatError:
            raise
        except Exception as exc:  # noqa: BLE001 - an HTTP library has many more
            raise Unreachable(
                f"cannot talk to the CalDAV server {self.target.url} ({type(exc).__name__}: {exc})"
            ) from None

    def _request(
        self,
        url: str,
        method: str,
        body: str | bytes = "",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        with self.talking(f"answer a {method}"):
            return self.client.request(url, method, body, dict(headers or {}))

    # -- the collection --------------------------------------------------------------------
    def open(self, create: bool) -> bool:
        """Find the collection (by URL, collection name or display name); make it when it
        is missing and ``create``. False when it is missing and was not made."""
        wanted = self.target.collection
        if re.match(r"https?://", wanted, re.IGNORECASE):
            self.url = wanted if wanted.endswith("/") else wanted + "/"
            return True
        with self.talking("find your calendars"):
            principal = self.client.principal()
            calendars = principal.calendars()
        key = wanted.casefold()
        for calendar in calendars:
            url = str(calendar.url)
            path = unquote(urlsplit(url).path).rstrip("/")
            names = {path.rsplit("/", 1)[-1].casefold()}
            with self.talking("read a calendar's name"):
                getter = getattr(calendar, "get_display_name", None)
                shown = getter() if callable(getter) else getattr(calendar, "name", None)
            if shown:
                names.add(str(shown).casefold())
            if key in names:
                self.url = url if url.endswith("/") else url + "/"
                self.name = str(shown or wanted)
                return True
        if not create:
            return False
        slug = re.sub(r"[^a-z0-9]+", "-", wanted.lower()).strip("-") or "coffeechat"
        try:
            with self.talking(f"create the calendar {wanted!r}"):
                calendar = principal.make_calendar(
                    name=wanted,
                    cal_id=slug,
                    supported_calendar_component_set=[self.target.component],
                )
        except Unreachable:
            raise
        except PushError as exc:
            raise PushError(
                f"{exc}; create a {'task list' if self.target.component == 'VTODO' else 'calendar'}"
                f" named {wanted!r} in your calendar app, or set caldav.calendar to one you"
                " have"
            ) from None
        url = str(calendar.url)
        self.url = url if url.endswith("/") else url + "/"
        self.created = True
        return True

    def href_for(self, uid: str) -> str:
        name = re.sub(r"[^A-Za-z0-9._-]", "-", uid) + ".ics"
        return _path(urljoin(self.url, name))

    def _abs(self, href: str) -> str:
        return urljoin(self.url, quote(href))

    # -- reading ---------------------------------------------------------------------------
    def etags(self) -> dict[str, str | None]:
        """href (an unquoted path) -> ETag of every object in the collection."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop>'
            "<d:getetag/><d:resourcetype/></d:prop></d:propfind>"
        )
        response = self._request(
            self.url, "PROPFIND", body, {"Depth": "1", "Content-Type": "application/xml"}
        )
        if response.status == 404:
            raise PushError(f"the calendar {self.url} is not there (404); check caldav.calendar")
        self._check(response, "list the calendar")
        own = _path(self.url).rstrip("/")
        out: dict[str, str | None] = {}
        for href, props in _multistatus(response):
            if href.rstrip("/") == own:
                continue
            kind = props.get("resourcetype")
            if kind is not None and kind.find(f"{_DAV}collection") is not None:
                continue
            tag = props.get("getetag")
            out[href] = _etag(tag.text if tag is not None else None)
        return out

    def fetch(self, hrefs: list[str]) -> dict[str, tuple[str | None, str]]:
        """href -> (ETag, calendar data) for these objects, with calendar-multiget."""
        out: dict[str, tuple[str | None, str]] = {}
        for start in range(0, len(hrefs), 200):
            chunk = hrefs[start : start + 200]
            refs = "".join(f"<d:href>{escape(quote(h))}</d:href>" for h in chunk)
            body = (
                '<?xml version="1.0" encoding="utf-8"?>'
                f'<c:calendar-multiget xmlns:d="DAV:" xmlns:c="{_CALDAV_NS}">'
                f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{refs}</c:calendar-multiget>"
            )
            response = self._request(
                self.url, "REPORT", body, {"Depth": "1", "Content-Type": "application/xml"}
            )
            self._check(response, "send the calendar's objects")
            for href, props in _multistatus(response):
                data = props.get(f"{{{_CALDAV_NS}}}calendar-data")
                if data is None or not data.text:
                    continue
                tag = props.get("getetag")
                out[href] = (_etag(tag.text if tag is not None else None), data.text)
        return out

    # -- writing ---------------------------------------------------------------------------
    def put(self, href: str, data: bytes, etag: str | None) -> tuple[int, str | None]:
        """PUT an object: with ``etag`` only over that version, without it only if new.
        Returns (status, new ETag or None); status 412 means the precondition failed."""
        headers = {"Content-Type": _CONTENT_TYPE}
        headers["If-Match" if etag else "If-None-Match"] = etag or "*"
        response = self._request(self._abs(href), "PUT", data, headers)
        if response.status == 412:
            return 412, None
        self._check(response, "store an object")
        return response.status, _etag(response.headers.get("ETag"))

    def delete(self, href: str, etag: str | None) -> int:
        """DELETE an object, only the version ``etag`` when given; 412 when it changed."""
        headers = {"If-Match": etag} if etag else {}
        response = self._request(self._abs(href), "DELETE", "", headers)
        if response.status in (404, 410):
            return 204
        if response.status == 412:
            return 412
        self._check(response, "delete an object")
        return int(response.status)

    def _check(self, response: Any, what: str) -> None:
        status = int(response.status)
        if status < 300 or status == 207:
            return
        reason = getattr(response, "reason", "") or ""
        if status >= 500:
            raise Unreachable(
                f"the CalDAV server {self.target.url} could not {what} right now"
                f" ({status} {reason})".rstrip()
            )
        raise PushError(
            f"the CalDAV server {self.target.url} refused to {what} ({status} {reason})".rstrip()
        )


def _path(url: str) -> str:
    return unquote(urlsplit(url).path)


def _etag(value: str | None) -> str | None:
    """A strong ETag as sent ("…" with its quotes); None for none or a weak one (W/…), which
    If-Match can never match."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("%22"):  # a server that URL-encodes it (Bedework)
        value = unquote(value)
    if value.startswith("W/"):
        return None
    return value


def _multistatus(response: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(href, {property name: element}) for each response of a 207 with a 200 propstat."""
    tree = getattr(response, "tree", None)
    if tree is None:
        import xml.etree.ElementTree as ET

        raw = getattr(response, "raw", b"") or b""
        if not raw:
            return
        try:
            tree = ET.fromstring(raw.encode("utf-8") if isinstance(raw, str) else raw)
        except ET.ParseError:
            return
    for item in tree.iter(f"{_DAV}response"):
        href = item.find(f"{_DAV}href")
        if href is None or not href.text:
            continue
        props: dict[str, Any] = {}
        for propstat in item.findall(f"{_DAV}propstat"):
            status = propstat.find(f"{_DAV}status")
            if status is not None and status.text and " 200 " not in status.text + " ":
                continue
            prop = propstat.find(f"{_DAV}prop")
            for child in prop if prop is not None else []:
                tag = str(child.tag)
                props[tag.removeprefix(_DAV)] = child
        yield _path(href.text.strip()), props
