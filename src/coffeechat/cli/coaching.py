"""Commands that coach the method: prep, draft, lint, stats and graph."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.cli.render.text import fit_line, print_lines, screen_width
from coffeechat.errors import UsageError

PREP_HEADING = "Prep sheet"
NETWORK_NOTE = "Network.md"
NETWORK_HEADING = "Referral tree"


# --- shared helpers --------------------------------------------------------------------------


def _template(app: App, name: str) -> tuple[str, str]:
    """(text, where it came from) of a template: the vault's templates/ folder, else ours."""
    folder = app.root / app.settings.templates_folder
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.name.casefold() == name.casefold() and entry.is_file():
                try:
                    return (
                        entry.read_bytes().decode("utf-8-sig"),
                        f"{app.settings.templates_folder}/{entry.name}",
                    )
                except (OSError, UnicodeDecodeError) as exc:
                    click.echo(
                        f"warning: {app.settings.templates_folder}/{entry.name} cannot be"
                        f" read ({exc}); using coffeechat's own",
                        err=True,
                    )
                break
    from importlib import resources

    text = (resources.files("coffeechat") / "data" / "templates" / name).read_text(encoding="utf-8")
    return text, f"{app.settings.templates_folder}/{name}"


def _note_text(app: App, rel: str) -> str:
    try:
        return (app.root / rel).read_bytes().decode("utf-8-sig", "replace")
    except OSError:
        return ""


class _NoteTexts(Mapping[str, str]):
    """Note texts read when first asked for (the core asks only for the meetings it uses)."""

    def __init__(self, app: App, notes: Mapping[str, Any]) -> None:
        self.app = app
        self.notes = notes  # the vault's notes (or those of the part at hand)
        self.cache: dict[str, str] = {}

    def __getitem__(self, rel: str) -> str:
        if rel not in self.notes:
            raise KeyError(rel)
        if rel not in self.cache:
            self.cache[rel] = _note_text(self.app, rel)
        return self.cache[rel]

    def __contains__(self, rel: object) -> bool:
        return isinstance(rel, str) and rel in self.notes

    def __iter__(self) -> Iterator[str]:
        return iter(self.notes)

    def __len__(self) -> int:
        return len(self.notes)


def _contact(app: App, name: str) -> str:
    from coffeechat.cli.notes import _one

    return _one(app, name, "contacts")


def _pitch(app: App) -> str:
    from coffeechat.core.coaching.text import pitch_text

    if app.settings.pitch_thumbnail:
        return pitch_text(app.settings.pitch_thumbnail, None)
    text, _ = _template(app, "Pitch.md")
    return pitch_text("", text)


# --- prep ----------------------------------------------------------------------------------------


@cli.command()
@click.argument("name")
@click.option(
    "--write",
    is_flag=True,
    help=f"Put the sheet into the scheduled meeting's note, under ## {PREP_HEADING}"
    " (replacing the sheet written there before, unless you edited it).",
)
@click.option(
    "--questions",
    type=click.IntRange(1, 20),
    default=5,
    show_default=True,
    help="Questions per tier from the question bank.",
)
@pass_app
def prep(app: App, name: str, write: bool, questions: int) -> None:
    """A prep sheet for a meeting with NAME (a contact, or a meeting note).

    Who they are and their company, how you got their name, every past touch, your objectives
    (your approach, re-read; the meeting's ## Goals), your thumbnail sketch, and two tiers of
    questions — about the job, about the industry — from templates/Questions.md, chosen by
    their field, role, industry and tags.
    """
    from coffeechat.core.coaching.prep import prep_sheet, scheduled_meeting
    from coffeechat.core.coaching.questions import parse_bank
    from coffeechat.core.edits import set_key
    from coffeechat.core.sections import put_marked_block
    from coffeechat.storage.writer import edit_note

    today = app.today
    path = app.part(names=[name]).one(name, ("contacts", "meetings"))
    vault = app.part(around=[path])
    meeting = None
    if path in vault.meetings:
        meeting = vault.meetings[path]
        people = [p.path for p in meeting.with_ if p.path in vault.contacts]
        if not people:
            raise UsageError(f"{meeting.path} lists no contact under with:")
        contact_path = people[0]
    else:
        contact_path = path
    company = vault.contacts[contact_path].company_path
    vault = app.part(around=[path, contact_path, *([company] if company else [])])
    if meeting is None:
        meeting = scheduled_meeting(vault, contact_path, today)
    else:
        meeting = vault.meetings[path]
    bank_text, bank_name = _template(app, "Questions.md")
    sheet = prep_sheet(
        vault,
        contact_path,
        today,
        meeting=meeting,
        contact_text=_note_text(app, contact_path),
        meeting_text=_note_text(app, meeting.path) if meeting else "",
        pitch=_pitch(app),
        bank=parse_bank(bank_text),
        per_tier=questions,
        bank_name=bank_name,
        template_text=_template(app, "Contact.md")[0],
    )
    if not write:
        width = screen_width()
        print_lines(part for line in sheet.markdown(1) for part in fit_line(line, width))
        return
    if meeting is None:
        contact = vault.contacts[contact_path]
        raise UsageError(
            f"no meeting with {contact.name} is scheduled to write the sheet into"
            f' (add one with `coffeechat meet "{contact.name}" --date YYYY-MM-DD`)'
        )
    if meeting.date < today:
        raise UsageError(
            f"{meeting.path} took place on {meeting.date.isoformat()}; a prep sheet"
            " goes into a meeting still ahead"
        )
    lines = sheet.embedded(2)
    settle = meeting.prepared is None  # a written sheet is the preparing: settle `prepare`

    def write_sheet(data: bytes) -> bytes:
        data = put_marked_block(data, PREP_HEADING, "prep", lines)
        return set_key(data, "prepared", today) if settle else data

    changed = edit_note(app.root, meeting.path, write_sheet)
    if changed:
        click.echo(
            f"Wrote the prep sheet into {meeting.path} under ## {PREP_HEADING}"
            + (f" and set prepared: {today.isoformat()}" if settle else "")
        )
    else:
        click.echo(f"The prep sheet in {meeting.path} is already up to date")


# --- draft ---------------------------------------------------------------------------------------


def _sets(values: tuple[str, ...]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"--set {item!r} is not FIELD=TEXT")
        key, text = item.split("=", 1)
        key = key.strip().lower()
        if not key.replace("_", "").isalnum():
            raise UsageError(f"--set {item!r}: {key!r} is not a field name")
        out[key] = " ".join(text.split()) or None
    return out


def _shown(sentence: str) -> str:
    """A template sentence with its fields as … (for the note that it was left out)."""
    import re

    return re.sub(r"\{[A-Za-z_][A-Za-z0-9_]*\}", "…", sentence)


def _missing_note(missing: Any, where: str) -> str:
    """``note: left out ...`` for a sentence whose facts coffeechat does not know."""
    import re

    from coffeechat.core.coaching.drafts import FIELD_HELP

    what = "; ".join(
        FIELD_HELP.get(f, f"“{f}”, a field of {where} that coffeechat does not fill")
        for f in missing.fields
    )
    give = " ".join(f"--set {f}=…" for f in missing.fields)
    rest = re.sub(r"\{[A-Za-z_][A-Za-z0-9_]*\}", "", missing.sentence).strip(" .,;:—–-")
    sentence = f" (the sentence “{_shown(missing.sentence)}”)" if rest else ""
    return f"note: left out {what}{sentence}; give it with {give}"


@cli.command()
@click.argument("kind", metavar="KIND")
@click.argument("name")
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="FIELD=TEXT",
    help="A fact the vault does not hold, e.g. --set source='your talk at Product"
    " School'; FIELD= leaves its sentence out. Repeatable.",
)
@click.option(
    "--about",
    metavar="NAME",
    help="report_back: the person they referred you to (default: the one you met last).",
)
@click.option(
    "--write", is_flag=True, help="Also keep the draft in the contact's note, under ## Draft: KIND."
)
@click.option(
    "--ask/--no-ask",
    default=None,
    help="Ask for the facts the vault lacks (default: when run at a terminal).",
)
@pass_app
def draft(
    app: App,
    kind: str,
    name: str,
    sets: tuple[str, ...],
    about: str | None,
    write: bool,
    ask: bool | None,
) -> None:
    """Draft a letter to NAME from templates/Letter - KIND.md, filled from the vault.

    KIND is approach, follow_up, thank_you, report_back, update or landed. A fact the vault
    does not hold (how you came across a cold contact, a specific point from the meeting) is
    asked for at a terminal, given with --set FIELD=TEXT, or its sentence is left out with a
    note on stderr — a draft never keeps a {placeholder}.
    """
    from coffeechat.core.coaching.drafts import FIELD_HELP, fill
    from coffeechat.core.coaching.facts import letter_facts
    from coffeechat.core.coaching.kinds import KINDS
    from coffeechat.core.sections import put_marked_block
    from coffeechat.core.templates import render
    from coffeechat.storage.writer import edit_note

    normal = kind.strip().lower().replace("-", "_").replace("thankyou", "thank_you")
    if normal not in KINDS:
        raise UsageError(f"{kind!r} is not a kind of letter (one of: {', '.join(KINDS)})")
    given = _sets(sets)
    today = app.today
    path = _contact(app, name)
    about_path = _contact(app, about) if about else None
    if about_path is not None and normal != "report_back":
        raise UsageError("--about is for report_back letters")
    vault = app.part(around=[path, *([about_path] if about_path else [])])
    facts = letter_facts(
        normal,
        vault,
        path,
        today,
        texts=_NoteTexts(app, vault.notes),
        pitch=_pitch(app),
        signature=app.settings.pitch_signature,
        about=about_path,
    )
    values = {**facts.values, **given}
    template, where = _template(app, f"Letter - {normal}.md")
    contact = vault.contacts[path]
    template = render(template, contact.name, dt.datetime.combine(today, dt.time(9)))[0]
    filled = fill(template, values)
    interactive = ask if ask is not None else sys.stdin.isatty()  # prompts go to stderr
    if filled.missing and interactive:
        for missing in filled.missing:
            for fieldname in missing.fields:
                if fieldname in values:
                    continue
                what = FIELD_HELP.get(fieldname, f"{fieldname} (a field of {where})")
                answer = click.prompt(
                    f"{what} — Enter to leave “{_shown(missing.sentence)}” out",
                    default="",
                    show_default=False,
                    err=True,
                )
                values[fieldname] = " ".join(answer.split()) or None
        filled = fill(template, values)
    click.echo(filled.text, nl=False)
    source = facts.values.get("source")
    if source and "source" not in given and source in filled.text:
        click.echo(
            f"note: how you came across them is your how_met: ({source}); reword it if it"
            " does not read well in the letter, or give --set source=…",
            err=True,
        )
    for missing in filled.missing:
        click.echo(_missing_note(missing, where), err=True)
    if write:
        lines = filled.text.rstrip("\n").split("\n")
        heading = f"Draft: {normal.replace('_', '-')}"
        changed = edit_note(
            app.root, path, lambda data: put_marked_block(data, heading, "draft", lines)
        )
        click.echo(
            f"{'Wrote' if changed else 'Already up to date:'} the draft in {path} under"
            f" ## {heading}",
            err=True,
        )


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
    from coffeechat.cli.render.json_shapes import print_json
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
        contact = vault.contacts[_contact(app, to)]
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
        print_json(
            {
                "file": shown,
                "kind": result.kind,
                "words": result.words,
                "findings": [
                    {"line": f.line, "rule": f.rule, "message": f.message} for f in result.findings
                ],
            }
        )
    else:
        for f in result.findings:
            click.echo(f"{shown}:{f.line}: {f.rule}: {f.message}")
        n = len(result.findings)
        verdict = f"{n} finding{'s' * (n != 1)}" if n else "no findings"
        click.echo(
            f"{shown}: {result.kind.replace('_', '-')} letter, {result.words} words: {verdict}",
            err=True,
        )
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
    from coffeechat.storage.index import Index

    figured = Index(app.root, app.settings).figures(app.today)
    for warning in figured.warnings:
        click.echo(f"warning: {warning}", err=True)
    return figured


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def _stats_lines(s: Any) -> list[str]:
    """The human `stats` output: aligned numbers with bar charts."""
    from coffeechat.core.coaching.stats import bar

    period = f"since {s.since.isoformat()}" if s.since else "all time"
    out = [click.style(f"Your search as of {s.today:%a %d %b %Y} ({period})", bold=True), ""]
    out.append(click.style("Funnel", bold=True))
    stages = s.funnel.stages()
    top = max(v for _, v in stages) or 1
    previous = {
        "approached": "contacts",
        "replied": "approached",
        "met": "replied",
        "referrals met": "referrals received",
    }
    values = dict(stages)
    width = max(len(n) for n, _ in stages)
    for stage, value in stages:
        line = f"  {stage.ljust(width)}  {value:>4}  {bar(value, top, 30).ljust(30)}"
        if stage in previous:
            line += f"  {_percent(value, values[previous[stage]]):>4} of {previous[stage]}"
        out.append(line.rstrip())
    out.append("")
    rate = (
        (
            f"{_percent(s.funnel.replied, s.funnel.approached)}  ({s.funnel.replied} of"
            f" {s.funnel.approached} approached answered)"
        )
        if s.funnel.approached
        else "– (nobody approached yet)"
    )
    if s.median_days is not None:
        med = s.median_days
        median = (
            f"median {med:g} day{'s' * (med != 1)}  ({len(s.days_to_meeting)} meeting"
            f"{'s' * (len(s.days_to_meeting) != 1)}; {min(s.days_to_meeting)}–"
            f"{max(s.days_to_meeting)} days)"
        )
    else:
        median = "– (no approach has led to a meeting yet)"
    thanks = (
        f"{s.thank_yous_on_time} of {s.thank_yous_due} held meeting{'s' * (s.thank_yous_due != 1)}"
    )
    if s.thank_yous_open:
        thanks += f"  ({s.thank_yous_open} still within the three days)"
    late = s.thank_yous_due - s.thank_yous_on_time
    rows = [
        ("Response rate", rate),
        ("Approach to meeting", median),
        ("Thank-yous in 3 days", click.style(thanks, fg="yellow") if late else thanks),
    ]
    label = max(len(k) for k, _ in rows)
    out += [f"  {k.ljust(label)}  {v}" for k, v in rows]
    out += ["", click.style("Meetings per field", bold=True)]
    if s.fields:
        fw = max(len(f) for f, _ in s.fields)
        most = max(n for _, n in s.fields)
        for name, n in s.fields:
            line = f"  {name.ljust(fw)}  {n:>3}  {bar(n, most, 20).ljust(20)}"
            if n > s.field_limit:
                line += "  " + click.style(
                    f"more than {s.field_limit}: you will learn little new —"
                    " widen to a neighbouring field",
                    fg="yellow",
                )
            out.append(line.rstrip())
    else:
        out.append("  (no meetings held yet)")
    out += ["", click.style("Busiest weeks", bold=True)]
    if s.weeks:
        most = max(n for _, n in s.weeks)
        for monday, n in s.weeks:
            out.append(f"  week of {monday:%a %d %b %Y}  {n:>3}  {bar(n, most, 20)}".rstrip())
        out.append(click.style("  (outbound touches and meetings held)", dim=True))
    else:
        out.append("  (nothing logged yet)")
    return out


@cli.command()
@click.option("--since", callback=date_option, metavar="DATE", help="Count only from this date on.")
@click.option("--json", "as_json", is_flag=True, help="Print the numbers as JSON.")
@pass_app
def stats(app: App, since: dt.date | None, as_json: bool) -> None:
    """How the search is going: the funnel (contacts → approached → replied → met →
    referrals received → referrals met), response rate, days from approach to meeting,
    thank-yous sent within three days, meetings per field, and your busiest weeks.
    """
    from coffeechat.cli.render.json_shapes import print_json
    from coffeechat.core.coaching.stats import stats_json, stats_of

    today = app.today
    if since is not None and since > today:
        raise UsageError(f"--since {since.isoformat()} is after today ({today.isoformat()})")
    figured = _figures(app)
    result = stats_of(figured.figures, today, since, app.settings.field_limit)
    if as_json:
        print_json(stats_json(result), problems=figured.problems)
        return
    for line in _stats_lines(result):
        click.echo(line)


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
    from coffeechat.core.sections import put_fenced_block
    from coffeechat.storage.files import atomic_write, inside_vault
    from coffeechat.storage.writer import edit_note

    root_path = _contact(app, root) if root else None
    figures = _figures(app).figures
    tree = graph_of(figures, root_path)
    if fmt == "mermaid":
        lines = mermaid(tree)
    else:
        lines = ["```dot", *dot(tree), "```"] if write else dot(tree)
    if not tree.edges and root_path is not None:
        who = figures.contacts[root_path].name if root_path in figures.contacts else root
        click.echo(f"note: {who} has referred you to nobody yet", err=True)
    elif not tree.edges:
        click.echo(
            "note: no referrals recorded yet (referred_by: on a contact, or referrals: on"
            " a meeting)",
            err=True,
        )
    if not write:
        click.echo("\n".join(lines))
        return
    target = inside_vault(app.root, NETWORK_NOTE)
    if target.exists():
        changed = edit_note(
            app.root, NETWORK_NOTE, lambda data: put_fenced_block(data, NETWORK_HEADING, lines)
        )
        click.echo(
            f"{'Updated' if changed else 'Already up to date:'} the referral tree in {NETWORK_NOTE}"
        )
        return
    intro = (
        "# Network\n\nWho gave me whose name. `coffeechat graph --write` keeps the tree below"
        " current; write anything you like around it.\n"
    )
    data = put_fenced_block(intro.encode("utf-8"), NETWORK_HEADING, lines)
    atomic_write(target, data, create=True)
    click.echo(f"Created {NETWORK_NOTE} with the referral tree")
