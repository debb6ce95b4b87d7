#!/usr/bin/env python3
"""Do coffeechat's fast paths still pay for themselves? Each against the library it stands beside.

    python3 bench/fast_paths.py [--contacts 10000] [--rounds 5] [--work DIR]

coffeechat keeps its own code in two places where a library would do the same work:

  front matter  `core/note/fastyaml.py` reads plain front matter (flat keys, scalars, lists of
                strings) and hands anything else to PyYAML's C loader. Measured here:
                `notes.load_front_matter` (the fast path, falling back where it must)
                against PyYAML's C loader alone on the same blocks, and python-frontmatter's
                `frontmatter.loads` on the same notes when it is installed.
  iCalendar     `feed/serialise.py` writes the feed's events by hand. Measured here: the
                feed's bytes as `feed` writes them (`serialise.envelope` and `event_bytes` per
                event, its memo tables emptied first, as in a new process) against the same
                events as icalendar `Event` components added to the feed's own `Calendar`
                (`serialise.envelope_calendar`), then one `Calendar.to_ical()`. The two byte
                strings are compared first: the figures mean something only if they are equal.

Each is timed on a vault made by bench/make_vault.py (cached under --work, as bench/run.py
does), in this process, ROUNDS times; the figures are medians of this process's CPU time
(steadier than the wall clock on a busy machine). A fast path earns its place when it is
clearly faster; the tests hold each to its library, value for value or byte for byte
(tests/core/note/test_fastyaml.py, tests/cli/test_render_speed.py). It needs coffeechat
installed (python3 -m pip install -e .), and icalendar with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from icalendar import Alarm, Event

from coffeechat.config import load_settings
from coffeechat.core.rules import evaluate
from coffeechat.feed import serialise
from coffeechat.feed.events import EventSpec, FeedOptions, feed_events, revision, visible
from coffeechat.storage.cache.index import Index

HERE = Path(__file__).resolve().parent


def vault(contacts: int, work: Path) -> Path:
    """A generated vault of that size, made once and reused."""
    root = work / f"fast-paths-{contacts}"
    if not (root / "coffeechat.toml").is_file():
        subprocess.run(
            [sys.executable, str(HERE / "make_vault.py"), "--contacts", str(contacts), "--quiet",
             "--clean", str(root)],
            check=True,
        )
    return root


def notes(root: Path) -> list[bytes]:
    paths = [
        p for p in root.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return [p.read_bytes() for p in sorted(paths)]


def blocks(texts: list[str]) -> list[str]:
    """Each note's front matter block, as `core.notes` hands it to the YAML reader."""
    out = []
    for text in texts:
        if text.startswith("---\n"):
            end = text.find("\n---", 3)
            if end > 0:
                out.append(text[4 : end + 1])
    return out


def timed(work: Callable[[], object], rounds: int) -> float:
    """The median CPU time of ``work`` over ``rounds`` runs, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def front_matter(texts: list[str], rounds: int) -> dict[str, float]:
    from coffeechat.core.note import parse
    from coffeechat.core.note.fastyaml import load_plain_front_matter

    found = blocks(texts)

    def each(load: Callable[[str, int], object]) -> Callable[[], None]:
        def run() -> None:
            for block in found:
                try:
                    load(block, 2)
                except parse.FrontMatterError:
                    pass
        return run

    figures = {
        "blocks": len(found),
        "answered_by_fast_path": sum(load_plain_front_matter(b, 2) is not None for b in found),
        "coffeechat_s": timed(each(parse.load_front_matter), rounds),
        "pyyaml_c_s": timed(each(parse._load_with_yaml), rounds),
    }
    try:
        import frontmatter
    except ImportError:
        figures["python_frontmatter_s"] = float("nan")
    else:
        def library() -> None:
            for text in texts:
                try:
                    frontmatter.loads(text)
                except Exception:  # noqa: BLE001 - a note the library cannot read still counts
                    pass
        figures["python_frontmatter_s"] = timed(library, rounds)
    return figures


# --- iCalendar: the feed's own serialiser beside icalendar's ---------------------------------

def specs_of(root: Path, today: dt.date) -> tuple[list[EventSpec], FeedOptions]:
    """The feed's events of the vault on ``today``, made once, through the store."""
    settings, _ = load_settings(root)
    vault = Index(root, settings).vault()
    options = FeedOptions.from_settings(settings, root.name)
    shown, scheduled = visible(evaluate(vault, today), vault.meetings.values(), today, options)
    events = feed_events(shown, scheduled, today, options, vault.contacts)
    return sorted((spec for spec, _item in events), key=EventSpec.sort_key), options


def hand(specs: list[EventSpec], options: FeedOptions) -> bytes:
    for table in (serialise._TEXT_TYPES, serialise._RECURRING, serialise._ORDER, serialise._FRAME):
        table.clear()
    head, tail = serialise.envelope(options, specs)
    return b"".join([head, *[serialise.event_bytes(spec) for spec in specs], tail])


def library(specs: list[EventSpec], options: FeedOptions) -> bytes:
    cal = serialise.envelope_calendar(options, specs)
    for spec in specs:
        event = Event()
        stamp, sequence = revision(spec)
        event.add("uid", spec.uid)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", spec.start)
        event.add("dtend", spec.end)
        event.add("summary", spec.summary)
        if spec.description:
            event.add("description", spec.description)
        if spec.location:
            event.add("location", spec.location)
        if spec.url:
            event.add("url", spec.url)
        if spec.categories:
            event.add("categories", list(spec.categories))
        event.add("transp", "TRANSPARENT" if spec.transparent else "OPAQUE")
        if spec.alarm_minutes:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", spec.summary)
            alarm.add("trigger", dt.timedelta(minutes=-spec.alarm_minutes))
            event.add_component(alarm)
        cal.add_component(event)
    return bytes(cal.to_ical())


def icalendar_figures(root: Path, today: dt.date, rounds: int) -> dict[str, float]:
    specs, options = specs_of(root, today)
    data = hand(specs, options)
    if library(specs, options) != data:
        raise SystemExit("fast_paths: the two iCalendar serialisers disagree")
    return {
        "events": len(specs),
        "bytes": len(data),
        "coffeechat_s": timed(lambda: hand(specs, options), rounds),
        "icalendar_s": timed(lambda: library(specs, options), rounds),
    }


def main(argv: list[str] | None = None) -> int:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000, help="vault size (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; medians (default 5)")
    parser.add_argument("--work", type=Path, default=cache / "coffeechat-bench",
                        help="where the generated vault is kept (default: %(default)s)")
    parser.add_argument("--today", default="2026-06-01", help="the feed's day (default %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    root = vault(args.contacts, args.work.expanduser().resolve())
    texts = [data.decode("utf-8", "replace") for data in notes(root)]
    fm = front_matter(texts, args.rounds)
    n = fm["blocks"]
    print(f"{len(texts)} notes of a {args.contacts}-contact vault, median of {args.rounds} rounds\n")
    print("| front matter | all notes | per note | against coffeechat |")
    print("|---|---:|---:|---:|")
    for label, key in (("coffeechat (fast path, PyYAML where it must)", "coffeechat_s"),
                       ("PyYAML's C loader alone", "pyyaml_c_s"),
                       ("python-frontmatter", "python_frontmatter_s")):
        value = fm[key]
        print(f"| {label} | {value:.2f} s | {value / n * 1e6:.1f} µs |"
              f" {value / fm['coffeechat_s']:.1f}× |")
    print(f"\nThe fast path answered {fm['answered_by_fast_path']} of {n} front matter blocks.\n")
    ics = icalendar_figures(root, dt.date.fromisoformat(args.today), args.rounds)
    print(f"| iCalendar ({ics['events']} events, {ics['bytes'] / 1e6:.1f} MB) | the feed | against coffeechat |")
    print("|---|---:|---:|")
    for label, key in (("coffeechat (serialise.py, by hand)", "coffeechat_s"),
                       ("icalendar's Calendar.to_ical()", "icalendar_s")):
        print(f"| {label} | {ics[key]:.2f} s | {ics[key] / ics['coffeechat_s']:.1f}× |")
    if args.json:
        args.json.write_text(json.dumps(
            {"contacts": args.contacts, "front_matter": fm, "icalendar": ics}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
