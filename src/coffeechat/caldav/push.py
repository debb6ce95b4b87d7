"""Push the follow-ups into a collection on a CalDAV server, and take back tasks ticked there.

The vault is the source of truth; the collection holds a copy that phones sync within
minutes. `push` creates the objects that are new, updates the ones that changed and deletes
the ones no longer due — only objects whose UID coffeechat made (``…@coffeechat``), never an
object it did not create. Every write is conditional on the server's ETag (``If-Match``;
``If-None-Match: *`` to create), so an object someone changed on the server after coffeechat
last wrote it is reported and left as it is, never clobbered (``--overwrite`` replaces it).

What coffeechat last wrote is remembered in ``.coffeechat/caldav.json``: per collection and
UID, the object's href, the ETag the server gave it, the hash of the bytes sent and a
fingerprint of what it shows (`coffeechat.feed.ics.parse_object`). A run lists the collection's
ETags (one PROPFIND), fetches only objects whose ETag it does not know (one multiget), and
compares: nothing changed means nothing is sent. A server that rewrites what it stores (and
so hands out another ETag) is recognised by the fingerprint, which ignores its additions.

One thing flows back, once: a task (VTODO) marked completed on the server is written into the
vault as `coffeechat done` would write it (by the same code, `storage.done`), dated the day it
was ticked, then removed from the server. Nothing else is ever read back. The items, meetings
and people pushed are the store's agenda, and the events' bytes the ones it keeps for the
feed, as `feed` reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from xml.sax.saxutils import escape

from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError, UsageError
from coffeechat.storage.cachedir import cache_dir, cache_path

__all__ = [
    "DEFAULT_PASSWORD_ENV",
    "STATE_NAME",
    "PushError",
    "PushResult",
    "Pusher",
    "Target",
    "Unreachable",
    "password",
    "push",
    "target",
]

STATE_NAME = "caldav.json"
STATE_VERSION = 1
#: Read when no password source is configured (handy for CI and one-off runs).
DEFAULT_PASSWORD_ENV = "COFFEECHAT_CALDAV_PASSWORD"
_DAV = "{DAV:}"
_CALDAV_NS = "urn:ietf:params:xml:ns:caldav"
_CONTENT_TYPE = "text/calendar; charset=utf-8"


class PushError(CoffeechatError):
    """The CalDAV server refused, or answered something unusable (exit 1)."""


class Unreachable(PushError):
    """The server could not be reached at all (down, no network, timeout): worth a retry."""


# --- what to talk to, and the password --------------------------------------------------------


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


# --- the server -----------------------------------------------------------------------------


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


# --- what coffeechat last wrote --------------------------------------------------------------


def _state_path(root: Path) -> Path:
    return cache_path(root) / STATE_NAME


def load_state(root: Path) -> dict[str, Any]:
    try:
        data = json.loads(_state_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "collections": {}}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "collections": {}}
    data.setdefault("collections", {})
    return data


def save_state(root: Path, state: dict[str, Any]) -> None:
    from coffeechat.storage.outputs import write_if_changed

    path = _state_path(root)
    try:
        cache_dir(root)
    except OSError as exc:
        raise CoffeechatError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    write_if_changed(path, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- one push -------------------------------------------------------------------------------


@dataclass
class PushResult:
    """What a push did (or, dry, would do)."""

    collection: str = ""
    url: str = ""
    calendar_created: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    done: list[str] = field(default_factory=list)  # "title — what was written"
    kept: list[str] = field(default_factory=list)  # summaries edited on the server, left alone
    failed: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def writes(self) -> int:
        return self.created + self.updated + self.deleted + len(self.done)

    def counts(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.deleted} deleted,"
            f" {self.unchanged} unchanged"
        )


def load_vault(root: Path, settings: Settings) -> Any:
    """The whole vault, through the one loader (`Index.vault`)."""
    from coffeechat.storage.index import Index

    return Index(root, settings).vault()


def _day_of(moment: dt.date | dt.datetime | None, tz: dt.tzinfo, today: dt.date) -> dt.date:
    if moment is None or moment == dt.date.min:
        return today
    if isinstance(moment, dt.datetime):
        day = (moment.astimezone(tz) if moment.tzinfo else moment).date()
    else:
        day = moment
    return min(day, today)


def write_resolution(
    root: Path, settings: Settings, reading: Any, writes: Sequence[Any], day: dt.date
) -> list[str]:
    """Carry out ``writes`` (what resolves an item, read in ``reading``: a
    `storage.done.Reading`) as `coffeechat done` does, dated ``day``; returns what was
    written. The same code as `done` (`storage.done.carry_out`), so the same bytes."""
    from coffeechat.storage.done import carry_out
    from coffeechat.storage.writer import edit_note

    done = carry_out(
        writes,
        day,
        root=root,
        settings=settings,
        edit=functools.partial(edit_note, root),
        part=lambda names: reading.part(names=names),
        names=reading.names,
        now=dt.datetime.combine(day, dt.time(9)),
    )
    return [write.describe() for write in done]


def push(
    root: Path,
    settings: Settings,
    today: dt.date,
    *,
    as_: str | None = None,
    dry_run: bool = False,
    overwrite: bool = False,
    overrides: Mapping[str, Any] | None = None,
    secret: str | Callable[[], str | None] | None = None,
    server_factory: Callable[[Target, str | None], Server] = Server,
) -> PushResult:
    """Bring the collection in line with the vault; see the module's docstring."""
    from coffeechat.feed.ics import parse_object
    from coffeechat.storage.done import Reading
    from coffeechat.storage.index import Index

    where = target(settings, as_)
    if callable(secret):
        secret = secret()
    elif secret is None:
        secret = password(settings)
    server = server_factory(where, secret)
    result = PushResult(collection=where.collection, dry_run=dry_run)
    try:
        found = server.open(create=not dry_run)
        result.url, result.collection, result.calendar_created = (
            server.url,
            server.name,
            server.created,
        )
        state = load_state(root)
        mine: dict[str, Any] = state["collections"].setdefault(
            server.url or where.collection, {"objects": {}, "foreign": {}}
        )
        records: dict[str, dict[str, Any]] = mine.setdefault("objects", {})
        foreign: dict[str, str | None] = mine.setdefault("foreign", {})
        remote: dict[str, Remote] = {}
        if found:
            remote = _survey(server, records, foreign, parse_object)

        # 1. tasks ticked on the server flow back into the vault, once: each resolved as
        # `done` resolves it, all read from the store as it was before the first is written
        index = Index(root, settings)
        agenda = None
        completed = [
            r for r in remote.values() if r.component == "VTODO" and r.completed is not None
        ]
        if completed:
            agenda = index.agenda(today)
            reading = Reading(index)
            plans = _resolutions(
                completed, records, agenda.result.items, reading, settings.tz, today, dry_run
            )
            wrote = False
            for ticked in completed:
                entry = records.get(ticked.uid, {})
                plan = plans.get(ticked.uid)
                if plan is not None:
                    item, day, writes = plan
                    if dry_run:
                        result.done.append(f"{item.title} (ticked on the server; would be written)")
                    else:
                        try:
                            if isinstance(writes, CoffeechatError):
                                raise writes
                            said = write_resolution(root, settings, reading, writes, day)
                        except CoffeechatError as exc:
                            result.failed.append(f"{item.title}: ticked on the server, but {exc}")
                            continue
                        wrote = True
                        entry["done"] = ticked.etag
                        records[ticked.uid] = entry
                        save_state(root, state)  # before the DELETE: never written twice
                        result.done.append(f"{item.title} — {'; '.join(said)}")
                remote.pop(ticked.uid)
                if dry_run:
                    continue
                status = _guarded(
                    result,
                    ticked.summary,
                    functools.partial(server.delete, ticked.href, ticked.etag),
                )
                if status is None:
                    continue
                if status == 412:
                    result.failed.append(
                        f"{ticked.summary}: changed on the server again; tried next time"
                    )
                    continue
                records.pop(ticked.uid, None)
            if wrote:
                agenda = None  # read again, with what was just written

        # 2. the vault's objects, now
        try:
            _sync(
                server,
                agenda or index.agenda(today),
                root,
                settings,
                today,
                where,
                result,
                records,
                remote,
                overrides,
                dry_run=dry_run,
                overwrite=overwrite,
            )
        finally:  # what was written is remembered, even when the server went away midway
            if not dry_run:
                save_state(root, state)
    finally:
        server.close()
    return result


def _resolutions(
    completed: list[Remote],
    records: dict[str, dict[str, Any]],
    items: list[Any],
    reading: Any,
    tz: dt.tzinfo,
    today: dt.date,
    dry_run: bool,
) -> dict[str, tuple[Any, dt.date, Any]]:
    """By UID, each task ticked on the server whose item is still open and not yet written
    back: the item, the day it was ticked, and the writes that resolve it as `done` would
    (`core.resolutions.resolution`, on the part of the vault ``reading`` gives, all read before
    any is written), or the error that says why it cannot be; None in a dry run."""
    from coffeechat.core.resolutions import resolution
    from coffeechat.feed.ics import item_id_of
    from coffeechat.storage.done import around

    open_items = {i.id: i for i in items}
    plans: dict[str, tuple[Any, dt.date, Any]] = {}
    for ticked in completed:
        item = open_items.get(item_id_of(ticked.uid) or "")
        if item is None or records.get(ticked.uid, {}).get("done") == ticked.etag:
            continue
        day = _day_of(ticked.completed, tz, today)
        writes: Any = None
        if not dry_run:
            try:
                writes = resolution(item, reading.part(around=around(item)), day)
            except CoffeechatError as exc:
                writes = exc
        plans[ticked.uid] = (item, day, writes)
    return plans


def _guarded(result: PushResult, label: str, call: Callable[[], Any]) -> Any:
    """One write; a refusal of this one object is noted and the others go on."""
    try:
        return call()
    except Unreachable:
        raise
    except PushError as exc:
        result.failed.append(f"{label}: {exc}")
        return None


def _sync(
    server: Server,
    agenda: Any,
    root: Path,
    settings: Settings,
    today: dt.date,
    where: Target,
    result: PushResult,
    records: dict[str, dict[str, Any]],
    remote: dict[str, Remote],
    overrides: Mapping[str, Any] | None,
    *,
    dry_run: bool,
    overwrite: bool,
) -> None:
    """Create, update and delete until the collection shows the vault: the items, meetings and
    contacts of ``agenda`` (`storage.index.AgendaRefresh`), as the feed shows them."""
    from coffeechat.feed.ics import FeedOptions, parse_object, push_objects
    from coffeechat.storage.index import Index
    from coffeechat.storage.outputs import vault_name

    options = FeedOptions.from_settings(
        settings, vault_name(root, settings), **dict(overrides or {})
    )
    wanted = push_objects(
        agenda.result.items,
        agenda.meetings(),
        today,
        options,
        agenda.contacts(),
        todo=where.component == "VTODO",
        stored=Index(root, settings).events(),
    )
    for uid, obj in sorted(wanted.items()):
        r: Remote | None = remote.get(uid)
        record: dict[str, Any] | None = records.get(uid)
        fingerprint = parse_object(obj.data)["fingerprint"]  # type: ignore[index]
        if r is None:
            href = record["href"] if record else server.href_for(uid)
            if dry_run:
                result.created += 1
                continue
            put = _guarded(result, obj.summary, functools.partial(server.put, href, obj.data, None))
            if put is None:
                continue
            status, etag = put
            if status == 412:
                result.kept.append(f"{obj.summary} (another object is stored at {href})")
                continue
            records[uid] = _record(href, etag, obj, fingerprint)
            result.created += 1
            continue
        if record is None and r.fingerprint == fingerprint:  # ours, from a lost state file
            records[uid] = _record(r.href, r.etag, obj, fingerprint)
            result.unchanged += 1
            continue
        edited = record is None or r.fingerprint != record.get("fingerprint")
        if edited and not overwrite:
            result.kept.append(
                obj.summary if r.summary == obj.summary else f"{r.summary} ({obj.summary})"
            )
            continue
        if not edited and record is not None and record.get("sent") == _sha(obj.data):
            if record.get("etag") != r.etag:
                record["etag"] = r.etag  # the server rewrote it; still what we sent
            result.unchanged += 1
            continue
        if dry_run:
            result.updated += 1
            continue
        put = _guarded(result, obj.summary, functools.partial(server.put, r.href, obj.data, r.etag))
        if put is None:
            continue
        status, etag = put
        if status == 412:
            result.kept.append(f"{obj.summary} (changed on the server while pushing)")
            continue
        records[uid] = _record(r.href, etag, obj, fingerprint)
        result.updated += 1
    for uid, gone in sorted(remote.items()):
        if uid in wanted:
            continue
        kept = records.get(uid)
        edited = kept is None or gone.fingerprint != kept.get("fingerprint")
        if edited and not overwrite:
            result.kept.append(f"{gone.summary} (no longer due)")
            continue
        if dry_run:
            result.deleted += 1
            continue
        status = _guarded(
            result, gone.summary, functools.partial(server.delete, gone.href, gone.etag)
        )
        if status is None:
            continue
        if status == 412:
            result.kept.append(f"{gone.summary} (changed on the server while pushing)")
            continue
        records.pop(uid, None)
        result.deleted += 1
    for uid in [u for u in records if u not in remote and u not in wanted]:
        records.pop(uid)  # deleted on the server and no longer due: forget it


def _record(href: str, etag: str | None, obj: Any, fingerprint: str) -> dict[str, Any]:
    return {
        "href": href,
        "etag": etag,
        "sent": _sha(obj.data),
        "fingerprint": fingerprint,
        "component": obj.component,
        "summary": obj.summary,
    }


def _survey(
    server: Server,
    records: dict[str, dict[str, Any]],
    foreign: dict[str, str | None],
    parse: Callable[[bytes | str], dict[str, Any] | None],
) -> dict[str, Remote]:
    """coffeechat's objects in the collection, by UID; fetches only the ones not known."""
    etags = server.etags()
    by_href = {rec.get("href"): uid for uid, rec in records.items()}
    remote: dict[str, Remote] = {}
    need: list[str] = []
    for href, etag in etags.items():
        uid = by_href.get(href)
        if uid is not None and etag and records[uid].get("etag") == etag:
            rec = records[uid]
            remote[uid] = Remote(
                href,
                etag,
                uid,
                rec.get("component", ""),
                rec.get("fingerprint", ""),
                rec.get("summary", ""),
                known=True,
            )
        elif etag and foreign.get(href) == etag:
            continue
        else:
            need.append(href)
    fetched = server.fetch(need) if need else {}
    still_foreign = {h: e for h, e in foreign.items() if h in etags and etags[h] == e}
    for href in need:
        etag, data = fetched.get(href, (etags.get(href), ""))
        parsed = parse(data) if data else None
        if parsed is None or not parsed["uid"].endswith("@coffeechat"):
            if etag:
                still_foreign[href] = etag
            continue
        uid = parsed["uid"]
        if uid in remote:
            continue
        remote[uid] = Remote(
            href,
            etag or etags.get(href),
            uid,
            parsed["component"],
            parsed["fingerprint"],
            parsed["summary"],
            parsed["completed"],
        )
    for uid, r in remote.items():
        if r.known:  # what it shows is what coffeechat wrote
            rec = records[uid]
            r.fingerprint = rec.get("fingerprint", "")
    foreign.clear()
    foreign.update(still_foreign)
    return remote


# --- watch --push ---------------------------------------------------------------------------


class Pusher:
    """Pushes for the watcher, off its thread: after a pass that changed something (at most
    once every ``interval`` seconds, so a burst of edits is one push), and every
    ``check_seconds`` to pick up tasks ticked on the phone. When the server is down it says so
    once, retries with growing waits (up to ``max_backoff``), and says when it is back; as each
    push sends the whole current state, nothing is lost meanwhile. Never raises."""

    def __init__(
        self,
        run: Callable[[], PushResult],
        report: Callable[[str], None],
        *,
        interval: float = 60.0,
        check_seconds: float = 900.0,
        first_backoff: float = 5.0,
        max_backoff: float = 300.0,
    ) -> None:
        self.run_push = run
        self.report = report
        self.interval = interval
        self.check_seconds = check_seconds
        self.first_backoff = first_backoff
        self.max_backoff = max_backoff
        self.pushes = 0  # successful pushes (tests)
        self.failures = 0
        self._pending = False
        self._last = -1e18
        self._next_try = 0.0
        self._backoff = 0.0
        self._down = False
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="coffeechat-push", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def changed(self, *_: Any) -> None:
        """The watcher's callback: the vault changed; push soon."""
        with self._cond:
            self._pending = True
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stop:
                    now = time.monotonic()
                    due = self._due(now)
                    if due <= now:
                        break
                    self._cond.wait(min(due - now, 1.0))
                if self._stop:
                    return
                self._pending = False
            self._once()

    def _due(self, now: float) -> float:
        if self._down:
            return self._next_try
        soonest = self._last + self.check_seconds if self.check_seconds else float("inf")
        if self._pending:
            soonest = min(soonest, self._last + self.interval)
        return soonest

    def _once(self) -> None:
        started = time.monotonic()
        try:
            result = self.run_push()
        except Unreachable as exc:
            self.failures += 1
            self._backoff = min(
                self.max_backoff, self._backoff * 2 if self._backoff else self.first_backoff
            )
            self._next_try = time.monotonic() + self._backoff
            if not self._down:
                self.report(f"push: {exc}; retrying with backoff, nothing is lost")
            self._down = True
            with self._cond:
                self._pending = True
            return
        except Exception as exc:  # noqa: BLE001 - the watcher never dies of a push
            self.failures += 1
            self._last = started
            self.report(f"push failed: {exc} (trying again on the next change)")
            self._down = False
            return
        if self._down:
            self.report("push: the CalDAV server is back")
        self._down, self._backoff = False, 0.0
        self._last = started
        self.pushes += 1
        for line in result.done:
            self.report(f"done on the server: {line}")
        for line in result.failed:
            self.report(f"push: not done: {line}")
        if result.kept:
            self.report(
                f"push: {len(result.kept)} edited on the server, left as they are"
                " (`coffeechat push --overwrite` replaces them)"
            )
        if result.writes or result.calendar_created:
            self.report(f"pushed to {result.collection}: {result.counts()}")
