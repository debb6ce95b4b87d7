"""`import mail`: real Maildir folders and mbox files, built with `mailbox`, logged into the
contacts' notes through the same safe edit as `log`."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import mailbox
import shutil
from email.header import Header
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coffeechat.transfer.mail import address_key, subject_key

ME = "sam.rivera@gmail.com"
UTC = dt.UTC


def message(
    sender: str, to: str, subject: str, when: dt.datetime | None, **headers: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if when is not None:
        msg["Date"] = email.utils.format_datetime(when)
    msg["Message-ID"] = email.utils.make_msgid(domain="example.org")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Hello,\n\nsee below.\n")
    return msg


def at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def tree_digest(path: Path) -> str:
    """Every file's name, bytes and mtime under ``path`` (or of the file ``path``)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        digest.update(
            str(file).encode() + file.read_bytes() + str(file.stat().st_mtime_ns).encode()
        )
    return digest.hexdigest()


@pytest.fixture
def chased(vault):
    """Jane was approached on 2026-11-10 and has not answered: a follow-up is due."""
    vault.config(f"""
        [vault]
        timezone = "America/New_York"

        [mail]
        addresses = ["{ME}", "sam@work.example"]
    """)
    vault.contact(
        "Jane Doe", "email: jane@acme.example", log="2026-11-10 approach: asked for 30 minutes"
    )
    vault.contact("Carl Lee", "email: carl@globex.example\nemails:\n  - carl.lee.home@gmail.com")
    return vault


def maildir(tmp_path: Path, *messages: EmailMessage, name: str = "INBOX") -> Path:
    folder = tmp_path / "Mail" / name
    folder.parent.mkdir(parents=True, exist_ok=True)
    box = mailbox.Maildir(folder, create=True)
    for msg in messages:
        box.add(msg)
    box.close()
    return folder


def mbox(tmp_path: Path, *messages: EmailMessage) -> Path:
    path = tmp_path / "All mail.mbox"
    box = mailbox.mbox(path, create=True)
    for msg in messages:
        box.add(msg)
    box.close()
    return path


def due_rules(run) -> list[tuple[str, str]]:
    result = run("due", "--all", "--json")
    assert result.exit_code == 0, result.output
    return [(i["rule"], i["contact"]) for i in json.loads(result.output)]


def test_a_reply_in_the_maildir_ends_the_chase(chased, run, tmp_path):
    assert ("follow_up_approach", "Jane Doe") in due_rules(run)
    folder = maildir(
        tmp_path, message("Jane Doe <Jane@ACME.Example>", f"Sam <{ME}>", "Re: 30 minutes?", at(12))
    )
    result = run("import", "mail", str(folder))
    assert result.exit_code == 0, result.output
    assert "Added `- 2026-11-12 reply: Re: 30 minutes?` to contacts/Jane Doe.md" in result.output
    assert ("follow_up_approach", "Jane Doe") not in due_rules(run)
    text = (chased.root / "contacts/Jane Doe.md").read_text(encoding="utf-8")
    assert text.endswith(
        "- 2026-11-10 approach: asked for 30 minutes\n- 2026-11-12 reply: Re: 30 minutes?\n"
    )


def test_mbox_what_is_matched_and_what_is_skipped(chased, run, tmp_path):
    subject = Header("Café ☕ la semaine prochaine ?", "utf-8").encode()  # RFC 2047
    assert subject.startswith("=?utf-8?")
    path = mbox(
        tmp_path,
        message(f"Sam Rivera <{ME}>", "Carl <carl.lee.home@gmail.com>", subject, at(11)),
        # the same person at a Gmail alias: dots and a +tag, different case
        message("Carl <Carl.Lee.Home+jobs@GoogleMail.com>", ME, "Re: " + subject, at(12)),
        message(
            "Jane <jane@acme.example>",
            ME,
            "Automatic reply: 30 minutes?",
            at(12),
            Auto_Submitted="auto-replied",
        ),
        message("Jane <jane@acme.example>", ME, "Out of Office", at(12), X_Autoreply="yes"),
        message("Jane <jane@acme.example>", ME, "Weekly digest", at(12), Precedence="bulk"),
        message(
            "PM list <pm@lists.example>", ME, "[pm] Meetup", at(12), List_Id="<pm.lists.example>"
        ),
        message(
            "Jane <jane@acme.example>",
            "pm@lists.example",
            "Re: [pm] Meetup",
            at(12),
            List_Id="<pm.lists.example>",
            List_Post="<mailto:pm@lists.example>",
        ),
        message("Bob <bob@unknown.example>", ME, "Hello", at(12)),
        message(f"Sam <{ME}>", "bob@unknown.example", "Hi Bob", at(12)),
        message("Jane <jane@acme.example>", ME, "Old news", dt.datetime(2026, 9, 1, tzinfo=UTC)),
    )
    raw = path.read_bytes()
    assert b"=?utf-8?" in raw and "Café".encode() not in raw  # as mail travels: encoded words
    before = tree_digest(path)
    result = run("import", "mail", "--since", "2026-10-01", str(path))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Added `- 2026-11-11 email: Café ☕ la semaine prochaine ?` to contacts/Carl Lee.md",
        "Added `- 2026-11-12 reply: Re: Café ☕ la semaine prochaine ?` to contacts/Carl Lee.md",
        (
            f"Imported mail from {path}: 10 messages read, 2 matched a contact, 8 skipped"
            " (3 automatic reply, 1 before --since, 2 mailing list, 1 sent to no contact,"
            " 1 unknown sender); 2 lines written, 0 already in the notes."
        ),
    ]
    assert tree_digest(path) == before  # the mailbox is only read
    jane = (chased.root / "contacts/Jane Doe.md").read_text(encoding="utf-8")
    assert "reply" not in jane


def test_a_thread_counts_once_a_day_per_contact_and_direction(chased, run, tmp_path):
    folder = maildir(
        tmp_path,
        message("jane@acme.example", ME, "Re: Coffee?", at(12, 15)),
        message("jane@acme.example", ME, "Coffee?", at(12, 14)),
        message("jane@acme.example", ME, "RE: AW: coffee?", at(12, 18)),
        message(ME, "jane@acme.example", "Re: Coffee?", at(12, 16)),
        message("jane@acme.example", ME, "Re: Coffee?", at(13, 9)),
        message("jane@acme.example", ME, "Slides", at(12, 20)),
        # 03:00 UTC on the 14th is still the 13th in New York: the vault's day counts
        message("jane@acme.example", ME, "Re: Coffee?", dt.datetime(2026, 11, 14, 3, tzinfo=UTC)),
    )
    result = run("import", "mail", str(folder))
    assert result.exit_code == 0, result.output
    text = (chased.root / "contacts/Jane Doe.md").read_text(encoding="utf-8")
    log = [ln for ln in text.splitlines() if ln.startswith("- 2026-11-1") and "approach" not in ln]
    assert log == [
        "- 2026-11-12 reply: Coffee?",
        "- 2026-11-12 email: Re: Coffee?",
        "- 2026-11-12 reply: Slides",
        "- 2026-11-13 reply: Re: Coffee?",
    ]
    assert "7 messages read, 7 matched a contact, 0 skipped; 4 lines written" in result.output


def test_a_second_import_writes_nothing_even_without_the_cache(chased, run, tmp_path):
    folder = maildir(
        tmp_path,
        message("jane@acme.example", ME, "Re: 30 minutes?", at(12)),
        message(ME, "carl@globex.example", "Intro", at(13)),
    )
    assert run("import", "mail", str(folder)).exit_code == 0
    notes = {p: p.read_bytes() for p in (chased.root / "contacts").iterdir()}
    shutil.rmtree(chased.root / ".coffeechat")
    result = run("import", "mail", str(folder))
    assert result.exit_code == 0, result.output
    assert (
        "2 matched a contact, 0 skipped; 0 lines written, 2 already in the notes." in result.output
    )
    assert not result.output.startswith("Added")
    assert {p: p.read_bytes() for p in (chased.root / "contacts").iterdir()} == notes


def test_a_line_written_by_hand_counts_as_already_there(chased, run, tmp_path):
    chased.contact(
        "Jane Doe",
        "email: jane@acme.example",
        log="2026-11-10 approach: asked\n2026-11-12 reply: 30 MINUTES?",
    )
    folder = maildir(tmp_path, message("jane@acme.example", ME, "Re: 30 minutes?", at(12)))
    result = run("import", "mail", str(folder))
    assert "0 lines written, 1 already in the notes." in result.output


def test_dry_run_prints_the_lines_and_writes_nothing(chased, run, tmp_path):
    folder = maildir(tmp_path, message("jane@acme.example", ME, "Re: 30 minutes?", at(12)))
    before = (chased.root / "contacts/Jane Doe.md").read_bytes()
    result = run("import", "mail", "--dry-run", str(folder))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Would add `- 2026-11-12 reply: Re: 30 minutes?` to contacts/Jane Doe.md",
        (
            "Dry run, nothing written: 1 message read, 1 matched a contact, 0 skipped;"
            " 1 line would be written, 0 already in the notes."
        ),
    ]
    assert (chased.root / "contacts/Jane Doe.md").read_bytes() == before
    assert not (chased.root / ".coffeechat").exists()


def test_a_note_edited_between_the_read_and_the_write_is_refused_like_log(
    chased, run, tmp_path, monkeypatch
):
    import coffeechat.transfer.mail as mail_module

    folder = maildir(
        tmp_path,
        message("jane@acme.example", ME, "Re: 30 minutes?", at(12)),
        message(ME, "carl@globex.example", "Intro", at(13)),
    )
    jane = chased.root / "contacts/Jane Doe.md"
    saved = jane.read_text(encoding="utf-8") + "- 2026-11-20 note: typed in the editor\n"
    plan_mail = mail_module.plan_mail

    def editor_saves_meanwhile(*args, **kwargs):
        plan = plan_mail(*args, **kwargs)
        jane.write_text(saved, encoding="utf-8")  # after the vault was read, before the write
        return plan

    monkeypatch.setattr(mail_module, "plan_mail", editor_saves_meanwhile)
    result = run("import", "mail", str(folder))
    assert result.exit_code == 1
    assert (
        "Error: contacts/Jane Doe.md: changed on disk after coffeechat read it (saved in an"
        " editor meanwhile?); nothing was written — run the command again"
    ) in result.output
    assert jane.read_text(encoding="utf-8") == saved  # the editor's text, untouched
    assert "- 2026-11-13 email: Intro" in (chased.root / "contacts/Carl Lee.md").read_text()
    monkeypatch.setattr(mail_module, "plan_mail", plan_mail)
    again = run("import", "mail", str(folder))
    assert again.exit_code == 0, again.output
    assert jane.read_text(encoding="utf-8") == saved + "- 2026-11-12 reply: Re: 30 minutes?\n"
    assert "1 line written, 1 already in the notes." in again.output


def test_log_refuses_the_same_way(chased, run, monkeypatch):
    """The refusal above is `log`'s own: the same message for the same race."""
    from coffeechat.core import resolutions as actions

    jane = chased.root / "contacts/Jane Doe.md"
    log_line = actions.log_line

    def editor_saves_meanwhile(*args):
        jane.write_text(jane.read_text() + "- 2026-11-20 note: typed\n", encoding="utf-8")
        return log_line(*args)

    monkeypatch.setattr(actions, "log_line", editor_saves_meanwhile)
    result = run("log", "Jane Doe", "reply", "yes")
    assert result.exit_code == 1
    assert (
        "Error: contacts/Jane Doe.md: changed on disk after coffeechat read it (saved in an"
        " editor meanwhile?); nothing was written — run the command again"
    ) in result.output


def test_without_own_addresses_only_replies_are_logged(vault, run, tmp_path):
    vault.contact("Jane Doe", "email: jane@acme.example")
    folder = maildir(
        tmp_path,
        message("jane@acme.example", ME, "Re: hi", at(12)),
        message(ME, "jane@acme.example", "hi", at(11)),
    )
    result = run("import", "mail", str(folder))
    assert result.exit_code == 0
    assert "warning: no [mail] addresses in coffeechat.toml" in result.output
    assert "2 messages read, 1 matched a contact, 1 skipped (1 unknown sender)" in result.output


def test_several_folders_and_undated_maildir_mail(chased, run, tmp_path):
    inbox = maildir(tmp_path, message("jane@acme.example", ME, "Re: hi", None))
    sent = maildir(tmp_path, message(f"Sam <{ME}>", "jane@acme.example", "hi", at(11)), name="Sent")
    for path in (inbox / "new").iterdir():  # no Date header: the delivery time counts
        stamp = at(12).timestamp()
        import os

        os.utime(path, (stamp, stamp))
    result = run("import", "mail", str(inbox), str(sent))
    assert result.exit_code == 0, result.output
    assert "Added `- 2026-11-12 reply: Re: hi` to contacts/Jane Doe.md" in result.output
    assert "Added `- 2026-11-11 email: hi` to contacts/Jane Doe.md" in result.output


@pytest.mark.parametrize(
    "make, message_part",
    [
        (lambda p: p / "nowhere", "no such file or folder"),
        (lambda p: (p / "plain").mkdir() or p / "plain", "is a folder but not a Maildir"),
        (
            lambda p: (p / "notes.txt").write_text("hello\n") and p / "notes.txt",
            "is not an mbox file",
        ),
    ],
)
def test_a_path_that_is_no_mailbox_is_one_line(vault, run, tmp_path, make, message_part):
    path = make(tmp_path)
    result = run("import", "mail", str(path))
    assert result.exit_code == 2
    assert message_part in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not path.exists() or path.is_file() or not (path / "cur").exists()  # nothing made


def test_a_bad_mail_setting_names_the_file(vault, run, tmp_path):
    vault.config('[mail]\naddresses = ["not an address"]\n')
    result = run("import", "mail", str(maildir(tmp_path)))
    assert result.exit_code == 2
    assert (
        "coffeechat.toml:2: mail.addresses 'not an address' is not an e-mail address"
        in result.output
    )


@pytest.mark.parametrize(
    "a, b",
    [
        ("Jane@Acme.Example", "jane@acme.example"),
        ("jane+jobs@acme.example", "jane@acme.example"),
        ("J.a.n.e.Doe+x@googlemail.com", "janedoe@gmail.com"),
        ("mailto:JANE@ACME.EXAMPLE", "jane@acme.example"),
    ],
)
def test_address_aliases(a, b):
    assert address_key(a) == address_key(b)


def test_dots_count_outside_gmail():
    assert address_key("jane.doe@acme.example") != address_key("janedoe@acme.example")


@given(st.emails())
def test_address_key_is_stable_and_ignores_case(address):
    key = address_key(address)
    assert address_key(key) == key
    assert address_key(address.upper()) == key


@given(st.text(max_size=60))
def test_reply_prefixes_never_change_the_thread(subject):
    key = subject_key(subject)
    assert subject_key("Re: " + subject) == key
    assert subject_key("FWD: re: " + subject) == key


def test_a_sent_mail_already_logged_by_hand_is_not_one_more_attempt(chased, run, tmp_path):
    """The approach of the 10th was this very mail: logging it again as `email` would make
    the chase think you had tried twice."""
    sent = maildir(
        tmp_path,
        message(ME, "jane@acme.example", "30 minutes?", at(10)),
        message(ME, "jane@acme.example", "Re: 30 minutes?", at(16)),
        name="Sent",
    )
    result = run("import", "mail", str(sent))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "Added `- 2026-11-16 email: Re: 30 minutes?` to contacts/Jane Doe.md"
    )
    assert "1 line written, 1 already in the notes." in result.output
    items = json.loads(run("due", "--all", "--json").output)
    assert [i["title"] for i in items if i["rule"] == "follow_up_approach"] == [
        "Follow up with Jane Doe (attempt 3 of 3)"
    ]


def test_a_hostile_subject_is_one_short_line(chased, run, tmp_path):
    folder = maildir(
        tmp_path,
        message("jane@acme.example", ME, "Re: {{date}} <% tp.system %>\x07" + "x" * 5000, at(12)),
    )
    assert run("import", "mail", str(folder)).exit_code == 0
    line = (chased.root / "contacts/Jane Doe.md").read_text(encoding="utf-8").splitlines()[-1]
    assert line.startswith("- 2026-11-12 reply: Re: {{date}} < % tp.system % > xxx")
    assert len(line) < 240
    assert "0 lines written" in run("import", "mail", str(folder)).output
