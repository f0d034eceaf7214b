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
from .readers import (
    Extractor,
    Reader,
    ReaderSpec,
    format_of,
    read_blocks,
    reader_for,
    register_reader,
    supported_suffixes,
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
    "Extractor",
    "FileRecord",
    "LoadWarning",
    "LoadedCorpus",
    "Reader",
    "ReaderSpec",
    "corpus_files",
    "corpus_root",
    "document_title",
    "format_of",
    "load_corpus",
    "no_documents",
    "read_blocks",
    "read_file",
    "reader_for",
    "register_reader",
    "split_blocks",
    "supported_suffixes",
    "title_of",
    "trimmed_span",
]
