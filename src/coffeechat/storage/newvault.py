"""Making a vault on disk for `coffeechat init`: its folders, the templates, coffeechat.toml and a
.gitignore that keeps the cache out of git. Never overwrites a file: running it again only adds
what is missing (and the cache's line to a .gitignore that lacks it)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from coffeechat.config import CONFIG_NAME
from coffeechat.core.settings import Settings
from coffeechat.storage.cachedir import VAULT_GITIGNORE_LINE, ignores_cache_dir

__all__ = ["make_vault"]


def local_timezone() -> str:
    """The machine's IANA time zone name, when it can be told; else UTC."""
    name = os.environ.get("TZ", "").lstrip(":")
    if "/" in name and not name.startswith("/"):
        return name
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return "UTC"
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else "UTC"


def _create(path: Path, text: str) -> bool:
    """Write a new file; False (and nothing written) when one is already there."""
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except FileExistsError:
        return False
    return True


def make_vault(root: Path, settings: Settings) -> tuple[list[str], bool]:
    """Make what a vault needs in ``root`` (which must not be a file). Returns what was made,
    as the paths a user reads, and whether coffeechat.toml is new (a new vault)."""
    root.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    for folder in (
        settings.contacts_folder,
        settings.companies_folder,
        settings.meetings_folder,
        settings.templates_folder,
    ):
        if not (root / folder).is_dir():
            (root / folder).mkdir()
            made.append(folder + "/")
    data = resources.files("coffeechat") / "data"
    for template in sorted((data / "templates").iterdir(), key=lambda t: t.name):
        target = root / settings.templates_folder / template.name
        if _create(target, template.read_text(encoding="utf-8")):
            made.append(f"{settings.templates_folder}/{template.name}")
    config = (data / CONFIG_NAME).read_text(encoding="utf-8")
    config = config.replace('timezone = "UTC"', f'timezone = "{local_timezone()}"', 1)
    new_vault = _create(root / CONFIG_NAME, config)
    if new_vault:
        made.append(CONFIG_NAME)
    ignore = root / ".gitignore"
    if _create(ignore, f"# coffeechat's cache and generated feed\n{VAULT_GITIGNORE_LINE}\n"):
        made.append(".gitignore")
    else:
        text = ignore.read_bytes().decode("utf-8", "replace")
        lines = {ln.strip() for ln in text.splitlines()}
        if not ignores_cache_dir(lines):
            newline = "\r\n" if "\r\n" in text else "\n"
            sep = "" if text.endswith(("\n", "\r")) or not text else newline
            with open(ignore, "a", encoding="utf-8", newline="") as fh:
                fh.write(f"{sep}{VAULT_GITIGNORE_LINE}{newline}")
            made.append(f".gitignore (added {VAULT_GITIGNORE_LINE})")
    return made, new_vault
