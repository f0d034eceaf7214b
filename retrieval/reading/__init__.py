"""Reading: files → decoded documents → blocks with exact offsets (one reader per format)."""

from .blocks import CONTEXT_SEPARATOR, PROSE_KINDS, UNIT_KINDS, Block, BlockKind, trimmed_span
from .files import (
    MAX_FILE_BYTES,
    SUFFIXES,
    UNREADABLE,
    FileRecord,
    LoadedCorpus,
    LoadWarning,
    corpus_files,
    corpus_root,
    load_corpus,
    no_documents,
    read_file,
)
from .text import document_title, split_blocks, title_of

__all__ = [
    "CONTEXT_SEPARATOR",
    "MAX_FILE_BYTES",
    "PROSE_KINDS",
    "SUFFIXES",
    "UNIT_KINDS",
    "UNREADABLE",
    "Block",
    "BlockKind",
    "FileRecord",
    "LoadWarning",
    "LoadedCorpus",
    "corpus_files",
    "corpus_root",
    "document_title",
    "load_corpus",
    "no_documents",
    "read_file",
    "split_blocks",
    "title_of",
    "trimmed_span",
]
