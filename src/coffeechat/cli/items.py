"""Commands that settle an open item (as `due` shows it, by its id): done and snooze."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app, writing
from coffeechat.cli.render.messages import say
from coffeechat.cli.render.writes import done_line, note_created, snoozed, would_do
from coffeechat.errors import UsageError


def _find_item(app: App, ident: str) -> Any:
    """The one open item (as `due` shows it) whose id starts with ``ident``."""
    wanted = ident.strip().lower()
    if len(wanted) < 4 or not all(c in "0123456789abcdef" for c in wanted):
        raise UsageError(
            f"{ident!r} is not an item id (ids are hex, as `coffeechat due` shows them;"
            " give at least 4 digits)"
        )
    items = [i for i in app.agenda.result.items if i.id.startswith(wanted)]
    if not items:
        raise UsageError(f"no open item has the id {ident!r} (`coffeechat due --all` lists them)")
    if len(items) > 1:
        raise UsageError(
            f"{ident!r} matches {len(items)} items: "
            + ", ".join(i.id for i in items)
            + " — give more digits"
        )
    return items[0]


@cli.command()
@click.argument("ident", metavar="ID")
@click.option("-m", "--message", help="The text of the log line (default: a plain description).")
@click.option("--dry-run", is_flag=True, help="Say what would be written, write nothing.")
@pass_app
def done(app: App, ident: str, message: str | None, dry_run: bool) -> None:
    """Mark the item ID as done, by writing what you would have written: a log line,
    the meeting's thank_you: or prepared: date, a ticked task, a cleared follow_up:."""
    from coffeechat.core.resolutions import resolution
    from coffeechat.storage.done import around, carry_out

    if not dry_run:
        app.lock_for_writing()
    item = _find_item(app, ident)
    writes = resolution(item, app.part(around=around(item)), app.today, message)
    if dry_run:
        for write in writes:
            say(would_do(write))
        return
    done_writes = carry_out(
        writes,
        app.today,
        root=app.root,
        settings=app.settings,
        edit=app.edit,
        part=lambda names: app.part(names=names),
        names=app.names,
        now=writing.template_now(app),
    )
    for write in done_writes:
        if write.op == "create_contact":
            say(note_created(str(write.path)))
        say(done_line(item, write))


@cli.command()
@click.argument("ident", metavar="ID")
@click.option(
    "--until",
    "until",
    callback=date_option,
    required=True,
    metavar="DATE",
    help="The day it should come back.",
)
@pass_app
def snooze(app: App, ident: str, until: dt.date) -> None:
    """Put the item ID off until DATE. The snooze is kept in the item's note (a `snooze:`
    list), so it syncs with the rest of the vault."""
    from coffeechat.core.note.edits import append_list_item

    if until <= app.today:
        raise UsageError(
            f"--until {until.isoformat()} is not after today ({app.today.isoformat()})"
        )
    app.lock_for_writing()
    from coffeechat.core.rules import subject_items
    from coffeechat.storage.done import around

    item = _find_item(app, ident)
    # A snooze only ever moves an item later than the rule's own date: one on or before it
    # would be written and change nothing. (An earlier snooze may be brought forward.)
    part = app.part(around=around(item))
    due = next(
        (i.due for i in subject_items(part, item.subject, app.today) if i.id == item.id), item.due
    )
    if until <= due:
        raise UsageError(
            f"{item.id} is due on {due.isoformat()}; a snooze moves it later —"
            f" give --until a day after {due.isoformat()}"
        )
    entry = f"{item.id} until {until.isoformat()}"
    app.edit(item.source, lambda d: append_list_item(d, "snooze", entry))
    say(snoozed(item, until))
