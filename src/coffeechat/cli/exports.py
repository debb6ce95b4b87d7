"""The `export` commands: every contact out as CSV or vCard, to stdout or a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from coffeechat.cli import App, cli, pass_app
from coffeechat.cli.options import OneLineGroup
from coffeechat.cli.render.messages import say_bytes, tell
from coffeechat.cli.render.transfers import exported
from coffeechat.errors import CoffeechatError, UsageError

# --- export ------------------------------------------------------------------------------------


@cli.group("export", cls=OneLineGroup, what="export format")
def export_group() -> None:
    """Write every contact out as CSV or vCard, to stdout or a file (-o)."""


def _output_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-o",
        "--output",
        metavar="FILE",
        help="Write to FILE (replaced atomically) instead of stdout.",
    )(fn)


def _check_output(output: str | None) -> Path | None:
    """Where to write (None: stdout), refused before any work when it cannot be a file."""
    if output is None or output == "-":
        return None
    path = Path(output)
    shown = click.format_filename(output)
    if path.is_dir():
        raise UsageError(f"{shown} is a folder; give a file name")
    if not path.parent.is_dir():
        raise UsageError(
            f"{shown}: folder {click.format_filename(str(path.parent))} does not exist"
        )
    return path


def _write_output(data: bytes, path: Path | None, count: int) -> None:
    if path is None:
        say_bytes(data)
        return
    from coffeechat.storage.files import atomic_write

    shown = click.format_filename(str(path))
    try:
        atomic_write(path.resolve(), data)
    except OSError as exc:
        raise CoffeechatError(f"{shown} cannot be written: {exc.strerror or exc}") from None
    tell(exported(count, shown))


@export_group.command("csv")
@_output_option
@pass_app
def export_csv(app: App, output: str | None) -> None:
    """Every contact as CSV: name, aliases, company, role, email, phone, linkedin, field,
    tags, referred_by, how_met, cadence, status, follow_up, added, path."""
    from coffeechat.transfer.export import contacts_csv

    path = _check_output(output)
    vault = app.vault
    _write_output(contacts_csv(vault).encode("utf-8"), path, len(vault.contacts))


@export_group.command("vcard")
@_output_option
@pass_app
def export_vcard(app: App, output: str | None) -> None:
    """Every contact as a vCard 3.0 card, for an address book or phone."""
    from coffeechat.transfer.export import contacts_vcard

    path = _check_output(output)
    vault = app.vault
    _write_output(contacts_vcard(vault).encode("utf-8"), path, len(vault.contacts))
