"""`--json` on a vault with notes it left out: stdout is pure JSON, and one line on stderr
says that notes were left out — a script reading `[]` can tell it from an empty agenda."""

from __future__ import annotations

import json

import pytest

LINE = "2 problems in the vault's notes: run `coffeechat check` to see them.\n"


@pytest.fixture
def broken(vault):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.write("contacts/Broken.md", "---\ntype: contact\nname: [unclosed\n---\n")
    vault.write("meetings/Far.md", "---\ntype: meeting\ndate: 2026-02-30\nwith: []\n---\n")
    return vault


@pytest.mark.parametrize(
    "args",
    [
        ("due", "--json"),
        ("due", "--all", "--json"),
        ("show", "Jane", "--json"),
        ("list", "contacts", "--json"),
        ("list", "meetings", "--json"),
        ("stats", "--json"),
    ],
)
def test_json_says_notes_were_left_out_on_stderr(broken, run, args):
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)  # stdout is JSON and nothing else
    assert result.stderr == LINE


def test_an_empty_agenda_from_broken_notes_is_not_silent(vault, run):
    vault.write(
        "contacts/Broken.md",
        "---\ntype: contact\nname: [unclosed\n---\n## Log\n- 2026-11-01 approach: emailed\n",
    )
    result = run("due", "--json")
    assert json.loads(result.stdout) == []
    assert result.stderr == "1 problem in the vault's notes: run `coffeechat check` to see them.\n"


@pytest.mark.parametrize(
    "args", [("due", "--json"), ("stats", "--json"), ("list", "contacts", "--json")]
)
def test_a_clean_vault_keeps_stderr_empty(vault, run, args):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    result = run(*args)
    assert result.exit_code == 0 and result.stderr == ""
    json.loads(result.stdout)
