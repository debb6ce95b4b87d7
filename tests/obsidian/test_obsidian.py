"""Obsidian: the .base files (syntax, and what each view lists on the sample vault), the merge
into .obsidian/types.json, the `obsidian` and `init` commands, and obsidian:// links."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bases_eval import (
    FIELDS,
    FILE_FIELDS,
    GLOBAL_FUNCTIONS,
    METHODS,
    Parser,
    Vault,
    value_of,
    view_rows,
    walk,
)
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from coffeechat import load_vault
from coffeechat.cli import cli
from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError
from coffeechat.obsidian.bases import BASE_FILES, PROPERTY_TYPES, bases, merge_types
from coffeechat.obsidian.links import obsidian_uri
from conftest import SAMPLE, TODAY

OBSIDIAN_TYPES = {"text", "multitext", "number", "checkbox", "date", "datetime", "aliases", "tags"}
TOP_KEYS = {"filters", "formulas", "properties", "summaries", "views"}
VIEW_KEYS = {
    "type",
    "name",
    "filters",
    "order",
    "sort",
    "groupBy",
    "limit",
    "summaries",
    "columnSize",
    "rowHeight",
}
#: Names an expression may use besides coffeechat's keys.
BUILT_INS = {"note", "file", "formula", "this", "value", "index", "acc"}


def _expressions(filters):
    if filters is None:
        return
    if isinstance(filters, str):
        yield filters
        return
    assert isinstance(filters, dict) and len(filters) == 1, filters
    ((op, parts),) = filters.items()
    assert op in ("and", "or", "not") and isinstance(parts, list) and parts, filters
    for part in parts:
        yield from _expressions(part)


def _all_bases():
    custom = Settings(
        contacts_folder="People",
        meetings_folder="Journal/Meetings",
        companies_folder="Orgs",
        templates_folder="_tpl",
        ignore=("Archive",),
    )
    return [*bases(Settings()).items(), *bases(custom).items()]


# --- the .base files as Obsidian documents them -------------------------------------------------


@pytest.mark.parametrize("name, text", _all_bases(), ids=lambda x: x if x in BASE_FILES else "")
def test_every_base_is_valid_bases_yaml(name, text):
    data = yaml.safe_load(text)
    assert isinstance(data, dict) and set(data) <= TOP_KEYS and "views" in data
    formulas = data.get("formulas") or {}
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in formulas.items())
    assert all(
        isinstance(v, dict) and set(v) == {"displayName"}
        for v in (data.get("properties") or {}).values()
    )
    expressions = [*_expressions(data.get("filters")), *formulas.values()]
    names = set()
    for view in data["views"]:
        assert set(view) <= VIEW_KEYS, view
        assert view["type"] == "table" and isinstance(view["name"], str) and view["name"]
        expressions += list(_expressions(view.get("filters")))
        props = list(view.get("order", []))
        for key in ("groupBy",):
            if key in view:
                assert set(view[key]) == {"property", "direction"}
                assert view[key]["direction"] in ("ASC", "DESC")
                props.append(view[key]["property"])
        for sort in view.get("sort", []):
            assert set(sort) == {"property", "direction"} and sort["direction"] in ("ASC", "DESC")
            props.append(sort["property"])
        for prop in props:
            kind, _, key = prop.partition(".")
            assert kind in ("note", "file", "formula"), prop
            assert (
                key in PROPERTY_TYPES
                if kind == "note"
                else key in FILE_FIELDS
                if kind == "file"
                else key in formulas
            ), prop
        names.add(view["name"])
    assert len(names) == len(data["views"])
    for prop in data.get("properties") or {}:
        kind, _, key = prop.partition(".")
        assert key in (
            PROPERTY_TYPES if kind == "note" else FILE_FIELDS if kind == "file" else formulas
        ), prop
    for text_ in expressions:
        _check_expression(text_, set(formulas))


def _check_expression(text: str, formulas: set[str]) -> None:
    """Parses, and uses only documented functions and fields and coffeechat's own keys."""
    tree = Parser(text).parse()
    for node in walk(tree):
        if node[0] == "call":
            assert node[1] in GLOBAL_FUNCTIONS, (node[1], text)
        elif node[0] == "method":
            assert node[2] in METHODS, (node[2], text)
        elif node[0] == "field":
            owner, name = node[1], node[2]
            if owner == ("name", "note"):
                assert name in PROPERTY_TYPES, (name, text)
            elif owner == ("name", "formula"):
                assert name in formulas, (name, text)
            elif owner == ("name", "file") or (owner[0] == "method" and owner[2] == "asFile"):
                assert name in FILE_FIELDS, (name, text)
            elif owner[0] == "field" and owner[2] == "properties":
                assert name in PROPERTY_TYPES, (name, text)
            else:
                assert name in FIELDS, (name, text)
        elif node[0] == "name":
            assert node[1] in BUILT_INS | GLOBAL_FUNCTIONS | set(PROPERTY_TYPES), (node[1], text)


def test_bases_follow_the_vault_folders():
    custom = Settings(
        contacts_folder="People",
        meetings_folder="Journal/Meetings",
        templates_folder="_tpl",
        ignore=("Archive",),
    )
    text = bases(custom)["Contacts.base"]
    assert 'file.inFolder("People")' in text and 'inFolder("Journal/Meetings")' in text
    assert '!file.inFolder("_tpl")' in text and '!file.inFolder("Archive")' in text
    assert bases(Settings()) == bases(Settings())  # the same settings give the same bytes


# --- what each view lists on the sample vault ---------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    """The sample vault as Obsidian sees it with the shipped types.json, and as coffeechat does."""
    types = json.loads((SAMPLE / ".obsidian" / "types.json").read_text(encoding="utf-8"))["types"]
    return Vault(SAMPLE, types), load_vault(SAMPLE, use_cache=False)


def _rows(sample, base_name: str, view_name: str, today: dt.date = TODAY):
    obsidian, _ = sample
    base = yaml.safe_load((SAMPLE / base_name).read_text(encoding="utf-8"))
    view = next(v for v in base["views"] if v["name"] == view_name)
    return view, view_rows(base, view, obsidian, today)


def _paths(rows) -> set[str]:
    return {r.file.path for r in rows}


def test_the_sample_vault_ships_the_bases_and_types_we_generate():
    for name, text in bases(Settings()).items():
        assert (SAMPLE / name).read_text(encoding="utf-8") == text
    assert merge_types((SAMPLE / ".obsidian" / "types.json").read_bytes()).data is None


def test_contacts_views_on_the_sample_vault(sample):
    _, model = sample
    contacts = set(model.contacts)
    view, everyone = _rows(sample, "Contacts.base", "Everyone")
    assert _paths(everyone) == contacts and len(contacts) == 18  # templates/ left out
    _, by_company = _rows(sample, "Contacts.base", "By company")
    groups = {str(value_of(r, "note.company")) for r in by_company}
    assert {"Brightline Learning", "Northwind Health", "Kestrel Maps", "Ledgerly"} <= groups
    view, met_rows = _rows(sample, "Contacts.base", "Met / not yet met")
    met = {r.file.path for r in met_rows if value_of(r, view["groupBy"]["property"]) == "met"}
    held = {
        p
        for p in contacts
        if any(m.held(TODAY) and m.kind != "event" for m in model.meetings_with(p))
    }
    assert met == held and 5 < len(met) < len(contacts)
    assert "contacts/Łukasz Wiśniewski.md" not in met  # named as a referral, not met
    _, referred = _rows(sample, "Contacts.base", "Referred by someone")
    assert _paths(referred) == {p for p, c in model.contacts.items() if c.referred_by}
    _, resting = _rows(sample, "Contacts.base", "Dormant or paused")
    assert _paths(resting) == {"contacts/Greg Whitfield.md", "contacts/Fatima Qureshi.md"}


def test_meetings_views_on_the_sample_vault(sample):
    _, model = sample
    _, upcoming = _rows(sample, "Meetings.base", "Upcoming")
    assert _paths(upcoming) == {p for p, m in model.meetings.items() if m.scheduled(TODAY)}
    assert _paths(upcoming) == {
        "meetings/2026-11-25 Coffee with Sofia Marchetti.md",
        "meetings/2026-12-03 Meeting with Helen Park.md",
    }
    _, unthanked = _rows(sample, "Meetings.base", "Held without a thank-you")
    assert _paths(unthanked) == {
        p for p, m in model.meetings.items() if m.held(TODAY) and m.thank_you is None
    }
    assert "meetings/2026-11-20 Coffee with Kenji Watanabe.md" in _paths(unthanked)
    _, by_kind = _rows(sample, "Meetings.base", "By kind")
    assert _paths(by_kind) == set(model.meetings)
    assert {value_of(r, "note.kind") for r in by_kind} == {
        "informational",
        "coffee",
        "call",
        "video",
        "event",
    }
    # On a later day the same views move on: the coffee on the 25th is then held.
    _, later = _rows(sample, "Meetings.base", "Upcoming", dt.date(2026, 11, 26))
    assert _paths(later) == {"meetings/2026-12-03 Meeting with Helen Park.md"}


def test_companies_view_lists_each_company_with_its_people(sample):
    _, model = sample
    _, rows = _rows(sample, "Companies.base", "People and research")
    assert _paths(rows) == set(model.companies)
    for row in rows:
        people = {link.resolved().path for link in value_of(row, "formula.people")}
        assert people == {p for p, c in model.contacts.items() if c.company_path == row.file.path}
        assert value_of(row, "note.research")
    brightline = next(r for r in rows if r.file.basename == "Brightline Learning")
    assert len(value_of(brightline, "formula.people")) == 4


# --- property types -----------------------------------------------------------------------------


def test_property_types_use_obsidian_type_names():
    assert set(PROPERTY_TYPES.values()) <= OBSIDIAN_TYPES
    assert {k for k, v in PROPERTY_TYPES.items() if v == "date"} == {
        "follow_up",
        "added",
        "thank_you",
        "prepared",
        "connected_on",
    }
    assert PROPERTY_TYPES["date"] == "datetime"
    for key in ("aliases", "with", "referrals", "tags", "emails"):
        assert PROPERTY_TYPES[key] in ("multitext", "aliases", "tags")
    for key in ("name", "company", "role", "email", "phone", "status", "kind", "cadence"):
        assert PROPERTY_TYPES[key] == "text"


def test_merge_into_nothing_gives_obsidians_shape():
    merged = merge_types(None)
    assert json.loads(merged.data) == {"types": PROPERTY_TYPES}
    assert merged.added == tuple(PROPERTY_TYPES) and merged.conflicts == ()


def test_merge_keeps_every_key_the_user_has():
    theirs = {
        "something": 1,
        "types": {
            "aliases": "multitext",
            "tags": "multitext",
            "cssclasses": "multitext",
            "date": "date",
            "rating": "number",
            "follow_up": "date",
        },
    }
    merged = merge_types(json.dumps(theirs, indent=2).encode())
    result = json.loads(merged.data)
    assert result["something"] == 1
    for key, kind in theirs["types"].items():
        assert result["types"][key] == kind  # never replaced
    assert list(result["types"])[:6] == list(theirs["types"])  # their order first
    assert merged.conflicts == (("date", "date", "datetime"),)  # multitext tags is the same
    assert "date" not in merged.added and "follow_up" not in merged.added
    assert result["types"]["thank_you"] == "date" and result["types"]["with"] == "multitext"
    assert merge_types(merged.data).data is None  # nothing left to add


@pytest.mark.parametrize(
    "data, where",
    [
        (b'{"types": {"a": "text",}}', ":1:"),
        (b'{\n  "types": [\n', ":3:"),
        (b'["types"]', "is not"),
        (b'{"types": "date"}', "is not"),
        (b"\xff\xfe{", "UTF-8"),
    ],
)
def test_a_types_file_it_cannot_read_is_an_error_naming_it(data, where):
    with pytest.raises(CoffeechatError) as err:
        merge_types(data)
    assert str(err.value).startswith(".obsidian/types.json") and where in str(err.value)


# --- the commands -------------------------------------------------------------------------------


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_init_makes_obsidian_config_for_a_new_vault_only(tmp_path):
    new = tmp_path / "search"
    result = _cli("init", str(new))
    assert result.exit_code == 0
    for name in BASE_FILES:
        assert yaml.safe_load((new / name).read_text(encoding="utf-8"))["views"]
    assert json.loads((new / ".obsidian" / "types.json").read_text()) == {"types": PROPERTY_TYPES}
    assert "Contacts.base" in result.output and ".obsidian/types.json" in result.output
    # An existing vault (coffeechat.toml there already) gets the bases, not an .obsidian/.
    old = tmp_path / "old"
    old.mkdir()
    (old / "coffeechat.toml").write_text('[vault]\ncontacts = "People"\n', encoding="utf-8")
    result = _cli("init", str(old))
    assert result.exit_code == 0 and not (old / ".obsidian").exists()
    assert 'file.inFolder("People")' in (old / "Contacts.base").read_text(encoding="utf-8")
    assert "no .obsidian/ folder" in result.output


def test_obsidian_command_never_overwrites_and_merges_types(vault, run):
    mine = b"views:\n  - type: table\n    name: My own\n"
    vault.write_bytes("Contacts.base", mine)
    (vault.root / ".obsidian").mkdir()
    theirs = b'{\n  "types": {\n    "date": "date",\n    "follow_up": "text"\n  }\n}'
    vault.write_bytes(".obsidian/types.json", theirs)
    result = run("obsidian")
    assert result.exit_code == 0, result.output
    assert (vault.root / "Contacts.base").read_bytes() == mine
    assert (
        "Added Meetings.base, Companies.base, property types in .obsidian/types.json"
        f" ({len(PROPERTY_TYPES) - 2})."
    ) in result.output
    assert "Left alone (already there): Contacts.base." in result.output
    types = json.loads((vault.root / ".obsidian" / "types.json").read_text())["types"]
    assert types["date"] == "date" and types["follow_up"] == "text"
    assert types["thank_you"] == "date"
    conflicts = [ln for ln in result.output.splitlines() if ln.startswith("note: ")]
    assert conflicts == [
        (
            "note: .obsidian/types.json types follow_up as text (coffeechat would use date);"
            " left as you set it"
        ),
        (
            "note: .obsidian/types.json types date as date (coffeechat would use datetime);"
            " left as you set it"
        ),
    ]
    before = (vault.root / ".obsidian" / "types.json").stat().st_mtime_ns
    again = run("obsidian")
    assert again.exit_code == 0 and again.output.splitlines() == [
        "Left alone (already there): Contacts.base, Meetings.base, Companies.base.",
        "Nothing to add.",
    ]  # each conflict is reported once
    assert (vault.root / ".obsidian" / "types.json").stat().st_mtime_ns == before


def test_obsidian_command_creates_the_config_folder_only_when_asked(vault, run):
    result = run("obsidian")
    assert result.exit_code == 0 and not (vault.root / ".obsidian").exists()
    assert "--create-config" in result.output
    assert all((vault.root / name).is_file() for name in BASE_FILES)
    result = run("obsidian", "--create-config")
    assert result.exit_code == 0 and "Added .obsidian/, .obsidian/types.json." in result.output
    assert (
        json.loads((vault.root / ".obsidian" / "types.json").read_text())["types"] == PROPERTY_TYPES
    )


def test_a_broken_types_file_is_left_alone_with_one_clear_line(vault, run):
    (vault.root / ".obsidian").mkdir()
    broken = b'{\n  "types": {\n    "date": "date",\n  }\n}'
    vault.write_bytes(".obsidian/types.json", broken)
    result = run("obsidian")
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert errors == [
        (
            "Error: .obsidian/types.json:4: not valid JSON (Expecting property name"
            " enclosed in double quotes); left alone"
        )
    ]
    assert "Traceback" not in result.output
    assert (vault.root / ".obsidian" / "types.json").read_bytes() == broken
    assert all((vault.root / name).is_file() for name in BASE_FILES)


def test_a_config_folder_that_is_a_link_is_not_written_through(vault, run, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (vault.root / ".obsidian").symlink_to(outside)
    result = run("obsidian")
    assert result.exit_code == 1 and "not a folder of this vault" in result.output
    assert list(outside.iterdir()) == []


# --- obsidian:// links --------------------------------------------------------------------------


def _params(uri: str) -> dict[str, str]:
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("obsidian", "open", "")
    assert re.fullmatch(r"[A-Za-z0-9%._~=&-]+", parts.query), parts.query  # all encoded
    return {
        k: v[0]
        for k, v in parse_qs(
            parts.query,
            keep_blank_values=True,
            strict_parsing=True,
            encoding="utf-8",
            errors="strict",
        ).items()
    }


@pytest.mark.parametrize(
    "vault_name, path, file",
    [
        ("My Vault", "contacts/Zoë Lindqvist.md", "contacts/Zoë Lindqvist"),
        (
            "Jobs & co",
            "meetings/2026-11-25 Q&A at 100% Café.md",
            "meetings/2026-11-25 Q&A at 100% Café",
        ),
        ("Ünïcødé #1", "contacts/José Núñez.md", "contacts/José Núñez"),
        (
            "v",
            "companies/C# & F# Ltd.md",
            "companies/C# & F# Ltd.md",
        ),  # '#' would read as a heading
        ("v", "notes/a+b=c?d.md", "notes/a+b=c?d"),
    ],
)
def test_obsidian_uri_encodes_every_value_whole(vault_name, path, file):
    assert _params(obsidian_uri(vault_name, path)) == {"vault": vault_name, "file": file}


@given(
    st.text(min_size=1, max_size=30).filter(lambda s: "\x00" not in s),
    st.text(min_size=1, max_size=30).filter(
        lambda s: "\x00" not in s and "#" not in s and "^" not in s
    ),
)
def test_obsidian_uri_round_trips_any_name(vault_name, stem):
    assert _params(obsidian_uri(vault_name, f"contacts/{stem}.md")) == {
        "vault": vault_name,
        "file": f"contacts/{stem}",
    }


def _odd_vault(root: Path) -> None:
    (root / "coffeechat.toml").write_text("", encoding="utf-8")
    for folder in ("contacts", "meetings"):
        (root / folder).mkdir()
    (root / "contacts" / "Zoë Ång.md").write_text(
        "---\ntype: contact\nname: Zoë Ång\nfollow_up: 2026-11-20\n---\n", encoding="utf-8"
    )
    (root / "meetings" / "2026-11-30 Q&A #2 at 100% Café.md").write_text(
        '---\ntype: meeting\ndate: 2026-11-30T10:00\nwith:\n  - "[[Zoë Ång]]"\n---\n',
        encoding="utf-8",
    )


def test_feed_and_dashboard_link_notes_with_odd_names(tmp_path):
    root = tmp_path / "Job Search #1 & 100%"
    root.mkdir()
    _odd_vault(root)
    base = ["--vault", str(root), "--today", TODAY.isoformat()]
    feed = re.sub(r"\r?\n ", "", _cli(*base, "feed", "-o", "-").output)  # unfolded
    board = _cli(*base, "dashboard", "-o", "-").output
    expected = {
        ("Job Search #1 & 100%", "contacts/Zoë Ång"),
        ("Job Search #1 & 100%", "meetings/2026-11-30 Q&A #2 at 100% Café.md"),
    }
    for text in (feed, board):
        uris = set(re.findall(r"obsidian://[^\s)\\]+", text))
        assert {(p["vault"], p["file"]) for p in map(_params, uris)} == expected, text


def test_a_linked_cache_folder_is_not_written_through_for_the_record(vault, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (vault.root / ".coffeechat").symlink_to(elsewhere)
    (vault.root / ".obsidian").mkdir()
    vault.write_bytes(".obsidian/types.json", b'{"types": {"date": "date"}}')
    from coffeechat.storage.obsidian_files import install

    setup = install(vault.root, Settings(), create_config=False)
    assert setup.conflicts == (("date", "date", "datetime"),)  # said (again), not recorded
    assert list(elsewhere.iterdir()) == []
