"""Commands that only read the vault: due, index, show, check."""

from __future__ import annotations

import datetime as dt

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.agenda import agenda, index_line
from coffeechat.cli.render.cards import company_card, contact_card, meeting_card
from coffeechat.cli.render.json_shapes import item_json, print_json
from coffeechat.cli.render.lists import check_summary, finding_json, finding_line
from coffeechat.cli.render.messages import say, tell, warn
from coffeechat.cli.render.text import print_lines, screen_width
from coffeechat.errors import UsageError

#: coffeechat.core.rules.RULE_NAMES, spelled out so that --help need not import the rules
#: (tests/cli/test_startup.py checks that the two agree).
RULE_NAMES = (
    "follow_up_approach",
    "schedule",
    "rebook",
    "prepare",
    "thank_you",
    "reach_referral",
    "report_back",
    "keep_in_touch",
    "landed",
    "follow_up",
)


# --- due -----------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--within",
    type=click.IntRange(min=0),
    default=7,
    show_default=True,
    metavar="DAYS",
    help="Show items due within DAYS from today (overdue ones always show).",
)
@click.option("--all", "show_all", is_flag=True, help="Show every open item, however far ahead.")
@click.option(
    "--rule",
    "rules",
    type=click.Choice(RULE_NAMES),
    multiple=True,
    help="Only items of this rule (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array, oldest due first.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Say why each item matters, and where it comes from."
)
@pass_app
def due(
    app: App, within: int, show_all: bool, rules: tuple[str, ...], as_json: bool, verbose: bool
) -> None:
    """What you owe whom: overdue follow-ups and those due soon.

    \b
    Rules: follow_up_approach, schedule, rebook, prepare, thank_you, reach_referral,
    report_back, keep_in_touch, landed, follow_up (see the README).
    """
    today = app.today
    result = app.agenda.result
    until = None if show_all else today + dt.timedelta(days=within)
    items = [
        i
        for i in result.items
        if (not rules or i.rule in rules) and (until is None or i.due <= until)
    ]
    if as_json:
        print_json([item_json(i, today) for i in items], problems=result.problems)
        return
    print_lines(
        agenda(items, today, until, result.insights, result.problems, verbose, width=screen_width())
    )


# --- index ---------------------------------------------------------------------------------


@cli.command()
@pass_app
def index(app: App) -> None:
    """Bring the cache in .coffeechat/ up to date with the notes, and the agenda with them
    (e.g. from a git hook after a pull, so the next `due` is instant)."""
    refresh = app.agenda
    say(index_line(refresh.how, refresh.parsed, refresh.removed, len(refresh.result.items)))


# --- show ----------------------------------------------------------------------------------


@cli.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the card as JSON.")
@pass_app
def show(app: App, name: str, as_json: bool) -> None:
    """A contact's card and timeline (or a company's people, or a meeting).

    NAME is a note name, an alias, a path, or a unique part of a name.
    """
    today = app.today
    path = app.part(names=[name]).one(name, ("contacts", "companies", "meetings"))
    vault = app.part(around=[path])
    items = app.agenda.result.items
    width = None if as_json else screen_width()
    if path in vault.contacts:
        data, lines = contact_card(vault, vault.contacts[path], items, today, width)
    elif path in vault.companies:
        data, lines = company_card(vault, path, items, today, width)
    elif path in vault.meetings:
        data, lines = meeting_card(vault, path, items, today, width)
    else:
        note = vault.notes[path]
        if note.broken:
            raise UsageError(f"{path} cannot be shown: {note.findings[0].message}")
        raise UsageError(f"{path} is not a contact, company or meeting note")
    if as_json:
        print_json(data, problems=app.agenda.result.problems)
    else:
        print_lines(lines)


# --- check ---------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of findings.")
@pass_app
def check(app: App, as_json: bool) -> None:
    """Vault health: YAML errors, broken or ambiguous links, duplicate people, conflict
    markers, impossible dates, and suggestions. Exits 1 when there is an error or warning.
    """
    from coffeechat.core.model import Severity
    from coffeechat.storage.cache.index import Index

    checked = Index(app.root, app.settings).check(app.today)
    for warning in checked.warnings:
        warn(warning)
    findings = sorted(checked.findings, key=lambda f: (f.path, f.line or 0, f.message))
    if as_json:
        print_json([finding_json(f) for f in findings])
    else:
        print_lines(finding_line(finding) for finding in findings)
        tell(check_summary(checked.notes, findings))
    if any(f.severity is not Severity.INFO for f in findings):
        click.get_current_context().exit(1)
