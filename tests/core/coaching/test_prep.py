"""`prep NAME`: the sheet to re-read before a meeting, and `--write` into the meeting's note."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.core.coaching.questions import parse_bank, pick_questions, tiers
from coffeechat.core.model import Company, Contact
from coffeechat.core.note.parse import parse_note

SOFIA_MEETING = "meetings/2026-11-25 Coffee with Sofia Marchetti.md"


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


def sample(root: Path, *args: str):
    return CliRunner().invoke(
        cli, ["--vault", str(root), "--today", "2026-11-23", *args], catch_exceptions=False
    )


def section(text: str, name: str) -> list[str]:
    lines = text.split("\n")
    start = lines.index(f"## {name}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [ln for ln in lines[start:end] if ln.strip()]


# --- on the sample vault ---------------------------------------------------------------------------


def test_prep_sheet_for_the_next_meeting(sample_copy):
    result = sample(sample_copy, "prep", "Sofia")
    assert result.exit_code == 0 and result.stderr == ""
    sheet = result.stdout
    assert sheet.startswith("# Prep: Coffee with Sofia Marchetti — Wed 25 Nov 2026, 10:00\n")
    assert [ln.removeprefix("## ") for ln in sheet.split("\n") if ln.startswith("## ")] == [
        "The meeting",
        "Who they are",
        "Their company",
        "How you got their name",
        "Past touches",
        "Your objectives",
        "Your thumbnail sketch",
        "Questions",
        "Before you leave",
    ]
    assert (
        section(sheet, "The meeting")[0]
        == "coffee · 30 minutes (until 10:30) · Café Grumpy, 224 W 20th St"
    )
    assert "**Sofia Marchetti** — UX Researcher at [[Northwind Health]]" in sheet
    assert "> Found her through the alumni directory search" in sheet  # her note's own words
    assert (
        "- Others you know there: Deborah Kline (Group Product Manager) — approached; Priya Raman"
        " (Senior Product Manager, Benefits) — met; Tomás Ferreira (Product Manager, Care"
        " Navigation) — met"
    ) in sheet
    assert section(sheet, "How you got their name") == [
        "- How you met: Hollis alumni directory (class of 2016, psych major)"
    ]
    assert section(sheet, "Past touches") == [
        (
            "- 2026-11-09 — approach: alumni-directory email; Hollis in the subject line, asked for 20–30"
            " minutes, said I'm not asking about openings"
        ),
        "- 2026-11-13 — reply: Wednesday before Thanksgiving at 10, Café Grumpy in Chelsea",
    ]
    objectives = section(sheet, "Your objectives")
    assert objectives[0] == "From your approach — re-read it before you go:"
    assert objectives[1].startswith("> 2026-11-09 approach: alumni-directory email")
    assert "- Thumbnail sketch, the new one. Under 30 seconds." in objectives
    assert section(sheet, "Your thumbnail sketch")[0].startswith("> I've spent nine years")


def test_questions_yours_first_then_the_bank_by_field_and_industry(sample_copy):
    sheet = sample(sample_copy, "prep", "Sofia").stdout
    questions = section(sheet, "Questions")
    job = questions[
        questions.index("### About the job") + 1 : questions.index("### About the industry")
    ]
    assert job[:3] == [
        "- What's the last study you ran, and what changed because of it?",
        "- How much of your time is recruiting and logistics vs. sessions vs. synthesis?",
        "- How do PMs at Northwind use research — before decisions or after?",
    ]
    assert len(job) == 5  # the bank fills up to five, skipping what you already ask
    assert not any("What is the last study you ran" in q for q in job)
    assert questions[-1] == (
        "_Yours first (from the meeting note), then from templates/Questions.md"
        " (UX research, Health)._"
    )


def test_prep_by_meeting_name_and_senior_questions(sample_copy):
    sheet = sample(sample_copy, "prep", "2026-12-03 Meeting with Helen Park").stdout
    assert sheet.startswith("# Prep: Meeting with Helen Park — Thu 3 Dec 2026, 16:00\n")
    assert "- Referred by **Rosa Delgado**: say so in the first minute" in sheet
    assert "- 2026-11-10 — cancelled: Video call with Helen Park" in sheet
    assert "(Product management, Education and edtech, Senior people)" in sheet
    assert "- Afterwards: thank-you to Helen, and tell Rosa Delgado how it went." in sheet


def test_prep_without_a_meeting_prints_but_will_not_write(sample_copy):
    result = sample(sample_copy, "prep", "Nate")
    assert result.exit_code == 0
    assert result.stdout.startswith("# Prep: Nate Halvorsen (no meeting scheduled)\n")
    assert "## The meeting" not in result.stdout
    before = tree(sample_copy)
    refused = sample(sample_copy, "prep", "Nate", "--write")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr == (
        "Error: no meeting with Nate Halvorsen is scheduled to write the sheet"
        ' into (add one with `coffeechat meet "Nate Halvorsen" --date'
        " YYYY-MM-DD`)\n"
    )
    assert tree(sample_copy) == before


def test_write_puts_the_sheet_in_the_meeting_note_and_changes_nothing_else(sample_copy):
    note = sample_copy / SOFIA_MEETING
    before = note.read_bytes()
    due_before = sample(sample_copy, "due", "--all", "--json").stdout
    result = sample(sample_copy, "prep", "Sofia", "--write")
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote the prep sheet into {SOFIA_MEETING} under ## Prep sheet"
        " and set prepared: 2026-11-23\n"
    )
    after = note.read_bytes()
    settled = before.replace(b"\n---\n", b"\nprepared: 2026-11-23\n---\n", 1)  # the one key added
    assert after.startswith(settled)
    added = after[len(settled) :].decode("utf-8")
    assert added.startswith("\n## Prep sheet\n<!-- coffeechat:prep ")
    assert "\n**Prep: Coffee with Sofia Marchetti — Wed 25 Nov 2026, 10:00**\n" in added
    assert "\n### Who they are\n" in added and "\n#### About the job\n" in added
    assert added.endswith("<!-- /coffeechat:prep -->\n")
    # the sheet's touch lines are not log lines or tasks of the meeting note; the agenda is the same
    parsed = parse_note("m.md", after)
    assert parsed.log == () and parsed.tasks == parse_note("m.md", before).tasks
    # the agenda is the same, less the `prepare` item the sheet settled
    prepare = [
        i
        for i in json.loads(due_before)
        if i["rule"] == "prepare" and i["meeting"] == SOFIA_MEETING
    ]
    assert len(prepare) == 1
    assert json.loads(sample(sample_copy, "due", "--all", "--json").stdout) == [
        i for i in json.loads(due_before) if i != prepare[0]
    ]
    assert (
        sample(sample_copy, "prep", "Sofia", "--write").stdout
        == f"The prep sheet in {SOFIA_MEETING} is already up to date\n"
    )
    assert note.read_bytes() == after


def test_write_refuses_to_replace_a_sheet_you_edited(sample_copy):
    assert sample(sample_copy, "prep", "Sofia", "--write").exit_code == 0
    note = sample_copy / SOFIA_MEETING
    edited = note.read_bytes().replace(
        b"- In-house or agency", b"- In-house or agency (she laughed)"
    )
    note.write_bytes(edited)
    result = sample(sample_copy, "prep", "Sofia", "--write")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {SOFIA_MEETING}:")
    assert "was changed since coffeechat wrote it" in result.stderr
    assert note.read_bytes() == edited


@pytest.mark.parametrize(
    "args, message",
    [
        (("prep", "Nobody"), "Error: no contact or meeting matches 'Nobody'\n"),
        (("prep", "an"), "Error: 'an' matches several notes: "),
        (
            ("prep", "2026-11-20 Coffee with Kenji Watanabe", "--write"),
            (
                "Error: meetings/2026-11-20 Coffee with Kenji Watanabe.md took place on 2026-11-20; a prep"
                " sheet goes into a meeting still ahead\n"
            ),
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(sample_copy, args, message):
    before = tree(sample_copy)
    result = sample(sample_copy, *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert tree(sample_copy) == before


# --- on small vaults ---------------------------------------------------------------------------------

BANK = """# My questions
<!-- ignored: - not a question -->
## PM (field: product management, PM)
### About the job
- What do you ship?
- What do you write?
### About the industry
- Where do PMs come from?

## Bosses (role: head, director)
About the job:
- What makes you hire someone?

## Health (industry: health)
About the industry:
- How do you work with sick people?

## Teachers (tag: ex-teacher)
### About the job
- What did you unlearn?

## Anyone
### About the job
- What is a normal week?
- What do you do all day?
### About the industry
- Where is it going?
"""


def test_the_vaults_question_bank_and_pitch_are_used(vault, run):
    vault.write("templates/Questions.md", BANK)
    vault.write("templates/Pitch.md", "<!-- write it below -->\n> I teach, and I want to build.\n")
    vault.write("companies/Acme.md", "---\ntype: company\nname: Acme\nindustry: health tech\n---\n")
    vault.contact(
        "Ana Ruiz",
        front='company: "[[Acme]]"\nrole: Director of Product\nfield: PM\ntags: [ex-teacher]',
    )
    vault.meeting("2026-11-30T09:00", ["Ana Ruiz"], body="## Goals\n- learn [[Acme]] basics\n")
    sheet = run("prep", "Ana", "--questions", "4").stdout
    assert "> I teach, and I want to build." in sheet
    assert "- learn [[Acme]] basics" in sheet
    questions = section(sheet, "Questions")
    assert questions[:6] == [
        "### About the job",
        "- What do you ship?",
        "- What makes you hire someone?",
        "- What did you unlearn?",
        "- What do you write?",
        "### About the industry",
    ]
    assert questions[6:9] == [
        "- Where do PMs come from?",
        "- How do you work with sick people?",
        "- Where is it going?",
    ]
    assert "(PM, Bosses, Health, Teachers)" in questions[-1]


def test_no_pitch_says_where_to_write_one(vault, run):
    vault.contact("Ana Ruiz")
    sheet = run("prep", "Ana").stdout
    assert section(sheet, "Your thumbnail sketch") == [
        (
            "- (not written yet: two or three sentences on who you are and what you want, said in under"
            " 30 seconds — put it in templates/Pitch.md or under [pitch] thumbnail in coffeechat.toml)"
        )
    ]
    assert section(sheet, "Past touches") == ["- none yet"]


def test_pitch_in_config_wins(vault, run):
    vault.config('[pitch]\nthumbnail = """\nLine one.\nLine two."""\n')
    vault.write("templates/Pitch.md", "Not this one.\n")
    vault.contact("Ana Ruiz")
    assert section(run("prep", "Ana").stdout, "Your thumbnail sketch") == [
        "> Line one.",
        "> Line two.",
    ]


def test_bank_parsing_and_matching_units():
    bank = parse_bank(BANK)
    assert [(s.title, s.conditions) for s in bank] == [
        ("PM", (("field", ("product management", "PM")),)),
        ("Bosses", (("role", ("head", "director")),)),
        ("Health", (("industry", ("health",)),)),
        ("Teachers", (("tag", ("ex-teacher",)),)),
        ("Anyone", ()),
    ]
    nobody = Contact(path="c.md", name="X")
    assert pick_questions(bank, nobody, None, 2).job == (
        "What is a normal week?",
        "What do you do all day?",
    )
    pm = Contact(path="c.md", name="X", field="product management", role="Head of Product")
    picked = pick_questions(
        bank, pm, Company(path="a.md", name="A", industry="Health"), 3, skip=["What do you ship"]
    )
    assert picked.job == (
        "What do you write?",
        "What makes you hire someone?",
        "What is a normal week?",
    )
    assert picked.sections == ("PM", "Bosses", "Health")
    assert tiers(["About the job:", "- a", "**About the industry:**", "- b", "- [ ] c"]) == (
        ["a"],
        ["b", "c"],
    )


def test_init_brings_the_question_bank_pitch_and_letter_templates(tmp_path):
    root = tmp_path / "search"
    result = CliRunner().invoke(cli, ["init", str(root)], catch_exceptions=False)
    assert result.exit_code == 0
    names = {p.name for p in (root / "templates").iterdir()}
    assert {
        "Questions.md",
        "Pitch.md",
        *(
            f"Letter - {k}.md"
            for k in ("approach", "follow_up", "thank_you", "report_back", "update", "landed")
        ),
    } <= names
    (root / "contacts" / "Ana Ruiz.md").write_text(
        "---\ntype: contact\nname: Ana Ruiz\nfield: UX research\n---\n", encoding="utf-8"
    )
    sheet = (
        CliRunner()
        .invoke(cli, ["--vault", str(root), "--today", "2026-11-23", "prep", "Ana"])
        .stdout
    )
    assert (
        "(UX research); edit it" in sheet and "- (not written yet: two or three sentences" in sheet
    )


def test_a_sheet_written_before_is_not_read_as_your_questions(vault, run):
    vault.contact("Ana Ruiz", front="field: UX research")
    vault.meeting("2026-11-30", ["Ana Ruiz"], body="## Notes\n")
    assert run("prep", "Ana", "--write").exit_code == 0
    note = next((vault.root / "meetings").iterdir())
    written = note.read_bytes()
    assert b"\n### Questions\n" in written
    again = run("prep", "Ana", "--write")
    assert again.stdout.endswith("is already up to date\n") and note.read_bytes() == written
    assert (
        "_From templates/Questions.md (UX research); edit it to make them yours._"
        in run("prep", "Ana").stdout
    )
