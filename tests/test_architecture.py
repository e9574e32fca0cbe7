"""The shape of the code base, checked so that it stays the way the README's map describes it.

Arrows point one way: pages -> core packages -> the store. A newcomer following an inbound message
walks down the folders in order and never meets a module that imports its own caller.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core"
PAGES = ROOT / "pages"
MAX_CORE_LINES = 600
MAX_PAGE_LINES = 400
MAX_PAGE_BLOCK_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        if "versions" not in path.relative_to(ROOT).parts:
            yield path


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in python_files(CORE)}


def imported_modules(path: Path) -> set[str]:
    """Every core module ``path`` imports, at the top or inside a function (both run some time)."""
    known = modules()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            # ``from core.x import y`` names module core.x.y when y is a module.
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known}


@cache
def import_graph() -> dict[str, set[str]]:
    return {name: imported_modules(path) - {name} for name, path in modules().items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or ``None``."""
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> list[str] | None:
        if name in visiting:
            return visiting[visiting.index(name) :] + [name]
        if name in done:
            return None
        visiting.append(name)
        for target in sorted(graph.get(name, ())):
            if cycle := visit(target):
                return cycle
        visiting.pop()
        done.add(name)
        return None

    for name in sorted(graph):
        if cycle := visit(name):
            return cycle
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_core_has_no_import_cycle() -> None:
    # A package's __init__ importing its own modules is not a cycle of design, only of spelling.
    graph = {
        name: {target for target in targets if not name.startswith(target + ".")}
        for name, targets in import_graph().items()
    }
    assert find_cycle(graph) is None


def test_core_never_imports_the_pages() -> None:
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) (pages|dashboard)\b", text, re.M), name


@pytest.mark.parametrize("name", sorted(modules()))
def test_core_module_is_small(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_CORE_LINES, f"{name} has {lines} lines; split it by what it does"


def test_every_core_package_says_what_it_owns() -> None:
    for init in CORE.rglob("__init__.py"):
        if "versions" in init.parts:
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert docstring and len(docstring) > 40, f"{init.relative_to(ROOT)} needs a docstring"


def test_provider_layer_speaks_no_ui_language() -> None:
    """``core.d360`` talks to 360Dialog only: errors carry codes; wording happens where shown."""
    for name, targets in import_graph().items():
        if name.startswith("core.d360"):
            outside = {target for target in targets if not target.startswith("core.d360")}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_sandbox_imports_nothing_from_the_product() -> None:
    """The sandbox plays 360Dialog: the product reaches it only over HTTP."""
    for name, targets in import_graph().items():
        if name.startswith("core.sandbox"):
            outside = {target for target in targets if not target.startswith("core.sandbox")}
            assert not outside, f"{name} imports {sorted(outside)}"


def page_files() -> list[Path]:
    return [*python_files(PAGES), ROOT / "dashboard.py"]


@pytest.mark.parametrize("path", page_files(), ids=lambda path: path.name)
def test_page_is_small_functions(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_PAGE_LINES, f"{path.name} is over {MAX_PAGE_LINES} lines"
    for node in ast.parse(source).body:
        span = (node.end_lineno or node.lineno) - node.lineno + 1
        assert span <= MAX_PAGE_BLOCK_LINES, f"{path.name}:{node.lineno} is a {span}-line block"


def bare_strings(tree: ast.Module) -> list[int]:
    """Lines of string expressions that are not a module's, class's or function's docstring."""
    scopes = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    docstrings = {
        id(node.body[0]) for node in ast.walk(tree) if isinstance(node, scopes) and node.body
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize(
    "path", [*sorted(PAGES.glob("*.py")), ROOT / "dashboard.py"], ids=lambda path: path.name
)
def test_page_script_writes_no_stray_string(path: Path) -> None:
    """Streamlit's "magic" writes a script's bare expressions on the page: a string under a
    constant, meant as its docstring, once showed above the template builder's title."""
    assert bare_strings(ast.parse(path.read_text(encoding="utf-8"))) == [], path.name


# The quoted value "seed" is the legacy stored setting that migration 0006 renames, not prose.
WORDS_OF_DOCUMENTS_A_CLONER_LACKS = re.compile(
    r"(?<![\"'])\bseed\b(?![\"'])|help page|API\.md|§", re.I
)


def shipped_text_files() -> Iterator[Path]:
    for folder in ("core", "pages", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in {".py", ".json", ".md"} and path.is_file():
                yield path
    yield from (ROOT / name for name in ("dashboard.py", "server.py", "README.md"))


def test_product_vocabulary_only() -> None:
    """Code, UI and docs speak of what things are, not of documents a cloner does not have."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in shipped_text_files()
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if WORDS_OF_DOCUMENTS_A_CLONER_LACKS.search(line)
    ]
    assert not offenders


def readme_map() -> set[str]:
    """The core packages named in the README's Architecture map (the lines indented under core/)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^  (\w+)/ ", section, re.M))


def test_readme_map_matches_the_tree() -> None:
    packages = {path.parent.name for path in CORE.glob("*/__init__.py")} - {"migrations"}
    assert readme_map() == packages


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    waiting = [start]
    while waiting:
        for target in graph.get(waiting.pop(), ()):
            if target not in seen:
                seen.add(target)
                waiting.append(target)
    return seen


RECEIVE_PATH = ("core.webhooks.routes", "core.webhooks.processor", "core.webhooks.template_events")
BRIDGE = "core.outbox.bridge"


def test_receive_path_reaches_the_send_path_only_through_the_bridge() -> None:
    """A webhook is answered and processed without ever calling 360Dialog, except the greeting."""
    without_bridge = {
        name: {target for target in targets if target != BRIDGE}
        for name, targets in import_graph().items()
    }
    for start in RECEIVE_PATH:
        sending = {
            name for name in reachable(without_bridge, start) if name.startswith("core.outbox")
        }
        assert not sending, f"{start} reaches {sorted(sending)} other than through {BRIDGE}"
    assert BRIDGE in reachable(import_graph(), "core.webhooks.processor")
