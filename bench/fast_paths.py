#!/usr/bin/env python3
"""Do coffeechat's fast paths still pay for themselves? Each against the library it stands beside.

    python3 bench/fast_paths.py [--contacts 10000] [--rounds 5] [--work DIR]

coffeechat keeps its own code in two places where a library would do the same work:

  front matter  `core/note/fastyaml.py` reads plain front matter (flat keys, scalars, lists of
                strings) and hands anything else to PyYAML's C loader. Measured here:
                `notes.load_front_matter` (the fast path, falling back where it must)
                against PyYAML's C loader alone on the same blocks, and python-frontmatter's
                `frontmatter.loads` on the same notes when it is installed.

Each is timed on every note of a vault made by bench/make_vault.py (cached under --work, as
bench/run.py does), in this process, ROUNDS times; the figures are medians, per note and in
all. A fast path earns its place when it is clearly faster (the tests hold each to its library
byte for byte or value for value: tests/core/note/test_fastyaml.py). Standard library only, plus
coffeechat itself (python3 -m pip install -e .).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent


def vault(contacts: int, work: Path) -> Path:
    """A generated vault of that size, made once and reused."""
    root = work / f"fast-paths-{contacts}"
    if not (root / "coffeechat.toml").is_file():
        subprocess.run(
            [sys.executable, str(HERE / "make_vault.py"), "--contacts", str(contacts), "--quiet",
             "--clean", str(root)],
            check=True,
        )
    return root


def notes(root: Path) -> list[bytes]:
    paths = [
        p for p in root.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]
    return [p.read_bytes() for p in sorted(paths)]


def blocks(texts: list[str]) -> list[str]:
    """Each note's front matter block, as `core.notes` hands it to the YAML reader."""
    out = []
    for text in texts:
        if text.startswith("---\n"):
            end = text.find("\n---", 3)
            if end > 0:
                out.append(text[4 : end + 1])
    return out


def timed(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def front_matter(texts: list[str], rounds: int) -> dict[str, float]:
    from coffeechat.core.note import parse
    from coffeechat.core.note.fastyaml import load_plain_front_matter

    found = blocks(texts)

    def each(load: Callable[[str, int], object]) -> Callable[[], None]:
        def run() -> None:
            for block in found:
                try:
                    load(block, 2)
                except parse.FrontMatterError:
                    pass
        return run

    figures = {
        "blocks": len(found),
        "answered_by_fast_path": sum(load_plain_front_matter(b, 2) is not None for b in found),
        "coffeechat_s": timed(each(parse.load_front_matter), rounds),
        "pyyaml_c_s": timed(each(parse._load_with_yaml), rounds),
    }
    try:
        import frontmatter
    except ImportError:
        figures["python_frontmatter_s"] = float("nan")
    else:
        def library() -> None:
            for text in texts:
                try:
                    frontmatter.loads(text)
                except Exception:  # noqa: BLE001 - a note the library cannot read still counts
                    pass
        figures["python_frontmatter_s"] = timed(library, rounds)
    return figures


def main(argv: list[str] | None = None) -> int:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=10_000, help="vault size (default 10000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; medians (default 5)")
    parser.add_argument("--work", type=Path, default=cache / "coffeechat-bench",
                        help="where the generated vault is kept (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    root = vault(args.contacts, args.work.expanduser().resolve())
    texts = [data.decode("utf-8", "replace") for data in notes(root)]
    fm = front_matter(texts, args.rounds)
    n = fm["blocks"]
    print(f"{len(texts)} notes of a {args.contacts}-contact vault, median of {args.rounds} rounds\n")
    print("| front matter | all notes | per note | against coffeechat |")
    print("|---|---:|---:|---:|")
    for label, key in (("coffeechat (fast path, PyYAML where it must)", "coffeechat_s"),
                       ("PyYAML's C loader alone", "pyyaml_c_s"),
                       ("python-frontmatter", "python_frontmatter_s")):
        value = fm[key]
        print(f"| {label} | {value:.2f} s | {value / n * 1e6:.1f} µs |"
              f" {value / fm['coffeechat_s']:.1f}× |")
    print(f"\nThe fast path answered {fm['answered_by_fast_path']} of {n} front matter blocks.")
    if args.json:
        args.json.write_text(json.dumps({"contacts": args.contacts, "front_matter": fm}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
