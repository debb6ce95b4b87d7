"""bench/run.py, the benchmark: a tiny run end to end, and the helpers that edit notes."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COFFEECHAT, REPO

BENCH = REPO / "bench"
RUN = BENCH / "run.py"
# The project's generator; COFFEECHAT_BENCH_GENERATOR may name another make_vault.py.
GENERATOR = Path(os.environ.get("COFFEECHAT_BENCH_GENERATOR") or BENCH / "make_vault.py")

METRICS = (
    "walk",
    "read",
    "naive",
    "help",
    "cold_index",
    "cold_due",
    "warm_due",
    "changed_due",
    "feed",
    "watch_save_to_feed",
    "new_day_due",
    "added_due",
    "removed_due",
    "renamed_due",
    "add",
    "check",
    "list",
    "show",
    "search",
    "stats",
)


def _load_run():
    spec = importlib.util.spec_from_file_location("coffeechat_bench_run", RUN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".coffeechat" not in p.relative_to(root).parts
    }


def _has_frontmatter() -> bool:
    return importlib.util.find_spec("frontmatter") is not None


@pytest.mark.slow
@pytest.mark.skipif(COFFEECHAT is None, reason="the coffeechat CLI is not installed")
@pytest.mark.skipif(
    not GENERATOR.is_file(), reason=f"no vault generator at {GENERATOR} yet (bench/make_vault.py)"
)
def test_tiny_run_measures_everything_and_puts_the_notes_back(tmp_path: Path) -> None:
    today = "2026-06-01"
    reference = tmp_path / "reference"
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            str(reference),
            "--contacts",
            "60",
            "--today",
            today,
            "--quiet",
        ],
        check=True,
        timeout=60,
    )
    out = tmp_path / "results.json"
    work = tmp_path / "work"
    proc = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--generator",
            str(GENERATOR),
            "--coffeechat",
            str(COFFEECHAT),
            "--sizes",
            "60",
            "--rounds",
            "2",
            "--watch-sizes",
            "60",
            "--watch-pause",
            "0.3",
            "--today",
            today,
            "--work",
            str(work),
            "--json",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "| contacts |" in proc.stdout and "| target |" in proc.stdout

    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["ok"] is True and report["error"] is None
    assert report["machine"]["nproc"] >= 1 and report["machine"]["coffeechat"]
    assert report["config"]["index_command"] in ("index", "check")
    (row,) = report["results"]
    assert row["size"] == 60 and row["notes"] > 60 and row["bytes"] > 0
    for name in METRICS:
        metric = row["metrics"][name]
        if name == "naive" and not _has_frontmatter():
            assert metric is None
            continue
        assert metric is not None, name
        assert len(metric["samples"]) == 2, name
        assert all(0 < x < 120 for x in metric["samples"]), (name, metric)
        assert metric["min"] <= metric["median"] <= metric["max"], name
    for name in ("cold_index", "cold_due", "warm_due", "feed"):
        assert 1 < row["peak_mb"][name]["median"] < 4000, name
    ratios = row["ratios"]
    for name in ("changed", "new_day", "added", "removed", "renamed", "add"):
        assert math.isfinite(ratios[f"{name}_minus_warm"]["median"]), name
    for name in ("feed", "check", "list", "show", "search", "stats"):
        assert ratios[f"{name}_over_warm"]["median"] > 0, name
    assert ratios["warm_due_over_walk"]["median"] > 0
    if _has_frontmatter():
        assert ratios["naive_over_cold_index"]["median"] > 0
    targets = {t["target"]: t for t in report["targets"]}
    assert len(targets) == 18 and all("met" in t for t in targets.values())

    # Every note the benchmark edited is back, byte for byte: the vault is the generator's.
    vault = Path(row["vault"])
    assert vault.parent.parent == work
    assert (vault / row["changed_note"]).is_file()
    assert (vault / row["watch"]["note"]).is_file()
    assert _tree(vault) == _tree(reference)
    assert not list(work.glob("vaults/*.restore.json"))

    # A second run reuses the generated vault.
    again = subprocess.run(
        [
            sys.executable,
            str(RUN),
            "--generator",
            str(GENERATOR),
            "--coffeechat",
            str(COFFEECHAT),
            "--sizes",
            "60",
            "--rounds",
            "1",
            "--watch-sizes",
            "",
            "--today",
            today,
            "--work",
            str(work),
            "--json",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert "reusing the vault" in again.stderr
    assert (
        json.loads(out.read_text(encoding="utf-8"))["results"][0]["metrics"]["watch_save_to_feed"]
        is None
    )
    assert _tree(vault) == _tree(reference)


def test_note_edits() -> None:
    run = _load_run()
    note = (
        "---\ntype: contact\nname: Ann Lee\nfollow_up: 2026-01-01\n---\n# Ann Lee\n\n"
        "## Log\n- 2026-01-01 approach: wrote\n\n## Questions\n- why?\n"
    )
    logged = run.with_log_line(note, "- 2026-05-30 follow_up: bench round 1")
    assert logged == note.replace("wrote\n\n", "wrote\n- 2026-05-30 follow_up: bench round 1\n\n")
    assert run.with_log_line("---\na: 1\n---\n## Log\n- a", "- b").endswith("## Log\n- a\n- b\n")
    assert run.with_log_line("---\na: 1\n---\nno log", "- b") == "---\na: 1\n---\nno log\n- b\n"
    moved = run.with_follow_up(note, dt.date(2026, 6, 9))
    assert moved.startswith("---\nfollow_up: 2026-06-09\ntype: contact\n")
    assert moved.count("follow_up:") == 1 and moved.endswith(note[note.index("---\n# Ann") :])


def test_feed_matching() -> None:
    run = _load_run()
    summary = b"SUMMARY:Follow up with " + run.ics_escape("Lee, Ann").encode()
    event = (
        b"BEGIN:VEVENT\r\nSUMMARY:Follow up with Lee\\, A\r\n nn\r\n"
        b"DTSTART;VALUE=DATE:20260609\r\nEND:VEVENT\r\n"
    )
    other = (
        b"BEGIN:VEVENT\r\nSUMMARY:Follow up with Bo\r\nDTSTART;VALUE=DATE:20260610\r\n"
        b"END:VEVENT\r\n"
    )
    assert run.shows(event + other, summary, b"DTSTART;VALUE=DATE:20260609")
    assert not run.shows(event + other, summary, b"DTSTART;VALUE=DATE:20260610")
