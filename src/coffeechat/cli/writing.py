"""Commands that add notes and lines to a vault: add contact|company, meet, log; and the
helpers every command that writes a note uses (the note a name means, a template's clock)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.cli.render.messages import say
from coffeechat.cli.render.writes import line_added, meeting_created, note_created
from coffeechat.errors import UsageError

# --- commands that add to notes --------------------------------------------------------------


def _datetime_arg(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> dt.datetime | dt.date | None:
    if value is None:
        return None
    text = value.strip().replace(" ", "T", 1)
    try:
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM)"
        ) from None


def _cadence_arg(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from coffeechat.core.dates import parse_cadence

    try:
        return str(parse_cadence(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def template_now(app: App) -> dt.datetime:
    """Today (as --today says) at the wall-clock time, for template {{date}}/{{time}}."""
    clock = dt.datetime.now(app.settings.tz).time().replace(second=0, microsecond=0)
    return dt.datetime.combine(app.today, clock)


def one_note(app: App, name: str, kind: str) -> str:
    """The path of the one note of ``kind`` that ``name`` means (`Vault.one`)."""
    return str(app.part(names=[name]).one(name, (kind,)))


def _link_to(path: str) -> Any:
    from coffeechat.core.note.edits import Link
    from coffeechat.core.vault.vault import note_stem

    return Link(note_stem(path))


def _company_link(app: App, vault: Any, company: str, names: Any, created: list[str]) -> Any:
    """A link to the company's note, creating the note when the vault (a part holding what
    ``company`` may mean) has none."""
    from coffeechat.core.model import NoteType
    from coffeechat.storage.writer import create_note

    hits = [p for p in vault.find(company) if p in vault.companies]
    exact = [p for p in hits if vault.companies[p].name.casefold() == company.casefold()]
    if len(exact) == 1 or len(hits) == 1:
        return _link_to((exact or hits)[0])
    rel = create_note(
        app.root, app.settings, NoteType.COMPANY, company, [], names=names, now=template_now(app)
    )
    created.append(rel)
    return _link_to(rel)


def _open_editor(app: App, rel: str) -> None:
    click.edit(filename=str(app.root / rel))


@cli.group()
def add() -> None:
    """Add a contact or a company note (from the vault's template; never overwrites)."""


@add.command("contact")
@click.argument("name")
@click.option("--company", help="Their organisation (a company note is made if there is none).")
@click.option("--role", help="Their job title.")
@click.option("--email")
@click.option("--phone")
@click.option("--linkedin", help="Their LinkedIn profile URL.")
@click.option("--field", help="The occupation or industry you are exploring with them.")
@click.option(
    "--referred-by", metavar="NAME", help="Who gave you their name (an existing contact)."
)
@click.option("--how-met", help="How you came to know them.")
@click.option("--cadence", callback=_cadence_arg, help="Keep-in-touch interval: 90d, 6w, 6m, 1y.")
@click.option("--status", type=click.Choice(["dormant", "paused", "do_not_contact"]))
@click.option("--follow-up", callback=date_option, metavar="DATE", help="A date to follow up on.")
@click.option(
    "--added",
    callback=date_option,
    metavar="DATE",
    help="When they joined your network (default: today).",
)
@click.option("--alias", "aliases", multiple=True, help="Another name for them (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@pass_app
def add_contact(
    app: App,
    name: str,
    company: str | None,
    role: str | None,
    email: str | None,
    phone: str | None,
    linkedin: str | None,
    field: str | None,
    referred_by: str | None,
    how_met: str | None,
    cadence: str | None,
    status: str | None,
    follow_up: dt.date | None,
    added: dt.date | None,
    aliases: tuple[str, ...],
    tags: tuple[str, ...],
    edit: bool,
) -> None:
    """Add a contact note for NAME (contacts/NAME.md)."""
    from coffeechat.core.links import fold
    from coffeechat.core.model import NoteType
    from coffeechat.storage.writer import create_note

    name = name.strip()
    if not name:
        raise UsageError("the name is empty")
    app.lock_for_writing()
    vault = app.part(names=[n for n in (name, company, referred_by) if n])
    same = [c for c in vault.contacts.values() if fold(c.name) == fold(name)]
    if same and (not company or any(fold(c.company) == fold(company) for c in same)):
        raise UsageError(
            f"{name} already has a note: {same[0].path} (give --company to add a"
            " different person of the same name)"
        )
    referrer = _link_to(vault.one(referred_by, ("contacts",))) if referred_by else None
    names = app.names()
    created: list[str] = []
    fields: list[tuple[str, Any]] = []
    if aliases:
        fields.append(("aliases", list(aliases)))
    if company:
        fields.append(("company", _company_link(app, vault, company, names, created)))
    for key, value in (
        ("role", role),
        ("email", email),
        ("phone", phone),
        ("linkedin", linkedin),
        ("field", field),
    ):
        if value:
            fields.append((key, value))
    if tags:
        fields.append(("tags", [t.lstrip("#") for t in tags]))
    if referrer is not None:
        fields.append(("referred_by", referrer))
    optional: tuple[tuple[str, Any], ...] = (
        ("how_met", how_met),
        ("cadence", cadence),
        ("status", status),
        ("follow_up", follow_up),
    )
    for key, value in optional:
        if value:
            fields.append((key, value))
    fields.append(("added", added or app.today))
    rel = create_note(
        app.root,
        app.settings,
        NoteType.CONTACT,
        name,
        fields,
        names=names,
        now=template_now(app),
        qualifier=company or "",
    )
    for extra in created:
        say(note_created(extra))
    say(note_created(rel))
    if edit:
        _open_editor(app, rel)


@add.command("company")
@click.argument("name")
@click.option("--website")
@click.option("--industry")
@click.option("--research", help="What you know about them so far.")
@click.option("--alias", "aliases", multiple=True, help="Another name for it (repeatable).")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@pass_app
def add_company(
    app: App,
    name: str,
    website: str | None,
    industry: str | None,
    research: str | None,
    aliases: tuple[str, ...],
    tags: tuple[str, ...],
    edit: bool,
) -> None:
    """Add a company note for NAME (companies/NAME.md)."""
    from coffeechat.core.links import fold
    from coffeechat.core.model import NoteType
    from coffeechat.storage.writer import create_note

    name = name.strip()
    if not name:
        raise UsageError("the name is empty")
    app.lock_for_writing()
    same = [c for c in app.part(names=[name]).companies.values() if fold(c.name) == fold(name)]
    if same:
        raise UsageError(f"{name} already has a note: {same[0].path}")
    fields: list[tuple[str, Any]] = []
    if aliases:
        fields.append(("aliases", list(aliases)))
    for key, value in (("website", website), ("industry", industry)):
        if value:
            fields.append((key, value))
    if tags:
        fields.append(("tags", [t.lstrip("#") for t in tags]))
    if research:
        fields.append(("research", research))
    rel = create_note(
        app.root,
        app.settings,
        NoteType.COMPANY,
        name,
        fields,
        names=app.names(),
        now=template_now(app),
    )
    say(note_created(rel))
    if edit:
        _open_editor(app, rel)


_KIND_TITLES = {
    "informational": "Informational interview with",
    "coffee": "Coffee with",
    "call": "Call with",
    "video": "Video call with",
    "event": "Met at an event:",
}


def _kind_arg(ctx: click.Context, param: click.Parameter, value: str) -> str:
    kind = " ".join(value.lower().split())
    if not kind:
        raise click.BadParameter("give a word (coffee, call, video, lunch, ...)")
    return kind


def _complete_kind(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """The shell's completion of --kind: the kinds coffeechat has words for."""
    from click.shell_completion import CompletionItem

    return [CompletionItem(k) for k in _KIND_TITLES if k.startswith(incomplete.lower())]


def create_meeting(
    app: App,
    title: str,
    when: dt.datetime | dt.date,
    people: list[str],
    *,
    kind: str | None = None,
    where: str | None = None,
    duration: int | None = None,
    extra: Sequence[tuple[str, Any]] = (),
    names: Any = None,
) -> str:
    """A new meeting note from the vault's meeting template, as `meet` makes it (`date`,
    `with` the contact notes ``people``, `kind`, `duration`, `location`, then ``extra``),
    named ``DATE TITLE``; returns its path. `import calendar` makes its notes through here."""
    from coffeechat.core.model import NoteType
    from coffeechat.storage.writer import create_note

    day = when.date() if isinstance(when, dt.datetime) else when
    fields: list[tuple[str, Any]] = [("date", when), ("with", [_link_to(p) for p in people])]
    if kind:
        fields.append(("kind", kind))
    if duration:
        fields.append(("duration", duration))
    if where:
        fields.append(("location", where))
    fields += extra
    return create_note(
        app.root,
        app.settings,
        NoteType.MEETING,
        title,
        fields,
        names=names if names is not None else app.names(),
        now=template_now(app),
        stem=f"{day.isoformat()} {title}",
    )


@cli.command()
@click.argument("name")
@click.option(
    "--date",
    "when",
    callback=_datetime_arg,
    metavar="DATE[THH:MM]",
    help="When (default: today); a future date makes it a scheduled meeting.",
)
@click.option(
    "--kind",
    default="coffee",
    show_default=True,
    callback=_kind_arg,
    shell_complete=_complete_kind,
    metavar="WORD",
    help="coffee, informational, call, video, event — or your own word (lunch, walk),"
    " kept as you wrote it.",
)
@click.option("--where", help="The place, or the call link.")
@click.option("--duration", type=click.IntRange(1, 24 * 60), help="Minutes (default 30).")
@click.option(
    "--with", "others", multiple=True, metavar="NAME", help="Someone else there (repeatable)."
)
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@pass_app
def meet(
    app: App,
    name: str,
    when: dt.datetime | dt.date | None,
    kind: str,
    where: str | None,
    duration: int | None,
    others: tuple[str, ...],
    edit: bool,
) -> None:
    """Add a meeting note with NAME (meetings/DATE Kind with NAME.md)."""
    app.lock_for_writing()
    vault = app.part(names=[name, *others])
    people = [str(vault.one(n, ("contacts",))) for n in (name, *others)]
    when = when or app.today
    day = when.date() if isinstance(when, dt.datetime) else when
    first = vault.contacts[people[0]].name
    title = f"{_KIND_TITLES.get(kind) or kind.capitalize() + ' with'} {first}"
    rel = create_meeting(app, title, when, people, kind=kind, where=where, duration=duration)
    if day > app.today:
        from coffeechat.core.rules.shared import prepare_due

        say(meeting_created(rel, prepare_due(app.settings, day)))
    else:
        say(meeting_created(rel, None, today=day == app.today))
    if edit:
        _open_editor(app, rel)


@cli.command()
@click.argument("name")
@click.argument("kind")
@click.argument("text", nargs=-1)
@click.option("--date", "day", callback=date_option, metavar="DATE", help="When (default: today).")
@pass_app
def log(app: App, name: str, kind: str, text: tuple[str, ...], day: dt.date | None) -> None:
    """Append a dated line to NAME's log: KIND is approach, follow_up, call, voicemail,
    email, reply, thank_you, update, report_back, landed, declined or note.

    \b
    coffeechat log "Jane Doe" approach emailed, said Bob referred me
    """
    from coffeechat.core.note.body import LOG_KINDS, normalise_kind
    from coffeechat.core.note.edits import append_line_under_heading
    from coffeechat.core.resolutions import LOG_DEFAULTS, LOG_HEADING, log_line

    normal = normalise_kind(kind)
    if normal is None:
        raise UsageError(f"{kind!r} is not a log kind (one of: {', '.join(sorted(LOG_KINDS))})")
    words = " ".join(" ".join(text).split()) or LOG_DEFAULTS.get(normal, "")
    if not words:
        raise UsageError(f"a {normal} line needs its text: coffeechat log {name!r} {normal} TEXT")
    app.lock_for_writing()
    path = one_note(app, name, "contacts")
    line = log_line(day or app.today, normal, words)
    app.edit(path, lambda data: append_line_under_heading(data, LOG_HEADING, line))
    say(line_added(line, path))
