"""The dashboard note (`Follow-ups.md`): the agenda as Markdown for Obsidian, with the funnel and
the referral tree as Mermaid. Written by `coffeechat dashboard` and by `watch` (`watch.dashboard`).

Every item links to its note and carries its ``done``/``snooze`` commands (and an
``obsidian://`` link, which opens the note from anywhere the note is shown: a phone, a git
host); the meetings ahead are the embedded ``Upcoming`` view of Meetings.base when the vault
has it. The funnel and the tree come from `coffeechat.core.coaching.stats` and `.graph`, the numbers `stats` and
`graph` print, added up from the figures the store keeps (`Index.figures`).

The note carries ``type: coffeechat-dashboard`` in its front matter: coffeechat only ever
replaces a file that says so, never a note a person wrote, and the type keeps the note out of
every rule. `render_dashboard` and `summarize` are pure; `compose` gathers their inputs from a
vault folder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coffeechat.core.dates import day_label

if TYPE_CHECKING:
    from coffeechat.core.coaching.figures import Figures
    from coffeechat.core.model import DueItem, Meeting
    from coffeechat.core.settings import Settings

__all__ = [
    "DEFAULT_NOTE",
    "MARKER",
    "Summary",
    "compose",
    "is_dashboard",
    "render_dashboard",
    "summarize",
]

MARKER = "type: coffeechat-dashboard"
#: Where `coffeechat dashboard` writes when watch.dashboard is not set.
DEFAULT_NOTE = "Follow-ups.md"
#: How far ahead the dashboard lists items one by one (later ones are only counted).
WEEK = 7
MEETINGS_AHEAD = 30
#: The snooze the dashboard suggests: a week from today.
SNOOZE_DAYS = 7


@dataclass(frozen=True)
class Summary:
    """What the dashboard shows of `stats` and `graph`."""

    funnel: tuple[tuple[str, int], ...]  # approached → replied → met → referred → landed
    tree: tuple[str, ...]  # the referral tree, a fenced ```mermaid block
    landed: str = ""  # "Company, role (date)" once [landed] is set


def summarize(figures: Figures, today: dt.date, settings: Settings) -> Summary:
    """The funnel and the referral tree on ``today``, from each contact's and meeting's
    ``figures`` (as `stats` and `graph` add them up)."""
    from coffeechat.core.coaching.graph import graph_of, mermaid
    from coffeechat.core.coaching.stats import stats_of

    funnel = stats_of(figures, today, None, settings.field_limit).funnel
    landed = settings.landed
    landed_text = ""
    if landed is not None and landed.date <= today:
        landed_text = ", ".join(x for x in (landed.company, landed.role) if x)
        landed_text += f" ({landed.date.isoformat()})"
    stages = (
        ("approached", funnel.approached),
        ("replied", funnel.replied),
        ("met", funnel.met),
        ("referred", funnel.referrals_received),
        ("landed", 1 if landed_text else 0),
    )
    return Summary(stages, tuple(mermaid(graph_of(figures))), landed_text)


def is_dashboard(data: bytes) -> bool:
    """Whether a file's bytes are a dashboard coffeechat wrote (and may replace)."""
    head = data[:300].decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
    return head.startswith("---\n") and MARKER in head.split("\n---", 1)[0]


def _link(path: str | None, text: str) -> str:
    shown = text.replace("|", "/").replace("[", "(").replace("]", ")")
    if not path:
        return shown
    target = path[:-3] if path.lower().endswith(".md") else path
    return f"[[{target}|{shown}]]"


def _item_lines(item: DueItem, today: dt.date, vault_name: str) -> list[str]:
    from coffeechat.obsidian.links import obsidian_uri

    who = _link(item.contact_path, item.contact) if item.contact_path else item.contact
    source = "" if item.source == item.contact_path else f" · {_link(item.source, 'note')}"
    opener = f" · [open]({obsidian_uri(vault_name, item.source)})" if vault_name else ""
    later = today + dt.timedelta(days=SNOOZE_DAYS)
    return [
        f"- **{day_label(item.due, today)}** · {item.title} · {who}{source}{opener}",
        f"  `coffeechat done {item.id}` · `coffeechat snooze {item.id} --until {later.isoformat()}`",
    ]


def _funnel(summary: Summary) -> list[str]:
    """The funnel as a Mermaid flowchart; replied and met also say out of how many."""
    out = ["```mermaid", "flowchart LR"]
    previous = 0
    for i, (stage, value) in enumerate(summary.funnel, 1):
        label = f"{stage}: {value}"
        if stage in ("replied", "met"):
            label += f" of {previous}"
        elif stage == "landed":
            label = f"landed: {summary.landed}" if summary.landed else "landed: not yet"
        out.append(f'  s{i}["{label.replace(chr(34), "#quot;")}"]')
        previous = value
    out.append("  " + " --> ".join(f"s{i}" for i in range(1, len(summary.funnel) + 1)))
    out.append("```")
    return out


def render_dashboard(
    items: Sequence[DueItem],
    meetings: Iterable[Meeting],
    today: dt.date,
    *,
    vault_name: str = "",
    summary: Summary | None = None,
    upcoming_view: str | None = None,
) -> bytes:
    """The dashboard note's bytes for these open items and meetings on ``today``.

    ``vault_name``: the vault's name in Obsidian, for ``obsidian://`` links ("" = none).
    ``summary``: the funnel and referral tree (`summarize`). ``upcoming_view``: the embed of
    the upcoming-meetings view (``Meetings.base#Upcoming``) when the vault has that base; the
    meetings ahead are listed instead when it does not.
    """
    overdue = [i for i in items if i.due < today]
    now = [i for i in items if i.due == today]
    soon = [i for i in items if today < i.due <= today + dt.timedelta(days=WEEK)]
    later = [i for i in items if i.due > today + dt.timedelta(days=WEEK)]
    horizon = today + dt.timedelta(days=MEETINGS_AHEAD)
    ahead = sorted(
        (m for m in meetings if m.scheduled(today) and m.date <= horizon),
        key=lambda m: (m.date, m.time or dt.time(), m.path),
    )
    lines = [
        "---",
        MARKER,
        "---",
        (
            "%% Written by `coffeechat dashboard` (and `coffeechat watch`) from your notes;"
            " edits here are overwritten. %%"
        ),
        "# Follow-ups",
        "",
        (
            f"As of {today:%A %d %B %Y}: {len(items)} open follow-up{'s' * (len(items) != 1)},"
            f" {len(overdue)} overdue."
        ),
    ]
    for title, group in (("Overdue", overdue), ("Today", now), (f"Next {WEEK} days", soon)):
        if group:
            lines += ["", f"## {title} ({len(group)})"]
            for item in group:
                lines += _item_lines(item, today, vault_name)
    if later:
        lines += [
            "",
            (
                f"Later: {len(later)} more, the next on {later[0].due:%a %d %b %Y}"
                " (`coffeechat due --all` lists them)."
            ),
        ]
    if not items and not ahead:
        lines += ["", "Nothing due. Time to approach someone new?"]
    if upcoming_view:
        lines += ["", "## Meetings ahead", f"![[{upcoming_view}]]"]
    elif ahead:
        from coffeechat.obsidian.links import obsidian_uri

        lines += ["", f"## Meetings in the next {MEETINGS_AHEAD} days ({len(ahead)})"]
        for m in ahead:
            when = f"{m.date:%a %d %b}" + (f" {m.time:%H:%M}" if m.time else "")
            where = f" · {m.location}" if m.location else ""
            opener = f" · [open]({obsidian_uri(vault_name, m.path)})" if vault_name else ""
            lines.append(f"- **{when}** · {_link(m.path, m.title or m.path)}{where}{opener}")
    if summary is not None:
        lines += ["", "## The funnel", "", "From `coffeechat stats` (all time):", ""]
        lines += _funnel(summary)
        lines += ["", "## Who referred whom", "", "From `coffeechat graph`:", ""]
        lines += summary.tree
    return ("\n".join(lines) + "\n").encode("utf-8")


def compose(
    root: Path,
    settings: Settings,
    items: Sequence[DueItem],
    meetings: Iterable[Meeting],
    today: dt.date,
    figures: Figures | None = None,
) -> bytes:
    """The dashboard of the vault at ``root``: `render_dashboard` with its links, the funnel
    and the tree (from ``figures``, read through the index when not given) and the embed of
    the upcoming meetings when Meetings.base has that view. Used by `dashboard` and `watch`."""
    from coffeechat.obsidian.bases import UPCOMING_VIEW
    from coffeechat.storage.outputs import vault_name

    if figures is None:
        from coffeechat.storage.cache.index import Index

        figures = Index(root, settings).figures(today).figures
    try:
        base = (root / "Meetings.base").read_text(encoding="utf-8", errors="replace")
    except OSError:
        base = ""
    has_view = any(
        line.strip() in (f"name: {UPCOMING_VIEW}", f'name: "{UPCOMING_VIEW}"')
        for line in base.splitlines()
    )
    return render_dashboard(
        items,
        meetings,
        today,
        vault_name=vault_name(root, settings),
        summary=summarize(figures, today, settings),
        upcoming_view=f"Meetings.base#{UPCOMING_VIEW}" if has_view else None,
    )
