"""The server under probe: encoded and double-encoded traversal, backslashes, wrong and partial
tokens, methods, huge headers and URLs, malformed requests, many concurrent loopback clients.
No file and no token leaks, no crash, the right status codes; every wait is bounded."""

from __future__ import annotations

import concurrent.futures
import hmac
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from coffeechat.live import serve as serve_module
from coffeechat.live.serve import FEED_NAME, FeedServer, FeedState
from conftest import raw

TOKEN = "Zq9" + "k" * 40
FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def server() -> Iterator[tuple[FeedServer, list[str]]]:
    state = FeedState()
    state.update(FEED)
    log: list[str] = []
    srv = FeedServer("127.0.0.1", 0, TOKEN, state, log=log.append)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv, log
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def request(path: str, method: str = "GET", headers: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n".encode(
        "utf-8", "surrogateescape"
    )


def assert_no_leak(answer: bytes, log: list[str]) -> None:
    assert TOKEN.encode() not in answer and b"VCALENDAR" not in answer
    assert b"root:" not in answer and b"Traceback" not in answer
    assert all(TOKEN not in line for line in log), log


PROBES = [
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd",
    f"/{TOKEN}%2f{FEED_NAME}",
    f"/{TOKEN}/%66ollowups.ics",
    f"%2f{TOKEN}%2f{FEED_NAME}",
    f"/{TOKEN}/..%2f..%2f.coffeechat/serve-token",
    f"/{TOKEN}/..%252f.coffeechat%252fserve-token",
    f"\\{TOKEN}\\{FEED_NAME}",
    f"/{TOKEN}\\{FEED_NAME}",
    f"/{TOKEN}/..\\..\\etc\\passwd",
    f"/{TOKEN}/./{FEED_NAME}",
    f"/./{TOKEN}/{FEED_NAME}",
    f"/{TOKEN}//{FEED_NAME}",
    f"/{TOKEN}/{FEED_NAME}%00",
    f"/{TOKEN}/{FEED_NAME}\x00",
    f"/{TOKEN}/{FEED_NAME};x",
    f"/{TOKEN[:10]}/{FEED_NAME}",
    f"/{TOKEN[:-1]}/{FEED_NAME}",
    f"/{TOKEN}{TOKEN}/{FEED_NAME}",
    f"/ {TOKEN}/{FEED_NAME}",
    f"http://evil/{TOKEN}x/{FEED_NAME}",
    "*",
    "/.coffeechat/index.sqlite",
    "/coffeechat.toml",
    "/contacts/Jane%20Doe.md",
    "/%C0%AE%C0%AE/etc/passwd",
    "/\u2215etc\u2215passwd",
]


@pytest.mark.parametrize("path", PROBES)
def test_traversal_and_token_probes_are_404(server, path):
    srv, log = server
    answer = raw(srv.port, request(path))
    assert status(answer) in (400, 404), answer[:200]
    assert_no_leak(answer, log)


@pytest.mark.parametrize(
    "method",
    ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "MKCOL", "FOO"],
)
def test_other_methods_never_get_the_feed(server, method):
    srv, log = server
    answer = raw(
        srv.port, request(f"/{TOKEN}/{FEED_NAME}", method, "Content-Length: 5\r\n") + b"hello"
    )
    assert status(answer) == 404
    assert_no_leak(answer, log)


def test_head_gets_headers_and_no_body(server):
    srv, log = server
    answer = raw(srv.port, request(f"/{TOKEN}/{FEED_NAME}", "HEAD"))
    assert status(answer) == 200
    head, _, body = answer.partition(b"\r\n\r\n")
    assert body == b"" and f"Content-Length: {len(FEED)}".encode() in head
    assert all(TOKEN not in line for line in log)


@pytest.mark.parametrize(
    "what",
    [
        "long-url",
        "long-header",
        "many-headers",
        "garbage",
        "no-version",
        "bad-version",
        "empty",
        "binary",
        "lf-only",
    ],
)
def test_malformed_and_huge_requests_get_an_error_not_a_crash(server, what):
    srv, log = server
    data = {
        "long-url": request("/" + "a" * 70_000),
        "long-header": request("/", headers="X-Big: " + "b" * 70_000 + "\r\n"),
        "many-headers": request("/", headers="".join(f"X-{i}: {i}\r\n" for i in range(200))),
        "garbage": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
        + bytes(range(256)),  # a TLS hello
        "no-version": f"GET /{TOKEN[:-1]}/{FEED_NAME}\r\n\r\n".encode(),
        "bad-version": f"GET /{TOKEN}/{FEED_NAME} HTTP/9.9\r\n\r\n".encode(),
        "empty": b"",
        "binary": b"\x00" * 1000 + b"\r\n\r\n",
        "lf-only": f"GET /{TOKEN}x/{FEED_NAME} HTTP/1.1\nHost: x\n\n".encode(),
    }[what]
    answer = raw(srv.port, data)
    assert status(answer) in (0, 400, 404, 414, 431, 505), answer[:200]
    assert_no_leak(answer, log)
    # ... and the server still serves the real feed afterwards
    good = raw(srv.port, request(f"/{TOKEN}/{FEED_NAME}"))
    assert status(good) == 200 and good.endswith(FEED)


def test_a_full_url_with_the_token_in_a_header_is_not_logged(server):
    srv, log = server
    raw(
        srv.port,
        request("/nope", headers=f"Referer: http://x/{TOKEN}/{FEED_NAME}\r\nX-Token: {TOKEN}\r\n"),
    )
    raw(srv.port, f"GET /{TOKEN}/{FEED_NAME} HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n".encode())
    raw(srv.port, f"GET /{TOKEN}/{FEED_NAME} HTTP/7\r\n\r\n".encode())
    assert log and all(TOKEN not in line for line in log), log


def test_the_token_is_compared_in_constant_time(server, monkeypatch):
    srv, _log = server
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(serve_module.hmac, "compare_digest", spy)
    for path in (f"/{TOKEN[:5]}/{FEED_NAME}", f"/{TOKEN}/{FEED_NAME}", "/x"):
        raw(srv.port, request(path))
    assert len(calls) == 3  # every request, right or wrong, goes through compare_digest
    assert all(b == f"/{TOKEN}/{FEED_NAME}".encode() for _a, b in calls)


def test_many_concurrent_clients_from_loopback(server):
    srv, log = server
    started = time.monotonic()

    def one(i: int) -> int:
        path = f"/{TOKEN}/{FEED_NAME}" if i % 3 else f"/{TOKEN[:-2]}/{FEED_NAME}"
        answer = raw(srv.port, request(path))
        assert (status(answer) == 200 and answer.endswith(FEED)) if i % 3 else status(answer) == 404
        return status(answer)

    with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
        codes = list(pool.map(one, range(300)))
    assert codes.count(200) == 200 and codes.count(404) == 100
    assert time.monotonic() - started < 30
    assert all(TOKEN not in line for line in log)


def test_idle_connections_do_not_block_real_clients(server):
    srv, _log = server
    idle = [socket.create_connection(("127.0.0.1", srv.port), timeout=5) for _ in range(64)]
    try:
        for sock in idle[:32]:
            sock.sendall(b"GET /")  # a request line that never ends
        started = time.monotonic()
        answer = raw(srv.port, request(f"/{TOKEN}/{FEED_NAME}"))
        assert status(answer) == 200 and time.monotonic() - started < 5
    finally:
        for sock in idle:
            sock.close()
