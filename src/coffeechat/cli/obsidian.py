"""Commands for a vault kept in Obsidian: obsidian (Bases views and property types), dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.messages import say, say_bytes, tell
from coffeechat.cli.render.publishing import (
    dashboard_written,
    no_obsidian_config,
    obsidian_lines,
    type_conflict,
)
from coffeechat.errors import CoffeechatError


def set_up(root: Path, settings: Any, *, create_config: bool) -> tuple[list[str], str]:
    """`coffeechat.storage.obsidian_files.install` with its notes echoed: what it added, and why the
    property types could not be merged ("" when they were)."""
    from coffeechat.obsidian.bases import TYPES_FILE
    from coffeechat.storage.obsidian_files import install

    setup = install(root, settings, create_config=create_config)
    for key, theirs, ours in setup.conflicts:
        tell(type_conflict(TYPES_FILE, key, theirs, ours))
    if setup.no_config:
        tell(no_obsidian_config())
    added = list(setup.created)
    if setup.types_added and TYPES_FILE not in added:
        added.append(f"property types in {TYPES_FILE} ({len(setup.types_added)})")
    return added, setup.problem


@cli.command()
@click.option(
    "--create-config",
    is_flag=True,
    help="Create .obsidian/ (and its types.json) if the vault has none yet.",
)
@pass_app
def obsidian(app: App, create_config: bool) -> None:
    """Add the Bases views and property types to a vault kept in Obsidian.

    Writes Contacts.base, Meetings.base and Companies.base (Obsidian 1.9+ shows them as live
    tables) unless a file of that name is already there, and adds coffeechat's property types
    (dates, date-times, lists) to .obsidian/types.json — only the keys it does not have yet.
    Never overwrites a file; running it again only adds what is missing.
    """
    from coffeechat.obsidian.bases import BASE_FILES

    created, problem = set_up(app.root, app.settings, create_config=create_config)
    kept = [name for name in BASE_FILES if name not in created]
    for line in obsidian_lines(created, kept):
        say(line)
    if problem:
        raise CoffeechatError(problem)


@cli.command()
@click.option(
    "-o",
    "--output",
    metavar="NOTE",
    help="The note to write, in the vault (default: watch.dashboard, else"
    " Follow-ups.md); `-o -` prints it.",
)
@pass_app
def dashboard(app: App, output: str | None) -> None:
    """Write the dashboard note: follow-ups with links and done/snooze commands, the meetings
    ahead, the funnel and the referral tree (Mermaid, which Obsidian draws).

    `watch` keeps it current when watch.dashboard is set; this writes it once. A note of that
    name that coffeechat did not write is never replaced.
    """

    from coffeechat.collector import no_cycle_collection
    from coffeechat.errors import UsageError
    from coffeechat.obsidian.dashboard import DEFAULT_NOTE, compose
    from coffeechat.storage.files import inside_vault
    from coffeechat.storage.outputs import dashboard_path, write_dashboard

    settings = app.settings
    if output == "-":
        path = None
    elif output is None:
        path = dashboard_path(app.root, settings) or inside_vault(app.root, DEFAULT_NOTE)
    else:
        if not output.lower().endswith(".md"):
            raise UsageError(
                f"the dashboard must be a Markdown note (…/Follow-ups.md), not {output!r}"
            )
        path = inside_vault(app.root, output)
        if not path.parent.is_dir():
            raise UsageError(f"cannot write the dashboard to {output}: its folder does not exist")
    with no_cycle_collection():
        agenda = app.agenda
        data = compose(app.root, settings, agenda.result.items, agenda.meetings(), app.today)
    if path is None:
        say_bytes(data)
        return
    wrote = write_dashboard(path, data)
    shown = path.relative_to(app.root.resolve()).as_posix()
    say(dashboard_written(shown, wrote))
