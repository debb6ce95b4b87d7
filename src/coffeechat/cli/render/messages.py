"""The plain lines coffeechat says: warnings, confirmations, summaries of what was done.

One place decides how they read, so that `log`, an import and `push` speak alike.
"""

from __future__ import annotations

import sys

import click

__all__ = [
    "error_line",
    "interrupted",
    "problems_line",
    "say",
    "say_bytes",
    "tell",
    "unexpected",
    "warn",
]


def say(line: str, nl: bool = True) -> None:
    """A line of the command's result, on stdout (``nl=False``: a text that ends its own)."""
    click.echo(line, nl=nl)


def tell(line: str) -> None:
    """A line about the run (a warning, a note, a count), on stderr: stdout stays the result."""
    click.echo(line, err=True)


def say_bytes(data: bytes) -> None:
    """A file's bytes on stdout exactly as made (a feed, a CSV, a note): no newline added, no
    colour stripped, no encoding applied."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def warn(warning: object) -> None:
    """A warning (a note that could not be read, a setting ignored): one line on stderr."""
    tell(f"warning: {warning}")


def problems_line(problems: int) -> str:
    return (
        f"{problems} problem{'s' if problems != 1 else ''} in the vault's notes:"
        " run `coffeechat check` to see them."
    )


def error_line(message: str) -> str:
    """A refusal or failure, as every command ends with one (the message, bidi escaped)."""
    from coffeechat.core.names import escape_bidi

    return f"Error: {escape_bidi(message)}"


def interrupted() -> str:
    return "Interrupted."


def unexpected(exc: BaseException) -> str:
    """A failure coffeechat did not foresee: one line, and how to see and report it."""
    return (
        f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for the"
        " traceback, and please report it)"
    )
