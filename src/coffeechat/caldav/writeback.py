"""Tasks ticked off on the server, written into the vault once, as `coffeechat done` writes
them: the same resolution (`coffeechat.core.resolutions.resolution`) carried out by the same
code (`coffeechat.storage.done.carry_out`), dated the day the task was ticked.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from coffeechat.caldav.client import Remote
from coffeechat.core.settings import Settings
from coffeechat.errors import CoffeechatError

__all__ = ["resolutions", "write_resolution"]


def _day_of(moment: dt.date | dt.datetime | None, tz: dt.tzinfo, today: dt.date) -> dt.date:
    """The day a task was ticked, in the vault's zone; ``today`` when the server did not say
    (or said a later day)."""
    if moment is None or moment == dt.date.min:
        return today
    if isinstance(moment, dt.datetime):
        day = (moment.astimezone(tz) if moment.tzinfo else moment).date()
    else:
        day = moment
    return min(day, today)


def write_resolution(
    root: Path, settings: Settings, reading: Any, writes: Sequence[Any], day: dt.date
) -> list[str]:
    """Carry out ``writes`` (what resolves an item, read in ``reading``: a
    `storage.cache.part.VaultReader`) as `coffeechat done` does, dated ``day``; returns what was
    written. The same code as `done` (`storage.done.carry_out`), so the same bytes."""
    from coffeechat.storage.done import carry_out
    from coffeechat.storage.writer import edit_note

    done = carry_out(
        writes,
        day,
        root=root,
        settings=settings,
        edit=functools.partial(edit_note, root),
        part=lambda names: reading.part(names=names),
        names=reading.names,
        now=dt.datetime.combine(day, dt.time(9)),
    )
    return [write.describe() for write in done]


def resolutions(
    completed: list[Remote],
    records: dict[str, dict[str, Any]],
    items: list[Any],
    reading: Any,
    tz: dt.tzinfo,
    today: dt.date,
    dry_run: bool,
) -> dict[str, tuple[Any, dt.date, Any]]:
    """By UID, each task ticked on the server whose item is still open and not yet written
    back: the item, the day it was ticked, and the writes that resolve it as `done` would
    (`core.resolutions.resolution`, on the part of the vault ``reading`` gives, all read before
    any is written), or the error that says why it cannot be; None in a dry run."""
    from coffeechat.caldav.objects import item_id_of
    from coffeechat.core.resolutions import resolution
    from coffeechat.storage.done import around

    open_items = {i.id: i for i in items}
    plans: dict[str, tuple[Any, dt.date, Any]] = {}
    for ticked in completed:
        item = open_items.get(item_id_of(ticked.uid) or "")
        if item is None or records.get(ticked.uid, {}).get("done") == ticked.etag:
            continue
        day = _day_of(ticked.completed, tz, today)
        writes: Any = None
        if not dry_run:
            try:
                writes = resolution(item, reading.part(around=around(item)), day)
            except CoffeechatError as exc:
                writes = exc
        plans[ticked.uid] = (item, day, writes)
    return plans
