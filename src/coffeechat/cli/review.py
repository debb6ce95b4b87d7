"""Commands that review the search: lint a letter, stats, and the referral tree (graph)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.cli.render.coaching import (
    lint_json,
    lint_lines,
    lint_verdict,
    no_referrals,
    stats_lines,
    tree_written,
)
from coffeechat.cli.render.json_shapes import print_json
from coffeechat.cli.render.messages import say, tell, warn
from coffeechat.cli.writing import one_note
from coffeechat.errors import UsageError

NETWORK_NOTE = "Network.md"
NETWORK_HEADING = "Referral tree"


# --- lint ----------------------------------------------------------------------------------------


@cli.command()
@click.argument("file", metavar="FILE|-")
@click.option(
    "--kind",
    "kind",
    metavar="KIND",
    help="approach, follow_up, thank_you, report_back, update or landed (default: read"
    " from the letter).",
)
@click.option(
    "--to",
    "to",
    metavar="NAME",
    help="The contact it is for: the referrer must be named, and a thank-you is timed"
    " against your last meeting with them.",
)
@click.option(
    "--meeting-date",
    callback=date_option,
    metavar="DATE",
    help="For a thank-you: the day of the meeting.",
)
@click.option(
    "--date",
    "sent",
    callback=date_option,
    metavar="DATE",
    help="The day it is sent (default: its Date: line, else today).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@pass_app
def lint(
    app: App,
    file: str,
    kind: str | None,
    to: str | None,
    meeting_date: dt.date | None,
    sent: dt.date | None,
    as_json: bool,
) -> None:
    """Check a letter (FILE, or - for stdin) against the etiquette of the method.

    \b
    An approach says how you got their name, asks for 20–30 minutes (10–15 by
    phone) of advice — not a job — offers in person, phone or video, and says that
    you will follow up. No letter sends a résumé or asks about openings; all are
    short. A thank-you goes out within three days and names something specific.
    One line per finding (FILE:LINE: rule: message); exit 1 when there are any.
    """
    from coffeechat.core.coaching.kinds import KINDS
    from coffeechat.core.coaching.lint import lint_letter

    if kind is not None:
        kind = kind.strip().lower().replace("-", "_")
        if kind not in KINDS:
            raise UsageError(f"{kind!r} is not a kind of letter (one of: {', '.join(KINDS)})")
    shown = "stdin" if file == "-" else file
    if file == "-":
        raw = sys.stdin.buffer.read()
    else:
        try:
            raw = Path(file).read_bytes()
        except FileNotFoundError:
            raise UsageError(f"{file}: no such file") from None
        except IsADirectoryError:
            raise UsageError(f"{file} is a folder, not a letter") from None
        except OSError as exc:
            raise UsageError(f"{file} cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{shown} is not UTF-8 text") from None
    if not text.strip():
        raise UsageError(f"{shown} is empty")
    referrer = None
    if to is not None:
        vault = app.vault
        contact = vault.contacts[one_note(app, to, "contacts")]
        referrer = contact.referred_by.name if contact.referred_by else None
        if meeting_date is None:
            today = app.today
            held = [
                m for m in vault.meetings_with(contact.path) if m.date <= today and not m.cancelled
            ]
            meeting_date = held[-1].date if held else None
    if sent is None and meeting_date is not None and "date:" not in text.lower()[:400]:
        sent = _today(app)
    result = lint_letter(text, kind=kind, meeting_date=meeting_date, sent=sent, referrer=referrer)
    if as_json:
        print_json(lint_json(shown, result))
    else:
        for line in lint_lines(shown, result):
            say(line)
        tell(lint_verdict(shown, result))
    if result.findings:
        click.get_current_context().exit(1)


def _today(app: App) -> dt.date:
    """Today as --today says; a letter can be linted outside any vault."""
    from coffeechat.errors import VaultNotFound

    if app.today_arg is not None:
        return app.today_arg
    try:
        return app.today
    except VaultNotFound:
        return dt.date.today()


# --- stats -----------------------------------------------------------------------------------


def _figures(app: App) -> Any:
    """Each contact's and meeting's figures on today (`Index.figures`: kept in the store with
    their subjects), which `stats` and `graph` add up."""
    from coffeechat.storage.cache.index import Index

    figured = Index(app.root, app.settings).figures(app.today)
    for warning in figured.warnings:
        warn(warning)
    return figured


@cli.command()
@click.option("--since", callback=date_option, metavar="DATE", help="Count only from this date on.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_app
def stats(app: App, since: dt.date | None, as_json: bool) -> None:
    """How the search is going: the funnel (contacts → approached → replied → met →
    referrals received → referrals met), response rate, days from approach to meeting,
    thank-yous sent within three days, meetings per field, and your busiest weeks.
    """
    from coffeechat.core.coaching.stats import stats_json, stats_of

    today = app.today
    if since is not None and since > today:
        raise UsageError(f"--since {since.isoformat()} is after today ({today.isoformat()})")
    figured = _figures(app)
    result = stats_of(figured.figures, today, since, app.settings.field_limit)
    if as_json:
        print_json(stats_json(result), problems=figured.problems)
        return
    for line in stats_lines(result):
        say(line)


# --- graph ---------------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "dot"]),
    default="mermaid",
    show_default=True,
    help="Mermaid (renders in Obsidian) or Graphviz DOT.",
)
@click.option("--from", "root", metavar="NAME", help="Only NAME and everyone downstream of them.")
@click.option(
    "--write",
    is_flag=True,
    help=f"Keep the tree in {NETWORK_NOTE} under ## {NETWORK_HEADING}, replacing the one"
    " written there before.",
)
@pass_app
def graph(app: App, fmt: str, root: str | None, write: bool) -> None:
    """The referral tree: who gave you whose name, whom you have met (green), booked (blue),
    approached (yellow) or not reached yet (dashed).

    \b
    coffeechat graph                     a ```mermaid block to paste into a note
    coffeechat graph --write             keep it current in Network.md
    coffeechat graph --format dot | dot -Tsvg > tree.svg
    """
    from coffeechat.core.coaching.graph import dot, graph_of, mermaid
    from coffeechat.core.note.sections import put_fenced_block
    from coffeechat.storage.files import atomic_write, inside_vault
    from coffeechat.storage.writer import edit_note

    root_path = one_note(app, root, "contacts") if root else None
    figures = _figures(app).figures
    tree = graph_of(figures, root_path)
    if fmt == "mermaid":
        lines = mermaid(tree)
    else:
        lines = ["```dot", *dot(tree), "```"] if write else dot(tree)
    if not tree.edges:
        who = None
        if root_path is not None:
            who = figures.contacts[root_path].name if root_path in figures.contacts else root
        tell(no_referrals(who))
    if not write:
        say("\n".join(lines))
        return
    target = inside_vault(app.root, NETWORK_NOTE)
    if target.exists():
        changed = edit_note(
            app.root, NETWORK_NOTE, lambda data: put_fenced_block(data, NETWORK_HEADING, lines)
        )
        say(tree_written(NETWORK_NOTE, "updated" if changed else "unchanged"))
        return
    intro = (
        "# Network\n\nWho gave me whose name. `coffeechat graph --write` keeps the tree below"
        " current; write anything you like around it.\n"
    )
    data = put_fenced_block(intro.encode("utf-8"), NETWORK_HEADING, lines)
    atomic_write(target, data, create=True)
    say(tree_written(NETWORK_NOTE, "created"))
