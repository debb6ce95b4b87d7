"""What the cache stores beside the notes, as JSON text: items, findings, meetings, the agenda.

The cache may come from elsewhere (a zip, a shared folder, a repository that committed its
``.coffeechat/``), so it holds data only: JSON read back by these decoders, which check every
value's type and raise `Damaged` on anything else. Nothing read from it is ever executed or
unpickled. Dates are stored as day ordinals (an int is fast to read back).

One idea in one module, kept whole although it is longer than most: every encoder here has
its decoder beside it, and all the decoders share the same checked readers (`text`, `_int`,
`_day`, ...); the parsed notes themselves are encoded by `core.note.parse`, not here. Split into
the agenda's codec and the rest, each half would need those readers, and the agenda's
half the other's encoders too (its state and its finished list hold findings and items).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from coffeechat.core.agenda.agenda import Agenda, PersonRow
from coffeechat.core.agenda.ahead import SubjectDay
from coffeechat.core.agenda.finished import FinishedAgenda, Patch
from coffeechat.core.agenda.shapes import Shape
from coffeechat.core.coaching.figures import STATES, ContactFigures, Figures, MeetingFigures
from coffeechat.core.model import DueItem, Finding, Meeting, Person, Severity, Task

#: The patches made to the finished agenda since it was last stored whole, and the insights
#: and problem count after the last of them.
Journal = tuple[list[Patch], list[Finding], int]

__all__ = [
    "Damaged",
    "Journal",
    "agenda_from_json",
    "agenda_to_json",
    "card_from",
    "dumps",
    "figures_from",
    "figures_of_rows",
    "figures_to",
    "findings_from",
    "findings_to",
    "found_from",
    "found_to",
    "items_from",
    "items_to",
    "journal_from",
    "journal_to",
    "loads",
    "meeting_from",
    "meeting_to",
    "person_from",
    "person_to",
    "result_from_json",
    "result_to_json",
    "shape_from",
    "shape_to",
    "text",
]


class Damaged(ValueError):
    """A stored value is not what this version writes: the cache is rebuilt."""


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(text: Any) -> Any:
    if not isinstance(text, str):
        raise Damaged(f"a stored value is {type(text).__name__}, not text")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Damaged(f"a stored value is not JSON ({exc})") from None


def _list(value: Any, size: int | None = None) -> list[Any]:
    if type(value) is not list or (size is not None and len(value) != size):
        raise Damaged("a stored record has the wrong shape")
    return value


def text(value: Any) -> str:
    """``value``, checked to be text."""
    if type(value) is not str:
        raise Damaged("a stored text is not text")
    return value


_str = text


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if type(value) is not int:
        raise Damaged("a stored number is not a whole number")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _day(value: Any) -> dt.date:
    try:
        return dt.date.fromordinal(_int(value))
    except (ValueError, OverflowError):
        raise Damaged("a stored date is out of range") from None


def _opt_day(value: Any) -> dt.date | None:
    return None if value is None else _day(value)


def _ord(day: dt.date | None) -> int | None:
    return None if day is None else day.toordinal()


# --- items --------------------------------------------------------------------------------


def items_to(items: list[DueItem] | tuple[DueItem, ...]) -> list[list[Any]]:
    return [
        [
            i.id,
            i.rule,
            i.contact,
            i.contact_path,
            i.due.toordinal(),
            i.title,
            i.why,
            i.source,
            i.line,
            i.meeting,
            i.subject,
        ]
        for i in items
    ]


def items_from(rows: Any) -> list[DueItem]:
    out = []
    day = dt.date.fromordinal
    text = str
    for row in _list(rows):
        if type(row) is not list or len(row) != 11:
            raise Damaged("a stored item has the wrong shape")
        (ident, rule, contact, contact_path, due, title, why, source, line, meeting, subject) = row
        # (Checked inline, not through helpers: a warm `due` reads tens of thousands.)
        if not (
            type(ident) is text
            and type(rule) is text
            and type(contact) is text
            and type(title) is text
            and type(why) is text
            and type(source) is text
            and type(subject) is text
            and type(due) is int
            and (contact_path is None or type(contact_path) is text)
            and (meeting is None or type(meeting) is text)
            and (line is None or type(line) is int)
            and 0 < due < 3_652_060
        ):
            raise Damaged("a stored item holds a value of the wrong kind")
        out.append(
            DueItem(
                ident,
                rule,
                contact,
                contact_path,
                day(due),
                title,
                why,
                source,
                line,
                meeting,
                subject,
            )
        )
    return out


# --- findings ---------------------------------------------------------------------------------


def _finding_to(f: Finding) -> list[Any]:
    return [f.path, f.line, f.message, f.severity.value, f.code]


def _finding_from(row: Any) -> Finding:
    path, line, message, severity, code = _list(row, 5)
    try:
        level = Severity(_str(severity))
    except ValueError:
        raise Damaged("a stored finding has an unknown severity") from None
    return Finding(_str(path), _opt_int(line), _str(message), level, _str(code))


def findings_to(findings: list[Finding]) -> list[list[Any]]:
    return [_finding_to(f) for f in findings]


def findings_from(rows: Any) -> list[Finding]:
    return [_finding_from(r) for r in _list(rows)]


# --- rows of `list` (`core.cards`) -------------------------------------------------------------

_TEXT, _TEXT_OR_NONE, _TEXTS = "text", "text or none", "texts"
#: The fields of a contact's and of a meeting's row, and what each holds.
_CARDS = {
    "contact": {
        "name": _TEXT,
        "path": _TEXT,
        "company": _TEXT_OR_NONE,
        "role": _TEXT_OR_NONE,
        "field": _TEXT_OR_NONE,
        "status": _TEXT,
        "last_contact": _TEXT_OR_NONE,
        "tags": _TEXTS,
        "referred_by": _TEXT,
        "company_path": _TEXT_OR_NONE,
    },
    "meeting": {
        "date": _TEXT,
        "time": _TEXT_OR_NONE,
        "path": _TEXT,
        "title": _TEXT,
        "kind": _TEXT_OR_NONE,
        "with": _TEXTS,
        "state": _TEXT,
        "word": _TEXT,
    },
    "company": {
        "name": _TEXT,
        "path": _TEXT,
        "industry": _TEXT_OR_NONE,
        "website": _TEXT_OR_NONE,
        "tags": _TEXTS,
    },
}


def card_from(kind: str, value: Any) -> dict[str, Any]:
    """A stored row of ``kind`` ("contact", "meeting" or "company"), checked field by field."""
    fields = _CARDS[kind]
    if type(value) is not dict or value.keys() != fields.keys():
        raise Damaged(f"a stored {kind} row is of another shape")
    for name, what in fields.items():
        field = value[name]
        if what == _TEXT:
            _str(field)
        elif what == _TEXT_OR_NONE:
            _opt_str(field)
        else:
            for item in _list(field):
                _str(item)
    return value


# --- what each contact and meeting brings to `stats` and `graph` (`core.coaching.figures`) ---


def figures_to(figures: ContactFigures | MeetingFigures) -> tuple[str, str]:
    """(kind, the figures as JSON: an array in the order of their fields)."""
    return _figures_kind(figures), dumps(figures)


def _figures_kind(figures: ContactFigures | MeetingFigures) -> str:
    return "contact" if isinstance(figures, ContactFigures) else "meeting"


_LAST_DAY = dt.date.max.toordinal()
_STATES = frozenset(STATES)
_THANKS = frozenset({"open", "late", "on_time"})


def _days_ok(*values: Any) -> bool:
    """Whether each of ``values`` is a day as an ordinal, or None."""
    for v in values:
        if v is not None and (type(v) is not int or not 0 < v <= _LAST_DAY):
            return False
    return True


def _pairs_ok(rows: Any, first: type, second: type, second_none: bool = False) -> bool:
    """Whether ``rows`` is a list of [``first``, ``second``] pairs (the second may be None
    when ``second_none``: people are [name, path or None])."""
    if type(rows) is not list:
        return False
    for row in rows:
        if type(row) is not list or len(row) != 2 or type(row[0]) is not first:
            return False
        if type(row[1]) is not second and not (second_none and row[1] is None):
            return False
    return True


def figures_from(kind: Any, value: Any) -> ContactFigures | MeetingFigures:
    """Stored figures of ``kind`` ("contact" or "meeting"), checked field by field. (Checked
    inline, not value by value through helpers: a warm `stats` reads tens of thousands.)"""
    if kind == "contact" and type(value) is list and len(value) == 10:
        name, added, by, answered, tried, met, booked, days, outbound, state = value
        if (
            type(name) is str
            and _days_ok(added, answered, tried, met)
            and (by is None or _pairs_ok([by], str, str, True))
            and type(booked) is bool
            and _pairs_ok(days, int, int)
            and all(type(d[0]) is int and 0 < d[0] <= _LAST_DAY for d in days)
            and type(outbound) is list
            and None not in outbound
            and _days_ok(*outbound)
            and type(state) is str
            and state in _STATES
        ):
            return ContactFigures._make(value)
    elif kind == "meeting" and type(value) is list and len(value) == 8:
        date, held, cancelled, giver, referrals, thanks, fields, thank_you = value
        if (
            date is not None
            and _days_ok(date, thank_you)
            and type(held) is bool
            and type(cancelled) is bool
            and (giver is None or _pairs_ok([giver], str, str, True))
            and _pairs_ok(referrals, str, str, True)
            and (thanks is None or (type(thanks) is str and thanks in _THANKS))
            and type(fields) is list
            and all(type(f) is str for f in fields)
        ):
            return MeetingFigures._make(value)
    raise Damaged("stored figures are of another shape, or of no known kind")


def figures_of_rows(rows: list[tuple[Any, Any, Any]]) -> Figures:
    """Stored (subject, kind, figures) rows as `Figures`, in the rows' order, each checked as
    `figures_from` checks it. (Their JSON is read as one text: a warm `stats` reads tens of
    thousands, and a value of another type, or one that runs into the next, is damage.)"""
    texts = [text for _subject, _kind, text in rows]
    if not all(type(t) is str for t in texts):
        raise Damaged("stored figures are not text")
    values = loads("[" + ",".join(texts) + "]")
    if len(values) != len(rows):
        raise Damaged("stored figures run into each other")
    contacts: dict[str, ContactFigures] = {}
    meetings: dict[str, MeetingFigures] = {}
    for (subject, kind, _text), value in zip(rows, values, strict=True):
        got = figures_from(kind, value)
        if isinstance(got, ContactFigures):
            contacts[_str(subject)] = got
        else:
            meetings[_str(subject)] = got
    return Figures(contacts, meetings)


# --- people and meetings (for the feed) -------------------------------------------------------


def person_to(row: PersonRow) -> list[str]:
    return list(row)


def person_from(value: Any) -> PersonRow:
    name, company, role, email, phone = (_str(v) for v in _list(value, 5))
    return name, company, role, email, phone


def _people_to(people: tuple[Person, ...]) -> list[list[Any]]:
    return [[p.name, p.path] for p in people]


def _people_from(value: Any) -> tuple[Person, ...]:
    out = []
    for row in _list(value):
        name, path = _list(row, 2)
        out.append(Person(_str(name), _opt_str(path)))
    return tuple(out)


def meeting_to(m: Meeting) -> list[Any]:
    return [
        m.path,
        m.date.toordinal(),
        m.time.isoformat() if m.time else None,
        m.offset,
        _people_to(m.with_),
        m.kind,
        m.duration,
        m.location,
        m.status,
        _people_to(m.referrals),
        _ord(m.thank_you),
        _ord(m.follow_up),
        m.follow_up_line,
        _ord(m.prepared),
        m.title,
        [[t.text, t.due.toordinal(), t.done, t.line] for t in m.tasks],
        [[ident, until.toordinal()] for ident, until in m.snoozes],
        m.word,
    ]


def meeting_from(value: Any) -> Meeting:
    (
        path,
        date,
        time,
        offset,
        with_,
        kind,
        duration,
        location,
        status,
        referrals,
        thank_you,
        follow_up,
        follow_up_line,
        prepared,
        title,
        tasks,
        snoozes,
        word,
    ) = _list(value, 18)
    try:
        start = None if time is None else dt.time.fromisoformat(_str(time))
    except ValueError:
        raise Damaged("a stored time is not a time") from None
    task_list = []
    for row in _list(tasks):
        text, due, done, line = _list(row, 4)
        if type(done) is not bool:
            raise Damaged("a stored task has no done flag")
        task_list.append(Task(_str(text), _day(due), done, _int(line)))
    snoozed = []
    for row in _list(snoozes):
        ident, until = _list(row, 2)
        snoozed.append((_str(ident), _day(until)))
    return Meeting(
        _str(path),
        _day(date),
        start,
        _opt_int(offset),
        _people_from(with_),
        _str(kind),
        _int(duration),
        _str(location),
        _str(status),
        _people_from(referrals),
        _opt_day(thank_you),
        _opt_day(follow_up),
        _opt_int(follow_up_line),
        _opt_day(prepared),
        _str(title),
        tuple(task_list),
        tuple(snoozed),
        _str(word),
    )


# --- a subject's items on the days ahead (`core.agenda.ahead.AheadTable`) ----------------------------


def found_to(f: SubjectDay) -> str:
    """One window of a subject's chain (`core.agenda.ahead.AheadTable`); its window is kept apart."""
    return dumps(
        [
            items_to(f.items),
            _finding_to(f.dormant) if f.dormant is not None else None,
            (
                [f.share[0].toordinal(), f.share[1], [list(pair) for pair in f.share[2]]]
                if f.share is not None
                else None
            ),
            meeting_to(f.scheduled) if f.scheduled is not None else None,
            [f.card[0], f.card[1]] if f.card is not None else None,
            [_figures_kind(f.figures), f.figures] if f.figures is not None else None,
        ]
    )


def found_from(lo: Any, hi: Any, text: Any) -> SubjectDay:
    """A stored window of a chain, with what it read left as recorded (None)."""
    lo, hi = _int(lo), _int(hi)
    if not lo < hi:
        raise Damaged("a stored window is empty")
    items, dormant, share, scheduled, card, figures = _list(loads(text), 6)
    shared = None
    if share is not None:
        day, name, keys = _list(share, 3)
        shared = (
            _day(day),
            _str(name),
            tuple((_str(k), _str(n)) for k, n in (_list(pair, 2) for pair in _list(keys))),
        )
    carded = None
    if card is not None:
        kind, value = _list(card, 2)
        if kind not in _CARDS:
            raise Damaged("a stored row is of no known kind")
        carded = (kind, card_from(kind, value))
    return SubjectDay(
        items_from(items),
        None,
        (lo, hi),
        False,
        _finding_from(dormant) if dormant is not None else None,
        shared,
        meeting_from(scheduled) if scheduled is not None else None,
        carded,
        figures_from(*_list(figures, 2)) if figures is not None else None,
    )


# --- the agenda's own state -------------------------------------------------------------------


def agenda_to_json(agenda: Agenda) -> str:
    """What a store keeps of an agenda in one piece: not its raw items, the finished list, the
    people, the scheduled meetings, the field tally or the identity keys (kept apart)."""
    return dumps(
        {
            "today": agenda.today.toordinal(),
            "horizon": _ord(agenda.horizon),
            "field_limit": agenda.field_limit,
            "snoozes": {
                p: [[i, d.toordinal()] for i, d in entries] for p, entries in agenda.snoozes.items()
            },
            "snoozed": {i: d.toordinal() for i, d in agenda.snoozed.items()},
            "dormant": {p: _finding_to(f) for p, f in agenda.dormant.items()},
            "limits": {k: _finding_to(f) for k, f in agenda.limits.items()},
            "dup_problems": agenda.dup_problems,
            "problems": agenda.problems,
            "problem_total": agenda.problem_total,
        }
    )


def _dict(value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise Damaged("a stored table is not one")
    return value


def agenda_from_json(text: Any) -> Agenda:
    """The agenda `agenda_to_json` stored, with its raw items marked as not loaded."""
    state = _dict(loads(text))
    try:
        agenda = Agenda(
            _day(state["today"]), _opt_day(state["horizon"]), _int(state["field_limit"])
        )
        agenda.snoozes = {
            _str(p): tuple((_str(i), _day(d)) for i, d in (_list(e, 2) for e in _list(entries)))
            for p, entries in _dict(state["snoozes"]).items()
        }
        agenda.snoozed = {_str(i): _day(d) for i, d in _dict(state["snoozed"]).items()}
        agenda.dormant = {p: _finding_from(f) for p, f in _dict(state["dormant"]).items()}
        agenda.limits = {k: _finding_from(f) for k, f in _dict(state["limits"]).items()}
        agenda.dup_problems = _int(state["dup_problems"])
        agenda.problems = {p: _int(n) for p, n in _dict(state["problems"]).items()}
        agenda.problem_total = _int(state["problem_total"])
    except KeyError as exc:
        raise Damaged(f"a stored agenda lacks {exc}") from None
    agenda.items_complete = False
    return agenda


def result_to_json(result: FinishedAgenda) -> str:
    return dumps([items_to(result.items), findings_to(result.insights), result.problems])


def result_from_json(text: Any) -> FinishedAgenda:
    items, insights, problems = _list(loads(text), 3)
    return FinishedAgenda(items_from(items), findings_from(insights), _int(problems))


# --- the journal of patches, and the notes' shapes ---------------------------------------------


def journal_to(journal: Journal) -> str:
    patches, insights, problems = journal
    return dumps(
        [
            [[sorted(p.subjects), items_to(p.added), sorted(p.ids)] for p in patches],
            findings_to(insights),
            problems,
        ]
    )


def journal_from(value: Any) -> Journal | None:
    """The journal stored since the agenda was last written whole (None: there is none)."""
    if value is None:
        return None
    patches, insights, problems = _list(loads(value), 3)
    out = []
    for entry in _list(patches):
        subjects, added, ids = _list(entry, 3)
        if not all(type(n) is str for n in (*_list(subjects), *_list(ids))):
            raise Damaged("a stored patch has the wrong shape")
        out.append(Patch(frozenset(subjects), tuple(items_from(added)), frozenset(ids)))
    return out, findings_from(insights), _int(problems)


def shape_to(shape: Shape) -> str:
    return dumps(
        [
            shape.kind,
            shape.sig[0],
            shape.sig[1],
            shape.with_,
            shape.refs,
            shape.referrer,
            shape.names,
            shape.links,
        ]
    )


def shape_from(value: Any) -> Shape:
    kind, name, aliases, with_, refs, referrer, names, links = _list(loads(value), 8)
    texts = [kind, *_list(aliases), *_list(with_), *_list(refs), *_list(names), *_list(links)]
    if not all(type(t) is str for t in texts):
        raise Damaged("a stored shape holds something other than text")
    return Shape(
        kind,
        (_opt_str(name), tuple(aliases)),
        tuple(with_),
        tuple(refs),
        _opt_str(referrer),
        tuple(names),
        tuple(links),
    )
