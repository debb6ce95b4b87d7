"""The command line: output, exit codes and errors of init, due, show, list, search, check."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from coffeechat.cli import cli


def _json(result):
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tree_hash(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


@pytest.fixture
def small(vault):
    vault.contact(
        "Ana Ruiz",
        front='field: UX research\ncompany: "[[Acme]]"\nrole: Researcher',
        log="2026-11-16 approach: emailed, said Bob sent me",
    )
    vault.contact("Bob Smith", front="field: product management", log="2026-11-01 update: told him")
    vault.contact(
        "Jane Doe",
        front='referred_by: "[[Bob Smith]]"\naliases:\n  - Janie',
        log="2026-11-02 approach: emailed\n2026-11-03 reply: yes",
    )
    vault.write("companies/Acme.md", "---\ntype: company\nindustry: maps\n---\n")
    vault.meeting(
        "2026-11-20T15:00",
        ["Jane Doe"],
        front="kind: coffee\nlocation: Blue Bottle",
        title="2026-11-20 Coffee with Jane Doe",
    )
    vault.meeting("2026-12-10", ["Bob Smith"], title="2026-12-10 Call with Bob Smith")
    return vault


# --- help and entry points -----------------------------------------------------------------


@pytest.mark.parametrize("command", ["init", "due", "show", "list", "search", "check"])
def test_every_command_has_help(command):
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.output and len(result.output) > 200


def test_top_level_help_and_version():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "due" in result.output and "--today" in result.output
    assert CliRunner().invoke(cli, ["--version"]).output.startswith("coffeechat, version ")


# --- due -----------------------------------------------------------------------------------


def test_due_agenda_groups_overdue_today_upcoming(small, run):
    result = run("due", today=__import__("datetime").date(2026, 11, 24))
    assert result.exit_code == 0
    out = result.output
    assert out.index("Overdue (2)") < out.index("Upcoming")
    assert "Follow up with Ana Ruiz (attempt 2 of 3)" in out
    assert "Send Jane Doe a thank-you for the coffee on 2026-11-20" in out
    assert "Tell Bob Smith how it went with Jane Doe" in out
    assert "Prepare for" not in out  # 2026-12-09 is beyond seven days


def test_due_today_group(small, run):
    out = run("due").output  # the chase and Friday's thank-you both fall on Monday
    assert "Today (2)" in out


def test_due_within_all_and_rule(small, run):
    assert "Prepare for Call with Bob Smith" in run("due", "--within", "20").output
    everything = _json(run("due", "--all", "--json"))
    assert {i["rule"] for i in everything} >= {"prepare", "keep_in_touch", "report_back"}
    only = _json(run("due", "--all", "--rule", "prepare", "--json"))
    assert [i["rule"] for i in only] == ["prepare"]
    assert run("due", "--rule", "nonsense").exit_code == 2


def test_due_json_shape(small, run):
    items = _json(run("due", "--json"))
    assert items and [i["due"] for i in items] == sorted(i["due"] for i in items)
    keys = {"id", "rule", "contact", "contact_path", "due", "overdue", "title", "why", "source"}
    for item in items:
        assert keys <= item.keys()
        assert item["overdue"] == (item["due"] < "2026-11-23")
    report = next(i for i in items if i["rule"] == "report_back")
    assert report["contact"] == "Bob Smith" and report["contact_path"] == "contacts/Bob Smith.md"
    assert report["source"] == "meetings/2026-11-20 Coffee with Jane Doe.md"


def test_nothing_due(vault, run):
    result = run("due")
    assert result.exit_code == 0 and "Nothing due through" in result.output
    assert _json(run("due", "--json")) == []


def test_due_verbose_says_why(small, run):
    out = run("due", "-v").output
    assert "Follow up yourself" in out and "contacts/Ana Ruiz.md:" in out


def test_due_mentions_problems_in_the_vault(small, run):
    small.write("contacts/Broken.md", "---\nname: [oops\n---\n")
    out = run("due").output
    assert "1 problem in the vault's notes" in out


# --- vault discovery, --today, environment ---------------------------------------------------


def test_vault_found_by_walking_up(small, monkeypatch):
    monkeypatch.chdir(small.root / "contacts")
    result = CliRunner().invoke(cli, ["--today", "2026-11-23", "due", "--json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 3


def test_environment_variables(small, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COFFEECHAT_VAULT", str(small.root))
    monkeypatch.setenv("COFFEECHAT_TODAY", "2026-12-09")
    items = json.loads(CliRunner().invoke(cli, ["due", "--json"]).stdout)
    assert any(i["rule"] == "prepare" and not i["overdue"] for i in items)


def test_no_vault_is_a_clear_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["due"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: no coffeechat.toml in ")
    assert "Traceback" not in result.output


def test_vault_path_that_is_not_a_folder(tmp_path):
    result = CliRunner().invoke(cli, ["--vault", str(tmp_path / "nope"), "due"])
    assert result.exit_code == 2 and "is not a folder" in result.stderr


def test_bad_today_is_a_usage_error(small, run):
    result = CliRunner().invoke(cli, ["--vault", str(small.root), "--today", "23/11/2026", "due"])
    assert result.exit_code == 2 and "is not a date" in result.output


def test_broken_config_names_file_and_line(small, run):
    small.config("[rules]\nthank_you = 1\nprepare = \n")
    result = run("due")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: coffeechat.toml:3: not valid TOML")


def test_bad_config_value_names_file_and_line(small, run):
    small.config('[vault]\ntimezone = "Mars/Olympus"\n[rules]\nthank_you = -1\n')
    result = run("due")
    assert result.exit_code == 2 and result.stderr.startswith(
        "Error: coffeechat.toml:2: vault.timezone"
    )


def test_unknown_config_keys_warn_but_run(small, run):
    small.config("[rules]\nthanks = 3\n")
    result = run("due")
    assert result.exit_code == 0
    assert "warning: coffeechat.toml:2: unknown setting rules.thanks is ignored" in result.stderr


def test_unexpected_errors_are_one_line(small, run, monkeypatch):
    import coffeechat.cli.queries as queries

    def boom(*args, **kwargs):
        raise RuntimeError("kaput")

    monkeypatch.setattr(queries, "agenda", boom)  # the rendering of `due`
    result = run("due")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: unexpected RuntimeError: kaput (run with --debug for the"
        " traceback, and please report it)\n"
    )
    with pytest.raises(RuntimeError):
        CliRunner().invoke(
            cli, ["--vault", str(small.root), "--debug", "due"], catch_exceptions=False
        )


# --- show ----------------------------------------------------------------------------------


def test_show_contact_card(small, run):
    out = run("show", "jane doe").output
    assert out.startswith("Jane Doe")
    assert "  referred by      Bob Smith" in out and "  aliases          Janie" in out
    assert "2026-11-02  approach" in out and "2026-11-20  meeting" in out
    assert "Open follow-ups" in out and "thank-you" in out


def test_show_by_alias_and_by_part_of_a_name(small, run):
    assert run("show", "Janie").output.startswith("Jane Doe")
    assert run("show", "ruiz").output.startswith("Ana Ruiz — Researcher at Acme")


def test_show_json(small, run):
    card = _json(run("show", "Jane Doe", "--json"))
    assert card["type"] == "contact" and card["referred_by"] == "Bob Smith"
    assert [t["kind"] for t in card["timeline"]] == ["approach", "reply", "meeting"]
    assert {d["rule"] for d in card["due"]} == {"thank_you", "keep_in_touch"}


def test_show_company_lists_its_people_and_meetings(small, run):
    out = run("show", "Acme").output
    assert out.startswith("Acme — maps") and "Ana Ruiz — Researcher" in out
    assert "People (1)" in out and "Open follow-ups" in out  # Ana's approach nudge


def test_show_meeting(small, run):
    card = _json(run("show", "meetings/2026-11-20 Coffee with Jane Doe", "--json"))
    assert card["state"] == "held" and card["time"] == "15:00" and card["location"] == "Blue Bottle"


def test_show_unknown_and_ambiguous_names(small, run):
    missing = run("show", "Nobody Here")
    assert (
        missing.exit_code == 2
        and missing.stderr == "Error: no contact, company or meeting matches 'Nobody Here'\n"
    )
    ambiguous = run("show", "a")
    assert (
        ambiguous.exit_code == 2 and "matches" in ambiguous.stderr and "notes:" in ambiguous.stderr
    )


# --- list ----------------------------------------------------------------------------------


def test_list_contacts_with_filters(small, run):
    rows = _json(run("list", "contacts", "--json"))
    assert [r["name"] for r in rows] == ["Ana Ruiz", "Bob Smith", "Jane Doe"]
    assert [r["name"] for r in _json(run("list", "contacts", "--field", "ux", "--json"))] == [
        "Ana Ruiz"
    ]
    assert [
        r["name"] for r in _json(run("list", "contacts", "--referred-by", "bob", "--json"))
    ] == ["Jane Doe"]
    assert [r["name"] for r in _json(run("list", "contacts", "--company", "acme", "--json"))] == [
        "Ana Ruiz"
    ]
    jane = next(r for r in rows if r["name"] == "Jane Doe")
    assert jane["last_contact"] == "2026-11-20"
    table = run("list", "contacts").output.splitlines()
    assert table[0].split() == ["name", "company", "role", "field", "last", "contact", "status"]


def test_list_meetings_and_companies(small, run):
    assert [r["state"] for r in _json(run("list", "meetings", "--json"))] == ["held", "scheduled"]
    assert len(_json(run("list", "meetings", "--scheduled", "--json"))) == 1
    assert len(_json(run("list", "meetings", "--with", "jane", "--json"))) == 1
    assert len(_json(run("list", "meetings", "--since", "2026-12-01", "--json"))) == 1
    assert _json(run("list", "companies", "--json"))[0]["people"] == 1
    assert run("list", "contacts", "--field", "astronomy").output == "No contacts match.\n"


# --- search --------------------------------------------------------------------------------


def test_search_ignores_case_and_accents(vault, run):
    vault.contact("José Núñez", body="Met at the Café on Main.")
    result = run("search", "cafe", "jose")
    assert result.exit_code == 0
    assert "contacts/José Núñez.md:" in result.output and "Café on Main" in result.output
    hits = _json(run("search", "CAFÉ", "--json"))
    assert hits and hits[0]["line"] == 5


def test_search_without_match_exits_1(vault, run):
    result = run("search", "zeppelin")
    assert result.exit_code == 1 and result.stderr == "No match.\n"


# --- check ---------------------------------------------------------------------------------


def test_check_clean_vault(vault, run):
    vault.contact("Ana Ruiz")
    result = run("check")
    assert result.exit_code == 0 and result.stdout == ""
    assert "0 errors" in result.stderr


def test_check_reports_path_line_message(vault, run):
    vault.write("contacts/Bad Yaml.md", "---\nname: Bad\ntitle: Re: coffee\n---\n")
    vault.write(
        "contacts/Conflict.md", "---\nname: C\n---\n<<<<<<< HEAD\na\n=======\nb\n>>>>>>> x\n"
    )
    vault.write("meetings/2026-01-01 Bad date.md", "---\ndate: 2026-02-30\nwith: []\n---\n")
    vault.write("contacts/Link.md", '---\nname: L\nreferred_by: "[[Ghost]]"\n---\n')
    result = run("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("contacts/Bad Yaml.md:3: front matter is not valid YAML")
    assert lines[1].startswith("contacts/Conflict.md:4: git conflict markers")
    assert lines[2] == "contacts/Link.md:3: referred_by: [[Ghost]] leads to no note"
    assert lines[3].startswith(
        "meetings/2026-01-01 Bad date.md:2: date: '2026-02-30' is not a real date"
    )
    rows = json.loads(run("check", "--json").stdout)
    assert {r["severity"] for r in rows} == {"error", "warning"}


def test_check_suggestions_alone_do_not_fail(vault, run):
    vault.contact(
        "Ana Ruiz", log="2026-11-01 approach: a\n2026-11-06 follow_up: b\n2026-11-12 call: c"
    )
    result = run("check")
    assert result.exit_code == 0 and "consider `status: dormant`" in result.stdout


# --- init ----------------------------------------------------------------------------------


def test_init_makes_a_vault_and_never_overwrites(tmp_path):
    root = tmp_path / "search"
    runner = CliRunner()
    first = runner.invoke(cli, ["init", str(root)])
    assert first.exit_code == 0 and "created" in first.output
    for rel in (
        "contacts",
        "companies",
        "meetings",
        "templates/Contact.md",
        "coffeechat.toml",
        ".gitignore",
    ):
        assert (root / rel).exists(), rel
    assert ".coffeechat/" in (root / ".gitignore").read_text()
    (root / "coffeechat.toml").write_text("# mine\n")
    second = runner.invoke(cli, ["init", str(root)])
    assert second.exit_code == 0 and "nothing to add" in second.output
    assert (root / "coffeechat.toml").read_text() == "# mine\n"
    due = runner.invoke(cli, ["--vault", str(root), "due"])
    assert due.exit_code == 0


def test_init_adds_the_cache_to_an_existing_gitignore(tmp_path):
    root = tmp_path / "v"
    root.mkdir()
    (root / ".gitignore").write_bytes(b"*.pdf\r\nnotes/private")
    CliRunner().invoke(cli, ["init", str(root)])
    assert (root / ".gitignore").read_bytes() == b"*.pdf\r\nnotes/private\r\n.coffeechat/\r\n"


def test_templates_folder_is_not_read_as_notes(tmp_path):
    root = tmp_path / "v"
    CliRunner().invoke(cli, ["init", str(root)])
    result = CliRunner().invoke(cli, ["--vault", str(root), "check"])
    assert result.exit_code == 0, result.output


# --- read-only promise ---------------------------------------------------------------------


def test_read_commands_change_nothing_but_the_cache(small, run):
    small.write_bytes("contacts/Crlf.md", b"\xef\xbb\xbf---\r\nname: Crlf\r\n---\r\nbody\r\n")
    before = tree_hash(small.root)
    for args in (
        ("due",),
        ("due", "--all", "--json"),
        ("show", "Jane Doe"),
        ("list", "contacts"),
        ("list", "meetings"),
        ("search", "emailed"),
        ("check",),
    ):
        run(*args)
    assert tree_hash(small.root) == before
    assert (small.root / ".coffeechat" / "index.sqlite").exists()


def test_index_brings_the_cache_up_to_date_and_says_how(small, run):
    first = run("index")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("Index rebuilt:")
    again = run("index")
    assert again.stdout.startswith(
        "Index was up to date:"
    )  # (fresh files are re-read: racy mtimes)
    assert (small.root / ".coffeechat" / "index.sqlite").exists()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_search_folding_matches_its_definition(text):
    """The fast fold (ASCII, then a translate table) equals the definition: case-folded, NFKD,
    combining marks dropped."""
    import unicodedata

    from coffeechat.core.note.parse import split_lines
    from coffeechat.core.textsearch import fold as _fold

    decomposed = unicodedata.normalize("NFKD", text.casefold())
    assert _fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
    # search folds a note once and splits the result: the lines must be the lines' folds
    assert split_lines(_fold(text)) == [_fold(line) for line in split_lines(text)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "É",
                "e\u0301",
                "\n",
                "\r\n",
                "📅",
                "\U0001d165",
                "ß",
                "\u2028",
                "ﬁ",
                " ",
                "\U0001f600",
            ]
        ),
        max_size=30,
    ).map("".join)
)
def test_search_folding_of_lines_with_astral_and_combining_characters(text):
    """The same property on the characters that take the slow paths (astral marks, emoji)."""
    test_search_folding_matches_its_definition.hypothesis.inner_test(text)
