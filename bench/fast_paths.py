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

Each is timed on the vault bench/run.py measures (made by bench/make_vault.py, or reused,
by run.py's own `ensure_vault` under --work), on the notes coffeechat reads, in this process, ROUNDS times; the figures are medians of this process's CPU time
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
import sys
import time
from collections.abc import Callable
from pathlib import Path

from icalendar import Alarm, Event
from run import OWN_GENERATOR, ensure_vault, note_paths  # bench/run.py, beside this script

from coffeechat.config import load_settings
from coffeechat.core.note import parse
from coffeechat.core.note.fastyaml import load_plain_front_matter
from coffeechat.core.rules import evaluate
from coffeechat.feed import serialise
from coffeechat.feed.events import EventSpec, FeedOptions, feed_events, revision, visible
from coffeechat.storage.cache.index import Index


def blocks(notes: list[bytes]) -> list[str]:
    """Each note's front matter block, exactly as `parse_note` hands it to the YAML reader
    (watched on its way there, so no second reading of where front matter ends is needed)."""
    found: list[str] = []
    load = parse.load_front_matter

    def keep(block: str, first_line: int = 2) -> tuple[dict[str, object], dict[str, int]]:
        found.append(block)
        return load(block, first_line)

    parse.load_front_matter = keep
    try:
        for data in notes:
            parse.parse_note("note.md", data)
    finally:
        parse.load_front_matter = load
    return found


def timed(work: Callable[[], object], rounds: int) -> float:
    """The median CPU time of ``work`` over ``rounds`` runs, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return statistics.median(times)


def front_matter(notes: list[bytes], rounds: int) -> dict[str, float]:
    found = blocks(notes)
    texts = [data.decode("utf-8", "replace") for data in notes]

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
    root = ensure_vault(args.work.expanduser().resolve(), OWN_GENERATOR, args.contacts, None,
                        args.today)
    notes = [path.read_bytes() for path in sorted(note_paths(root))]
    fm = front_matter(notes, args.rounds)
    n = fm["blocks"]
    print(f"{len(notes)} notes of a {args.contacts}-contact vault, median of {args.rounds} rounds\n")
    print("| front matter | all notes | per note | against coffeechat |")
    print("|---|---:|---:|---:|")
    for label, key, count in (
            ("coffeechat (fast path, PyYAML where it must)", "coffeechat_s", n),
            ("PyYAML's C loader alone", "pyyaml_c_s", n),
            ("python-frontmatter (whole notes: it also splits off the body)",
             "python_frontmatter_s", len(notes))):
        value = fm[key]
        print(f"| {label} | {value:.2f} s | {value / count * 1e6:.1f} µs |"
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
