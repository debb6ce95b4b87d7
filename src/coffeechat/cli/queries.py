"""Commands that only read the vault: due, show, list, search, check."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from coffeechat.cli import App, cli, date_option, pass_app
from coffeechat.cli.render import (
    agenda,
    finding_line,
    fit,
    item_json,
    print_json,
    print_lines,
    relative,
    screen_width,
    table,
)
from coffeechat.errors import UsageError

if TYPE_CHECKING:
    from coffeechat.core.model import Contact, DueItem, Finding
    from coffeechat.core.vault import Vault

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


def evaluate(vault: Vault, today: dt.date, rules: list[str] | None = None) -> list[DueItem]:
    """`coffeechat.core.rules.evaluate`, imported when a command first needs it."""
    from coffeechat.core.rules import evaluate as run

    return run(vault, today, rules)


def insights(vault: Vault, today: dt.date) -> list[Finding]:
    """`coffeechat.core.rules.insights.insights`, imported when a command first needs it."""
    from coffeechat.core.rules.insights import insights as run

    return run(vault, today)


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
    Rules: follow_up_approach, prepare, thank_you, reach_referral, report_back,
    keep_in_touch, landed, follow_up (see the README).
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
    how = {"cached": "was up to date", "updated": "brought up to date", "rebuilt": "rebuilt"}[
        refresh.how
    ]
    click.echo(
        f"Index {how}: {refresh.parsed} note{'s' * (refresh.parsed != 1)} read,"
        f" {refresh.removed} removed; {len(refresh.result.items)} open follow-ups."
    )


# --- show ----------------------------------------------------------------------------------


def _items_for(items: list[DueItem], paths: set[str]) -> list[DueItem]:
    return [i for i in items if i.contact_path in paths or i.source in paths]


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
        data, lines = _contact_card(vault, vault.contacts[path], items, today, width)
    elif path in vault.companies:
        data, lines = _company_card(vault, path, items, today, width)
    elif path in vault.meetings:
        data, lines = _meeting_card(vault, path, items, today, width)
    else:
        note = vault.notes[path]
        if note.broken:
            raise UsageError(f"{path} cannot be shown: {note.findings[0].message}")
        raise UsageError(f"{path} is not a contact, company or meeting note")
    if as_json:
        print_json(data, problems=app.agenda.result.problems)
    else:
        print_lines(lines)


def _item_lines(items: list[DueItem], today: dt.date, width: int | None) -> list[str]:
    if not items:
        return []
    lines = ["", click.style("Open follow-ups", bold=True)]
    for item in items:
        colour = "red" if item.due < today else "yellow" if item.due == today else None
        lines += fit(
            f"  {click.style(item.due.isoformat(), fg=colour)}  ",
            f"{item.title}  {click.style(f'({relative(item.due, today)}; {item.id})', dim=True)}",
            width,
        )
    return lines


def _contact_card(
    vault: Vault, c: Contact, items: list[DueItem], today: dt.date, screen: int | None
) -> tuple[dict[str, Any], list[str]]:
    mine = _items_for(items, {c.path})
    touches = vault.touches(c.path, today)
    meetings = vault.meetings_with(c.path)
    scheduled = [m for m in meetings if m.scheduled(today)]
    referred = [vault.contacts[p].name for p in vault.referred.get(c.path, [])]
    given = sorted({r.name for m in meetings for r in m.referrals})
    data = {
        "path": c.path,
        "type": "contact",
        "name": c.name,
        "aliases": list(c.aliases),
        "company": c.company or None,
        "company_path": c.company_path,
        "role": c.role or None,
        "email": c.email or None,
        "phone": c.phone or None,
        "linkedin": c.linkedin or None,
        "field": c.field or None,
        "tags": list(c.tags),
        "how_met": c.how_met or None,
        "referred_by": c.referred_by.name if c.referred_by else None,
        "referred_by_path": c.referred_by.path if c.referred_by else None,
        "referred_others": referred,
        "referrals_given": given,
        "cadence": c.cadence or str(vault.settings.cadence),
        "status": c.status or None,
        "added": c.added.isoformat() if c.added else None,
        "timeline": [
            {
                "date": t.date.isoformat(),
                "kind": t.kind,
                "text": t.text,
                "source": t.source,
                "line": t.line,
            }
            for t in touches
        ],
        "scheduled": [
            {
                "date": m.date.isoformat(),
                "time": m.time.strftime("%H:%M") if m.time else None,
                "path": m.path,
                "kind": m.kind,
                "location": m.location or None,
            }
            for m in scheduled
        ],
        "due": [item_json(i, today) for i in mine],
    }
    job = " at ".join(x for x in (c.role, c.company) if x)
    lines = fit(click.style(c.name, bold=True), f" — {job}" if job else "", screen, "  ")
    lines.append(click.style(f"  {c.path}", dim=True))
    facts = [
        ("aliases", ", ".join(c.aliases)),
        ("field", c.field),
        ("email", c.email),
        ("phone", c.phone),
        ("linkedin", c.linkedin),
        ("how met", c.how_met),
        ("referred by", c.referred_by.name if c.referred_by else ""),
        ("referred you to", ", ".join(referred)),
        ("names they gave", ", ".join(given)),
        ("cadence", c.cadence or f"{vault.settings.cadence} (default)"),
        ("status", c.status.replace("_", " ")),
        ("tags", ", ".join(c.tags)),
        ("added", c.added.isoformat() if c.added else ""),
    ]
    width = max(len(k) for k, _ in facts)
    for k, v in facts:
        if v:
            lines += fit(f"  {k.ljust(width)}  ", v, screen)
    if touches:
        lines += ["", click.style("Timeline", bold=True)]
        for t in touches:
            kind = t.kind.replace("_", " ")
            where = "" if t.source == c.path else click.style(f"  ({t.source})", dim=True)
            lines += fit(f"  {t.date.isoformat()}  {kind.ljust(11)}  ", f"{t.text}{where}", screen)
    if scheduled:
        lines += ["", click.style("Scheduled", bold=True)]
        for m in scheduled:
            when = m.date.isoformat() + (f" {m.time:%H:%M}" if m.time else "")
            lines += fit(
                f"  {when}  ", m.title + (f" — {m.location}" if m.location else ""), screen
            )
    lines += _item_lines(mine, today, screen)
    return data, lines


def _company_card(
    vault: Vault, path: str, items: list[DueItem], today: dt.date, screen: int | None
) -> tuple[dict[str, Any], list[str]]:
    co = vault.companies[path]
    people = sorted(
        (c for c in vault.contacts.values() if c.company_path == path), key=lambda c: c.name
    )
    meetings = sorted(
        {m.path: m for c in people for m in vault.meetings_with(c.path)}.values(),
        key=lambda m: (m.date, m.path),
    )
    mine = _items_for(items, {path} | {c.path for c in people})
    data = {
        "path": path,
        "type": "company",
        "name": co.name,
        "aliases": list(co.aliases),
        "website": co.website or None,
        "industry": co.industry or None,
        "tags": list(co.tags),
        "research": co.research or None,
        "people": [{"name": c.name, "path": c.path, "role": c.role or None} for c in people],
        "meetings": [
            {"date": m.date.isoformat(), "path": m.path, "title": m.title} for m in meetings
        ],
        "due": [item_json(i, today) for i in mine],
    }
    lines = fit(
        click.style(co.name, bold=True), f" — {co.industry}" if co.industry else "", screen, "  "
    )
    lines.append(click.style(f"  {path}", dim=True))
    for k, v in (
        ("website", co.website),
        ("aliases", ", ".join(co.aliases)),
        ("tags", ", ".join(co.tags)),
        ("research", co.research),
    ):
        if v:
            lines += fit(f"  {k.ljust(8)}  ", v, screen)
    lines += ["", click.style(f"People ({len(people)})", bold=True)]
    for c in people:
        lines += fit(f"  {c.name}", f" — {c.role}" if c.role else "", screen, "    ")
    if not people:
        lines.append("  (none yet)")
    if meetings:
        lines += ["", click.style(f"Meetings ({len(meetings)})", bold=True)]
        for m in meetings:
            lines += fit(
                f"  {m.date.isoformat()}  ",
                m.title + (f"  [{m.status}]" if m.status else ""),
                screen,
            )
    lines += _item_lines(mine, today, screen)
    return data, lines


def _meeting_card(
    vault: Vault, path: str, items: list[DueItem], today: dt.date, screen: int | None
) -> tuple[dict[str, Any], list[str]]:
    m = vault.meetings[path]
    mine = [i for i in items if i.meeting == path or i.source == path]
    state = m.status or ("scheduled" if m.scheduled(today) else "held")
    data = {
        "path": path,
        "type": "meeting",
        "title": m.title,
        "date": m.date.isoformat(),
        "time": m.time.strftime("%H:%M") if m.time else None,
        "kind": m.kind or None,
        "duration": m.duration,
        "location": m.location or None,
        "state": state,
        "with": [{"name": p.name, "path": p.path} for p in m.with_],
        "referrals": [{"name": p.name, "path": p.path} for p in m.referrals],
        "thank_you": m.thank_you.isoformat() if m.thank_you else None,
        "due": [item_json(i, today) for i in mine],
    }
    when = m.date.isoformat() + (f" {m.time:%H:%M}" if m.time else "")
    lines = fit(click.style(m.title, bold=True), f" — {when}, {state}", screen, "  ")
    lines.append(click.style(f"  {path}", dim=True))
    for k, v in (
        ("with", ", ".join(p.name for p in m.with_)),
        ("kind", m.word or m.kind),
        ("duration", f"{m.duration} min"),
        ("where", m.location),
        ("referrals", ", ".join(p.name for p in m.referrals)),
        ("thank-you", m.thank_you.isoformat() if m.thank_you else ""),
    ):
        if v:
            lines += fit(f"  {k.ljust(9)}  ", v, screen)
    lines += _item_lines(mine, today, screen)
    return data, lines


# --- list ----------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """``text`` as search compares it: case-folded, compatibility-decomposed, accents dropped.

    `search` folds every note (160 MB in a big vault), so only the runs of non-ASCII
    characters go through the slow steps; the ASCII between them is only lower-cased, which is
    what the steps make of it. Every step works character by character (and the accents they
    drop are never ASCII), so folding the runs apart gives what folding the whole text gives."""
    if text.isascii():
        return text.lower()
    parts = _NON_ASCII.split(text)
    parts[0::2] = [part.lower() for part in parts[0::2]]
    parts[1::2] = [_fold_run(part) for part in parts[1::2]]
    return "".join(parts)


_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")


def _fold_run(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _has(value: str, wanted: str | None) -> bool:
    return wanted is None or _fold(wanted) in _fold(value)


@cli.command("list")
@click.argument("kind", type=click.Choice(["contacts", "companies", "meetings"]))
@click.option("--field", help="Contacts whose field contains this.")
@click.option("--company", help="Contacts at a company whose name contains this.")
@click.option(
    "--status", help="Contacts with this status (dormant, paused, do_not_contact, active)."
)
@click.option("--tag", help="Contacts or companies with this tag.")
@click.option("--referred-by", help="Contacts referred by someone whose name contains this.")
@click.option("--with", "with_", help="Meetings with someone whose name contains this.")
@click.option("--kind", "meeting_kind", help="Meetings of this kind (coffee, call, ...).")
@click.option("--since", callback=date_option, help="Meetings on or after this date.")
@click.option("--until", callback=date_option, help="Meetings on or before this date.")
@click.option("--scheduled", "state", flag_value="scheduled", help="Only meetings still ahead.")
@click.option("--held", "state", flag_value="held", help="Only meetings that took place.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def list_(
    app: App,
    kind: str,
    field: str | None,
    company: str | None,
    status: str | None,
    tag: str | None,
    referred_by: str | None,
    with_: str | None,
    meeting_kind: str | None,
    since: dt.date | None,
    until: dt.date | None,
    state: str | None,
    as_json: bool,
) -> None:
    """List contacts, companies or meetings, with filters."""
    from coffeechat.storage.index import Index

    today = app.today
    # Each contact's, meeting's and company's row is kept in the store with its follow-ups.
    one = {"contacts": "contact", "meetings": "meeting", "companies": "company"}[kind]
    listed = Index(app.root, app.settings).rows(one, today)
    for warning in listed.warnings:
        click.echo(f"warning: {warning}", err=True)
    problems = listed.problems
    rows: list[dict[str, Any]] = []
    if kind == "companies":
        by_name = sorted(
            sorted(listed.rows, key=lambda r: r["path"]), key=lambda r: _fold(r["name"])
        )
        rows = [
            {k: co[k] for k in ("name", "path", "industry", "website", "people")}
            for co in by_name
            if (tag is None or _fold(tag.lstrip("#")) in {_fold(t) for t in co["tags"]})
        ]
        headers = ["name", "industry", "people", "website"]
        cells = [
            [r["name"], r["industry"] or "", str(r["people"]), r["website"] or ""] for r in rows
        ]
    elif kind == "contacts":
        wanted_status = (status or "").replace("-", "_").replace(" ", "_").lower()
        for c in sorted(
            sorted(listed.rows, key=lambda r: r["path"]), key=lambda r: _fold(r["name"])
        ):
            if status and c["status"] != wanted_status:
                continue
            if not (
                _has(c["field"] or "", field)
                and _has(c["company"] or "", company)
                and _has(c["referred_by"], referred_by)
            ):
                continue
            if tag and _fold(tag.lstrip("#")) not in {_fold(t) for t in c["tags"]}:
                continue
            rows.append(
                {
                    k: c[k]
                    for k in ("name", "path", "company", "role", "field", "status", "last_contact")
                }
            )
        headers = ["name", "company", "role", "field", "last contact", "status"]
        cells = [
            [
                r["name"],
                r["company"] or "",
                r["role"] or "",
                r["field"] or "",
                r["last_contact"] or "",
                r["status"],
            ]
            for r in rows
        ]
    elif kind == "meetings":
        words = {}
        for m in sorted(listed.rows, key=lambda r: (r["date"], r["time"] or "00:00", r["path"])):
            if (since and m["date"] < since.isoformat()) or (
                until and m["date"] > until.isoformat()
            ):
                continue
            if state and m["state"] != state:
                continue
            if not (
                _has(", ".join(m["with"]), with_)
                and (
                    meeting_kind is None
                    or _fold(meeting_kind) in (m["kind"] or "", _fold(m["word"]))
                )
            ):
                continue
            words[m["path"]] = m["word"]
            rows.append(
                {k: m[k] for k in ("date", "time", "path", "title", "kind", "with", "state")}
            )
        headers = ["date", "kind", "with", "state", "note"]
        cells = [
            [
                r["date"] + (f" {r['time']}" if r["time"] else ""),
                words[r["path"]] or r["kind"] or "",
                ", ".join(r["with"]),
                r["state"],
                r["title"],
            ]
            for r in rows
        ]
    if as_json:
        print_json(rows, problems=problems)
        return
    if not rows:
        click.echo(f"No {kind} match.")
        return
    print_lines(table(headers, cells, width=screen_width()))


# --- search --------------------------------------------------------------------------------


def _fold_note(data: bytes) -> str:
    """`_fold` of a note's text (its bytes decoded, a leading BOM dropped), made fast for
    `search`, which folds every note: the ASCII letters are lowered as bytes (UTF-8 never
    uses an ASCII byte inside another character), then each other character the note holds
    is replaced by its fold. Folding goes character by character (see `_fold`), so that is
    the fold of the whole note; a note where one character's fold holds another character
    being replaced is folded by `_fold`."""
    folded = data.lower().decode("utf-8", "replace").lstrip("\ufeff")
    if data.isascii():
        return folded
    changes = {}
    for char in set(data.translate(None, _ASCII_BYTES).decode("utf-8", "replace")):
        fold = _CHAR_FOLDS.get(char)
        if fold is None:
            fold = _CHAR_FOLDS[char] = _fold_run(char)
        if fold != char:
            changes[char] = fold
    if any(c in changes for fold in changes.values() for c in fold):
        return _fold(data.decode("utf-8", "replace").lstrip("\ufeff"))
    for char, fold in changes.items():
        folded = folded.replace(char, fold)
    return folded


_ASCII_BYTES = bytes(range(128))
#: Each character's fold, as `_fold_note` meets it (a vault holds a few hundred of them).
_CHAR_FOLDS: dict[str, str] = {}


def _matching_lines(data: bytes, words: Sequence[str]) -> list[tuple[int, str]]:
    """The lines of a note (its bytes) that hold one of ``words`` (folded), with their
    numbers, when the note holds every word; none otherwise: what folding each line (`_fold`)
    and looking for the words in it finds. Done fast, as `search` reads every note: the note
    is folded whole (`_fold_note`), and only the lines where a word was found are picked out
    (folding keeps each line feed where it is, and a word holds none, so a word found in the
    folded note is on the same line of the note)."""
    folded = _fold_note(data)
    if not all(w in folded for w in words):
        return []
    starts: set[int] = set()  # where the lines holding a word start, in the folded note
    for word in words:
        at = folded.find(word)
        while at >= 0:
            starts.add(folded.rfind("\n", 0, at) + 1)
            end = folded.find("\n", at)
            at = folded.find(word, end + 1) if end >= 0 else -1
    from coffeechat.core.notes import split_lines

    lines = split_lines(data.decode("utf-8", "replace").lstrip("\ufeff"))
    found, number, counted = [], 1, 0
    for start in sorted(starts):
        number += folded.count("\n", counted, start)
        counted = start
        found.append((number, lines[number - 1]))
    return found


def _file_bytes(path: str, size: int) -> bytes:
    """A file's bytes, read with plain system calls: the first asks for its size as the walk
    saw it and one byte more, and reading goes on to the end of the file whatever that was.
    `open(...).read()` builds two file objects per note, a third of what reading 41,000
    notes costs."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        parts = [os.read(fd, size + 1)]
        while parts[-1]:
            parts.append(os.read(fd, 1 << 16))
    finally:
        os.close(fd)
    return b"".join(parts)


@cli.command()
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of matches.")
@pass_app
def search(app: App, text: tuple[str, ...], as_json: bool) -> None:
    """Full-text search of every note (case and accents ignored).

    A note matches when it holds all the words; each line that holds one is shown.
    """
    from coffeechat.storage.scan import scan

    words = [_fold(w) for w in " ".join(text).split() if w.strip()]
    root = str(app.root)
    hits: list[dict[str, Any]] = []
    for path, stat in sorted(scan(app.root, app.settings)[0].items()):
        try:
            data = _file_bytes(os.path.join(root, path), stat.size)
        except OSError:
            continue
        hits += (
            {"path": path, "line": number, "text": line.strip()}
            for number, line in _matching_lines(data, words)
        )
    if as_json:
        print_json(hits)  # every file is searched, a broken note too: nothing is left out
        return
    if not hits:
        click.echo("No match.", err=True)
        click.get_current_context().exit(1)
    out: list[str] = []
    path = shown = ""
    for hit in hits:  # (one write: `click.echo` per line is a tenth of a big search)
        if hit["path"] != path:
            path, shown = hit["path"], click.style(hit["path"], fg="magenta")
        out.append(f"{shown}:{hit['line']}: {hit['text']}")
    click.echo("\n".join(out))


# --- check ---------------------------------------------------------------------------------


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of findings.")
@pass_app
def check(app: App, as_json: bool) -> None:
    """Vault health: YAML errors, broken or ambiguous links, duplicate people, conflict
    markers, impossible dates, and suggestions. Exits 1 when there is an error or warning.
    """
    from coffeechat.core.model import Severity
    from coffeechat.storage.index import Index

    checked = Index(app.root, app.settings).check(app.today)
    for warning in checked.warnings:
        click.echo(f"warning: {warning}", err=True)
    findings = sorted(checked.findings, key=lambda f: (f.path, f.line or 0, f.message))
    if as_json:
        print_json(
            [
                {
                    "path": f.path,
                    "line": f.line,
                    "severity": f.severity.value,
                    "code": f.code,
                    "message": f.message,
                }
                for f in findings
            ]
        )
    else:
        print_lines(finding_line(finding) for finding in findings)
        errors = sum(f.severity is Severity.ERROR for f in findings)
        warnings = sum(f.severity is Severity.WARNING for f in findings)
        suggestions = sum(f.severity is Severity.INFO for f in findings)
        summary = (
            f"{checked.notes} notes checked: {errors} error{'s' * (errors != 1)}"
            f" (notes left out), {warnings} warning{'s' * (warnings != 1)},"
            f" {suggestions} suggestion{'s' * (suggestions != 1)}"
        )
        click.echo(summary, err=True)
    if any(f.severity is not Severity.INFO for f in findings):
        click.get_current_context().exit(1)
