"""The global options wherever they are typed, colour, and usage errors as one line.

`coffeechat due --today 2026-11-23` means what `coffeechat --today 2026-11-23 due` means: the
group's --vault, --today and --color/--no-color are also accepted by every subcommand, and
stored into the one `App` (a value after the command wins, as it was typed last).

Colour: --color/--no-color when given; otherwise none under NO_COLOR (https://no-color.org) or
TERM=dumb, and click's own default (colour at a terminal only) else.
"""

from __future__ import annotations

import os
from typing import Any

import click

from coffeechat.errors import UsageError

__all__ = [
    "OneLineCommand",
    "OneLineGroup",
    "add_global_options",
    "color_choice",
    "one_line_usage_errors",
]


def color_choice(flag: bool | None) -> bool | None:
    """The context's colour setting: the flag if given, False where the environment asks for
    none, None (click decides: a terminal gets colour) otherwise."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return None


def _store(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Callback of the options repeated on a subcommand: the value goes to the App."""
    from coffeechat.cli import App, date_option

    if value is None:
        return
    app = ctx.find_object(App)
    if app is None:  # pragma: no cover - every subcommand runs under the group
        return
    if param.name == "vault":
        app.vault_arg = value
    elif param.name == "today":
        app.today_arg = date_option(ctx, param, value)
    elif param.name == "color":
        node: click.Context | None = ctx
        while node is not None:  # click.echo looks at the innermost context
            node.color = value
            node = node.parent


def _global_params() -> list[click.Parameter]:
    return [
        click.Option(["--vault"], metavar="PATH", hidden=True, expose_value=False, callback=_store),
        click.Option(
            ["--today"], metavar="YYYY-MM-DD", hidden=True, expose_value=False, callback=_store
        ),
        click.Option(
            ["--color/--no-color", "color"],
            default=None,
            hidden=True,
            expose_value=False,
            callback=_store,
        ),
    ]


def add_global_options(group: click.Group) -> None:
    """Give every command under ``group`` (sub-groups and theirs too) the global options."""
    for command in group.commands.values():
        taken = {opt for p in command.params for opt in getattr(p, "opts", ())}
        command.params.extend(p for p in _global_params() if not taken & set(p.opts))
        if isinstance(command, click.Group):
            add_global_options(command)


def _show(exc: click.UsageError, file: Any = None) -> None:
    """A usage error as one line, plus one hint: click's "Did you mean" when it has one, the
    command's --help otherwise."""
    ctx = exc.ctx
    color = ctx.color if ctx is not None else None
    message = exc.format_message()
    click.echo(f"Error: {message}", file=file, err=file is None, color=color)
    if (
        "Did you mean" not in message
        and ctx is not None
        and ctx.command.get_help_option(ctx) is not None
    ):
        click.echo(f"(see {ctx.command_path} --help)", file=file, err=file is None, color=color)


def one_line_usage_errors(exc: click.UsageError) -> click.UsageError:
    """``exc``, printed by click as one line and one hint instead of Usage / Try / Error (a
    bare `coffeechat` or group, which asks for the help, still gets the help)."""
    if not isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
        exc.show = lambda file=None: _show(exc, file)  # type: ignore[method-assign]
    return exc


def _one_line(exc: click.UsageError, parent: click.Context | None, name: str | None) -> UsageError:
    """click's usage error as our one line, naming the command's help."""
    names = [name or ""]
    while parent is not None and parent.parent is not None:
        names.append(parent.info_name or "")
        parent = parent.parent
    where = " ".join(["coffeechat", *reversed(names)])
    return UsageError(f"{exc.format_message()} (see {where} --help)")


class OneLineCommand(click.Command):
    """A command whose usage errors are one line, `Error: ...`, exit 2, like every other
    refusal — not click's three-line usage block (the commands of `import` and `export`)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _one_line(exc, parent, info_name) from None


class OneLineGroup(OneLineCommand, click.Group):
    """A group of `OneLineCommand`s that names an unknown subcommand in one line, as ``what``
    ("import format")."""

    command_class = OneLineCommand

    def __init__(self, *args: Any, what: str = "command", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what = what

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError:
            choices = " or ".join(sorted(self.commands))
            raise UsageError(f"unknown {self.what} {args[0]!r} (use {choices})") from None
