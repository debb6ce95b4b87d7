"""`graph`: the referral tree as Mermaid or DOT, and kept current in Network.md."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


def tree(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.parts
    }


def ids(lines: list[str]) -> dict[str, str]:
    """name -> node id, from a mermaid block."""
    out = {}
    for line in lines:
        line = line.strip()
        if '["' in line and "-->" not in line:
            node, label = line.split('["', 1)
            out[label.rstrip('"]')] = node
    return out


def test_sample_vault_mermaid(sample_copy, run):
    result = run("graph", root=sample_copy)
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.split("\n")
    assert lines[0] == "```mermaid" and lines[1] == "flowchart LR" and lines[-2] == "```"
    assert lines[2].startswith("  %% Referral tree")
    n = ids(lines)
    assert set(n) == {
        "Aisha Bello",
        "Brent Callahan",
        "Dan Okafor",
        "Greg Whitfield",
        "Helen Park",
        "José Núñez",
        "Margaret Chen",
        "Priya Raman",
        "Rosa Delgado",
        "Tomás Ferreira",
        "Zoë Lindqvist",
        "Łukasz Wiśniewski",
    }
    edges = {ln.strip() for ln in lines if "-->" in ln}
    for a, b in (
        ("Rosa Delgado", "Priya Raman"),
        ("Priya Raman", "Tomás Ferreira"),
        ("Priya Raman", "Zoë Lindqvist"),
        ("Zoë Lindqvist", "José Núñez"),
        ("Tomás Ferreira", "Łukasz Wiśniewski"),
        ("Margaret Chen", "Aisha Bello"),
        ("Dan Okafor", "Greg Whitfield"),
        ("Rosa Delgado", "Helen Park"),
        ("Rosa Delgado", "Brent Callahan"),
    ):
        assert f"{n[a]} --> {n[b]}" in edges
    assert len(edges) == 9  # a name given at a meeting and in referred_by is one arrow
    classes = {
        ln.split()[-1]: set(ln.split()[1].split(",")) for ln in lines if ln.startswith("  class ")
    }
    assert classes["met"] >= {n["Priya Raman"], n["Tomás Ferreira"], n["Greg Whitfield"]}
    assert classes["booked"] == {n["Helen Park"]}
    assert classes["approached"] == {n["José Núñez"]}
    assert classes["not_reached"] == {n["Aisha Bello"], n["Łukasz Wiśniewski"]}
    assert classes["internal-link"] == set(n.values())


def test_from_keeps_one_branch_and_dot(sample_copy, run):
    result = run("graph", "--from", "Priya", "--format", "dot", root=sample_copy)
    assert result.exit_code == 0
    lines = result.stdout.split("\n")
    assert lines[0] == "digraph referrals {" and lines[-2] == "}"
    labels = [ln.split('label="', 1)[1].split('"', 1)[0] for ln in lines if "label=" in ln]
    assert labels == [
        "José Núñez",
        "Priya Raman",
        "Tomás Ferreira",
        "Zoë Lindqvist",
        "Łukasz Wiśniewski",
    ]
    assert [ln.strip() for ln in lines if "->" in ln] == [
        "n2 -> n3;",
        "n2 -> n4;",
        "n3 -> n5;",
        "n4 -> n1;",
    ]
    assert (
        '  n5 [label="Łukasz Wiśniewski", fillcolor="#ffffff", color="#888888", fontcolor="#444444",'
        ' style="rounded,dashed"];' in lines
    )


def test_write_keeps_network_md_current_and_your_words(sample_copy, run):
    assert tree(sample_copy).get("Network.md") is None
    result = run("graph", "--write", root=sample_copy)
    assert result.stdout == "Created Network.md with the referral tree\n"
    note = sample_copy / "Network.md"
    text = note.read_text(encoding="utf-8")
    assert text.startswith("# Network\n\nWho gave me whose name.")
    assert "\n## Referral tree\n```mermaid\n" in text and text.endswith("```\n")
    assert (
        run("graph", "--write", root=sample_copy).stdout
        == "Already up to date: the referral tree in Network.md\n"
    )
    # the user writes around the tree; a new referral arrives; the block is replaced, once
    note.write_text(
        text.replace("## Referral tree\n", "## Referral tree\nMy words above.\n")
        + "\nMy words below.\n",
        encoding="utf-8",
    )
    (sample_copy / "contacts" / "Ola New.md").write_text(
        '---\ntype: contact\nname: Ola New\nreferred_by: "[[Aisha Bello]]"\n---\n', encoding="utf-8"
    )
    assert (
        run("graph", "--write", root=sample_copy).stdout
        == "Updated the referral tree in Network.md\n"
    )
    new = note.read_text(encoding="utf-8")
    assert new.count("```mermaid") == 1 and '["Ola New"]' in new
    assert "## Referral tree\nMy words above.\n```mermaid" in new and new.endswith(
        "```\n\nMy words below.\n"
    )
    # dot replaces the mermaid block in place
    run("graph", "--write", "--format", "dot", root=sample_copy)
    dot = note.read_text(encoding="utf-8")
    assert "```mermaid" not in dot and dot.count("```dot\ndigraph referrals {") == 1
    assert dot.endswith("}\n```\n\nMy words below.\n")
    # Network.md is a plain note: it changes nothing the rules compute
    assert run("check", root=sample_copy).exit_code in (0, 1)
    assert "Network.md" not in run("check", root=sample_copy).stdout


def test_small_vault_unresolved_names_and_cycles(vault, run):
    vault.contact("Ana", log="2026-10-01 approach: emailed")
    vault.contact("Bo", front='referred_by: "[[Ana]]"')
    vault.contact("Cy Name", front='referred_by: "[[Bo]]"')
    vault.write(
        "contacts/Ana.md",
        (vault.root / "contacts" / "Ana.md")
        .read_text(encoding="utf-8")
        .replace("type: contact", 'type: contact\nreferred_by: "[[Cy Name]]"'),
    )  # a cycle
    vault.meeting("2026-11-01", ["Bo"], front='referrals:\n  - "[[Quinn Unknown]]"\n  - "Ana"')
    result = run("graph")
    lines = result.stdout.split("\n")
    n = ids(lines)
    assert set(n) == {"Ana", "Bo", "Cy Name", "Quinn Unknown"}
    edges = {ln.strip() for ln in lines if "-->" in ln}
    assert edges == {
        f"{n['Ana']} --> {n['Bo']}",
        f"{n['Bo']} --> {n['Cy Name']}",
        f"{n['Cy Name']} --> {n['Ana']}",
        f"{n['Bo']} --> {n['Quinn Unknown']}",
        f"{n['Bo']} --> {n['Ana']}",
    }
    links = next(ln for ln in lines if ln.endswith("internal-link")).split()[1].split(",")
    assert n["Quinn Unknown"] not in links  # no note to open
    branch = run("graph", "--from", "Cy Name").stdout
    assert set(ids(branch.split("\n"))) == {"Ana", "Bo", "Cy Name", "Quinn Unknown"}


def test_names_are_escaped(vault, run):
    vault.contact('Dee "DJ" Jay')
    vault.write(
        "contacts/Bo.md", '---\ntype: contact\nname: Bo\nreferred_by: "[[Dee \\"DJ\\" Jay]]"\n---\n'
    )
    mermaid = run("graph").stdout
    assert '["Dee #quot;DJ#quot; Jay"]' in mermaid
    assert 'label="Dee \\"DJ\\" Jay"' in run("graph", "--format", "dot").stdout


def test_no_referrals_yet(vault, run):
    vault.contact("Ana")
    result = run("graph")
    assert result.exit_code == 0
    assert '  empty["No referrals recorded yet"]' in result.stdout
    assert result.stderr.startswith("note: no referrals recorded yet")


@pytest.mark.parametrize(
    "args, message",
    [
        (("graph", "--from", "Nobody", "--write"), "Error: no contact matches 'Nobody'\n"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(sample_copy, run, args, message):
    before = tree(sample_copy)
    result = run(*args, root=sample_copy)
    assert result.exit_code == 2 and result.stderr == message and result.stdout == ""
    assert tree(sample_copy) == before
