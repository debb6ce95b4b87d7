"""The per-subject agenda: built whole it equals the rules run over the vault; brought up to
date after an edit it equals a rebuild from scratch (the property the speed rests on)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coffeechat.config import load_settings
from coffeechat.core.agenda.agenda import build_agenda
from coffeechat.core.agenda.recompute import apply_changes
from coffeechat.core.agenda.shapes import ShapeIndex, shapes
from coffeechat.core.model import ParsedNote, Severity
from coffeechat.core.note.edits import EditRefused, set_key
from coffeechat.core.note.parse import parse_note
from coffeechat.core.rules import evaluate
from coffeechat.core.rules.insights import insights
from coffeechat.core.settings import Landed
from coffeechat.core.vault.builder import build_vault
from coffeechat.storage.scan import scan
from conftest import REPO

SAMPLE = REPO / "vault"
GENERATOR = REPO / "bench" / "make_vault.py"
TODAY = dt.date(2026, 11, 23)


def read_vault(root: Path) -> tuple[dict[str, bytes], object]:
    settings, _ = load_settings(root)
    stats, _ = scan(root, settings)
    return {p: (root / p).read_bytes() for p in sorted(stats)}, settings


def parse_all(files: dict[str, bytes]) -> dict[str, ParsedNote]:
    return {p: parse_note(p, data, 1_700_000_000_000_000_000) for p, data in files.items()}


def full(notes: dict[str, ParsedNote], settings, today: dt.date):
    vault = build_vault(notes.values(), settings)
    problems = sum(1 for f in vault.findings if f.severity is not Severity.INFO)
    return vault, (evaluate(vault, today), insights(vault, today), problems)


#: The periods `stats` is compared over, as days before today (None: all time).
SINCE = (None, 0, 7, 45, 400)


def stats_match(figures, vault, today: dt.date) -> None:
    """``figures`` (as the agenda or the store keeps them) equal those of the whole vault, and
    so do `stats` over several periods and `graph`, whole and from a few people, added up
    from them."""
    from coffeechat.core.coaching.figures import figures_of
    from coffeechat.core.coaching.graph import graph_of, referral_graph
    from coffeechat.core.coaching.stats import compute_stats, stats_of

    whole = figures_of(vault, today)
    for kept, want in ((figures.contacts, whole.contacts), (figures.meetings, whole.meetings)):
        assert list(kept) == list(want)  # (in path order)
        assert json.loads(json.dumps(kept)) == json.loads(json.dumps(want))  # (lists or tuples)
    limit = vault.settings.field_limit
    for days in SINCE:
        since = None if days is None else today - dt.timedelta(days=days)
        assert stats_of(figures, today, since, limit) == compute_stats(vault, today, since)
    referrers = sorted(vault.referred)
    for root in (None, *referrers[:2], *sorted(vault.contacts)[:1]):
        assert graph_of(figures, root) == referral_graph(vault, today, root)


def kept_figures(agenda):
    """The figures an agenda keeps, in path order (as the store reads them back)."""
    from coffeechat.core.coaching.figures import ContactFigures, Figures, MeetingFigures

    kept = sorted(agenda.figures.items())
    return Figures(
        {p: f for p, f in kept if isinstance(f, ContactFigures)},
        {p: f for p, f in kept if isinstance(f, MeetingFigures)},
    )


def as_tuple(result):
    return result.items, result.insights, result.problems


def same(got, want) -> None:
    """Items compare by identity fields only (``subject`` is bookkeeping): compare all fields."""
    got_items, got_insights, got_problems = got
    want_items, want_insights, want_problems = want
    assert [repr(i) for i in got_items] == [repr(i) for i in want_items]
    assert got_insights == want_insights
    assert got_problems == want_problems


@pytest.fixture(scope="module")
def sample():
    return read_vault(SAMPLE)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    if not GENERATOR.exists():
        pytest.skip("bench/make_vault.py is not there")
    spec = importlib.util.spec_from_file_location("make_vault", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("gen") / "vault"
    module.make_vault(root, 120, seed=7, today=dt.date(2026, 6, 1))
    return read_vault(root)


@pytest.mark.parametrize("today", [TODAY, dt.date(2026, 6, 1), dt.date(2025, 11, 1)])
def test_whole_agenda_equals_the_rules(sample, today):
    files, settings = sample
    vault, want = full(parse_all(files), settings, today)
    same(as_tuple(build_agenda(vault, today).finished()), want)


def test_whole_agenda_equals_the_rules_on_a_generated_vault(generated):
    files, settings = generated
    today = dt.date(2026, 6, 1)
    vault, want = full(parse_all(files), settings, today)
    assert len(want[0]) > 50
    same(as_tuple(build_agenda(vault, today).finished()), want)


# --- edits ----------------------------------------------------------------------------------


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1][:-3]


def _append(data: bytes, line: str) -> bytes:
    nl = b"\r\n" if b"\r\n" in data else b"\n"
    text = data if data.endswith(nl) or not data else data + nl
    return text + line.encode() + nl


def mutate(
    data: bytes,
    path: str,
    others: list[str],
    rng: random.Random,
    today: dt.date,
    ids: list[str] = (),
) -> bytes:
    """One plausible edit of a note (front matter through `set_key`, body lines appended).
    ``others`` are contact notes to link to, referrers first: the edits that reach furthest
    (a meeting with someone who referred someone else) must come up often."""
    day = (today + dt.timedelta(days=rng.randint(-60, 30))).isoformat()
    pick = others[: max(1, len(others) // 4)] if rng.random() < 0.6 else others
    other = f"[[{_stem(rng.choice(pick))}]]" if others else "[[Nobody Here]]"
    edits = [
        lambda d: _append(
            d,
            f"- {day} {rng.choice(['approach', 'reply', 'follow_up', 'thank_you', 'email', 'report_back', 'declined', 'call'])}: edited",
        ),
        lambda d: _append(d, f"- [ ] call them back 📅 {day}"),
        lambda d: _append(
            d,
            f"- {(today + dt.timedelta(days=rng.randint(330, 420))).isoformat()}"
            " email: a mistyped year?",
        ),
        lambda d: _append(d, f"- [x] done already 📅 {day}"),
        lambda d: set_key(d, "follow_up", day),
        lambda d: set_key(d, "follow_up", None),
        lambda d: set_key(
            d,
            "status",
            rng.choice(["dormant", "paused", "do_not_contact", "cancelled", "no_show", None]),
        ),
        lambda d: set_key(d, "date", day),
        lambda d: set_key(d, "thank_you", rng.choice([day, None])),
        lambda d: set_key(d, "prepared", rng.choice([day, None])),
        lambda d: set_key(d, "with", [other]),
        lambda d: set_key(d, "referrals", rng.choice([[other], [other, "Plain Name"], []])),
        lambda d: set_key(d, "referred_by", rng.choice([other, None])),
        lambda d: set_key(d, "field", rng.choice(["UX research", "Data", "Product", None])),
        lambda d: set_key(d, "kind", rng.choice(["event", "coffee", "call"])),
        lambda d: set_key(d, "cadence", rng.choice(["30d", "6m", "1y", None])),
        lambda d: set_key(d, "added", rng.choice([day, None])),
        lambda d: set_key(d, "email", rng.choice(["dup@example.com", "someone@example.org", None])),
        lambda d: set_key(
            d,
            "snooze",
            [
                f"{rng.choice(ids) if ids and rng.random() < 0.7 else f'{rng.getrandbits(40):010x}'} until {day}"
            ],
        ),
        lambda d: set_key(d, "role", "Changed role"),
        lambda d: set_key(d, "company", rng.choice(["[[Ledgerly]]", "[[No Such Co]]", None])),
        lambda d: set_key(d, "date", "2026-02-30"),  # an impossible date: the note drops out
        lambda d: set_key(d, "name", "Renamed Person"),  # a name change: a full rebuild
    ]
    for _ in range(8):
        try:
            return rng.choice(edits)(data)
        except (EditRefused, ValueError):
            continue
    return _append(data, f"- {day} note: plain line")


def reshape(
    files: dict[str, bytes], rng: random.Random, people: list[str], editable: list[str]
) -> tuple[dict[str, bytes], set[str]]:
    """A note added (a new contact or meeting linking others, or a copy of one under a new
    name), removed, or renamed (moved to another folder or name): (new notes, removed paths)."""
    choice = rng.random()
    if choice < 0.35 or not editable:
        n = rng.randrange(10**6)
        other = _stem(rng.choice(people)) if people else "Nobody Here"
        if rng.random() < 0.5:
            path = f"contacts/New Person {n}.md"
            data = (
                f'---\ntype: contact\nname: New Person {n}\nreferred_by: "[[{other}]]"\n'
                f'aliases: ["{rng.choice(["Newbie", other, "NP"])}"]\n---\n## Log\n'
                f"- 2026-10-0{rng.randint(1, 9)} approach: hello\n"
            ).encode()
        else:
            path = f"meetings/2026-11-{rng.randint(10, 28)} Coffee with New {n}.md"
            data = (
                f"---\ntype: meeting\ndate: 2026-11-{rng.randint(10, 28)}\nwith:\n"
                f'  - "[[{other}]]"\nreferrals:\n  - "[[{rng.choice(["Plain Name", other])}]]"\n---\n'
            ).encode()
        return {path: data}, set()
    old = rng.choice(editable)
    if choice < 0.65:
        return {}, {old}
    folder, name = old.rsplit("/", 1)
    new = rng.choice(
        [
            f"{folder}/alumni/{name}",
            f"{folder}/{name[:-3]} (moved).md",
            f"{folder}/Renamed {rng.randrange(1000)}.md",
        ]
    )
    return {new: files[old]}, {old}


def check_edits(
    files: dict[str, bytes], settings, today: dt.date, seed: int, steps: int, batch: int
) -> tuple[int, int]:
    rng = random.Random(seed)
    if seed % 2 == 0:  # every stale item too: more items, so more ways for an edit to matter
        settings = dataclasses.replace(settings, give_up_after=0)
    if seed % 3 == 1:  # landed a while ago: everyone who met or referred you is owed a note
        settings = dataclasses.replace(settings, landed=Landed(today - dt.timedelta(days=20)))
    notes = parse_all(files)
    vault = build_vault(notes.values(), settings)
    agenda = build_agenda(vault, today)
    lookup = ShapeIndex(shapes(vault))
    referrers = {
        c.referred_by.path for c in vault.contacts.values() if c.referred_by and c.referred_by.path
    }
    people = sorted(p for p in files if p.startswith("contacts/"))
    people.sort(key=lambda p: p not in referrers)  # referrers first
    editable = sorted(
        p for p in files if p.split("/", 1)[0] in ("contacts", "meetings", "companies")
    )
    near = sorted({m.path for r in referrers for m in vault.meetings_with(r)} | referrers)
    fast = slow = 0
    for _ in range(steps):
        changed = {}
        removed: set[str] = set()
        if rng.random() < 0.3:  # notes added, removed and renamed: names move
            added, removed = reshape(files, rng, people, [p for p in editable if p in files])
            for path in removed:
                del files[path], notes[path]
            for path, data in added.items():
                files[path] = data
                changed[path] = parse_note(path, data, 1_700_000_000_000_000_000)
        for path in rng.sample(
            [
                p
                for p in (near if near and rng.random() < 0.5 else editable)
                if p in files and p not in changed
            ]
            or editable[:0],
            0 if removed else batch,
        ):
            data = mutate(files[path], path, people, rng, today, [i.id for i in agenda.done[:50]])
            files[path] = data
            changed[path] = parse_note(path, data, 1_700_000_000_000_000_000)
        notes.update(changed)
        people = [p for p in people if p in files] + [
            p for p in changed if p.startswith("contacts/") and p not in people
        ]
        done = apply_changes(
            agenda,
            settings,
            changed,
            lookup,
            lambda ps: [notes[p] for p in ps if p in notes],
            removed,
        )
        whole, want = full(notes, settings, today)
        if done is None:  # names changed: rebuild, as the index does
            slow += 1
            agenda = build_agenda(whole, today)
            lookup = ShapeIndex(shapes(whole))
        else:
            fast += 1
            assert lookup.shapes == shapes(whole), "shapes drifted from a rebuild"
        same(as_tuple(agenda.finished()), want)
        stats_match(kept_figures(agenda), whole, today)
    return fast, slow


@pytest.mark.parametrize("seed", range(6))
def test_edits_keep_the_agenda_equal_to_a_rebuild(sample, seed):
    files, settings = sample
    fast, slow = check_edits(dict(files), settings, TODAY, seed, steps=25, batch=1 + seed % 3)
    assert fast > slow  # most edits take the fast path


@pytest.mark.parametrize("seed", range(4))
def test_edits_on_a_generated_vault(generated, seed):
    files, settings = generated
    fast, slow = check_edits(
        dict(files), settings, dt.date(2026, 6, 1), seed, steps=60, batch=1 + seed
    )
    assert fast > slow


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(0, 2**32 - 1),
    batch=st.integers(1, 4),
    today=st.dates(dt.date(2025, 6, 1), dt.date(2027, 3, 1)),
)
def test_edits_property(sample, seed, batch, today):
    files, settings = sample
    check_edits(dict(files), settings, today, seed, steps=6, batch=batch)


# --- through the index: what `due` uses -----------------------------------------------------


def on_disk(generated, root: Path) -> tuple[Path, object, list[str], list[str]]:
    """The generated vault written at ``root``: (root, settings, its contact notes, the
    contact and meeting notes to edit)."""
    files, settings = generated
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    people = sorted(p for p in files if p.startswith("contacts/"))
    editable = sorted(p for p in files if p.split("/", 1)[0] in ("contacts", "meetings"))
    return root, settings, people, editable


def index_matches_a_rebuild(root: Path, settings, today: dt.date) -> str:
    """The index's agenda on ``today`` equals one read from every note; how it got there."""
    from coffeechat.storage.cache.index import Index

    got = Index(root, settings).agenda(today)
    want = Index(root, settings, use_cache=False).agenda(today)
    same(as_tuple(got.result), as_tuple(want.result))
    # `check` too: each note's findings kept with the note, the far-future ones found by day
    order = lambda f: (f.path, f.line or 0, f.message, f.code)  # noqa: E731
    checked = Index(root, settings).check(today)
    fresh = Index(root, settings, use_cache=False).check(today)
    assert sorted(checked.findings, key=order) == sorted(fresh.findings, key=order)
    assert checked.notes == fresh.notes
    # and `list`: each contact's and meeting's row kept with its subject
    for kind in ("contact", "meeting", "company"):
        rows = Index(root, settings).rows(kind, today)
        again = Index(root, settings, use_cache=False).rows(kind, today)
        assert sorted(rows.rows, key=lambda r: r["path"]) == sorted(
            again.rows, key=lambda r: r["path"]
        )
        assert rows.problems == again.problems
    assert [m.path for m in got.meetings()] == [m.path for m in want.meetings()]
    assert got.contacts() == want.contacts()
    # and `stats` and `graph`: each contact's and meeting's figures kept with its subject
    figured = Index(root, settings).figures(today)
    assert not figured.warnings  # (read from the store, not from every note after damage)
    assert figured.problems == Index(root, settings, use_cache=False).figures(today).problems
    notes = Index(root, settings, use_cache=False).refresh().notes
    stats_match(figured.figures, build_vault(notes, settings), today)
    return got.how


@pytest.mark.parametrize("seed", range(3))
def test_the_index_keeps_its_stored_agenda_equal_to_a_rebuild(generated, tmp_path, seed):
    """Edits on disk, several coffeechat runs in between: the stored agenda (patched, its
    journal compacted now and then) always equals one computed from scratch."""
    import os

    from coffeechat.storage.cache.agenda_save import JOURNAL_MAX

    root, settings, people, editable = on_disk(generated, tmp_path / "vault")
    today = dt.date(2026, 6, 1)
    rng = random.Random(seed)
    hows = []
    stamp = 1_600_000_000
    for step in range(JOURNAL_MAX + 8):
        hows.append(index_matches_a_rebuild(root, settings, today))
        for path in rng.sample(editable, 1 + step % 2):
            data = mutate((root / path).read_bytes(), path, people, rng, today)
            (root / path).write_bytes(data)
            stamp += 10
            os.utime(root / path, ns=(stamp * 10**9, stamp * 10**9))
    assert hows[0] == "rebuilt" and hows.count("updated") > len(hows) // 2


def test_a_stored_agenda_another_version_wrote_is_recomputed_not_fatal(tmp_path):
    """An unreadable stored agenda (another version's classes, a torn write) is a cache miss."""
    import shutil
    import sqlite3

    from coffeechat.storage.cache.index import Index

    root = tmp_path / "vault"
    shutil.copytree(SAMPLE, root)
    settings, _ = load_settings(root)
    want = Index(root, settings).agenda(TODAY).result
    db = sqlite3.connect(root / ".coffeechat" / "index.sqlite")
    with db:
        db.execute(
            "UPDATE state SET value = ? WHERE key IN ('result', 'agenda', 'journal')",
            (b"\x80\x05not a pickle",),
        )
    db.close()
    again = Index(root, settings).agenda(TODAY)
    assert again.how == "rebuilt"
    assert as_tuple(again.result) == as_tuple(want)


# --- moving between days --------------------------------------------------------------------


def check_days(files: dict[str, bytes], settings, start: dt.date, seed: int, steps: int) -> int:
    """Move an agenda between random days (forwards and backwards, near and far), with edits
    in between; after each move it equals the rules run from scratch on that day. Returns how
    many subjects the moves recomputed in all."""
    from coffeechat.core.agenda.recompute import move_day, needs_items

    rng = random.Random(seed)
    if seed % 3 == 1:  # landing on a day between the moves
        settings = dataclasses.replace(settings, landed=Landed(start + dt.timedelta(days=15)))
    notes = parse_all(files)
    today = start
    vault = build_vault(notes.values(), settings)
    agenda = build_agenda(vault, today)
    lookup = ShapeIndex(shapes(vault))
    people = sorted(p for p in files if p.startswith("contacts/"))
    editable = sorted(p for p in files if p.split("/", 1)[0] in ("contacts", "meetings"))
    recomputed = 0
    for _ in range(steps):
        if rng.random() < 0.4:
            path = rng.choice(editable)
            files[path] = mutate(files[path], path, people, rng, today)
            changed = {path: parse_note(path, files[path], 1_700_000_000_000_000_000)}
            notes.update(changed)
            if (
                apply_changes(agenda, settings, changed, lookup, lambda ps: [notes[p] for p in ps])
                is None
            ):
                whole = build_vault(notes.values(), settings)
                lookup = ShapeIndex(shapes(whole))
                agenda = build_agenda(whole, today)
        today += dt.timedelta(days=rng.choice([1, 1, 1, 2, 3, 7, -1, -2, -7, 0, 40, -40, 400]))
        # As a store would: without the raw items at hand when the move can do without them
        # (a patch drops what went stale), with them when it cannot.
        agenda.items_complete = False
        agenda.items_complete = rng.random() < 0.3 or needs_items(agenda, settings, today)
        recomputed += move_day(agenda, settings, today, lookup, lambda ps: [notes[p] for p in ps])
        whole, want = full(notes, settings, today)
        same(as_tuple(agenda.finished()), want)
        stats_match(kept_figures(agenda), whole, today)
    return recomputed


@pytest.mark.parametrize("seed", range(4))
def test_a_new_day_recomputes_only_what_it_reaches(sample, seed):
    files, settings = sample
    check_days(dict(files), settings, TODAY, seed, steps=30)


@pytest.mark.parametrize("seed", range(2))
def test_new_days_on_a_generated_vault(generated, seed):
    files, settings = generated
    subjects = len(
        build_agenda(build_vault(parse_all(files).values(), settings), dt.date(2026, 6, 1)).windows
    )
    recomputed = check_days(dict(files), settings, dt.date(2026, 6, 1), seed, steps=30)
    assert recomputed < subjects * 30 // 4  # a day moved recomputes a small part of the vault


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), start=st.dates(dt.date(2025, 6, 1), dt.date(2027, 3, 1)))
def test_days_property(sample, seed, start):
    files, settings = sample
    check_days(dict(files), settings, start, seed, steps=8)


@pytest.mark.parametrize("seed", range(2))
def test_the_index_moves_its_stored_agenda_between_days(generated, tmp_path, seed):
    """Runs on other days, forwards and backwards, with edits on disk in between: the stored
    agenda is brought to each day without a rebuild and equals one computed from scratch."""
    import os

    root, settings, people, editable = on_disk(generated, tmp_path / "vault")
    today = dt.date(2026, 6, 1)
    rng = random.Random(seed)
    hows = []
    stamp = 1_600_000_000
    for step in range(24):
        hows.append(index_matches_a_rebuild(root, settings, today))
        if step % 3 == 0:
            path = rng.choice(editable)
            (root / path).write_bytes(mutate((root / path).read_bytes(), path, people, rng, today))
            stamp += 10
            os.utime(root / path, ns=(stamp * 10**9, stamp * 10**9))
        elif step % 3 == 1:  # a note added, removed or renamed (on disk, as a user would)
            current = {p: (root / p).read_bytes() for p in editable if (root / p).exists()}
            added, removed = reshape(current, rng, people, sorted(current))
            for path in removed:
                (root / path).unlink()
            for path, data in added.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_bytes(data)
            editable = [p for p in editable if p not in removed] + sorted(added)
            people = [p for p in people if p not in removed]
        today += dt.timedelta(days=rng.choice([1, 1, 2, 7, -1, -5, 60, -60]))
    assert hows[0] == "rebuilt" and hows.count("updated") == len(hows) - 1


def test_a_log_line_dated_ahead_moves_keep_in_touch_when_its_day_comes():
    """The window of a contact ends at their log lines' days too: an e-mail written down ahead
    of time becomes the last contact on its day, and the check-in moves with it."""
    from coffeechat.core.agenda.recompute import move_day

    settings, _ = load_settings(SAMPLE)
    files = {
        "contacts/Jane Roe.md": b"---\ntype: contact\nname: Jane Roe\ncadence: 30d\n---\n## Log\n"
        b"- 2026-01-05 approach: asked for a coffee\n- 2026-12-01 email: the deck\n",
        "meetings/2026-01-10 Coffee with Jane Roe.md": b"---\ntype: meeting\ndate: 2026-01-10\n"
        b'with:\n  - "[[Jane Roe]]"\nthank_you: 2026-01-11\n---\n',
    }
    notes = parse_all(files)
    vault = build_vault(notes.values(), settings)
    lookup = ShapeIndex(shapes(vault))
    agenda = build_agenda(vault, dt.date(2026, 11, 20))
    for day in (dt.date(2026, 12, 2), dt.date(2026, 11, 25), dt.date(2027, 1, 15)):
        move_day(agenda, settings, day, lookup, lambda ps: [notes[p] for p in ps])
        same(as_tuple(agenda.finished()), full(notes, settings, day)[1])
    keep = [i for i in agenda.done if i.rule == "keep_in_touch"]
    assert keep and keep[0].due == dt.date(2026, 12, 31)


# --- the tests above catch a read the rules make and the view does not note -------------------


def _forget(monkeypatch, read: str) -> None:
    """Make the recording view forget one kind of read: the key it notes is one no change
    ever touches, or (``flips``) a comparison with today is made but not noted."""
    from coffeechat.core.agenda import recording

    if read == "flips":
        monkeypatch.setattr(recording.Reads, "window", lambda self: (0, recording.NEVER))
    else:
        monkeypatch.setattr(recording, read, lambda what: "x:nobody touches this")


#: Edits a user makes that change what a referred name means without touching a note the
#: referral's item read: each step is (path, the note's new text).
STORIES = {
    "a quiet contact gets a referrer": [
        ("contacts/Zed Quinn.md", "---\ntype: contact\nname: Zed Quinn\nadded: 2026-11-02\n---\n"),
        (
            "contacts/Zed Quinn.md",
            "---\ntype: contact\nname: Zed Quinn\nadded: 2026-11-02\n"
            'referred_by: "[[Priya Raman]]"\n---\n',
        ),
    ],
    "a meeting that gave a name is moved back to a day gone by": [
        (
            "meetings/2026-12-20 Coffee with Ann.md",
            "---\ntype: meeting\ndate: 2026-12-20\n"
            'with:\n  - "[[Priya Raman]]"\nreferrals:\n  - Yuki Tanaka-Berg\n---\n',
        ),
        (
            "meetings/2026-12-20 Coffee with Ann.md",
            "---\ntype: meeting\ndate: 2026-11-12\n"
            'with:\n  - "[[Priya Raman]]"\nreferrals:\n  - Yuki Tanaka-Berg\n---\n',
        ),
    ],
}


def check_story(files: dict[str, bytes], settings, today: dt.date, steps) -> None:
    """Apply each step to an agenda kept up to date; after each, it equals a rebuild."""
    notes = parse_all(files)
    agenda = build_agenda(build_vault(notes.values(), settings), today)
    lookup = ShapeIndex(shapes(build_vault(notes.values(), settings)))
    for path, text in steps:
        changed = {path: parse_note(path, text.encode(), 1_700_000_000_000_000_000)}
        notes.update(changed)
        assert (
            apply_changes(agenda, settings, changed, lookup, lambda ps: [notes[p] for p in ps])
            is not None
        )
        same(as_tuple(agenda.finished()), full(notes, settings, today)[1])


@pytest.mark.parametrize("story", sorted(STORIES))
def test_a_changed_referral_reaches_the_name_it_gave(sample, story):
    files, settings = sample
    check_story(dict(files), settings, TODAY, STORIES[story])


@pytest.mark.parametrize("read", ["note_key", "met_key", "referred_key", "name_key", "flips"])
def test_a_read_the_view_did_not_note_is_caught(sample, monkeypatch, read):
    """Each kind of read (a note, the meetings with a contact, whom a contact referred, what a
    referred name means, a comparison with today), left unnoted, makes the tests above fail:
    they would catch a rule reading something the view does not see."""
    files, settings = sample
    _forget(monkeypatch, read)
    for story in STORIES.values():
        try:
            check_story(dict(files), settings, TODAY, story)
        except AssertionError:
            return
    for seed in range(24):
        try:
            if read == "flips":
                check_days(dict(files), settings, TODAY, seed, steps=10)
            else:
                check_edits(dict(files), settings, TODAY, seed, steps=25, batch=1 + seed % 3)
        except AssertionError:
            return
    pytest.fail(f"no test noticed that {read} was left unnoted")


def test_the_days_worked_out_ahead_need_no_note_read(generated, tmp_path):
    """A new day, or a day back, within the days worked out ahead (`AHEAD_DAYS`) takes each
    subject's items from its chain: with every stored note made unreadable, the stored agenda
    is still brought to those days rather than rebuilt, and equals one computed from scratch."""
    import os
    import sqlite3

    from coffeechat.core.agenda.ahead import AHEAD_DAYS
    from coffeechat.core.coaching.graph import graph_of
    from coffeechat.core.coaching.stats import stats_of
    from coffeechat.storage.cache.index import Index

    root, settings, _people, _editable = on_disk(generated, tmp_path / "vault")
    old = 1_600_000_000 * 10**9  # (long before the index: no note is re-read as racy)
    for path in root.rglob("*.md"):
        os.utime(path, ns=(old, old))
    start = dt.date(2026, 6, 1)
    assert Index(root, settings).agenda(start).how == "rebuilt"
    db = sqlite3.connect(root / ".coffeechat" / "index.sqlite")
    with db:
        db.execute("UPDATE notes SET record = ?", ('"not a note"',))
    db.close()
    moved = 0
    for days in (1, 3, 0, 2, AHEAD_DAYS // 2, 1, 0):
        day = start + dt.timedelta(days=days)
        got = Index(root, settings).agenda(day)
        assert got.how in ("updated", "cached"), day
        moved += got.how == "updated"
        want = Index(root, settings, use_cache=False).agenda(day)
        same(as_tuple(got.result), as_tuple(want.result))
        assert [m.path for m in got.meetings()] == [m.path for m in want.meetings()]
        # (the figures of `stats` and `graph` come with the chains: no note is read for them)
        figured = Index(root, settings).figures(day)
        assert not figured.warnings
        fresh = Index(root, settings, use_cache=False).figures(day).figures
        for since in (None, day - dt.timedelta(days=30)):
            assert stats_of(figured.figures, day, since) == stats_of(fresh, day, since)
        assert graph_of(figured.figures) == graph_of(fresh)
    assert moved == 7


def _figures_alone(monkeypatch) -> None:
    """Leave the agenda nothing to compute but the figures (no items, suggestions, field
    shares or cards; the checks above then compare only the figures): what decides when the
    figures are computed again is then only what they read themselves."""
    import sys

    from coffeechat.core.agenda import ahead as ahead_module

    monkeypatch.setattr(ahead_module, "subject_items", lambda view, subject, day: iter(()))
    monkeypatch.setattr(ahead_module, "dormant", lambda view, contact, day: None)
    monkeypatch.setattr(ahead_module, "field_share", lambda view, meeting, day: None)
    monkeypatch.setattr(ahead_module, "contact_card", lambda view, contact, day: {})
    monkeypatch.setattr(ahead_module, "meeting_card", lambda meeting, day: {})
    monkeypatch.setattr(sys.modules[__name__], "same", lambda got, want: None)


def _edits_and_days(files, settings, seeds) -> None:
    for seed in seeds:
        check_edits(dict(files), settings, TODAY, seed, steps=25, batch=1 + seed % 3)
        check_days(dict(files), settings, TODAY, seed, steps=10)


def test_figures_note_what_they_read_themselves(sample, monkeypatch):
    """With nothing else computed, the figures alone are recomputed exactly when they must."""
    _figures_alone(monkeypatch)
    files, settings = sample
    _edits_and_days(files, settings, range(8))


@pytest.mark.parametrize("past", ["contact", "meeting", "today"])
def test_figures_computed_past_the_view_are_caught(sample, monkeypatch, past):
    """A contact's or a meeting's figures read past the recording view (from the vault behind
    it), or compared with a today that does not note the comparisons: the test above fails."""
    from coffeechat.core.agenda import ahead as ahead_module
    from coffeechat.core.coaching import figures as core_figures

    def past_the_view(real):
        return lambda view, subject, day: real(view._vault, subject, day)

    def past_today(real):
        return lambda view, subject, day: real(view, subject, day._plain())

    _figures_alone(monkeypatch)
    around = past_today if past == "today" else past_the_view
    for name in ("contact_figures", "meeting_figures"):
        if past in ("today", name.split("_")[0]):
            monkeypatch.setattr(ahead_module, name, around(getattr(core_figures, name)))
    files, settings = sample
    with pytest.raises(AssertionError):
        _edits_and_days(files, settings, range(8))
