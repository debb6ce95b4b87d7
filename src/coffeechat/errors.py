"""The exceptions coffeechat raises; each renders itself as the one line a user sees."""

from __future__ import annotations


class CoffeechatError(Exception):
    """An error meant for the user: printed as one line, never as a traceback."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CoffeechatError):
    """The command line or the settings asked for something impossible (exit 2)."""

    exit_code = 2


def located(path: str, line: int | None, message: str) -> str:
    """``path:line: message`` (``path: message`` when the line is not known)."""
    return f"{path}:{line}: {message}" if line else f"{path}: {message}"


class ConfigError(UsageError):
    """coffeechat.toml could not be read or holds a bad value."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(located(path, line, message))
        self.path = path
        self.line = line


class VaultNotFound(UsageError):
    """No vault was given and none was found by walking up from the working directory."""


class NoteError(CoffeechatError):
    """A note that cannot be used for what was asked, at a known place."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(located(path, line, message))
        self.path = path
        self.line = line


class NotFound(UsageError):
    """A name, id or path the user gave matches nothing (or too much) in the vault (exit 2)."""
