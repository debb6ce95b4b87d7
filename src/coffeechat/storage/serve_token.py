"""The secret that serves the feed: a random token in ``.coffeechat/serve-token``, readable by
its owner only, made on first use and kept until rotated. `live.serve` answers only the path
that holds it."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from coffeechat.storage.cachedir import cache_dir, cache_path
from coffeechat.storage.files import atomic_write

__all__ = ["TOKEN_FILE", "load_token"]

TOKEN_FILE = "serve-token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{24,}")


def load_token(root: Path, rotate: bool = False) -> tuple[str, bool]:
    """The vault's serving token, made on first use (or anew with ``rotate``); True when new."""
    folder = cache_path(root)
    path = folder / TOKEN_FILE
    if not rotate:
        try:
            token = path.read_text(encoding="ascii").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            token = ""
        if _TOKEN.fullmatch(token):
            return token, False
    cache_dir(root)
    token = secrets.token_urlsafe(32)
    atomic_write(path, (token + "\n").encode("ascii"), private=True)
    return token, True
