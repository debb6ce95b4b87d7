"""What the commands that publish the follow-ups say: feed, watch and serve (with the time of
each line while they run), push to a CalDAV server, and the Obsidian views and dashboard."""

from __future__ import annotations

from typing import Any

from coffeechat.cli.render.messages import say

__all__ = [
    "dashboard_written",
    "feed_written",
    "no_obsidian_config",
    "obsidian_lines",
    "public_warning",
    "push_lines",
    "serve_lines",
    "stamped",
    "type_conflict",
    "watching",
]


def feed_written(shown: str, wrote: bool, items: int, meetings: int) -> str:
    """What `feed` did to the file ``shown``: wrote it, or left it as it was."""
    what = f"{items} follow-up{'s' * (items != 1)}, {meetings} meeting{'s' * (meetings != 1)}"
    return f"Wrote {shown} ({what})." if wrote else f"{shown} is up to date ({what})."


def stamped(line: str) -> None:
    """A line of a long-running command (watch, serve), after the time it was said."""
    import time

    say(f"{time.strftime('%H:%M:%S')} {line}")


def watching(mode: str, where: str) -> str:
    """How `watch` or `serve` follows the vault ``where`` (``where`` empty: `serve`'s line)."""
    if not where:
        return f"serving; {mode}; Ctrl-C to stop"
    return f"{mode} in {where}; Ctrl-C to stop"


def public_warning(host: str) -> str:
    return (
        f"listening on {host}, not only on this computer: anyone who can"
        " reach it and learns the URL can read your follow-ups; put HTTPS in front"
        " before you share the URL"
    )


def serve_lines(rotated: bool, new: bool, http_url: str, webcal_url: str) -> list[str]:
    """`serve`'s start: whether the secret URL is new, and the URL to subscribe to."""
    lines = []
    if rotated:
        lines.append("A new secret URL was made; the old one no longer works.")
    elif new:
        lines.append("A secret URL was made for this vault (--rotate-token replaces it).")
    lines.append("Subscribe to this URL in your calendar app (it is a password: keep it private):")
    lines += [f"  {http_url}", f"  {webcal_url}"]
    return lines


def push_lines(result: Any, dry_run: bool) -> list[tuple[str, bool]]:
    """What `push` did (or would do), in order: each line, and whether it goes to stderr."""
    where = f"“{result.collection}”" + (f" ({result.url})" if result.url else "")
    lines: list[tuple[str, bool]] = []
    if result.calendar_created:
        lines.append((f"Created the calendar {where} on the server.", False))
    elif dry_run and not result.url:
        lines.append((f"Would create the calendar {where} on the server.", False))
    for line in result.done:
        done = "Would mark" if dry_run else "Marked"
        lines.append((f"{done} done (ticked on the server): {line}", False))
    if result.kept:
        lines.append(
            (
                f"Left alone, edited on the server ({len(result.kept)}; `coffeechat push"
                " --overwrite` replaces them):",
                False,
            )
        )
        lines += [(f"  {line}", False) for line in result.kept]
    lines += [(f"Not done: {line}", True) for line in result.failed]
    if dry_run:
        lines.append((f"Dry run, nothing sent to {where}: would be {result.counts()}.", False))
    else:
        lines.append((f"Pushed to {where}: {result.counts()}.", False))
    return lines


def type_conflict(types_file: str, key: str, theirs: str, ours: str) -> str:
    return (
        f"note: {types_file} types {key} as {theirs} (coffeechat would use {ours});"
        " left as you set it"
    )


def no_obsidian_config() -> str:
    return (
        "note: no .obsidian/ folder (the vault has not been opened in Obsidian yet):"
        " property types not written; `coffeechat obsidian --create-config` makes it"
    )


def obsidian_lines(created: list[str], kept: list[str]) -> list[str]:
    """What `obsidian` added, and what it left alone."""
    lines = []
    if created:
        lines.append("Added " + ", ".join(created) + ".")
    if kept:
        lines.append("Left alone (already there): " + ", ".join(kept) + ".")
    if not created:
        lines.append("Nothing to add.")
    return lines


def dashboard_written(shown: str, wrote: bool) -> str:
    return f"Wrote {shown}." if wrote else f"{shown} is up to date."
