"""A small evaluator of Obsidian Bases expressions and filters, for the tests of our .base files.

Obsidian itself cannot run here. This reads the documented subset our bases use (help.obsidian.md,
"Bases syntax" and "Functions"): literals, note/file/formula properties, `!`, `&&`, `||`,
comparisons, method calls and the global functions, with JavaScript's truthiness. Property
values are typed as `.obsidian/types.json` says (dates become dates) and wiki-links in front
matter become links, as Obsidian does; ``file.backlinks`` are the links from other notes'
front matter and bodies. Comparing with a missing value is false (Obsidian errors, so the row
is left out). It is deliberately strict: an unknown function or field raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coffeechat.core.note.parse import parse_note

#: Every function and field the Bases docs list ("Functions"; file fields from "Bases syntax").
GLOBAL_FUNCTIONS = {
    "escapeHTML",
    "date",
    "duration",
    "file",
    "html",
    "if",
    "image",
    "icon",
    "link",
    "list",
    "max",
    "min",
    "now",
    "number",
    "today",
    "random",
}
METHODS = {
    # any
    "isTruthy",
    "isType",
    "toString",
    # date
    "format",
    "time",
    "relative",
    "isEmpty",
    "date",
    # string
    "contains",
    "containsAll",
    "containsAny",
    "endsWith",
    "lower",
    "replace",
    "repeat",
    "reverse",
    "slice",
    "split",
    "startsWith",
    "title",
    "trim",
    # number
    "abs",
    "ceil",
    "floor",
    "round",
    "toFixed",
    # list
    "filter",
    "flat",
    "join",
    "map",
    "reduce",
    "sort",
    "unique",
    # link
    "asFile",
    "linksTo",
    # file
    "asLink",
    "hasLink",
    "hasProperty",
    "hasTag",
    "inFolder",
    # object
    "keys",
    "values",
    # regexp
    "matches",
}
FILE_FIELDS = {
    "backlinks",
    "ctime",
    "embeds",
    "ext",
    "file",
    "folder",
    "links",
    "mtime",
    "name",
    "path",
    "properties",
    "size",
    "tags",
    "basename",
}
FIELDS = {"length", "year", "month", "day", "hour", "minute", "second", "millisecond"}

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')|(?P<num>\d+(?:\.\d+)?)
                    |(?P<id>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>&&|\|\||==|!=|<=|>=|[<>!().,\[\]+\-*/%]))""",
    re.VERBOSE,
)


def tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise SyntaxError(f"cannot read {text[pos:]!r} in {text!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Parser:
    """Recursive descent: or > and > comparison > unary > postfix > primary."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise SyntaxError(f"expected {value or 'more'} at token {self.i} in {self.text!r}")
        self.i += 1
        return tok

    def parse(self) -> Any:
        node = self.or_()
        if self.peek() is not None:
            raise SyntaxError(f"unexpected {self.peek()} in {self.text!r}")
        return node

    def or_(self) -> Any:
        node = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            node = ("bin", "||", node, self.and_())
        return node

    def and_(self) -> Any:
        node = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            node = ("bin", "&&", node, self.cmp())
        return node

    def cmp(self) -> Any:
        node = self.unary()
        tok = self.peek()
        if tok is not None and tok[1] in ("==", "!=", "<", ">", "<=", ">="):
            self.take()
            node = ("bin", tok[1], node, self.unary())
        return node

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return ("not", self.unary())
        return self.postfix()

    def postfix(self) -> Any:
        node = self.primary()
        while True:
            tok = self.peek()
            if tok == ("op", "."):
                self.take()
                name = self.take()[1]
                if self.peek() == ("op", "("):
                    node = ("method", node, name, self.args())
                else:
                    node = ("field", node, name)
            elif tok == ("op", "(") and node[0] == "name":
                node = ("call", node[1], self.args())
            else:
                return node

    def args(self) -> list[Any]:
        self.take("(")
        out = []
        while self.peek() != ("op", ")"):
            out.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        return out

    def primary(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return ("lit", value[1:-1].replace('\\"', '"').replace("\\'", "'"))
        if kind == "num":
            return ("lit", float(value))
        if kind == "id":
            if value in ("true", "false", "null"):
                return ("lit", {"true": True, "false": False, "null": None}[value])
            return ("name", value)
        if value == "(":
            node = self.or_()
            self.take(")")
            return node
        raise SyntaxError(f"unexpected {value!r} in {self.text!r}")


def walk(node: Any) -> Any:
    """Every sub-node of a parsed expression."""
    yield node
    for part in node[1:]:
        if isinstance(part, tuple):
            yield from walk(part)
        elif isinstance(part, list):
            for item in part:
                yield from walk(item)


# --- the vault as Obsidian would see it -------------------------------------------------------


@dataclass(eq=False)
class File:
    path: str
    props: dict[str, Any]
    outlinks: list[str]
    vault: Vault = field(repr=False)

    @property
    def basename(self) -> str:
        return self.path.rsplit("/", 1)[-1].removesuffix(".md")

    def get(self, name: str) -> Any:
        if name not in FILE_FIELDS:
            raise AttributeError(f"file.{name} is not a documented file field")
        if name == "name":
            return self.path.rsplit("/", 1)[-1]
        if name == "basename":
            return self.basename
        if name == "path":
            return self.path
        if name == "folder":
            return self.path.rsplit("/", 1)[0] if "/" in self.path else "/"
        if name == "ext":
            return "md"
        if name == "properties":
            return dict(self.props)
        if name == "backlinks":
            return [
                Link(f.path, self.vault)
                for f in self.vault.files
                if any(self.vault.resolve(t) is self for t in f.outlinks)
            ]
        raise AttributeError(f"file.{name} is not modelled by this evaluator")

    def call(self, name: str, args: list[Any]) -> Any:
        if name == "inFolder":
            folder = args[0].strip("/")
            return self.path.startswith(folder + "/")
        if name == "hasProperty":
            return args[0] in self.props
        if name == "asLink":
            return Link(self.path, self.vault)
        raise AttributeError(f"file.{name}() is not modelled by this evaluator")


@dataclass(eq=False)
class Link:
    target: str
    vault: Vault = field(repr=False)

    def resolved(self) -> File | None:
        return self.vault.resolve(self.target)

    def __eq__(self, other: object) -> bool:
        mine = self.resolved()
        if isinstance(other, File):
            return mine is other
        if isinstance(other, Link):
            return mine is not None and mine is other.resolved()
        return False

    def __hash__(self) -> int:
        return hash(self.target)

    def __str__(self) -> str:
        file = self.resolved()
        return file.basename if file else self.target


_WIKILINK = re.compile(r"\[\[([^\]|#^]+)(?:[#^][^\]|]*)?(?:\|[^\]]*)?\]\]")


class Vault:
    """The notes of a folder, typed by a types.json mapping (key -> Obsidian type)."""

    def __init__(self, root: Path, types: dict[str, str]) -> None:
        self.files: list[File] = []
        for path in sorted(root.rglob("*.md")):
            rel = path.relative_to(root).as_posix()
            if any(part.startswith(".") for part in rel.split("/")):
                continue
            note = parse_note(rel, path.read_bytes())
            props = {k: self._typed(v, types.get(k, "")) for k, v in note.meta.items()}
            self.files.append(File(rel, props, _WIKILINK.findall(path.read_text("utf-8")), self))

    def _typed(self, value: Any, kind: str) -> Any:
        if isinstance(value, list):
            return [self._typed(v, kind) for v in value]
        if kind in ("date", "datetime") and value not in (None, ""):
            if isinstance(value, dt.datetime):
                return value
            if isinstance(value, dt.date):
                return dt.datetime.combine(value, dt.time())
            try:
                return dt.datetime.fromisoformat(str(value).replace(" ", "T"))
            except ValueError:
                return value  # Obsidian shows a value that is not a date as it is
        if isinstance(value, str):
            m = _WIKILINK.fullmatch(value.strip())
            if m:
                return Link(m[1].strip(), self)
        return value

    def resolve(self, target: str) -> File | None:
        target = target.strip().removesuffix(".md")
        for f in self.files:
            if f.path.removesuffix(".md") == target:
                return f
        hits = [
            f for f in self.files if f.basename.casefold() == target.rsplit("/", 1)[-1].casefold()
        ]
        return min(hits, key=lambda f: len(f.path)) if hits else None


# --- evaluation ---------------------------------------------------------------------------------


def truthy(value: Any) -> bool:
    """JavaScript's truthiness: "", 0, null and false are false; lists and objects are true."""
    if isinstance(value, list | dict | File | Link | dt.datetime):
        return True
    return bool(value)


class Row:
    """One note being evaluated, with a base's formulas."""

    def __init__(self, file: File, formulas: dict[str, str], today: dt.date) -> None:
        self.file = file
        self.formulas = {k: Parser(v).parse() for k, v in formulas.items()}
        self.today = dt.datetime.combine(today, dt.time())
        self.cache: dict[str, Any] = {}

    def formula(self, name: str) -> Any:
        if name not in self.cache:
            self.cache[name] = self.eval(self.formulas[name], {})
        return self.cache[name]

    def test(self, filters: Any) -> bool:
        if filters is None:
            return True
        if isinstance(filters, str):
            return truthy(self.eval(Parser(filters).parse(), {}))
        ((op, parts),) = filters.items()
        results = [self.test(p) for p in parts]
        return {"and": all, "or": any, "not": lambda r: not any(r)}[op](results)

    def eval(self, node: Any, scope: dict[str, Any]) -> Any:
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "name":
            name = node[1]
            if name in scope:
                return scope[name]
            if name == "file":
                return self.file
            if name in ("note", "formula"):
                return name
            return self.file.props.get(name)
        if kind == "field":
            obj = self.eval(node[1], scope)
            name = node[2]
            if obj == "note":
                return self.file.props.get(name)
            if obj == "formula":
                return self.formula(name)
            if isinstance(obj, File):
                return obj.get(name)
            if isinstance(obj, dict):
                return obj.get(name)
            if name == "length" and isinstance(obj, list | str):
                return len(obj)
            raise AttributeError(f".{name} of {obj!r}")
        if kind == "not":
            return not truthy(self.eval(node[1], scope))
        if kind == "bin":
            op = node[1]
            if op == "&&":
                left = self.eval(node[2], scope)
                return self.eval(node[3], scope) if truthy(left) else left
            if op == "||":
                left = self.eval(node[2], scope)
                return left if truthy(left) else self.eval(node[3], scope)
            a, b = self.eval(node[2], scope), self.eval(node[3], scope)
            if op == "==":
                return a == b
            if op == "!=":
                return a != b
            numbers = isinstance(a, int | float) and isinstance(b, int | float)
            if a is None or b is None or (type(a) is not type(b) and not numbers):
                return False
            return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
        if kind == "call":
            return self.call(node[1], node[2], scope)
        if kind == "method":
            return self.method(node[1], node[2], node[3], scope)
        raise ValueError(node)

    def call(self, name: str, args: list[Any], scope: dict[str, Any]) -> Any:
        if name not in GLOBAL_FUNCTIONS:
            raise NameError(f"{name}() is not a documented function")
        if name == "if":
            cond = truthy(self.eval(args[0], scope))
            if cond:
                return self.eval(args[1], scope)
            return self.eval(args[2], scope) if len(args) > 2 else None
        values = [self.eval(a, scope) for a in args]
        if name == "today":
            return self.today
        if name == "list":
            return values[0] if isinstance(values[0], list) else [values[0]]
        if name == "link":
            return Link(str(values[0]).strip("[]"), self.file.vault)
        raise NotImplementedError(f"{name}() is documented but not modelled here")

    def method(self, target: Any, name: str, args: list[Any], scope: dict[str, Any]) -> Any:
        if name not in METHODS:
            raise NameError(f".{name}() is not a documented function")
        obj = self.eval(target, scope)
        if name in ("filter", "map"):
            out = []
            for value in obj:
                result = self.eval(args[0], {**scope, "value": value})
                if name == "map":
                    out.append(result)
                elif truthy(result):
                    out.append(value)
            return out
        values = [self.eval(a, scope) for a in args]
        if isinstance(obj, File):
            return obj.call(name, values)
        if isinstance(obj, Link):
            if name == "asFile":
                return obj.resolved()
            raise NotImplementedError(name)
        if name == "isEmpty":
            return obj is None or obj == "" or obj == [] or obj == {}
        if name == "contains":
            if isinstance(obj, list):
                return any(v == values[0] or values[0] == v for v in obj)
            return isinstance(obj, str) and values[0] in obj
        if name == "lower" and isinstance(obj, str):
            return obj.lower()
        raise NotImplementedError(f".{name}() on {obj!r}")


def view_rows(
    base: dict[str, Any], view: dict[str, Any], vault: Vault, today: dt.date
) -> list[Row]:
    """The notes a view of ``base`` lists (its filters and the base's, joined by AND)."""
    rows = [Row(f, base.get("formulas") or {}, today) for f in vault.files]
    return [r for r in rows if r.test(base.get("filters")) and r.test(view.get("filters"))]


def value_of(row: Row, prop: str) -> Any:
    """A view's column or group value: ``note.x``, ``file.x`` or ``formula.x``."""
    kind, _, name = prop.partition(".")
    if kind == "formula":
        return row.formula(name)
    if kind == "file":
        return row.file.get(name)
    return row.file.props.get(name if kind == "note" else prop)
