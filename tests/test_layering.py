"""The architecture, checked: the core stays pure, and `--help` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SRC = REPO / "src" / "coffeechat"
FORBIDDEN_IN_CORE = {
    "click",
    "sqlite3",
    "watchdog",
    "http",
    "socket",
    "subprocess",
    "os",
    "coffeechat.cli",
    "coffeechat.storage",
    "icalendar",
    "pathlib",
    "io",
    "time",
    "importlib",
    "shutil",
    "tempfile",
    "urllib.request",
    "imaplib",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_adapter():
    for path in sorted((SRC / "core").rglob("*.py")):
        bad = {
            name
            for name in _imports(path)
            if any(name == f or name.startswith(f + ".") for f in FORBIDDEN_IN_CORE)
        }
        assert not bad, f"{path.name} imports {bad}"


def test_core_never_reads_the_clock():
    for path in sorted((SRC / "core").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for call in (
            "date.today(",
            "datetime.today(",
            ".now(",
            "time.time(",
            "time_ns(",
            "datetime.utcnow(",
            "monotonic(",
            "perf_counter(",
        ):
            assert call not in text, f"{path.name} calls {call}"


def test_every_module_says_what_it_is():
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "__init__.py" and path.stat().st_size == 0:
            continue
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), path


def test_help_does_not_import_the_heavy_parts():
    code = (
        "import sys; from coffeechat.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('yaml', 'sqlite3', 'coffeechat.storage.cache.index', 'coffeechat.core.note.parse')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


#: What styles a line or shapes JSON: only the renderer (cli/render/) may call these.
STYLING = {("click", "style"), ("click", "secho"), ("json", "dumps")}


def _styling_calls(path: Path) -> list[str]:
    """Where ``path`` calls click.style, click.secho or json.dumps (also when imported by name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    by_name = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if (node.module, alias.name) in STYLING
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in STYLING
        ) or (isinstance(func, ast.Name) and func.id in by_name):
            found.append(f"{path.name}:{node.lineno}: {ast.unparse(func)}")
    return found


def test_only_the_renderer_styles_output():
    render = SRC / "cli" / "render"
    calls = [
        call
        for path in sorted((SRC / "cli").rglob("*.py"))
        if render not in path.parents
        for call in _styling_calls(path)
    ]
    assert calls == [], "style lines and shape JSON in cli/render/, not in the commands"


def _spelled_strings(tree: ast.AST) -> list[ast.Constant]:
    """The string literals of a module's code: not its docstrings, and not the ``help=`` of an
    option (those are documentation, which may name the folder)."""
    docs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
        elif isinstance(node, ast.keyword) and node.arg == "help":
            docs.update(id(n) for n in ast.walk(node.value))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_only_the_store_names_its_folder():
    """The `.coffeechat` folder is spelled in code by `storage/` only: everything else asks
    `storage.cachedir` (or `storage.outputs`) where it is."""
    storage = SRC / "storage"
    spelled = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in sorted(SRC.rglob("*.py"))
        if storage not in path.parents
        for node in _spelled_strings(ast.parse(path.read_text(encoding="utf-8")))
        if ".coffeechat" in node.value
    ]
    assert spelled == []


#: What changes the file system. Outside storage/ none of these may be called: every file
#: coffeechat writes goes through storage (atomic, fingerprint-checked, kept inside the vault).
WRITING_METHODS = {
    "write_bytes", "write_text", "mkdir", "unlink", "rmdir", "rename", "touch",
    "symlink_to", "hardlink_to", "chmod",
}  # fmt: skip
WRITING_FUNCTIONS = {
    ("os", name)
    for name in ("replace", "rename", "remove", "unlink", "mkdir", "makedirs", "rmdir", "link",
                 "symlink", "chmod", "truncate", "write")
} | {("shutil", name) for name in ("move", "copy", "copy2", "copyfile", "copytree", "rmtree")}  # fmt: skip


def _writes(path: Path, base: Path = SRC) -> list[str]:
    """Where ``path`` changes the file system: a writing method, an os/shutil function, or
    ``open`` with a mode that writes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and (
            func.attr in WRITING_METHODS
            or (
                isinstance(func.value, ast.Name) and (func.value.id, func.attr) in WRITING_FUNCTIONS
            )
        ):
            found.append(f"{path.relative_to(base)}:{node.lineno}: {ast.unparse(func)}")
        elif isinstance(func, ast.Name) and func.id == "open":
            modes = [k.value for k in node.keywords if k.arg == "mode"] + node.args[1:2]
            mode = modes[0] if modes else ast.Constant("r")
            if not (isinstance(mode, ast.Constant) and not set(str(mode.value)) & set("wax+")):
                found.append(f"{path.relative_to(base)}:{node.lineno}: open({ast.unparse(mode)})")
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "open"
            and not (isinstance(func.value, ast.Name) and func.value.id == "os")
        ):  # path.open("w"); a zip's open(member) takes a name, not a mode
            modes = [k.value for k in node.keywords if k.arg == "mode"] + [
                a for a in node.args[:1] if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if any(
                not isinstance(m, ast.Constant) or set(str(m.value)) & set("wax+") for m in modes
            ):
                found.append(
                    f"{path.relative_to(base)}:{node.lineno}: .open({ast.unparse(modes[0])})"
                )
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "open"
            and isinstance(func.value, ast.Name)
            and func.value.id == "os"
            and any(
                flag in ast.unparse(node) for flag in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_APPEND")
            )
        ):  # os.open with flags that write
            found.append(f"{path.relative_to(base)}:{node.lineno}: os.open")
    return found


def test_only_the_store_writes_files():
    storage = SRC / "storage"
    writes = [
        write
        for path in sorted(SRC.rglob("*.py"))
        if storage not in path.parents
        for write in _writes(path)
    ]
    assert writes == [], "write files through coffeechat.storage"


def test_the_write_check_sees_writes(tmp_path):
    """The check above, on a module that writes in each way it looks for."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os, shutil\n"
        "p.write_text('x'); p.mkdir(); os.replace(a, b); shutil.rmtree(d)\n"
        "open(f, 'a'); open(f, mode='wb'); open(f, m); open(f); open(f, 'rb')\n"
        "p.open('w'); p.open(); z.open(info); os.open(f, os.O_WRONLY); os.open(f, os.O_RDONLY)\n",
        encoding="utf-8",
    )
    found = [line.split(": ", 1)[1] for line in _writes(sample, tmp_path)]
    assert found == [
        "p.write_text", "p.mkdir", "os.replace", "shutil.rmtree",
        "open('a')", "open('wb')", "open(m)", ".open('w')", "os.open",
    ]  # fmt: skip


def test_a_long_module_says_why_it_is_one():
    """About 400 lines at most, unless the module is one idea and its docstring says so."""
    long = [
        f"{path.relative_to(SRC)} ({lines} lines)"
        for path in sorted(SRC.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 420
        and "one idea" not in (ast.get_docstring(ast.parse(path.read_text("utf-8"))) or "").lower()
    ]
    assert long == [], "split it, or say in its docstring why it is one idea"
