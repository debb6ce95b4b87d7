"""Commands that coach a meeting or a letter from the vault's templates: prep and draft."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.coaching import (
    draft_written,
    fact_question,
    missing_note,
    prep_written,
    source_note,
)
from coffeechat.cli.render.messages import say, tell, warn
from coffeechat.cli.render.text import fit_line, print_lines, screen_width
from coffeechat.cli.writing import one_note
from coffeechat.errors import UsageError

PREP_HEADING = "Prep sheet"


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
                    warn(
                        f"{app.settings.templates_folder}/{entry.name} cannot be"
                        f" read ({exc}); using coffeechat's own"
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
    from coffeechat.core.note.edits import set_key
    from coffeechat.core.note.sections import put_marked_block
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
    say(prep_written(changed, meeting.path, PREP_HEADING, today.isoformat() if settle else None))


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
    from coffeechat.core.coaching.drafts import fill
    from coffeechat.core.coaching.facts import letter_facts
    from coffeechat.core.coaching.kinds import KINDS
    from coffeechat.core.note.sections import put_marked_block
    from coffeechat.core.note.templates import render
    from coffeechat.storage.writer import edit_note

    normal = kind.strip().lower().replace("-", "_").replace("thankyou", "thank_you")
    if normal not in KINDS:
        raise UsageError(f"{kind!r} is not a kind of letter (one of: {', '.join(KINDS)})")
    given = _sets(sets)
    today = app.today
    path = one_note(app, name, "contacts")
    about_path = one_note(app, about, "contacts") if about else None
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
                answer = click.prompt(
                    fact_question(fieldname, where, missing.sentence),
                    default="",
                    show_default=False,
                    err=True,
                )
                values[fieldname] = " ".join(answer.split()) or None
        filled = fill(template, values)
    say(filled.text, nl=False)
    source = facts.values.get("source")
    if source and "source" not in given and source in filled.text:
        tell(source_note(source))
    for missing in filled.missing:
        tell(missing_note(missing, where))
    if write:
        lines = filled.text.rstrip("\n").split("\n")
        heading = f"Draft: {normal.replace('_', '-')}"
        changed = edit_note(
            app.root, path, lambda data: put_marked_block(data, heading, "draft", lines)
        )
        tell(draft_written(changed, path, heading))
