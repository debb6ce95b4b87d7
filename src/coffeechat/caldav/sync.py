"""The sync: bring a collection on a CalDAV server in line with the vault, and take back
tasks ticked there (`push`).

The vault is the source of truth; the collection holds a copy that phones sync within
minutes. `push` creates the objects that are new, updates the ones that changed and deletes
the ones no longer due — only objects whose UID coffeechat made (``…@coffeechat``), never an
object it did not create. Every write is conditional on the server's ETag (``If-Match``;
``If-None-Match: *`` to create), so an object someone changed on the server after coffeechat
last wrote it is reported and left as it is, never clobbered (``--overwrite`` replaces it).

What coffeechat last wrote is remembered in ``.coffeechat/caldav.json``: per collection and
UID, the object's href, the ETag the server gave it, the hash of the bytes sent and a
fingerprint of what it shows (`coffeechat.caldav.state`). A run lists the collection's
ETags (one PROPFIND), fetches only objects whose ETag it does not know (one multiget), and
compares: nothing changed means nothing is sent. A server that rewrites what it stores (and
so hands out another ETag) is recognised by the fingerprint, which ignores its additions.

One thing flows back, once: a task (VTODO) marked completed on the server is written into the
vault as `coffeechat done` would write it (`coffeechat.caldav.writeback`), dated the day it
was ticked, then removed from the server. Nothing else is ever read back. The items, meetings
and people pushed are the store's agenda, and the events' bytes the ones it keeps for the
feed, as `feed` reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coffeechat.caldav.account import Target, password, target
from coffeechat.caldav.client import PushError, Remote, Server, Unreachable
from coffeechat.caldav.state import load_state, record_of, save_state, sha
from coffeechat.caldav.writeback import resolutions, write_resolution
from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError

__all__ = ["PushResult", "push"]


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
    from coffeechat.caldav.objects import parse_object
    from coffeechat.storage.cache.index import Index
    from coffeechat.storage.cache.part import VaultReader

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
            reading = VaultReader(index)
            plans = resolutions(
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
    contacts of ``agenda`` (`storage.cache.answers.CurrentAgenda`), as the feed shows them."""
    from coffeechat.caldav.objects import parse_object, push_objects
    from coffeechat.feed.events import FeedOptions
    from coffeechat.storage.cache.index import Index
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
            records[uid] = record_of(href, etag, obj, fingerprint)
            result.created += 1
            continue
        if record is None and r.fingerprint == fingerprint:  # ours, from a lost state file
            records[uid] = record_of(r.href, r.etag, obj, fingerprint)
            result.unchanged += 1
            continue
        edited = record is None or r.fingerprint != record.get("fingerprint")
        if edited and not overwrite:
            result.kept.append(
                obj.summary if r.summary == obj.summary else f"{r.summary} ({obj.summary})"
            )
            continue
        if not edited and record is not None and record.get("sent") == sha(obj.data):
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
        records[uid] = record_of(r.href, etag, obj, fingerprint)
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
