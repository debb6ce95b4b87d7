"""`draft KIND NAME`: letters filled from the vault; a missing fact is asked for or its sentence
left out with a note — never a {placeholder} in the letter."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coffeechat.cli import cli
from coffeechat.core.coaching.drafts import fill
from coffeechat.core.coaching.kinds import KINDS as LETTER_KINDS
from coffeechat.core.coaching.lint import lint_letter
from coffeechat.core.coaching.quotes import pick_point
from coffeechat.core.coaching.text import when_phrase
from coffeechat.core.note.parse import parse_note

PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
TODAY = dt.date(2026, 11, 23)


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


def sample(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(
        cli,
        ["--vault", str(root), "--today", "2026-11-23", *args],
        input=input,
        catch_exceptions=False,
    )


# --- on the sample vault ---------------------------------------------------------------------------


def test_approach_to_a_referral_passes_lint(sample_copy):
    result = sample(sample_copy, "draft", "approach", "Aisha")
    assert result.exit_code == 0
    letter = result.stdout
    assert letter.startswith(
        "Subject: Margaret Chen suggested I get in touch\n\nHi Aisha,\n\n"
        "Margaret Chen suggested I get in touch with you. I've spent nine years"
    )
    assert "I'm exploring a move into UX research" in letter
    assert "I'm not asking about jobs at Brightline Learning" in letter
    assert (
        "I'll follow up on Monday 30 November" in letter
    )  # 23 Nov + 5 days, moved off the weekend
    assert letter.endswith("Best,\n")
    assert result.stderr == (
        "note: left out your name, to sign with ([pitch] signature in"
        " coffeechat.toml); give it with --set me=…\n"
    )
    assert lint_letter(letter, kind="approach").findings == ()


def _forget_how_met(root: Path, name: str) -> None:
    note = root / "contacts" / f"{name}.md"
    text = note.read_text(encoding="utf-8")
    note.write_text(
        "".join(ln for ln in text.splitlines(keepends=True) if not ln.startswith("how_met:")),
        encoding="utf-8",
    )


def test_approach_says_how_you_came_across_them_from_how_met(sample_copy):
    result = sample(sample_copy, "draft", "approach", "Deborah Kline")
    assert result.exit_code == 0
    assert (
        'I came across your name through cold — her talk "From Lesson Plans to Roadmaps" on'
        " YouTube (Product School, 2025)."
    ) in result.stdout
    assert ("note: how you came across them is your how_met: (cold — her talk") in result.stderr
    assert "--set source=" in result.stderr and "left out how you came across" not in result.stderr


def test_cold_approach_leaves_out_the_source_with_a_note_or_takes_it(sample_copy):
    _forget_how_met(sample_copy, "Deborah Kline")
    bare = sample(sample_copy, "draft", "approach", "Deborah Kline")
    assert bare.exit_code == 0 and "came across" not in bare.stdout
    assert (
        "note: left out how you came across them (e.g. “your talk at Product School”) (the"
        " sentence “I came across your name through ….”); give it with --set source=…"
    ) in bare.stderr
    assert bare.stdout.startswith("Subject: 20 minutes of your advice about product management?\n")
    given_ = sample(
        sample_copy,
        "draft",
        "approach",
        "Deborah Kline",
        "--set",
        "source=your Product School talk, “From Lesson Plans to Roadmaps”",
        "--set",
        "me=Sam",
    )
    assert (
        "I came across your name through your Product School talk, “From Lesson Plans to"
        " Roadmaps”." in given_.stdout
    )
    assert given_.stdout.endswith("Best,\nSam\n") and given_.stderr == ""
    assert lint_letter(given_.stdout, kind="approach").findings == ()


def test_missing_facts_are_asked_for_at_a_terminal(sample_copy):
    _forget_how_met(sample_copy, "Deborah Kline")
    result = sample(
        sample_copy, "draft", "approach", "Deborah", "--ask", input="your talk on YouTube\nSam\n"
    )
    assert "I came across your name through your talk on YouTube." in result.stdout
    assert result.stdout.endswith("Best,\nSam\n")
    assert "how you came across them" in result.stderr and "note:" not in result.stderr
    skipped = sample(sample_copy, "draft", "approach", "Deborah", "--ask", input="\n\n")
    assert "came across" not in skipped.stdout and "note: left out" not in skipped.stderr


def test_thank_you_names_a_specific_point_from_the_meeting_notes(sample_copy):
    result = sample(sample_copy, "draft", "thank_you", "Kenji", "--set", "me=Sam")
    assert result.stdout == (
        "Subject: Thank you, Kenji\n\nHi Kenji,\n\nThank you for the coffee on Friday — I know how"
        " full your week is, and I'm grateful for the time. I keep thinking about what you said:"
        " “don't only be the teacher in the room”; it has already changed how I'm approaching my"
        " search.\n\nBest,\nSam\n"
    )
    assert (
        lint_letter(
            result.stdout, kind="thank_you", meeting_date=dt.date(2026, 11, 20), sent=TODAY
        ).findings
        == ()
    )


def test_thank_you_thanks_for_the_referrals(sample_copy):
    result = sample(sample_copy, "draft", "thank_you", "Tomás")
    assert "Thank you for meeting with me on 16 November" in result.stdout
    assert "“never make them explain their diagnosis twice”" in result.stdout
    assert (
        "Thank you too for suggesting I talk to Łukasz Wiśniewski — I'll get in touch"
        in result.stdout
    )


def test_report_back_tells_the_referrer_about_the_last_referral_met(sample_copy):
    result = sample(sample_copy, "draft", "report_back", "Priya")
    assert result.stdout.startswith("Subject: How it went with Tomás\n")
    assert "I met Tomás Ferreira on 16 November, thanks to you" in result.stdout
    assert "Tomás also suggested I talk to Łukasz Wiśniewski" in result.stdout
    about = sample(sample_copy, "draft", "report_back", "Priya", "--about", "Zoë")
    assert "I met Zoë Lindqvist on 22 October" in about.stdout
    assert "Zoë also suggested I talk to José Núñez" in about.stdout


def test_landed_thanks_them_for_what_they_did(sample_copy):
    config = sample_copy / "coffeechat.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + "\n[landed]\ndate = 2026-12-01\n"
        'company = "Northwind Health"\nrole = "Associate Product Manager"\n',
        encoding="utf-8",
    )
    result = sample(sample_copy, "draft", "landed", "Priya", "--set", "me=Sam")
    assert (
        "I'm happy to tell you that I've accepted a position as Associate Product Manager at"
        " Northwind Health."
    ) in result.stdout
    assert (
        "thank you for meeting me for coffee in October and introducing me to Tomás Ferreira and"
        " Zoë Lindqvist."
    ) in result.stdout
    assert lint_letter(result.stdout, kind="landed").findings == ()


def test_update_asks_for_your_news(sample_copy):
    result = sample(
        sample_copy, "draft", "update", "Dan", "--set", "news=I finished the case study."
    )
    assert "It's been a while since we were last in touch in November 2025" in result.stdout
    assert "I finished the case study." in result.stdout
    assert "“buy the book, not the badge”" in result.stdout


@pytest.mark.parametrize("kind", LETTER_KINDS)
def test_no_draft_ever_keeps_a_placeholder(sample_copy, kind):
    """Every kind to every contact: a letter with no {field}, or one line of error, exit 2."""
    from coffeechat.config import load_settings
    from coffeechat.core.vault.builder import build_vault
    from coffeechat.storage.cache.index import Index

    settings, _ = load_settings(sample_copy)
    vault = build_vault(Index(sample_copy, settings).refresh().notes, settings)
    for contact in vault.contacts.values():
        result = sample(sample_copy, "draft", kind, contact.path)
        if result.exit_code == 2:
            assert result.stdout == "" and result.stderr.startswith("Error: ")
            assert result.stderr.count("\n") == 1
            continue
        assert result.exit_code == 0, (contact.name, result.output)
        assert not PLACEHOLDER.search(result.stdout), (contact.name, result.stdout)
        assert "||" not in result.stdout and "<!--" not in result.stdout
        if (
            kind in ("follow_up", "thank_you", "report_back", "update")
            and "note:" not in result.stderr
        ):
            assert lint_letter(result.stdout, kind=kind).findings == (), (
                contact.name,
                result.stdout,
            )


def test_write_keeps_the_draft_in_the_contact_note(sample_copy):
    note = sample_copy / "contacts" / "Kenji Watanabe.md"
    before = note.read_bytes()
    log_before = parse_note("k.md", before).log
    result = sample(sample_copy, "draft", "thank_you", "Kenji", "--write")
    assert result.exit_code == 0
    assert result.stderr.endswith(
        "Wrote the draft in contacts/Kenji Watanabe.md under ## Draft: thank-you\n"
    )
    after = note.read_bytes()
    assert after.startswith(before)
    assert b"\n## Draft: thank-you\n<!-- coffeechat:draft " in after
    assert parse_note("k.md", after).log == log_before
    again = sample(sample_copy, "draft", "thank_you", "Kenji", "--write")
    assert "Already up to date:" in again.stderr and note.read_bytes() == after
    note.write_bytes(after.replace(b"Hi Kenji,", b"Hi Kenji!"))  # edited in Obsidian
    edited = note.read_bytes()
    refused = sample(sample_copy, "draft", "thank_you", "Kenji", "--write", "--set", "me=Sam")
    assert refused.exit_code == 1 and note.read_bytes() == edited
    assert (
        refused.stderr.splitlines()[-1].startswith("Error: contacts/Kenji Watanabe.md:")
        and "was changed since coffeechat wrote it" in refused.stderr
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("draft", "invoice", "Kenji"),
            (
                "Error: 'invoice' is not a kind of letter (one of: approach,"
                " follow_up, thank_you, report_back, update, landed)\n"
            ),
        ),
        (("draft", "approach", "Nobody"), "Error: no contact matches 'Nobody'\n"),
        (
            ("draft", "thank_you", "Aisha"),
            (
                "Error: you have had no meeting with Aisha Bello to thank them"
                " for (a thank-you follows a meeting; record it with"
                " `coffeechat meet`)\n"
            ),
        ),
        (
            ("draft", "report_back", "Tomás"),
            (
                "Error: you have met nobody Tomás Ferreira referred you to"
                " yet; to tell Priya Raman, who referred Tomás Ferreira, write"
                ' `draft report_back "Priya Raman"`\n'
            ),
        ),
        (
            ("draft", "approach", "Kenji", "--set", "source"),
            "Error: --set 'source' is not FIELD=TEXT\n",
        ),
        (
            ("draft", "thank_you", "Kenji", "--about", "Priya"),
            "Error: --about is for report_back letters\n",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(sample_copy, args, message):
    before = tree(sample_copy)
    result = sample(sample_copy, *args, "--write")
    assert result.exit_code == 2
    assert result.stderr == message and result.stdout == ""
    assert tree(sample_copy) == before


# --- on small vaults ---------------------------------------------------------------------------------


def test_the_vaults_own_template_wins_and_unknown_fields_are_noted(vault, run):
    vault.contact("Ana Ruiz", front="field: design", log="2026-11-02 approach: emailed")
    vault.config('[pitch]\nsignature = "Sam"\n')
    vault.write(
        "templates/Letter - follow_up.md",
        "Hi {first} — {{date:dddd}} here. Still keen on {field}! Loved your {hobby} photos.\n{me}\n",
    )
    result = run("draft", "follow_up", "Ana")
    assert result.stdout == "Hi Ana — Monday here. Still keen on design!\nSam\n"
    assert result.stderr == (
        "note: left out “hobby”, a field of templates/Letter - follow_up.md"
        " that coffeechat does not fill (the sentence “Loved your … photos.”);"
        " give it with --set hobby=…\n"
    )
    result = run("draft", "follow_up", "Ana", "--set", "hobby=sailing")
    assert "Loved your sailing photos." in result.stdout and result.stderr == ""


def test_a_meeting_note_without_a_quote_gives_its_topic(vault, run):
    vault.contact("Ana Ruiz")
    vault.meeting(
        "2026-11-20",
        ["Ana Ruiz"],
        front="kind: call",
        body="## Notes\n- Portfolio: two case studies, each with the question and the method.\n",
    )
    result = run("draft", "thank_you", "Ana")
    assert "Thank you for the call on Friday" in result.stdout
    assert "I keep thinking about what you said about portfolio;" in result.stdout


def test_a_meeting_note_with_nothing_to_quote_asks_for_a_point(vault, run):
    vault.contact("Ana Ruiz")
    vault.meeting("2026-11-22", ["Ana Ruiz"], body="## Notes\nGood chat.\n")
    result = run("draft", "thank_you", "Ana")
    assert "Thank you for meeting with me yesterday" in result.stdout
    assert "keep thinking" not in result.stdout
    assert "note: left out one specific thing they said that stayed with you" in result.stderr


# --- the template engine ---------------------------------------------------------------------------


def test_fill_alternatives_absent_and_unknown_facts():
    template = (
        "<!-- a comment with {first} -->\nHi {first},\n\n{referrer} sent me. || I found you via {source}."
        " I'm Sam.\nThanks for {referrals}.\n\nBest,\n{me}\n"
    )
    got = fill(template, {"first": "Ana", "referrer": None, "referrals": None, "me": "Sam"})
    assert got.text == "Hi Ana,\n\nI'm Sam.\n\nBest,\nSam\n"
    assert [(m.fields, m.sentence) for m in got.missing] == [
        (("source",), "I found you via {source}.")
    ]
    assert (
        fill(template, {"first": "Ana", "referrer": "Bo", "referrals": "Cy", "me": "S"}).text
        == "Hi Ana,\n\nBo sent me. I'm Sam.\nThanks for Cy.\n\nBest,\nS\n"
    )


@given(
    st.dictionaries(
        st.sampled_from(["first", "referrer", "source", "point", "me", "x"]),
        st.one_of(st.none(), st.text(max_size=12)),
        max_size=6,
    )
)
def test_fill_never_leaves_a_placeholder(values):
    template = (
        "Subject: {referrer} || Subject: hello\nHi {first}, {point}. {x} || {source}! Ok.\n"
        "{me}\n{{date}} stays for Obsidian\n"
    )
    values = {k: v.replace("{", "(").replace("}", ")") if v else v for k, v in values.items()}
    text = fill(template, values).text
    assert not PLACEHOLDER.search(text.replace("{{date}}", ""))
    assert "||" not in text


@pytest.mark.parametrize(
    "day, phrase",
    [
        (dt.date(2026, 11, 23), "today"),
        (dt.date(2026, 11, 22), "yesterday"),
        (dt.date(2026, 11, 20), "on Friday"),
        (dt.date(2026, 11, 6), "on 6 November"),
        (dt.date(2025, 11, 6), "on 6 November 2025"),
    ],
)
def test_when_phrase(day, phrase):
    assert when_phrase(day, TODAY) == phrase


def test_pick_point_prefers_a_whole_sentence_they_said():
    notes = (
        '## Notes\n- Last feature: a "what does my plan actually cover?" explainer.\n'
        '- Split: "and the last third is the one that gets eaten".\n'
        '- Buyers: "Three customers and they all want different things."\n'
    )
    assert pick_point(notes).quote == "Three customers and they all want different things"
