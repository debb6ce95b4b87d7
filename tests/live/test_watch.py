"""The watcher on a real folder with a real observer: filtering, debouncing, git pauses,
fallbacks, the dashboard, and surviving bad notes. Every wait is bounded; no thread leaks."""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from coffeechat.config import load_settings
from coffeechat.live.git import git_busy, git_dir
from coffeechat.live.observer import is_editor_temp, network_fs
from coffeechat.live.watch import Watcher

TODAY_TEXT = "2026-11-23"


@pytest.fixture(autouse=True)
def _no_thread_leaks() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        extra = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not extra:
            return
        time.sleep(0.05)
    raise AssertionError(f"threads left running: {extra}")


def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what or check}")


class Running:
    """A started watcher, run in a thread for the length of a ``with`` block."""

    def __init__(self, root: Path, **kwargs: Any) -> None:
        import datetime as dt

        settings, _ = load_settings(root)
        self.lines: list[str] = []
        kwargs.setdefault("today", dt.date.fromisoformat(TODAY_TEXT))
        self.watcher = Watcher(root, settings, report=self.lines.append, **kwargs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,))

    def __enter__(self) -> Running:
        self.watcher.start()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.watcher.wake()
        self.thread.join(timeout=10)
        self.watcher.stop()
        assert not self.thread.is_alive()

    @property
    def passes(self) -> list[Any]:
        return [u for u in self.watcher.updates if u.reason != "start"]

    def wait_pass(self, count: int = 1, timeout: float = 10.0) -> Any:
        wait_for(lambda: len(self.passes) >= count, timeout, f"{count} pass(es); log: {self.lines}")
        return self.passes[count - 1]

    @property
    def feed(self) -> str:
        return self.watcher.feed_path.read_bytes().decode("utf-8").replace("\r\n ", "")


def _fast(vault, extra: str = "") -> None:
    vault.config(f"[watch]\ndebounce_ms = 100\nrescan_seconds = 0\n{extra}")


def _contact_text(name: str, follow_up: str = "2026-12-01") -> str:
    return f"---\ntype: contact\nname: {name}\nfollow_up: {follow_up}\n---\nSome notes.\n"


# --- filtering ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "4913",
        "5036",
        "A.md~",
        ".A.md.swp",
        ".A.md.swx",
        ".#A.md",
        "#A.md#",
        "A.md___jb_tmp___",
        "A.md___jb_old___",
        "A.md.tmp",
        ".A.md.x1y2.tmp",
        "A.md.crswap",
    ],
)
def test_editor_temporary_files(name):
    assert is_editor_temp(name)


@pytest.mark.parametrize("name", ["A.md", "2026-11-20 Coffee.md", "Zoë.md", "notes~draft.md"])
def test_notes_are_not_temporary(name):
    assert not is_editor_temp(name)


def test_which_paths_are_hints(vault):
    settings, _ = load_settings(vault.root)
    watcher = Watcher(vault.root, settings, report=lambda line: None)
    root = str(vault.root)
    hint = [
        ("contacts/A.md", False),
        ("contacts/sub/B.MD", False),
        ("coffeechat.toml", False),
        ("contacts/alumni", True),
        ("meetings", True),
    ]
    noise = [
        (".git/index.lock", False),
        (".git/objects/ab", True),
        (".obsidian/workspace.json", False),
        (".trash/A.md", False),
        (".coffeechat/index.sqlite", False),
        ("templates/Contact.md", False),
        ("templates", True),
        ("contacts/4913", False),
        ("contacts/.A.md.swp", False),
        ("contacts/A.md~", False),
        ("contacts/A.md___jb_tmp___", False),
        ("contacts/.#A.md", False),
        ("attachments/cv.pdf", False),
        ("conflict-files-obsidian-git.md", False),
        ("sub/coffeechat.toml", False),
    ]
    for rel, is_dir in hint:
        assert watcher.relevant(os.path.join(root, rel), is_dir) == rel, rel
    for rel, is_dir in noise:
        assert watcher.relevant(os.path.join(root, rel), is_dir) is None, rel
    assert watcher.relevant("/elsewhere/contacts/A.md", False) is None


def test_network_file_systems_are_recognised():
    mounts = (
        "/dev/sda1 / ext4 rw 0 0\n"
        "//nas/share /mnt/nas cifs rw 0 0\n"
        "C:\\040 /mnt/c 9p rw 0 0\n"
        "server:/home /home/me/net nfs4 rw 0 0\n"
    )
    assert network_fs(Path("/mnt/nas/vault"), mounts) == "cifs"
    assert network_fs(Path("/mnt/c/Users/me/vault"), mounts) == "9p"
    assert network_fs(Path("/home/me/net"), mounts) == "nfs4"
    assert network_fs(Path("/home/me/netx/vault"), mounts) is None
    assert network_fs(Path("/home/me/vault"), mounts) is None


def test_git_directory_and_busy_states(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    vault = repo / "notes" / "vault"
    vault.mkdir(parents=True)
    assert git_dir(vault) == repo / ".git"
    assert git_busy(repo / ".git") is None
    for name in ("index.lock", "MERGE_HEAD"):
        (repo / ".git" / name).write_text("")
        assert git_busy(repo / ".git") == name
        (repo / ".git" / name).unlink()
    (repo / ".git" / "rebase-merge").mkdir()
    assert git_busy(repo / ".git") == "rebase-merge"
    worktree = tmp_path / "wt"
    worktree.mkdir()
    (worktree / ".git").write_text(f"gitdir: {repo / '.git'}\n")
    assert git_dir(worktree) == repo / ".git"
    assert git_busy(None) is None


# --- the real thing -------------------------------------------------------------------------------


def test_a_save_rewrites_the_feed_and_nothing_else(vault):
    _fast(vault)
    vault.contact("Ana Ruiz", front="follow_up: 2026-12-01")
    notes = {p: p.read_bytes() for p in vault.root.rglob("*.md")}
    with Running(vault.root) as w:
        assert w.watcher.updates[0].feed_written and "Follow up with Ana Ruiz" in w.feed
        vault.write("contacts/Bo Li.md", _contact_text("Bo Li"))
        first = w.wait_pass()
        assert first.reason == "change" and first.feed_written and first.parsed >= 1
        assert "Follow up with Bo Li" in w.feed
    assert {p: p.read_bytes() for p in notes} == notes  # never writes a note
    assert w.watcher.mode == "watching for changes"


def test_temporary_and_ignored_files_cause_no_pass(vault):
    _fast(vault)
    (vault.root / "templates").mkdir()
    (vault.root / ".obsidian").mkdir()
    with Running(vault.root) as w:
        for rel in (
            "contacts/4913",
            "contacts/.Ana.md.swp",
            "contacts/Ana.md~",
            ".obsidian/workspace.json",
            "templates/Contact.md",
            "contacts/Ana.md___jb_tmp___",
            "notes.txt",
            ".trash.md",
        ):
            (vault.root / rel).write_text("x")
        time.sleep(0.6)
        assert w.passes == [] and not w.watcher._dirty


def test_an_atomic_save_arrives_as_a_move_and_is_followed(vault):
    _fast(vault)
    vault.write("contacts/Ana.md", _contact_text("Ana", "2026-12-01"))
    with Running(vault.root) as w:
        tmp = vault.root / "contacts" / ".Ana.md.x7f3.tmp"
        tmp.write_text(_contact_text("Ana", "2026-12-09"))
        os.replace(tmp, vault.root / "contacts" / "Ana.md")
        w.wait_pass()
        assert "DTSTART;VALUE=DATE:20261209" in w.feed and "20261201" not in w.feed


def test_a_burst_is_one_pass(vault):
    vault.config("[watch]\ndebounce_ms = 700\nrescan_seconds = 0\n")
    with Running(vault.root) as w:
        for n in range(1000):
            (vault.root / "contacts" / f"P{n:04}.md").write_text(_contact_text(f"P{n:04}"))
        w.wait_pass(timeout=20)
        time.sleep(1.0)
        assert len(w.passes) == 1, w.lines
        assert w.passes[0].parsed == 1000 and w.passes[0].items == 1000


def test_git_busy_pauses_until_it_is_done(vault):
    _fast(vault)
    git = vault.root / ".git"
    git.mkdir()
    with Running(vault.root) as w:
        (git / "index.lock").write_text("")
        vault.write("contacts/Bo Li.md", _contact_text("Bo Li"))
        time.sleep(0.6)
        assert w.passes == []
        assert any("paused: git is busy (.git/index.lock)" in line for line in w.lines)
        # A merge stopped on a conflict: git writes MERGE_HEAD while it still holds the lock
        # (the other way round, a pass could slip in between).
        (git / "MERGE_HEAD").write_text("")
        (git / "index.lock").unlink()
        time.sleep(0.4)
        assert w.passes == []
        (git / "MERGE_HEAD").unlink()
        w.wait_pass()
        assert any("git is done" in line for line in w.lines)
        assert "Follow up with Bo Li" in w.feed
        time.sleep(0.3)
        assert len(w.passes) == 1


def test_dashboard_is_written_without_echo_and_never_over_a_note(vault):
    _fast(vault, 'dashboard = "Follow-ups.md"\n')
    vault.contact("Ana Ruiz", front="follow_up: 2026-11-20")
    with Running(vault.root) as w:
        board = (vault.root / "Follow-ups.md").read_text(encoding="utf-8")
        assert board.startswith("---\ntype: coffeechat-dashboard\n---\n")
        assert "## Overdue (1)" in board and "[[contacts/Ana Ruiz|Ana Ruiz]]" in board
        time.sleep(0.5)
        assert w.passes == []  # its own write is not a change
        vault.write("contacts/Bo Li.md", _contact_text("Bo Li", "2026-11-23"))
        assert w.wait_pass().dashboard_written
        assert "## Today (1)" in (vault.root / "Follow-ups.md").read_text(encoding="utf-8")
    mine = vault.write("Mine.md", "# My own follow-ups\n")
    vault.config('[watch]\ndebounce_ms = 100\nrescan_seconds = 0\ndashboard = "Mine.md"\n')
    with Running(vault.root) as w:
        assert any("Mine.md exists and is not coffeechat's dashboard" in line for line in w.lines)
    assert mine.read_text() == "# My own follow-ups\n"
    assert "dashboard" not in (vault.root / "contacts" / "Ana Ruiz.md").read_text()


def test_the_dashboard_funnel_and_tree_follow_each_save(vault):
    _fast(vault, 'dashboard = "Follow-ups.md"\n')
    vault.contact("Ana Ruiz", front='referred_by: "[[Bo Li]]"', log="2026-11-02 approach: hello")
    vault.contact("Bo Li")
    with Running(vault.root) as w:
        board = (vault.root / "Follow-ups.md").read_text(encoding="utf-8")
        assert '"met: 0 of 0"' in board and '["Ana Ruiz"]' in board and '["Bo Li"]' in board
        vault.meeting("2026-11-20T10:00", ["Ana Ruiz"])  # a new note: a full pass
        assert w.wait_pass().dashboard_written
        assert '"met: 1 of 1"' in (vault.root / "Follow-ups.md").read_text(encoding="utf-8")
        vault.contact("Bo Li", log="2026-11-21 approach: hi")  # a save: patched, not rebuilt
        assert w.wait_pass(2).dashboard_written
        assert '"approached: 2"' in (vault.root / "Follow-ups.md").read_text(encoding="utf-8")


def test_a_bad_note_or_a_failing_pass_never_stops_the_watcher(vault, monkeypatch):
    _fast(vault)
    with Running(vault.root) as w:
        vault.write("contacts/Broken.md", "---\nname: [unclosed\n---\n")
        first = w.wait_pass()
        assert first.error is None
        assert any(line.startswith("left out until fixed: contacts/Broken.md") for line in w.lines)
        from coffeechat.core.agenda import ahead

        def boom(*args: object, **kwargs: object) -> list[object]:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(ahead, "subject_items", boom)  # what every pass runs the rules with
        vault.write("contacts/Bo Li.md", _contact_text("Bo Li"))
        assert w.wait_pass(2).error == "unexpected RuntimeError: disk on fire"
        monkeypatch.undo()
        vault.write("contacts/Cy.md", _contact_text("Cy"))
        third = w.wait_pass(3)
        assert (
            third.error is None
            and "Follow up with Bo Li" in w.feed
            and "Follow up with Cy" in w.feed
        )
        assert w.thread.is_alive()


def test_settings_changes_are_picked_up(vault):
    _fast(vault)
    vault.contact("Ana Ruiz", front="follow_up: 2026-12-01")
    with Running(vault.root) as w:
        assert "X-WR-CALNAME:coffeechat follow-ups" in w.feed
        vault.config(
            '[watch]\ndebounce_ms = 100\nrescan_seconds = 0\n[feed]\nname = "Search"\n'
            'path = "Search.ics"\n'
        )
        w.wait_pass()
        assert w.watcher.feed_path == vault.root / "Search.ics"
        assert "X-WR-CALNAME:Search" in w.feed
        vault.config('[feed]\noverdue = "never"\n')
        w.wait_pass(2)
        assert any(
            "feed.overdue" in line and "keeping the previous settings" in line for line in w.lines
        )
        assert "X-WR-CALNAME:Search" in w.feed


class _Deaf:
    """An observer that never reports anything (inotify that dropped every event)."""

    def schedule(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def join(self, timeout: float | None = None) -> None:
        pass


def test_the_periodic_rescan_catches_dropped_events(vault):
    vault.config("[watch]\ndebounce_ms = 100\nrescan_seconds = 1\n")
    with Running(vault.root, observer_factory=_Deaf) as w:
        note = vault.write("contacts/Bo Li.md", _contact_text("Bo Li"))
        past = time.time() - 60  # not "racy": the index trusts its mtime from the first read
        os.utime(note, (past, past))
        update = w.wait_pass(timeout=5)
        assert update.reason == "rescan" and "Follow up with Bo Li" in w.feed
        w.wait_pass(2, timeout=5)
        assert w.passes[1].skipped  # nothing new: no rebuild, no write


def test_a_new_day_moves_overdue_items(vault):
    import datetime as dt

    _fast(vault)
    vault.contact("Ana Ruiz", front="follow_up: 2026-11-20")
    with Running(vault.root) as w:
        assert "DTSTART;VALUE=DATE:20261123" in w.feed
        w.watcher.fixed_today = dt.date(2026, 11, 24)
        update = w.wait_pass(timeout=5)
        assert update.reason == "new day" and "DTSTART;VALUE=DATE:20261124" in w.feed


class _Exhausted:
    """An inotify observer that cannot start: the watch limit is reached."""

    def schedule(self, *args: object, **kwargs: object) -> None:
        pass

    def start(self) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    def stop(self) -> None:
        pass


def test_falls_back_to_polling_when_the_observer_cannot_start(vault):
    vault.config("[watch]\ndebounce_ms = 100\nrescan_seconds = 0\npoll_seconds = 1\n")
    with Running(vault.root, observer_factory=_Exhausted) as w:
        assert w.watcher.mode == "polling every 1 s"
        assert any(
            "limit of watched folders" in line and "max_user_watches" in line for line in w.lines
        )
        vault.write("contacts/Bo Li.md", _contact_text("Bo Li"))
        w.wait_pass(timeout=10)
        assert "Follow up with Bo Li" in w.feed


def test_poll_option_and_network_shares_poll(vault):
    vault.config("[watch]\npoll_seconds = 1\n")
    with Running(vault.root, poll=True) as w:
        assert w.watcher.mode == "polling every 1 s" and w.lines[-1].startswith("start:")
    mounts = f"/dev/sda1 / ext4 rw 0 0\n//nas/s {vault.root} cifs rw 0 0\n"
    with Running(vault.root, mounts=mounts) as w:
        assert w.watcher.mode == "polling every 1 s"
        assert "cifs file system" in w.lines[0]


def test_a_dashboard_outside_the_vault_is_refused(vault):
    from coffeechat.errors import CoffeechatError

    settings, _ = load_settings(vault.root)
    for value in ("../Elsewhere.md", "Follow-ups.txt", "missing/Follow-ups.md"):
        vault.config(f'[watch]\ndashboard = "{value}"\n')
        settings, _ = load_settings(vault.root)
        with pytest.raises(CoffeechatError):
            Watcher(vault.root, settings)


def test_a_note_added_removed_or_renamed_is_patched_in_not_a_whole_refresh(vault):
    """A new note, a deleted one and a renamed one each cost the watcher only those notes
    (and the feed still equals a fresh one: the names they move are followed)."""
    _fast(vault)
    for n in range(20):
        vault.contact(f"Person {n:02}", front="follow_up: 2026-12-01")
    vault.meeting("2026-11-10", ["Cy New"], front='referrals:\n  - "[[Someone Else]]"')
    with Running(vault.root) as w:
        vault.write(
            "contacts/Cy New.md", _contact_text("Cy New")
        )  # the meeting's link now resolves
        added = w.wait_pass()
        assert (added.parsed, added.removed, added.error) == (1, 0, None)
        assert "Follow up with Cy New" in w.feed and "Send Cy New a thank-you" in w.feed
        (vault.root / "contacts" / "Person 03.md").unlink()
        removed = w.wait_pass(2)
        assert (removed.parsed, removed.removed, removed.error) == (0, 1, None)
        assert "Follow up with Person 03" not in w.feed
        os.rename(vault.root / "contacts" / "Cy New.md", vault.root / "contacts" / "Cy Renamed.md")
        renamed = w.wait_pass(3)
        assert (renamed.parsed, renamed.removed, renamed.error) == (1, 1, None)
        feed = w.feed
    from click.testing import CliRunner

    from coffeechat.cli import cli

    fresh = vault.root.parent / "fresh.ics"
    result = CliRunner().invoke(
        cli,
        ["--vault", str(vault.root), "--today", TODAY_TEXT, "feed", "-o", str(fresh)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert feed == fresh.read_bytes().decode("utf-8").replace("\r\n ", "")


def test_the_watcher_follows_the_store_when_another_command_moved_it_on(vault):
    """The watcher keeps no agenda of its own: a save that `coffeechat due` brought into the
    store before the watcher's pass still reaches the feed, and a pass with nothing new in the
    store writes nothing."""
    import datetime as dt

    from click.testing import CliRunner

    from coffeechat.cli import cli

    _fast(vault)
    settings, _ = load_settings(vault.root)
    lines: list[str] = []
    watcher = Watcher(
        vault.root, settings, today=dt.date.fromisoformat(TODAY_TEXT), report=lines.append
    )
    assert watcher.update("start", force=True).error is None
    assert watcher.update("rescan").skipped
    vault.write("contacts/Bo Li.md", _contact_text("Bo Li"))
    ran = CliRunner().invoke(
        cli, ["--vault", str(vault.root), "--today", TODAY_TEXT, "due", "--all"]
    )
    assert ran.exit_code == 0 and "Bo Li" in ran.output
    moved = watcher.update("save", {"contacts/Bo Li.md"})
    assert moved.error is None and not moved.skipped
    assert "Follow up with Bo Li" in watcher.feed_path.read_text(encoding="utf-8")
    assert watcher.update("rescan").skipped
