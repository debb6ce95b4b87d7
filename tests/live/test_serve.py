"""`serve`: a real HTTP server on 127.0.0.1 and a free port, fetched with urllib — the feed
under its token, 304 only for unchanged bytes, 404 for everything else, no token in the log."""

from __future__ import annotations

import http.client
import os
import queue
import signal
import stat
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from coffeechat.live.serve import FeedServer, FeedState, feed_urls, is_loopback
from coffeechat.storage import files, serve_token
from coffeechat.storage.serve_token import load_token
from conftest import COFFEECHAT

TOKEN = "t0k3n-" + "x" * 30


@pytest.fixture
def server() -> Iterator[tuple[FeedServer, FeedState, list[str]]]:
    state = FeedState()
    state.update(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    log: list[str] = []
    srv = FeedServer("127.0.0.1", 0, TOKEN, state, log=log.append)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv, state, log
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def _get(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def _raw(port: int, method: str, path: str) -> tuple[int, bytes]:
    """A request sent exactly as written (urllib would normalise some paths)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_the_feed_under_its_token(server):
    srv, state, log = server
    url = f"http://127.0.0.1:{srv.port}/{TOKEN}/followups.ics"
    status, headers, body = _get(url)
    assert status == 200 and body == state.data
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert headers["Content-Length"] == str(len(body))
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith(" GMT")
    assert headers["Server"] == "coffeechat"
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, body = _get(url, {"If-None-Match": etag})
    assert (status, body, again["ETag"]) == (304, b"", etag)
    assert _get(url, {"If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert _get(url, {"If-Modified-Since": modified})[0] == 304
    assert _get(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    assert _get(url, {"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    assert _get(url + "?refresh=1")[0] == 200  # a cache-buster is fine
    head = _get(url, method="HEAD")
    assert head[0] == 200 and head[2] == b"" and head[1]["Content-Length"] == str(len(state.data))
    state.update(b"BEGIN:VCALENDAR\r\nX-CHANGED:1\r\nEND:VCALENDAR\r\n")
    status, changed, body = _get(url, {"If-None-Match": etag})
    assert (
        status == 200
        and body.startswith(b"BEGIN:VCALENDAR\r\nX-CHANGED")
        and changed["ETag"] != etag
    )
    assert _get(url, {"If-Modified-Since": modified})[0] == 200  # a later Last-Modified
    assert log and all(TOKEN not in line for line in log)
    assert "127.0.0.1 GET /<token>/followups.ics 200" in log


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/"),
        ("GET", "/followups.ics"),
        ("GET", f"/{TOKEN}"),
        ("GET", f"/{TOKEN}/"),
        ("GET", f"/{TOKEN}/index.sqlite"),
        ("GET", f"/{TOKEN}/followups.ics/"),
        ("GET", f"/{TOKEN}/../followups.ics"),
        ("GET", f"/{TOKEN}/../../../etc/passwd"),
        ("GET", f"/x/../{TOKEN}/followups.ics"),
        ("GET", f"//{TOKEN}/followups.ics"),
        ("GET", f"/{TOKEN[:-1]}/followups.ics"),
        ("GET", f"/{TOKEN}x/followups.ics"),
        ("GET", f"/{TOKEN.upper()}/followups.ics"),
        ("GET", "/%2e%2e/%2e%2e/etc/passwd"),
        ("GET", f"/{TOKEN}/%2e%2e/followups.ics"),
        ("GET", "/.coffeechat/serve-token"),
        ("POST", f"/{TOKEN}/followups.ics"),
        ("PUT", f"/{TOKEN}/followups.ics"),
        ("DELETE", f"/{TOKEN}/followups.ics"),
        ("OPTIONS", f"/{TOKEN}/followups.ics"),
        ("PROPFIND", f"/{TOKEN}/followups.ics"),
        ("PATCH", "/"),
    ],
)
def test_everything_else_is_404(server, method, path):
    srv, _state, log = server
    status, body = _raw(srv.port, method, path)
    assert status == 404
    assert b"VCALENDAR" not in body
    assert all(TOKEN not in line for line in log)


def test_wrong_token_with_urllib(server):
    srv, _state, _log = server
    assert _get(f"http://127.0.0.1:{srv.port}/wrong-token/followups.ics")[0] == 404
    status, headers, body = _get(f"http://127.0.0.1:{srv.port}/")
    assert status == 404 and headers["Content-Type"].startswith("text/plain") and b"<" not in body


def test_the_token_is_made_once_kept_private_and_rotated(tmp_path, monkeypatch):
    token, new = load_token(tmp_path)
    assert new and len(token) >= 40
    path = tmp_path / ".coffeechat" / "serve-token"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_token(tmp_path) == (token, False)
    rotated, new = load_token(tmp_path, rotate=True)
    assert new and rotated != token and load_token(tmp_path) == (rotated, False)
    path.write_text("short\n")
    path.chmod(0o644)  # a token file others could read is replaced by a private one
    seen = []
    real = files.atomic_write
    monkeypatch.setattr(
        serve_token,
        "atomic_write",
        lambda *a, **k: real(
            *a, **k, before_replace=lambda tmp: seen.append(stat.S_IMODE(os.stat(tmp).st_mode))
        ),
    )
    assert load_token(tmp_path)[0] != "short"
    assert seen == [0o600]  # private before it is in place, not chmod-ed after
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert feed_urls("127.0.0.1", 8765, "abc") == (
        "http://127.0.0.1:8765/abc/followups.ics",
        "webcal://127.0.0.1:8765/abc/followups.ics",
    )
    assert feed_urls("::1", 80, "abc")[0] == "http://[::1]:80/abc/followups.ics"


def test_last_modified_rises_with_every_change():
    state = FeedState()
    state.update(b"a", mtime_ns=1_700_000_000_400_000_000)
    first = state.snapshot()
    assert first[2] == 1_700_000_001
    state.update(b"a", mtime_ns=1_800_000_000_000_000_000)
    assert state.snapshot() == first  # same bytes: nothing changes
    state.update(b"b", mtime_ns=1_700_000_000_900_000_000)  # same second as before
    assert state.snapshot()[2] == 1_700_000_002 and state.snapshot()[1] != first[1]


# --- the command, as a user runs it -------------------------------------------------------------

EXE = COFFEECHAT


class Process:
    """`coffeechat serve` in the background, its output read line by line."""

    def __init__(self, *args: str) -> None:
        assert EXE, "the coffeechat command is not installed"
        env = {k: v for k, v in os.environ.items() if not k.startswith("COFFEECHAT_")}
        self.proc = subprocess.Popen(
            [EXE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.errors: list[str] = []
        self._threads = [
            threading.Thread(target=self._read, args=(self.proc.stdout, True)),
            threading.Thread(target=self._read, args=(self.proc.stderr, False)),
        ]
        for thread in self._threads:
            thread.start()

    def _read(self, stream, out: bool) -> None:
        for line in stream:
            if out:
                self.lines.put(line.rstrip("\n"))
            else:
                self.errors.append(line.rstrip("\n"))

    def expect(self, text: str, timeout: float = 15) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} in {self.seen} / {self.errors}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=15)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=5)
            for thread in self._threads:
                thread.join(timeout=5)
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code


def test_serve_command_serves_the_current_feed_and_stops_cleanly(sample_copy):
    (sample_copy / "coffeechat.toml").write_text(
        (sample_copy / "coffeechat.toml").read_text(encoding="utf-8")
        + "\n[watch]\ndebounce_ms = 100\n",
        encoding="utf-8",
    )
    server = Process("--vault", str(sample_copy), "--today", "2026-11-23", "serve", "--port", "0")
    try:
        url = server.expect("http://127.0.0.1:").strip()
        webcal = server.expect("webcal://").strip()
        token = (sample_copy / ".coffeechat" / "serve-token").read_text().strip()
        assert (
            url.endswith(f"/{token}/followups.ics")
            and webcal == "webcal://" + url[len("http://") :]
        )
        server.expect("serving;")
        status, headers, body = _get(url)
        assert (
            status == 200 and body == (sample_copy / ".coffeechat" / "followups.ics").read_bytes()
        )
        assert _get(url, {"If-None-Match": headers["ETag"]})[0] == 304
        assert _get(url.replace(token, "nope"))[0] == 404
        assert (
            _raw(int(url.split(":")[2].split("/")[0]), "GET", f"/{token}/../followups.ics")[0]
            == 404
        )
        note = sample_copy / "contacts" / "Ana Newcomer.md"
        note.write_text(
            "---\ntype: contact\nname: Ana Newcomer\nfollow_up: 2026-11-30\n---\n", encoding="utf-8"
        )
        server.expect("change:")
        status, _changed, body = _get(url, {"If-None-Match": headers["ETag"]})
        assert status == 200 and b"Follow up with Ana Newcomer" in body
    finally:
        code = server.stop()
    assert code == 0, server.errors
    assert server.seen[-1].endswith("stopped")
    later = server.seen[[line.strip() for line in server.seen].index(webcal) + 1 :]
    assert all(token not in line for line in later + server.errors)
    assert not any("Traceback" in line for line in server.errors)


def test_serve_warns_off_loopback_and_rotates_the_token(sample_copy):
    old, _ = load_token(sample_copy)
    server = Process(
        "--vault",
        str(sample_copy),
        "--today",
        "2026-11-23",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--rotate-token",
    )
    try:
        server.expect("A new secret URL was made")
        server.expect("serving;")
    finally:
        code = server.stop(signal.SIGINT)
    assert code == 0
    assert any("warning: listening on 0.0.0.0" in line for line in server.errors)
    assert load_token(sample_copy)[0] != old


def test_serve_reports_a_busy_port(sample_copy):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [EXE or "coffeechat", "--vault", str(sample_copy), "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"Error: cannot listen on 127.0.0.1:{port}: ")
    assert result.stderr.count("\n") == 1
