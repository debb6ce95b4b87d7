"""The coaching screens: `stats`'s funnel and charts, what `lint` found, the notes `draft`
adds on stderr, and what prep, draft and graph say they wrote."""

from __future__ import annotations

from typing import Any

import click

__all__ = [
    "draft_written",
    "fact_question",
    "lint_json",
    "lint_lines",
    "lint_verdict",
    "missing_note",
    "no_referrals",
    "prep_written",
    "shown_sentence",
    "source_note",
    "stats_lines",
    "tree_written",
]


def shown_sentence(sentence: str) -> str:
    """A template sentence with its fields as … (for the note that it was left out)."""
    import re

    return re.sub(r"\{[A-Za-z_][A-Za-z0-9_]*\}", "…", sentence)


def fact_question(field: str, where: str, sentence: str) -> str:
    """`draft`'s question at a terminal for a fact the vault lacks (``where``: the template)."""
    from coffeechat.core.coaching.drafts import FIELD_HELP

    what = FIELD_HELP.get(field, f"{field} (a field of {where})")
    return f"{what} — Enter to leave “{shown_sentence(sentence)}” out"


def missing_note(missing: Any, where: str) -> str:
    """``note: left out ...`` for a sentence whose facts coffeechat does not know."""
    import re

    from coffeechat.core.coaching.drafts import FIELD_HELP

    what = "; ".join(
        FIELD_HELP.get(f, f"“{f}”, a field of {where} that coffeechat does not fill")
        for f in missing.fields
    )
    give = " ".join(f"--set {f}=…" for f in missing.fields)
    rest = re.sub(r"\{[A-Za-z_][A-Za-z0-9_]*\}", "", missing.sentence).strip(" .,;:—–-")
    sentence = f" (the sentence “{shown_sentence(missing.sentence)}”)" if rest else ""
    return f"note: left out {what}{sentence}; give it with {give}"


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def stats_lines(s: Any) -> list[str]:
    """The human `stats` output: aligned numbers with bar charts."""
    from coffeechat.core.coaching.stats import bar

    period = f"since {s.since.isoformat()}" if s.since else "all time"
    out = [click.style(f"Your search as of {s.today:%a %d %b %Y} ({period})", bold=True), ""]
    out.append(click.style("Funnel", bold=True))
    stages = s.funnel.stages()
    top = max(v for _, v in stages) or 1
    previous = {
        "approached": "contacts",
        "replied": "approached",
        "met": "replied",
        "referrals met": "referrals received",
    }
    values = dict(stages)
    width = max(len(n) for n, _ in stages)
    for stage, value in stages:
        line = f"  {stage.ljust(width)}  {value:>4}  {bar(value, top, 30).ljust(30)}"
        if stage in previous:
            line += f"  {_percent(value, values[previous[stage]]):>4} of {previous[stage]}"
        out.append(line.rstrip())
    out.append("")
    rate = (
        (
            f"{_percent(s.funnel.replied, s.funnel.approached)}  ({s.funnel.replied} of"
            f" {s.funnel.approached} approached answered)"
        )
        if s.funnel.approached
        else "– (nobody approached yet)"
    )
    if s.median_days is not None:
        med = s.median_days
        median = (
            f"median {med:g} day{'s' * (med != 1)}  ({len(s.days_to_meeting)} meeting"
            f"{'s' * (len(s.days_to_meeting) != 1)}; {min(s.days_to_meeting)}–"
            f"{max(s.days_to_meeting)} days)"
        )
    else:
        median = "– (no approach has led to a meeting yet)"
    thanks = (
        f"{s.thank_yous_on_time} of {s.thank_yous_due} held meeting{'s' * (s.thank_yous_due != 1)}"
    )
    if s.thank_yous_open:
        thanks += f"  ({s.thank_yous_open} still within the three days)"
    late = s.thank_yous_due - s.thank_yous_on_time
    rows = [
        ("Response rate", rate),
        ("Approach to meeting", median),
        ("Thank-yous in 3 days", click.style(thanks, fg="yellow") if late else thanks),
    ]
    label = max(len(k) for k, _ in rows)
    out += [f"  {k.ljust(label)}  {v}" for k, v in rows]
    out += ["", click.style("Meetings per field", bold=True)]
    if s.fields:
        fw = max(len(f) for f, _ in s.fields)
        most = max(n for _, n in s.fields)
        for name, n in s.fields:
            line = f"  {name.ljust(fw)}  {n:>3}  {bar(n, most, 20).ljust(20)}"
            if n > s.field_limit:
                line += "  " + click.style(
                    f"more than {s.field_limit}: you will learn little new —"
                    " widen to a neighbouring field",
                    fg="yellow",
                )
            out.append(line.rstrip())
    else:
        out.append("  (no meetings held yet)")
    out += ["", click.style("Busiest weeks", bold=True)]
    if s.weeks:
        most = max(n for _, n in s.weeks)
        for monday, n in s.weeks:
            out.append(f"  week of {monday:%a %d %b %Y}  {n:>3}  {bar(n, most, 20)}".rstrip())
        out.append(click.style("  (outbound touches and meetings held)", dim=True))
    else:
        out.append("  (nothing logged yet)")
    return out


def lint_json(shown: str, result: Any) -> dict[str, Any]:
    """`lint --json`: the letter's kind and length, and each finding."""
    return {
        "file": shown,
        "kind": result.kind,
        "words": result.words,
        "findings": [
            {"line": f.line, "rule": f.rule, "message": f.message} for f in result.findings
        ],
    }


def lint_lines(shown: str, result: Any) -> list[str]:
    """`lint`'s findings, ``FILE:LINE: rule: message``, one a line."""
    return [f"{shown}:{f.line}: {f.rule}: {f.message}" for f in result.findings]


def lint_verdict(shown: str, result: Any) -> str:
    """`lint`'s last line: the letter's kind, its length and how many findings."""
    n = len(result.findings)
    verdict = f"{n} finding{'s' * (n != 1)}" if n else "no findings"
    return f"{shown}: {result.kind.replace('_', '-')} letter, {result.words} words: {verdict}"


def source_note(source: str) -> str:
    """`draft`'s note when the letter quotes the contact's how_met as how you came across them."""
    return (
        f"note: how you came across them is your how_met: ({source}); reword it if it"
        " does not read well in the letter, or give --set source=…"
    )


def draft_written(changed: bool, path: str, heading: str) -> str:
    return f"{'Wrote' if changed else 'Already up to date:'} the draft in {path} under ## {heading}"


def prep_written(changed: bool, path: str, heading: str, prepared: str | None) -> str:
    """What `prep --write` did: ``prepared``, the day it set as prepared: (None: not set)."""
    if not changed:
        return f"The prep sheet in {path} is already up to date"
    return f"Wrote the prep sheet into {path} under ## {heading}" + (
        f" and set prepared: {prepared}" if prepared else ""
    )


def no_referrals(who: str | None) -> str:
    """`graph`'s note when the tree is empty (``who``: the contact it was asked to start at)."""
    if who is not None:
        return f"note: {who} has referred you to nobody yet"
    return "note: no referrals recorded yet (referred_by: on a contact, or referrals: on a meeting)"


def tree_written(note: str, how: str) -> str:
    """What `graph --write` did to ``note``: "created", "updated" or "unchanged"."""
    if how == "created":
        return f"Created {note} with the referral tree"
    return f"{'Updated' if how == 'updated' else 'Already up to date:'} the referral tree in {note}"
