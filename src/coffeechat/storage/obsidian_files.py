"""Installing the Bases views and the property types (coffeechat.obsidian.bases) into a vault:
the file I/O of `coffeechat obsidian` and of `init`. Writes only files that are missing,
merges the property types into the user's, and never overwrites.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coffeechat.errors import CoffeechatError
from coffeechat.obsidian.bases import CONFIG_FOLDER, TYPES_FILE, bases, merge_types

if TYPE_CHECKING:
    from coffeechat.core.settings import Settings

__all__ = ["TOLD_NAME", "Setup", "install"]


@dataclass
class Setup:
    """What `install` did, for the command's report."""

    created: list[str] = field(default_factory=list)  # files written
    kept: list[str] = field(default_factory=list)  # .base files already there, left alone
    types_added: tuple[str, ...] = ()
    conflicts: tuple[tuple[str, str, str], ...] = ()  # not reported before
    no_config: bool = False  # no .obsidian/ and none was to be made: types not written
    problem: str = ""  # why the property types could not be merged ("" = they were)


def install(root: Path, settings: Settings, *, create_config: bool) -> Setup:
    """Write the .base files that are missing and merge the property types; never overwrite.

    ``.obsidian/`` is made only when ``create_config`` (a new vault, or asked for); without it
    the types are not written and ``no_config`` says so. A types.json that cannot be read or
    written is left alone and ``problem`` says why; a .base file that cannot be written raises.
    """
    from coffeechat.storage.files import StaleFile, atomic_write

    setup = Setup()
    for name, text in bases(settings).items():
        try:
            atomic_write(root / name, text.encode("utf-8"), create=True)
        except StaleFile:
            setup.kept.append(name)
        except OSError as exc:
            raise CoffeechatError(f"cannot write {name}: {exc.strerror or exc}") from None
        else:
            setup.created.append(name)
    try:
        _install_types(root, setup, create_config)
    except CoffeechatError as exc:
        setup.problem = str(exc)
    return setup


def _install_types(root: Path, setup: Setup, create_config: bool) -> None:
    from coffeechat.storage.files import atomic_write, read_with_fingerprint

    config = root / CONFIG_FOLDER
    if config.is_symlink() or (config.exists() and not config.is_dir()):
        raise CoffeechatError(
            f"{CONFIG_FOLDER} is not a folder of this vault; property types not written"
        )
    if not config.is_dir():
        if not create_config:
            setup.no_config = True
            return
        try:
            config.mkdir()
        except OSError as exc:
            raise CoffeechatError(
                f"cannot create {CONFIG_FOLDER}/: {exc.strerror or exc}"
            ) from None
        setup.created.append(CONFIG_FOLDER + "/")
    path = root / TYPES_FILE
    try:
        old, print_ = read_with_fingerprint(path)
    except FileNotFoundError:
        old, print_ = None, None
    except OSError as exc:
        raise CoffeechatError(f"cannot read {TYPES_FILE}: {exc.strerror or exc}") from None
    merged = merge_types(old)
    setup.conflicts = _not_told(root, merged.conflicts)
    if merged.data is not None:
        try:
            atomic_write(path, merged.data, expected=print_, create=print_ is None)
        except OSError as exc:
            raise CoffeechatError(f"cannot write {TYPES_FILE}: {exc.strerror or exc}") from None
        setup.types_added = merged.added
        if old is None:
            setup.created.append(TYPES_FILE)


#: The conflicts already reported, so each is reported once (in coffeechat's cache folder).
TOLD_NAME = "obsidian-types-told.json"


def _not_told(
    root: Path, conflicts: tuple[tuple[str, str, str], ...]
) -> tuple[tuple[str, str, str], ...]:
    """The conflicts not reported before; remembers them. The record is only a cache: when it
    is lost, unreadable or cannot be kept, a conflict is reported once more."""
    from coffeechat.storage.cachedir import cache_dir
    from coffeechat.storage.files import atomic_write

    if not conflicts:
        return conflicts
    try:
        path = cache_dir(root) / TOLD_NAME
    except (OSError, CoffeechatError):
        return conflicts
    try:
        told = {tuple(x) for x in json.loads(path.read_text(encoding="utf-8"))}
    except (OSError, ValueError, TypeError):
        told = set()
    new = tuple(c for c in conflicts if c[:2] not in told)
    if new:
        record = sorted({*(t for t in told if len(t) == 2), *(c[:2] for c in conflicts)})
        try:
            atomic_write(path, json.dumps(record).encode("utf-8"))
        except OSError:
            pass  # then it is said again next time; nothing is lost
    return new
