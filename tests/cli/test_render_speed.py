"""The fast renderers write exactly what the plain ones wrote.

`due`'s agenda (`cli.render.agenda` + `print_lines`), `due --json` (`print_json`) and the feed's
events (`serialise.event_bytes`, `serialise.todo_bytes`) are built with cheap string operations and
caches. Each is compared here, byte for byte, with the straightforward version it replaced —
one `click.echo` / `click.style` per line, `json.dumps(indent=2)`, an icalendar `Event` built
and serialised per event — on ordinary and hostile input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Alarm, Event, Todo

from coffeechat.caldav.objects import push_objects
from coffeechat.cli.render.agenda import agenda, relative
from coffeechat.cli.render.json_shapes import _dumps_rows, item_json, print_json
from coffeechat.cli.render.text import print_lines
from coffeechat.core.dates import day_label
from coffeechat.core.model import Contact, DueItem, Finding, Meeting, Person, Severity
from coffeechat.feed import events, serialise
from coffeechat.feed.events import EventSpec, FeedOptions
from coffeechat.feed.render import render_feed

TODAY = dt.date(2026, 11, 23)

# --- the versions replaced, kept as the reference ----------------------------------------------


def reference_agenda(
    items: Sequence[DueItem],
    today: dt.date,
    until: dt.date | None,
    insights: Iterable[Finding],
    problems: int,
    verbose: bool = False,
) -> list[str]:
    lines: list[str] = []
    groups = (
        ("Overdue", [i for i in items if i.due < today], "red"),
        ("Today", [i for i in items if i.due == today], "yellow"),
        (
            "Upcoming" + (f" · through {day_label(until, today)}" if until else ""),
            [i for i in items if i.due > today],
            "cyan",
        ),
    )
    header = f"Follow-ups for {today:%A %d %B %Y}"
    lines.append(click.style(header, bold=True))
    if not items:
        lines.append("")
        lines.append(
            f"Nothing due{f' through {day_label(until, today)}' if until else ''}."
            + ("  (coffeechat due --all lists every open item)" if until else "")
        )
    for title, group, colour in groups:
        if not group:
            continue
        lines.append("")
        lines.append(click.style(f"{title} ({len(group)})", fg=colour, bold=True))
        for item in group:
            when = day_label(item.due, today)
            rel = relative(item.due, today) if item.due != today else ""
            lines.append(f"  {click.style(when, fg=colour)}  {item.title}")
            meta = " · ".join(x for x in (rel, item.rule.replace("_", "-"), item.id) if x)
            lines.append(click.style(f"              {meta}", dim=True))
            if verbose:
                lines.append(f"              {item.why}")
                lines.append(
                    click.style(
                        f"              {item.source}" + (f":{item.line}" if item.line else ""),
                        dim=True,
                    )
                )
    notes = list(insights)
    if notes:
        lines.append("")
        lines.append(click.style("Insights", bold=True))
        for finding in notes:
            lines.append(f"  {finding.message}")
            lines.append(
                click.style(
                    f"      {finding.path}" + (f":{finding.line}" if finding.line else ""), dim=True
                )
            )
    if problems:
        lines.append("")
        lines.append(
            click.style(
                f"{problems} problem{'s' if problems != 1 else ''} in the vault's notes:"
                " run `coffeechat check` to see them.",
                fg="yellow",
            )
        )
    return lines


def _reference_identify(component: Any, spec: EventSpec, *dates: tuple[str, Any]) -> None:
    stamp, sequence = events.revision(spec)
    component.add("uid", spec.uid)
    component.add("dtstamp", stamp)
    component.add("last-modified", stamp)
    component.add("sequence", sequence)
    for name, value in dates:
        component.add(name, value)
    component.add("summary", spec.summary)
    if spec.description:
        component.add("description", spec.description)


def reference_event_bytes(spec: EventSpec) -> bytes:
    event = Event()
    _reference_identify(event, spec, ("dtstart", spec.start), ("dtend", spec.end))
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
    return bytes(event.to_ical())


def reference_todo_bytes(spec: EventSpec) -> bytes:
    todo = Todo()
    _reference_identify(todo, spec, ("due", spec.start))
    if spec.url:
        todo.add("url", spec.url)
    if spec.categories:
        todo.add("categories", list(spec.categories))
    todo.add("status", "NEEDS-ACTION")
    return bytes(todo.to_ical())


# --- inputs --------------------------------------------------------------------------------------

#: Text that escaping, folding and colour stripping each have to get right: the characters
#: iCalendar escapes, CR/LF, a caret, ANSI codes and pieces of them, multi-byte characters.
NASTY = [
    "",
    "a",
    "Call Ana, re: pricing; C:\\new",
    "x\\",
    "^",
    "a\nb",
    "a\r\nb",
    "a\rb",
    "\x1b[31mred\x1b[0m",
    "\x1b[",
    "\x1b[1",
    "é",
    "漢字",
    "🙂",
    "\t",
    "  ",
    ";,\\",
    "obsidian://open?vault=V&file=a%20b",
]


def _long(unit: str, length: int) -> str:
    return (unit * length)[:length]


#: Lines just below, at and above the 75-octet fold, with a backslash or multi-byte
#: character where the fold falls.
BOUNDARY = [_long(u, n) for u in ("a", "é", "漢", "🙂", "ab\\", "a,", "^") for n in range(55, 80)]


def _item(
    title: str = "Call Ana",
    due: dt.date = dt.date(2026, 12, 1),
    ident: str = "0123456789",
    rule: str = "follow_up",
    why: str = "Because.",
    source: str = "contacts/Ana.md",
    line: int | None = 7,
) -> DueItem:
    return DueItem(
        id=ident,
        rule=rule,
        contact="Ana Ruiz",
        contact_path="contacts/Ana.md",
        due=due,
        title=title,
        why=why,
        source=source,
        line=line,
    )


def _items() -> list[DueItem]:
    out = []
    for n, text in enumerate(NASTY + BOUNDARY[::5]):
        due = TODAY + dt.timedelta(days=(n * 7) % 160 - 80)
        out.append(
            _item(
                text,
                due,
                f"{n:010x}",
                rule=("follow_up", "thank_you", "")[n % 3],
                why=text * 3,
                source=f"notes/{text}.md",
                line=(None, 0, n)[n % 3],
            )
        )
    out.append(_item("no id", TODAY, "", rule=""))
    out.append(_item("no rule", TODAY, "abc", rule=""))
    out.append(_item("today", TODAY))
    out.append(_item("far", dt.date.max))
    out.append(_item("old", dt.date(1900, 1, 1)))
    return sorted(out, key=lambda i: i.due)


FINDINGS = [
    Finding("contacts/a.md", 3, "a \x1b[31m finding"),
    Finding("b.md", None, "b", Severity.INFO),
]


# --- the agenda ----------------------------------------------------------------------------------


def _printed(fn: Callable[[], None], color: bool) -> str:
    with CliRunner().isolation(color=color) as (out, _err, *_):
        fn()
        sys.stdout.flush()
        return out.getvalue().decode("utf-8")


@pytest.mark.parametrize("until", [TODAY + dt.timedelta(days=7), None, TODAY])
@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("problems", [0, 1, 3])
@pytest.mark.parametrize("color", [False, True])
def test_agenda_prints_what_one_echo_per_line_printed(until, verbose, problems, color):
    items = [i for i in _items() if until is None or i.due <= until]
    insights = FINDINGS if problems != 1 else []

    def before() -> None:
        for line in reference_agenda(items, TODAY, until, insights, problems, verbose):
            click.echo(line)

    def after() -> None:
        print_lines(agenda(items, TODAY, until, insights, problems, verbose))

    def lines_echoed() -> None:  # queries.py's loop over the new agenda's lines
        for line in agenda(items, TODAY, until, insights, problems, verbose):
            click.echo(line)

    expected = _printed(before, color)
    assert _printed(after, color) == expected
    assert _printed(lines_echoed, color) == expected
    if color:
        assert "\x1b[31m" in expected
    styled = agenda(items, TODAY, until, insights, problems, verbose, color=True)
    assert styled == reference_agenda(items, TODAY, until, insights, problems, verbose)


@pytest.mark.parametrize("until", [TODAY, None])
@pytest.mark.parametrize("color", [False, True])
def test_an_empty_agenda(until, color):
    def before() -> None:
        for line in reference_agenda([], TODAY, until, [], 0):
            click.echo(line)

    assert _printed(lambda: print_lines(agenda([], TODAY, until, [], 0)), color) == _printed(
        before, color
    )
    assert _printed(lambda: print_lines([]), color) == ""


def test_colour_at_a_terminal_and_none_under_no_color(sample_copy, monkeypatch):
    from coffeechat.cli import cli

    args = ["--vault", str(sample_copy), "--today", TODAY.isoformat(), "due", "-v"]
    monkeypatch.delenv("NO_COLOR")
    coloured = CliRunner().invoke(cli, args, color=True)
    assert coloured.exit_code == 0 and "\x1b[31m" in coloured.output
    piped = CliRunner().invoke(cli, args)
    assert piped.output == click.unstyle(coloured.output)
    monkeypatch.setenv("NO_COLOR", "1")
    assert CliRunner().invoke(cli, args, color=True).output == piped.output


# --- due --json ------------------------------------------------------------------------------------

SCALARS = st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.none())


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.text(), SCALARS, min_size=1), min_size=1))
def test_json_rows_are_json_dumps_indented(rows):
    assert _dumps_rows(rows) == json.dumps(rows, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {},
        [{}],
        [{"a": 1}, {}],
        [{"a": [1]}],
        [{"a": {"b": 1}}],
        [{1: "one"}],
        {"a": 1},
        [1, 2],
        "text",
        3,
        None,
        [{"a": ("tuple",)}],
        [{"a": "},\n    {"}, {"b": "\x00"}],
    ],
)
def test_print_json_of_any_shape(data):
    assert (
        _printed(lambda: print_json(data), False)
        == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    )


def test_due_items_as_json():
    rows = [item_json(i, TODAY) for i in _items()]
    assert _dumps_rows(rows) == json.dumps(rows, ensure_ascii=False, indent=2)


# --- feed events -----------------------------------------------------------------------------------

PARIS = FeedOptions(vault_name="My Vault", timezone="Europe/Paris")


def _specs() -> list[EventSpec]:
    contact = Contact(
        path="contacts/Ana.md",
        name="Ana Ruiz",
        role="PM",
        company="Acme, Inc; \\o/",
        email="ana@acme.example",
        phone="0123 456",
    )
    contacts = {"contacts/Ana.md": contact}
    specs = []
    for options in (
        FeedOptions(),
        FeedOptions(vault_name="V é"),
        FeedOptions(redact=True),
        PARIS,
        FeedOptions(timezone="America/St_Johns", alarm_minutes=0),
    ):
        for item in _items():
            specs.append(events.item_event(item, TODAY, contacts, options))
        for n, text in enumerate(NASTY + BOUNDARY[::3]):
            meeting = Meeting(
                path=f"meetings/{text}.md",
                date=TODAY + dt.timedelta(days=n % 9),
                time=(None, dt.time(9, 30), dt.time(23, 59))[n % 3],
                with_=(Person("Ana Ruiz", "contacts/Ana.md"), Person(text or "Bo")),
                kind=("coffee", "call", "")[n % 3],
                duration=15 + n,
                location=text,
                title=text,
            )
            specs.append(events.meeting_event(meeting, contacts, options, options.tz))
        specs.append(events.digest_event(TODAY, _items(), contacts, options))
    for text in BOUNDARY:
        specs.append(
            EventSpec(
                uid=text + "@coffeechat",
                start=TODAY,
                end=TODAY,
                summary=text,
                description=text,
                location=text,
                url=text,
                categories=(text, "b"),
                transparent=False,
                alarm_minutes=5,
            )
        )
    return specs


def test_events_are_the_bytes_icalendar_wrote():
    for spec in _specs():
        assert serialise.event_bytes(spec) == reference_event_bytes(spec), spec
        if not spec.timed:
            assert serialise.todo_bytes(spec) == reference_todo_bytes(spec), spec


@settings(max_examples=200, deadline=None)
@given(
    summary=st.text(),
    description=st.text(),
    location=st.text(),
    url=st.text(),
    categories=st.lists(st.text(min_size=1), max_size=3),
    alarm=st.integers(0, 2000),
    day=st.dates(max_value=dt.date(9999, 12, 30)),
    timed=st.booleans(),
    transparent=st.booleans(),
)
def test_any_event_is_the_bytes_icalendar_wrote(
    summary, description, location, url, categories, alarm, day, timed, transparent
):
    start: dt.date = day
    end: dt.date = day + dt.timedelta(days=1)
    if timed:
        start = dt.datetime.combine(day, dt.time(9, 15), PARIS.tz)
        end = start
    spec = EventSpec(
        uid=summary + "@coffeechat",
        start=start,
        end=end,
        summary=summary,
        description=description,
        location=location,
        url=url,
        categories=tuple(categories),
        transparent=transparent,
        alarm_minutes=alarm,
    )
    try:
        expected = reference_event_bytes(spec)
    except Exception as exc:  # noqa: BLE001 - then ours must fail the same way
        with pytest.raises(type(exc)):
            serialise.event_bytes(spec)
        return
    assert serialise.event_bytes(spec) == expected
    if not timed:
        assert serialise.todo_bytes(spec) == reference_todo_bytes(spec)


@pytest.mark.parametrize(
    "options",
    [
        FeedOptions(vault_name="V"),
        PARIS,
        FeedOptions(digest=True),
        FeedOptions(redact=True, overdue="due"),
    ],
)
def test_a_whole_feed_is_the_bytes_icalendar_wrote(options, monkeypatch):
    meetings = [
        Meeting(
            path="meetings/m.md",
            date=TODAY + dt.timedelta(days=2),
            time=dt.time(10),
            with_=(Person("Ana Ruiz"),),
            location="Pier 5",
            title="Lunch",
        )
    ]
    fast = render_feed(_items(), meetings, TODAY, options).data
    push = push_objects(_items(), meetings, TODAY, options)
    todos = push_objects(_items(), meetings, TODAY, options, todo=True)
    monkeypatch.setattr(serialise, "event_bytes", reference_event_bytes)
    monkeypatch.setattr(serialise, "todo_bytes", reference_todo_bytes)
    assert fast == render_feed(_items(), meetings, TODAY, options).data
    assert push == push_objects(_items(), meetings, TODAY, options)
    assert todos == push_objects(_items(), meetings, TODAY, options, todo=True)


# --- and faster ------------------------------------------------------------------------------------


def _faster(new: Callable[[], object], old: Callable[[], object], ratio: float) -> bool:
    """Whether ``new`` takes under ``ratio`` times as long as ``old``: the best of several runs
    of each, taken in turns. Both only compute, so they are timed in this process's CPU time:
    wall-clock time counts whatever else the machine runs (other pytest-xdist workers, other
    suites), and under that load the comparison failed now and then."""
    times: dict[Callable[[], object], list[float]] = {new: [], old: []}
    for _ in range(5):
        for fn in (new, old):
            start = time.process_time()
            fn()
            times[fn].append(time.process_time() - start)
    return min(times[new]) < ratio * min(times[old])


@pytest.mark.slow
def test_the_agenda_is_much_faster_than_one_style_and_echo_per_line():
    items = [dataclasses.replace(i, id=f"{n:010x}") for n, i in enumerate(_items() * 200)]
    items.sort(key=lambda i: i.due)

    def before() -> None:
        for line in reference_agenda(items, TODAY, None, [], 0):
            click.echo(line)

    def after() -> None:
        print_lines(agenda(items, TODAY, None, [], 0))

    with CliRunner().isolation():
        assert _faster(after, before, 0.5)  # about a tenth, measured


@pytest.mark.slow
def test_events_are_faster_than_an_icalendar_event_each():
    specs = _specs()
    assert _faster(
        lambda: [serialise.event_bytes(s) for s in specs],
        lambda: [reference_event_bytes(s) for s in specs],
        0.8,
    )  # about half, measured
