"""The `init` command: make a vault (folders, templates, settings, .gitignore, Obsidian views)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.messages import say
from coffeechat.cli.render.writes import vault_ready
from coffeechat.errors import CoffeechatError, UsageError


def _local_timezone() -> str:
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


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@pass_app
def init(app: App, path: Path | None) -> None:
    """Make a vault in PATH (default: --vault, else the current folder).

    Creates contacts/, companies/, meetings/, templates/ (usable by Obsidian's Templates
    plugin too), coffeechat.toml, a .gitignore that keeps the cache out of git, and the
    Obsidian Bases views and property types (see `coffeechat obsidian`). Never overwrites a
    file; running it again only adds what is missing.
    """
    from importlib import resources

    from coffeechat.config import CONFIG_NAME
    from coffeechat.core.settings import Settings
    from coffeechat.storage.cachedir import VAULT_GITIGNORE_LINE, ignores_cache_dir

    root = path or Path(app.vault_arg or ".")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    root.mkdir(parents=True, exist_ok=True)
    made: list[str] = []
    settings = Settings()
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
    config = config.replace('timezone = "UTC"', f'timezone = "{_local_timezone()}"', 1)
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
    from coffeechat.cli.obsidian import set_up  # the Bases views and .obsidian/types.json

    created, problem = set_up(
        root, settings if new_vault else _settings_of(root), create_config=new_vault
    )
    _made(root, made + created)
    if problem:
        raise CoffeechatError(problem)


def _settings_of(root: Path) -> Any:
    """The settings of an existing vault (its folders decide the bases), else the defaults."""
    from coffeechat.config import load_settings
    from coffeechat.core.settings import Settings

    try:
        return load_settings(root)[0]
    except CoffeechatError:
        return Settings()


def _made(root: Path, made: list[str]) -> None:
    for line in vault_ready(click.format_filename(str(root)), made):
        say(line)
