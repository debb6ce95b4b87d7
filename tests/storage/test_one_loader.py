"""One loader of the whole vault (`Index.vault`): every adapter that needs every note at once
gets it from there, so they all see the same notes, built the same way, with what the walk
could not read among the findings."""

from __future__ import annotations

import ast
import os

import pytest

from coffeechat.cli import App
from conftest import REPO, TODAY

SRC = REPO / "src" / "coffeechat"


def test_only_the_store_builds_the_whole_vault():
    """Outside the pure core, `build_vault` is called in storage/cache/index.py alone."""
    callers = set()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("core/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "build_vault":
                    callers.add(rel)
    assert callers == {"storage/cache/index.py"}


@pytest.mark.skipif(os.name == "nt", reason="symbolic links need privileges on Windows")
def test_every_loader_gives_the_same_vault_with_the_walks_findings(vault, tmp_path):
    from coffeechat import load_vault
    from coffeechat.cli.imports import _vault_to_change

    vault.contact("Ana Ruiz", log="2026-11-10 approach: emailed")
    vault.meeting("2026-11-02T10:00", ["Ana Ruiz"])
    outside = tmp_path / "elsewhere.md"
    outside.write_text("---\ntype: contact\nname: Mallory\n---\n", encoding="utf-8")
    (vault.root / "contacts" / "Link.md").symlink_to(outside)
    loaded = {
        "load_vault": load_vault(vault.root),
        "load_vault, no cache": load_vault(vault.root, use_cache=False),
        "App.vault": App(str(vault.root), TODAY).vault,
        "an import's dry run": _vault_to_change(App(str(vault.root), TODAY), dry_run=True),
    }
    for how, got in loaded.items():
        assert sorted(got.notes) == [
            "contacts/Ana Ruiz.md",
            "meetings/2026-11-02 Coffee with Ana Ruiz.md",
        ], how
        walk = [f for f in got.findings if f.path == "contacts/Link.md"]
        assert [f.message for f in walk] == [
            "is a symbolic link; coffeechat does not follow links"
        ], how
