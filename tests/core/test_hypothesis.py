"""Properties that must hold for any input: the reader never raises, line numbers stay inside the
file, records round-trip, and the whole model plus the rules survive arbitrary notes.

The strategies include what once broke the reader: self-referencing anchors, explicit
`!!timestamp` tags, breaks YAML counts but editors do not (lone CR, NEL, U+2028/9), dates at the
ends of the calendar and huge cadences. The bugs each found are pinned by tests of their own.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from coffeechat.core import rules
from coffeechat.core.dates import Cadence, DateValue, parse_cadence, parse_date_value
from coffeechat.core.model import ParsedNote, Severity
from coffeechat.core.note.parse import note_from_record, note_to_record, parse_note
from coffeechat.core.rules.insights import insights
from coffeechat.core.settings import Settings
from coffeechat.core.vault.builder import build_vault

TODAY = dt.date(2026, 11, 23)
BOM = b"\xef\xbb\xbf"

# --- strategies ----------------------------------------------------------------------------

FRAGMENTS = [
    "---",
    "---\n",
    "---\r\n",
    "...\n",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "  ",
    " ",
    "'",
    '"',
    ": ",
    ":",
    "- ",
    "key: value\n",
    "name: Jane Doe\n",
    "name: Jane\n",
    "type: contact\n",
    "type: meeting\n",
    "status: open\n",
    "status: done\n",
    "title: Re: coffee\n",
    "phone: 0123456\n",
    "time: 10:00\n",
    "country: NO\n",
    "flag: true\n",
    "n: 42\n",
    "x: 1.5\n",
    "date: 2026-01-02\n",
    "date: 2026-02-30\n",
    "with:\n",
    '  - "[[Jane Doe]]"\n',
    "- [[x]]\n",
    "[[Jane|J]]",
    "[[",
    "]]",
    "[",
    "]",
    "{",
    "}",
    "{{date}}",
    ",",
    "|",
    ">",
    "#",
    "? ",
    "!!str ",
    "%YAML 1.2\n",
    "<<<<<<< HEAD\n",
    "<<<<<<<",
    "=======\n",
    ">>>>>>> theirs\n",
    "|||||||\n",
    "## Log\n",
    "# Notes\n",
    "- 2026-01-02 approach: hi\n",
    "- 2026-02-30 call: bad\n",
    "- 2026-01-03 lunch: unknown\n",
    "* 2026-1-4 Follow-up: x\n",
    "- [ ] task 📅 2026-01-05\n",
    "- [x] done [due:: 2026-01-06]\n",
    "- [-] gone (due:: 2026-01-07)\n",
    "&a ",
    "*a",
    "!!timestamp ",
    "!!binary ",
    "x: &a [*a]\n",
    "9999-12-31",
    "0001-01-01",
    "```\n",
    "~~~\n",
    "    ",
    "😀",
    "☕",
    "é",
    "e\u0301",
    "\ufeff",
    "\x00",
    "\x85",
    "\u2028",
    "\\",
]

fragment_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
    max_size=40,
).map("".join)


@st.composite
def note_bytes(draw: st.DrawFn) -> bytes:
    """Bytes a note could hold: raw bytes, any text, or text built from YAML-ish fragments."""
    data = draw(
        st.one_of(
            st.binary(max_size=300),
            st.text(max_size=300).map(lambda t: t.encode("utf-8")),
            fragment_text.map(lambda t: t.encode("utf-8")),
        )
    )
    if draw(st.booleans()):
        data = BOM + data
    return data


def file_lines(data: bytes) -> int:
    """How many lines an editor shows: LF-separated, a BOM does not matter."""
    return data.count(b"\n") + 1


def check_note(path: str, data: bytes, note: ParsedNote) -> None:
    assert isinstance(note, ParsedNote)
    assert note.path == path
    n = file_lines(data)
    for f in note.findings:
        assert f.path == path and f.message
        assert isinstance(f.severity, Severity)
        if f.line is not None:
            assert 1 <= f.line <= n, (f, n)
    for line in note.meta_lines.values():
        assert 2 <= line <= n  # line 1 is the opening ---
    for entry in note.log:
        assert 1 <= entry.line <= n
    for task in note.tasks:
        assert 1 <= task.line <= n
    if note.broken:
        assert [f.severity for f in note.findings] == [Severity.ERROR]
        assert not note.meta and not note.log and not note.tasks and not note.has_front_matter
    else:
        assert all(f.severity is not Severity.ERROR for f in note.findings)
    if note.meta:
        assert note.has_front_matter
    json.dumps(note.meta)  # plain JSON-able values only


# --- parse_note never raises ---------------------------------------------------------------


@given(st.binary(max_size=2000))
def test_parse_note_arbitrary_bytes(data):
    note = parse_note("contacts/x.md", data, 1)
    check_note("contacts/x.md", data, note)


@given(st.text(max_size=1000))
def test_parse_note_arbitrary_text(text):
    data = text.encode("utf-8")
    check_note("x.md", data, parse_note("x.md", data))


@given(fragment_text)
def test_parse_note_yaml_ish_fragments(text):
    data = text.encode("utf-8")
    check_note("meetings/m.md", data, parse_note("meetings/m.md", data))


@given(fragment_text)
def test_parse_note_front_matter_fragments(text):
    # The same fragments inside a front-matter block, so YAML really sees them.
    data = f"---\n{text}\n---\n## Log\n- 2026-01-02 call: x\n".encode()
    check_note("contacts/y.md", data, parse_note("contacts/y.md", data))


@given(fragment_text, st.sampled_from(["\r\n", "\n"]))
def test_line_numbers_do_not_depend_on_line_endings(text, eol):
    # CRLF and LF versions of one note give the same lines (a lone CR is not generated here).
    text = text.replace("\r", "").replace("\x85", "").replace("\u2028", "")
    lf = parse_note("a.md", text.encode("utf-8"))
    other = parse_note("a.md", text.replace("\n", eol).encode("utf-8"))
    assert [(f.line, f.code) for f in other.findings] == [(f.line, f.code) for f in lf.findings]
    assert other.meta_lines == lf.meta_lines
    assert [(e.line, e.kind, e.date) for e in other.log] == [
        (e.line, e.kind, e.date) for e in lf.log
    ]
    assert [(t.line, t.due) for t in other.tasks] == [(t.line, t.due) for t in lf.tasks]


@given(fragment_text)
def test_bom_changes_nothing(text):
    data = text.encode("utf-8")
    assume(not data.startswith(BOM))
    assert parse_note("a.md", BOM + data) == parse_note("a.md", data)


# --- records round-trip --------------------------------------------------------------------


def _round_trip(note: ParsedNote) -> ParsedNote:
    # Exactly the index's encoding.
    text = json.dumps(note_to_record(note), ensure_ascii=False, separators=(",", ":"))
    return note_from_record(json.loads(text))


@given(note_bytes(), st.integers(min_value=0, max_value=2**63 - 1))
def test_record_round_trip_is_lossless(data, mtime_ns):
    note = parse_note("contacts/Zoë.md", data, mtime_ns)
    assert _round_trip(note) == note


@given(fragment_text)
def test_record_round_trip_of_front_matter(text):
    note = parse_note("c.md", f"---\n{text}\n---\n".encode(), 5)
    assert _round_trip(note) == note


# --- build_vault + rules over arbitrary notes ----------------------------------------------

NAMES = ["Jane Doe", "jane doe", "Bob", "Acme Corp", "Carl Lee", "José", "Jose\u0301", "Nobody"]
name = st.sampled_from(NAMES)
link_value = st.one_of(
    name.map(lambda n: f'"[[{n}]]"'),
    name.map(lambda n: f"[[{n}]]"),
    name.map(lambda n: f'"[[contacts/{n}|{n[:2]}]]"'),
    name,
    st.sampled_from(['""', '"[[]]"', "", "42", "[a, b]", "{a: 1}"]),
)
vault_date = st.one_of(
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from([dt.date(1, 1, 1), dt.date(9999, 12, 31)]),
).map(str)
date_value = st.one_of(
    vault_date,
    vault_date.map(lambda d: d + "T15:30"),
    vault_date.map(lambda d: d + "T23:30Z"),
    vault_date.map(lambda d: d + "T00:30+05:30"),
    st.sampled_from(
        [
            "2026-02-30",
            "next week",
            "3/4/2026",
            "March 4, 2026",
            "2026-3-4",
            "",
            '"{{date}}"',
            "[2026-01-01]",
            "42",
            "true",
        ]
    ),
)
list_value = st.lists(link_value, max_size=3).map(
    lambda xs: "\n" + "".join(f"  - {x}\n" for x in xs)
)
key_lines = st.one_of(
    st.tuples(st.sampled_from(["date", "follow_up", "added", "thank_you", "prepared"]), date_value),
    st.tuples(st.sampled_from(["company", "referred_by", "with"]), link_value),
    st.tuples(st.sampled_from(["with", "referrals", "aliases", "tags"]), list_value),
    st.tuples(
        st.just("type"), st.sampled_from(["contact", "company", "meeting", "other", "", "Contact"])
    ),
    st.tuples(
        st.just("status"),
        st.sampled_from(
            ["dormant", "paused", "do_not_contact", "cancelled", "no_show", "open", ""]
        ),
    ),
    st.tuples(
        st.just("cadence"),
        st.sampled_from(
            ["90d", "6w", "6m", "1y", "0d", "abc", "30", "9999d", "99999999d", "9999y", "5000000w"]
        ),
    ),
    st.tuples(
        st.just("duration"),
        st.sampled_from(["30", "1h", "abc", "0", "-5", "90 min", "1.5h", "99999"]),
    ),
    st.tuples(st.just("kind"), st.sampled_from(["coffee", "Zoom", "informational", "x"])),
    st.tuples(st.just("name"), name),
    st.tuples(st.just("email"), st.sampled_from(["a@x.com", "A@X.com", "b@x.com", "nope"])),
    st.tuples(
        st.just("linkedin"),
        st.sampled_from(["https://www.linkedin.com/in/jane/", "linkedin.com/in/jane?x=1"]),
    ),
    st.tuples(
        st.just("snooze"),
        st.sampled_from(
            ["\n  - abcdef1234 2026-12-01\n", "x", "\n  - 0123456789 until 2026-01-01\n"]
        ),
    ),
)
log_kind = st.sampled_from(
    [
        "approach",
        "follow_up",
        "Follow-up",
        "call",
        "voicemail",
        "email",
        "reply",
        "thank_you",
        "update",
        "report_back",
        "landed",
        "declined",
        "note",
        "lunch",
    ]
)
body_line = st.one_of(
    st.tuples(vault_date, log_kind).map(lambda t: f"- {t[0]} {t[1]}: something"),
    st.tuples(st.sampled_from([" ", "x", "-"]), vault_date).map(
        lambda t: f"- [{t[0]}] task 📅 {t[1]}"
    ),
    st.sampled_from(["## Log", "## Notes", "```", "text", "- 2026-02-30 call: x"]),
)


@st.composite
def vault_note(draw: st.DrawFn) -> tuple[str, bytes]:
    folder = draw(
        st.sampled_from(["contacts", "companies", "meetings", "contacts/sub", "other", ""])
    )
    stem = draw(st.one_of(name, vault_date.map(lambda d: d + " Coffee"), st.just("x")))
    path = f"{folder}/{stem}.md" if folder else f"{stem}.md"
    if draw(st.integers(0, 9)) == 0:  # now and then a messy one
        return path, draw(note_bytes())
    keys = draw(st.lists(key_lines, max_size=8, unique_by=lambda kv: kv[0]))
    lines = [
        "---",
        *(
            f"{k}: {v}".rstrip(" ") if not v.startswith("\n") else f"{k}:{v.rstrip()}"
            for k, v in keys
        ),
        "---",
        *draw(st.lists(body_line, max_size=8)),
    ]
    return path, "\n".join(lines).encode("utf-8")


ZONES = ["UTC", "Europe/Paris", "Pacific/Kiritimati", "America/St_Johns"]


@given(
    st.lists(vault_note(), max_size=6, unique_by=lambda pn: pn[0]),
    st.sampled_from(ZONES),
    st.sampled_from([TODAY, dt.date(2000, 1, 1), dt.date(2100, 12, 31)]),
)
def test_build_vault_and_rules_never_raise(files, zone, today):
    notes = [parse_note(path, data, 1_700_000_000_000_000_000) for path, data in files]
    settings = Settings(timezone=zone)
    vault = build_vault(notes, settings)
    items = rules.evaluate(vault, today)
    insights(vault, today)
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    assert all(a.due <= b.due for a, b in itertools.pairwise(items))
    assert all(f.path in vault.notes for f in vault.findings)
    # Order of the notes does not matter.
    again = rules.evaluate(build_vault(list(reversed(notes)), settings), today)
    assert [(i.id, i.due) for i in again] == [(i.id, i.due) for i in items]


@st.composite
def related_notes(draw: st.DrawFn) -> list[tuple[str, bytes]]:
    """A contact, the person who referred them, and meetings with them: every rule can fire."""

    def front(extra: list[tuple[str, str]]) -> list[str]:
        return [f"{k}:{v.rstrip()}" if v.startswith("\n") else f"{k}: {v}" for k, v in extra]

    recent = st.dates(min_value=dt.date(2025, 6, 1), max_value=dt.date(2027, 6, 1)).map(str)
    jane = [
        "---",
        "type: contact",
        "name: Jane Doe",
        'referred_by: "[[Bob]]"',
        *front(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["status", "cadence", "follow_up", "added"]),
                        st.one_of(
                            recent,
                            st.sampled_from(
                                ["dormant", "paused", "do_not_contact", "90d", "1y", "6m", "banana"]
                            ),
                        ),
                    ),
                    max_size=3,
                    unique_by=lambda kv: kv[0],
                )
            )
        ),
        "---",
        "## Log",
        *draw(
            st.lists(st.tuples(recent, log_kind).map(lambda t: f"- {t[0]} {t[1]}: x"), max_size=6)
        ),
    ]
    files = [
        ("contacts/Jane Doe.md", "\n".join(jane)),
        (
            "contacts/Bob.md",
            "---\nname: Bob\n---\n## Log\n"
            + "\n".join(
                draw(
                    st.lists(
                        st.tuples(recent, log_kind).map(lambda t: f"- {t[0]} {t[1]}: y"), max_size=3
                    )
                )
            ),
        ),
    ]
    for i, day in enumerate(draw(st.lists(recent, max_size=3))):
        extra = front(
            draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["thank_you", "follow_up", "status", "prepared"]),
                        st.one_of(recent, st.sampled_from(["cancelled", "no_show", ""])),
                    ),
                    max_size=3,
                    unique_by=lambda kv: kv[0],
                )
            )
        )
        text = "\n".join(
            [
                "---",
                f"date: {day}",
                'with:\n  - "[[Jane Doe]]"',
                'referrals:\n  - "[[Carl Lee]]"\n  - "[[Bob]]"',
                *extra,
                "---",
                *draw(st.lists(body_line, max_size=3)),
            ]
        )
        files.append((f"meetings/{day} Coffee {i}.md", text))
    return [(path, text.encode("utf-8")) for path, text in files]


@given(related_notes(), st.sampled_from([TODAY, dt.date(2026, 1, 1), dt.date(2027, 12, 31)]))
def test_rules_on_related_notes_never_raise(files, today):
    notes = [parse_note(path, data, 1_700_000_000_000_000_000) for path, data in files]
    vault = build_vault(notes, Settings())
    # Jane is in the model, or left out with an error saying why (e.g. `follow_up: dormant`).
    assert "contacts/Jane Doe.md" in vault.contacts or any(
        f.path == "contacts/Jane Doe.md" and f.severity is Severity.ERROR for f in vault.findings
    )
    items = rules.evaluate(vault, today)
    insights(vault, today)
    assert len({i.id for i in items}) == len(items)
    assert all(a.due <= b.due for a, b in itertools.pairwise(items))
    assert rules.evaluate(build_vault(list(reversed(notes)), Settings()), today) == items


# --- dates and cadences --------------------------------------------------------------------

TZS = [
    None,
    dt.UTC,
    ZoneInfo("Europe/Paris"),
    ZoneInfo("Pacific/Kiritimati"),
    ZoneInfo("America/St_Johns"),
]


@st.composite
def date_like(draw: st.DrawFn) -> str:
    y = draw(st.integers(1, 9999))
    mo, d = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    sep = draw(st.sampled_from(["-", "/", "."]))
    text = f"{y:04d}{sep}{mo:02d}{sep}{d:02d}" if draw(st.booleans()) else f"{y}{sep}{mo}{sep}{d}"
    if draw(st.booleans()):
        text += (
            draw(st.sampled_from(["T", " "]))
            + f"{draw(st.integers(0, 25))}:{draw(st.integers(0, 61)):02d}"
        )
        if draw(st.booleans()):
            text += f":{draw(st.integers(0, 61)):02d}"
        text += draw(
            st.one_of(
                st.just(""),
                st.just("Z"),
                st.tuples(st.sampled_from("+-"), st.integers(0, 30), st.integers(0, 99)).map(
                    lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}"
                ),
            )
        )
    return text


@given(
    st.one_of(
        st.text(max_size=40),
        date_like(),
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.dates(),
        st.datetimes(),
        st.lists(st.text(max_size=5), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    ),
    st.sampled_from(TZS),
)
def test_parse_date_value_returns_or_raises_value_error(value, tz):
    try:
        result = parse_date_value(value, tz)
    except ValueError as exc:
        assert str(exc)
        return
    assert result is None or isinstance(result, DateValue)
    if result is not None:
        assert isinstance(result.day, dt.date)


@given(st.dates())
def test_every_iso_date_parses_to_itself(day):
    assert parse_date_value(day.isoformat()) == DateValue(day)


@given(
    st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31)),
    st.integers(-23 * 60, 23 * 60),
    st.sampled_from(TZS[1:]),
)
def test_offsets_convert_like_python(moment, offset, tz):
    moment = moment.replace(second=0, microsecond=0)
    sign = "-" if offset < 0 else "+"
    text = (
        moment.isoformat(timespec="minutes")
        + f"{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    )
    value = parse_date_value(text, tz)
    expected = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=offset))).astimezone(tz)
    assert value == DateValue(expected.date(), expected.time().replace(tzinfo=None), offset)


@given(
    st.one_of(
        st.text(max_size=20),
        st.integers(),
        st.booleans(),
        st.none(),
        st.floats(),
        st.from_regex(r"\s*\d{1,6}\s*(d|w|m|y|days?|weeks?|months?|years?|x)?\s*", fullmatch=True),
    )
)
def test_parse_cadence_returns_or_raises_value_error(value):
    try:
        cadence = parse_cadence(value)
    except ValueError:
        return
    assert isinstance(cadence, Cadence)
    assert cadence.count > 0 and cadence.unit in "dwmy"
    assert parse_cadence(str(cadence)) == cadence


# --- pinned: the rules on dates at the edge of the calendar --------------------------------


def _evaluate(files: dict[str, str], today: dt.date = TODAY) -> None:
    notes = [parse_note(path, text.encode("utf-8")) for path, text in files.items()]
    vault = build_vault(notes, Settings())
    rules.evaluate(vault, today)
    insights(vault, today)


@pytest.mark.parametrize(
    "files",
    [
        {
            "contacts/A.md": '---\nname: A\nadded: 9999-12-30\nreferred_by: "[[B]]"\n---\n',
            "contacts/B.md": "---\nname: B\n---\n",
        },
        {"contacts/A.md": "---\nname: A\n---\n## Log\n- 9999-12-30 approach: hi\n"},
    ],
    ids=["added", "approach"],
)
def test_rules_survive_dates_at_the_end_of_the_calendar(files):
    _evaluate(files)


@pytest.mark.parametrize("cadence", ["99999999d", "9999y", "5000000w"])
def test_rules_survive_a_huge_cadence(cadence):
    _evaluate(
        {
            "contacts/A.md": f"---\nname: A\ncadence: {cadence}\n---\n## Log\n- 2026-01-01 reply: hi\n",
            "meetings/2026-01-02 A.md": '---\ndate: 2026-01-02\nwith: ["[[A]]"]\n---\n',
        }
    )
