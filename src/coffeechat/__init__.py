"""coffeechat: a networking job search run out of a folder of Markdown notes.

The small public API; everything is also reachable through the `coffeechat` command.

    >>> from coffeechat import load_vault, due_items
    >>> vault = load_vault("vault")
    >>> items = due_items(vault, datetime.date(2026, 11, 23))
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path as _Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coffeechat.core.model import DueItem
    from coffeechat.core.vault.vault import Vault

__version__ = "0.1.0"
__all__ = ["__version__", "due_items", "load_vault"]


def load_vault(path: str | _Path, use_cache: bool = True) -> Vault:
    """Read the vault at ``path`` (through its index unless ``use_cache`` is false)."""
    from coffeechat.config import load_settings
    from coffeechat.storage.cache.index import Index

    root = _Path(path)
    settings, _warnings = load_settings(root)
    vault: Vault = Index(root, settings, use_cache=use_cache).vault()
    return vault


def due_items(vault: Vault, today: _dt.date) -> list[DueItem]:
    """Every open follow-up on ``today``, oldest first (a pure function of the vault and date)."""
    from coffeechat.core.rules import evaluate

    return evaluate(vault, today)
