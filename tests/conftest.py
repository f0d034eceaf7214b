"""Shared fixtures: the seed engine and a deliberately awkward corpus built on disk per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Engine

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"

# file name -> raw bytes. Every kind of text a user's folder may hold, and some it should not.
AWKWARD_FILES: dict[str, bytes] = {
    "a_crlf.txt": (
        b"Windows Title\r\n\r\nFirst paragraph with CRLF line\r\nendings, hard wrapped.\r\n"
        b"\r\n\r\nSecond paragraph. It has two sentences.\r\n"
    ),
    "b_cr.txt": b"Old Mac file\r\rA paragraph with bare CR\rline endings.\r\rAnother one.",
    "c_bom.md": "\ufeff# Handbook\n\nLeave is requested through the HR portal.\n".encode(),
    "d_latin1.txt": "Café culture in Zürich is famous.\n\nMore text here.".encode("latin-1"),
    "e_binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR",
    "f_empty.md": b"   \n\n",
    "nested/g_markdown.md": (
        b"Setup Guide\n===========\n\nIntro paragraph about the guide.\n\n"
        b"## Installing\n\nRun the installer\nand wait.\n\n### On Linux\n\nUse the package.\n\n"
        b"## Removing\n\nDelete the folder.\n"
    ),
    "nested/h_unicode.txt": (
        "Москва является столицей России.\n\nΗ Αθήνα είναι η πρωτεύουσα της Ελλάδας.\n\n"
        "Crème brûlée est un dessert français."
    ).encode(),
    "notes.pdf": b"%PDF-1.4 not a text file",
}


@pytest.fixture(scope="session")
def seed_engine() -> Engine:
    return Engine.from_folder(SEEDS)


@pytest.fixture
def awkward_corpus(tmp_path: Path) -> Path:
    for name, data in AWKWARD_FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp_path


@pytest.fixture(autouse=True)
def _private_index_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Saved indexes go to a temporary cache, never the developer's ~/.cache (subprocesses
    inherit the variable)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
