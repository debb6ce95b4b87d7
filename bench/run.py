#!/usr/bin/env python3
"""coffeechat's benchmark: how fast the installed `coffeechat` is on synthetic vaults.

    python3 bench/run.py [--sizes 1000,10000,30000] [--rounds 5] [--work DIR] [--json FILE]
                         [--generator PATH] [--today 2026-06-01] [--watch-sizes 1000,10000]

For each vault size (contacts; a vault holds about 4.1 notes per contact) it makes a vault
with bench/make_vault.py (or --generator), cached under --work (default
~/.cache/coffeechat-bench) and reused while the generator and its arguments are the same,
then runs ROUNDS rounds. Every round runs each measurement once, so drift of the machine
hits them all alike; the figures are medians over the rounds, and each ratio is computed
per round, then medianed.

Floors, each in a child `python3 -c` (the time of the work alone, without start-up):
  walk     stat every note (os.scandir recursion, dot-folders and templates/ left out)
  read     read every note's bytes
  naive    python-frontmatter's `frontmatter.load` on every note
Ours, each a whole `coffeechat --vault V --today D ...` process (wall clock, peak memory):
  help         `coffeechat --help`
  cold_index   `index` (or `check` where there is no `index` command) with no cache
  cold_due     `due` with no cache
  warm_due     `due` again, nothing changed
  changed_due  `due` after one contact note got a new log line
  feed         `feed -o FILE` with a warm cache, nothing changed since the last feed
  new_day_due  `due` on the next day (each round a later one): the first run of a day
  added_due, removed_due, renamed_due
               `due` after a contact note was added, removed again, or renamed
  add          `add contact NAME` itself
  check, list, show, search, stats
               `check`, `list contacts --json`, `show NAME`, `search WORD`, `stats`
  watch        (sizes in --watch-sizes) `watch -o FILE` running; a contact note is saved
               the way editors do, with a new follow_up date: seconds from the save to
               the feed holding that date

Writes the results as JSON (--json, default bench/results.json) and prints Markdown tables:
one row per size, then the targets and whether they are met. Progress goes to stderr.
Every note the benchmark edits is put back byte for byte at the end (a note left edited by
a killed run is put back by the next run). Standard library only; the naive floor needs
python-frontmatter (pip install python-frontmatter), and is reported as missing without it.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OWN_GENERATOR = HERE / "make_vault.py"
DEFAULT_SIZES = (1000, 10000, 30000)
DEFAULT_WATCH_MAX = 10000

#: The order of the measurements within a round (cold -> warm -> changed -> feed must stay).
FLOORS = ("walk", "read", "naive")
OURS = ("help", "cold_index", "cold_due", "warm_due", "changed_due", "feed", "new_day_due",
        "added_due", "removed_due", "renamed_due", "add", "check", "list", "show", "search",
        "stats")
#: What is measured after an action: ``due`` over a warm ``due`` (seconds more) ...
AFTER_ACTIONS = ("changed_due", "new_day_due", "added_due", "removed_due", "renamed_due", "add")
#: ... and the other commands, against a warm ``due`` (times as long).
COMMANDS = ("feed", "check", "list", "show", "search", "stats")
PEAKS = ("cold_index", "cold_due", "warm_due", "feed")

# The floors, run as `python3 -c FLOOR_SCRIPT MODE VAULT`; prints one JSON line.
FLOOR_SCRIPT = r'''
import json, os, sys, time
mode, root = sys.argv[1], sys.argv[2]
if mode == "naive":
    import frontmatter
def walk(root):
    found, stack = [], [root]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name.startswith(".") or (folder == root and name == "templates"):
                        continue
                    stack.append(entry.path)
                elif (name.endswith(".md") and name != "conflict-files-obsidian-git.md"
                      and entry.is_file()):
                    found.append((entry.path, entry.stat().st_size))
    return found
errors = 0
started = time.perf_counter()
notes = walk(root)
if mode == "read":
    for path, _ in notes:
        with open(path, "rb") as handle:
            handle.read()
elif mode == "naive":
    for path, _ in notes:
        try:
            frontmatter.load(path)
        except Exception:
            errors += 1
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "notes": len(notes),
                  "bytes": sum(size for _, size in notes), "errors": errors}))
'''


class BenchError(Exception):
    """A measurement could not be made (a failing coffeechat, a watcher that never wrote)."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.rstrip().splitlines()[-lines:])


# -- child processes -------------------------------------------------------------------------


class Child:
    """A finished child: wall-clock seconds, exit code, peak RSS in MB, its output."""

    def __init__(self, seconds: float, code: int, peak_mb: float, out: str, err: str) -> None:
        self.seconds, self.code, self.peak_mb, self.out, self.err = seconds, code, peak_mb, out, err


def run_child(argv: list[str], *, capture_stdout: bool = False) -> Child:
    """Run ``argv``, timed with perf_counter around start and os.wait4 (whose rusage gives
    this child's peak memory: ru_maxrss, in KB on Linux)."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=out if capture_stdout else subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        err.seek(0)
        out.seek(0)
        scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS
        return Child(seconds, proc.returncode, usage.ru_maxrss / scale,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def checked(child: Child, argv: list[str], allowed: tuple[int, ...] = (0,)) -> Child:
    if child.code not in allowed or "Traceback (most recent call last)" in child.err:
        raise BenchError(f"`{' '.join(argv)}` failed (exit code {child.code}); the end of its"
                         f" stderr:\n{tail(child.err) or '(empty)'}")
    return child


# -- vaults ----------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def generator_tag(generator: Path) -> str:
    if generator == OWN_GENERATOR:
        return "own"
    return "gen-" + hashlib.sha256(str(generator).encode()).hexdigest()[:10]


def ensure_vault(work: Path, generator: Path, contacts: int, seed: int | None,
                 today: str) -> Path:
    """The vault for these arguments under WORK/vaults, generated unless a finished one with
    the same generator (path and content) and arguments is there."""
    vaults = work / "vaults"
    vaults.mkdir(parents=True, exist_ok=True)
    name = f"{generator_tag(generator)}-c{contacts}-s{'def' if seed is None else seed}-{today}"
    vault = vaults / name
    stamp = vaults / f"{name}.stamp.json"
    wanted = {"generator": str(generator), "generator_sha256": file_sha256(generator),
              "contacts": contacts, "seed": seed, "today": today}
    try:
        have = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        have = None
    if isinstance(have, dict) and all(have.get(k) == v for k, v in wanted.items()) \
            and vault.is_dir():
        log(f"reusing the vault {vault}")
        return vault
    stamp.unlink(missing_ok=True)
    if vault.exists():
        assert vault.resolve().parent == vaults.resolve()  # never delete outside the work dir
        shutil.rmtree(vault)
    log(f"generating a vault of {contacts} contacts in {vault} with {generator} ...")
    argv = [sys.executable, str(generator), str(vault), "--contacts", str(contacts),
            *(["--seed", str(seed)] if seed is not None else []), "--today", today, "--quiet"]
    started = time.perf_counter()
    child = run_child(argv)
    if child.code != 0:
        raise BenchError(f"the vault generator failed (exit code {child.code}):"
                         f" {' '.join(argv)}\n{tail(child.err)}")
    stamp.write_text(json.dumps({**wanted, "seconds": round(time.perf_counter() - started, 2),
                                 "finished": dt.datetime.now().isoformat(timespec="seconds")},
                                indent=2) + "\n", encoding="utf-8")
    log(f"generated in {time.perf_counter() - started:.1f} s")
    return vault


def note_paths(root: Path) -> list[Path]:
    """The notes the floors and coffeechat read (the same rules as FLOOR_SCRIPT's walk)."""
    found, stack = [], [str(root)]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    if name.startswith(".") or (folder == str(root) and name == "templates"):
                        continue
                    stack.append(entry.path)
                elif (name.endswith(".md") and name != "conflict-files-obsidian-git.md"
                      and entry.is_file()):
                    found.append(Path(entry.path))
    return found


# -- the notes we edit -----------------------------------------------------------------------

FRONT_NAME = re.compile(r"(?m)^name:[ \t]*(.+?)[ \t]*$")


def _front(text: str) -> str | None:
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    return text[4:end + 1] if end > 0 else None


def _name(front: str) -> str | None:
    match = FRONT_NAME.search(front)
    if not match:
        return None
    name = match[1]
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1]
    return name if name and not any(c in name for c in "[]{}#\"'\\:|") else None


def pick_contacts(root: Path, count: int) -> list[tuple[Path, str]]:
    """``count`` healthy contact notes, a deterministic choice: starting with ---, no CR, UTF-8,
    `type: contact`, no status, a plain name no other contact has, valid YAML if PyYAML is
    there, a `## Log` heading."""
    try:
        import yaml  # coffeechat's own dependency; only a check here
    except ImportError:
        yaml = None
    folder = root / "contacts"
    paths = sorted(folder.rglob("*.md")) if folder.is_dir() else sorted(note_paths(root))
    names: Counter[str] = Counter()
    candidates = []
    for path in paths:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        front = _front(text)
        if front is None:
            continue
        name = _name(front)
        if name:
            names[name.casefold()] += 1
        if (name is None or b"\r" in data or "\n<<<<<<<" in text
                or not re.search(r"(?m)^type:[ \t]*contact[ \t]*$", front)
                or re.search(r"(?m)^status:", front) or "\n## Log\n" not in text):
            continue
        if yaml is not None:
            try:
                meta = yaml.safe_load(front)
            except Exception:  # noqa: BLE001 - any YAML error: not a healthy note
                meta = None
            if not isinstance(meta, dict) or meta.get("type") != "contact" \
                    or meta.get("name") != name:
                continue
        candidates.append((path, name))
    picked = [(p, n) for p, n in candidates if names[n.casefold()] == 1][:count]
    if len(picked) < count:
        raise BenchError(f"only {len(picked)} healthy contact notes in {root}; need {count}")
    return picked


def with_log_line(text: str, line: str) -> str:
    """``text`` with ``line`` appended to its `## Log` section (else to its end)."""
    match = re.search(r"(?m)^## Log[ \t]*\n", text)
    if not match:
        return text + ("" if text.endswith("\n") else "\n") + line + "\n"
    following = re.compile(r"(?m)^#{1,6} ").search(text, match.end())
    end = following.start() if following else len(text)
    section = text[match.end():end]
    body = section.rstrip("\n")
    gap = section[len(body):]
    return (text[:match.end()] + (body + "\n" if body else "") + line + "\n" + gap[1:]
            + text[end:])


def with_follow_up(text: str, day: dt.date) -> str:
    """``text`` with ``follow_up: day`` first in its front matter (replacing any follow_up)."""
    front = _front(text)
    assert front is not None
    rest = text[4 + len(front):]  # the closing ---
    front = re.sub(r"(?m)^follow_up:.*\n", "", front, count=1)
    return "---\nfollow_up: " + day.isoformat() + "\n" + front + rest


def atomic_save(path: Path, data: bytes) -> None:
    """Save the way Obsidian and vim do: a temporary file beside the note, renamed onto it."""
    tmp = path.parent / f".{path.name}.bench.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Journal:
    """Original bytes of the notes being edited, kept on disk until they are put back, so a
    run killed mid-way is repaired by the next one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.saved: dict[str, bytes] = {}

    def recover(self) -> None:
        try:
            saved = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        for where, data in saved.items():
            log(f"putting back {where}, left edited by an earlier run")
            atomic_save(Path(where), base64.b64decode(data))
        self.path.unlink()

    def keep(self, path: Path) -> bytes:
        data = path.read_bytes()
        self.saved.setdefault(str(path), data)
        self.path.write_text(json.dumps({k: base64.b64encode(v).decode()
                                         for k, v in self.saved.items()}), encoding="utf-8")
        return self.saved[str(path)]

    def restore(self) -> None:
        for where, data in self.saved.items():
            path = Path(where)
            if not path.exists() or path.read_bytes() != data:
                atomic_save(path, data)
        self.saved.clear()
        self.path.unlink(missing_ok=True)


# -- the measurements ------------------------------------------------------------------------


def drop(cache: Path) -> None:
    """Remove the vault's cache folder (a cold start)."""
    if cache.exists():
        shutil.rmtree(cache)


class Bench:
    def __init__(self, args: argparse.Namespace, exe: str, index_command: str,
                 has_frontmatter: bool) -> None:
        self.args = args
        self.exe = exe
        self.today = args.today
        self.index_command = index_command
        self.has_frontmatter = has_frontmatter

    def cc(self, vault: Path, *command: str, today: str | None = None) -> list[str]:
        return [self.exe, "--vault", str(vault), "--today", today or self.today, *command]

    def floor(self, mode: str, vault: Path) -> tuple[float, dict[str, Any], Child]:
        argv = [sys.executable, "-c", FLOOR_SCRIPT, mode, str(vault)]
        child = checked(run_child(argv, capture_stdout=True), [sys.executable, "-c", "...", mode])
        info = json.loads(child.out.strip().splitlines()[-1])
        return info["seconds"], info, child

    def ours(self, argv: list[str], allowed: tuple[int, ...] = (0,)) -> Child:
        return checked(run_child(argv), argv, allowed)

    def size(self, contacts: int, vault: Path, work: Path, watch: bool) -> dict[str, Any]:
        args = self.args
        paths = note_paths(vault)
        row: dict[str, Any] = {
            "size": contacts, "contacts": contacts, "vault": str(vault), "notes": len(paths),
            "bytes": sum(p.stat().st_size for p in paths), "index_command": self.index_command,
        }
        journal = Journal(work / "vaults" / f"{vault.name}.restore.json")
        journal.recover()
        (changed, _), *rest = pick_contacts(vault, 4)
        row["changed_note"] = str(changed.relative_to(vault))
        samples: dict[str, list[float]] = {m: [] for m in (*FLOORS, *OURS)}
        peaks: dict[str, list[float]] = {m: [] for m in (*PEAKS, "naive")}
        processes: dict[str, list[float]] = {m: [] for m in FLOORS}  # floors with start-up
        cache = vault / ".coffeechat"
        feed_out = work / f"{vault.name}.feed.ics"
        log_day = (dt.date.fromisoformat(self.today) - dt.timedelta(days=2)).isoformat()
        try:
            original = journal.keep(changed).decode("utf-8")
            for rnd in range(1, args.rounds + 1):
                seen: list[str] = []
                for mode in FLOORS:
                    if mode == "naive" and not self.has_frontmatter:
                        continue
                    seconds, info, child = self.floor(mode, vault)
                    samples[mode].append(seconds)
                    processes[mode].append(child.seconds)
                    if mode == "naive":
                        peaks["naive"].append(child.peak_mb)
                        row["naive_errors"] = info["errors"]
                    seen.append(f"{mode} {seconds:.3f}")
                samples["help"].append(self.ours([self.exe, "--help"]).seconds)
                seen.append(f"help {samples['help'][-1]:.3f}")

                drop(cache)
                argv = self.cc(vault, self.index_command)
                child = self.ours(argv, (0, 1) if self.index_command == "check" else (0,))
                samples["cold_index"].append(child.seconds)
                peaks["cold_index"].append(child.peak_mb)

                drop(cache)
                child = self.ours(self.cc(vault, "due"))
                samples["cold_due"].append(child.seconds)
                peaks["cold_due"].append(child.peak_mb)

                child = self.ours(self.cc(vault, "due"))
                samples["warm_due"].append(child.seconds)
                peaks["warm_due"].append(child.peak_mb)

                before = changed.stat().st_mtime_ns
                edited = with_log_line(original, f"- {log_day} follow_up: bench round {rnd}")
                changed.write_bytes(edited.encode("utf-8"))
                if changed.stat().st_mtime_ns == before:  # a coarse clock: bump it anyway
                    os.utime(changed, ns=(before + 1_000_000, before + 1_000_000))
                samples["changed_due"].append(self.ours(self.cc(vault, "due")).seconds)

                self.ours(self.cc(vault, "feed", "-o", str(feed_out)))  # its events kept
                child = self.ours(self.cc(vault, "feed", "-o", str(feed_out)))
                samples["feed"].append(child.seconds)
                peaks["feed"].append(child.peak_mb)
                self.everyday(vault, changed, original, rnd, samples)
                for m in ("cold_index", "cold_due", "warm_due", "changed_due", "feed",
                          "new_day_due", "added_due", "removed_due", "renamed_due", "add",
                          "check", "list", "show", "search", "stats"):
                    seen.append(f"{m} {samples[m][-1]:.3f}")
                log(f"{contacts} contacts, round {rnd}/{args.rounds}: " + ", ".join(seen))
            journal.restore()
            if watch:
                row["watch"] = self.watch(vault, work, journal, rest)
        finally:
            journal.restore()
            feed_out.unlink(missing_ok=True)

        row["metrics"] = {m: summary(v) for m, v in samples.items()}
        if "watch" in row:
            row["metrics"]["watch_save_to_feed"] = summary(row["watch"]["samples"])
        else:
            row["metrics"]["watch_save_to_feed"] = None
        if not self.has_frontmatter:
            row["metrics"]["naive"] = None
        row["peak_mb"] = {m: summary(v) for m, v in peaks.items() if v}
        row["floor_process_seconds"] = {m: summary(v) for m, v in processes.items() if v}
        row["ratios"] = ratios(samples)
        return row

    def everyday(self, vault: Path, note: Path, original: str, rnd: int,
                 samples: dict[str, list[float]]) -> None:
        """The everyday actions, each a whole process on a warm cache: the first `due` of a
        new day (a later one each round), `due` after a note was added, removed and renamed,
        `add contact`, and the commands that read the whole vault."""
        day = (dt.date.fromisoformat(self.today) + dt.timedelta(days=rnd)).isoformat()
        samples["new_day_due"].append(self.ours(self.cc(vault, "due", today=day)).seconds)
        self.ours(self.cc(vault, "due"))  # back to the benchmark's day
        name = _name(_front(original) or "") or "Someone"
        added = note.with_name(f"Bench Added {rnd}.md")
        added.write_text(original.replace(name, f"Bench Added {rnd}"), encoding="utf-8")
        try:
            samples["added_due"].append(self.ours(self.cc(vault, "due")).seconds)
        finally:
            added.unlink(missing_ok=True)
        samples["removed_due"].append(self.ours(self.cc(vault, "due")).seconds)
        renamed = note.with_name(f"{note.stem} (renamed {rnd}).md")
        os.rename(note, renamed)
        try:
            samples["renamed_due"].append(self.ours(self.cc(vault, "due")).seconds)
        finally:
            os.rename(renamed, note)
        self.ours(self.cc(vault, "due"))
        person = f"Bench Person {rnd}"
        try:
            samples["add"].append(self.ours(self.cc(vault, "add", "contact", person)).seconds)
        finally:
            for made in (vault / "contacts").glob(f"{person}*.md"):
                made.unlink()
        self.ours(self.cc(vault, "due"))
        samples["check"].append(self.ours(self.cc(vault, "check"), (0, 1)).seconds)
        samples["list"].append(self.ours(self.cc(vault, "list", "contacts", "--json")).seconds)
        samples["show"].append(self.ours(self.cc(vault, "show", name)).seconds)
        samples["search"].append(self.ours(self.cc(vault, "search", "referral"), (0, 1)).seconds)
        samples["stats"].append(self.ours(self.cc(vault, "stats")).seconds)

    # -- watch -------------------------------------------------------------------------------
    def watch(self, vault: Path, work: Path, journal: Journal,
              notes: list[tuple[Path, str]]) -> dict[str, Any]:
        """Seconds from an editor-style save of a contact note to the feed holding its new
        follow_up date, while `coffeechat watch -o FEED` runs."""
        args = self.args
        feed = work / f"{vault.name}.watch.ics"
        feed.unlink(missing_ok=True)
        argv = self.cc(vault, "watch", "-o", str(feed))
        lines: queue.Queue[str] = queue.Queue()
        output: list[str] = []
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace",
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})

        def drain() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line.rstrip("\n"))

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()

        def take() -> None:
            while True:
                try:
                    output.append(lines.get_nowait())
                except queue.Empty:
                    return

        def fail(message: str) -> BenchError:
            take()
            return BenchError(f"{message}; `{' '.join(argv)}` said:\n"
                              f"{tail(chr(10).join(output)) or '(nothing)'}")

        result: dict[str, Any] = {"samples": []}
        try:
            deadline = time.monotonic() + args.watch_timeout
            while True:  # wait for the first pass: the feed written and the watcher's word
                take()
                if feed.exists() and any(re.search(r"Ctrl-C|watching for|polling every", line)
                                         for line in output):
                    break
                if proc.poll() is not None:
                    reader.join(timeout=5)
                    raise fail(f"the watcher stopped (exit code {proc.returncode})"
                               " before its first pass")
                if time.monotonic() > deadline:
                    raise fail(f"the watcher's first pass took over {args.watch_timeout} s")
                time.sleep(0.02)
            result["startup_seconds"] = time.perf_counter() - started
            log(f"watcher up in {result['startup_seconds']:.2f} s")
            today = dt.date.fromisoformat(self.today)
            saves = 0
            note_index = 0
            path, name = notes[note_index]
            original = journal.keep(path).decode("utf-8")
            used = set(re.findall(r"\d{4}-\d{2}-\d{2}", original))
            while saves < args.rounds + 1:  # the first save warms up, and is not counted
                day = today + dt.timedelta(days=3 + saves)
                while day.isoformat() in used:
                    day += dt.timedelta(days=args.rounds + 1)
                used.add(day.isoformat())
                time.sleep(args.watch_pause)
                took = self.one_save(proc, feed, path, name, original, day,
                                     args.watch_save_timeout)
                if took is None:
                    if saves == 0 and note_index + 1 < len(notes):
                        log(f"the feed never showed a follow-up for {name}; trying another note")
                        atomic_save(path, original.encode("utf-8"))
                        note_index += 1
                        path, name = notes[note_index]
                        original = journal.keep(path).decode("utf-8")
                        used = set(re.findall(r"\d{4}-\d{2}-\d{2}", original))
                        continue
                    raise fail(f"the feed did not show {name}'s follow-up on {day} within"
                               f" {args.watch_save_timeout} s of the save")
                if saves == 0:
                    result["warmup_seconds"] = took
                else:
                    result["samples"].append(took)
                    log(f"watch save {saves}/{args.rounds}: {took:.3f} s")
                saves += 1
            result["note"] = str(path.relative_to(vault))
        finally:
            journal.restore()
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            reader.join(timeout=5)
            take()
            feed.unlink(missing_ok=True)
        if proc.returncode not in (0, 130, -signal.SIGINT) \
                or any("Traceback (most recent call last)" in line for line in output):
            raise fail(f"the watcher ended badly (exit code {proc.returncode})")
        passes = [float(m[1]) for line in output if " change" in line
                  and (m := re.search(r"([0-9.]+) s\)\s*$", line))]
        if passes:
            result["watcher_pass_seconds"] = summary(passes)
        return result

    @staticmethod
    def one_save(proc: subprocess.Popen[str], feed: Path, path: Path, name: str, original: str,
                 day: dt.date, timeout: float) -> float | None:
        """Save ``path`` with follow_up ``day``; seconds until the feed shows it (None if not
        within ``timeout``). The feed file is polled every 5 ms."""
        marker = f"DTSTART;VALUE=DATE:{day:%Y%m%d}".encode()
        summary_line = b"SUMMARY:Follow up with " + ics_escape(name).encode("utf-8")

        def key() -> tuple[int, int, int] | None:
            try:
                st = os.stat(feed)
            except FileNotFoundError:
                return None
            return st.st_ino, st.st_mtime_ns, st.st_size

        before = key()
        atomic_save(path, with_follow_up(original, day).encode("utf-8"))
        t0 = time.perf_counter()
        while True:
            now = key()
            if now != before:
                t1 = time.perf_counter()
                before = now
                try:
                    data = feed.read_bytes()
                except FileNotFoundError:
                    data = b""
                if shows(data, summary_line, marker):
                    return t1 - t0
            if time.perf_counter() - t0 > timeout or proc.poll() is not None:
                return None
            time.sleep(0.005)


def ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def shows(feed: bytes, summary_line: bytes, marker: bytes) -> bool:
    """Whether an event of ``feed`` has this summary (prefix) and this DTSTART."""
    data = feed.replace(b"\r\n ", b"").replace(b"\n ", b"")
    at = data.find(summary_line)
    while at >= 0:
        start = data.rfind(b"BEGIN:VEVENT", 0, at)
        end = data.find(b"END:VEVENT", at)
        if marker in data[start:end if end >= 0 else len(data)]:
            return True
        at = data.find(summary_line, at + 1)
    return False


# -- numbers ---------------------------------------------------------------------------------


def summary(values: list[float]) -> dict[str, Any] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "samples": list(values)}


RATIOS = {  # name: (numerator, denominator, subtract?)
    "naive_over_cold_index": ("naive", "cold_index", False),
    "cold_index_over_naive": ("cold_index", "naive", False),
    "naive_over_cold_due": ("naive", "cold_due", False),
    "cold_index_over_walk": ("cold_index", "walk", False),
    "warm_due_over_walk": ("warm_due", "walk", False),
    "warm_due_over_read": ("warm_due", "read", False),
    "changed_due_over_walk": ("changed_due", "walk", False),
    "feed_over_walk": ("feed", "walk", False),
    "changed_minus_warm": ("changed_due", "warm_due", True),
    **{f"{m.removesuffix('_due')}_minus_warm": (m, "warm_due", True)
       for m in AFTER_ACTIONS if m != "changed_due"},
    **{f"{m}_over_warm": (m, "warm_due", False) for m in COMMANDS},
}


def ratios(samples: dict[str, list[float]]) -> dict[str, Any]:
    out = {}
    for name, (a, b, minus) in RATIOS.items():
        pairs = list(zip(samples.get(a, []), samples.get(b, []), strict=False))
        values = [x - y if minus else x / y for x, y in pairs if minus or y > 0]
        out[name] = summary(values)
    return out


def med(row: dict[str, Any], group: str, name: str) -> float | None:
    entry = (row.get(group) or {}).get(name)
    return entry["median"] if entry else None


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The project's performance targets, each judged at its size (or, when that size was
    not run, at the largest that was, marked as such)."""
    by_size = {row["size"]: row for row in rows}

    def at(size: int | None) -> dict[str, Any] | None:
        if size in by_size:
            return by_size[size]
        smaller = [s for s in by_size if size is None or s <= size]
        return by_size[max(smaller)] if smaller else None

    out = []

    def add(name: str, goal: str, size: int | None, value: float | None, unit: str,
            ok: Any, row: dict[str, Any] | None) -> None:
        out.append({"target": name, "goal": goal, "size": size,
                    "measured_at": row["size"] if row else None, "measured": value,
                    "unit": unit, "met": None if value is None else bool(ok(value)),
                    "at_target_size": bool(row) and (size is None or row["size"] == size)})

    row = at(30000)
    add("cold index vs naive frontmatter (naive / cold_index)", ">= 1.5x", 30000,
        med(row, "ratios", "naive_over_cold_index") if row else None, "x",
        lambda v: v >= 1.5, row)
    add("warm due vs stat-only walk (warm_due / walk)", "<= 2x", 30000,
        med(row, "ratios", "warm_due_over_walk") if row else None, "x",
        lambda v: v <= 2, row)
    for m in AFTER_ACTIONS:
        ratio = "changed_minus_warm" if m == "changed_due" else f"{m.removesuffix('_due')}_minus_warm"
        add(f"{m} - warm_due", "<= 0.250 s", 30000, med(row, "ratios", ratio) if row else None,
            "s", lambda v: v <= 0.250, row)
    for m in COMMANDS:
        add(f"{m} / warm_due", "<= 2x", 30000, med(row, "ratios", f"{m}_over_warm") if row else None,
            "x", lambda v: v <= 2, row)
    watched = [r for r in rows if r["metrics"].get("watch_save_to_feed")]
    wrow = next((r for r in watched if r["size"] == 10000), None) \
        or (max(watched, key=lambda r: r["size"]) if watched else None)
    add("watch: save -> feed (median)", "<= 0.200 s", 10000,
        med(wrow, "metrics", "watch_save_to_feed") if wrow else None, "s",
        lambda v: v <= 0.200, wrow)
    helps = [x for r in rows for x in (r["metrics"].get("help") or {}).get("samples", [])]
    out.append({"target": "coffeechat --help start-up", "goal": "<= 0.150 s", "size": None,
                "measured_at": None, "unit": "s", "at_target_size": True,
                "measured": statistics.median(helps) if helps else None,
                "met": statistics.median(helps) <= 0.150 if helps else None})
    row = at(30000)
    for names, goal in ((("cold_index", "feed"), 300), (("warm_due",), 120)):
        peak = None
        if row:
            peak = max((x for m in names for x in (row["peak_mb"].get(m) or {}).get("samples", [])),
                       default=None)
        add(f"peak memory ({', '.join(names)})", f"<= {goal} MB", 30000, peak, "MB",
            lambda v, goal=goal: v <= goal, row)
    return out


# -- output ----------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def markdown(rows: list[dict[str, Any]], goals: list[dict[str, Any]]) -> str:
    head = ["contacts", "notes", "walk s", "read s", "naive s", "cold index s", "cold due s",
            "warm due s", "changed due s", "new day due s", "added due s", "renamed due s",
            "add s", "feed s", "check s", "list s", "show s", "search s", "stats s", "watch s",
            "help s", "peak MB", "naive/index", "warm/walk"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    for row in rows:
        peak = max((row["peak_mb"][m]["median"] for m in PEAKS if row["peak_mb"].get(m)),
                   default=None)
        cells = [str(row["contacts"]), str(row["notes"])]
        cells += [fmt(med(row, "metrics", m)) for m in
                  ("walk", "read", "naive", "cold_index", "cold_due", "warm_due", "changed_due",
                   "new_day_due", "added_due", "renamed_due", "add", "feed", "check", "list",
                   "show", "search", "stats", "watch_save_to_feed", "help")]
        cells += [fmt(peak, 0), fmt(med(row, "ratios", "naive_over_cold_index"), 1),
                  fmt(med(row, "ratios", "warm_due_over_walk"), 2)]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "| target | goal | measured | met? |", "|---|---|---:|:---:|"]
    footnote = False
    for goal in goals:
        value = goal["measured"]
        digits = 1 if goal["unit"] in ("x", "MB") else 3
        shown = "—" if value is None else f"{value:.{digits}f} {goal['unit']}".replace(" x", "x")
        where = goal["target"] + (f" at {goal['size']}" if goal["size"] else "")
        if value is not None and not goal["at_target_size"]:
            shown += f" (at {goal['measured_at']}) *"
            footnote = True
        met = "not run" if goal["met"] is None else ("yes" if goal["met"] else "NO")
        lines.append(f"| {where} | {goal['goal']} | {shown} | {met} |")
    if footnote:
        lines.append("\n\\* measured at a smaller size than the target's: run the full sizes"
                     " for the real verdict.")
    return "\n".join(lines)


def machine(exe: str) -> dict[str, Any]:
    version = subprocess.run([exe, "--version"], check=False, capture_output=True,
                             text=True)
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "coffeechat": (version.stdout or version.stderr).strip(),
        "coffeechat_executable": exe,
    }


# -- main ------------------------------------------------------------------------------------


def int_list(text: str, empty: bool = False) -> list[int]:
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of numbers: {text!r}") from None
    if (not values and not empty) or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"sizes must be positive: {text!r}")
    return values


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("--sizes", type=int_list, default=list(DEFAULT_SIZES),
                        help="vault sizes in contacts, comma-separated (default: 1000,10000,30000)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds per size; the figures are medians over them (default: 5)")
    parser.add_argument("--watch-sizes", type=lambda text: int_list(text, empty=True),
                        default=None,
                        help="sizes at which to measure watch save-to-feed, '' for none"
                             f" (default: the sizes up to {DEFAULT_WATCH_MAX})")
    parser.add_argument("--work", type=Path, default=cache / "coffeechat-bench",
                        help="where the generated vaults are kept (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=HERE / "results.json",
                        help="write the results here (default: bench/results.json)")
    parser.add_argument("--generator", type=Path, default=OWN_GENERATOR,
                        help="the make_vault.py to use (default: bench/make_vault.py)")
    parser.add_argument("--today", default="2026-06-01",
                        help="the date for the generator and coffeechat (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=None,
                        help="the generator's seed (default: the generator's own)")
    parser.add_argument("--coffeechat", default=None,
                        help="the coffeechat command to measure (default: the one on PATH)")
    parser.add_argument("--watch-pause", type=float, default=1.5,
                        help="seconds between two saves while watching (default: 1.5)")
    parser.add_argument("--watch-timeout", type=float, default=600.0,
                        help="longest wait for the watcher's first pass (default: 600)")
    parser.add_argument("--watch-save-timeout", type=float, default=60.0,
                        help="longest wait for the feed after a save (default: 60)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with 1 when a measured target is not met")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    try:
        dt.date.fromisoformat(args.today)
    except ValueError:
        parser.error(f"--today is not a YYYY-MM-DD date: {args.today!r}")
    if args.watch_sizes is None:
        args.watch_sizes = [s for s in args.sizes if s <= DEFAULT_WATCH_MAX]
    args.generator = args.generator.expanduser().resolve()
    args.work = args.work.expanduser().resolve()
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exe = args.coffeechat or shutil.which("coffeechat")
    if not exe:
        print("bench: the coffeechat command is not installed (python3 -m pip install -e .)",
              file=sys.stderr)
        return 2
    if not args.generator.is_file():
        print(f"bench: no vault generator at {args.generator}"
              " (pass --generator PATH/TO/make_vault.py)", file=sys.stderr)
        return 2
    has_frontmatter = subprocess.run([sys.executable, "-c", "import frontmatter"],
                                     check=False, capture_output=True).returncode == 0
    if not has_frontmatter:
        print("bench: python-frontmatter is missing, so the naive floor is not measured:"
              " pip install python-frontmatter", file=sys.stderr)
    probe = subprocess.run([exe, "index", "--help"], check=False, capture_output=True)
    index_command = "index" if probe.returncode == 0 else "check"
    info = machine(exe)
    log(f"{info['coffeechat']} on {info['platform']}, {info['nproc']} CPUs, Python"
        f" {info['python']}; cold index measured with `coffeechat {index_command}`")
    config = {"sizes": args.sizes, "rounds": args.rounds, "watch_sizes": args.watch_sizes,
              "today": args.today, "seed": args.seed, "generator": str(args.generator),
              "generator_sha256": file_sha256(args.generator), "work": str(args.work),
              "index_command": index_command,
              "floor_timing": "work only, timed inside the child (no interpreter start-up or"
                              " imports); floor_process_seconds has the whole child",
              "ours_timing": "whole coffeechat process, wall clock", "naive": "python-frontmatter frontmatter.load"
              if has_frontmatter else None, "watch_pause": args.watch_pause}
    bench = Bench(args, exe, index_command, has_frontmatter)
    rows: list[dict[str, Any]] = []
    error = None
    interrupted = False
    try:
        for size in args.sizes:
            vault = ensure_vault(args.work, args.generator, size, args.seed, args.today)
            log(f"{size} contacts: {vault}")
            rows.append(bench.size(size, vault, args.work, size in args.watch_sizes))
    except BenchError as exc:
        error = str(exc)
    except KeyboardInterrupt:
        error, interrupted = "interrupted", True
    goals = targets(rows)
    report = {"schema": 1, "machine": info, "config": config, "results": rows,
              "targets": goals, "ok": error is None, "error": error}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    if rows:
        print(markdown(rows, goals), flush=True)
    log(f"results written to {args.json}")
    if error is not None:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 130 if interrupted else 1
    if args.strict and any(g["met"] is False for g in goals):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
