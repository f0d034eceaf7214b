"""Splitting: blocks → passages (the paragraphs that answer) → sentences, offsets kept."""

from .passages import split_passages
from .sentences import split_sentences

__all__ = [
    "split_passages",
    "split_sentences",
]
