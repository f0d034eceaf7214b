"""The index: BM25 postings built from passages, saved in one memory-mapped file, top-k search."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import exports

if TYPE_CHECKING:
    from . import persist
    from .bm25 import (
        EPSILON,
        IDF_VARIANTS,
        BM25Index,
        FloatArray,
        IdfVariant,
        IntArray,
        Vocabulary,
        idf_values,
        rank_bm25_model,
        term_key,
    )
    from .build import (
        ANALYSIS_SHARE,
        PARALLEL_BYTES,
        Built,
        Part,
        analyse_documents,
        analyse_folder,
        assemble,
        build_documents,
        build_folder,
    )
    from .postings import BLOCK_SIZE
    from .shape import IndexShape, Progress
    from .store import PassageStore, SourceInfo, blob, passage_key

__all__ = [
    "ANALYSIS_SHARE",
    "BLOCK_SIZE",
    "EPSILON",
    "IDF_VARIANTS",
    "PARALLEL_BYTES",
    "BM25Index",
    "Built",
    "FloatArray",
    "IdfVariant",
    "IndexShape",
    "IntArray",
    "Part",
    "PassageStore",
    "Progress",
    "SourceInfo",
    "Vocabulary",
    "analyse_documents",
    "analyse_folder",
    "assemble",
    "blob",
    "build_documents",
    "build_folder",
    "idf_values",
    "passage_key",
    "persist",
    "rank_bm25_model",
    "term_key",
]

_WHERE = {
    "persist": ".persist",
    "BLOCK_SIZE": ".postings",
    "EPSILON": ".bm25",
    "IDF_VARIANTS": ".bm25",
    "BM25Index": ".bm25",
    "FloatArray": ".bm25",
    "IdfVariant": ".bm25",
    "IntArray": ".bm25",
    "Vocabulary": ".bm25",
    "idf_values": ".bm25",
    "rank_bm25_model": ".bm25",
    "term_key": ".bm25",
    "ANALYSIS_SHARE": ".build",
    "PARALLEL_BYTES": ".build",
    "Built": ".build",
    "IndexShape": ".shape",
    "Part": ".build",
    "Progress": ".shape",
    "analyse_documents": ".build",
    "analyse_folder": ".build",
    "assemble": ".build",
    "build_documents": ".build",
    "build_folder": ".build",
    "PassageStore": ".store",
    "SourceInfo": ".store",
    "blob": ".store",
    "passage_key": ".store",
}

if not TYPE_CHECKING:  # names are imported on first use; mypy reads the imports above
    __getattr__ = exports(__name__, _WHERE)
