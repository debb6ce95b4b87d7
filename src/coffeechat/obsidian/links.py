"""``obsidian://`` links to notes: the one place that builds them (the feed's events, the
dashboard). Kept apart from the Bases so that the feed, which links every event, does not
import YAML."""

from __future__ import annotations

import functools
from urllib.parse import quote

__all__ = ["obsidian_uri"]


@functools.lru_cache(maxsize=1 << 16)
def obsidian_uri(vault_name: str, path: str) -> str:
    """``obsidian://open?vault=…&file=…`` for a vault-relative note path.

    Both values are percent-encoded whole (``/`` as ``%2F``, space as ``%20``, UTF-8 bytes for
    accents, ``#``, ``&`` and ``%`` escaped), as Obsidian's URI page asks. The ``.md`` is
    dropped as Obsidian allows — except when the name holds ``#`` or ``^``, which Obsidian
    reads as a heading or block in link text: then the value stays the file's exact path.
    """
    name = path.rsplit("/", 1)[-1]
    keep = "#" in name or "^" in name
    file = path[:-3] if path.lower().endswith(".md") and not keep else path
    return f"obsidian://open?vault={quote(vault_name, safe='')}&file={quote(file, safe='')}"
