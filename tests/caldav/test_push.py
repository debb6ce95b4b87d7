"""`coffeechat push` against a real Radicale server on a free loopback port (auth on)."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import types
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

pytest.importorskip("caldav")
pytest.importorskip("radicale")

from coffeechat.caldav.client import Server
from coffeechat.caldav.objects import item_id_of, parse_object, push_objects
from coffeechat.caldav.pusher import Pusher
from coffeechat.caldav.sync import push
from coffeechat.config import load_settings, parse_settings
from coffeechat.feed.events import FeedOptions
from conftest import TODAY, VaultBuilder

USER, SECRET = "alice", "s3cret pass"
_names = itertools.count(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Radicale:
    """A Radicale process with htpasswd (plain) auth and its own storage folder."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        users = self.folder / "users"
        users.write_text(f"{USER}:{SECRET}\n", encoding="utf-8")
        config = self.folder / "config"
        config.write_text(
            textwrap.dedent(f"""\
            [server]
            hosts = 127.0.0.1:{self.port}
            [auth]
            type = htpasswd
            htpasswd_filename = {users}
            htpasswd_encryption = plain
            delay = 0
            [rights]
            type = owner_only
            [storage]
            filesystem_folder = {self.folder / "collections"}
            [web]
            type = none
            [logging]
            level = warning
            """),
            encoding="utf-8",
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "radicale", "-C", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    "radicale did not start: " + self.proc.stderr.read().decode()[-2000:]
                )  # type: ignore[union-attr]
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("radicale did not open its port within 20 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc = None

    # -- plain HTTP, independent of the code under test ------------------------------------
    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        auth = base64.b64encode(f"{USER}:{SECRET}".encode()).decode()
        req = urllib.request.Request(
            self.url.rstrip("/") + path,
            data=body or None,
            method=method,
            headers={"Authorization": f"Basic {auth}", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def objects(self, calendar: str) -> dict[str, tuple[str, bytes]]:
        """href -> (etag, data) of every object in /alice/<calendar>/."""
        body = (
            b'<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
            b'<d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/>'
            b"</c:filter></c:calendar-query>"
        )
        status, _, raw = self.request(
            "REPORT",
            f"/{USER}/{calendar}/",
            body,
            {"Depth": "1", "Content-Type": "application/xml"},
        )
        assert status == 207, raw
        import xml.etree.ElementTree as ET

        out = {}
        for resp in ET.fromstring(raw).iter("{DAV:}response"):
            href = resp.findtext("{DAV:}href")
            etag = resp.findtext(".//{DAV:}getetag")
            data = resp.findtext(".//{urn:ietf:params:xml:ns:caldav}calendar-data")
            if href and data:
                out[href] = (etag or "", data.encode())
        return out

    def by_uid(self, calendar: str) -> dict[str, tuple[str, str, bytes]]:
        out = {}
        for href, (etag, data) in self.objects(calendar).items():
            parsed = parse_object(data)
            assert parsed is not None
            out[parsed["uid"]] = (href, etag, data)
        return out

    def put(self, path: str, data: bytes, etag: str | None = None) -> int:
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag:
            headers["If-Match"] = etag
        return self.request("PUT", path, data, headers)[0]


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale"), _free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def calendar(vault: VaultBuilder, radicale: Radicale, monkeypatch: pytest.MonkeyPatch) -> str:
    """A vault with a few follow-ups, set up to push to a calendar of its own."""
    name = f"search-{next(_names)}"
    monkeypatch.setenv("TEST_CALDAV_PASSWORD", SECRET)
    vault.config(f"""\
        [caldav]
        url = "{radicale.url}"
        username = "{USER}"
        calendar = "{name}"
        password_env = "TEST_CALDAV_PASSWORD"
        """)
    vault.contact(
        "Jane Doe",
        front="email: jane@acme.example",
        log="2026-11-10 approach: emailed; Bob referred me",
    )
    vault.contact("Carl Lee", front="follow_up: 2026-11-30")
    vault.contact("Priya Raman", log="2026-11-12 approach: asked for 20 minutes")
    vault.meeting("2026-11-26T15:00", ["Carl Lee"], front="kind: coffee\nlocation: Blue Bottle")
    return name


def _out(result: Any) -> str:
    return result.output.strip().splitlines()[-1]


def test_push_creates_everything_then_a_second_run_sends_nothing(run, radicale, calendar, vault):
    first = run("push")
    assert first.exit_code == 0, first.output
    assert _out(first) == (
        f"Pushed to “{calendar}” ({radicale.url}{USER}/{calendar}/):"
        " 5 created, 0 updated, 0 deleted, 0 unchanged."
    )
    assert "Created the calendar" in first.output
    objects = radicale.by_uid(calendar)
    assert len(objects) == 5 and all(uid.endswith("@coffeechat") for uid in objects)
    feed = run("feed", "-o", "-").stdout_bytes  # the same events as the feed, one by one
    for uid, (_, _, data) in objects.items():
        assert f"UID:{uid}".encode() in feed
        assert b"METHOD:" not in data
    before = radicale.objects(calendar)
    state = (vault.root / ".coffeechat" / "caldav.json").read_bytes()

    second = run("push")
    assert second.exit_code == 0, second.output
    assert second.output == (
        f"Pushed to “{calendar}” ({radicale.url}{USER}/{calendar}/):"
        " 0 created, 0 updated, 0 deleted, 5 unchanged.\n"
    )
    assert radicale.objects(calendar) == before
    assert (vault.root / ".coffeechat" / "caldav.json").read_bytes() == state


class CountingServer(Server):
    writes: ClassVar[list[str]] = []

    def put(self, href: str, data: bytes, etag: str | None) -> tuple[int, str | None]:
        CountingServer.writes.append(f"PUT {href}")
        return super().put(href, data, etag)

    def delete(self, href: str, etag: str | None) -> int:
        CountingServer.writes.append(f"DELETE {href}")
        return super().delete(href, etag)


def test_idempotent_run_sends_no_write_request(run, radicale, calendar, vault):
    assert run("push").exit_code == 0
    settings, _ = load_settings(vault.root)
    CountingServer.writes = []
    result = push(vault.root, settings, TODAY, server_factory=CountingServer)
    assert CountingServer.writes == []
    assert (result.created, result.updated, result.deleted, result.unchanged) == (0, 0, 0, 5)


def test_update_and_delete_follow_the_vault(run, radicale, calendar, vault):
    assert run("push").exit_code == 0
    before = radicale.by_uid(calendar)
    # Jane declined (her follow-up goes; a yes would bring a `schedule` item instead);
    # Carl's follow-up moved (it changes).
    jane = vault.root / "contacts" / "Jane Doe.md"
    jane.write_text(jane.read_text() + "- 2026-11-20 declined: not this quarter\n")
    carl = vault.root / "contacts" / "Carl Lee.md"
    carl.write_text(carl.read_text().replace("follow_up: 2026-11-30", "follow_up: 2026-12-04"))
    result = run("push")
    assert result.exit_code == 0, result.output
    assert _out(result).endswith(": 0 created, 1 updated, 1 deleted, 3 unchanged.")
    after = radicale.by_uid(calendar)
    assert len(after) == 4
    (gone,) = set(before) - set(after)
    assert b"Jane Doe" in before[gone][2]
    changed = [uid for uid in after if after[uid][1] != before[uid][1]]
    assert len(changed) == 1 and b"DTSTART;VALUE=DATE:20261204" in after[changed[0]][2]
    assert _out(run("push")).endswith(": 0 created, 0 updated, 0 deleted, 4 unchanged.")


def test_objects_it_did_not_create_are_never_touched(run, radicale, calendar, vault):
    assert run("push").exit_code == 0
    theirs = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//someone//EN\r\nBEGIN:VEVENT\r\n"
        b"UID:dentist-1@example.com\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261124T090000Z\r\n"
        b"DTEND:20261124T100000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert radicale.put(f"/{USER}/{calendar}/dentist.ics", theirs) == 201
    etag = radicale.objects(calendar)[f"/{USER}/{calendar}/dentist.ics"][0]
    for contact in ("Jane Doe", "Priya Raman"):  # both follow-ups resolved: deletions
        path = vault.root / "contacts" / f"{contact}.md"
        path.write_text(path.read_text() + "- 2026-11-20 declined: not now\n")
    result = run("push", "--overwrite")
    assert result.exit_code == 0, result.output
    assert _out(result).endswith(": 0 created, 0 updated, 2 deleted, 3 unchanged.")
    assert radicale.objects(calendar)[f"/{USER}/{calendar}/dentist.ics"][0] == etag
    assert _out(run("push")).endswith(": 0 created, 0 updated, 0 deleted, 3 unchanged.")


def test_an_event_edited_on_the_server_is_reported_not_clobbered(run, radicale, calendar, vault):
    assert run("push").exit_code == 0
    objects = radicale.by_uid(calendar)
    uid = next(u for u, (_, _, d) in objects.items() if b"Follow up with Jane Doe" in d)
    href, etag, data = objects[uid]
    edited = data.replace(b"SUMMARY:Follow up with Jane Doe", b"SUMMARY:Call Jane (moved by me)")
    assert edited != data and radicale.put(href, edited, etag) in (201, 204)
    # the vault changes that very item too: a second attempt moves it on
    jane = vault.root / "contacts" / "Jane Doe.md"
    jane.write_text(jane.read_text() + "- 2026-11-21 follow_up: nudged\n")
    result = run("push")
    assert result.exit_code == 0, result.output
    assert (
        "Left alone, edited on the server (1; `coffeechat push --overwrite` replaces them):"
        in result.output
    )
    assert (
        "  Call Jane (moved by me) (attempt 2 of 3) (Follow up with Jane Doe (attempt 3 of 3))"
        in result.output
    )
    assert _out(result).endswith(": 0 created, 0 updated, 0 deleted, 4 unchanged.")
    assert b"Call Jane (moved by me)" in radicale.by_uid(calendar)[uid][2]
    # still left alone on the next run, and replaced only when asked
    assert "Call Jane (moved by me)" in run("push").output
    forced = run("push", "--overwrite")
    assert _out(forced).endswith(": 0 created, 1 updated, 0 deleted, 4 unchanged.")
    assert b"SUMMARY:Follow up with Jane Doe" in radicale.by_uid(calendar)[uid][2]
    assert _out(run("push")).endswith(": 0 created, 0 updated, 0 deleted, 5 unchanged.")


def test_a_task_ticked_on_the_server_flows_back_once(run, radicale, calendar, vault):
    first = run("push", "--as", "todo")
    assert first.exit_code == 0, first.output
    tasks = radicale.by_uid(calendar)
    assert len(tasks) == 4  # the follow-ups; meetings are not tasks (their `prepare` is)
    assert all(b"BEGIN:VTODO" in d and b"STATUS:NEEDS-ACTION" in d for _, _, d in tasks.values())
    uid = next(u for u, (_, _, d) in tasks.items() if b"Follow up with Jane Doe" in d)
    assert b"DUE;VALUE=DATE:20261116" in tasks[uid][2]  # its real due date: tasks show overdue
    href, etag, data = tasks[uid]
    ticked = data.replace(b"STATUS:NEEDS-ACTION", b"STATUS:COMPLETED\r\nCOMPLETED:20261122T180000Z")
    assert radicale.put(href, ticked, etag) in (201, 204)
    note = vault.root / "contacts" / "Jane Doe.md"
    before = note.read_text()

    result = run("push", "--as", "todo")
    assert result.exit_code == 0, result.output
    line = "- 2026-11-22 follow_up: followed up"
    assert (
        f"Marked done (ticked on the server): Follow up with Jane Doe (attempt 2 of 3) — added `{line}`"
        " to contacts/Jane Doe.md"
    ) in result.output
    assert note.read_text() == before + line + "\n"  # exactly what `done` appends
    # the ticked task is gone; Jane's next follow-up (5 days after this one) is a new task
    after = radicale.by_uid(calendar)
    assert b"STATUS:COMPLETED" not in b"".join(d for _, _, d in after.values())
    assert b"DUE;VALUE=DATE:20261127" in after[uid][2]
    again = run("push", "--as", "todo")
    assert _out(again).endswith(": 0 created, 0 updated, 0 deleted, 4 unchanged.")
    assert "Marked done" not in again.output
    assert note.read_text() == before + line + "\n"


def test_done_on_the_server_is_written_through_done_for_a_ticked_task(
    run, radicale, calendar, vault
):
    vault.write(
        "meetings/2026-11-20 Coffee with Priya.md",
        """\
        ---
        type: meeting
        date: 2026-11-20T10:00
        with:
          - "[[Priya Raman]]"
        ---
        ## Notes
        - [ ] send her the pricing article 📅 2026-11-24
        """,
    )
    assert run("push", "--as", "todo").exit_code == 0
    tasks = radicale.by_uid(calendar)
    uid = next(u for u, (_, _, d) in tasks.items() if b"pricing article" in d)
    href, etag, data = tasks[uid]
    assert (
        radicale.put(href, data.replace(b"STATUS:NEEDS-ACTION", b"STATUS:COMPLETED"), etag) == 204
    )
    result = run("push", "--as", "todo")
    assert result.exit_code == 0, result.output
    text = (vault.root / "meetings" / "2026-11-20 Coffee with Priya.md").read_text()
    assert "- [x] send her the pricing article 📅 2026-11-24 ✅ 2026-11-23" in text
    assert uid not in radicale.by_uid(calendar)


def test_dry_run_changes_nothing(run, radicale, calendar, vault):
    result = run("push", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Would create the calendar “{calendar}” on the server." in result.output
    assert _out(result) == (
        f"Dry run, nothing sent to “{calendar}”: would be 5 created, 0 updated,"
        " 0 deleted, 0 unchanged."
    )
    assert radicale.request("PROPFIND", f"/{USER}/{calendar}/", headers={"Depth": "0"})[0] == 404
    assert not (vault.root / ".coffeechat" / "caldav.json").exists()


def test_a_wrong_password_is_one_clear_error(run, radicale, calendar, monkeypatch):
    monkeypatch.setenv("TEST_CALDAV_PASSWORD", "not the password")
    result = run("push")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the CalDAV server {radicale.url} refused user 'alice' with this"
        " password (401): check caldav.username and the password (iCloud and"
        " Fastmail need an app-specific password)\n"
    )


def test_a_server_that_is_down_is_one_clear_error(run, calendar, vault):
    url = f"http://127.0.0.1:{_free_port()}/"  # nobody listens there
    text = (vault.root / "coffeechat.toml").read_text()
    vault.config(
        "\n".join(f'url = "{url}"' if ln.startswith("url =") else ln for ln in text.splitlines())
    )
    result = run("push")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot reach the CalDAV server {url} (connection refused)\n"


def test_password_sources(run, radicale, calendar, vault, monkeypatch):
    text = (vault.root / "coffeechat.toml").read_text()
    monkeypatch.delenv("TEST_CALDAV_PASSWORD")
    result = run("push")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the environment variable TEST_CALDAV_PASSWORD"
        " (caldav.password_env) is not set or empty\n"
    )
    no_source = text.replace('password_env = "TEST_CALDAV_PASSWORD"\n', "")
    vault.config(no_source)
    result = run("push")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: no password for CalDAV user 'alice': set one of caldav.password_env"
    )
    command = [sys.executable, "-c", f"print({SECRET!r}); print('second line')"]
    vault.user_config(f"[caldav]\npassword_command = {json.dumps(command)}\n")
    result = run("push")
    assert result.exit_code == 0, result.output + result.stderr
    vault.user_config('[caldav]\npassword_command = "false"\n')
    assert run("push").stderr == "Error: caldav.password_command `false` failed (exit 1)\n"
    vault.user_config("[caldav]\nkeyring = true\n")
    fake = types.SimpleNamespace(
        get_password=lambda service, user: {("coffeechat", "alice"): SECRET}.get((service, user))
    )
    monkeypatch.setitem(sys.modules, "keyring", fake)
    assert run("push").exit_code == 0
    monkeypatch.setitem(
        sys.modules, "keyring", types.SimpleNamespace(get_password=lambda s, u: None)
    )
    assert run("push").stderr == (
        "Error: no password in the system keyring for service 'coffeechat',"
        " user 'alice': store it with `keyring set coffeechat alice`\n"
    )
    vault.user_config('[caldav]\nkeyring = true\npassword_command = "x"\n')
    assert run("push").stderr == (
        "Error: caldav: password_command and keyring are both set; keep only one password source\n"
    )


def test_configuration_errors(run, vault):
    result = run("push")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no CalDAV server is set: add a [caldav] section")
    vault.config('[caldav]\nurl = "https://dav.example"\npassword = "hunter2"\n')
    result = run("push")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: coffeechat.toml:3: caldav.password must not be in coffeechat.toml"
        " (the vault syncs): set password_env, password_command or keyring"
        " instead\n"
    )
    settings, warnings = parse_settings(
        '[caldav]\nurl = "https://dav.example/"\nas = "todo"\n'
        'task_list = "Reminders"\ncalendar = "Jobs"\n'
    )
    assert warnings == [] and (settings.caldav_as, settings.caldav_task_list) == (
        "todo",
        "Reminders",
    )


def test_watch_pusher_survives_a_server_that_is_down(tmp_path, vault, monkeypatch):
    port = _free_port()
    server = Radicale(tmp_path / "later", port)
    vault.contact("Jane Doe", log="2026-11-10 approach: emailed")
    monkeypatch.setenv("TEST_CALDAV_PASSWORD", SECRET)
    vault.config(f"""\
        [caldav]
        url = "http://127.0.0.1:{port}/"
        username = "{USER}"
        calendar = "watched"
        password_env = "TEST_CALDAV_PASSWORD"
        timeout = 5
        """)
    settings, _ = load_settings(vault.root)
    said: list[str] = []
    pusher = Pusher(
        lambda: push(vault.root, settings, TODAY),
        said.append,
        interval=0.0,
        check_seconds=0,
        first_backoff=0.05,
        max_backoff=0.2,
    )
    pusher.start()
    try:
        pusher.changed()
        _wait(lambda: pusher.failures >= 3)
        assert [s for s in said if "cannot reach" in s] == [
            (
                f"push: cannot reach the CalDAV server http://127.0.0.1:{port}/ (connection refused);"
                " retrying with backoff, nothing is lost"
            )
        ]
        server.start()
        _wait(lambda: pusher.pushes >= 1)
        assert "push: the CalDAV server is back" in said
        assert "pushed to watched: 1 created, 0 updated, 0 deleted, 0 unchanged" in said
        assert len(server.by_uid("watched")) == 1
        # a burst of changes is one push, and nothing changed means nothing written
        for _ in range(5):
            pusher.changed()
        _wait(lambda: pusher.pushes >= 2)
        assert said.count("pushed to watched: 1 created, 0 updated, 0 deleted, 0 unchanged") == 1
    finally:
        pusher.stop()
        server.stop()
    assert pusher._thread is None


def test_the_watcher_calls_its_hook_after_a_pass(vault):
    from coffeechat.live.watch import Watcher

    settings, _ = load_settings(vault.root)
    passes: list[Any] = []
    watcher = Watcher(
        vault.root, settings, today=TODAY, report=lambda _: None, after_pass=passes.append
    )
    watcher.update("start", force=True)
    assert [p.reason for p in passes] == ["start"]
    watcher.update("rescan")  # nothing changed: skipped, no hook
    assert len(passes) == 1

    def boom(_: Any) -> None:
        raise RuntimeError("no network")

    said: list[str] = []
    watcher = Watcher(vault.root, settings, today=TODAY, report=said.append, after_pass=boom)
    assert watcher.update("start", force=True).error is None
    assert "warning: after the pass: no network" in said


def test_push_objects_are_pure_and_tasks_carry_their_due_date(vault):
    vault.contact("Jane Doe", log="2026-11-10 approach: emailed")
    settings, _ = load_settings(vault.root)
    from coffeechat import load_vault
    from coffeechat.core.rules import evaluate

    v = load_vault(vault.root)
    items = evaluate(v, TODAY)
    options = FeedOptions.from_settings(settings, "vault")
    events = push_objects(items, v.meetings.values(), TODAY, options, v.contacts)
    tasks = push_objects(items, v.meetings.values(), TODAY, options, v.contacts, todo=True)
    assert events == push_objects(items, v.meetings.values(), TODAY, options, v.contacts)
    (uid,) = events
    assert item_id_of(uid) == items[0].id and item_id_of("meeting-ab12@coffeechat") is None
    assert b"DTSTART;VALUE=DATE:20261123" in events[uid].data  # overdue: on today, as in the feed
    assert b"DUE;VALUE=DATE:20261116" in tasks[uid].data  # (Sunday 15 -> Monday)
    parsed = parse_object(tasks[uid].data)
    assert parsed is not None and parsed["component"] == "VTODO" and parsed["completed"] is None
    done = parse_object(tasks[uid].data.replace(b"STATUS:NEEDS-ACTION", b"STATUS:COMPLETED"))
    assert (
        done is not None
        and done["completed"] == dt.date.min
        and done["fingerprint"] != parsed["fingerprint"]
    )
    # a server's own additions do not count as an edit
    extra = tasks[uid].data.replace(b"END:VTODO", b"X-APPLE-SORT-ORDER:12\r\nEND:VTODO")
    assert parse_object(extra)["fingerprint"] == parsed["fingerprint"]  # type: ignore[index]


def _whole_vault(*_: Any, **__: Any) -> Any:
    raise AssertionError("the whole vault was built or evaluated")


def _tick(radicale: Radicale, calendar: str, uid: str, day: str = "20261123") -> None:
    """Mark the task ``uid`` completed on the server, as a phone's task app does."""
    href, etag, data = radicale.by_uid(calendar)[uid]
    ticked = data.replace(
        b"STATUS:NEEDS-ACTION", f"STATUS:COMPLETED\r\nCOMPLETED:{day}T120000Z".encode()
    )
    assert ticked != data and radicale.put(href, ticked, etag) in (201, 204)


def test_push_reads_through_the_store_not_the_whole_vault(
    run, radicale, calendar, vault, monkeypatch
):
    """Items, meetings and contacts come from the store's agenda (as `feed` gets them), and a
    ticked task is resolved on the part of the vault around its item: neither the rules over
    the whole vault nor the whole vault's model are ever built, on any run."""
    from coffeechat.storage.cache.index import Index

    assert run("due").exit_code == 0  # (the store holds the notes as they are)
    monkeypatch.setattr("coffeechat.core.vault.builder.build_vault", _whole_vault)
    monkeypatch.setattr("coffeechat.storage.cache.index.build_vault", _whole_vault)
    monkeypatch.setattr("coffeechat.core.rules.evaluate", _whole_vault)
    monkeypatch.setattr(Index, "vault", _whole_vault)
    first = run("push", "--as", "todo")
    assert first.exit_code == 0, first.output
    assert _out(first).endswith(": 4 created, 0 updated, 0 deleted, 0 unchanged.")
    tasks = radicale.by_uid(calendar)
    jane = next(u for u, (_, _, d) in tasks.items() if b"Follow up with Jane Doe" in d)
    _tick(radicale, calendar, jane, "20261122")
    priya = vault.root / "contacts" / "Priya Raman.md"
    priya.write_text(priya.read_text() + "- 2026-11-20 declined: not now\n")
    carl = vault.root / "contacts" / "Carl Lee.md"
    carl.write_text(carl.read_text().replace("follow_up: 2026-11-30", "follow_up: 2026-12-04"))
    note = vault.root / "contacts" / "Jane Doe.md"
    before = note.read_text()

    result = run("push", "--as", "todo")
    assert result.exit_code == 0, result.output
    line = "- 2026-11-22 follow_up: followed up"
    assert f"added `{line}` to contacts/Jane Doe.md" in result.output
    assert note.read_text() == before + line + "\n"
    assert _out(result).endswith(": 1 created, 1 updated, 1 deleted, 1 unchanged.")
    after = radicale.by_uid(calendar)
    assert b"DUE;VALUE=DATE:20261127" in after[jane][2]  # Jane's next attempt, a new task
    assert b"STATUS:COMPLETED" not in b"".join(d for _, _, d in after.values())
    assert not any(b"Priya Raman" in d for _, _, d in after.values())
    assert _out(run("push", "--as", "todo")).endswith(
        ": 0 created, 0 updated, 0 deleted, 3 unchanged."
    )


class RecordingServer(Server):
    sent: ClassVar[list[bytes]] = []

    def put(self, href: str, data: bytes, etag: str | None) -> tuple[int, str | None]:
        RecordingServer.sent.append(data)
        return super().put(href, data, etag)


def test_push_sends_the_events_the_feed_keeps(run, radicale, calendar, vault, monkeypatch):
    """The events' bytes come from the store, as `feed` rendered and kept them: nothing is
    rendered again, and each object holds the very event the feed holds."""
    feed = run("feed", "-o", "-").stdout_bytes
    monkeypatch.setattr("coffeechat.feed.serialise.event_bytes", _whole_vault)
    settings, _ = load_settings(vault.root)
    RecordingServer.sent = []
    result = push(vault.root, settings, TODAY, server_factory=RecordingServer)
    assert (result.created, result.failed) == (5, [])
    assert len(RecordingServer.sent) == 5
    for data in RecordingServer.sent:
        begin, end = data.index(b"BEGIN:VEVENT\r\n"), data.rindex(b"END:VEVENT\r\n")
        assert data[begin : end + len(b"END:VEVENT\r\n")] in feed


def _every_note(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if ".coffeechat" not in p.parts
    }


def test_done_and_a_task_ticked_on_the_server_write_the_same_bytes(
    run, radicale, calendar, vault, monkeypatch, tmp_path
):
    """Every kind of resolution — a property set (prepared:, thank_you:) or cleared
    (follow_up:), a log line, a ticked task, a new contact with its referred_by — leaves the
    very same notes whether `done` writes it or push writes back the task ticked on a phone."""
    import shutil

    # (besides the calendar's: Jane's and Priya's log lines, Carl's follow_up:, prepared:)
    vault.contact("Dana Kim", log="2026-11-01 approach: emailed")
    vault.meeting(  # thank_you:, and a referral with no note yet: a new contact
        "2026-11-10T10:00", ["Dana Kim"], front='referrals:\n  - "[[Eve Stone]]"'
    )
    vault.contact("Gus Hale")
    vault.meeting(  # a ticked task
        "2026-11-02T09:00",
        ["Gus Hale"],
        front="thank_you: 2026-11-03",
        body="## Notes\n- [ ] send him the deck 📅 2026-11-20",
    )
    by_done = tmp_path / "by-done"
    shutil.copytree(vault.root, by_done)

    assert run("push", "--as", "todo").exit_code == 0
    tasks = radicale.by_uid(calendar)
    ids = {}
    for uid in tasks:
        ident = item_id_of(uid)
        assert ident is not None
        ids[uid] = ident
        _tick(radicale, calendar, uid)
    pushed = run("push", "--as", "todo")
    assert pushed.exit_code == 0, pushed.output
    assert pushed.output.count("Marked done (ticked on the server)") == len(ids)

    monkeypatch.setattr(  # (push fills a new note's template at 09:00 on the day it was ticked)
        "coffeechat.cli.writing.template_now", lambda app: dt.datetime(2026, 11, 23, 9, 0)
    )
    for ident in ids.values():
        done = run("done", ident, root=by_done)
        assert done.exit_code == 0, done.output
    said = {ln.split(" — ", 1)[1] for ln in pushed.output.splitlines() if " — " in ln}
    for kind in (
        "set prepared: 2026-11-23",
        "set thank_you: 2026-11-23",
        "cleared follow_up:",
        "added `- 2026-11-23 follow_up",
        "ticked the task on line",
        "created a note for Eve Stone",
    ):
        assert any(kind in line for line in said), (kind, said)
    written = _every_note(vault.root)
    assert written == _every_note(by_done)
    assert 'referred_by: "[[Dana Kim]]"' in written["contacts/Eve Stone.md"].decode()


def _wait(condition: Any, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


if os.name == "nt":  # pragma: no cover
    pytestmark = pytest.mark.skip("radicale's test setup is POSIX-only here")
