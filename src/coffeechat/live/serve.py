"""The feed over HTTP for calendar subscription: one secret token path, ETag/304, 404 otherwise.

Calendar apps cannot send credentials, so the URL is the password: ``/<token>/followups.ics``
with a random token kept in ``.coffeechat/serve-token`` (``--rotate-token`` revokes it). The
server never touches the file system for a request — it answers from the bytes in memory,
so there is nothing to list and no path to traverse — and its log never shows the token.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import io
import ipaddress
import math
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "FEED_NAME",
    "FeedServer",
    "FeedState",
    "feed_urls",
    "is_loopback",
    "watcher_report",
]

FEED_NAME = "followups.ics"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def feed_urls(host: str, port: int, token: str) -> tuple[str, str]:
    """The http:// and webcal:// URLs of the feed."""
    shown = host
    if host in ("0.0.0.0", "::", ""):
        shown = socket.gethostname()
    elif ":" in host and not host.startswith("["):
        shown = f"[{host}]"
    rest = f"{shown}:{port}/{token}/{FEED_NAME}"
    return f"http://{rest}", f"webcal://{rest}"


class FeedState:
    """The bytes being served, their ETag and Last-Modified; swapped whole under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.data = b""
        self.etag = ""
        self.last_modified = 0  # whole seconds, rising with every change of the bytes

    def update(self, data: bytes, mtime_ns: int | None = None) -> None:
        """New bytes; ``mtime_ns`` is when the feed file last changed (for Last-Modified)."""
        with self._lock:
            if data == self.data and self.etag:
                return
            changed = math.ceil(mtime_ns / 1e9) if mtime_ns else math.ceil(time.time())
            if self.etag:  # a later version never shares an earlier one's Last-Modified
                changed = max(changed, self.last_modified + 1)
            self.data = data
            self.etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            self.last_modified = changed

    def snapshot(self) -> tuple[bytes, str, int]:
        with self._lock:
            return self.data, self.etag, self.last_modified


def watcher_report(state: FeedState, log: Callable[[str], None]) -> Callable[[str], None]:
    """The watcher's report for `serve`. A rebuild that failed never reaches `state` (only a
    whole, good feed does), so calendars keep the last good one; the log says so."""

    def report(line: str) -> None:
        log(line)
        if line.startswith("error:"):
            _data, etag, modified = state.snapshot()
            if etag:
                log(
                    "still serving the last good feed (built "
                    + time.strftime("%H:%M:%S", time.localtime(modified))
                    + ")"
                )
            else:
                log("no feed built yet: answering 503 (try again later) until one is")

    return report


def _etag_matches(header: str, etag: str) -> bool:
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


class _Deadline(io.RawIOBase):
    """A connection's reads, bounded by its handler's deadline for the whole request: a client
    that sends a byte now and then (slowloris) is cut off, not only one that falls silent."""

    def __init__(self, sock: socket.socket, handler: _Handler) -> None:
        super().__init__()
        self.sock = sock
        self.handler = handler

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.handler.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(min(left, self.handler.timeout))
        return self.sock.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer
    server_version = "coffeechat"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # An error is answered with a status line and headers, never in HTTP/0.9's bare body.
    default_request_version = "HTTP/1.0"
    timeout = 30  # a client that sends nothing does not hold a thread for ever
    deadline = 0.0

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # (the plain reader: it would keep the socket open after close)
        self.rfile = io.BufferedReader(_Deadline(self.connection, self))

    def handle_one_request(self) -> None:
        # Each request (and the wait for the next one on a kept-alive connection) must arrive
        # whole within request_timeout seconds.
        self.deadline = time.monotonic() + self.server.request_timeout
        super().handle_one_request()

    def parse_request(self) -> bool:
        if len(self.raw_requestline.split()) == 2:
            # HTTP/0.9 ("GET /path", no headers follow): its answer has no status line or
            # headers, which a proxy or a browser would take for anything. Nothing here speaks it.
            self.command = self.requestline = ""  # (nothing of it is logged)
            self.request_version = self.default_request_version
            self.close_connection = True
            self.send_error(400)
            return False
        if not super().parse_request():
            return False
        self.connection.settimeout(self.timeout)  # the answer: the usual per-send timeout
        return True

    def do_GET(self) -> None:
        self._feed(body=True)

    def do_HEAD(self) -> None:
        self._feed(body=False)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # POST, PUT, DELETE, OPTIONS, PROPFIND, ...: nothing here
            return self._not_found
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's error page without ``message``: it quotes the request line back
        (``Bad request syntax ('GET /<token>/...')``) in the status line and the page, which
        puts the token — or whatever was sent — into the answer and any proxy's log."""
        super().send_error(code)

    def version_string(self) -> str:
        return self.server_version  # no Python version for the curious

    def _path(self) -> str:
        """The path exactly as the request line sent it (http.server rewrites a leading //)."""
        parts = (self.requestline or "").split()
        return parts[1].split("?", 1)[0] if len(parts) >= 2 else ""

    def _feed(self, body: bool) -> None:
        path = self._path()
        if not hmac.compare_digest(path.encode("utf-8", "replace"), self.server.feed_path.encode()):
            self._not_found()
            return
        data, etag, modified = self.server.state.snapshot()
        if not etag:  # no feed built yet: an empty 200 would tell a calendar every event is gone
            self._unavailable()
            return
        match = self.headers.get("If-None-Match")
        if match is not None:
            fresh = _etag_matches(match, etag)
        else:
            since = self.headers.get("If-Modified-Since")
            try:
                stamp = email.utils.parsedate_to_datetime(since).timestamp() if since else None
            except (TypeError, ValueError, IndexError, OverflowError):
                stamp = None
            fresh = stamp is not None and stamp >= modified
        self.send_response(304 if fresh else 200)
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(modified, usegmt=True))
        self.send_header("Cache-Control", "private, no-cache")
        if not fresh:
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Disposition", f'inline; filename="{FEED_NAME}"')
        self._safety_headers()
        self.end_headers()
        if body and not fresh:
            self.wfile.write(data)

    def _unavailable(self) -> None:
        data = b"The feed is not built yet; try again shortly.\n"
        self.send_response(503)
        self.send_header("Retry-After", "60")
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self._safety_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _not_found(self) -> None:
        data = b"Not found\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self._safety_headers()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _safety_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    # -- logging: one line a request, never the token ----------------------------------------
    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        path = self._path()
        shown = f"/<token>/{FEED_NAME}" if path == self.server.feed_path else "(another path)"
        method = self.command if re.fullmatch(r"[A-Z]{1,12}", self.command or "") else "?"
        self.server.log(f"{self.client_address[0]} {method} {shown} {getattr(code, 'value', code)}")

    def log_message(self, format: str, *args: Any) -> None:
        text = format % args
        self.server.log(text.replace(self.server.token, "<token>")[:200])


class FeedServer(ThreadingHTTPServer):
    """Serves ``state`` at ``/<token>/followups.ics`` on ``host:port`` (port 0 = any free one)."""

    daemon_threads = True
    allow_reuse_address = True
    #: socketserver's default listen backlog is 5: a calendar app, a phone and a few probes at
    #: once overflowed it, and clients waited a second for a SYN retry or were reset.
    request_queue_size = 128
    #: At most this many connections are served at once (a thread each); one more is answered
    #: 503 and closed. Idle and slow connections hold a thread only until request_timeout.
    max_workers = 100
    #: Seconds a request may take to arrive whole, however it dribbles in.
    request_timeout = 20.0

    def __init__(
        self, host: str, port: int, token: str, state: FeedState, log: Callable[[str], None] = print
    ) -> None:
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        self.token = self.feed_path = ""
        self.set_token(token)
        self.state = state
        self.log = log
        self._slots = threading.BoundedSemaphore(self.max_workers)
        super().__init__((host.strip("[]"), port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._busy(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client gone mid-answer is routine; anything else is one log line, no traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            self.log(f"error answering {client_address[0]}: {type(exc).__name__}")

    def _busy(self, request: socket.socket) -> None:
        """Every worker is taken: say so without reading the request, and close."""
        try:
            request.setblocking(False)  # a few bytes into an empty send buffer: never waits
            request.send(
                b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
        except OSError:
            pass
        self.shutdown_request(request)

    def set_token(self, token: str) -> None:
        self.token = token
        self.feed_path = f"/{token}/{FEED_NAME}"

    @property
    def port(self) -> int:
        return int(self.server_address[1])
