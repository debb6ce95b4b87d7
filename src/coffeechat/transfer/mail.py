"""Mail in: what you sent to a contact and what they sent you, as lines of their log.

A Maildir folder (what mbsync, offlineimap and getmail write) or an mbox file (Thunderbird,
Gmail's Takeout) is read with the standard library's `mailbox` and `email` — headers only,
and never written. `plan_mail` is pure: the messages' headers and the vault in, the log lines
to add out. Mail from one of your own addresses (``[mail] addresses``) to a contact becomes
``- DATE email: SUBJECT`` in their log, mail from a contact ``- DATE reply: SUBJECT``.
Mailing lists, automatic replies and unknown senders are skipped, with the reason counted.
A thread counts once per day, contact and direction; a line the note already holds (same
date, kind and subject, ignoring ``Re:``/``Fwd:`` and case) is not written again, so
importing the same mail twice writes nothing — with or without the cache.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import mailbox
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from coffeechat.core.note.edits import append_line_under_heading
from coffeechat.core.resolutions import LOG_HEADING, log_line
from coffeechat.core.vault.vault import Vault
from coffeechat.errors import CoffeechatError, UsageError
from coffeechat.transfer.identity import split_emails
from coffeechat.transfer.records import clean_text

__all__ = [
    "AddressBook",
    "Mail",
    "MailPlan",
    "address_key",
    "log_mail",
    "open_mailbox",
    "plan_mail",
    "read_mail",
    "read_message",
    "subject_key",
    "write_plan",
]

#: Domains whose addresses ignore dots in the local part (Gmail's own rule).
_DOTLESS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|antw|tr|rif|ri|r)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)"
    r"|auto:|autoreply|abwesenheitsnotiz|r[ée]ponse automatique|absence|vacation reply"
    r"|undeliverable|delivery status notification|mail delivery (?:failed|failure))",
    re.IGNORECASE,
)
_LIST_HEADERS = ("list-id", "list-post", "list-unsubscribe", "mailing-list")
_AUTO_HEADERS = ("x-autoreply", "x-autorespond", "x-autoresponder")
NO_SUBJECT = "(no subject)"
#: A log line keeps this much of a subject (a hostile one can be megabytes long).
SUBJECT_MAX = 200
#: Log kinds only a person writes for a message they sent: a sent mail on a day the log has
#: one of these is that message, already logged — an `email` line as well would count as one
#: more attempt at an approach.
WRITTEN_BY_HAND = frozenset(
    {"approach", "follow_up", "thank_you", "update", "report_back", "landed"}
)


def address_key(address: str) -> str:
    """An address as it is compared: case ignored, ``+tags`` dropped (sub-addressing), and at
    Gmail dots in the name ignored too — ``Jane.Doe+jobs@GMail.com`` = ``janedoe@gmail.com``."""
    text = address.strip().strip("<>").lower().removeprefix("mailto:")
    local, at, domain = text.rpartition("@")
    if not at or not local:
        return text
    local = local.split("+", 1)[0] or local
    if domain in _DOTLESS:
        domain = _DOTLESS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def subject_key(subject: str) -> str:
    """A subject as threads and the dedupe compare it: no ``Re:``/``Fwd:``/``AW:`` prefixes,
    case and spacing ignored."""
    return " ".join(_REPLY_PREFIX.sub("", subject).split()).casefold()


@dataclass(frozen=True, slots=True)
class Mail:
    """What coffeechat reads of one message: its headers, decoded."""

    key: str  # its key in the mailbox (for messages)
    sender: str  # the From address ("" if none)
    recipients: tuple[str, ...]  # To, Cc and Bcc addresses
    subject: str
    when: dt.datetime | None  # the Date header (aware), else when it was delivered
    skip: str = ""  # why it is no one's log line, if the headers alone tell: "mailing list", ...


def read_message(key: str, msg: EmailMessage, delivered: dt.datetime | None = None) -> Mail:
    """A `Mail` from a parsed message's headers (``policy.default``: RFC 2047 decoded)."""
    sender = _addresses(msg, "from")
    recipients = tuple(a for name in ("to", "cc", "bcc") for a in _addresses(msg, name))
    subject = clean_text(msg.get("subject", ""))[:SUBJECT_MAX].rstrip() or NO_SUBJECT
    when = _date(msg.get("date")) or delivered
    return Mail(key, sender[0] if sender else "", recipients, subject, when, _skip(msg, subject))


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    out: list[str] = []
    for header in msg.get_all(name, []):
        for address in getattr(header, "addresses", ()):
            spec = address.addr_spec
            if "@" in spec:
                out.append(spec)
    return out


def _date(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _skip(msg: EmailMessage, subject: str) -> str:
    """Why a message is not a personal one, from its headers alone ("" when it is)."""
    if any(msg.get(h) is not None for h in _LIST_HEADERS):
        return "mailing list"
    precedence = str(msg.get("precedence", "")).strip().lower()
    if precedence == "list":
        return "mailing list"
    auto = str(msg.get("auto-submitted", "")).strip().lower()
    if (
        (auto and not auto.startswith("no"))
        or precedence in ("bulk", "junk")
        or any(msg.get(h) is not None for h in _AUTO_HEADERS)
        or msg.get_content_type() == "multipart/report"
        or _AUTO_SUBJECT.match(subject)
    ):
        return "automatic reply"
    return ""


# --- reading a mailbox (read only) ---------------------------------------------------------


def open_mailbox(path: Path, shown: str) -> mailbox.Mailbox:
    """The Maildir folder or mbox file at ``path``, opened without creating or writing
    anything; anything else is one clear usage error."""
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            return mailbox.Maildir(path, factory=None, create=False)
        raise UsageError(
            f"{shown} is a folder but not a Maildir (it has no cur/ and new/"
            " folders); give a Maildir folder or an mbox file"
        )
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file or folder") from None
    except OSError as exc:
        raise UsageError(f"{shown} cannot be read: {exc.strerror or exc}") from None
    if head and head != b"From ":
        raise UsageError(
            f'{shown} is not an mbox file (it does not begin with a "From "'
            " line) nor a Maildir folder"
        )
    return mailbox.mbox(path, factory=None, create=False)


_HEADERS = BytesHeaderParser(policy=policy.default)


def read_mail(box: mailbox.Mailbox, seen: set[str] | None = None) -> Iterator[Mail]:
    """Every message of ``box`` (headers only), leaving out the keys in ``seen``; a message
    that cannot be read comes back with ``skip="unreadable"``."""
    for key in box.iterkeys():
        if seen is not None and key in seen:
            continue
        try:
            with box.get_file(key) as fh:
                msg = _HEADERS.parse(fh)  # type: ignore[arg-type]
            delivered = None
            if msg.get("date") is None and isinstance(box, mailbox.Maildir):
                delivered = dt.datetime.fromtimestamp(box.get_message(key).get_date(), dt.UTC)
            assert isinstance(msg, EmailMessage)
            yield read_message(str(key), msg, delivered)
        except KeyError:
            continue  # gone meanwhile (a mail client moved it)
        except Exception:  # noqa: BLE001 - one malformed message never stops the import
            yield Mail(str(key), "", (), "", None, "unreadable")


# --- matching: pure -------------------------------------------------------------------------


class AddressBook:
    """Your own addresses and each contact's (``email:`` and ``emails:``), by `address_key`."""

    def __init__(self, vault: Vault, own: Iterable[str]) -> None:
        self.own = {address_key(a) for a in own}
        self.contacts: dict[str, str] = {}
        for path in sorted(vault.contacts):
            meta = vault.notes[path].meta if path in vault.notes else {}
            for address in contact_addresses(vault.contacts[path].email, meta.get("emails")):
                key = address_key(address)
                if key not in self.own:
                    self.contacts.setdefault(key, path)

    def contact(self, address: str) -> str | None:
        return self.contacts.get(address_key(address))

    def is_own(self, address: str) -> bool:
        return address_key(address) in self.own


def contact_addresses(email_value: str, emails: Any) -> list[str]:
    """A contact's addresses: ``email:`` (one, or several separated by commas) and
    ``emails:`` (a list, or one text)."""
    out = split_emails(email_value)
    values = emails if isinstance(emails, list) else [emails] if emails else []
    for value in values:
        if isinstance(value, str):
            out += split_emails(value)
    return out


@dataclass
class MailPlan:
    """What an import of mail found and would write."""

    messages: int = 0
    matched: int = 0  # messages from or to a contact (written now or already in the notes)
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> messages
    lines: dict[str, list[str]] = field(default_factory=dict)  # note path -> new log lines
    already: int = 0  # lines the notes already held

    @property
    def new_lines(self) -> int:
        return sum(len(v) for v in self.lines.values())


def plan_mail(
    mails: Iterable[Mail],
    vault: Vault,
    book: AddressBook,
    tz: dt.tzinfo,
    since: dt.date | None = None,
) -> MailPlan:
    """The log lines ``mails`` add to the contacts of ``vault``, as of the notes' own logs."""
    plan = MailPlan()
    # (contact, day, kind, thread) -> (when, key, subject): the day's first message of a thread
    first: dict[tuple[str, dt.date, str, str], tuple[dt.datetime, str, str]] = {}
    for mail in mails:
        plan.messages += 1
        if mail.skip:
            plan.skipped[mail.skip] += 1
            continue
        if mail.when is None:
            plan.skipped["no date"] += 1
            continue
        day = mail.when.astimezone(tz).date()
        if since is not None and day < since:
            plan.skipped["before --since"] += 1
            continue
        if book.is_own(mail.sender):
            kind = "email"
            people = [
                p
                for a in mail.recipients
                if not book.is_own(a)
                if (p := book.contact(a)) is not None
            ]
            if not people:
                plan.skipped["sent to no contact"] += 1
                continue
        elif (person := book.contact(mail.sender)) is not None:
            kind, people = "reply", [person]
        else:
            plan.skipped["unknown sender"] += 1
            continue
        plan.matched += 1
        for path in dict.fromkeys(people):
            slot = (path, day, kind, subject_key(mail.subject))
            entry = (mail.when, mail.key, mail.subject)
            if slot not in first or entry < first[slot]:
                first[slot] = entry
    held: dict[str, set[tuple[dt.date, str, str]]] = {}
    for (path, day, kind, thread), (_, _, subject) in sorted(first.items(), key=_by_time):
        if path not in held:
            log = vault.contacts[path].log
            held[path] = {(e.date, e.kind, subject_key(e.text)) for e in log}
            held[path] |= {(e.date, "email", "") for e in log if e.kind in WRITTEN_BY_HAND}
        if (day, kind, thread) in held[path] or (day, kind, "") in held[path]:
            plan.already += 1
            continue
        plan.lines.setdefault(path, []).append(log_line(day, kind, subject))
    return plan


def _by_time(item: tuple[tuple[str, dt.date, str, str], tuple[dt.datetime, str, str]]) -> Any:
    (path, _, _, _), (when, key, _) = item
    return (path, when, key)


def append_lines(lines: list[str]) -> Callable[[bytes], bytes]:
    """The edit that appends ``lines`` under the note's ## Log, in order (as `log` does)."""

    def edit(data: bytes) -> bytes:
        for line in lines:
            data = append_line_under_heading(data, LOG_HEADING, line)
        return data

    return edit


def write_plan(
    plan: MailPlan, edit: Callable[[str, Callable[[bytes], bytes]], bool]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Carry out ``plan`` one note at a time through ``edit`` — `App.edit`, which refuses a note
    changed since the vault was read. Returns the (path, line) pairs written and the one-line
    reasons of the notes refused (the other notes are still written)."""
    written: list[tuple[str, str]] = []
    problems: list[str] = []
    for path, lines in plan.lines.items():
        try:
            edit(path, append_lines(lines))
        except CoffeechatError as exc:
            problems.append(str(exc))
            continue
        written += [(path, line) for line in lines]
    return written, problems


def log_mail(
    vault: Vault,
    own: Iterable[str],
    tz: dt.tzinfo,
    mails: Iterable[Mail],
    since: dt.date | None,
    edit: Callable[[str, Callable[[bytes], bytes]], bool] | None,
) -> tuple[MailPlan, list[tuple[str, str]], list[str]]:
    """Plan ``mails`` against ``vault`` and write the plan through ``edit`` (None: a dry run,
    nothing written). Returns the plan, the (path, line) pairs written — or that would be —
    and the notes refused. `import mail` and `watch` both log mail through here."""
    plan = plan_mail(mails, vault, AddressBook(vault, own), tz, since)
    if edit is None:
        return plan, [(p, line) for p, lines in plan.lines.items() for line in lines], []
    written, problems = write_plan(plan, edit)
    return plan, written, problems
