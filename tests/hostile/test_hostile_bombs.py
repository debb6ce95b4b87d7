"""Bombs: a YAML alias bomb in front matter, a zip whose Connections.csv unpacks to far more
than it weighs, and a server held open by slow or too many clients or asked in HTTP/0.9.
Every wait here is bounded."""

from __future__ import annotations

import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from coffeechat.core.note.parse import MAX_EXPANDED, parse_note
from coffeechat.live.serve import FEED_NAME, FeedServer, FeedState
from coffeechat.transfer import linkedin
from conftest import raw


def bomb(levels: int) -> str:
    """Front matter of nine-fold nested aliases: 436 bytes at nine levels, gigabytes expanded."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "---\ntype: contact\nname: Bomb\n" + "\n".join(lines) + "\n---\n## Log\n"


# --- the YAML alias bomb ---------------------------------------------------------------------


@pytest.mark.parametrize("levels", [6, 9])
def test_an_alias_bomb_is_a_finding_not_a_value(levels):
    note = parse_note("contacts/Bomb.md", bomb(levels).encode())
    assert note.broken and note.meta == {}
    [finding] = note.findings
    assert finding.path == "contacts/Bomb.md" and finding.line == 2
    assert finding.message.startswith("front matter expands through YAML aliases (&name, *name) to")
    assert finding.message.endswith("; the note is left out until it is fixed")


def test_check_names_the_note_and_the_cache_stays_small(vault, run):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.write("contacts/Bomb.md", bomb(9))
    result = run("check")
    assert result.exit_code == 1
    assert "contacts/Bomb.md:2: front matter expands through YAML aliases" in result.output
    assert run("due", "--all").exit_code == 0
    cache = sum(p.stat().st_size for p in (vault.root / ".coffeechat").rglob("*") if p.is_file())
    assert cache < MAX_EXPANDED


def test_ordinary_aliases_still_work():
    text = "---\nname: &n Jane Doe\naliases: [*n, JD]\nx: &l [a, b]\ny: *l\n---\n"
    note = parse_note("contacts/Jane.md", text.encode())
    assert not note.findings
    assert note.meta["aliases"] == ["Jane Doe", "JD"] and note.meta["y"] == ["a", "b"]


def test_a_self_referencing_alias_is_still_a_plain_yaml_finding():
    note = parse_note("x.md", b"---\na: &a [*a]\n---\n")
    assert note.broken and "recursive" in note.findings[0].message


# --- the zip whose Connections.csv unpacks to gigabytes ---------------------------------------

HEADER = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


def _zip(path: Path, rows: Iterator[bytes]) -> Path:
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("Connections.csv", "w") as out,
    ):
        out.write(HEADER)
        for row in rows:
            out.write(row)
    return path


def test_a_zip_that_unpacks_past_the_cap_is_refused_unread(vault, run, tmp_path):
    row = b"Ada,Lovelace,,,Engines," + b"x" * 100_000 + b",01 Jan 2024\r\n"
    count = linkedin.MAX_CSV_BYTES // len(row) + 2
    archive = _zip(tmp_path / "export.zip", (row for _ in range(count)))
    assert archive.stat().st_size < linkedin.MAX_CSV_BYTES // 100
    before = sorted(p.name for p in (vault.root / "contacts").iterdir())
    for args in (("--dry-run",), ()):
        result = run("import", "linkedin", str(archive), *args)
        assert result.exit_code == 2
        assert result.stderr.startswith(
            f"Error: {archive}:Connections.csv unpacks to 67 MB,"
            " more than a Connections.csv can be (64 MB)"
        )
    assert sorted(p.name for p in (vault.root / "contacts").iterdir()) == before


def test_the_cap_is_checked_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(linkedin, "MAX_CSV_BYTES", 1000)
    archive = _zip(tmp_path / "e.zip", (b"Ada,Lovelace,,,,,01 Jan 2024\r\n" for _ in range(100)))

    def never(*args: object, **kwargs: object) -> object:
        raise AssertionError("the member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    with pytest.raises(Exception, match=r"unpacks to 0 MB, more than a Connections\.csv can be"):
        linkedin.parse(archive.read_bytes(), "e.zip")


@pytest.mark.parametrize(
    "encoding, bom",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16-le", b"\xff\xfe")],
)
def test_a_zipped_csv_is_read_as_it_streams(tmp_path, encoding, bom):
    rows = "".join(f"Zoë {i},Ångström,,,Acme,PM,01 Jan 2024\r\n" for i in range(3000))
    plain = bom + (HEADER.decode() + rows).encode(encoding)
    with zipfile.ZipFile(tmp_path / "e.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Basic_LinkedInDataExport/Connections.csv", plain)
    zipped = linkedin.parse((tmp_path / "e.zip").read_bytes(), "e.zip")
    assert len(zipped.records) == 3000
    assert zipped.records[0].name == "Zoë 0 Ångström" and zipped.records[0].line == 2
    if encoding != "utf-16-le":
        whole = linkedin.parse(plain, "Connections.csv")
        assert [r.name for r in zipped.records] == [r.name for r in whole.records]
    assert bool(zipped.warnings) == (encoding == "cp1252")


# --- the server: bounded threads, whole-request timeout, no HTTP/0.9 --------------------------

TOKEN = "bomb-" + "k" * 40
FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def server(monkeypatch) -> Iterator[FeedServer]:
    monkeypatch.setattr(FeedServer, "max_workers", 8)
    monkeypatch.setattr(FeedServer, "request_timeout", 1.0)
    state = FeedState()
    state.update(FEED)
    srv = FeedServer("127.0.0.1", 0, TOKEN, state, log=lambda line: None)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_http_09_is_refused(server):
    answer = raw(server.port, f"GET /{TOKEN}/{FEED_NAME}\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"VCALENDAR" not in answer


def test_a_slowloris_client_is_cut_off_at_the_request_timeout(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        closed = False
        for byte in f"GET /{TOKEN}/{FEED_NAME} HTTP/1.1\r\nX-Slow: ".encode() + b"a" * 40:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.1)  # 0.1 s a byte: far inside the 30 s per-read timeout, 4+ s in all
            sock.setblocking(False)
            try:
                if sock.recv(1) == b"":
                    closed = True
                    break
            except BlockingIOError:
                pass
            except OSError:
                closed = True
                break
            finally:
                sock.setblocking(True)
        assert closed


def test_workers_are_bounded_and_the_rest_get_503(server):
    import select

    # (Long enough that the idle connections still hold their workers while they are counted,
    # however slow the machine; closing them frees the workers below.)
    server.request_timeout = 60.0
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(40)]
    try:
        for sock in idle:
            sock.sendall(b"GET /")  # a request line that never ends
        busy = 0
        waiting = list(idle)
        deadline = time.monotonic() + 30
        while busy < 40 - server.max_workers and time.monotonic() < deadline:
            ready, _, _ = select.select(waiting, [], [], 0.5)
            for sock in ready:
                waiting.remove(sock)
                busy += sock.recv(200).startswith(b"HTTP/1.1 503 ")
        assert busy == 40 - server.max_workers
        workers = [t for t in threading.enumerate() if "process_request_thread" in t.name]
        assert 0 < len(workers) <= server.max_workers
    finally:
        for sock in idle:
            sock.close()
    # once the slow ones are cut off, real clients are served again
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        answer = raw(
            server.port,
            f"GET /{TOKEN}/{FEED_NAME} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
        )
        if answer.startswith(b"HTTP/1.1 200 "):
            break
        time.sleep(0.1)
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(FEED)
