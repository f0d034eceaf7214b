"""Turning documents into the arrays an Engine answers from, on every core.

Tokenizing dominates building (tens of microseconds per paragraph, all Python), so a large
folder is cut into chunks of files that worker processes read, split and analyse on their own;
each returns a compact :class:`Part` (flat lists and bytes, cheap to pickle), and the parent
joins the parts in corpus order. The result does not depend on the number of workers: terms are
numbered by first occurrence in corpus order, which is also the order rank-bm25 meets them in
(its IDF floor depends on it).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .analysis import analyze
from .errors import EmptyCorpusError
from .index import BM25Index, IdfVariant
from .loading import FileRecord, LoadWarning, corpus_files, no_documents, read_file
from .splitting import split_passages
from .store import PassageStore, SourceInfo, blob
from .types import Document

PARALLEL_BYTES = 4 * 1024 * 1024
"""Below this much text one process is quicker than starting workers."""

Progress = Callable[[int, int], None]
"""Called with (bytes done, bytes in all) as files are indexed."""


@dataclass(frozen=True, slots=True)
class IndexShape:
    """The options that change what is indexed: a saved index is reused only when they match."""

    k1: float = 1.5
    b: float = 0.85
    idf: IdfVariant = "lucene"
    index_context: bool = True
    context_repeat: int = 3
    document_index: bool = True


@dataclass(slots=True)
class _Postings:
    """One index's postings for a run of paragraphs (or documents), with local term ids."""

    vocabulary: dict[str, int] = field(default_factory=dict)
    doc: list[int] = field(default_factory=list)
    term: list[int] = field(default_factory=list)
    tf: list[int] = field(default_factory=list)
    length: list[int] = field(default_factory=list)

    def add(self, tokens: list[str]) -> None:
        number = len(self.length)
        self.length.append(len(tokens))
        vocabulary = self.vocabulary
        for token, count in Counter(tokens).items():
            self.doc.append(number)
            self.term.append(vocabulary.setdefault(token, len(vocabulary)))
            self.tf.append(count)


@dataclass(slots=True)
class Part:
    """Some documents, analysed: what a worker sends back (plain lists and bytes)."""

    sources: list[SourceInfo] = field(default_factory=list)
    records: list[FileRecord] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    texts: list[bytes] = field(default_factory=list)
    source: list[int] = field(default_factory=list)
    paragraph: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    end: list[int] = field(default_factory=list)
    byte_start: list[int] = field(default_factory=list)
    byte_end: list[int] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    id: list[int] = field(default_factory=list)
    paragraphs: _Postings = field(default_factory=_Postings)
    documents: _Postings = field(default_factory=_Postings)


def _utf8_offsets(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans as byte spans of ``text``'s UTF-8 (spans in order, not overlapping)."""
    if text.isascii():
        return list(spans)
    result = []
    char = byte = 0
    for start, end in spans:
        byte += len(text[char:start].encode("utf-8", "surrogatepass"))
        first = byte
        byte += len(text[start:end].encode("utf-8", "surrogatepass"))
        result.append((first, byte))
        char = end
    return result


def analyse_documents(
    documents: Sequence[Document], shape: IndexShape, part: Part | None = None
) -> Part:
    """Split and tokenize ``documents`` into a Part (in this process)."""
    part = part or Part()
    context_terms: dict[str, list[str]] = {}
    for document in documents:
        number = len(part.sources)
        part.sources.append(SourceInfo(document.source, document.title, document.encoding))
        part.texts.append(document.text.encode("utf-8", "surrogatepass"))
        passages = split_passages(document)
        spans = _utf8_offsets(document.text, [(p.start, p.end) for p in passages])
        whole: list[str] = []
        seen_contexts: set[str] = set()
        for passage, (byte_start, byte_end) in zip(passages, spans, strict=True):
            part.source.append(number)
            part.paragraph.append(passage.paragraph)
            part.start.append(passage.start)
            part.end.append(passage.end)
            part.byte_start.append(byte_start)
            part.byte_end.append(byte_end)
            part.context.append(passage.context)
            part.id.append(int(passage.id, 16))
            tokens = analyze(passage.text)
            context = context_terms.get(passage.context)
            if context is None:
                context = context_terms[passage.context] = analyze(passage.context)
            if shape.index_context:
                part.paragraphs.add(context * shape.context_repeat + tokens)
            else:
                part.paragraphs.add(tokens)
            if shape.document_index:
                # A document is its paragraphs' words plus each distinct title/heading once.
                whole.extend(tokens)
                if shape.index_context and passage.context not in seen_contexts:
                    seen_contexts.add(passage.context)
                    whole.extend(context * shape.context_repeat)
        if shape.document_index and passages:  # rows only for documents with paragraphs
            part.documents.add(whole)
    return part


def _read_and_analyse(files: Sequence[tuple[Path, str]], shape: IndexShape) -> Part:
    """A worker's job: read some files and analyse them."""
    part = Part()
    documents = []
    for path, source in files:
        document, warning, record = read_file(path, source)
        part.records.append(record)
        if warning is not None:
            part.warnings.append(warning)
        if document is not None:
            documents.append(document)
    return analyse_documents(documents, shape, part)


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _chunks(
    files: Sequence[tuple[Path, str]], sizes: Sequence[int], count: int
) -> list[list[tuple[Path, str]]]:
    """Consecutive runs of files of about equal size, so the workers finish together."""
    target = max(1, sum(sizes) // count)
    chunks: list[list[tuple[Path, str]]] = [[]]
    filled = 0
    for item, size in zip(files, sizes, strict=True):
        if filled >= target and chunks[-1]:
            chunks.append([])
            filled = 0
        chunks[-1].append(item)
        filled += size
    return chunks


def analyse_folder(
    root: Path, shape: IndexShape, *, workers: int | None = None, progress: Progress | None = None
) -> list[Part]:
    """Read and analyse every file under ``root``, in parallel when there is enough text."""
    files = corpus_files(root)
    sizes = []
    for path, _ in files:
        try:
            sizes.append(max(path.stat().st_size, 1))
        except OSError:
            sizes.append(1)
    total = sum(sizes)
    workers = workers or _workers()
    if workers == 1 or total < PARALLEL_BYTES or len(files) < 2:
        part = _read_and_analyse(files, shape)
        if progress:
            progress(total, total)
        return [part]
    chunks = _chunks(files, sizes, workers * 8)
    chunk_bytes, first = [], 0
    for chunk in chunks:
        chunk_bytes.append(sum(sizes[first : first + len(chunk)]))
        first += len(chunk)
    parts = []
    done = 0
    # "spawn": a fresh interpreter per worker, safe whatever threads the caller runs.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for part, size in zip(
            pool.map(_read_and_analyse, chunks, [shape] * len(chunks)), chunk_bytes, strict=True
        ):
            parts.append(part)
            done += size
            if progress:
                progress(done, total)
    return parts


@dataclass(frozen=True, slots=True)
class Built:
    store: PassageStore
    index: BM25Index
    document_index: BM25Index | None
    warnings: tuple[LoadWarning, ...]
    records: tuple[FileRecord, ...]


def _join_postings(runs: Sequence[_Postings], *, k1: float, b: float, idf: IdfVariant) -> BM25Index:
    vocabulary: dict[str, int] = {}
    docs, terms, tfs, lengths = [], [], [], []
    offset = 0
    for run in runs:
        remap = np.fromiter(
            (vocabulary.setdefault(t, len(vocabulary)) for t in run.vocabulary),
            dtype=np.int32,
            count=len(run.vocabulary),
        )
        docs.append(np.asarray(run.doc, dtype=np.int32) + offset)
        terms.append(remap[np.asarray(run.term, dtype=np.int64)])
        tfs.append(np.asarray(run.tf, dtype=np.int64))
        lengths.append(np.asarray(run.length, dtype=np.int64))
        offset += len(run.length)
    return BM25Index.from_postings(
        list(vocabulary),
        np.concatenate(lengths),
        np.concatenate(docs),
        np.concatenate(terms),
        np.concatenate(tfs),
        k1=k1,
        b=b,
        idf=idf,
    )


def assemble(parts: Sequence[Part], shape: IndexShape) -> Built:
    """Join analysed parts, in order, into one store and its indexes."""
    sources = [s for p in parts for s in p.sources]
    warnings = tuple(w for p in parts for w in p.warnings)
    records = tuple(r for p in parts for r in p.records)
    if not any(p.source for p in parts):
        raise EmptyCorpusError("The documents hold no paragraph of text to search.")
    texts = [t for p in parts for t in p.texts]
    document_bytes = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=document_bytes[1:])
    source_offset = 0
    columns: dict[str, list[npt.NDArray[np.int64]]] = {
        name: [] for name in ("source", "paragraph", "start", "end", "byte_start", "byte_end")
    }
    contexts: dict[str, int] = {}
    context_numbers: list[int] = []
    for part in parts:
        source = np.asarray(part.source, dtype=np.int64) + source_offset
        columns["source"].append(source)
        columns["paragraph"].append(np.asarray(part.paragraph, dtype=np.int64))
        columns["start"].append(np.asarray(part.start, dtype=np.int64))
        columns["end"].append(np.asarray(part.end, dtype=np.int64))
        base = document_bytes[source]
        columns["byte_start"].append(np.asarray(part.byte_start, dtype=np.int64) + base)
        columns["byte_end"].append(np.asarray(part.byte_end, dtype=np.int64) + base)
        context_numbers.extend(contexts.setdefault(c, len(contexts)) for c in part.context)
        source_offset += len(part.sources)
    ids = np.asarray([i for p in parts for i in p.id], dtype=np.uint64)
    context_blob, context_offsets = blob(list(contexts))
    arrays: dict[str, npt.NDArray[Any]] = {
        "source": np.concatenate(columns["source"]).astype(np.int32),
        "paragraph": np.concatenate(columns["paragraph"]).astype(np.int32),
        "start": np.concatenate(columns["start"]),
        "end": np.concatenate(columns["end"]),
        "byte_start": np.concatenate(columns["byte_start"]),
        "byte_end": np.concatenate(columns["byte_end"]),
        "context": np.asarray(context_numbers, dtype=np.int32),
        "id": ids,
        "id_order": np.argsort(ids, kind="stable").astype(np.int64),
        "text": np.frombuffer(b"".join(texts), dtype=np.uint8),
        "document_bytes": document_bytes,
        "contexts": context_blob,
        "context_offsets": context_offsets,
    }
    store = PassageStore(sources, arrays)
    index = _join_postings([p.paragraphs for p in parts], k1=shape.k1, b=shape.b, idf=shape.idf)
    document_index = (
        _join_postings([p.documents for p in parts], k1=shape.k1, b=shape.b, idf=shape.idf)
        if shape.document_index
        else None
    )
    return Built(store, index, document_index, warnings, records)


def build_documents(documents: Sequence[Document], shape: IndexShape) -> Built:
    return assemble([analyse_documents(documents, shape)], shape)


def build_folder(
    root: Path, shape: IndexShape, *, workers: int | None = None, progress: Progress | None = None
) -> Built:
    parts = analyse_folder(root, shape, workers=workers, progress=progress)
    if not any(p.sources for p in parts):
        raise no_documents(root, [w for p in parts for w in p.warnings])
    return assemble(parts, shape)
