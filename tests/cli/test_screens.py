"""What the screens look like at the user's terminal width, and dates far off with their year."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coffeechat.cli import cli
from coffeechat.cli.render.text import _width, fit, fit_line, shorten, table
from coffeechat.core.dates import day_label

TODAY = "2026-11-23"
LONG = (
    "You approached them weeks ago and tried again with no answer yet; follow up yourself,"
    " do not wait for a reply, it often takes several tries and that is normal"
)


@pytest.fixture
def screen(sample_read_only: Path) -> Callable[..., str]:
    """What a command prints on the sample vault, with ``columns`` as the terminal's width."""

    def _run(columns: int | None, *args: str) -> str:
        env = {"COLUMNS": str(columns)} if columns else {}
        argv = ["--vault", str(sample_read_only), "--today", TODAY, *args]
        result = CliRunner(env=env).invoke(cli, argv)
        assert result.exit_code == 0, result.output
        return result.stdout

    return _run


def _fits(text: str, columns: int) -> None:
    """Every line fits, but for a path or a link, which is kept whole to be copied."""
    for line in text.splitlines():
        assert _width(line) <= columns or any(x in line for x in (".md", "https://")), line
        assert line == line.rstrip(), f"trailing space: {line!r}"


@pytest.mark.parametrize(
    "args",
    [
        ("list", "contacts"),
        ("list", "companies"),
        ("list", "meetings"),
        ("due", "-v", "--all"),
        ("prep", "Sofia"),
        ("show", "Priya Raman"),
        ("show", "Northwind Health"),
        ("show", "meetings/2026-11-16 Informational with Tomás Ferreira.md"),
    ],
)
@pytest.mark.parametrize("columns", [80, 60])
def test_screens_fit_the_width(args, columns, screen):
    wide = screen(None, *args)
    assert max(_width(ln) for ln in wide.splitlines()) > columns  # the story needs long lines
    narrow = screen(columns, *args)
    _fits(narrow, columns)
    # the same words, only the line breaks (and the spaces and quote marks at them) differ
    if args[0] != "list":
        assert [w for w in narrow.split() if w != ">"] == [w for w in wide.split() if w != ">"]


def test_a_wrapped_line_hangs_under_its_text(screen):
    out = screen(80, "due", "-v", "--all").splitlines()
    start = next(i for i, ln in enumerate(out) if ln.startswith("              You approached"))
    assert out[start + 1].startswith(" " * 14) and out[start + 1][14] != " "
    card = screen(60, "show", "Priya Raman").splitlines()
    first = next(i for i, ln in enumerate(card) if ln.startswith("  2026-09-04  approach"))
    assert card[first + 1].startswith(" " * 27) and card[first + 1][27] != " "


def test_tables_cut_cells_with_an_ellipsis(screen):
    out = screen(80, "list", "contacts").splitlines()
    assert any("…" in ln for ln in out)
    assert out[0].split() == ["name", "company", "role", "field", "last", "contact", "status"]
    rows = {ln.split("  ")[0] for ln in out[1:]}
    assert {"Aisha Bello", "Brent Callahan", "Łukasz Wiśniewski"} <= rows  # names cut last


def test_json_is_not_fitted(screen):
    for args in (("list", "contacts", "--json"), ("due", "--json"), ("show", "Priya", "--json")):
        assert json.loads(screen(40, *args)) == json.loads(screen(None, *args))


def test_into_a_pipe_lines_stay_whole(screen):
    out = screen(None, "due", "-v")
    assert any(len(ln) > 120 for ln in out.splitlines())


@given(
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=200
    ),
    st.integers(30, 120),
)
def test_fit_keeps_every_word_within_the_width(text, width):
    lines = fit("  ", text, width, "    ")
    assert " ".join(" ".join(lines).split()) == " ".join(("  " + text).split())
    for line in lines:
        assert line == line.rstrip()
        assert _width(line) <= width or len(line.split()) == 1


def test_fit_line_keeps_markdown_markers():
    assert fit_line("> " + LONG, 40)[1].startswith("> ")
    assert fit_line("- " + LONG, 40)[1].startswith("  ") and fit_line("- " + LONG, 40)[1][2] != " "
    assert fit_line("  - [ ] " + LONG, 40)[1].startswith(" " * 8)
    assert fit_line("short", 40) == ["short"]


def test_shorten_counts_wide_characters():
    assert shorten("Łukasz Wiśniewski", 8) == "Łukasz …"
    assert shorten("東京大学の研究者", 7) == "東京大…"
    assert _width(shorten("東京大学の研究者", 7)) <= 7
    assert shorten("Ann", 8) == "Ann"


def test_table_never_cuts_below_the_header():
    lines = table(
        ["name", "last contact"], [["Bartholomew Fitzgerald-Smythe", "2026-09-24"]], width=20
    )
    assert click.unstyle(lines[0]) == "name    last contact"
    assert lines[1] == "Barth…  2026-09-24"


# --- the year beyond about six months ----------------------------------------------------------


def test_day_label_adds_the_year_far_from_today():
    today = dt.date(2026, 11, 23)
    assert day_label(dt.date(2027, 1, 15), today) == "Fri 15 Jan"
    assert day_label(dt.date(2027, 5, 24), today) == "Mon 24 May"
    assert day_label(dt.date(2027, 11, 17), today) == "Wed 17 Nov 2027"
    assert day_label(dt.date(2026, 1, 3), today) == "Sat 03 Jan 2026"


def test_due_shows_the_year_of_an_item_a_year_out(vault):
    vault.contact("Jane Doe")
    vault.meeting("2026-11-20", ["Jane Doe"], front="thank_you: 2026-11-20")
    out = (
        CliRunner()
        .invoke(cli, ["--vault", str(vault.root), "--today", TODAY, "due", "--all"])
        .stdout
    )
    assert "  Mon 22 Nov 2027  Keep in touch with Jane Doe" in out  # (Saturday 20 -> Monday)
    near = (
        CliRunner()
        .invoke(cli, ["--vault", str(vault.root), "--today", "2027-06-01", "due", "--all"])
        .stdout
    )
    assert "  Mon 22 Nov  Keep in touch with Jane Doe" in near


def test_draft_asks_for_a_fact_the_vault_lacks_in_one_line():
    from coffeechat.cli.render.coaching import fact_question

    assert fact_question("venue", "templates/Letter - approach.md", "We met at {venue}.") == (
        "venue (a field of templates/Letter - approach.md) — Enter to leave “We met at ….” out"
    )
