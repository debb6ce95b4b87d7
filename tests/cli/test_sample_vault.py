"""The bundled sample vault: `due --json` pinned for a fixed --today, and every rule exercised.

Regenerate the golden file after an intended change with
``UPDATE_GOLDEN=1 pytest tests/cli/test_sample_vault.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from conftest import TEST_DATA

DATA = TEST_DATA
RULES = (
    "follow_up_approach",
    "prepare",
    "thank_you",
    "reach_referral",
    "report_back",
    "keep_in_touch",
    "landed",
    "follow_up",
)


def due_json(root: Path, *args: str, today: str = "2026-11-23") -> list[dict]:
    result = CliRunner().invoke(
        cli,
        ["--vault", str(root), "--today", today, "due", "--json", *args],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("name, args", [("sample-due", ()), ("sample-due-all", ("--all",))])
def test_golden_due_json(sample_copy, name, args):
    got = due_json(sample_copy, *args)
    golden = DATA / f"{name}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_sample_agenda_covers_every_rule_but_landed(sample_copy):
    items = due_json(sample_copy)
    assert {i["rule"] for i in items} == set(RULES) - {"landed"}
    assert any(i["overdue"] for i in items) and any(i["due"] == "2026-11-23" for i in items)
    assert 10 <= len(items) <= 16


def test_sample_with_landed_set(sample_copy):
    config = sample_copy / "coffeechat.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("# [landed]", "[landed]")
        .replace("# date =", "date =")
        .replace("# company =", "company =")
        .replace("# role =", "role ="),
        encoding="utf-8",
    )
    landed = [
        i for i in due_json(sample_copy, "--all", today="2026-12-02") if i["rule"] == "landed"
    ]
    assert len(landed) >= 8
    assert all(i["due"] == "2026-12-01" and "Northwind Health" in i["title"] for i in landed)
    names = {i["contact"] for i in landed}
    assert "Rosa Delgado" in names  # referred you (Priya), met you
    assert "Brent Callahan" not in names  # do_not_contact


def test_sample_vault_warm_run_matches_cold(sample_copy):
    cold = due_json(sample_copy, "--all")
    assert (sample_copy / ".coffeechat" / "index.sqlite").exists()
    assert due_json(sample_copy, "--all") == cold


def test_sample_check_names_each_finding(sample_copy):
    result = CliRunner().invoke(
        cli, ["--vault", str(sample_copy), "--today", "2026-11-23", "check"]
    )
    assert result.exit_code == 1  # the dangling [[Oakridge Analytics]] company link
    assert (
        "contacts/José Núñez.md:6: company: [[Oakridge Analytics]] leads to no note"
        in result.stdout
    )
    assert "[[Maggie]] matches only an alias" in result.stdout
