"""Wiki-links: how they are written, how Obsidian resolves them, what `check` says about them."""

from __future__ import annotations

import unicodedata

import pytest

from coffeechat.core.links import Link, LinkResolver, Resolution, fold, parse_link, parse_link_list
from coffeechat.core.model import Severity
from coffeechat.core.note.parse import parse_note
from coffeechat.core.settings import Settings
from coffeechat.core.vault.builder import build_vault

# --- parse_link ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "display", "heading"),
    [
        ("[[Jane Doe]]", "Jane Doe", None, None),
        ("[[Jane Doe|Jane]]", "Jane Doe", "Jane", None),
        ("[[contacts/Jane Doe#Log]]", "contacts/Jane Doe", None, "Log"),
        ("[[contacts/Jane Doe#Log|J]]", "contacts/Jane Doe", "J", "Log"),
        ("[[Jane Doe.md]]", "Jane Doe", None, None),
        ("[[Jane Doe.MD]]", "Jane Doe", None, None),
        ("[[Jane Doe\\|Jane]]", "Jane Doe", "Jane", None),  # escaped pipe inside a Markdown table
        ("![[Jane Doe]]", "Jane Doe", None, None),  # an embed still names the note
        ("[[Jane Doe#^block-id]]", "Jane Doe", None, "^block-id"),
        ("[[ Jane Doe ]]", "Jane Doe", None, None),
        ("[[Jane Doe| ]]", "Jane Doe", None, None),  # an empty display is no display
        ("[[/contacts/Jane Doe]]", "contacts/Jane Doe", None, None),
        ("[[contacts\\Jane Doe]]", "contacts/Jane Doe", None, None),  # Windows separator
        ("  [[Jane Doe]]  ", "Jane Doe", None, None),
        ("met via [[Jane Doe]] at the fair", "Jane Doe", None, None),
    ],
)
def test_wikilink_forms(value, target, display, heading):
    link = parse_link(value)
    assert link is not None
    assert (link.target, link.display, link.heading, link.bare) == (target, display, heading, False)
    assert link.raw == value.strip()


def test_markdown_link_is_unquoted_and_loses_md():
    link = parse_link("[Jane](contacts/Jane%20Doe.md)")
    assert link == Link("contacts/Jane Doe", "Jane", None, "[Jane](contacts/Jane%20Doe.md)", False)


def test_markdown_link_with_heading():
    link = parse_link("[Log](Jane%20Doe.md#Log)")
    assert link is not None and (link.target, link.heading, link.display) == (
        "Jane Doe",
        "Log",
        "Log",
    )


def test_bare_name_is_a_bare_link():
    link = parse_link("Jane Doe")
    assert link == Link("Jane Doe", None, None, "Jane Doe", True)


def test_unquoted_yaml_link_is_recovered_and_marked_bare():
    # `company: [[Acme Corp]]` without quotes: YAML reads a list holding a list.
    link = parse_link([["Acme Corp"]])
    assert link is not None
    assert (link.target, link.bare, link.raw) == ("Acme Corp", True, "[[Acme Corp]]")


def test_unquoted_yaml_link_with_display():
    link = parse_link([["Jane Doe|Jane"]])
    assert link is not None and (link.target, link.display, link.bare) == ("Jane Doe", "Jane", True)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "[[#Log]]",
        "[[.md]]",
        42,
        1.5,
        True,
        {"a": 1},
        [],
        ["a", "b"],
        [[1]],
        [["a", "b"]],
    ],
)
def test_no_link(value):
    assert parse_link(value) is None


def test_empty_wikilink_is_no_link():
    assert parse_link("[[]]") is None
    assert parse_link("[[ ]]") is None
    assert parse_link_list(["[[]]"]) == []


def test_unfilled_template_link_adds_nobody():
    v = _vault(
        {
            "meetings/2026-01-02 m.md": '---\ndate: 2026-01-02\nwith:\n  - "[[]]"\nreferrals: ["[[]]"]\n---\n',
        }
    )
    meeting = v.meetings["meetings/2026-01-02 m.md"]
    assert meeting.with_ == () and meeting.referrals == ()
    assert [f.code for f in v.findings] == ["with"]  # "meeting lists nobody under with:"


def test_name_prefers_display_then_file_name():
    assert parse_link("[[contacts/Jane Doe|Janie]]").name == "Janie"  # type: ignore[union-attr]
    assert parse_link("[[contacts/Jane Doe]]").name == "Jane Doe"  # type: ignore[union-attr]


# --- parse_link_list -----------------------------------------------------------------------


def test_link_list_of_quoted_links():
    links = parse_link_list(["[[Jane Doe]]", "[[Bob Smith|Bob]]"])
    assert [(x.target, x.display) for x in links] == [("Jane Doe", None), ("Bob Smith", "Bob")]


def test_link_list_from_one_scalar():
    assert [x.target for x in parse_link_list("[[Jane Doe]]")] == ["Jane Doe"]


def test_link_list_unquoted_items():
    # with:\n  - [[Jane]]\n  - [[Bob]]  -> [[["Jane"]], [["Bob"]]]
    links = parse_link_list([[["Jane"]], [["Bob"]]])
    assert [(x.target, x.bare) for x in links] == [("Jane", True), ("Bob", True)]


def test_link_list_unquoted_flow_form():
    # with: [[Jane]]  -> [["Jane"]]
    links = parse_link_list([["Jane"]])
    assert [(x.target, x.bare) for x in links] == [("Jane", True)]


def test_link_list_skips_empty_items():
    assert [x.target for x in parse_link_list([None, "", 3, "[[C]]", "  "])] == ["C"]


@pytest.mark.parametrize("value", [None, "", [], 5])
def test_empty_link_list(value):
    assert parse_link_list(value) == []


# --- LinkResolver --------------------------------------------------------------------------


def link(text: str) -> Link:
    parsed = parse_link(text)
    assert parsed is not None
    return parsed


def test_fold_is_nfc_and_casefold():
    assert fold("Jose\u0301 STRASSE") == fold("José straße") == "josé strasse"


def test_resolves_by_file_name_case_insensitively():
    r = LinkResolver(["contacts/Jane Doe.md", "companies/Acme.md"])
    assert r.resolve(link("[[jane doe]]")) == Resolution("contacts/Jane Doe.md", "name")
    assert r.resolve(link("[[JANE DOE]]")) == Resolution("contacts/Jane Doe.md", "name")


def test_resolves_by_path_case_insensitively():
    r = LinkResolver(["contacts/Jane Doe.md"])
    assert r.resolve(link("[[Contacts/jane doe]]")) == Resolution("contacts/Jane Doe.md", "path")
    assert r.resolve(link("[[contacts/Jane Doe.md]]")) == Resolution("contacts/Jane Doe.md", "path")


def test_nfd_file_name_matches_nfc_link_and_back():
    nfd = unicodedata.normalize("NFD", "contacts/José Núñez.md")  # as macOS stores it
    nfc = unicodedata.normalize("NFC", "José Núñez")
    assert nfd != unicodedata.normalize("NFC", nfd)
    r = LinkResolver([nfd])
    assert r.resolve(link(f"[[{nfc}]]")) == Resolution(nfd, "name")
    r2 = LinkResolver([unicodedata.normalize("NFC", nfd)])
    assert (
        r2.resolve(link(f"[[{unicodedata.normalize('NFD', nfc)}]]")).path
        == "contacts/José Núñez.md"
    )


def test_exact_path_wins_over_a_shorter_same_name():
    r = LinkResolver(["Jane.md", "contacts/Jane.md"])
    assert r.resolve(link("[[contacts/Jane]]")) == Resolution("contacts/Jane.md", "path")
    # A bare name is also the exact path of the root note: the root note wins.
    assert r.resolve(link("[[Jane]]"), "contacts/Other.md") == Resolution("Jane.md", "path")


def test_same_folder_wins_among_notes_sharing_a_name():
    paths = ["a/Jane.md", "b/deep/Jane.md", "c/Jane.md"]
    r = LinkResolver(paths)
    res = r.resolve(link("[[Jane]]"), "b/deep/Meeting.md")
    assert res.path == "b/deep/Jane.md" and res.how == "name"
    assert set(res.candidates) == {"a/Jane.md", "c/Jane.md"}


def test_shortest_path_wins_otherwise():
    r = LinkResolver(["people/archive/Jane.md", "zz/Jane.md", "people/Jane.md"])
    res = r.resolve(link("[[Jane]]"), "meetings/m.md")
    assert res.path == "zz/Jane.md"
    assert set(res.candidates) == {"people/archive/Jane.md", "people/Jane.md"}


def test_shortest_path_ties_break_alphabetically():
    r = LinkResolver(["b/Jane.md", "a/Jane.md"])
    assert r.resolve(link("[[Jane]]")).path == "a/Jane.md"


def test_partial_path_narrows_the_candidates():
    r = LinkResolver(["work/acme/Jane.md", "home/Jane.md"])
    assert r.resolve(link("[[acme/Jane]]")) == Resolution("work/acme/Jane.md", "name")


def test_partial_path_must_match_whole_folder_names():
    r = LinkResolver(["work/bigacme/Jane.md"])
    assert r.resolve(link("[[acme/Jane]]")) == Resolution(None, "missing")


def test_unique_name_has_no_candidates():
    r = LinkResolver(["contacts/Jane.md", "contacts/Bob.md"])
    assert r.resolve(link("[[Jane]]")).candidates == ()


def test_alias_is_a_fallback():
    r = LinkResolver(["contacts/Jane Doe.md"], {"contacts/Jane Doe.md": ["Janie", " JD "]})
    assert r.resolve(link("[[janie]]")) == Resolution("contacts/Jane Doe.md", "alias")
    assert r.resolve(link("[[jd]]")) == Resolution("contacts/Jane Doe.md", "alias")


def test_a_file_name_beats_an_alias():
    r = LinkResolver(
        ["contacts/Jane Doe.md", "contacts/Janie.md"], {"contacts/Jane Doe.md": ["Janie"]}
    )
    assert r.resolve(link("[[Janie]]")) == Resolution("contacts/Janie.md", "name")


def test_ambiguous_alias_resolves_to_nothing_and_lists_owners():
    r = LinkResolver(
        ["contacts/Jane Doe.md", "contacts/Jan Dee.md"],
        {"contacts/Jane Doe.md": ["JD"], "contacts/Jan Dee.md": ["jd"]},
    )
    res = r.resolve(link("[[JD]]"))
    assert res.path is None and res.how == "ambiguous-alias"
    assert res.candidates == ("contacts/Jan Dee.md", "contacts/Jane Doe.md")


def test_same_alias_twice_on_one_note_is_not_ambiguous():
    r = LinkResolver(["contacts/Jane Doe.md"], {"contacts/Jane Doe.md": ["JD", "jd"]})
    assert r.resolve(link("[[JD]]")) == Resolution("contacts/Jane Doe.md", "alias")


def test_alias_is_not_used_for_a_path_link():
    r = LinkResolver(["contacts/Jane Doe.md"], {"contacts/Jane Doe.md": ["Janie"]})
    assert r.resolve(link("[[contacts/Janie]]")) == Resolution(None, "missing")


def test_missing():
    r = LinkResolver(["contacts/Jane Doe.md"])
    assert r.resolve(link("[[Nobody]]")) == Resolution(None, "missing")


def test_resolver_over_no_notes():
    assert LinkResolver([]).resolve(link("[[Jane]]")) == Resolution(None, "missing")


# --- link findings through build_vault -----------------------------------------------------


def _vault(files: dict[str, str]):
    notes = [parse_note(path, text.encode("utf-8")) for path, text in files.items()]
    return build_vault(notes, Settings())


def _codes(v, path: str) -> list[tuple[int | None, Severity, str]]:
    return sorted((f.line, f.severity, f.code) for f in v.findings if f.path == path)


def test_missing_link_is_a_warning_on_the_keys_line():
    v = _vault(
        {
            "contacts/Jane Doe.md": "---\ntype: contact\nname: Jane Doe\nrole: PM\n"
            'company: "[[Nope Corp]]"\n---\n',
        }
    )
    assert _codes(v, "contacts/Jane Doe.md") == [(5, Severity.WARNING, "link-missing")]
    finding = next(f for f in v.findings if f.code == "link-missing")
    assert "[[Nope Corp]]" in finding.message and "company" in finding.message
    assert v.contacts["contacts/Jane Doe.md"].company == "Nope Corp"
    assert v.contacts["contacts/Jane Doe.md"].company_path is None


def test_resolved_link_has_no_finding_and_links_the_note():
    v = _vault(
        {
            "contacts/Jane Doe.md": '---\nname: Jane Doe\ncompany: "[[acme corp|Acme]]"\n---\n',
            "companies/Acme Corp.md": "---\ntype: company\nname: Acme Corporation\n---\n",
        }
    )
    assert v.findings == []
    jane = v.contacts["contacts/Jane Doe.md"]
    assert jane.company_path == "companies/Acme Corp.md"
    assert jane.company == "Acme Corporation"  # the note's name:, not the display text


def test_alias_link_is_info():
    v = _vault(
        {
            "contacts/Jane Doe.md": "---\nname: Jane Doe\naliases:\n  - Janie\n---\n",
            "contacts/Bob Smith.md": '---\nname: Bob Smith\nreferred_by: "[[Janie]]"\n---\n',
        }
    )
    assert _codes(v, "contacts/Bob Smith.md") == [(3, Severity.INFO, "link-alias")]
    assert v.contacts["contacts/Bob Smith.md"].referred_by.path == "contacts/Jane Doe.md"  # type: ignore[union-attr]


def test_contact_name_is_an_alias_too():
    v = _vault(
        {
            "contacts/jdoe.md": "---\nname: Jane Doe\n---\n",
            "meetings/2026-01-02 Coffee.md": '---\ndate: 2026-01-02\nwith:\n  - "[[Jane Doe]]"\n---\n',
        }
    )
    assert _codes(v, "meetings/2026-01-02 Coffee.md") == [(3, Severity.INFO, "link-alias")]
    assert v.meetings["meetings/2026-01-02 Coffee.md"].with_[0].path == "contacts/jdoe.md"


def test_ambiguous_alias_is_a_warning():
    v = _vault(
        {
            "contacts/Jane Doe.md": "---\nname: Jane Doe\naliases: [JD]\n---\n",
            "contacts/Jan Dee.md": "---\nname: Jan Dee\naliases: [JD]\n---\n",
            "contacts/Bob.md": '---\nname: Bob\nreferred_by: "[[JD]]"\n---\n',
        }
    )
    assert _codes(v, "contacts/Bob.md") == [(3, Severity.WARNING, "link-ambiguous")]
    assert v.contacts["contacts/Bob.md"].referred_by.path is None  # type: ignore[union-attr]


def test_several_notes_with_one_name_is_a_warning():
    v = _vault(
        {
            "contacts/Jane.md": "---\nname: Jane\n---\n",
            "contacts/old/Jane.md": "---\nname: Jane (old)\n---\n",
            "meetings/2026-01-02 m.md": '---\ndate: 2026-01-02\nwith: ["[[Jane]]"]\n---\n',
        }
    )
    assert _codes(v, "meetings/2026-01-02 m.md") == [(3, Severity.WARNING, "link-ambiguous")]
    assert v.meetings["meetings/2026-01-02 m.md"].with_[0].path == "contacts/Jane.md"


def test_unquoted_link_is_a_warning_and_still_resolves():
    v = _vault(
        {
            "contacts/Jane Doe.md": "---\nname: Jane Doe\ncompany: [[Acme Corp]]\n---\n",
            "companies/Acme Corp.md": "---\ntype: company\n---\n",
        }
    )
    assert _codes(v, "contacts/Jane Doe.md") == [(3, Severity.WARNING, "link-quotes")]
    assert v.contacts["contacts/Jane Doe.md"].company_path == "companies/Acme Corp.md"


def test_unquoted_links_in_a_list_each_warn():
    v = _vault(
        {
            "contacts/Jane.md": "---\nname: Jane\n---\n",
            "contacts/Bob.md": "---\nname: Bob\n---\n",
            "meetings/2026-01-02 m.md": "---\ndate: 2026-01-02\nwith:\n  - [[Jane]]\n  - [[Bob]]\n---\n",
        }
    )
    assert _codes(v, "meetings/2026-01-02 m.md") == [(3, Severity.WARNING, "link-quotes")] * 2
    assert [p.path for p in v.meetings["meetings/2026-01-02 m.md"].with_] == [
        "contacts/Jane.md",
        "contacts/Bob.md",
    ]


def test_plain_name_is_not_a_link_and_not_a_finding():
    v = _vault({"contacts/Jane.md": "---\nname: Jane\ncompany: Small Startup\n---\n"})
    assert v.findings == []
    assert v.contacts["contacts/Jane.md"].company == "Small Startup"


def test_plain_name_in_a_link_list_is_not_called_an_unquoted_link():
    v = _vault(
        {
            "contacts/Jane.md": "---\nname: Jane\n---\n",
            "meetings/2026-01-02 m.md": '---\ndate: 2026-01-02\nwith:\n  - "[[Jane]]"\n  - Carl\n---\n',
        }
    )
    assert _codes(v, "meetings/2026-01-02 m.md") == []


def test_link_into_a_broken_note_still_resolves():
    # A broken note is kept for link resolution: the link is not "missing".
    v = _vault(
        {
            "companies/Acme.md": "---\nname: a\nname: b\n---\n",
            "contacts/Jane.md": '---\nname: Jane\ncompany: "[[Acme]]"\n---\n',
        }
    )
    assert [f.code for f in v.findings if f.path == "contacts/Jane.md"] == []
    assert v.contacts["contacts/Jane.md"].company_path == "companies/Acme.md"


def test_fold_composes_what_case_folding_decomposes():
    # Found by the fuzz profile: "ß" + a combining acute folds to "ss" + acute, not NFC.
    from coffeechat.core.links import fold

    assert fold("ß\u0301") == fold(fold("ß\u0301")) == "s\u015b"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("met [[Jane Doe]] today", "met Jane Doe today"),
        ("[[people/Jane Doe#Log|Jane]] and [[Acme Corp.md]]", "Jane and Acme Corp"),
        ("see [[#Log]] above", "see  above"),
        ("[[a\\|b]] in a table", "b in a table"),
        ("no links [here](x.md)", "no links [here](x.md)"),
    ],
)
def test_link_text_shows_each_link_as_obsidian_does(text, shown):
    from coffeechat.core.links import link_text

    assert link_text(text) == shown
