#!/usr/bin/env python3
"""The feed's own serialiser (`coffeechat.feed.serialise`) beside icalendar's, on one vault.

    python3 bench/serialiser.py VAULT [--today 2026-06-01] [--rounds 5]

Makes the feed's events of VAULT once (through the store), then, ROUNDS times in turns:

  hand      the feed's bytes as `feed` writes them: `serialise.envelope` and
            `serialise.event_bytes` per event, its memo tables emptied first (as in a new
            process)
  icalendar the same events as icalendar `Event` components (each property `add`-ed, the
            alarm a subcomponent) added to the feed's `Calendar`
            (`serialise.envelope_calendar`), then one `Calendar.to_ical()`

and prints the median, min and max of each (wall clock and this process's CPU time, seconds;
on a busy machine the CPU time is the steadier) and the ratios of the medians.
The two byte strings are compared first: the figures mean something only if they are equal.
Make the vault with ``python3 bench/make_vault.py /tmp/v --contacts 10000``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

from icalendar import Alarm, Event

from coffeechat.config import load_settings
from coffeechat.core.rules import evaluate
from coffeechat.feed import serialise
from coffeechat.feed.events import EventSpec, FeedOptions, feed_events, revision, visible
from coffeechat.storage.index import Index


def specs_of(root: Path, today: dt.date) -> tuple[list[EventSpec], FeedOptions]:
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--today", default="2026-06-01")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    specs, options = specs_of(args.vault, dt.date.fromisoformat(args.today))
    data = hand(specs, options)
    assert library(specs, options) == data, "the two serialisers disagree"
    print(f"{len(specs)} events, {len(data) / 1e6:.1f} MB")
    wall: dict[str, list[float]] = {"hand": [], "icalendar": []}
    cpu: dict[str, list[float]] = {"hand": [], "icalendar": []}
    for _ in range(args.rounds):
        for name, fn in (("hand", hand), ("icalendar", library)):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(specs, options)
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    for clock, times in (("wall", wall), ("cpu", cpu)):
        for name, values in times.items():
            print(
                f"{clock:4} {name:10} median {statistics.median(values):.2f} s"
                f"  (min {min(values):.2f}, max {max(values):.2f})"
            )
        ratio = statistics.median(times["icalendar"]) / statistics.median(times["hand"])
        print(f"{clock:4} icalendar / hand: {ratio:.2f}x")


if __name__ == "__main__":
    main()
