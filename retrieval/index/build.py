"""Turning documents into the arrays an Engine answers from, on every core.

Tokenizing dominates building (tens of microseconds per paragraph, all Python), so a large
folder is cut into chunks of files that worker processes read, split and analyse on their own;
each returns a compact :class:`Part` (flat lists and bytes, cheap to pickle), and the parent
joins the parts in corpus order. The result does not depend on the number of workers: terms are
numbered by first occurrence in corpus order, which is also the order rank-bm25 meets them in
(its IDF floor depends on it).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..analysis.analyzer import DEFAULT_LANGUAGE, analyzer_for
from ..errors import EmptyCorpusError
from ..reading.files import FileRecord, LoadWarning, no_documents, read_file, walk_corpus
from ..reading.readers import document_blocks
from ..reading.select import FileSelection
from ..reading.text import title_of
from ..splitting.passages import searched_units, split_passages
from ..splitting.sentences import split_sentences
from ..splitting.units import following_units
from ..types import Document
from . import sentences as sentence_table
from .bm25 import K1, B, BM25Index, IdfVariant
from .store import PassageStore, SourceInfo, blob, kind_code, place_key, unit_columns

if TYPE_CHECKING:
    import multiprocessing.context

log = logging.getLogger(__name__)

PARALLEL_BYTES = 4 * 1024 * 1024
"""Below this much text one process is quicker than starting workers."""

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


@dataclass(slots=True)
class _Tokens:
    """One index's token lists for a run of paragraphs (or documents), as local term ids."""

    ids: list[int] = field(default_factory=list)
    """Every list's term ids, end to end."""
    length: list[int] = field(default_factory=list)

    def postings(self) -> _Postings:
        """(list number, term, tf) triples, list by list, and the terms in the order they first
        occur (the order rank-bm25 would number them in)."""
        ids = np.asarray(self.ids, dtype=np.int64)
        lengths = np.asarray(self.length, dtype=np.int64)
        owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        # Term-major keys: sorted, they group each term's postings in list order, so the parent
        # only has to place groups, never sort the whole corpus's postings.
        keys, tf = np.unique(ids * len(lengths) + owner, return_counts=True)
        present, first = np.unique(ids, return_index=True)
        return _Postings(
            doc=(keys % max(len(lengths), 1)).astype(np.int32),
            term=(keys // max(len(lengths), 1)).astype(np.int32),
            tf=tf.astype(np.int32),
            length=lengths.astype(np.int32),
            first_seen=present[np.argsort(first, kind="stable")].astype(np.int32),
        )


@dataclass(slots=True)
class _Postings:
    doc: npt.NDArray[np.int32]
    term: npt.NDArray[np.int32]
    """Part-local term ids: ``Part.vocabulary[term]`` is the term."""
    tf: npt.NDArray[np.int32]
    length: npt.NDArray[np.int32]
    first_seen: npt.NDArray[np.int32]


@dataclass(slots=True)
class Part:
    """Some documents, analysed: what a worker sends back (numpy arrays and bytes, which pickle
    as raw memory; lists of a million ints would cost seconds)."""

    sources: list[SourceInfo]
    records: list[FileRecord]
    warnings: list[LoadWarning]
    text: bytes
    """The documents' UTF-8, end to end."""
    document_bytes: npt.NDArray[np.int64]
    columns: dict[str, npt.NDArray[np.int64]]
    """Per paragraph: source (part-local), paragraph, start, end, byte_start, byte_end (in
    ``text``), id, line, page, kind (code)."""
    contexts: list[str]
    context: npt.NDArray[np.int32]
    places: list[str]
    """Distinct heading paths with anchors (:func:`place_key`), numbered in ``place``."""
    place: npt.NDArray[np.int32]
    vocabulary: list[str]
    paragraphs: _Postings
    documents: _Postings | None
    sentences: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    """Each paragraph's sentence spans and terms (:class:`~.sentences.SentenceColumns`)."""
    units: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    """Per paragraph: the unit that follows it (:func:`~.store.unit_columns`)."""
    unit_langs: list[str] = field(default_factory=list)
    """The languages ``units["unit_lang"]`` numbers."""


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
    documents: Sequence[Document],
    shape: IndexShape,
    records: Sequence[FileRecord] = (),
    warnings: Sequence[LoadWarning] = (),
    language: str = DEFAULT_LANGUAGE,
) -> Part:
    """Split and tokenize ``documents`` into a Part (in this process), with ``language``'s
    analyzer.

    Long because it is the build's one pass over every paragraph: its columns, terms, sentences
    and units are appended to local lists in the same loop, and per-column helpers would cost a
    call per paragraph per column at a million paragraphs.
    """
    analyzer = analyzer_for(language)
    chunk_terms, plain_tokens, term_of = analyzer.chunk_terms, analyzer.plain_tokens, analyzer.term
    sources: list[SourceInfo] = []
    texts: list[bytes] = []
    columns: dict[str, list[int]] = {
        name: []
        for name in (
            *("source", "paragraph", "start", "end", "byte_start", "byte_end", "id"),
            *("line", "page", "kind"),
        )
    }
    vocabulary: dict[str, int] = {}
    number_of = vocabulary.setdefault
    contexts: dict[str, int] = {}
    context_ids: dict[str, list[int]] = {}
    context_of: list[int] = []
    places: dict[str, int] = {}
    place_of: list[int] = []
    paragraphs, whole_documents = _Tokens(), _Tokens()
    sentences = sentence_table.SentenceColumns()
    chunk_ids: dict[str, list[int]] = {}
    unit_cols: dict[str, list[int]] = {}
    langs: dict[str, int] = {"": 0}

    token_ids: dict[str, int] = {}
    """Normalized token → part-local term id (-1: a stopword): most tokens are repeats."""
    token_id = token_ids.get

    def token_number(token: str) -> int:
        term = term_of(token)
        return token_ids.setdefault(token, number_of(term, len(vocabulary)) if term else -1)

    def term_ids(text: str) -> list[int]:
        """``analyze(text)`` as part-local term ids: one regex pass and a dict look-up per
        token where the analyzer allows it (:meth:`Analyzer.plain_tokens`), else cached per
        whitespace chunk like analyze itself."""
        tokens = plain_tokens(text)
        if tokens is not None:
            ids = list(map(token_id, tokens))
            if None in ids:
                ids = [
                    token_number(t) if i is None else i for i, t in zip(ids, tokens, strict=True)
                ]
            return [i for i in ids if i >= 0]  # type: ignore[misc,operator]
        chunks = text.split()
        found = list(map(chunk_ids.get, chunks))
        if None in found:
            for i, chunk in enumerate(chunks):
                if found[i] is None:
                    found[i] = chunk_ids.setdefault(
                        chunk, [number_of(t, len(vocabulary)) for t in chunk_terms(chunk)]
                    )
        return list(chain.from_iterable(found))  # type: ignore[arg-type]

    byte_base = 0
    for document in documents:
        blocks = document_blocks(document)
        if not document.title:
            document = replace(document, title=title_of(blocks))
        number = len(sources)
        sources.append(
            SourceInfo(
                document.source, document.title, document.encoding, document.format, document.pages
            )
        )
        encoded = document.text.encode("utf-8", "surrogatepass")
        texts.append(encoded)
        passages = split_passages(document, blocks)
        following = following_units(blocks, passages)
        for name, values in unit_columns(following, langs).items():
            unit_cols.setdefault(name, []).extend(values)
        unit_spans = (
            searched_units(blocks, document.text) if shape.unit_terms else [[] for _ in passages]
        )
        spans = _utf8_offsets(document.text, [(p.start, p.end) for p in passages])
        whole: list[int] = []
        seen_contexts: set[str] = set()
        for passage, (byte_start, byte_end), units in zip(passages, spans, unit_spans, strict=True):
            columns["source"].append(number)
            columns["paragraph"].append(passage.paragraph)
            columns["start"].append(passage.start)
            columns["end"].append(passage.end)
            columns["byte_start"].append(byte_base + byte_start)
            columns["byte_end"].append(byte_base + byte_end)
            columns["id"].append(int(passage.id, 16))
            columns["line"].append(passage.line)
            columns["page"].append(passage.page)
            columns["kind"].append(kind_code(passage.kind))
            place = place_key(passage.headings, passage.anchor)
            place_of.append(places.setdefault(place, len(places)))
            context_of.append(contexts.setdefault(passage.context, len(contexts)))
            # Analysed sentence by sentence: the same terms as the paragraph whole (no boundary
            # falls inside a word), and each sentence's are kept for answering.
            spans = split_sentences(passage.text, language)
            per_sentence = [term_ids(passage.text[a:z]) for a, z in spans]
            sentences.add(spans, per_sentence)
            tokens = list(chain.from_iterable(per_sentence))
            if units:  # the code or table the paragraph introduces is searched with it
                unit_text = " ".join(document.text[s:e] for s, e in units)
                tokens += term_ids(unit_text)[: shape.unit_terms]
            context = context_ids.get(passage.context)
            if context is None:
                context = context_ids[passage.context] = term_ids(passage.context)
            repeated = context * shape.context_repeat if shape.index_context else []
            paragraphs.ids.extend(repeated)
            paragraphs.ids.extend(tokens)
            paragraphs.length.append(len(repeated) + len(tokens))
            if shape.document_index:
                # A document is its paragraphs' words plus each distinct title/heading once.
                whole.extend(tokens)
                if repeated and passage.context not in seen_contexts:
                    seen_contexts.add(passage.context)
                    whole.extend(repeated)
        if shape.document_index and passages:  # rows only for documents with paragraphs
            whole_documents.ids.extend(whole)
            whole_documents.length.append(len(whole))
        byte_base += len(encoded)
    document_bytes = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=document_bytes[1:])
    return Part(
        sources=sources,
        records=list(records),
        warnings=list(warnings),
        text=b"".join(texts),
        document_bytes=document_bytes,
        columns={
            name: np.asarray(values, dtype=np.uint64 if name == "id" else np.int64)
            for name, values in columns.items()
        },
        contexts=list(contexts),
        context=np.asarray(context_of, dtype=np.int32),
        places=list(places),
        place=np.asarray(place_of, dtype=np.int32),
        vocabulary=list(vocabulary),
        paragraphs=paragraphs.postings(),
        documents=whole_documents.postings() if shape.document_index else None,
        sentences=sentences.arrays(),
        units={name: np.asarray(values, dtype=np.int64) for name, values in unit_cols.items()},
        unit_langs=list(langs),
    )


_File = tuple[Path, str, str]
"""A file to index: its path, its source name, and its path relative to the corpus folder."""


def _read_and_analyse(
    files: Sequence[_File], shape: IndexShape, language: str = DEFAULT_LANGUAGE
) -> Part:
    """A worker's job: read some files and analyse them."""
    records, warnings, documents = [], [], []
    for path, source, relative in files:
        document, warning, record = read_file(path, source, title=False)
        records.append(record if relative == source else replace(record, name=relative))
        if warning is not None:
            warnings.append(warning)
        if document is not None:
            documents.append(document)
    return analyse_documents(documents, shape, records, warnings, language)


def _workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Worker start-up: be killed when the process that started the build dies (a SIGKILL
    or SIGTERM of ``citebot index`` must not leave workers behind), and exit at once if it
    already has."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the parent check below still helps
            pass
    if os.getppid() != parent:
        os._exit(1)


def _chunks(files: Sequence[_File], sizes: Sequence[int], count: int) -> list[list[_File]]:
    """Consecutive runs of files of about equal size, so the workers finish together."""
    target = max(1, sum(sizes) // count)
    chunks: list[list[_File]] = [[]]
    filled = 0
    for item, size in zip(files, sizes, strict=True):
        if filled >= target and chunks[-1]:
            chunks.append([])
            filled = 0
        chunks[-1].append(item)
        filled += size
    return chunks


def analyse_folder(
    root: Path,
    shape: IndexShape,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    follow_links: bool = False,
    language: str = DEFAULT_LANGUAGE,
) -> list[Part]:
    """Read and analyse every file under ``root``, in parallel when there is enough text,
    with ``language``'s analyzer. The first part carries the warnings about folders and links
    left out."""
    walk = walk_corpus(root, shape.selection, follow_links=follow_links)
    base = len(str(root).rstrip(os.sep)) + 1
    files = [(path, source, str(path)[base:].replace(os.sep, "/")) for path, source in walk.files]
    parts = _analyse_files(files, shape, workers, progress, language)
    parts[0].warnings[:0] = walk.warnings
    return parts


def _analyse_files(
    files: Sequence[_File],
    shape: IndexShape,
    workers: int | None,
    progress: Progress | None,
    language: str,
) -> list[Part]:
    sizes = []
    for path, _, _ in files:
        try:
            sizes.append(max(path.stat().st_size, 1))
        except OSError:
            sizes.append(1)
    total = sum(sizes)
    workers = workers or _workers()
    if workers == 1 or total < PARALLEL_BYTES or len(files) < 2:
        part = _read_and_analyse(files, shape, language)
        if progress:
            progress(total, total)
        return [part]
    chunks = _chunks(files, sizes, workers * 8)
    chunk_bytes, first = [], 0
    for chunk in chunks:
        chunk_bytes.append(sum(sizes[first : first + len(chunk)]))
        first += len(chunk)
    # Imported here: worker processes cost a one-shot question's start-up nothing until a build.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    parts: list[Part] = []
    done = 0
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=_start_method(),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            for part, size in zip(
                pool.map(
                    _read_and_analyse, chunks, [shape] * len(chunks), [language] * len(chunks)
                ),
                chunk_bytes,
                strict=True,
            ):
                parts.append(part)
                done += size
                if progress:
                    progress(done, total)
    except (OSError, BrokenProcessPool, RuntimeError) as problem:
        # No worker processes here (a sandbox without fork, a killed worker...): slower, but
        # the index gets built all the same, from where the workers stopped.
        log.warning("indexing in one process: %s", problem)
        for chunk, size in zip(chunks[len(parts) :], chunk_bytes[len(parts) :], strict=True):
            parts.append(_read_and_analyse(chunk, shape, language))
            done += size
            if progress:
                progress(done, total)
    return parts


def _start_method() -> multiprocessing.context.BaseContext:
    """fork when it is safe (no other threads to copy mid-lock): quick to start, and nothing
    is re-imported; otherwise spawn, a fresh interpreter per worker."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


@dataclass(frozen=True, slots=True)
class Built:
    store: PassageStore
    index: BM25Index
    document_index: BM25Index | None
    warnings: tuple[LoadWarning, ...]
    records: tuple[FileRecord, ...]


def _join_postings(
    parts: Sequence[Part], runs: Sequence[_Postings], *, k1: float, b: float, idf: IdfVariant
) -> tuple[BM25Index, list[npt.NDArray[np.int64]]]:
    """One index from the parts' postings: terms renumbered by first occurrence in corpus
    order, list numbers shifted by the lists before, and each part's term groups copied to
    their place in the term-major arrays (parts are in corpus order, so paragraph order holds
    inside every term). Also each part's local → global term ids."""
    vocabulary: dict[str, int] = {}
    remaps = []
    for part, run in zip(parts, runs, strict=True):
        remap = np.zeros(len(part.vocabulary), dtype=np.int64)
        words = part.vocabulary
        remap[run.first_seen] = np.fromiter(
            (vocabulary.setdefault(words[t], len(vocabulary)) for t in run.first_seen.tolist()),
            dtype=np.int64,
            count=len(run.first_seen),
        )
        remaps.append(remap)
    frequency = np.zeros(len(vocabulary), dtype=np.int64)
    for remap, run in zip(remaps, runs, strict=True):
        frequency += np.bincount(remap[run.term], minlength=len(vocabulary))
    ptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(frequency, out=ptr[1:])
    postings_doc = np.empty(int(ptr[-1]), dtype=np.int32)
    postings_tf = np.empty(int(ptr[-1]), dtype=np.int32)
    filled = np.zeros(len(vocabulary), dtype=np.int64)
    offset = 0
    for remap, run in zip(remaps, runs, strict=True):
        if len(run.term):
            local_counts = np.bincount(run.term, minlength=len(remap))
            group_start = np.cumsum(local_counts) - local_counts
            rank = np.arange(len(run.term), dtype=np.int64) - group_start[run.term]
            target = remap[run.term]
            place = ptr[target] + filled[target] + rank
            postings_doc[place] = run.doc + offset
            postings_tf[place] = run.tf
            present = np.flatnonzero(local_counts)
            filled[remap[present]] += local_counts[present]
        offset += len(run.length)
    index = BM25Index.from_csr(
        list(vocabulary),
        np.concatenate([run.length for run in runs]),
        ptr,
        postings_doc,
        postings_tf,
        k1=k1,
        b=b,
        idf=idf,
    )
    return index, remaps


def _join_units(parts: Sequence[Part]) -> dict[str, npt.NDArray[Any]]:
    """The parts' answer-unit columns as one set, languages renumbered across parts."""
    langs: dict[str, int] = {"": 0}
    kinds, starts, ends, numbers = [], [], [], []
    for part in parts:
        empty = np.zeros(0, dtype=np.int64)
        remap = np.fromiter(
            (langs.setdefault(lang, len(langs)) for lang in part.unit_langs or [""]),
            dtype=np.int64,
        )
        kinds.append(part.units.get("unit_kind", empty))
        starts.append(part.units.get("unit_start", empty))
        ends.append(part.units.get("unit_end", empty))
        numbers.append(remap[part.units.get("unit_lang", empty)])
    lang_blob, lang_offsets = blob(list(langs))
    return {
        "unit_kind": np.concatenate(kinds).astype(np.uint8),
        "unit_start": np.concatenate(starts).astype(np.int64),
        "unit_end": np.concatenate(ends).astype(np.int64),
        "unit_lang": np.concatenate(numbers).astype(np.int32),
        "unit_langs": lang_blob,
        "unit_lang_offsets": lang_offsets,
    }


def assemble(parts: Sequence[Part], shape: IndexShape) -> Built:
    """Join analysed parts, in order, into one store and its indexes.

    Long because it joins every column of the store in one place, in corpus order, so that a new
    column is added once, beside the others.
    """
    sources = [s for p in parts for s in p.sources]
    warnings = tuple(w for p in parts for w in p.warnings)
    records = tuple(r for p in parts for r in p.records)
    if not any(len(p.context) for p in parts):
        raise EmptyCorpusError("The documents hold no paragraph of text to search.")
    document_bytes = [np.zeros(1, dtype=np.int64)]
    columns: dict[str, list[npt.NDArray[Any]]] = {name: [] for name in parts[0].columns}
    contexts: dict[str, int] = {}
    context_numbers = []
    places: dict[str, int] = {}
    place_numbers = []
    source_offset = byte_offset = 0
    for part in parts:
        for name, values in part.columns.items():
            if name == "source":
                values = values + source_offset
            elif name in ("byte_start", "byte_end"):
                values = values + byte_offset
            columns[name].append(values)
        document_bytes.append(part.document_bytes[1:] + byte_offset)
        remap = np.fromiter(
            (contexts.setdefault(c, len(contexts)) for c in part.contexts),
            dtype=np.int32,
            count=len(part.contexts),
        )
        context_numbers.append(remap[part.context])
        place_remap = np.fromiter(
            (places.setdefault(c, len(places)) for c in part.places),
            dtype=np.int32,
            count=len(part.places),
        )
        place_numbers.append(place_remap[part.place])
        source_offset += len(part.sources)
        byte_offset += len(part.text)
    ids = np.concatenate(columns["id"]).astype(np.uint64)
    context_blob, context_offsets = blob(list(contexts))
    place_blob, place_offsets = blob(list(places))
    unit_arrays = _join_units(parts)
    arrays: dict[str, npt.NDArray[Any]] = {
        "source": np.concatenate(columns["source"]).astype(np.int32),
        "paragraph": np.concatenate(columns["paragraph"]).astype(np.int32),
        "start": np.concatenate(columns["start"]),
        "end": np.concatenate(columns["end"]),
        "byte_start": np.concatenate(columns["byte_start"]),
        "byte_end": np.concatenate(columns["byte_end"]),
        "context": np.concatenate(context_numbers).astype(np.int32),
        "id": ids,
        "id_order": np.argsort(ids, kind="stable").astype(np.int64),
        "text": np.frombuffer(b"".join(p.text for p in parts), dtype=np.uint8),
        "document_bytes": np.concatenate(document_bytes),
        "contexts": context_blob,
        "context_offsets": context_offsets,
        "line": np.concatenate(columns["line"]).astype(np.int32),
        "page": np.concatenate(columns["page"]).astype(np.int32),
        "kind": np.concatenate(columns["kind"]).astype(np.uint8),
        "place": np.concatenate(place_numbers).astype(np.int32),
        "places": place_blob,
        "place_offsets": place_offsets,
        **unit_arrays,
    }
    index, remaps = _join_postings(
        parts, [p.paragraphs for p in parts], k1=shape.k1, b=shape.b, idf=shape.idf
    )
    arrays.update(sentence_table.join([p.sentences for p in parts], remaps))
    store = PassageStore(sources, arrays)
    document_index = None
    if shape.document_index:
        runs = [p.documents for p in parts if p.documents is not None]
        document_index, _ = _join_postings(parts, runs, k1=shape.k1, b=shape.b, idf=shape.idf)
    return Built(store, index, document_index, warnings, records)


def build_documents(
    documents: Sequence[Document], shape: IndexShape, language: str = DEFAULT_LANGUAGE
) -> Built:
    return assemble([analyse_documents(documents, shape, language=language)], shape)


ANALYSIS_SHARE = 0.85
"""Of the progress shown while building: reading and tokenizing; joining the parts is the rest
(so the bar does not sit at 100% while the index is still being put together)."""


def build_folder(
    root: Path,
    shape: IndexShape,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    follow_links: bool = False,
    language: str = DEFAULT_LANGUAGE,
) -> Built:
    total = 0

    def analysing(done: int, of: int) -> None:
        nonlocal total
        total = of
        if progress:
            progress(int(done * ANALYSIS_SHARE), of)

    parts = analyse_folder(
        root,
        shape,
        workers=workers,
        progress=analysing,
        follow_links=follow_links,
        language=language,
    )
    if not any(p.sources for p in parts):
        raise no_documents(root, [w for p in parts for w in p.warnings])
    built = assemble(parts, shape)
    if progress:
        progress(total, total)
    return built
