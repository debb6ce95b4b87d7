"""`coffeechat --help` starts fast: the command modules import click and little else.

Every command registers itself with click when `coffeechat.cli` is imported, so the command
modules' top level must stay light; the vault model, the rules, the settings, YAML, SQLite,
iCalendar and the rest are imported inside the commands that use them.
"""

from __future__ import annotations

import ast
import subprocess
import sys

#: Libraries no command needs before it runs.
HEAVY = {"yaml", "icalendar", "sqlite3", "watchdog", "vobject", "caldav", "keyring", "http"}

#: Our own modules and the standard library's that only some commands need.
HEAVY_TOO = (
    "coffeechat.config",
    "coffeechat.core",
    "coffeechat.storage",
    "coffeechat.feed",
    "coffeechat.live.watch",
    "coffeechat.live.serve",
    "coffeechat.caldav",
    "coffeechat.transfer.records",
    "coffeechat.transfer.export",
    "coffeechat.storage.outputs",
    "coffeechat.obsidian.dashboard",
    "coffeechat.collector",
    "tomllib",
    "zoneinfo",
    "json",
    "importlib.resources",
    "hashlib",
    "dataclasses",
    "signal",
    "csv",
    "shlex",
    "email",
    "urllib.request",
    "socket",
    "ssl",
)

#: Still imported at start-up, by cli/queries.py's top level: the model, the rules and the
#: vault (coffeechat.core), and through them the settings (coffeechat.config, tomllib), the ids
#: (hashlib) and dataclasses. Empty this once queries.py imports them inside its commands; the
#: test below fails when an entry is no longer imported, so that the list does not go stale.
STILL_IMPORTED_BY_QUERIES: set[str] = set()


def _python(code: str) -> str:
    return (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        .stdout.strip()
        .splitlines()[-1]
    )


def test_importing_the_cli_loads_no_heavy_library():
    code = (
        "import coffeechat.cli, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in"
        f" {sorted(HEAVY)!r}))"
    )
    assert _python(code) == "[]"


def _heavy(module: str) -> str | None:
    """The entry of HEAVY or HEAVY_TOO that ``module`` is (or is part of), if any."""
    for name in (*HEAVY_TOO, *HEAVY):
        if module == name or module.startswith(name + "."):
            return name
    return None


def test_help_loads_only_the_command_modules():
    # What `coffeechat --help` adds to what click itself loads (and the interpreter's site
    # hooks, which may already hold some of these).
    code = (
        "import sys, click\n"
        "before = set(sys.modules)\n"
        "from coffeechat.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(set(sys.modules) - before))"
    )
    loaded = set(ast.literal_eval(_python(code)))
    assert "coffeechat.cli.queries" in loaded
    heavy = {_heavy(m) for m in loaded} - {None}
    assert heavy - STILL_IMPORTED_BY_QUERIES == set(), (
        "imported at start-up: move these imports into the commands that use them"
    )
    gone = STILL_IMPORTED_BY_QUERIES - heavy
    assert not gone, (
        f"no longer imported at start-up: remove {sorted(gone)} from STILL_IMPORTED_BY_QUERIES"
    )


def test_due_offers_every_rule():
    from coffeechat.cli import cli
    from coffeechat.core.rules import RULE_NAMES

    option = next(p for p in cli.commands["due"].params if p.name == "rules")
    assert tuple(option.type.choices) == RULE_NAMES


def test_help_lists_every_command():
    from click.testing import CliRunner

    from coffeechat.cli import cli

    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in cli.commands:
        if not cli.commands[name].hidden:
            assert f"  {name}" in result.output
