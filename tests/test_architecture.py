"""Data flows one way: retrieval knows nothing of settings or Discord, so it stays a library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "retrieval").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_retrieval_imports_neither_discord_nor_config_nor_bot(path: Path) -> None:
    assert not _imports(path) & {"discord", "config", "bot", "aiohttp"}


@pytest.mark.parametrize("path", sorted((ROOT / "config").glob("*.py")), ids=lambda p: p.name)
def test_config_does_not_import_the_front_ends(path: Path) -> None:
    assert not _imports(path) & {"discord", "bot"}
