"""The `init` command: make a vault (folders, templates, settings, .gitignore, Obsidian views)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.render.messages import say
from coffeechat.cli.render.writes import vault_ready
from coffeechat.errors import CoffeechatError, UsageError


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
    from coffeechat.cli.obsidian import set_up  # the Bases views and .obsidian/types.json
    from coffeechat.core.settings import Settings
    from coffeechat.storage.newvault import make_vault

    root = path or Path(app.vault_arg or ".")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} is a file, not a folder")
    settings = Settings()
    made, new_vault = make_vault(root, settings)
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
