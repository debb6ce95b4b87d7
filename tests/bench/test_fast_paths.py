"""bench/fast_paths.py, run small: it makes its vault, times both readers, and reports them."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO


def test_fast_paths_reports_the_front_matter_figures(tmp_path):
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
    figures = json.loads(out.read_text())["front_matter"]
    assert figures["blocks"] > 100
    # the generated notes are plain front matter: the fast path answers nearly all of them
    assert figures["answered_by_fast_path"] >= 0.95 * figures["blocks"]
    assert figures["coffeechat_s"] > 0 and figures["pyyaml_c_s"] > 0
    assert "| PyYAML's C loader alone |" in shown
