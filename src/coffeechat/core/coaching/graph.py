"""The referral tree: who referred whom (``referred_by:`` links and the ``referrals:`` named at
meetings), each person coloured by how far you got with them, as Mermaid text Obsidian renders
or as Graphviz DOT. Each contact's and meeting's figures (`coffeechat.core.coaching.figures`)
in, lines of text out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from coffeechat.core.coaching.figures import STATES, Figures, Who, figures_of
from coffeechat.core.links import fold
from coffeechat.core.vault.vault import Vault

__all__ = ["Graph", "Node", "dot", "graph_of", "mermaid", "referral_graph"]


@dataclass(frozen=True)
class Node:
    """A person in the tree: ``key`` is their note's path, or their folded name without one."""

    key: str
    name: str
    path: str | None
    state: str  # one of STATES


@dataclass(frozen=True)
class Graph:
    """The people of the tree (alphabetical by name) and its arrows."""

    nodes: tuple[Node, ...]
    edges: tuple[tuple[str, str], ...]  # (referrer key, referred key)


def _person_key(who: Who) -> str:
    name, path = who
    return path or "?" + fold(name)


def referral_graph(vault: Vault, today: dt.date, root: str | None = None) -> Graph:
    """Who referred whom in the whole vault (`graph_of` its `figures_of`)."""
    return graph_of(figures_of(vault, today), root)


def graph_of(figures: Figures, root: str | None = None) -> Graph:
    """Who referred whom: ``referred_by:`` links and the ``referrals:`` named at meetings.
    ``root`` (a contact path) keeps only that person and everyone downstream of them."""
    people: dict[str, Who] = {}
    edges: set[tuple[str, str]] = set()

    def link(giver: Who, named: Who) -> None:
        a, b = _person_key(giver), _person_key(named)
        if a == b:
            return
        people.setdefault(a, giver)
        people.setdefault(b, named)
        edges.add((a, b))

    for path, c in figures.contacts.items():
        if c.referred_by is not None:
            link(c.referred_by, (c.name, path))
    for m in figures.meetings.values():
        if m.cancelled or m.giver is None or not m.referrals:
            continue
        for named in m.referrals:
            link(m.giver, named)
    if root is not None:
        keep = {root}
        frontier = [root]
        while frontier:
            here = frontier.pop()
            for a, b in sorted(edges):
                if a == here and b not in keep:
                    keep.add(b)
                    frontier.append(b)
        edges = {(a, b) for a, b in edges if a in keep and b in keep}
        people = {k: p for k, p in people.items() if k in keep}
        if root not in people and root in figures.contacts:
            people[root] = (figures.contacts[root].name, root)
    nodes = []
    for key, (shown, at) in people.items():
        known = figures.contacts.get(at) if at is not None else None
        if known is None:
            nodes.append(Node(key, shown, None, "not_reached"))
        else:
            nodes.append(Node(key, known.name, at, known.state))
    nodes.sort(key=lambda n: (fold(n.name), n.key))
    return Graph(tuple(nodes), tuple(sorted(edges)))


_LEGEND = (
    "Referral tree (coffeechat graph): an arrow runs from who gave the name to whom."
    " Green: met. Blue: meeting booked. Yellow: approached, no meeting yet."
    " Dashed: not reached yet."
)
_COLOURS = {
    "met": ("#d8f0d8", "#2e7d32", "#1b3d1b"),
    "booked": ("#dce9fb", "#1e5bb8", "#0d2a57"),
    "approached": ("#fff4cc", "#b08800", "#4d3b00"),
    "not_reached": ("#ffffff", "#888888", "#444444"),
}


def _ids(graph: Graph) -> dict[str, str]:
    return {n.key: f"n{i}" for i, n in enumerate(graph.nodes, 1)}


def _ordered(edges: Iterable[tuple[str, str]], ids: dict[str, str]) -> list[tuple[str, str]]:
    """Edges in the order of their nodes (alphabetical by name), so the text reads well."""
    return sorted(edges, key=lambda e: (int(ids[e[0]][1:]), int(ids[e[1]][1:])))


def mermaid(graph: Graph) -> list[str]:
    """A fenced ```mermaid block that Obsidian renders; names with a note are clickable."""
    ids = _ids(graph)
    out = ["```mermaid", "flowchart LR", f"  %% {_LEGEND}"]
    if not graph.nodes:
        out.append('  empty["No referrals recorded yet"]')
    for n in graph.nodes:
        label = n.name.replace('"', "#quot;")
        out.append(f'  {ids[n.key]}["{label}"]')
    for a, b in _ordered(graph.edges, ids):
        out.append(f"  {ids[a]} --> {ids[b]}")
    for state in STATES:
        fill, stroke, text = _COLOURS[state]
        dash = ",stroke-dasharray:4 3" if state == "not_reached" else ""
        out.append(f"  classDef {state} fill:{fill},stroke:{stroke},color:{text}{dash}")
    for state in STATES:
        members = [ids[n.key] for n in graph.nodes if n.state == state]
        if members:
            out.append(f"  class {','.join(members)} {state}")
    linked = [
        ids[n.key]
        for n in graph.nodes
        if n.path and fold(n.path.rsplit("/", 1)[-1].removesuffix(".md")) == fold(n.name)
    ]
    if linked:
        out.append(f"  class {','.join(linked)} internal-link")
    out.append("```")
    return out


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(graph: Graph) -> list[str]:
    """The tree as Graphviz DOT (``coffeechat graph --format dot | dot -Tsvg > tree.svg``)."""
    ids = _ids(graph)
    out = [
        "digraph referrals {",
        f"  // {_LEGEND}",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fillcolor="#ffffff"];',
    ]
    for n in graph.nodes:
        fill, stroke, text = _COLOURS[n.state]
        style = ', style="rounded,dashed"' if n.state == "not_reached" else ""
        out.append(
            f'  {ids[n.key]} [label={_dot_text(n.name)}, fillcolor="{fill}", color="{stroke}",'
            f' fontcolor="{text}"{style}];'
        )
    for a, b in _ordered(graph.edges, ids):
        out.append(f"  {ids[a]} -> {ids[b]};")
    out.append("}")
    return out
