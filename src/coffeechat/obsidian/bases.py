"""At home in Obsidian: the Bases views (``.base`` files) and the property types
(``.obsidian/types.json``), as text. Pure: `install` (coffeechat.storage.obsidian_files) writes them.

Bases (Obsidian 1.9+) shows notes as live tables from a ``.base`` file: YAML with top-level
``filters``, ``formulas``, ``properties`` and ``views`` (help.obsidian.md, "Bases syntax").
The expressions below use only the documented functions (help.obsidian.md, "Functions"), and
compare dates directly because `PROPERTY_TYPES` tells Obsidian which properties are dates.
The bases follow the vault's folder settings, because a note's type comes from its ``type:``
or, without one, from its folder — the same rule as `coffeechat.core.vault.vault.note_type`.

Property types are global to a vault and belong to the user: `merge_types` only adds the keys
that are missing and never changes one the user typed, so a vault that already uses ``date``
for daily notes keeps it.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coffeechat.errors import CoffeechatError, located

if TYPE_CHECKING:
    from coffeechat.core.settings import Settings

__all__ = [
    "BASE_FILES",
    "CONFIG_FOLDER",
    "PROPERTY_TYPES",
    "TYPES_FILE",
    "UPCOMING_VIEW",
    "TypesMerge",
    "bases",
    "merge_types",
    "render_base",
]

CONFIG_FOLDER = ".obsidian"
TYPES_FILE = f"{CONFIG_FOLDER}/types.json"
BASE_FILES = ("Contacts.base", "Meetings.base", "Companies.base")
#: The Meetings view the dashboard embeds (``![[Meetings.base#Upcoming]]``).
UPCOMING_VIEW = "Upcoming"

_DATES = ("follow_up", "added", "thank_you", "prepared", "connected_on")
_LISTS = ("with", "referrals", "emails", "snooze")
_TEXTS = (
    "type",
    "name",
    "company",
    "role",
    "email",
    "phone",
    "linkedin",
    "field",
    "referred_by",
    "how_met",
    "cadence",
    "status",
    "kind",
    "location",
    "website",
    "industry",
    "research",
)
#: coffeechat's front-matter keys and the Obsidian property type of each. ``duration`` is a
#: number of minutes, so it is typed as a number; ``snooze`` is a list of ``ID until DATE``.
PROPERTY_TYPES: dict[str, str] = {
    **dict.fromkeys(_DATES, "date"),
    "date": "datetime",
    "aliases": "aliases",
    "tags": "tags",
    **dict.fromkeys(_LISTS, "multitext"),
    "duration": "number",
    **dict.fromkeys(_TEXTS, "text"),
}
#: Types Obsidian treats as the same thing for these keys (older vaults say "multitext").
_SAME = {"aliases": {"aliases", "multitext"}, "tags": {"tags", "multitext"}}


# --- the .base files ------------------------------------------------------------------------


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _is_kind(kind: str, folder: str, props: str = "note", where: str = "file") -> str:
    """An expression true for notes of ``kind``: ``type: kind``, or no type and in ``folder``."""
    return (
        f"({props}.type == {_quoted(kind)} || ({where}.inFolder({_quoted(folder)})"
        f" && !{props}.type))"
    )


def _scope(kind: str, folder: str, settings: Settings) -> dict[str, Any]:
    """The base-wide filter: notes of one kind, never a template or an ignored folder."""
    skipped = [
        f"!file.inFolder({_quoted(f)})" for f in (settings.templates_folder, *settings.ignore)
    ]
    return {"and": [*skipped, _is_kind(kind, folder)]}


_NOT_CANCELLED = 'note.status != "cancelled" && note.status != "no_show"'


def _linking_here(kind: str, folder: str, key: str) -> str:
    """The notes of ``kind`` whose ``key:`` links to this note (a reverse lookup)."""
    other = _is_kind(kind, folder, "value.asFile().properties", "value.asFile()")
    return f"file.backlinks.filter({other} && list(value.asFile().properties.{key}).contains(file))"


def _contacts(settings: Settings) -> dict[str, Any]:
    return {
        "filters": _scope("contact", settings.contacts_folder, settings),
        "formulas": {
            # Meetings that list this contact under `with:` (not those that only name them
            # as a referral), then those held: before today, not cancelled, not an event.
            "meetings": _linking_here("meeting", settings.meetings_folder, "with"),
            "held": (
                "formula.meetings.filter(value.asFile().properties.date < today()"
                ' && value.asFile().properties.status != "cancelled"'
                ' && value.asFile().properties.status != "no_show"'
                ' && value.asFile().properties.kind != "event")'
            ),
            "met": 'if(formula.held.length > 0, "met", "not yet met")',
        },
        "properties": {
            "file.name": {"displayName": "Contact"},
            "note.how_met": {"displayName": "How we met"},
            "note.referred_by": {"displayName": "Referred by"},
            "note.follow_up": {"displayName": "Follow up on"},
            "formula.met": {"displayName": "Met?"},
            "formula.held": {"displayName": "Meetings held"},
        },
        "views": [
            _table(
                "Everyone",
                [
                    "file.name",
                    "note.company",
                    "note.role",
                    "note.field",
                    "note.status",
                    "note.follow_up",
                    "formula.met",
                ],
                sort=("file.name", "ASC"),
            ),
            _table(
                "By company",
                ["file.name", "note.role", "note.field", "formula.met"],
                group=("note.company", "ASC"),
                sort=("file.name", "ASC"),
            ),
            _table(
                "Met / not yet met",
                ["file.name", "note.company", "formula.held", "note.how_met"],
                group=("formula.met", "ASC"),
                sort=("file.name", "ASC"),
            ),
            _table(
                "Referred by someone",
                ["file.name", "note.referred_by", "note.company", "note.added", "formula.met"],
                filters="note.referred_by",
                sort=("note.added", "DESC"),
            ),
            _table(
                "Dormant or paused",
                ["file.name", "note.status", "note.company", "note.how_met"],
                filters='note.status == "dormant" || note.status == "paused"',
                sort=("file.name", "ASC"),
            ),
        ],
    }


def _meetings(settings: Settings) -> dict[str, Any]:
    return {
        "filters": _scope("meeting", settings.meetings_folder, settings),
        "properties": {
            "file.name": {"displayName": "Meeting"},
            "note.date": {"displayName": "When"},
            "note.with": {"displayName": "With"},
            "note.thank_you": {"displayName": "Thank-you sent"},
        },
        "views": [
            _table(
                UPCOMING_VIEW,
                [
                    "file.name",
                    "note.date",
                    "note.with",
                    "note.kind",
                    "note.location",
                    "note.prepared",
                ],
                filters={"and": ["note.date >= today()", _NOT_CANCELLED]},
                sort=("note.date", "ASC"),
            ),
            _table(
                "Held without a thank-you",
                ["file.name", "note.date", "note.with", "note.kind", "note.thank_you"],
                filters={"and": ["!note.thank_you", "note.date < today()", _NOT_CANCELLED]},
                sort=("note.date", "DESC"),
            ),
            _table(
                "By kind",
                ["file.name", "note.date", "note.with", "note.status", "note.referrals"],
                group=("note.kind", "ASC"),
                sort=("note.date", "DESC"),
            ),
        ],
    }


def _companies(settings: Settings) -> dict[str, Any]:
    return {
        "filters": _scope("company", settings.companies_folder, settings),
        "formulas": {
            "people": _linking_here("contact", settings.contacts_folder, "company"),
        },
        "properties": {
            "file.name": {"displayName": "Company"},
            "formula.people": {"displayName": "People"},
        },
        "views": [
            _table(
                "People and research",
                ["file.name", "note.industry", "formula.people", "note.research", "note.website"],
                sort=("file.name", "ASC"),
            ),
        ],
    }


def _table(
    name: str,
    order: list[str],
    *,
    filters: str | dict[str, Any] | None = None,
    group: tuple[str, str] | None = None,
    sort: tuple[str, str] | None = None,
) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "table", "name": name}
    if filters is not None:
        view["filters"] = filters if isinstance(filters, dict) else {"and": [filters]}
    if group is not None:
        view["groupBy"] = {"property": group[0], "direction": group[1]}
    view["order"] = order
    if sort is not None:
        view["sort"] = [{"property": sort[0], "direction": sort[1]}]
    return view


@functools.cache
def _dumper() -> Any:
    import yaml  # (here, so that `obsidian_uri` stays light for the feed)

    class Dumper(yaml.SafeDumper):
        """Lists indented under their key, as Obsidian writes a .base file."""

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    return Dumper


def render_base(data: dict[str, Any]) -> str:
    """A base as YAML text, in a stable key order (so the same settings give the same bytes)."""
    import yaml

    header = "# Made by coffeechat (`coffeechat obsidian`); edit it in Obsidian as you like.\n"
    body = yaml.dump(
        data,
        Dumper=_dumper(),
        sort_keys=False,
        allow_unicode=True,
        width=10_000,
        default_flow_style=False,
    )
    return header + body


def bases(settings: Settings) -> dict[str, str]:
    """File name -> text of each .base file, for this vault's folders."""
    return {
        "Contacts.base": render_base(_contacts(settings)),
        "Meetings.base": render_base(_meetings(settings)),
        "Companies.base": render_base(_companies(settings)),
    }


# --- property types ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TypesMerge:
    """What merging coffeechat's property types into a types.json gives."""

    data: bytes | None  # the new file's bytes; None when nothing needs writing
    added: tuple[str, ...]  # keys coffeechat added
    conflicts: tuple[tuple[str, str, str], ...]  # (key, the user's type, coffeechat's type)


def merge_types(existing: bytes | None, source: str = TYPES_FILE) -> TypesMerge:
    """Add the missing keys of `PROPERTY_TYPES` to a types.json (``None``: there is none).

    Keys, values and order of the user's file are kept; a key typed differently is left as
    it is and reported. Raises CoffeechatError, naming ``source`` and the line, when the file
    is not JSON of the shape Obsidian writes (``{"types": {...}}``).
    """
    document: dict[str, Any] = {}
    if existing is not None and existing.strip():
        try:
            loaded = json.loads(existing.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise CoffeechatError(located(source, None, "is not UTF-8 text; left alone")) from None
        except json.JSONDecodeError as exc:
            raise CoffeechatError(
                located(source, exc.lineno, f"not valid JSON ({exc.msg}); left alone")
            ) from None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("types", {}), dict):
            raise CoffeechatError(
                located(source, None, 'is not {"types": {...}} as Obsidian writes it; left alone')
            )
        document = loaded
    types: dict[str, Any] = dict(document.get("types", {}))
    added, conflicts = [], []
    for key, kind in PROPERTY_TYPES.items():
        if key not in types:
            types[key] = kind
            added.append(key)
        elif types[key] != kind and types[key] not in _SAME.get(key, ()):
            conflicts.append((key, str(types[key]), kind))
    if not added:
        return TypesMerge(None, (), tuple(conflicts))
    document = {**document, "types": types}
    data = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    return TypesMerge(data, tuple(added), tuple(conflicts))
