"""The `push` command: the follow-ups into a calendar (or task list) on a CalDAV server."""

from __future__ import annotations

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.messages import say, tell
from coffeechat.cli.render.publishing import push_lines


@cli.command()
@click.option(
    "--as",
    "as_",
    type=click.Choice(["event", "todo"]),
    default=None,
    help="Events in a calendar (default: caldav.as, else event), or tasks (VTODO) in a"
    " task list: Apple Reminders, Tasks.org, Thunderbird.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what would be created, updated, deleted and written back; change nothing.",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace (or delete) coffeechat's objects that were edited on the server.",
)
@pass_app
def push(app: App, as_: str | None, dry_run: bool, overwrite: bool) -> None:
    """Sync the due follow-ups (and scheduled meetings) into a CalDAV collection.

    Set the server in coffeechat.toml's [caldav] section (url, username, calendar) and the
    password in an environment variable, a password_command or the system keyring — never in
    the vault. Creates what is new, updates what changed, deletes what is no longer due, and
    touches nothing it did not create. An object edited on the server is left as it is and
    reported. A task ticked off on the server is written into your notes as `done` would
    write it, then removed from the server. A second run with nothing changed sends nothing.
    """
    from coffeechat.caldav.client import PushError
    from coffeechat.caldav.sync import push as run_push

    result = run_push(
        app.root, app.settings, app.today, as_=as_, dry_run=dry_run, overwrite=overwrite
    )
    for line, to_stderr in push_lines(result, dry_run):
        (tell if to_stderr else say)(line)
    if result.failed:
        raise PushError(
            f"{len(result.failed)} change{'s' * (len(result.failed) != 1)} could not be"
            " made; run push again"
        )
