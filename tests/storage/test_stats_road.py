"""`stats`, `graph` and the dashboard add up each contact's and meeting's figures, kept in the
store with their subjects (`Index.figures`), and say exactly what they say when the figures
come from every note.

Each scenario runs the same commands on two copies of one vault: once as shipped (the whole
vault is never read), once with the figures computed from every note (`figures_of`, the road
they took before there was a store of them). Output and exit codes must match byte for byte,
also after notes were renamed, broken, mended and added behind the store's back.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from test_one_road import invoke, tree

from coffeechat.cli import App
from coffeechat.core.coaching import figures as core_figures
from coffeechat.storage.cache import codec
from coffeechat.storage.cache.index import Index
from conftest import VaultBuilder

Outcome = tuple[int, str, str]

#: What is compared on both roads.
COMMANDS: list[list[str]] = [
    ["stats", "--json"],
    ["stats"],
    ["stats", "--since", "2026-09-01"],
    ["stats", "--json", "--since", "2026-11-01"],
    ["stats", "--json", "--since", "2026-11-23"],
    ["stats", "--json", "--since", "2025-01-01"],
    ["graph"],
    ["graph", "--format", "dot"],
    ["dashboard", "-o", "-"],
]


_FIGURES = Index.figures


def _whole(self: Index, today: dt.date) -> object:
    """`Index.figures` as it is without a store: every note read, the figures computed."""
    return _FIGURES(Index(self.root, self.settings, use_cache=False), today)


def _no_whole_vault(*args: object) -> None:
    raise AssertionError("the whole vault was read")


def on_both_roads(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    source: Path,
    commands: Sequence[Sequence[str]],
    between: Callable[[Path], None] | None = None,
) -> list[Outcome]:
    """Run ``commands`` on a copy of ``source`` through the store (warmed by a `due`, then
    ``between`` edits the notes behind its back) and on another copy from every note; assert
    the two agree, and return what they said."""
    seen: dict[str, tuple[list[Outcome], dict[str, str]]] = {}
    for road in ("store", "whole"):
        root = tmp_path / road / "vault"  # (one name: the dashboard links by it)
        shutil.copytree(source, root, ignore=shutil.ignore_patterns(".coffeechat"))
        with monkeypatch.context() as patch:
            if road == "whole":
                patch.setattr(Index, "figures", _whole)
            else:  # (the store is sound: neither the whole vault nor every note is read)
                patch.setattr(App, "vault", property(_no_whole_vault))
                patch.setattr("coffeechat.storage.cache.index.figures_of", _no_whole_vault)
            assert invoke(root, "due")[0] == 0
            if between is not None:
                between(root)
            said = [invoke(root, *args) for args in commands]
        seen[road] = said, tree(root)
    for got, want in zip(seen["store"][0], seen["whole"][0], strict=True):
        assert got == want
    assert seen["store"][1] == seen["whole"][1]
    return seen["store"][0]


def test_the_sample_vault_on_both_roads(sample_copy, monkeypatch, tmp_path):
    commands = [*COMMANDS, ["graph", "--from", "Priya"], ["graph", "--from", "Rosa Delgado"]]
    commands += [["graph", "--from", "Priya", "--format", "dot"], ["graph", "--from", "Aisha"]]
    commands += [["graph", "--write"]]
    said = on_both_roads(monkeypatch, tmp_path, sample_copy, commands)
    assert all(code == 0 for code, _out, _err in said)
    assert '"referrals_received": 9' in said[0][1]
    assert said[-1][1] == "Created Network.md with the referral tree\n"


@pytest.fixture
def hostile(vault: VaultBuilder) -> VaultBuilder:
    """A vault with what the figures must survive: a broken note, a referral to a name with
    no note, a person not to be contacted, a meeting with nobody, a cancelled meeting that
    gave names, an event, log lines dated ahead, and two spellings of one field."""
    vault.contact(
        "Ann Bell",
        front="field: Product Management\nadded: 2026-08-01",
        log="2026-09-01 approach: wrote\n2026-09-20 reply: yes\n2026-12-01 email: dated ahead",
    )
    vault.contact(
        "Bo Chen",
        front='referred_by: "[[Ann Bell]]"\nadded: 2026-10-01\nfield: product management',
        log="2026-10-02 approach: wrote\n2026-10-05 thank_you: for the call",
    )
    vault.contact("Cy Dorn", front="status: do_not_contact", log="2026-06-01 call: said no more")
    vault.contact(
        "Di Eng", front='referred_by: "[[Cy Dorn]]"\nadded: 2026-11-20', log="2026-11-21 email: hi"
    )
    vault.contact("Ed Fox", front="added: 2027-01-01")  # added in the future
    vault.contact("Fay Gill", log="2026-10-10 approach: wrote\n2026-10-12 reply: later")
    vault.contact("Gil Ho", log="2026-11-02 follow_up: wrote again")
    vault.meeting("2026-09-25", ["Ann Bell"], front='referrals: ["[[Bo Chen]]", "Gus Hale"]')
    vault.meeting("2026-10-05", ["Bo Chen"], front="thank_you: 2026-10-05")
    vault.meeting("2026-10-20", ["Bo Chen", "Ann Bell"], front="thank_you: 2026-10-30")
    vault.meeting("2026-11-01", ["Cy Dorn"], front='referrals: ["Ivy Jung"]')
    vault.meeting("2026-11-10", ["Ann Bell"], front='status: cancelled\nreferrals: ["Hal Ide"]')
    vault.meeting("2026-11-12", ["Di Eng"], front="kind: event\nreferrals: [Jo Kay]")
    vault.meeting("2026-11-21", ["Bo Chen"])  # three days not over yet
    vault.meeting("2026-11-30", ["Di Eng"])  # booked
    vault.meeting("2026-11-15", [], title="2026-11-15 Lunch", front='referrals: ["Kim Lo"]')
    vault.write("contacts/Broken.md", "---\nname: Broken\nname: again\n---\n")
    vault.write("companies/Acme.md", "---\ntype: company\nname: Acme\n---\n")
    return vault


HOSTILE_COMMANDS = [
    *COMMANDS,
    ["stats", "--json", "--since", "2026-10-03"],
    ["graph", "--from", "Ann Bell"],
    ["graph", "--from", "Cy Dorn", "--format", "dot"],
    ["graph", "--from", "Ed Fox"],
    ["graph", "--from", "Broken"],
    ["graph", "--from", "nobody"],
]


def test_a_hostile_vault_on_both_roads(hostile, monkeypatch, tmp_path):
    said = on_both_roads(monkeypatch, tmp_path, hostile.root, HOSTILE_COMMANDS)
    assert said[0][0] == 0
    assert "has referred you to nobody yet" in said[-3][2]  # Ed Fox
    assert said[-2][0] != 0 and said[-1][0] != 0  # (the broken note's error; no such contact)


def test_notes_changed_behind_the_stores_back(hostile, monkeypatch, tmp_path):
    """Renamed, re-named, broken, mended, added and removed, with no coffeechat run between."""

    def edit(root: Path) -> None:
        (root / "contacts/Ann Bell.md").rename(root / "contacts/Ann Bell-Smith.md")
        bo = root / "contacts/Bo Chen.md"
        bo.write_text(bo.read_text().replace("name: Bo Chen", "name: Robert Chen"))
        (root / "contacts/Broken.md").write_text(
            '---\ntype: contact\nname: Broken\nreferred_by: "[[Di Eng]]"\n---\n'
        )
        cy = root / "contacts/Cy Dorn.md"
        cy.write_text("---\nname: [unclosed\n---\n")
        (root / "contacts/Gus Hale.md").write_text(
            "---\ntype: contact\nname: Gus Hale\nadded: 2026-11-22\n---\n## Log\n"
            "- 2026-11-22 approach: wrote\n"
        )
        (root / "meetings/2026-11-30 Coffee with Di Eng.md").unlink()

    commands = [*HOSTILE_COMMANDS, ["graph", "--from", "Gus Hale"], ["graph", "--from", "Bob"]]
    on_both_roads(monkeypatch, tmp_path, hostile.root, commands, between=edit)


#: A value of each field of the figures that says less than the field did ("dropped").
BLANK: dict[str, object] = {
    "name": "",
    "added": None,
    "referred_by": None,
    "answered": None,
    "tried": None,
    "met": None,
    "booked": False,
    "days": (),
    "outbound": (),
    "state": "not_reached",
    "date": 1,
    "held": False,
    "cancelled": False,
    "giver": None,
    "referrals": (),
    "thanks": None,
    "fields": (),
    "thank_you": None,
}


def test_every_field_has_a_blank():
    assert set(BLANK) == {
        *core_figures.ContactFigures._fields,
        *core_figures.MeetingFigures._fields,
    }


@pytest.mark.parametrize("name", sorted(BLANK))
def test_a_field_the_store_loses_is_caught(hostile, monkeypatch, tmp_path, name):
    """Each field of the figures, stored blank, changes what some command says: the commands
    above compare every one of them."""
    real = codec.figures_to

    def losing(figures: object) -> tuple[str, str]:
        if name in figures._fields:  # type: ignore[attr-defined]
            figures = figures._replace(**{name: BLANK[name]})  # type: ignore[attr-defined]
        return real(figures)  # type: ignore[arg-type]

    monkeypatch.setattr(codec, "figures_to", losing)
    with pytest.raises(AssertionError):
        on_both_roads(monkeypatch, tmp_path, hostile.root, HOSTILE_COMMANDS)
