"""The `coffeechat` command: global options, the shared context, and the one error boundary."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import click

from coffeechat import __version__
from coffeechat.cli.options import add_global_options, color_choice, one_line_usage_errors
from coffeechat.cli.render.messages import error_line, interrupted, tell, unexpected, warn
from coffeechat.errors import CoffeechatError

__all__ = ["App", "cli", "date_option", "main"]


class App:
    """What every command shares: the vault, its settings, today, and the loaded model."""

    def __init__(self, vault: str | None, today: dt.date | None, debug: bool = False) -> None:
        self.vault_arg = vault
        self.today_arg = today
        self.debug = debug

    @cached_property
    def root(self) -> Path:
        from coffeechat.config import find_vault

        return find_vault(self.vault_arg)

    @cached_property
    def settings(self) -> Any:
        from coffeechat.config import load_settings

        settings, warnings = load_settings(self.root)
        for warning in warnings:
            warn(warning)
        return settings

    @cached_property
    def today(self) -> dt.date:
        if self.today_arg is not None:
            return self.today_arg
        return dt.datetime.now(self.settings.tz).date()

    @cached_property
    def vault(self) -> Any:
        """The vault, read through the index (brought up to date first)."""
        from coffeechat.storage.cache.index import Index

        return Index(self.root, self.settings).vault(warn=warn)

    @cached_property
    def agenda(self) -> Any:
        """The finished agenda on `today` (`storage.cache.answers.CurrentAgenda`): what `due`, the feed
        and the dashboard show, recomputed only as far as the vault changed."""
        from coffeechat.storage.cache.index import Index

        refresh = Index(self.root, self.settings).agenda(self.today)
        for warning in refresh.warnings:
            warn(warning)
        return refresh

    def lock_for_writing(self) -> None:
        """Hold the vault's write lock until the running command ends. Called by every
        command that writes notes, before it reads the vault: a second coffeechat waits, then
        sees what this one wrote (`coffeechat.storage.lock`)."""
        from coffeechat.storage.lock import write_lock

        click.get_current_context().with_resource(write_lock(self.root))

    def part(self, names: Sequence[str] = (), around: Iterable[str] = ()) -> Any:
        """The part of the vault a command about a few notes needs (`Index.part`: the notes
        ``names`` may mean, those around the subjects or paths ``around``, and where their
        links lead), read through the store brought up to date with the disk as for `due`;
        the whole vault when the store cannot be used. What is true of these notes in it is
        true of them in the whole vault: `Vault.one`, `Vault.find`, cards, `resolution`."""
        if "vault" in self.__dict__:
            return self.vault
        part = self._reading.part(names, around)
        if "vault" not in self.__dict__:
            self._notes_read.update(part.notes)
        return part

    def names(self) -> Any:
        """The file names taken in the vault (`storage.writer.NoteNames`), for new notes:
        asked of the store name by name, or of the whole vault when it is loaded."""
        from coffeechat.storage.writer import NoteNames

        if "vault" in self.__dict__:
            return NoteNames(self.vault.notes)
        return self._reading.names()

    @cached_property
    def _reading(self) -> Any:
        """How `part` and `names` read: through the store, else the whole vault (`vault`)."""
        from coffeechat.storage.cache.index import Index
        from coffeechat.storage.cache.part import VaultReader

        self.agenda  # noqa: B018  (brings the store up to date: notes, shapes and links)
        return VaultReader(Index(self.root, self.settings), whole=lambda: self.vault)

    @cached_property
    def _notes_read(self) -> dict[str, Any]:
        """The notes of the parts read so far, by path (`edit` checks the disk against them)."""
        return {}

    def edit(self, rel: str, edit: Any) -> bool:
        """`edit_note` on a note the command read (in a part, or in the whole vault), refused
        if the file changed after it was read (an editor saving it meanwhile); later edits of
        a note this command wrote itself are checked against that write."""
        from coffeechat.storage.writer import edit_note

        written: dict[str, int] = self.__dict__.setdefault("_written", {})
        if "vault" in self.__dict__:
            note = self.vault.notes.get(rel)
        else:
            note = self._notes_read.get(rel) or self.part(around=[rel]).notes.get(rel)
        expected = written.get(rel, note.mtime_ns if note is not None else None)
        changed = edit_note(self.root, rel, edit, expected_mtime_ns=expected or None)
        if changed:
            try:
                written[rel] = os.stat(self.root / rel).st_mtime_ns
            except OSError:
                pass
        return changed


pass_app = click.make_pass_decorator(App)

#: Commands that run until stopped: they keep the cycle collector (and pause it per pass).
LONG_RUNNING = frozenset({"watch", "serve"})


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """The click callback of every date option: YYYY-MM-DD, or a usage error (exit 2)."""
    if value is None or value == "":
        return None
    from coffeechat.core.dates import out_of_range

    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if (far := out_of_range(day)) is not None:
        raise click.BadParameter(far)
    return day


class Group(click.Group):
    """Turns every CoffeechatError and usage error into one line on stderr and its exit code,
    in one place."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise one_line_usage_errors(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise one_line_usage_errors(exc) from None
        except CoffeechatError as exc:
            tell(error_line(str(exc)))
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            sys.stderr.close()  # `coffeechat due | head`: stop quietly
            ctx.exit(0)
        except KeyboardInterrupt:
            tell(interrupted())
            ctx.exit(130)
        except Exception as exc:
            app = ctx.find_object(App)
            if app is not None and app.debug:
                raise
            tell(unexpected(exc))
            ctx.exit(1)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--vault",
    metavar="PATH",
    envvar="COFFEECHAT_VAULT",
    help="The vault folder (default: the nearest folder above holding coffeechat.toml)."
    " Env: COFFEECHAT_VAULT.",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    envvar="COFFEECHAT_TODAY",
    callback=date_option,
    help="Compute as if today were this date (for reproducible runs). Env: COFFEECHAT_TODAY.",
)
@click.option(
    "--color/--no-color",
    "color",
    default=None,
    help="Colour, even into a pipe (`less -R`), or none (default: at a terminal, unless"
    " NO_COLOR is set or TERM=dumb).",
)
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of unexpected errors.")
@click.version_option(__version__, prog_name="coffeechat")
@click.pass_context
def cli(
    ctx: click.Context, vault: str | None, today: dt.date | None, color: bool | None, debug: bool
) -> None:
    """Run a networking job search — informational interviews, coffee chats — out of a
    folder of Markdown notes: see who is owed what, and when.

    \b
    Start with:  coffeechat init my-search   (or point --vault at an existing vault)
    Then:        coffeechat due
    """
    ctx.obj = App(vault, today, debug)
    from coffeechat.cli.render.progress import TerminalProgress
    from coffeechat.core.progress import shown_by

    ctx.with_resource(shown_by(TerminalProgress()))
    if ctx.invoked_subcommand not in LONG_RUNNING and gc.isenabled():
        # A short-lived command builds a few hundred thousand objects that all live until it
        # ends: the cycle collector would only walk them again and again (10-25% of a run).
        gc.disable()
        ctx.call_on_close(gc.enable)
    ctx.color = color_choice(color)


def main(argv: Sequence[str] | None = None) -> None:
    cli.main(args=list(argv) if argv is not None else None, prog_name="coffeechat")


# The commands register themselves on `cli` as they are imported: after it is defined.
from coffeechat.cli import coaching as _coaching  # noqa: E402, F401
from coffeechat.cli import exports as _exports  # noqa: E402, F401
from coffeechat.cli import feed as _feed  # noqa: E402, F401
from coffeechat.cli import imports as _imports  # noqa: E402, F401
from coffeechat.cli import init as _init  # noqa: E402, F401
from coffeechat.cli import items as _items  # noqa: E402, F401
from coffeechat.cli import obsidian as _obsidian  # noqa: E402, F401
from coffeechat.cli import push as _push  # noqa: E402, F401
from coffeechat.cli import queries as _queries  # noqa: E402, F401
from coffeechat.cli import review as _review  # noqa: E402, F401
from coffeechat.cli import search as _search  # noqa: E402, F401
from coffeechat.cli import writing as _writing  # noqa: E402, F401

add_global_options(cli)  # --vault, --today, --color also after the command
