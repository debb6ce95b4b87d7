"""`watch` following a Maildir: the installed `coffeechat watch`, a real Maildir under a home
folder named by `~/`, and mail delivered into it the way a delivery agent does (tmp/, then a
rename into new/): the reply is logged, and the chase leaves the feed by itself."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import mailbox
import os
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from test_watch_e2e import Watching

from coffeechat.errors import ConfigError
from coffeechat.live.mailwatch import maildir_path

ME = "sam.rivera@gmail.com"


def reply(subject: str, day: int) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Jane Doe <JANE@acme.example>"
    msg["To"] = ME
    msg["Subject"] = subject
    msg["Date"] = email.utils.format_datetime(dt.datetime(2026, 11, day, 15, tzinfo=dt.UTC))
    msg.set_content("Happy to.\n")
    return msg


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


def wait_until(check, what: str, w: Watching, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"{what}: {w.lines}"
        w.passes()  # keep reading its output
        time.sleep(0.05)


def test_watch_logs_a_reply_as_it_arrives_and_the_chase_goes(vault, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "Mail").mkdir(parents=True)
    inbox = home / "Mail" / "INBOX"
    box = mailbox.Maildir(inbox, create=True)
    box.add(reply("Re: old thread", 1))  # already there: caught up with on start
    vault.config(f"""
        [mail]
        addresses = ["{ME}"]
    """)
    vault.user_config('[mail]\nmaildir = "~/Mail/INBOX"\n')  # (this computer's, not the vault's)
    vault.contact(
        "Jane Doe", "email: jane@acme.example", log="2026-11-10 approach: asked for 30 minutes"
    )
    note = vault.root / "contacts/Jane Doe.md"
    feed = vault.root / ".coffeechat" / "followups.ics"
    monkeypatch.setenv("HOME", str(home))  # the watcher's environment is this one's
    w = Watching(vault.root)
    try:
        w.expect(f"following mail in {inbox}")
        wait_until(lambda: "- 2026-11-01 reply: Re: old thread" in note.read_text(), "catch-up", w)
        wait_until(
            lambda: feed.exists() and b"Follow up with Jane Doe" in feed.read_bytes(),
            "the chase in the feed",
            w,
        )
        before = digest(inbox)
        box.add(reply("Re: 30 minutes?", 20))  # delivered while watching
        w.expect("mail: logged `- 2026-11-20 reply: Re: 30 minutes?` in contacts/Jane Doe.md")
        wait_until(
            lambda: b"Follow up with Jane Doe" not in feed.read_bytes(),
            "the chase left the feed",
            w,
        )
        assert note.read_text().count("reply: Re: 30 minutes?") == 1
        # the Maildir was only read: only the delivery itself changed it
        delivered = list((inbox / "new").iterdir())
        assert len(delivered) == 2 and digest(inbox) != before
        snapshot = {
            p: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.rglob("*") if p.is_file()
        }
    finally:
        assert w.stop() == 0, w.lines
    assert {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in inbox.rglob("*") if p.is_file()
    } == snapshot
    assert not any("error" in line for line in w.lines), w.lines


def test_a_maildir_that_is_not_there_is_one_line_and_watch_goes_on(vault, tmp_path):
    vault.user_config('[mail]\nmaildir = "no/such/folder"\n')
    w = Watching(vault.root)
    try:
        w.expect("error: not following mail:")
        w.expect("watching for changes")
    finally:
        assert w.stop() == 0
    assert not (vault.root / "no").exists()  # nothing is made where the setting points


def test_only_your_own_home_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    root = tmp_path / "vault"
    assert maildir_path(root, "~/Mail/INBOX") == tmp_path / "Mail" / "INBOX"
    assert maildir_path(root, "~") == tmp_path
    assert maildir_path(root, "Mail") == root / "Mail"
    assert maildir_path(root, "/var/mail/sam") == Path("/var/mail/sam")
    assert maildir_path(root, "$HOME/Mail") == root / "$HOME" / "Mail"
    with pytest.raises(ConfigError, match="only ~/"):
        maildir_path(root, "~root/Mail")
    monkeypatch.delenv("HOME")
    if os.name == "posix":  # without HOME, Python falls back to the password database
        assert maildir_path(root, "~/Mail").name == "Mail"


def test_a_maildir_named_by_the_synced_vault_file_is_refused(vault, run):
    """A vault from elsewhere must not choose which of your mail `watch` copies into its notes
    (which sync back): the Maildir belongs in the per-user file."""
    vault.config('[mail]\nmaildir = "~/Mail/INBOX"\n')
    result = run("due")
    assert result.exit_code == 2
    assert "mail.maildir belongs on this computer" in result.stderr
    assert result.stderr.count("\n") == 1
