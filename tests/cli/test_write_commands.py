"""add, meet, log, done and snooze: what they write, and that bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from coffeechat.core.note.parse import parse_note


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


def due(run, *args, today=None) -> list[dict]:
    kwargs = {"today": today} if today else {}
    result = run("due", "--all", "--json", *args, **kwargs)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def item(run, rule: str, contact: str | None = None) -> dict:
    found = [
        i for i in due(run) if i["rule"] == rule and (contact is None or i["contact"] == contact)
    ]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def people(vault):
    vault.contact("Bob Smith", log="2026-10-01 reply: glad to help")
    vault.contact(
        "Jane Doe",
        front='referred_by: "[[Bob Smith]]"\ncompany: "[[Acme]]"',
        log="2026-11-16 approach: emailed, said Bob sent me",
    )
    vault.write("companies/Acme.md", "---\ntype: company\nname: Acme\n---\n")
    return vault


# --- add -----------------------------------------------------------------------------------


def test_add_contact_writes_every_field_obsidian_style(people, run):
    result = run(
        "add",
        "contact",
        "Carl O'Neil",
        "--company",
        "Acme",
        "--role",
        "VP, Product",
        "--email",
        "carl@acme.example",
        "--phone",
        "0123456",
        "--linkedin",
        "https://www.linkedin.com/in/carl",
        "--field",
        "product management",
        "--referred-by",
        "jane",
        "--how-met",
        "Jane: intro by email",
        "--cadence",
        "6m",
        "--follow-up",
        "2026-12-01",
        "--alias",
        "Carl",
        "--tag",
        "#pm",
        "--tag",
        "warm-intro",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "Created contacts/Carl O'Neil.md\n"
    text = (people.root / "contacts" / "Carl O'Neil.md").read_text(encoding="utf-8")
    for line in (
        "type: contact",
        "name: Carl O'Neil",
        'company: "[[Acme]]"',
        "role: VP, Product",
        'phone: "0123456"',
        'referred_by: "[[Jane Doe]]"',
        'how_met: "Jane: intro by email"',
        "cadence: 6m",
        "follow_up: 2026-12-01",
        "added: 2026-11-23",
        "  - Carl",
        "  - pm",
        "  - warm-intro",
    ):
        assert f"\n{line}\n" in text, line
    assert "{{" not in text and "<%" not in text
    note = parse_note("c.md", text.encode())
    assert note.meta["phone"] == "0123456" and not note.findings


def test_add_contact_makes_the_company_note_when_missing(people, run):
    result = run("add", "contact", "Dee Park", "--company", "Zeta Labs")
    assert result.output == "Created companies/Zeta Labs.md\nCreated contacts/Dee Park.md\n"
    assert "type: company" in (people.root / "companies" / "Zeta Labs.md").read_text()


def test_a_second_person_of_the_same_name_gets_a_qualified_file(people, run):
    assert run("add", "contact", "John Smith", "--company", "Acme").exit_code == 0
    again = run("add", "contact", "john smith", "--company", "Acme")
    assert again.exit_code == 2 and "already has a note" in again.stderr
    other = run("add", "contact", "JOHN SMITH", "--company", "Globex")
    assert other.output.endswith("Created contacts/JOHN SMITH (Globex).md\n")


def test_names_from_outside_become_safe_file_names(people, run):
    result = run("add", "contact", "../../etc/passwd: Ann/Lee", "--company", "Acme")
    assert result.exit_code == 0
    made = people.root / "contacts" / "etc passwd Ann Lee.md"
    assert made.exists()
    assert 'name: "../../etc/passwd: Ann/Lee"' in made.read_text()


def test_add_company(people, run):
    result = run(
        "add",
        "company",
        "Globex Corp",
        "--industry",
        "energy",
        "--website",
        "https://globex.example",
        "--alias",
        "Globex",
        "--research",
        "Series B: 2025",
    )
    assert result.exit_code == 0
    text = (people.root / "companies" / "Globex Corp.md").read_text()
    assert "industry: energy" in text and 'research: "Series B: 2025"' in text
    assert run("add", "company", "globex corp").exit_code == 2


def test_add_uses_the_vaults_own_template(people, run):
    people.write(
        "templates/Contact.md",
        '---\ntype: contact\nname: "{{title}}"\n'
        "source: hand-made\nadded: {{date:YYYY-MM-DD}}\n---\n# {{title}}\n"
        "Created {{date:dddd, MMMM Do YYYY}} {{time}} <% tp.file.title %>\n",
    )
    assert run("add", "contact", 'Ann "Annie" Lee').exit_code == 0
    text = (people.root / "contacts" / "Ann Annie Lee.md").read_text()
    assert text.startswith(
        '---\ntype: contact\nname: Ann "Annie" Lee\nsource: hand-made\nadded: 2026-11-23\n---\n'
    )
    assert '# Ann "Annie" Lee\nCreated Monday, November 23rd 2026 ' in text
    assert "{{" not in text and "<%" not in text


def test_add_edit_opens_the_editor(people, run, tmp_path):
    script = tmp_path / "fake-editor"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nopen(sys.argv[-1], 'a').write('edited\\n')\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    result = run(
        "add", "contact", "Eve Adams", "--edit", env={"EDITOR": str(script), "VISUAL": str(script)}
    )
    assert result.exit_code == 0, result.output
    assert (people.root / "contacts" / "Eve Adams.md").read_text().endswith("edited\n")


# --- meet and log --------------------------------------------------------------------------


def test_meet_makes_a_scheduled_meeting(people, run):
    result = run(
        "meet",
        "jane",
        "--date",
        "2026-11-25T10:00",
        "--kind",
        "video",
        "--where",
        "Zoom",
        "--duration",
        "20",
        "--with",
        "Bob Smith",
    )
    assert result.exit_code == 0, result.output
    rel = "meetings/2026-11-25 Video call with Jane Doe.md"
    assert result.output == f"Created {rel} (scheduled: prepare by 2026-11-24)\n"
    text = (people.root / rel).read_text()
    assert 'date: 2026-11-25T10:00\nwith:\n  - "[[Jane Doe]]"\n  - "[[Bob Smith]]"\n' in text
    prepare = item(run, "prepare")
    assert prepare["due"] == "2026-11-24" and prepare["source"] == rel
    assert [i for i in due(run) if i["rule"] == "follow_up_approach"] == []  # a meeting answers it


def test_log_appends_under_the_log_heading(people, run):
    before = (people.root / "contacts" / "Jane Doe.md").read_bytes()
    result = run(
        "log", "Jane Doe", "Follow-up", "called,", "left", "a", "message", "--date", "2026-11-21"
    )
    assert (
        result.output
        == "Added `- 2026-11-21 follow_up: called, left a message` to contacts/Jane Doe.md\n"
    )
    after = (people.root / "contacts" / "Jane Doe.md").read_bytes()
    assert after == before + b"- 2026-11-21 follow_up: called, left a message\n"
    assert item(run, "follow_up_approach")["due"] == "2026-11-26"


# --- done: what a person would have written --------------------------------------------------


def test_done_thank_you_sets_the_meeting_date(people, run):
    people.meeting("2026-11-20", ["Jane Doe"])
    ident = item(run, "thank_you")["id"]
    result = run("done", ident[:6])
    assert result.exit_code == 0, result.output
    assert (
        "thank_you: 2026-11-23"
        in (people.root / "meetings" / "2026-11-20 Coffee with Jane Doe.md").read_text()
    )
    assert not [i for i in due(run) if i["rule"] == "thank_you"]


def test_done_approach_nudge_logs_a_follow_up(people, run):
    result = run("done", item(run, "follow_up_approach")["id"], "-m", "called her office")
    assert result.exit_code == 0
    assert (
        "- 2026-11-23 follow_up: called her office\n"
        in (people.root / "contacts" / "Jane Doe.md").read_text()
    )
    assert item(run, "follow_up_approach")["due"] == "2026-11-30"  # the next nudge (Sat -> Mon)


def test_done_report_back_logs_in_the_referrers_note(people, run):
    people.meeting("2026-11-18", ["Jane Doe"], front="thank_you: 2026-11-18")
    report = item(run, "report_back")
    assert run("done", report["id"]).exit_code == 0
    assert (
        "- 2026-11-23 report_back: told them how it went with Jane Doe\n"
        in (people.root / "contacts" / "Bob Smith.md").read_text()
    )
    assert not [i for i in due(run) if i["rule"] == "report_back"]


def test_done_referral_without_a_note_creates_the_contact(people, run):
    people.meeting(
        "2026-11-18", ["Jane Doe"], front='thank_you: 2026-11-18\nreferrals:\n  - "[[Carl Lee]]"'
    )
    referral = item(run, "reach_referral")
    result = run("done", referral["id"])
    assert result.exit_code == 0, result.output
    text = (people.root / "contacts" / "Carl Lee.md").read_text()
    assert 'referred_by: "[[Jane Doe]]"' in text
    assert "- 2026-11-23 approach: reached out; Jane Doe gave me the name\n" in text
    assert not [i for i in due(run) if i["rule"] == "reach_referral"]


def test_done_follow_up_field_is_cleared_and_task_ticked(people, run):
    people.contact(
        "Dee Park", front="follow_up: 2026-11-20", body="- [ ] send the deck 📅 2026-11-22"
    )
    items = [i for i in due(run) if i["rule"] == "follow_up"]
    assert len(items) == 2
    for i in items:
        assert run("done", i["id"]).exit_code == 0
    text = (people.root / "contacts" / "Dee Park.md").read_text()
    assert "\nfollow_up:\n" in text and "- [x] send the deck 📅 2026-11-22 ✅ 2026-11-23" in text
    assert [i for i in due(run) if i["rule"] == "follow_up"] == []


def test_done_prepare_and_keep_in_touch(people, run):
    people.meeting("2026-11-25", ["Jane Doe"])
    assert run("done", item(run, "prepare")["id"]).exit_code == 0
    assert (
        "prepared: 2026-11-23"
        in (people.root / "meetings" / "2026-11-25 Coffee with Jane Doe.md").read_text()
    )
    people.meeting("2025-06-01", ["Bob Smith"], front="thank_you: 2025-06-01")
    kit = item(run, "keep_in_touch", "Bob Smith")
    assert run("done", kit["id"]).exit_code == 0
    assert item(run, "keep_in_touch", "Bob Smith")["due"] == "2027-11-23"


def test_done_dry_run_writes_nothing(people, run):
    before = tree(people.root)
    result = run("done", item(run, "follow_up_approach")["id"], "--dry-run")
    assert result.output.startswith(
        "Would add `- 2026-11-23 follow_up: followed up` to contacts/Jane Doe.md"
    )
    assert tree(people.root) == before


# --- snooze --------------------------------------------------------------------------------


def test_snooze_is_kept_in_the_note_and_moves_the_item(people, run):
    nudge = item(run, "follow_up_approach")
    result = run("snooze", nudge["id"], "--until", "2026-12-01")
    assert result.exit_code == 0
    assert (
        f"snooze:\n  - {nudge['id']} until 2026-12-01\n---"
        in (people.root / "contacts" / "Jane Doe.md").read_text()
    )
    assert item(run, "follow_up_approach")["due"] == "2026-12-01"
    assert (
        run("snooze", nudge["id"], "--until", "2026-11-26").exit_code == 0
    )  # the newer entry wins
    assert item(run, "follow_up_approach")["due"] == "2026-11-26"


# --- bad input: one line, exit 2, nothing written ---------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (("log", "Nobody", "note", "x"), "Error: no contact matches 'Nobody'\n"),
        (("log", "Jane Doe", "lunch", "x"), "Error: 'lunch' is not a log kind"),
        (("log", "Jane Doe", "note", "--date", "2026-13-01"), "is not a date"),
        (("meet", "Nobody"), "Error: no contact matches 'Nobody'\n"),
        (("meet", "Jane", "--date", "tomorrow"), "is not a date"),
        (("meet", "Jane", "--kind", " "), "Invalid value for '--kind': give a word"),
        (("done", "abcdef"), "Error: no open item has the id 'abcdef'"),
        (("done", "xyz"), "is not an item id"),
        (("snooze", "abcdef", "--until", "2026-12-01"), "Error: no open item has the id"),
        (("snooze", "abcdef", "--until", "2026-11-01"), "is not after today"),
        (
            ("add", "contact", "Jane Doe"),
            "Error: Jane Doe already has a note: contacts/Jane Doe.md",
        ),
        (("add", "contact", "X", "--referred-by", "Nobody"), "Error: no contact matches 'Nobody'"),
        (("add", "contact", "X", "--cadence", "often"), "is not a cadence"),
        (("add", "contact", "X", "--status", "busy"), "Invalid value for '--status'"),
        (("add", "contact", "  "), "Error: the name is empty"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(people, run, args, message):
    people.contact("Jan Dee")  # makes "jan" ambiguous nowhere, but a second J name exists
    before = tree(people.root)
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") <= 2 and "Traceback" not in result.stderr  # one line + a hint
    assert tree(people.root) == before


def test_ambiguous_names_are_refused(people, run):
    people.contact("Jane Roe")
    before = tree(people.root)
    result = run("log", "jane", "note", "x")
    assert result.exit_code == 2 and "matches several contacts" in result.stderr
    assert tree(people.root) == before


def test_a_broken_note_is_never_edited(people, run):
    path = people.write("contacts/Kim Lee.md", "---\nname: Kim Lee\nname: Kim\n---\n")
    before = path.read_bytes()
    result = run("log", "contacts/Kim Lee", "note", "hello")
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    assert path.read_bytes() == before


def test_a_note_changed_on_disk_meanwhile_is_not_overwritten(people):
    from coffeechat.core.note.edits import append_line_under_heading
    from coffeechat.errors import CoffeechatError
    from coffeechat.storage.writer import edit_note

    path = people.root / "contacts" / "Jane Doe.md"

    def someone_else_saves(tmp: Path) -> None:
        path.write_text(path.read_text() + "typed in Obsidian meanwhile\n")

    with pytest.raises(CoffeechatError, match="changed on disk since it was read"):
        edit_note(
            people.root,
            "contacts/Jane Doe.md",
            lambda d: append_line_under_heading(d, "Log", "- 2026-11-23 note: x"),
            before_replace=someone_else_saves,
        )
    assert path.read_text().endswith("typed in Obsidian meanwhile\n")
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp file left


def test_crash_between_write_and_rename_leaves_the_note_intact(people):
    """A real process dies (os._exit) after the temp file is written, before the rename."""
    import subprocess

    path = people.root / "contacts" / "Jane Doe.md"
    before = path.read_bytes()
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from coffeechat.core.note.edits import append_line_under_heading\n"
        "from coffeechat.storage.writer import edit_note\n"
        "edit_note(Path(sys.argv[1]), 'contacts/Jane Doe.md',\n"
        "          lambda d: append_line_under_heading(d, 'Log', '- 2026-11-23 note: x'),\n"
        "          before_replace=lambda tmp: os._exit(9))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(people.root)], timeout=60, check=False)
    assert proc.returncode == 9
    assert path.read_bytes() == before
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert (
        len(leftovers) <= 1
    )  # a stray temp file at most, hidden (dot-file) and never read as a note
    assert all(name.startswith(".") for name in leftovers)
    from coffeechat import load_vault

    assert "contacts/Jane Doe.md" in load_vault(people.root, use_cache=False).contacts


def test_writes_stay_inside_the_vault(people):
    from coffeechat.storage.files import PathOutsideVault, inside_vault

    with pytest.raises(PathOutsideVault):
        inside_vault(people.root, "../outside.md")
    with pytest.raises(PathOutsideVault):
        inside_vault(people.root, "/etc/passwd")
    os.symlink(people.root.parent, people.root / "escape")
    with pytest.raises(PathOutsideVault):
        inside_vault(people.root, "escape/x.md")


def test_new_notes_never_replace_existing_ones(people):
    from coffeechat.storage.files import StaleFile, atomic_write

    path = people.root / "contacts" / "Jane Doe.md"
    before = path.read_bytes()
    with pytest.raises(StaleFile, match="already exists"):
        atomic_write(path, b"new", create=True)
    assert path.read_bytes() == before


def test_file_mode_is_kept_on_edit(people, run):
    path = people.root / "contacts" / "Jane Doe.md"
    path.chmod(0o640)
    assert run("log", "Jane Doe", "note", "x").exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_due_after_writes_reflects_them_without_a_rebuild(people, run):
    """The index picks up coffeechat's own writes like any other change."""
    people.meeting("2026-11-20", ["Jane Doe"])
    ident = item(run, "thank_you")["id"]
    run("done", ident)
    assert ident not in {i["id"] for i in due(run)}
    assert dt.date(2026, 11, 23)


def test_a_note_coffeechat_cannot_edit_safely_is_refused_with_its_line(people, run):
    path = people.write(
        "contacts/Kim Lee.md", "\n---\nname: Kim Lee\n---\nBlank line first.\n", dedent=False
    )
    before = path.read_bytes()
    result = run("log", "Kim Lee", "note", "hello")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: contacts/Kim Lee.md:2: not edited: front matter must start on line 1"
    )
    assert path.read_bytes() == before
