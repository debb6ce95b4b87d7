"""The `import` commands: contacts in from LinkedIn, a vCard file or Google Contacts (without
duplicates), and the mail and meetings that log themselves: import mail|calendar."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.cli.options import OneLineGroup
from coffeechat.cli.render.messages import say, tell, warn
from coffeechat.cli.render.progress import import_progress
from coffeechat.cli.render.transfers import (
    calendar_summary,
    import_summary,
    mail_summary,
    meeting_planned,
    meeting_updated,
    plural,
    refused,
)
from coffeechat.cli.render.writes import line_added, meeting_created
from coffeechat.errors import CoffeechatError, UsageError

# --- import ------------------------------------------------------------------------------------


@cli.group("import", cls=OneLineGroup, what="import format")
def import_group() -> None:
    """Bring contacts in from LinkedIn, a vCard file or Google Contacts, without duplicates;
    log mail (import mail) and calendar events (import calendar).

    A person already in the vault (same e-mail, same LinkedIn profile, or same name at the
    same company, ignoring case and accents) only gets the empty properties of their note
    filled in; everything else in it is left as it was. Anyone new gets a contact note, and
    their company a company note when the vault has none. Importing the same file again
    changes nothing.
    """


def _dry_run_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("-v", "--verbose", is_flag=True, help="List every note created or updated.")(
        fn
    )
    return click.option(
        "-n",
        "--dry-run",
        is_flag=True,
        help="Say what would change; write nothing (not even the cache).",
    )(fn)


def _read_input(file: str) -> tuple[bytes, str]:
    """The file's bytes and how to name it in messages; a bad path is a usage error."""
    if file == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    shown = click.format_filename(file)
    path = Path(file)
    try:
        return path.read_bytes(), shown
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown} is a folder, not a file") from None
    except OSError as exc:
        raise UsageError(f"{shown} cannot be read: {exc.strerror or exc}") from None


def _vault_to_change(app: App, dry_run: bool) -> Any:
    """The vault an import changes: read under the write lock; in a dry run read in full
    without touching even the cache."""
    if not dry_run:
        app.lock_for_writing()
        return app.vault
    from coffeechat.storage.cache.index import Index

    return Index(app.root, app.settings, use_cache=False).vault()


def _run_import(app: App, file: str, kind: str, dry_run: bool, verbose: bool) -> None:
    from importlib import import_module

    data, what = _read_input(file)
    reader = import_module(f"coffeechat.transfer.{kind}")
    batch = reader.parse(data, what)  # a file of the wrong kind stops here: nothing written
    root, settings = app.root, app.settings

    from coffeechat.transfer.match import import_batch

    vault = _vault_to_change(app, dry_run)
    now = dt.datetime.combine(app.today, dt.datetime.now(settings.tz).time().replace(microsecond=0))
    with import_progress(len(batch.records)) as progress:
        summary = import_batch(
            root,
            settings,
            vault,
            batch,
            what=what,
            today=app.today,
            now=now,
            dry_run=dry_run,
            progress=progress,
        )
    from coffeechat.core.names import escape_bidi

    for warning in summary.warnings:
        tell(escape_bidi(f"warning: {warning}"))
    for problem in summary.problems:
        tell(escape_bidi(problem))
    if verbose:
        for action in summary.actions:
            say(escape_bidi(action))
    total = len(batch.records) + len(batch.failed)
    say(import_summary(summary, total, what, dry_run))
    if summary.failed:
        raise CoffeechatError(
            f"{summary.failed} contact{'s' if summary.failed != 1 else ''}"
            " could not be imported (see the lines above)"
        )


@import_group.command("linkedin")
@click.argument("file", metavar="FILE")
@_dry_run_option
@pass_app
def import_linkedin(app: App, file: str, dry_run: bool, verbose: bool) -> None:
    """Import LinkedIn connections from Connections.csv (or the export's zip).

    Get it from LinkedIn: Settings, Data privacy, Get a copy of your data, Connections.
    Each connection gets company, role (Position), linkedin (URL), email when shared,
    connected_on (Connected On), how_met "LinkedIn connection" and the tag linkedin; added is
    the day of the import (the day the note entered the vault).
    """
    _run_import(app, file, "linkedin", dry_run, verbose)


@import_group.command("vcard")
@click.argument("file", metavar="FILE")
@_dry_run_option
@pass_app
def import_vcard(app: App, file: str, dry_run: bool, verbose: bool) -> None:
    """Import contacts from a .vcf file (vCard 2.1, 3.0 or 4.0).

    A card that cannot be read is reported with its line and skipped; the others are
    imported.
    """
    _run_import(app, file, "vcard", dry_run, verbose)


@import_group.command("google")
@click.argument("file", metavar="FILE")
@_dry_run_option
@pass_app
def import_google(app: App, file: str, dry_run: bool, verbose: bool) -> None:
    """Import contacts from a Google Contacts CSV export ("Google CSV").

    Labels become tags (Google's own groups such as "* myContacts" are left out).
    """
    _run_import(app, file, "google", dry_run, verbose)


def _refused(problems: list[str]) -> None:
    """Notes an import could not write, each on its own line, then exit 1 as `log` does."""
    for problem in problems:
        tell(refused(problem))
    if problems:
        raise CoffeechatError(
            f"{plural(len(problems), 'note')} not written (see above); the"
            " rest was imported — run the command again"
        )


def _mail_source(path: str, settings: Any, since: dt.date | None) -> tuple[Callable[[], Any], str]:
    """How to read one PATH of `import mail` (a Maildir, an mbox file or an imaps:// address),
    and its name in messages; checked before anything is read or written."""
    from coffeechat.transfer.imap import is_imap_url

    if is_imap_url(path):
        from coffeechat.credentials import password_from
        from coffeechat.transfer.imap import DEFAULT_PASSWORD_ENV, parse_imap_url, read_imap

        source = parse_imap_url(path)
        secret = (
            password_from(
                "mail",
                "IMAP user",
                source.user,
                settings.mail_password_env,
                settings.mail_password_command,
                settings.mail_keyring,
                DEFAULT_PASSWORD_ENV,
            )
            or ""
        )
        return (lambda: read_imap(source, secret, since, settings.mail_timeout)), str(source)
    from coffeechat.transfer.mail import open_mailbox, read_mail

    shown = click.format_filename(path)
    box = open_mailbox(Path(path), shown)
    return (lambda: read_mail(box)), shown


@import_group.command("mail")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--since", callback=date_option, metavar="DATE", help="Leave out mail dated before DATE."
)
@click.option(
    "-n", "--dry-run", is_flag=True, help="Print the lines it would write; write nothing."
)
@pass_app
def import_mail(app: App, paths: tuple[str, ...], since: dt.date | None, dry_run: bool) -> None:
    """Log mail from a Maildir folder, an mbox file or an IMAP mailbox (imaps://you@host/INBOX,
    read only) in the contacts' logs.

    Mail from one of your own addresses ([mail] addresses in coffeechat.toml) to a contact
    becomes `- DATE email: SUBJECT`, mail from a contact `- DATE reply: SUBJECT` (their
    email: and emails:, case, Gmail dots and +tags ignored). Mailing lists, automatic replies
    and unknown senders are skipped; a thread counts once a day per contact and direction;
    lines the notes already hold are not written again. Nothing in PATH is ever written.

    \b
    coffeechat import mail ~/Mail/INBOX ~/Mail/Sent
    coffeechat import mail --since 2026-11-01 "Takeout/Mail/All mail.mbox"
    coffeechat import mail --since 2026-11-01 imaps://sam@imap.example.org/INBOX
    """
    from coffeechat.transfer.mail import log_mail

    settings = app.settings
    sources = [_mail_source(p, settings, since) for p in paths]  # a bad one stops here
    if not settings.mail_addresses:
        warn(
            "no [mail] addresses in coffeechat.toml: mail you sent is not recognised, only replies"
        )
    vault = _vault_to_change(app, dry_run)
    mails = (m for read, _ in sources for m in read())
    plan, written, problems = log_mail(
        vault, settings.mail_addresses, settings.tz, mails, since, None if dry_run else app.edit
    )
    for path, line in written:
        say(line_added(line, path, dry_run))
    say(mail_summary(plan, len(written), [w for _, w in sources], dry_run))
    _refused(problems)


@import_group.command("calendar")
@click.argument("file", metavar="FILE.ics")
@click.option(
    "--since",
    callback=date_option,
    metavar="DATE",
    help="Leave out events before DATE (default: 90 days ago).",
)
@click.option(
    "--until",
    callback=date_option,
    metavar="DATE",
    help="Leave out events after DATE (default: a year ahead).",
)
@click.option("-n", "--dry-run", is_flag=True, help="Say what it would do; write nothing.")
@pass_app
def import_calendar(
    app: App, file: str, since: dt.date | None, until: dt.date | None, dry_run: bool
) -> None:
    """Make a meeting note for each event with a contact among its guests (.ics from Google,
    Apple, Outlook or any other calendar).

    The note is made as `meet` makes one: date and time in the vault's zone, duration,
    location, `with:` the contacts whose address is the organiser's or a guest's (not those
    who declined), and the event's UID as ical_uid:. Importing the file again updates a
    moved or cancelled event in its note; recurring events are expanded from --since
    through --until.
    """
    from coffeechat.cli.writing import create_meeting
    from coffeechat.core.note.edits import set_keys
    from coffeechat.storage.writer import NoteNames
    from coffeechat.transfer.calendar import RECURRENCE_KEY, UID_KEY, plan_calendar, read_calendar
    from coffeechat.transfer.mail import AddressBook

    data, what = _read_input(file)
    since = since or app.today - dt.timedelta(days=90)
    until = until or app.today + dt.timedelta(days=365)
    if until < since:
        raise UsageError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    occurrences, series, dropped = read_calendar(data, what, app.settings.tz, since, until)
    vault = _vault_to_change(app, dry_run)
    book = AddressBook(vault, app.settings.mail_addresses)
    plan = plan_calendar(occurrences, series, vault, book, since, until)
    if dropped:
        plan.skipped["repeating more often than hourly"] += dropped
    names = NoteNames(vault.notes)
    problems: list[str] = []
    created = updated = 0
    for new in plan.create:
        occ = new.occurrence
        if dry_run:
            people = [vault.contacts[p].name for p in new.people]
            say(meeting_planned(occ.day, new.title, people))
            continue
        extra: list[tuple[str, Any]] = [(UID_KEY, occ.uid)]
        if occ.recurrence:
            extra.append((RECURRENCE_KEY, occ.recurrence))
        try:
            rel = create_meeting(
                app,
                new.title,
                occ.start,
                list(new.people),
                kind=occ.kind,
                where=occ.location or None,
                duration=occ.duration,
                extra=extra,
                names=names,
            )
        except CoffeechatError as exc:
            problems.append(str(exc))
            continue
        created += 1
        ahead = occ.day >= app.today
        prep = occ.day - dt.timedelta(days=app.settings.prepare) if ahead else None
        say(meeting_created(rel, prep))
    for change in plan.update:
        if dry_run:
            say(meeting_updated(change.path, change.describe(), dry_run=True))
            continue
        try:
            app.edit(change.path, lambda d, v=change.values: set_keys(d, list(v)))
        except CoffeechatError as exc:
            problems.append(str(exc))
            continue
        updated += 1
        say(meeting_updated(change.path, change.describe(), dry_run=False))
    if dry_run:
        created, updated = len(plan.create), len(plan.update)
    say(calendar_summary(plan, what, since, until, created, updated, dry_run))
    _refused(problems)
