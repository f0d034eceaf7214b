"""The options that decide what is indexed (:class:`IndexShape`), apart from the builder, so
that opening a saved index (which compares them) does not import the build machinery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..reading.select import FileSelection
from .bm25 import K1, B, IdfVariant

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) as files are indexed."""


@dataclass(frozen=True, slots=True)
class IndexShape:
    """The options that change what is indexed: a saved index is reused only when they match.
    The one class of them (the saved index's key); every other default of these reads it."""

    k1: float = K1
    b: float = B
    idf: IdfVariant = "lucene"
    index_context: bool = True
    context_repeat: int = 3
    document_index: bool = True
    language: str = "auto"
    """The language setting ("auto" or a code); the language actually analysed is passed to the
    build functions, resolved, and saved with the index."""
    unit_terms: int = 0
    """Up to this many terms of the code blocks and tables after a paragraph are searched with
    it (0: none); see :func:`~..splitting.passages.searched_units`."""
    include: tuple[str, ...] = ()
    """Globs a file must match to be indexed (empty: every file); see :mod:`..reading.select`."""
    exclude: tuple[str, ...] = ()
    """Globs of files left out of the index."""

    @property
    def selection(self) -> FileSelection:
        return FileSelection(self.include, self.exclude)
