"""Commands that bring contacts in and out: import linkedin|vcard|google, export csv|vcard;
and the mail and meetings that log themselves: import mail|calendar."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.errors import CoffeechatError, UsageError

#: Files with more records than this get a progress bar (on a terminal).
PROGRESS_FROM = 300


def _one_line(exc: click.UsageError, parent: click.Context | None, name: str | None) -> UsageError:
    """click's usage error as our one line, naming the command's help."""
    names = [name or ""]
    while parent is not None and parent.parent is not None:
        names.append(parent.info_name or "")
        parent = parent.parent
    where = " ".join(["coffeechat", *reversed(names)])
    return UsageError(f"{exc.format_message()} (see {where} --help)")


class _OneLineUsage(click.Command):
    """Usage errors as one line, `Error: ...`, exit 2, like every other refusal — not click's
    three-line usage block."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc, parent, info_name) from None


class _Command(_OneLineUsage):
    """A command whose usage errors are one line."""


class _Group(_OneLineUsage, click.Group):
    """A group of `_Command`s that names an unknown subcommand in one line."""

    command_class = _Command
    what = "command"

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError:
            choices = " or ".join(sorted(self.commands))
            raise UsageError(f"unknown {self.what} {args[0]!r} (use {choices})") from None


class _ImportGroup(_Group):
    what = "import format"


class _ExportGroup(_Group):
    what = "export format"


# --- import ------------------------------------------------------------------------------------


@cli.group("import", cls=_ImportGroup)
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


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr for long files, only when stderr is a terminal."""
    stream = sys.stderr
    if total <= PROGRESS_FROM or not stream.isatty():
        yield None
        return
    with click.progressbar(length=total, label="Importing", file=stream) as bar:
        yield bar.update


def _vault_to_change(app: App, dry_run: bool) -> Any:
    """The vault an import changes: read under the write lock; in a dry run read in full
    without touching even the cache."""
    if not dry_run:
        app.lock_for_writing()
        return app.vault
    from coffeechat.storage.index import Index

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
    with _progress(len(batch.records)) as progress:
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
        click.echo(escape_bidi(f"warning: {warning}"), err=True)
    for problem in summary.problems:
        click.echo(escape_bidi(problem), err=True)
    if verbose:
        for action in summary.actions:
            click.echo(escape_bidi(action))
    would = "would be " if dry_run else ""
    line = (
        f"{summary.created} {would}created, {summary.updated} {would}updated,"
        f" {summary.skipped} skipped, {summary.failed} failed"
    )
    if summary.companies:
        line += (
            f"; {summary.companies} company note{'s' if summary.companies != 1 else ''}"
            f" {would}created"
        )
    total = len(batch.records) + len(batch.failed)
    head = "Dry run, nothing written" if dry_run else f"Imported {what}"
    click.echo(f"{head}: {total} contact{'s' if total != 1 else ''} read; {line}.")
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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _refused(problems: list[str]) -> None:
    """Notes an import could not write, each on its own line, then exit 1 as `log` does."""
    for problem in problems:
        click.echo(f"Error: {problem}", err=True)
    if problems:
        raise CoffeechatError(
            f"{_plural(len(problems), 'note')} not written (see above); the"
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
        click.echo(
            "warning: no [mail] addresses in coffeechat.toml: mail you sent is not"
            " recognised, only replies",
            err=True,
        )
    vault = _vault_to_change(app, dry_run)
    mails = (m for read, _ in sources for m in read())
    plan, written, problems = log_mail(
        vault, settings.mail_addresses, settings.tz, mails, since, None if dry_run else app.edit
    )
    for path, line in written:
        click.echo(f"{'Would add' if dry_run else 'Added'} `{line}` to {path}")
    skipped = sum(plan.skipped.values())
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(plan.skipped.items()))
    head = (
        "Dry run, nothing written"
        if dry_run
        else f"Imported mail from {', '.join(w for _, w in sources)}"
    )
    click.echo(
        f"{head}: {_plural(plan.messages, 'message')} read, {plan.matched} matched a contact,"
        f" {skipped} skipped{f' ({why})' if why else ''};"
        f" {_plural(len(written), 'line')} {'would be ' if dry_run else ''}written,"
        f" {plan.already} already in the notes."
    )
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
    from coffeechat.core.edits import set_keys
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
            people = ", ".join(vault.contacts[p].name for p in new.people)
            click.echo(
                f"Would create a meeting note: {occ.day.isoformat()} {new.title} (with {people})"
            )
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
        if occ.day >= app.today:
            prep = occ.day - dt.timedelta(days=app.settings.prepare)
            click.echo(f"Created {rel} (scheduled: prepare by {prep.isoformat()})")
        else:
            click.echo(f"Created {rel} (held: send the thank-you, and record it as thank_you:)")
    for change in plan.update:
        if dry_run:
            click.echo(f"Would update {change.path}: {change.describe()}")
            continue
        try:
            app.edit(change.path, lambda d, v=change.values: set_keys(d, list(v)))
        except CoffeechatError as exc:
            problems.append(str(exc))
            continue
        updated += 1
        click.echo(f"Updated {change.path}: {change.describe()}")
    skipped = sum(plan.skipped.values())
    why = ", ".join(f"{n} {reason}" for reason, n in sorted(plan.skipped.items()))
    head = "Dry run, nothing written" if dry_run else f"Imported {what}"
    would = "would be " if dry_run else ""
    if dry_run:
        created, updated = len(plan.create), len(plan.update)
    click.echo(
        f"{head}: {_plural(plan.events, 'event')} from {since.isoformat()} to"
        f" {until.isoformat()}; {_plural(created, 'meeting note')} {would}created,"
        f" {updated} {would}updated, {plan.unchanged} unchanged,"
        f" {skipped} skipped{f' ({why})' if why else ''}."
    )
    _refused(problems)


# --- export ------------------------------------------------------------------------------------


@cli.group("export", cls=_ExportGroup)
def export_group() -> None:
    """Write every contact out as CSV or vCard, to stdout or a file (-o)."""


def _output_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (replaced atomically) instead of stdout.",
    )(fn)


def _check_output(output: str | None) -> Path | None:
    """Where to write (None: stdout), refused before any work when it cannot be a file."""
    if output is None or output == "-":
        return None
    path = Path(output)
    shown = click.format_filename(output)
    if path.is_dir():
        raise UsageError(f"{shown} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(
            f"{shown}: folder {click.format_filename(str(path.parent))} does not exist"
        )
    return path


def _write_output(data: bytes, path: Path | None, count: int) -> None:
    if path is None:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    from coffeechat.storage.files import atomic_write

    shown = click.format_filename(str(path))
    try:
        atomic_write(path.resolve(), data)
    except OSError as exc:
        raise CoffeechatError(f"{shown} cannot be written: {exc.strerror or exc}") from None
    click.echo(f"Exported {count} contact{'s' if count != 1 else ''} to {shown}.", err=True)


@export_group.command("csv")
@_output_option
@pass_app
def export_csv(app: App, output: str | None) -> None:
    """Every contact as CSV: name, aliases, company, role, email, phone, linkedin, field,
    tags, referred_by, how_met, cadence, status, follow_up, added, path."""
    from coffeechat.transfer.export import contacts_csv

    path = _check_output(output)
    vault = app.vault
    _write_output(contacts_csv(vault).encode("utf-8"), path, len(vault.contacts))


@export_group.command("vcard")
@_output_option
@pass_app
def export_vcard(app: App, output: str | None) -> None:
    """Every contact as a vCard 3.0 card, for an address book or phone."""
    from coffeechat.transfer.export import contacts_vcard

    path = _check_output(output)
    vault = app.vault
    _write_output(contacts_vcard(vault).encode("utf-8"), path, len(vault.contacts))
