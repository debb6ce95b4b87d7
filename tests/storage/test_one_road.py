"""add, meet, log, done, snooze, show, prep and draft read only the notes they need, through
the store (`Index.part`, `App.part`), never the whole vault — and say and write exactly what
they would say and write with the whole vault at hand.

Each scenario runs the same commands twice on two copies of one vault: once as shipped, once
with the store's part refused (`Index.part` and `Index.taken` answer None), which makes every
command read the whole vault as it used to. Output, exit codes and the notes written must be
the same, byte for byte, at the seams where a part could differ: ambiguous names, aliases, a
name that is a company's and a contact's, notes edited, renamed, added or broken since the last
run, unicode-folded names, "NAME on DATE", `done` on an item whose note changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import App, cli
from coffeechat.config import load_settings
from coffeechat.storage.cache.index import Index
from conftest import TODAY, VaultBuilder

Outcome = tuple[int, str, str]


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


def invoke(root: Path, *args: str) -> Outcome:
    result = CliRunner().invoke(
        cli, ["--vault", str(root), "--today", TODAY.isoformat(), *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def item_ids(root: Path) -> list[str]:
    code, out, err = invoke(root, "due", "--all", "--json")
    assert code == 0, err
    return [i["id"] for i in json.loads(out)]


def on_both_roads(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source: Path,
    commands: Sequence[Sequence[str] | Callable[[Path], list[list[str]]]],
    between: Callable[[Path], None] | None = None,
) -> list[Outcome]:
    """Run ``commands`` on a copy of ``source`` through the store and on another copy through
    the whole vault (a `due` first, so the store is warm; then ``between`` edits the notes
    behind its back); assert the two agree, and return what they said. A callable in
    ``commands`` makes commands from the vault as it then is (item ids)."""
    clock = dt.datetime(2026, 11, 23, 9, 30)
    monkeypatch.setattr("coffeechat.cli.writing.template_now", lambda app: clock)
    seen: dict[str, tuple[list[Outcome], dict[str, str]]] = {}
    for road in ("store", "whole"):
        root = tmp_path / road
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".coffeechat"))
        with monkeypatch.context() as patch:
            if road == "whole":
                patch.setattr(Index, "part", lambda self, names=(), around=(): None)
                patch.setattr(Index, "taken", lambda self, key: None)
            else:  # (the store is sound: the whole vault is never read)
                patch.setattr(App, "vault", property(_no_whole_vault))
            assert invoke(root, "due")[0] == 0
            if between is not None:
                between(root)
            said: list[Outcome] = []
            for command in commands:
                for args in [command] if not callable(command) else command(root):
                    said.append(invoke(root, *args))
        seen[road] = said, tree(root)
    store, whole = seen["store"], seen["whole"]
    for got, want in zip(store[0], whole[0], strict=True):
        assert got == want
    assert store[1] == whole[1]
    return store[0]


def _no_whole_vault(app: App) -> None:
    raise AssertionError("the whole vault was read")


def dry_runs(root: Path) -> list[list[str]]:
    return [["done", ident, "--dry-run"] for ident in item_ids(root)]


def done_all(root: Path) -> list[list[str]]:
    return [["done", ident] for ident in item_ids(root)]


@pytest.fixture
def web(vault: VaultBuilder) -> VaultBuilder:
    """Contacts, companies and meetings that link to each other in the ways names can."""
    vault.contact(
        "Bob Smith",
        front="aliases: [Bobby]\nemail: bob@example.com",
        log="2026-10-01 reply: glad to help",
    )
    vault.contact(
        "Jane Doe",
        front='referred_by: "[[Bobby]]"\ncompany: "[[Acme]]"',
        log="2026-11-16 approach: emailed, said Bob sent me",
    )
    vault.contact(
        "José Núñez",
        front='company: "[[Acme Corp]]"\nemail: BOB@example.com',
        log="2026-09-01 approach: wrote",
    )
    vault.contact("Anna Straße", front="cadence: 30d", log="2026-08-01 call: caught up")
    vault.contact(
        "Acme Jones",
        front='company: "[[Globex Corporation]]"\nfollow_up: 2026-11-20',
        body="- [ ] send the deck 📅 2026-11-21",
    )
    vault.write("companies/Acme.md", "---\ntype: company\nname: Acme\naliases: [Acme Corp]\n---\n")
    vault.write("companies/globex.md", "---\ntype: company\nname: Globex Corporation\n---\n")
    vault.meeting("2026-11-20", ["Bob Smith"], front='referrals: ["[[Kim Lee]]"]\nkind: coffee')
    vault.meeting("2026-12-01", ["Jane Doe", "Bobby"], title="2026-12-01 Call with Jane Doe")
    vault.meeting("2026-11-02", ["Jane Doe"], front="thank_you: 2026-11-03")
    vault.meeting("2026-11-12", ["Jane Doe"], title="2026-11-12 Lunch with Jane Doe")
    vault.meeting(
        "2026-11-18", ["José Núñez"], front='referrals: ["[[Anna Straße]]"]\nthank_you: 2026-11-18'
    )
    vault.meeting("2026-11-19", ["Anna Straße"], front="thank_you: 2026-11-19")
    vault.contact("Dana Quiet", front="status: do_not_contact", log="2026-06-01 call: said no more")
    vault.contact(
        "Eve Long", front='referred_by: "[[Dana Quiet]]"\ncompany: "[[Acme]]"\nstatus: paused'
    )
    vault.meeting("2026-05-05", ["Dana Quiet", "Eve Long"], front="status: cancelled")
    vault.write("contacts/Broken Note.md", "---\nname: Broken Note\nname: again\n---\n")
    vault.write("meetings/2026-11-10 Lunch.md", "---\ntype: meeting\ndate: 2026-11-10\n---\n")
    return vault


SHOWS = [
    "Jane Doe",
    "jane",
    "JANE DOE",
    "Bobby",
    "bob",
    "Acme",
    "acme",
    "Acme Corp",
    "Globex Corporation",
    "globex",
    "Coffee with Bob Smith",
    "Bob Smith on 2026-11-20",
    "Coffee with Bob Smith (2026-11-20)",
    "[[Bob Smith]]",
    "contacts/Bob Smith",
    "José Núñez",
    "JOSÉ NÚÑEZ",
    unicodedata.normalize("NFD", "josé núñez"),
    "ANNA STRASSE",
    "straße",
    "Call with Jane Doe",
    "Jane Doe on 2026-12-01",
    "Broken",
    "Broken Note",
    "nobody at all",
    "a",
    "Lunch",
    "Kim Lee",
    "2026-11-10 Lunch",
    "Acme Jones",
    "Dana Quiet",
    "Eve",
    "Dana Quiet on 2026-05-05",
]


def test_show_names_and_cards_as_the_whole_vault_does(web, monkeypatch, tmp_path):
    commands = [["show", name] for name in SHOWS] + [["show", name, "--json"] for name in SHOWS]
    said = on_both_roads(monkeypatch, tmp_path, web.root, commands)
    assert said[0][0] == 0 and "Jane Doe" in said[0][1] and "Bob Smith" in said[0][1]
    assert said[SHOWS.index("Broken")][0] != 0  # (the broken note's own error, in both)


def test_log_meet_add_as_the_whole_vault_does(web, monkeypatch, tmp_path):
    commands = [
        ["log", "Bobby", "note", "hi"],
        ["log", "JOSÉ NÚÑEZ", "email", "sent"],
        ["log", unicodedata.normalize("NFD", "José Núñez"), "reply", "yes"],
        ["log", "Broken Note", "note", "x"],
        ["log", "j", "note", "x"],
        ["log", "acme", "note", "x"],
        ["log", "Acme Jones", "note", "x"],
        ["log", "Acme", "note", "x"],
        ["log", "nobody", "note", "x"],
        ["meet", "Jane Doe", "--with", "Bobby", "--date", "2026-11-25"],
        ["meet", "Jane Doe", "--with", "Bobby", "--date", "2026-11-25"],  # a second: (2)
        ["meet", "Acme", "--date", "2026-11-25"],
        ["meet", "straße", "--date", "2026-11-20T10:00"],
        ["add", "contact", "Jane Doe"],
        ["add", "contact", "jane doe", "--company", "Acme"],
        ["add", "contact", "Jane Doe", "--company", "Globex Corporation"],
        ["add", "contact", "New Person", "--company", "Acme Corp", "--referred-by", "Bobby"],
        ["add", "contact", "Other Person", "--company", "Initech"],
        ["add", "contact", "Third Person", "--company", "initech"],
        ["add", "contact", "Fourth", "--referred-by", "j"],
        ["add", "contact", "Bob Smith (Acme)"],
        ["add", "contact", "José Núñez", "--company", "x"],
        ["add", "company", "acme"],
        ["add", "company", "GLOBEX CORPORATION"],
        ["add", "company", "Globex"],
        ["add", "company", "Umbrella"],
        ["add", "company", "umbrella"],
        ["show", "Jane Doe"],
        ["show", "Initech", "--json"],
        ["due", "--all", "--json"],
    ]
    said = on_both_roads(monkeypatch, tmp_path, web.root, commands)
    assert said[0] == (0, "Added `- 2026-11-23 note: hi` to contacts/Bob Smith.md\n", "")


def test_done_and_snooze_as_the_whole_vault_does(web, monkeypatch, tmp_path):
    def snoozes(root: Path) -> list[list[str]]:
        ids = item_ids(root)
        return [
            ["snooze", ids[0], "--until", "2026-12-20"],
            ["snooze", ids[-1], "--until", "2026-11-24"],
        ]

    commands = [dry_runs, ["done", "beef"], ["done", "zz"], snoozes, done_all, ["due", "--all"]]
    said = on_both_roads(monkeypatch, tmp_path, web.root, commands)
    assert any(out.startswith("Done ") for _code, out, _err in said)
    assert any("Created contacts/Kim Lee.md" in out for _code, out, _err in said)


def test_notes_changed_since_the_last_run_are_seen(web, monkeypatch, tmp_path):
    """Renamed, re-named, added, broken and mended notes, all behind the store's back."""

    def edit(root: Path) -> None:
        os.rename(root / "contacts/Bob Smith.md", root / "contacts/Robert Smith.md")
        jane = root / "contacts/Jane Doe.md"
        jane.write_text(
            jane.read_text().replace("name: Jane Doe", "name: Janet Doe\naliases: [JD]")
        )
        (root / "contacts/Kim Lee.md").write_text("---\ntype: contact\nname: Kim Lee\n---\n")
        anna = root / "contacts/Anna Straße.md"
        anna.write_text("---\nname: [unclosed\n---\n")
        (root / "contacts/Broken Note.md").write_text("---\nname: Broken Note\n---\n")
        (root / "companies/globex.md").write_text("---\ntype: company\nname: Globex Inc\n---\n")

    commands = [
        ["show", "Robert Smith"],
        ["show", "Bobby"],
        ["show", "Bob Smith"],
        ["show", "Janet"],
        ["show", "JD"],
        ["show", "Jane Doe"],
        ["show", "Kim Lee", "--json"],
        ["show", "Anna Straße"],
        ["show", "Globex Inc"],
        ["show", "Globex Corporation"],
        ["log", "Broken Note", "note", "mended"],
        ["log", "Anna", "note", "x"],
        ["log", "Robert", "note", "x"],
        ["add", "contact", "Kim Lee"],
        ["add", "company", "Globex Inc"],
        ["meet", "JD", "--with", "Kim Lee"],
        dry_runs,
        done_all,
        ["due", "--all", "--json"],
    ]
    said = on_both_roads(monkeypatch, tmp_path, web.root, commands, between=edit)
    assert said[0][0] == 0 and "contacts/Robert Smith.md" in said[0][1]


def test_ambiguous_names_and_aliases(vault, monkeypatch, tmp_path):
    vault.contact("Jane Doe", front="aliases: [JD]")
    vault.contact("Jane Doe", front="aliases: [JD]", folder="contacts/old")
    vault.contact("Jane Smith", front="aliases: [Janie]")
    vault.contact("Janie", front="role: a file named as another's alias")
    vault.write("companies/Jane Doe.md", "---\ntype: company\n---\n")  # a company by that name
    vault.meeting("2026-11-20", ["Jane Smith"], title="2026-11-20 Coffee with Jane Smith")
    vault.meeting("2026-11-20", ["Jane Smith"], title="2026-11-20 Walk")  # (named by its title)
    vault.meeting("2026-11-21", ["Jane Smith"], title="2026-11-21 Coffee with Jane Smith")
    vault.meeting("2026-10-01", ["Janie"], title="2026-10-01 Coffee")
    vault.meeting("2026-10-02", ["Janie"], title="2026-10-02 Coffee")
    commands = [
        ["show", n]
        for n in (
            "Jane Doe",
            "JD",
            "jane",
            "Janie",
            "Jane Smith on 2026-11-20",
            "Coffee with Jane Smith",
            "Coffee",
            "contacts/old/Jane Doe",
            "companies/Jane Doe",
            "[[Jane Doe]]",
            "Janie on 2026-10-01",
        )
    ]
    commands += [
        ["log", "JD", "note", "x"],
        ["log", "Jane Doe", "note", "x"],
        ["log", "Janie", "note", "x"],
        ["meet", "jane", "--date", "2026-11-30"],
        ["add", "contact", "Jane Doe"],
        ["add", "contact", "Jane Doe", "--company", "Jane Doe"],
        ["add", "company", "JANE DOE"],
        ["add", "contact", "X", "--referred-by", "JD"],
        ["add", "contact", "Y", "--company", "JD"],
    ]
    said = on_both_roads(monkeypatch, tmp_path, vault.root, commands)
    assert "matches several" in said[0][2] or said[0][0] == 0
    assert "matches 2 meetings" in said[commands.index(["show", "Coffee with Jane Smith"])][2]


def test_done_on_an_item_whose_note_changed(web, monkeypatch, tmp_path):
    """The store is warm, then the notes behind two items are edited by hand: one item goes
    (its thank-you was written), the other stays with its note changed under it."""
    ids: dict[tuple[str, str], str] = {}

    def edit(root: Path) -> None:
        _code, out, _err = invoke(root, "due", "--all", "--json")
        for i in json.loads(out):
            ids[i["rule"], i["title"]] = i["id"]
        held = root / "meetings/2026-11-20 Coffee with Bob Smith.md"
        held.write_text(
            held.read_text().replace("kind: coffee", "kind: coffee\nthank_you: 2026-11-21")
        )
        jones = root / "contacts/Acme Jones.md"
        jones.write_text(jones.read_text() + "- 2026-09-02 note: typed in an editor\n")

    def dones(root: Path) -> list[list[str]]:
        return [
            ["done", ids["thank_you", "Send Bob Smith a thank-you for the coffee on 2026-11-20"]],
            ["done", ids["follow_up", "Follow up with Acme Jones"]],
        ]

    said = on_both_roads(
        monkeypatch, tmp_path, web.root, [dones, ["show", "Acme Jones"]], between=edit
    )
    assert said[0][0] == 2 and "no open item" in said[0][2]
    assert said[1][0] == 0 and said[1][1].startswith("Done ")


def test_the_commands_never_read_the_whole_vault(web, run, monkeypatch):
    assert run("due").exit_code == 0

    monkeypatch.setattr(App, "vault", property(_no_whole_vault))
    ids = item_ids(web.root)
    for args in (
        ["show", "Jane Doe"],
        ["show", "Acme", "--json"],
        ["show", "Bob Smith on 2026-11-20"],
        ["prep", "Jane Doe"],
        ["prep", "Call with Jane Doe"],
        ["draft", "report_back", "Bobby", "--no-ask"],
        ["log", "Bobby", "note", "hi"],
        ["meet", "Jane Doe", "--date", "2026-11-30"],
        ["add", "contact", "New Person", "--company", "Initech", "--referred-by", "Bobby"],
        ["add", "company", "Umbrella"],
        ["snooze", ids[0], "--until", "2026-12-30"],
        *(["done", i] for i in ids),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.output)


def test_an_edit_is_refused_when_the_note_changed_after_the_part_was_read(web, run, monkeypatch):
    """`App.edit` checks the disk against the note as the command read it from the store."""
    from coffeechat.core import resolutions as actions

    assert run("due").exit_code == 0
    jones = web.root / "contacts" / "Acme Jones.md"
    plan = actions.resolution

    def meanwhile(*args: object, **kwargs: object) -> object:
        writes = plan(*args, **kwargs)  # type: ignore[arg-type]
        jones.write_text(jones.read_text() + "typed in an editor meanwhile\n")
        later = os.stat(jones).st_mtime_ns + 1_000_000_000
        os.utime(jones, ns=(later, later))
        return writes

    monkeypatch.setattr(actions, "resolution", meanwhile)
    ident = next(
        i
        for i in json.loads(run("due", "--all", "--json").stdout)
        if i["title"] == "Follow up with Acme Jones"
    )["id"]
    result = run("done", ident)
    assert result.exit_code != 0 and "changed on disk after coffeechat read it" in result.stderr
    assert jones.read_text().endswith("typed in an editor meanwhile\n")


def test_without_a_usable_store_the_whole_vault_is_read(web, run):
    """A cache that cannot be opened: the commands read every note, as before."""
    (web.root / ".coffeechat").mkdir(exist_ok=True)
    (web.root / ".coffeechat" / "index.sqlite").mkdir()  # a folder where the database goes
    result = run("log", "Bobby", "note", "hi")
    assert result.exit_code == 0, result.output
    assert "- 2026-11-23 note: hi" in (web.root / "contacts" / "Bob Smith.md").read_text()
    shown = run("show", "Jane Doe")
    assert shown.exit_code == 0 and "Jane Doe" in shown.stdout


def test_a_part_holds_what_the_whole_vault_says_of_its_notes(web, run):
    """For every subject, a part around it yields the items the whole vault yields; for every
    note, a part around it holds the note, and its card's people, meetings and touches, as the
    whole vault does."""
    from coffeechat.core.rules import all_subjects, subject_items
    from coffeechat.core.vault.builder import build_vault

    assert run("due").exit_code == 0
    settings = load_settings(web.root)[0]
    index = Index(web.root, settings)
    whole = build_vault(index.refresh().notes, settings)
    for subject in all_subjects(whole):
        part = index.part(around=[subject])
        assert part is not None
        assert list(subject_items(part, subject, TODAY)) == list(
            subject_items(whole, subject, TODAY)
        )
    for path in whole.contacts:
        part = index.part(around=[path])
        assert part.contacts[path] == whole.contacts[path]
        assert part.touches(path, TODAY) == whole.touches(path, TODAY)
        assert part.referred.get(path) == whole.referred.get(path)
    for path, meeting in whole.meetings.items():
        part = index.part(around=[path])
        assert part.meetings[path] == meeting
        for person in meeting.with_:
            assert part.contacts.get(person.path) == whole.contacts.get(person.path)
    for path in whole.companies:
        part = index.part(around=[path])
        people = [c for c in whole.contacts.values() if c.company_path == path]
        assert [c for c in part.contacts.values() if c.company_path == path] == people
        assert {c.path: part.meetings_with(c.path) for c in people} == {
            c.path: whole.meetings_with(c.path) for c in people
        }


def _columns() -> list[str]:
    """Every table.column of the store's schema."""
    import sqlite3

    from coffeechat.storage.cache.schema import SCHEMA

    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    out = [
        f"{t}.{row[1]}"
        for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for row in db.execute(f"PRAGMA table_info({t})")
    ]
    db.close()
    return out


@pytest.mark.parametrize("column", _columns())
def test_a_damaged_store_gives_the_same_answers_and_heals(web, tmp_path, column):
    """A value of the wrong type in any column of a warm store: the commands say and write
    what they do on a sound store, without failing once, and the store is built again."""
    import sqlite3

    from coffeechat.storage.cache.schema import INDEX_NAME
    from coffeechat.storage.cachedir import CACHE_DIR

    ident = item_ids(web.root)[0]
    commands = [
        ["show", "Jane Doe", "--json"],
        ["show", "Acme"],
        ["done", ident, "--dry-run"],
        ["log", "Bobby", "note", "hi"],
        ["add", "contact", "New Person", "--company", "Acme"],
        ["show", "New Person"],
    ]
    said = {}
    for copy in ("sound", "damaged"):
        root = tmp_path / copy
        shutil.copytree(web.root, root, ignore=shutil.ignore_patterns(".coffeechat"))
        assert invoke(root, "due")[0] == 0
        if copy == "damaged":
            table, name = column.split(".")
            db = sqlite3.connect(root / CACHE_DIR / INDEX_NAME, isolation_level=None)
            for value in (12345, b"\x00\xff", "text", None):
                try:
                    db.execute(f"UPDATE {table} SET {name} = ?", (value,))
                    break
                except sqlite3.IntegrityError:
                    continue
            db.close()
        said[copy] = [invoke(root, *args) for args in commands], tree(root)
    healed = [
        (code, out, re.sub(r"warning: the index in \S+ was damaged [^\n]*\n", "", err))
        for code, out, err in said["damaged"][0]
    ]  # (as `due` says it, when it sees it)
    assert (healed, said["damaged"][1]) == said["sound"]
    settings = load_settings(tmp_path / "damaged")[0]
    assert Index(tmp_path / "damaged", settings).part(names=["Jane Doe"]) is not None  # healed


def _every_note(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))[:-3]
        for folder in ("contacts", "companies", "meetings")
        for p in (root / folder).rglob("*.md")
    )


def test_the_sample_vault_on_both_roads(sample_copy, monkeypatch, tmp_path):
    """Every contact, company and meeting of the sample vault: `show` (and `prep` of every
    contact and meeting), then `done` of every item."""
    notes = _every_note(sample_copy)
    commands: list[Sequence[str] | Callable[[Path], list[list[str]]]] = []
    commands += [["show", n] for n in notes] + [["show", n, "--json"] for n in notes]
    commands += [["prep", n] for n in notes if not n.startswith("companies/")]
    people = [n for n in notes if n.startswith("contacts/")]
    commands += [
        ["draft", kind, n, "--no-ask"]
        for kind in ("approach", "follow_up", "thank_you", "report_back", "update", "landed")
        for n in people
    ]
    commands += [["prep", "Priya Raman", "--write"], dry_runs, done_all]
    said = on_both_roads(monkeypatch, tmp_path, sample_copy, commands)
    assert sum(code == 0 for code, _out, _err in said) > 3 * len(notes)
    assert any("Prep:" in out and "gave you the name" in out for _code, out, _err in said)


def test_prep_and_draft_as_the_whole_vault_does(web, monkeypatch, tmp_path):
    names = [n for n in _every_note(web.root) if not n.startswith("companies/")]
    commands = [["prep", n] for n in [*names, "Bobby", "JD", "nobody", "Acme"]]
    commands.append(["prep", "Jane Doe", "--write"])
    commands += [
        ["draft", kind, n, "--no-ask"]
        for kind in ("thank_you", "report_back", "landed")
        for n in ("Bobby", "Jane Doe", "Dana Quiet", "José Núñez")
    ]
    commands += [
        ["draft", "report_back", "Bobby", "--about", "Jane", "--no-ask"],
        ["draft", "report_back", "Dana Quiet", "--about", "Eve Long", "--write", "--no-ask"],
    ]
    on_both_roads(monkeypatch, tmp_path, web.root, commands)
