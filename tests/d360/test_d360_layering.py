"""``core.d360`` speaks 360Dialog and nothing else: it imports no other part of the product, so
errors carry codes and titles and the words for people are chosen where they are shown."""

from __future__ import annotations

import ast
from pathlib import Path

import core.d360

PACKAGE = Path(core.d360.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_d360_imports_nothing_else_from_core() -> None:
    outside = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in PACKAGE.rglob("*.py")
        for name in _imported_modules(path)
        if (name == "core" or name.startswith("core.")) and not name.startswith("core.d360")
    }
    assert not outside, sorted(outside)
