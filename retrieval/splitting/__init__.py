"""Splitting: blocks → passages (the paragraphs that answer) → sentences, offsets kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from .passages import split_passages
    from .sentences import split_sentences

__all__ = [
    "split_passages",
    "split_sentences",
]

_WHERE = {
    "split_passages": ".passages",
    "split_sentences": ".sentences",
}

if not TYPE_CHECKING:  # names are imported on first use; mypy reads the imports above
    __getattr__ = exports(__name__, _WHERE)
