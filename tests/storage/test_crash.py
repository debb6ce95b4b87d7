"""SIGKILL at random moments across hundreds of `log`, `done` and `import` runs: every note is
found as it was or as intended — never torn — and no temporary file is left in the vault."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from coffeechat.core.note.parse import parse_note

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")

TODAY = "2026-11-23"
ROUNDS = int(os.environ.get("COFFEECHAT_CRASH_ROUNDS", "0") or 0) or 120
CARDS = 12
LOG_LINE = re.compile(r"^- 2026-11-23 note: run \d+-\d+$")
TEMP = re.compile(r"^\..*\.tmp$")


def _vcf() -> bytes:
    cards = [
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i:02d}\r\nN:{i:02d};Person;;;\r\n"
        f"EMAIL:person{i:02d}@example.org\r\nORG:Org {i % 3}\r\nEND:VCARD\r\n"
        for i in range(CARDS)
    ]
    return "".join(cards).encode()


def _child(root: Path, vcf: Path, tag: int) -> None:
    """Run writers for ever (until killed): log, done, import, again and again."""
    runner = CliRunner()
    base = ["--vault", str(root), "--today", TODAY]
    i = 0
    while True:
        runner.invoke(cli, [*base, "log", "Jane Doe", "note", f"run {tag}-{i}"])
        out = runner.invoke(cli, [*base, "due", "--all", "--json"])
        try:
            items = [
                x
                for x in json.loads(out.stdout)
                if x["rule"] in ("follow_up", "thank_you", "prepare")
            ]
        except ValueError:
            items = []
        if items:
            runner.invoke(cli, [*base, "done", items[0]["id"]])
        runner.invoke(cli, [*base, "import", "vcard", str(vcf)])
        i += 1


def _notes(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*.md")
        if ".coffeechat" not in p.parts
    }


def _temp_files(root: Path) -> list[str]:
    return [
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if TEMP.match(p.name) and ".coffeechat" not in p.parts
    ]


def _check_intact(root: Path, before: dict[str, bytes]) -> None:
    notes = _notes(root)
    jane = notes["contacts/Jane Doe.md"]
    base = before["contacts/Jane Doe.md"]
    assert jane.startswith(base), "the log note lost bytes"
    added = jane[len(base) :].decode("utf-8")
    assert added == "" or added.endswith("\n"), f"torn log line: {added[-80:]!r}"
    assert all(LOG_LINE.match(line) for line in added.splitlines()), added
    for rel, data in notes.items():
        note = parse_note(rel, data)
        assert not note.broken, (rel, note.findings)
        assert data.endswith(b"\n"), f"{rel} is torn"
        if rel in before and rel != "contacts/Jane Doe.md":
            old = before[rel].decode().splitlines()
            new = data.decode().splitlines()
            kept = [
                ln
                for ln in old
                if ln.startswith("- [ ]") or ln.split(":")[0] in ("follow_up", "thank_you")
            ]
            assert [ln for ln in old if ln not in kept] == [
                ln for ln in new if ln in old and ln not in kept
            ]
    imported = [rel for rel in notes if rel.startswith("contacts/Person")]
    assert len(imported) <= CARDS, imported  # an import killed half-way makes no duplicates
    for rel in imported:
        meta = parse_note(rel, notes[rel]).meta
        assert meta.get("type") == "contact" and meta.get("email", "").endswith("@example.org")


@pytest.mark.slow
def test_sigkill_at_random_moments_never_tears_a_note(vault, tmp_path):
    vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    vault.contact(
        "Dee Park",
        front="follow_up: 2026-11-20",
        body="- [ ] send the deck 📅 2026-11-22\n- [ ] send the article 📅 2026-11-21",
    )
    vault.meeting("2026-11-20", ["Jane Doe"])
    vault.meeting("2026-11-25", ["Dee Park"])
    vcf = tmp_path / "people.vcf"
    vcf.write_bytes(_vcf())
    before = _notes(vault.root)
    rng = random.Random(int(os.environ.get("COFFEECHAT_CRASH_SEED", "20261123")))
    strays_seen = 0
    for tag in range(ROUNDS):
        pid = os.fork()
        if pid == 0:  # the child: write until killed
            try:
                _child(vault.root, vcf, tag)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, 0.12))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        strays_seen += bool(_temp_files(vault.root))
        _check_intact(vault.root, before)
    # One more writer, run to the end: it sweeps what the killed writers left behind.
    result = CliRunner().invoke(
        cli,
        ["--vault", str(vault.root), "--today", TODAY, "import", "vcard", str(vcf)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert _temp_files(vault.root) == []
    _check_intact(vault.root, before)
    assert len([r for r in _notes(vault.root) if r.startswith("contacts/Person")]) == CARDS
    lines = (vault.root / "contacts" / "Jane Doe.md").read_text().count("note: run ")
    assert lines > ROUNDS // 4  # the writers did get work done between the kills


def test_a_temp_file_left_by_a_killed_writer_is_swept_by_the_next_one(vault, run):
    """Before the fix a writer killed between its temp file and the rename left
    `.Jane Doe.md.XXXX.tmp` in the vault for ever."""
    import subprocess
    import sys

    path = vault.contact("Jane Doe", log="2026-11-01 approach: emailed")
    code = (
        "import os, sys\nfrom pathlib import Path\n"
        "from coffeechat.storage.writer import edit_note\n"
        "edit_note(Path(sys.argv[1]), 'contacts/Jane Doe.md', lambda d: d + b'- x\\n',"
        " before_replace=lambda tmp: os.kill(os.getpid(), 9))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(vault.root)], timeout=60, check=False)
    assert proc.returncode == -signal.SIGKILL
    assert len(_temp_files(vault.root)) == 1
    assert run("log", "Jane Doe", "note", "after the crash").exit_code == 0
    assert _temp_files(vault.root) == []
    assert path.read_text().endswith("- 2026-11-23 note: after the crash\n")
