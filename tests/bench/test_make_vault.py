"""bench/make_vault.py: same bytes for the same arguments, the promised shape, and every
deliberately messy note is named by `coffeechat check` (and nothing else breaks)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from coffeechat.cli import cli
from conftest import REPO

SCRIPT = REPO / "bench" / "make_vault.py"
TODAY = "2026-06-01"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("coffeechat_bench_make_vault", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mv = _load()


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _run_script(*args: str, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _check(vault: Path) -> list[dict[str, Any]]:
    result = CliRunner().invoke(cli, ["--vault", str(vault), "--today", TODAY, "check", "--json"])
    assert result.exit_code in (0, 1), result.output
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    out = tmp_path_factory.mktemp("small") / "vault"
    return out, mv.make_vault(out, 150)


# -- determinism -------------------------------------------------------------------------


def test_same_arguments_give_the_same_bytes(
    small: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> None:
    first, manifest = small
    again = mv.make_vault(tmp_path / "again", 150)
    assert again == manifest
    assert _files(tmp_path / "again") == _files(first)


def test_bytes_do_not_depend_on_the_hash_seed(
    small: tuple[Path, dict[str, list[str]]], tmp_path: Path
) -> None:
    first, manifest = small
    expected = _files(first)
    for hash_seed in ("1", "4242"):
        out, manifest_file = tmp_path / f"hash-{hash_seed}", tmp_path / f"hash-{hash_seed}.json"
        proc = _run_script(
            str(out),
            "--contacts",
            "150",
            "--quiet",
            "--manifest",
            str(manifest_file),
            hash_seed=hash_seed,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == ""
        assert _files(out) == expected
        assert json.loads(manifest_file.read_text(encoding="utf-8"))["messy"] == manifest


def test_other_arguments_give_another_vault(tmp_path: Path) -> None:
    mv.make_vault(tmp_path / "base", 30)
    mv.make_vault(tmp_path / "seed2", 30, seed=2)
    mv.make_vault(tmp_path / "later", 30, today=date(2027, 1, 1))
    base = _files(tmp_path / "base")
    assert _files(tmp_path / "seed2") != base
    assert _files(tmp_path / "later") != base


# -- shape -------------------------------------------------------------------------------


def test_counts_per_folder_and_files_beside_the_notes(
    small: tuple[Path, dict[str, list[str]]],
) -> None:
    root, _ = small
    files = _files(root)
    notes = defaultdict(list)
    for rel in files:
        if rel.endswith(".md") and rel.split("/")[0] in ("companies", "contacts", "meetings"):
            notes[rel.split("/")[0]].append(rel)
    assert {k: len(v) for k, v in notes.items()} == {
        "companies": 15,
        "contacts": 150,
        "meetings": 450,
    }
    assert any(rel.count("/") > 1 for rel in notes["contacts"])  # contacts in sub-folders
    for rel in (
        "coffeechat.toml",
        ".gitignore",
        ".obsidian/app.json",
        "templates/Contact.md",
        "templates/Meeting.md",
        "templates/Company.md",
        "Dashboard.md",
    ):
        assert rel in files, rel
    assert b"{{title}}" in files["templates/Contact.md"]
    assert not files["Dashboard.md"].startswith(b"---")
    assert any(rel.startswith(".trash/") for rel in files)
    assert {Path(rel).suffix for rel in files if rel.startswith("attachments/")} == {".pdf", ".png"}
    texts = [files[rel].decode("utf-8", "replace") for rel in sorted(files) if rel.endswith(".md")]
    joined = "\n".join(texts)
    for needle in (
        "## Log\n- ",
        " approach: ",
        "📅 ",
        "[due:: ",
        'referred_by: "[[',
        'referrals:\n  - "[[',
        "thank_you: ",
        "cadence: ",
    ):
        assert needle in joined, needle


def test_clean_vault_has_no_errors(tmp_path: Path) -> None:
    manifest = mv.make_vault(tmp_path / "clean", 200, clean=True)
    assert all(not files for files in manifest.values())
    errors = [f for f in _check(tmp_path / "clean") if f["severity"] == "error"]
    assert errors == []


# -- messy notes -------------------------------------------------------------------------

# What `check` must say about each file listed under a category (any of these codes).
EXPECTED_CODES = {
    "invalid_yaml": {"yaml", "conflict"},  # markers in the front matter count as a conflict
    "impossible_date": {"date"},
    "unquoted_link": {"link-quotes"},
    "unclosed_front_matter": {"front-matter"},
    "front_matter_not_first": {"front-matter"},
    "conflict_markers_in_body": {"conflict"},
    "not_utf8": {"encoding"},
    "duplicate_person": {"duplicate"},
    "odd_date": {"date", "date-format"},  # 3/4/2026 is refused; 2026-3-4 is read, with a warning
}
# Codes that only a deliberately broken note may produce.
ONLY_IN = {
    "yaml": {"invalid_yaml"},
    "encoding": {"not_utf8"},
    "conflict": {"invalid_yaml", "conflict_markers_in_body"},
    "front-matter": {"unclosed_front_matter", "front_matter_not_first"},
    "date": {"impossible_date", "odd_date"},
    "date-format": {"odd_date"},
    "link-quotes": {"unquoted_link"},
    "duplicate": {"duplicate_person"},
}


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("messy")
    out, manifest_file = root / "vault", root / "manifest.json"
    proc = _run_script(
        str(out), "--contacts", "1000", "--seed", "2", "--manifest", str(manifest_file)
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.strip().splitlines()) == 1 and "4100 notes" in proc.stdout
    return out, json.loads(manifest_file.read_text(encoding="utf-8"))


def test_manifest_and_size(messy: tuple[Path, dict[str, Any]]) -> None:
    _, manifest = messy
    counts = manifest["counts"]
    assert (counts["companies"], counts["contacts"], counts["meetings"]) == (100, 1000, 3000)
    assert 0.85 * 5.3e6 < counts["bytes"] < 1.15 * 5.3e6  # about 5.3 MB per 1,000 contacts
    assert sorted(manifest["messy"]) == sorted(mv.CATEGORIES)
    for files in manifest["messy"].values():
        assert files == sorted(files)
        assert all(unicodedata.is_normalized("NFC", f) for f in files)


def test_check_names_every_messy_file_and_nothing_else_breaks(
    messy: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = messy
    listed: dict[str, list[str]] = manifest["messy"]
    for category in EXPECTED_CODES:
        assert listed[category], f"seed 2 should give some {category}"
    codes: dict[str, set[str]] = defaultdict(set)
    for finding in _check(root):
        codes[unicodedata.normalize("NFC", finding["path"])].add(finding["code"])
    for category, expected in EXPECTED_CODES.items():
        for rel in listed[category]:
            assert codes[rel] & expected, f"{category}: {rel}: check says {sorted(codes[rel])}"
    categories_of: dict[str, set[str]] = defaultdict(set)
    for category, files in listed.items():
        for rel in files:
            categories_of[rel].add(category)
    for rel, found in sorted(codes.items()):
        for code in found & set(ONLY_IN):
            assert categories_of[rel] & ONLY_IN[code], f"{rel}: unexpected {code}"


def test_messy_files_are_written_as_listed(messy: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = messy
    listed: dict[str, list[str]] = manifest["messy"]
    for rel in listed["crlf"]:
        assert b"\r\n" in (root / rel).read_bytes(), rel
    for rel in listed["bom"]:
        assert (root / rel).read_bytes().startswith(b"\xef\xbb\xbf"), rel
    for rel in listed["no_front_matter"]:
        assert not (root / rel).read_bytes().lstrip(b"\xef\xbb\xbf").startswith(b"---"), rel
    assert listed["nfd_file_name"]
    for rel in listed["nfd_file_name"]:
        folder, name = rel.rsplit("/", 1)
        on_disk = os.listdir(root / folder)
        assert unicodedata.normalize("NFD", name) in on_disk, rel
        assert name not in on_disk, rel


# -- refusing to overwrite ---------------------------------------------------------------


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    out = tmp_path / "used"
    out.mkdir()
    (out / "keep.md").write_text("mine\n", encoding="utf-8")
    proc = _run_script(str(out), "--contacts", "10")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "not an empty folder" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["keep.md"]
    assert (out / "keep.md").read_text(encoding="utf-8") == "mine\n"
    with pytest.raises(FileExistsError):
        mv.make_vault(out, 10)
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    assert _run_script(str(a_file), "--contacts", "10").returncode == 2


def test_an_empty_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    mv.make_vault(out, 20)
    assert (out / "coffeechat.toml").is_file()
