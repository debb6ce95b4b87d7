"""The plain lines coffeechat says: warnings, confirmations, summaries of what was done.

One place decides how they read, so that `log`, an import and `push` speak alike.
"""

from __future__ import annotations

import click

__all__ = ["problems_line", "say", "tell", "warn"]


def say(line: str, nl: bool = True) -> None:
    """A line of the command's result, on stdout (``nl=False``: a text that ends its own)."""
    click.echo(line, nl=nl)


def tell(line: str) -> None:
    """A line about the run (a warning, a note, a count), on stderr: stdout stays the result."""
    click.echo(line, err=True)


def warn(warning: object) -> None:
    """A warning (a note that could not be read, a setting ignored): one line on stderr."""
    tell(f"warning: {warning}")


def problems_line(problems: int) -> str:
    return (
        f"{problems} problem{'s' if problems != 1 else ''} in the vault's notes:"
        " run `coffeechat check` to see them."
    )
