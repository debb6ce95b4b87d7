"""The per-subject agenda: built whole it equals the rules run over the vault; brought up to
date after an edit it equals a rebuild from scratch (the property the speed rests on)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib.util
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from coffeechat.config import load_settings
from coffeechat.core.agenda import ShapeIndex, apply_changes, build_agenda, shapes
from coffeechat.core.edits import EditRefused, set_key
from coffeechat.core.model import ParsedNote, Severity
from coffeechat.core.notes import parse_note
from coffeechat.core.rules import evaluate, insights
from coffeechat.core.vault import build_vault
from coffeechat.storage.scan import scan

SAMPLE = Path(__file__).resolve().parents[1] / "vault"
GENERATOR = Path(__file__).resolve().parents[1] / "bench" / "make_vault.py"
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
    same(as_tuple(build_agenda(vault, today).result()), want)


def test_whole_agenda_equals_the_rules_on_a_generated_vault(generated):
    files, settings = generated
    today = dt.date(2026, 6, 1)
    vault, want = full(parse_all(files), settings, today)
    assert len(want[0]) > 50
    same(as_tuple(build_agenda(vault, today).result()), want)


# --- edits ----------------------------------------------------------------------------------

def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1][:-3]


def _append(data: bytes, line: str) -> bytes:
    nl = b"\r\n" if b"\r\n" in data else b"\n"
    text = data if data.endswith(nl) or not data else data + nl
    return text + line.encode() + nl


def mutate(data: bytes, path: str, others: list[str], rng: random.Random, today: dt.date,
           ids: list[str] = ()) -> bytes:
    """One plausible edit of a note (front matter through `set_key`, body lines appended).
    ``others`` are contact notes to link to, referrers first: the edits that reach furthest
    (a meeting with someone who referred someone else) must come up often."""
    day = (today + dt.timedelta(days=rng.randint(-60, 30))).isoformat()
    pick = others[: max(1, len(others) // 4)] if rng.random() < 0.6 else others
    other = f"[[{_stem(rng.choice(pick))}]]" if others else "[[Nobody Here]]"
    edits = [
        lambda d: _append(d, f"- {day} {rng.choice(['approach', 'reply', 'follow_up', 'thank_you', 'email', 'report_back', 'declined', 'call'])}: edited"),
        lambda d: _append(d, f"- [ ] call them back 📅 {day}"),
        lambda d: _append(d, f"- [x] done already 📅 {day}"),
        lambda d: set_key(d, "follow_up", day),
        lambda d: set_key(d, "follow_up", None),
        lambda d: set_key(d, "status", rng.choice(["dormant", "paused", "do_not_contact", "cancelled", "no_show", None])),
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
        lambda d: set_key(d, "snooze", [f"{rng.choice(ids) if ids and rng.random() < 0.7 else '%010x' % rng.getrandbits(40)} until {day}"]),
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


def check_edits(files: dict[str, bytes], settings, today: dt.date, seed: int, steps: int,
                batch: int) -> tuple[int, int]:
    rng = random.Random(seed)
    if seed % 2 == 0:  # every stale item too: more items, so more ways for an edit to matter
        settings = dataclasses.replace(settings, give_up_after=0)
    notes = parse_all(files)
    vault = build_vault(notes.values(), settings)
    agenda = build_agenda(vault, today)
    lookup = ShapeIndex(shapes(vault))
    referrers = {c.referred_by.path for c in vault.contacts.values() if c.referred_by and c.referred_by.path}
    people = sorted(p for p in files if p.startswith("contacts/"))
    people.sort(key=lambda p: p not in referrers)  # referrers first
    editable = sorted(p for p in files if p.split("/", 1)[0] in ("contacts", "meetings", "companies"))
    near = sorted({m.path for r in referrers for m in vault.meetings_with(r)} | referrers)
    fast = slow = 0
    for _ in range(steps):
        changed = {}
        for path in rng.sample(near if near and rng.random() < 0.5 else editable, batch):
            data = mutate(files[path], path, people, rng, today, [i.id for i in agenda.done[:50]])
            files[path] = data
            changed[path] = parse_note(path, data, 1_700_000_000_000_000_000)
        notes.update(changed)
        done = apply_changes(agenda, settings, changed, lookup, lambda ps: [notes[p] for p in ps])
        whole, want = full(notes, settings, today)
        if done is None:  # names changed: rebuild, as the index does
            slow += 1
            agenda = build_agenda(whole, today)
            lookup = ShapeIndex(shapes(whole))
        else:
            fast += 1
            assert lookup.shapes == shapes(whole), "shapes drifted from a rebuild"
        same(as_tuple(agenda.result()), want)
    return fast, slow


@pytest.mark.parametrize("seed", range(6))
def test_edits_keep_the_agenda_equal_to_a_rebuild(sample, seed):
    files, settings = sample
    fast, slow = check_edits(dict(files), settings, TODAY, seed, steps=25, batch=1 + seed % 3)
    assert fast > slow  # most edits take the fast path


@pytest.mark.parametrize("seed", range(4))
def test_edits_on_a_generated_vault(generated, seed):
    files, settings = generated
    fast, slow = check_edits(dict(files), settings, dt.date(2026, 6, 1), seed, steps=60, batch=1 + seed)
    assert fast > slow


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), batch=st.integers(1, 4),
       today=st.dates(dt.date(2025, 6, 1), dt.date(2027, 3, 1)))
def test_edits_property(sample, seed, batch, today):
    files, settings = sample
    check_edits(dict(files), settings, today, seed, steps=6, batch=batch)


# --- through the index: what `due` uses -----------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_the_index_keeps_its_stored_agenda_equal_to_a_rebuild(generated, tmp_path, seed):
    """Edits on disk, several coffeechat runs in between: the stored agenda (patched, its
    journal compacted now and then) always equals one computed from scratch."""
    import os

    from coffeechat.storage.index import JOURNAL_MAX, Index

    files, settings = generated
    root = tmp_path / "vault"
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    today = dt.date(2026, 6, 1)
    rng = random.Random(seed)
    hows = []
    people = sorted(p for p in files if p.startswith("contacts/"))
    editable = sorted(p for p in files if p.split("/", 1)[0] in ("contacts", "meetings"))
    stamp = 1_600_000_000
    for step in range(JOURNAL_MAX + 8):
        got = Index(root, settings).agenda(today)
        hows.append(got.how)
        want = Index(root, settings, use_cache=False).agenda(today)
        same(as_tuple(got.result), as_tuple(want.result))
        assert [m.path for m in got.meetings()] == [m.path for m in want.meetings()]
        assert got.contacts() == want.contacts()
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

    from coffeechat.storage.index import Index

    root = tmp_path / "vault"
    shutil.copytree(SAMPLE, root)
    settings, _ = load_settings(root)
    want = Index(root, settings).agenda(TODAY).result
    db = sqlite3.connect(root / ".coffeechat" / "index.sqlite")
    with db:
        db.execute("UPDATE state SET value = ? WHERE key IN ('result', 'agenda', 'journal')",
                   (b"\x80\x05not a pickle",))
    db.close()
    again = Index(root, settings).agenda(TODAY)
    assert again.how == "rebuilt"
    assert as_tuple(again.result) == as_tuple(want)
