"""`import mail imaps://…` against a real Dovecot on loopback, started by the test with its own
configuration, a self-signed certificate the client is told to trust, and a Maildir the test
fills with `mailbox`: headers only, read only (no message gets \\Seen), --since on the server,
the password from the same sources as CalDAV's."""

from __future__ import annotations

import datetime as dt
import email.utils
import mailbox
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from coffeechat.errors import UsageError
from coffeechat.transfer.imap import parse_imap_url

DOVECOT = shutil.which("dovecot") or (
    "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
)
OPENSSL = shutil.which("openssl")
ME = "sam.rivera@gmail.com"
PASSWORD = "c0rrect horse"

pytestmark = pytest.mark.skipif(
    DOVECOT is None or OPENSSL is None,
    reason="dovecot (apt install dovecot-imapd) or openssl is missing",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    """A Dovecot serving one user's Maildir over IMAPS on 127.0.0.1."""

    def __init__(self, base: Path) -> None:
        self.base = base
        base.mkdir(parents=True)
        self.port = free_port()
        self.maildir = base / "mail" / "sam" / "Maildir"
        root = os.geteuid() == 0
        me = pwd.getpwuid(os.geteuid()).pw_name
        owner = "nobody" if root else me  # Dovecot serves no mail as root
        login = "dovenull" if root else me
        internal = "dovecot" if root else me
        subprocess.run(
            [
                OPENSSL or "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                str(base / "key.pem"),
                "-out",
                str(base / "cert.pem"),
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        # Dovecot's sockets live in base_dir, and a socket's path has at most 107 bytes: under
        # pytest-xdist tmp_path alone is ~90 (.../pytest-N/popen-gw0/test_name0/), so a short
        # folder of its own keeps "Fatal: ... File name too long" away.
        self.run = Path(tempfile.mkdtemp(prefix="dovecot-"))
        os.chmod(self.run, 0o755)
        (base / "passwd").write_text(f"sam:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
        (base / "dovecot.conf").write_text(
            f"""\
base_dir = {self.run}
state_dir = {self.run}/state
protocols = imap
listen = 127.0.0.1
log_path = {base}/dovecot.log
ssl = required
ssl_cert = <{base}/cert.pem
ssl_key = <{base}/key.pem
auth_mechanisms = plain
default_login_user = {login}
default_internal_user = {internal}
mail_location = maildir:{base}/mail/%u/Maildir
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {base}/passwd
}}
userdb {{
  driver = static
  args = uid={owner} gid={pwd.getpwnam(owner).pw_gid} home={base}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.port}
    ssl = yes
  }}
}}
""",
            encoding="utf-8",
        )
        self.owner = owner
        for folder in (base, *base.parents):  # the unprivileged processes must reach it
            if folder == Path(folder.anchor):
                break
            os.chmod(folder, os.stat(folder).st_mode | 0o755)
        self.maildir.parent.mkdir(parents=True)
        self.box = mailbox.Maildir(self.maildir, create=True)
        self.proc = subprocess.Popen(
            [DOVECOT or "dovecot", "-F", "-c", str(base / "dovecot.conf")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert self.proc.poll() is None, self.proc.stdout.read()  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "dovecot did not start listening"
                time.sleep(0.05)

    def deliver(self, *messages: EmailMessage) -> None:
        for msg in messages:
            self.box.add(msg)
        shutil.chown(self.base / "mail", self.owner)
        for path in (self.base / "mail").rglob("*"):
            shutil.chown(path, self.owner)

    def files(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.maildir)): p.read_bytes()
            for p in self.maildir.rglob("*")
            if p.is_file() and p.parent.name in ("cur", "new")
        }

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        shutil.rmtree(self.run, ignore_errors=True)


@pytest.fixture
def dovecot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dovecot]:
    server = Dovecot(tmp_path / "dovecot")
    monkeypatch.setenv("SSL_CERT_FILE", str(server.base / "cert.pem"))  # trust its certificate
    try:
        yield server
    finally:
        server.stop()


def message(sender: str, to: str, subject: str, day: int, month: int = 11) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(dt.datetime(2026, month, day, 15, tzinfo=dt.UTC))
    msg.set_content("A body coffeechat never fetches.\n")
    return msg


@pytest.fixture
def imap_vault(vault, monkeypatch):
    vault.config(f"""
        [mail]
        addresses = ["{ME}"]
        password_env = "TEST_IMAP_PASSWORD"
    """)
    vault.contact(
        "Jane Doe", "email: jane@acme.example", log="2026-11-10 approach: asked for 30 minutes"
    )
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    return vault


def test_imap_reply_ends_the_chase_read_only(dovecot, imap_vault, run):
    dovecot.deliver(
        message("Jane <Jane@Acme.Example>", ME, "Re: 30 minutes?", 12),
        message("Jane <jane@acme.example>", ME, "Old thread", 2, month=10),
        message("News <news@list.example>", ME, "Digest", 13),
    )
    before = dovecot.files()
    url = f"imaps://sam@localhost:{dovecot.port}/INBOX"
    result = run("import", "mail", "--since", "2026-11-01", url)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Added `- 2026-11-12 reply: Re: 30 minutes?` to contacts/Jane Doe.md",
        (
            f"Imported mail from imaps://sam@localhost:{dovecot.port}/INBOX: 2 messages read,"
            " 1 matched a contact, 1 skipped (1 unknown sender); 1 line written, 0 already in the"
            " notes."
        ),
    ]
    assert dovecot.files() == before  # no flag set, nothing moved: EXAMINE and BODY.PEEK
    due = run("due", "--all", "--json").output
    assert "follow_up_approach" not in due
    again = run("import", "mail", "--since", "2026-11-01", url)
    assert "0 lines written, 1 already in the notes." in again.output
    # One line per session, written as it logs out: Dovecot may write the second a moment
    # after the client has gone, so wait for it (bounded).
    deadline = time.monotonic() + 10
    while True:
        log = (dovecot.base / "dovecot.log").read_text(encoding="utf-8")
        bodies = re.findall(r"body_count=(\d+)", log)
        if len(bodies) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(bodies) == 2 and set(bodies) == {"0"}  # headers only, never a body


def test_a_wrong_password_is_one_line(dovecot, imap_vault, run, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "wrong")
    result = run("import", "mail", f"imaps://sam@localhost:{dovecot.port}/INBOX")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: imaps://sam@localhost:{dovecot.port}/INBOX: the server refused user 'sam' with"
        " this password"
    )


def test_an_untrusted_certificate_is_refused(dovecot, imap_vault, run, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    result = run("import", "mail", f"imaps://sam@localhost:{dovecot.port}/INBOX")
    assert result.exit_code == 1
    assert "the TLS connection failed (CERTIFICATE_VERIFY_FAILED)" in result.output


def test_the_password_comes_from_the_mail_section(imap_vault, run):
    imap_vault.config('[mail]\npassword_env = "NOT_SET_ANYWHERE"\n')
    result = run("import", "mail", "imaps://sam@localhost:1/INBOX")
    assert result.exit_code == 2
    assert result.output == (
        "Error: the environment variable NOT_SET_ANYWHERE (mail.password_env) is not set or empty\n"
    )
    imap_vault.config('[mail]\npassword = "hunter2"\n')
    assert "mail.password must not be in coffeechat.toml" in run("import", "mail", "x").output


@pytest.mark.parametrize(
    "url, message",
    [
        ("imap://sam@host/INBOX", "only imaps://"),
        ("imaps://sam:pw@host/INBOX", "no password in the address"),
        ("imaps://host/INBOX", "give the user and the server"),
    ],
)
def test_bad_addresses(url, message):
    with pytest.raises(UsageError, match=message):
        parse_imap_url(url)


def test_address_parts():
    source = parse_imap_url("imaps://sam%40example.org@imap.example.org:1993/Sent%20Items")
    assert (source.user, source.host, source.port, source.mailbox) == (
        "sam@example.org",
        "imap.example.org",
        1993,
        "Sent Items",
    )
    assert parse_imap_url("imaps://sam@imap.example.org").mailbox == "INBOX"
