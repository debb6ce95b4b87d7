"""What a push last wrote, remembered in ``.coffeechat/caldav.json``: per collection and UID,
the object's href, the ETag the server gave it, the hash of the bytes sent and a fingerprint
of what it shows (`coffeechat.caldav.objects.parse_object`), and the ETags of objects that
are not coffeechat's. Only a cache of the server's state: lost or unreadable, it starts
empty, and the next push recognises its objects by their fingerprints.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from coffeechat.errors import CoffeechatError
from coffeechat.storage.cachedir import cache_dir, cache_path

__all__ = ["STATE_NAME", "load_state", "record_of", "save_state", "sha", "state_path"]

STATE_NAME = "caldav.json"
STATE_VERSION = 1


def state_path(root: Path) -> Path:
    """Where the state of the vault at ``root`` is kept (in its cache folder)."""
    return cache_path(root) / STATE_NAME


def load_state(root: Path) -> dict[str, Any]:
    """The state as last saved; an empty one when it is missing, unreadable or of another
    version (then the objects are recognised again by their fingerprints)."""
    try:
        data = json.loads(state_path(root).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "collections": {}}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "collections": {}}
    data.setdefault("collections", {})
    return data


def save_state(root: Path, state: dict[str, Any]) -> None:
    """Keep ``state``; the file is rewritten only when its bytes change."""
    from coffeechat.storage.outputs import write_if_changed

    path = state_path(root)
    try:
        cache_dir(root)
    except OSError as exc:
        raise CoffeechatError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    write_if_changed(path, (json.dumps(state, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def sha(data: bytes) -> str:
    """The hash of the bytes sent, by which an unchanged object is not sent again."""
    return hashlib.sha256(data).hexdigest()


def record_of(href: str, etag: str | None, obj: Any, fingerprint: str) -> dict[str, Any]:
    """What is remembered of one object (a `coffeechat.caldav.objects.PushObject`) just
    written at ``href``."""
    return {
        "href": href,
        "etag": etag,
        "sent": sha(obj.data),
        "fingerprint": fingerprint,
        "component": obj.component,
        "summary": obj.summary,
    }
