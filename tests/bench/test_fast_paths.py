"""bench/fast_paths.py, run small: it makes its vault, times each fast path and its library, and
reports them."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def test_fast_paths_reports_both_fast_paths_against_their_libraries(tmp_path):
    out = tmp_path / "figures.json"
    shown = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "fast_paths.py"),
            "--contacts",
            "30",
            "--rounds",
            "1",
            "--work",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    report = json.loads(out.read_text())
    figures = report["front_matter"]
    assert figures["blocks"] > 100
    # the generated notes are plain front matter: the fast path answers nearly all of them
    assert figures["answered_by_fast_path"] >= 0.95 * figures["blocks"]
    assert figures["coffeechat_s"] > 0 and figures["pyyaml_c_s"] > 0
    assert "| PyYAML's C loader alone |" in shown
    ics = report["icalendar"]  # measured only after both serialisers gave the same bytes
    assert ics["events"] > 10 and ics["bytes"] > 1000
    assert ics["coffeechat_s"] > 0 and ics["icalendar_s"] > 0
    assert "| icalendar's Calendar.to_ical() |" in shown
