"""The installed `coffeechat` command, run as a user runs it (a real process, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import COFFEECHAT, GIT, git

EXE = COFFEECHAT


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COFFEECHAT_")}
    env["NO_COLOR"] = "1"
    return env


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    assert EXE, "the coffeechat command is not installed (pip install -e '.[test]')"
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, cwd=cwd, env=_env(), timeout=60, check=False
    )


def test_installed_command_prints_the_sample_agenda(sample_copy):
    result = run("--vault", str(sample_copy), "--today", "2026-11-23", "due")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Follow-ups for Monday 23 November 2026")
    for heading in ("Overdue (", "Today (", "Upcoming · through Mon 30 Nov ("):
        assert heading in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes into a pipe
    assert "Traceback" not in result.stderr


def test_python_dash_m(sample_copy):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "coffeechat",
            "--vault",
            str(sample_copy),
            "--today",
            "2026-11-23",
            "due",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 12


def test_init_then_due_from_inside_the_vault(tmp_path):
    assert run("init", str(tmp_path / "search")).returncode == 0
    (tmp_path / "search" / "contacts" / "Ana Ruiz.md").write_text(
        "---\ntype: contact\nname: Ana Ruiz\n---\n## Log\n- 2026-11-16 approach: emailed\n",
        encoding="utf-8",
    )
    result = run("--today", "2026-11-23", "due", "--json", cwd=tmp_path / "search" / "contacts")
    assert result.returncode == 0, result.stderr
    assert [i["rule"] for i in json.loads(result.stdout)] == ["follow_up_approach"]


def test_errors_are_one_line_without_traceback(tmp_path):
    result = run("due", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: no coffeechat.toml")
    (tmp_path / "coffeechat.toml").write_text("[rules\n", encoding="utf-8")
    result = run("due", cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.startswith(
        "Error: coffeechat.toml:1: not valid TOML"
    )


def test_broken_notes_do_not_stop_the_run(tmp_path):
    root = tmp_path / "v"
    (root / "contacts").mkdir(parents=True)
    (root / "coffeechat.toml").write_text("", encoding="utf-8")
    (root / "contacts" / "Good.md").write_text(
        "---\nname: Good\n---\n- 2026-11-16 approach: emailed\n", encoding="utf-8"
    )
    (root / "contacts" / "Latin1.md").write_bytes("---\nname: Caf\xe9\n---\n".encode("latin-1"))
    (root / "contacts" / "Yaml.md").write_text("---\nname: [unclosed\n---\n", encoding="utf-8")
    due = run("--vault", str(root), "--today", "2026-11-23", "due", "--json")
    assert due.returncode == 0 and len(json.loads(due.stdout)) == 1
    check = run("--vault", str(root), "check")
    assert check.returncode == 1
    assert check.stdout.splitlines()[0].startswith("contacts/Latin1.md:2: not UTF-8")
    assert check.stdout.splitlines()[1].startswith("contacts/Yaml.md:")


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_the_cache_stays_out_of_git(tmp_path):
    root = tmp_path / "search"
    run("init", str(root))
    run("--vault", str(root), "due")
    assert (root / ".coffeechat" / "index.sqlite").exists()
    git(root, "init", "-q")
    status = git(root, "status", "--porcelain", "--untracked-files=all")
    assert ".coffeechat" not in status and "coffeechat.toml" in status


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_the_tests_run_git_without_this_machines_git_set_up(tmp_path, monkeypatch):
    """What made `git init` exit 128 in a test now and then: the user's ~/.gitconfig caught
    half-written, a GIT_WORK_TREE left by a hook. The tests' git reads neither."""
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text("[user\n\tname = half-wri", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path))
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "note.md").write_text("note\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    assert git(repo, "log", "--format=%an <%ae>") == "t <t@example.org>\n"
