"""Shared fixtures: an isolated environment, a vault builder, and a CLI runner."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from coffeechat.cli import cli

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=100, deadline=None)
# A long local run of the fuzzing: pytest -m slow --hypothesis-profile=fuzz tests/core/note/test_fuzz.py
settings.register_profile(
    "fuzz", max_examples=50_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

TODAY = dt.date(2026, 11, 23)
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "vault"
TEST_DATA = REPO / "tests" / "data"
#: The installed `coffeechat` of the Python running the tests (its virtual environment's bin/),
#: else the one on PATH: with the environment not activated, or another clone's `coffeechat`
#: first on PATH, the end-to-end tests would otherwise run some other version of the code.
COFFEECHAT = shutil.which("coffeechat", path=os.path.dirname(sys.executable)) or shutil.which(
    "coffeechat"
)
GIT = shutil.which("git")


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` with nothing of this machine's git set-up: no ~/.gitconfig nor
    /etc/gitconfig, no template folder, no GIT_* variable from the shell (a hook's GIT_DIR or
    GIT_WORK_TREE), and a fixed identity. Each of those can make `git init` exit 128 (a
    ~/.gitconfig caught half-written by another program does); git's own words are in the
    failure."""
    assert GIT, "git is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TEMPLATE_DIR="",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
    )
    done = subprocess.run(
        [GIT, "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: exit {done.returncode}: {done.stderr}"
    return done.stdout


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never see the developer's COFFEECHAT_* settings, nor their per-user config file
    (``$XDG_CONFIG_HOME/coffeechat/config.toml``): each test gets an empty config folder."""
    for key in list(os.environ):
        if key.startswith("COFFEECHAT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("COLUMNS", raising=False)  # lines as long as they are, unless a test says
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


def user_config(root: Path, text: str) -> Path:
    """Write ``text`` (sections such as ``[caldav]``) as vault ``root``'s table in the per-user
    config file, the place for settings that belong to this computer."""
    import json
    import re

    key = json.dumps(str(root.resolve()))
    body = re.sub(r"(?m)^\[(\w+)\]", lambda m: f"[vaults.{key}.{m[1]}]", textwrap.dedent(text))
    path = Path(os.environ["XDG_CONFIG_HOME"]) / "coffeechat" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


class VaultBuilder:
    """Write notes into a temporary vault: ``vault.write("contacts/Jane.md", '''...''')``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "coffeechat.toml").write_text("", encoding="utf-8")
        for folder in ("contacts", "companies", "meetings"):
            (root / folder).mkdir()

    def write(self, rel: str, text: str, *, dedent: bool = True) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        body = textwrap.dedent(text).lstrip("\n") if dedent else text
        path.write_text(body, encoding="utf-8", newline="")
        return path

    def write_bytes(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def config(self, text: str) -> None:
        (self.root / "coffeechat.toml").write_text(textwrap.dedent(text), encoding="utf-8")

    def user_config(self, text: str) -> Path:
        """Settings for this vault in the per-user file (see `user_config`)."""
        return user_config(self.root, text)

    def contact(
        self, name: str, front: str = "", log: str = "", body: str = "", folder: str = "contacts"
    ) -> Path:
        lines = ["---", "type: contact", f"name: {name}"]
        lines += textwrap.dedent(front).strip("\n").splitlines()
        lines += ["---", body.strip(), "", "## Log"]
        lines += [
            f"- {ln.strip()}" for ln in textwrap.dedent(log).strip("\n").splitlines() if ln.strip()
        ]
        return self.write(f"{folder}/{name}.md", "\n".join(lines) + "\n", dedent=False)

    def meeting(
        self, date: str, people: list[str], front: str = "", body: str = "", title: str = ""
    ) -> Path:
        lines = ["---", "type: meeting", f"date: {date}", "with:"]
        lines += [f'  - "[[{p}]]"' for p in people]
        lines += textwrap.dedent(front).strip("\n").splitlines()
        lines += ["---", textwrap.dedent(body).strip(), ""]
        name = title or f"{date[:10]} Coffee with {people[0] if people else 'nobody'}"
        return self.write(f"meetings/{name}.md", "\n".join(lines), dedent=False)


@pytest.fixture
def vault(tmp_path: Path) -> VaultBuilder:
    root = tmp_path / "vault"
    root.mkdir()
    return VaultBuilder(root)


@pytest.fixture
def run(vault: VaultBuilder) -> Callable[..., Result]:
    """Run the CLI on the test vault with a fixed --today; ``run("due", "--json")``."""
    runner = CliRunner()

    def _run(
        *args: str,
        today: dt.date | None = TODAY,
        root: Path | None = None,
        catch: bool = False,
        **kwargs: object,
    ) -> Result:
        argv = ["--vault", str(root or vault.root)]
        if today is not None:
            argv += ["--today", today.isoformat()]
        return runner.invoke(cli, [*argv, *args], catch_exceptions=catch, **kwargs)

    return _run


def copy_sample(target: Path) -> Path:
    """Copy the bundled sample vault to ``target``, without its cache."""
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns(".coffeechat"))
    return target


@pytest.fixture
def sample_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the bundled sample vault (so tests never write into the repository)."""
    yield copy_sample(tmp_path / "sample")


@pytest.fixture(scope="module")
def sample_read_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the sample vault for a module whose tests only read it: even a reading
    command writes the vault's cache, which must not land in the repository's ``vault/``
    (nor be written by two pytest-xdist workers at once)."""
    return copy_sample(tmp_path_factory.mktemp("sample") / "sample")


def raw(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send bytes exactly as given; return everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)
