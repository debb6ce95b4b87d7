"""Save-to-feed latency of `coffeechat watch`: how long after a note is saved the feed is rewritten.

    python bench/watch_latency.py VAULT [--saves 12] [--today 2026-06-01] [--pause 1.5]

Runs the installed `coffeechat watch` on VAULT (a throwaway vault, e.g. one made by
make_vault.py: this script edits its notes and puts them back afterwards), saves a contact
note SAVES times the way Obsidian or vim do (a temporary file renamed onto the note), each
time giving it a new `follow_up:` date, and measures the time from the rename to the moment
the feed file holds the new date. Prints the median, the spread, and the watcher's own time
per pass (the rest is the quiet moment it waits for, watch.debounce_ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path


def _pick(root: Path, count: int) -> list[Path]:
    """Healthy, active contact notes at the top of contacts/ (a deterministic choice)."""
    from coffeechat.core.notes import parse_note

    picked = []
    for path in sorted((root / "contacts").glob("*.md")):
        data = path.read_bytes()
        note = parse_note(path.name, data, 0)
        if (note.broken or note.findings or not data.startswith(b"---\n") or b"\r" in data
                or note.meta.get("type") != "contact" or note.meta.get("status")):
            continue
        picked.append(path)
        if len(picked) == count:
            break
    return picked


def _with_follow_up(text: str, day: dt.date) -> str:
    text = re.sub(r"(?m)^follow_up:.*\n", "", text, count=1)
    return text.replace("---\n", f"---\nfollow_up: {day.isoformat()}\n", 1)


def _atomic_save(path: Path, text: str) -> None:
    tmp = path.parent / f".{path.name}.bench.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vault", type=Path)
    parser.add_argument("--saves", type=int, default=12)
    parser.add_argument("--today", default="2026-06-01")
    parser.add_argument("--pause", type=float, default=1.5, help="seconds between saves")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    exe = shutil.which("coffeechat")
    if exe is None:
        sys.exit("the coffeechat command is not installed")
    root = args.vault.resolve()
    today = dt.date.fromisoformat(args.today)
    notes = _pick(root, args.saves)
    if len(notes) < args.saves:
        sys.exit(f"only {len(notes)} usable contact notes in {root}/contacts")
    originals = {p: p.read_bytes() for p in notes}
    feed = root / ".coffeechat" / "followups.ics"

    lines: queue.Queue[str] = queue.Queue()
    started = time.perf_counter()
    proc = subprocess.Popen([exe, "--vault", str(root), "--today", args.today, "watch"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    log: list[str] = []

    def wait_line(text: str) -> str:
        deadline = time.monotonic() + args.timeout * 5
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if proc.poll() is not None:
                    break
                continue
            log.append(line)
            if text in line:
                return line
        sys.exit(f"the watcher never said {text!r}:\n" + "\n".join(log))

    latencies: list[float] = []
    try:
        wait_line("watching for changes")
        print(f"start-up (index + first feed): {time.perf_counter() - started:.1f} s;"
              f" feed {feed.stat().st_size / 1e6:.1f} MB", flush=True)
        for n, path in enumerate(notes):
            time.sleep(args.pause)
            day = today + dt.timedelta(days=200 + n)
            marker = f"DTSTART;VALUE=DATE:{day:%Y%m%d}".encode()
            before = os.stat(feed)
            _atomic_save(path, _with_follow_up(originals[path].decode("utf-8"), day))
            t0 = time.perf_counter()
            deadline = t0 + args.timeout
            while True:
                st = os.stat(feed)
                if (st.st_ino, st.st_mtime_ns) != (before.st_ino, before.st_mtime_ns):
                    t1 = time.perf_counter()
                    if marker in feed.read_bytes():
                        break
                    before = st
                if time.perf_counter() > deadline:
                    sys.exit(f"the feed was not rewritten within {args.timeout} s")
                time.sleep(0.002)
            latencies.append(t1 - t0)
            print(f"save {n + 1:2}: {latencies[-1]:.2f} s", flush=True)
    finally:
        for path, data in originals.items():
            _atomic_save(path, data.decode("utf-8"))
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        reader.join(timeout=5)
        while not lines.empty():
            log.append(lines.get())
    passes = [float(m[1]) for line in log if " change: " in line
              and (m := re.search(r", ([0-9.]+) s\)$", line))]
    ordered = sorted(latencies)
    print(f"\n{len(latencies)} saves on {root}:")
    print(f"  save-to-feed median {statistics.median(latencies):.2f} s,"
          f" min {ordered[0]:.2f} s, max {ordered[-1]:.2f} s,"
          f" p90 {ordered[int(0.9 * (len(ordered) - 1))]:.2f} s")
    if passes:
        print(f"  the watcher's own work per pass: median {statistics.median(passes):.2f} s"
              f" (the rest is the quiet moment it waits for, watch.debounce_ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
