"""The layout's rules, checked: data flows one way, retrieval stays a library, the front ends use
only its public names, no module imports another that imports it back, and long functions say
why they are long.

Imports are read from the source (``ast``), not by importing, so a rule names the file and line
that breaks it. Module-level imports make the dependency graph; imports inside functions, under
``if TYPE_CHECKING:`` and under ``if __name__ == "__main__":`` run later or never, so they are
no edge of an import cycle (the library rules below still read every import).
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("retrieval", "bot", "config")
MAX_FUNCTION_LINES = 60
LONG_REASON = "Long because"
"""A function over MAX_FUNCTION_LINES lines carries this phrase in its docstring, with why."""

# Functions other helpers own and are rewriting right now (accepted by the lead for this round):
# each comes off the list when its owner's branch splits it or gives the reason.
LONG_FUNCTIONS_BEING_REWRITTEN: set[str] = set()


def _modules() -> dict[str, Path]:
    """Every project module by dotted name (a package by its ``__init__``); a compiled one by
    its stub (``_topk.pyi``): it imports nothing of ours."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py*")):
            stub_only = path.suffix == ".pyi" and not path.with_suffix(".py").is_file()
            if path.suffix != ".py" and not stub_only:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_guard(node: ast.If) -> bool:
    """``if TYPE_CHECKING:`` or ``if __name__ == "__main__":``."""
    test = node.test
    if isinstance(test, ast.Name | ast.Attribute):
        return ast.unparse(test).endswith("TYPE_CHECKING")
    return isinstance(test, ast.Compare) and ast.unparse(test.left) == "__name__"


def _top_level_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """Imports run when the module is imported: not in functions, nor under guards."""
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and not _is_guard(node):
            pending[:0] = node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending[:0] = node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending[:0] = handler.body
        elif isinstance(node, ast.ClassDef | ast.With):
            pending[:0] = node.body


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The dotted module an ``from ... import`` names, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    base = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, str | None]]:
    """(imported module, imported name or None) for each name the statement imports."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, None
        return
    source = _absolute(module, node)
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        yield (submodule, None) if submodule in MODULES else (source, alias.name)


def _all_imports(path: Path) -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every import statement anywhere in the file, with the top-level package it names."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node, node.module.split(".")[0]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        edges = graph.setdefault(module, set())
        if path.suffix == ".pyi":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _top_level_imports(tree):
            for target, _ in _targets(module, node):
                if target in MODULES and target != module:
                    edges.add(target)
    return graph


def test_no_import_cycles() -> None:
    """A cycle means two modules are one job split in two (or a layer reaching back up)."""
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == [], "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_the_cycle_check_finds_a_cycle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The check itself can fail: two modules importing each other are reported."""
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "__init__.py").write_text("")
    (tmp_path / "bot" / "a.py").write_text("from . import b\n")
    (tmp_path / "bot" / "b.py").write_text("from .a import thing\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "ROOT", tmp_path)
    monkeypatch.setattr(__import__(__name__, fromlist=["x"]), "MODULES", _modules())
    with pytest.raises(AssertionError, match=r"bot\.a -> bot\.b -> bot\.a"):
        test_no_import_cycles()


@pytest.mark.parametrize(
    "path", sorted((ROOT / "retrieval").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_retrieval_imports_neither_discord_nor_config_nor_bot(path: Path) -> None:
    wrong = {
        f"line {node.lineno}: {package}"
        for node, package in _all_imports(path)
        if package in {"discord", "config", "bot", "aiohttp"}
    }
    assert not wrong


@pytest.mark.parametrize("path", sorted((ROOT / "config").glob("*.py")), ids=lambda p: p.name)
def test_config_does_not_import_the_front_ends(path: Path) -> None:
    assert not {package for _, package in _all_imports(path)} & {"discord", "bot"}


def _public(package: str) -> set[str]:
    return set(getattr(importlib.import_module(package), "__all__", ()))


PUBLIC_PACKAGES = {"retrieval"} | {
    f"retrieval.{p.name}" for p in (ROOT / "retrieval").iterdir() if (p / "__init__.py").is_file()
}


@pytest.mark.parametrize(
    "path", sorted((ROOT / "bot").glob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_front_ends_use_only_the_librarys_public_names(path: Path) -> None:
    """``bot/`` imports ``retrieval`` and its stage packages' ``__init__`` names, never a
    module inside a stage: those are free to change shape."""
    wrong = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            wrong += [
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name.startswith("retrieval.") and alias.name not in PUBLIC_PACKAGES
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "retrieval":
                continue
            if node.module not in PUBLIC_PACKAGES:
                wrong.append(f"line {node.lineno}: from {node.module} import ...")
                continue
            public = _public(node.module)
            wrong += [
                f"line {node.lineno}: {alias.name} is not in {node.module}.__all__"
                for alias in node.names
                if alias.name not in public and f"{node.module}.{alias.name}" not in MODULES
            ]
    assert wrong == []


def _functions() -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for package in ("retrieval", "bot"):
        for path in sorted((ROOT / package).rglob("*.py")):
            where = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield f"{where}:{node.name}", node


def test_long_functions_say_why() -> None:
    """Over 60 lines, a function must say in its docstring why it is one function
    ("Long because ..."); the list above may name a function while it is being rewritten."""
    unexplained = []
    for name, node in _functions():
        lines = (node.end_lineno or node.lineno) - node.lineno + 1
        if lines <= MAX_FUNCTION_LINES or name in LONG_FUNCTIONS_BEING_REWRITTEN:
            continue
        if LONG_REASON not in (ast.get_docstring(node) or ""):
            unexplained.append(f"{name} ({lines} lines)")
    assert unexplained == []


def test_the_allow_list_names_real_long_functions() -> None:
    """An entry whose function is gone or short now must come off the list."""
    lengths = {
        name: (node.end_lineno or node.lineno) - node.lineno + 1 for name, node in _functions()
    }
    stale = [
        name
        for name in LONG_FUNCTIONS_BEING_REWRITTEN
        if lengths.get(name, 0) <= MAX_FUNCTION_LINES
    ]
    assert stale == []


def _make_rule(target: str) -> tuple[list[str], list[str]]:
    """A Makefile rule's prerequisites and recipe lines."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(f"{target}:"))
    recipe = []
    for line in lines[head + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line)
    return lines[head].split(":", 1)[1].split(), recipe


def test_make_run_installs_the_runtime_only_and_make_test_the_tools() -> None:
    """A user running the bot gets no pytest, ruff or mypy; separate stamps keep them apart."""
    run_needs, _ = _make_rule("run")
    test_needs, _ = _make_rule("test")
    assert run_needs == ["$(RUN_STAMP)"] and test_needs == ["$(DEV_STAMP)"]
    _, runtime = _make_rule("$(RUN_STAMP)")
    assert any("pip install -e ." in line for line in runtime)
    assert not any("[dev]" in line for line in runtime)
    dev_needs, dev = _make_rule("$(DEV_STAMP)")
    assert dev_needs == ["$(RUN_STAMP)"] and any(".[dev]" in line for line in dev)
