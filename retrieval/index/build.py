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
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import Stemmer

from ..analysis.analyzer import DEFAULT_LANGUAGE, analyzer_for
from ..analysis.tokenizer import token_term
from ..errors import EmptyCorpusError
from ..reading.files import FileRecord, LoadWarning, no_documents, read_file, walk_corpus
from ..reading.readers import document_blocks, searched_text
from ..reading.text import title_of
from ..splitting.passages import passage_fields, searched_units
from ..splitting.sentences import _ABBREVIATIONS, _NUMBER_ABBREVIATIONS, split_sentences
from ..splitting.units import following_units
from ..types import Document
from .bm25 import BM25Index
from .merge import Postings, PostingsJoin
from .sentences import _narrowest
from .shape import IndexShape, Progress
from .spill import Column, Spill, SpillBudget, release_memory, stable_order
from .store import PassageStore, SourceInfo, blob, kind_code, place_key, unit_columns

if TYPE_CHECKING:
    import multiprocessing.context

_token_scan: Callable[[str, dict[str, int]], tuple[list[int | str], int] | None] | None
_sentence_scan: Callable[..., int] | None
_postings_scan: Callable[[bytes | bytearray, bytes, int], tuple[bytes, bytes, bytes, bytes]] | None
_ScanTable: Callable[[], Any] | None
_split_scan: Callable[[str, frozenset[str], frozenset[str]], list[tuple[int, int]] | None] | None
try:  # compiled when citebot was installed with a C compiler (setup.py); optional
    from ..analysis._scan import Table as _ScanTable
    from ..analysis._scan import postings as _postings_scan
    from ..analysis._scan import sentence_ids as _sentence_scan
    from ..analysis._scan import split_ascii as _split_scan
    from ..analysis._scan import token_ids as _token_scan
except ImportError:  # pragma: no cover - the regex path gives the same tokens
    _token_scan = _sentence_scan = _postings_scan = _ScanTable = _split_scan = None

log = logging.getLogger(__name__)

PARALLEL_BYTES = 4 * 1024 * 1024
"""Below this much text one process is quicker than starting workers."""


@dataclass(slots=True)
class _Tokens:
    """One index's token lists for a run of paragraphs (or documents), as local term ids."""

    ids: bytearray = field(default_factory=bytearray)
    """Every list's term ids, end to end (int32, native order)."""
    length: list[int] = field(default_factory=list)

    def postings(self, terms: int) -> Postings:
        """(list number, term, tf) triples, list by list, and the terms in the order they first
        occur (the order rank-bm25 would number them in). ``terms``: above every id.

        Compiled, a counting sort (:mod:`~..analysis._scan`); else two ``np.unique``."""
        if _postings_scan is not None:
            lengths32 = np.asarray(self.length, dtype=np.int32)
            doc, term, tf, seen = _postings_scan(self.ids, lengths32.tobytes(), terms)
            return Postings(
                doc=np.frombuffer(doc, dtype=np.int32),
                term=np.frombuffer(term, dtype=np.int32),
                tf=np.frombuffer(tf, dtype=np.int32),
                length=lengths32,
                first_seen=np.frombuffer(seen, dtype=np.int32),
            )
        ids = np.frombuffer(self.ids, dtype=np.int32).astype(np.int64)
        lengths = np.asarray(self.length, dtype=np.int64)
        owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        # Term-major keys: sorted, they group each term's postings in list order, so the parent
        # only has to place groups, never sort the whole corpus's postings.
        keys, tf = np.unique(ids * len(lengths) + owner, return_counts=True)
        present, first = np.unique(ids, return_index=True)
        return Postings(
            doc=(keys % max(len(lengths), 1)).astype(np.int32),
            term=(keys // max(len(lengths), 1)).astype(np.int32),
            tf=tf.astype(np.int32),
            length=lengths.astype(np.int32),
            first_seen=present[np.argsort(first, kind="stable")].astype(np.int32),
        )


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
    paragraphs: Postings
    documents: Postings | None
    sentences: dict[str, npt.NDArray[Any]] = field(default_factory=dict)
    """Each paragraph's sentence spans and terms (:class:`~.sentences.SentenceColumns`)."""
    units: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)
    """Per paragraph: the unit that follows it (:func:`~.store.unit_columns`)."""
    unit_langs: list[str] = field(default_factory=list)
    """The languages ``units["unit_lang"]`` numbers."""
    peak_rss_mb: float = 0.0
    """The analysing process's peak resident memory (MB) when the part was done."""


def _utf8_offsets(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans as byte spans of ``text``'s UTF-8. Counted on from the span before, so
    in order it is one pass; a span that starts before the last one ended (splitting keeps
    readers' blocks in the file's order, so only a future reader's bug) is counted from the top
    again, never shifted onto other bytes: the file check reads the text back at these bytes,
    so a wrong span here would be a wrong quote it cannot see."""
    if text.isascii():
        return list(spans)
    result = []
    char = byte = 0
    for start, end in spans:
        if start < char:
            char = byte = 0
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
    table = _terms_table(language)
    vocabulary, token_ids, chunk_ids = table.vocabulary, table.token_ids, table.chunk_ids
    number_of = vocabulary.setdefault
    contexts: dict[str, int] = {}
    context_bytes: dict[str, bytes] = {}
    """A heading path → its terms repeated as the index repeats them (int32 bytes)."""
    context_of: list[int] = []
    places: dict[str, int] = {}
    place_of: list[int] = []
    paragraphs, whole_documents = _Tokens(), _Tokens()
    sentence_counts: list[int] = []
    sentence_rows = bytearray()
    """Each sentence's (start, end, number of terms), int32."""
    sentence_tokens = bytearray()
    """Each sentence's term ids end to end, int32."""
    unit_cols: dict[str, list[int]] = {}
    langs: dict[str, int] = {"": 0}

    scan = _token_scan if analyzer.english else None
    scan_sentences = _sentence_scan if analyzer.english and table.scan_table is not None else None
    split_english = _split_scan if language == "en" else None
    """split_sentences(text, "en") in one compiled pass for ASCII text (None for other text)."""
    token_id = token_ids.get

    ascii_term = (
        partial(token_term, stem=Stemmer.Stemmer("english").stemWord) if analyzer.english else None
    )
    """An English ASCII token's term without the analyzer's two caches (a token reaches
    ``token_number`` once per worker: a cache would only be filled) — the same function."""

    def token_number(token: str) -> int:
        term = ascii_term(token) if ascii_term is not None and token.isascii() else term_of(token)
        return token_ids.setdefault(token, number_of(term, len(vocabulary)) if term else -1)

    def term_ids(text: str) -> list[int]:
        """``analyze(text)`` as part-local term ids: for English ASCII text one compiled pass
        (:mod:`~..analysis._scan`) or one regex pass (:meth:`Analyzer.plain_tokens`), a dict
        look-up per token; else cached per whitespace chunk like analyze itself."""
        if scan is not None:
            scanned = scan(text, token_ids)
            if scanned is not None:
                values, misses = scanned
                if misses:  # tokens not seen before in this part: numbered, stopwords dropped
                    numbered = (token_number(v) if isinstance(v, str) else v for v in values)
                    return [i for i in numbered if i >= 0]
                return values  # type: ignore[return-value]  # no misses: every value an id
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
                    found[i] = chunk_term_ids(chunk)
        return list(chain.from_iterable(found))  # type: ignore[arg-type]

    def chunk_term_ids(chunk: str) -> list[int]:
        """One whitespace-free chunk's term ids (cached per chunk)."""
        found = chunk_ids.get(chunk)
        if found is None:
            found = chunk_ids[chunk] = [number_of(t, len(vocabulary)) for t in chunk_terms(chunk)]
        return found

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
        passages = passage_fields(document, blocks)
        following = following_units(blocks, passages)
        for name, values in unit_columns(following, langs).items():
            unit_cols.setdefault(name, []).extend(values)
        unit_spans = (
            searched_units(blocks, document.text) if shape.unit_terms else [[] for _ in passages]
        )
        spans = _utf8_offsets(document.text, [(p.start, p.end) for p in passages])
        searched = searched_text(document)
        whole = bytearray()
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
            spans = (
                split_english(passage.text, *_SENTENCE_RULES) if split_english else None
            ) or split_sentences(passage.text, language)
            sentence_counts.append(len(spans))
            before = len(sentence_tokens)
            words = (
                passage.text
                if searched is document.text
                else searched[passage.start : passage.start + len(passage.text)]
            )  # the same length: the words the reader's searched view shows
            if scan_sentences is not None:
                scan_sentences(
                    words, spans, table.scan_table, token_number, chunk_term_ids,
                    sentence_tokens, sentence_rows,
                )  # fmt: skip
            else:
                per_sentence = [term_ids(words[a:z]) for a, z in spans]
                sentence_rows += _int32_bytes(
                    chain.from_iterable(
                        (a, z, len(ids)) for (a, z), ids in zip(spans, per_sentence, strict=True)
                    )
                )
                sentence_tokens += _int32_bytes(chain.from_iterable(per_sentence))
            tokens = sentence_tokens[before:]
            if units:  # the code or table the paragraph introduces is searched with it
                unit_text = " ".join(document.text[s:e] for s, e in units)
                tokens += _int32_bytes(term_ids(unit_text)[: shape.unit_terms])
            repeated = context_bytes.get(passage.context)
            if repeated is None:
                context = term_ids(passage.context)
                repeated = context_bytes[passage.context] = _int32_bytes(
                    context * shape.context_repeat if shape.index_context else []
                )
            paragraphs.ids += repeated
            paragraphs.ids += tokens
            paragraphs.length.append((len(repeated) + len(tokens)) // 4)
            if shape.document_index:
                # A document is its paragraphs' words plus each distinct title/heading once.
                whole += tokens
                if repeated and passage.context not in seen_contexts:
                    seen_contexts.add(passage.context)
                    whole += repeated
        if shape.document_index and passages:  # rows only for documents with paragraphs
            whole_documents.ids += whole
            whole_documents.length.append(len(whole) // 4)
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
        **_part_terms(
            table,
            paragraphs.postings(len(vocabulary)),
            whole_documents.postings(len(vocabulary)) if shape.document_index else None,
            _sentence_arrays(sentence_counts, sentence_rows, sentence_tokens),
        ),
        units={name: np.asarray(values, dtype=np.int64) for name, values in unit_cols.items()},
        unit_langs=list(langs),
    )


@dataclass(slots=True)
class _TermsTable:
    """Term numbering while analysing: term → id, and the caches that lead to it (a normalized
    token → its id, -1 for a stopword; a whitespace chunk → its ids). A worker process keeps
    its table from one job to the next (:data:`_KEEP_TERMS`), so a word is stemmed and entered
    once per worker, not once per 4 MB job: most of a job's tokens are then one dict look-up
    in the compiled scan. The ids are the table's; each part is renumbered to its own."""

    vocabulary: dict[str, int] = field(default_factory=dict)
    token_ids: dict[str, int] = field(default_factory=dict)
    chunk_ids: dict[str, list[int]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)
    """``list(vocabulary)``, brought up to date at the end of each part."""
    scan_table: Any = field(default_factory=lambda: _ScanTable() if _ScanTable else None)
    """The compiled scan's own token → id table (``token_ids`` for English ASCII tokens,
    looked up without making a str per token)."""


_SENTENCE_RULES = (_ABBREVIATIONS, _NUMBER_ABBREVIATIONS)
"""The abbreviations the compiled sentence splitter reads (splitting/sentences.py's own)."""

_KEEP_TERMS = False
"""Set in worker processes: keep each language's :class:`_TermsTable` between jobs."""
KEPT_TOKENS = 2_000_000
"""A kept table is dropped past this many distinct tokens (its memory stays bounded)."""
_kept_tables: dict[str, _TermsTable] = {}


def _terms_table(language: str) -> _TermsTable:
    """A fresh table, or in a worker the one its earlier jobs filled (if not too large)."""
    if not _KEEP_TERMS:
        return _TermsTable()
    table = _kept_tables.get(language)
    if table is None or len(table.token_ids) + len(table.chunk_ids) > KEPT_TOKENS:  # bounded
        table = _kept_tables[language] = _TermsTable()
    return table


def _part_terms(
    table: _TermsTable,
    paragraphs: Postings,
    documents: Postings | None,
    sentences: dict[str, npt.NDArray[Any]],
) -> dict[str, Any]:
    """The part's own vocabulary (the table's terms its paragraphs use, in table order) and
    its postings and sentence terms renumbered into it: monotone, so postings stay grouped by
    term in ascending order, and first occurrences keep their order."""
    terms = table.terms
    if len(terms) < len(table.vocabulary):
        terms.extend(islice(table.vocabulary, len(terms), None))
    used = np.sort(paragraphs.first_seen)
    local = np.zeros(len(terms), dtype=np.int32)
    local[used] = np.arange(len(used), dtype=np.int32)

    def renumbered(run: Postings) -> Postings:
        return replace(run, term=local[run.term], first_seen=local[run.first_seen])

    return {
        "vocabulary": [terms[i] for i in used.tolist()],
        "paragraphs": renumbered(paragraphs),
        "documents": renumbered(documents) if documents is not None else None,
        "sentences": {**sentences, "tokens": local[sentences["tokens"]]},
    }


def _int32_bytes(values: Iterable[int]) -> bytes:
    """``values`` as native int32 bytes (the build's token lists)."""
    return array("i", values).tobytes()


def _sentence_arrays(
    counts: list[int], rows: bytearray, tokens: bytearray
) -> dict[str, npt.NDArray[Any]]:
    """The part's sentence table as :meth:`~.sentences.SentenceColumns.arrays` gives it:
    ``rows`` are (start, end, number of terms) int32 triples, ``tokens`` the terms (int32)."""
    table = np.frombuffer(rows, dtype=np.int32).reshape(-1, 3)
    return {
        "counts": np.asarray(counts, dtype=np.int32),
        "starts": table[:, 0].copy(),
        "ends": table[:, 1].copy(),
        "lengths": table[:, 2].copy(),
        "tokens": np.frombuffer(tokens, dtype=np.int32).copy(),
    }


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
    part = analyse_documents(documents, shape, records, warnings, language)
    part.peak_rss_mb = _memory_mb("VmHWM:")
    return part


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
    global _KEEP_TERMS
    _KEEP_TERMS = True


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


CHUNK_BYTES = 4 * 1024 * 1024
"""About this much text per worker job: small enough that a job's analysed part is a few tens
of megabytes whatever the corpus size (the parent joins parts as they arrive and keeps none),
large enough that a job's start-up and its vocabulary's transfer cost little."""


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
    left out. (Every part at once: :func:`build_folder` joins them one by one instead.)"""
    walk_warnings, parts = _folder_parts(root, shape, workers, progress, follow_links, language)
    found = list(parts)
    found[0].warnings[:0] = walk_warnings
    return found


def _folder_parts(
    root: Path,
    shape: IndexShape,
    workers: int | None,
    progress: Progress | None,
    follow_links: bool,
    language: str,
) -> tuple[list[LoadWarning], Iterator[Part]]:
    walk = walk_corpus(root, shape.selection, follow_links=follow_links)
    base = len(str(root).rstrip(os.sep)) + 1
    files = [(path, source, str(path)[base:].replace(os.sep, "/")) for path, source in walk.files]
    return list(walk.warnings), _analyse_files(files, shape, workers, progress, language)


def _analyse_files(
    files: Sequence[_File],
    shape: IndexShape,
    workers: int | None,
    progress: Progress | None,
    language: str,
) -> Iterator[Part]:
    """The files' parts in corpus order, each yielded as soon as it and those before it are
    analysed (worker processes for a large folder; jobs of about :data:`CHUNK_BYTES`)."""
    sizes = _file_sizes(files)
    total = sum(sizes)
    workers = workers or _workers()
    if workers == 1 or total < PARALLEL_BYTES or len(files) < 2:
        yield _read_and_analyse(files, shape, language)
        if progress:
            progress(total, total)
        return
    chunks = _chunks(files, sizes, max(workers * 8, total // CHUNK_BYTES))
    chunk_bytes = [sum(chunk_sizes) for chunk_sizes in _split_like(sizes, chunks)]
    # Imported here: worker processes cost a one-shot question's start-up nothing until a build.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = yielded = 0
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=_start_method(),
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            try:
                for part, size in zip(
                    pool.map(
                        _read_and_analyse, chunks, [shape] * len(chunks), [language] * len(chunks)
                    ),
                    chunk_bytes,
                    strict=True,
                ):
                    yielded += 1
                    yield part
                    done += size
                    if progress:
                        progress(done, total)
            except BaseException:
                # Given up mid-way (an interrupt, the caller failing or closing this
                # generator): the jobs not started yet are cancelled, not run to the end.
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    except (OSError, BrokenProcessPool, RuntimeError) as problem:
        # No worker processes here (a sandbox without fork, a killed worker...): slower, but
        # the index gets built all the same, from where the workers stopped.
        log.warning("indexing in one process: %s", problem)
        for chunk, size in zip(chunks[yielded:], chunk_bytes[yielded:], strict=True):
            yield _read_and_analyse(chunk, shape, language)
            done += size
            if progress:
                progress(done, total)


def _split_like(values: Sequence[int], chunks: Sequence[Sequence[_File]]) -> list[Sequence[int]]:
    """``values`` (one per file) cut into runs as long as ``chunks``."""
    runs, first = [], 0
    for chunk in chunks:
        runs.append(values[first : first + len(chunk)])
        first += len(chunk)
    return runs


def _file_sizes(files: Sequence[_File]) -> list[int]:
    """Each file's size (at least 1, and 1 when it cannot be read): what jobs are cut by."""
    sizes = []
    for path, _, _ in files:
        try:
            sizes.append(max(path.stat().st_size, 1))
        except OSError:
            sizes.append(1)
    return sizes


def _start_method() -> multiprocessing.context.BaseContext:
    """fork when it is safe (no other threads to copy mid-lock): quick to start, and nothing
    is re-imported; otherwise spawn, a fresh interpreter per worker."""
    import multiprocessing

    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


@dataclass(frozen=True, slots=True)
class BuildStage:
    """One stage of a build, for reports: how long it took and the memory it needed."""

    name: str
    seconds: float
    rss_mb: float
    """The building process's resident memory at the stage's end."""
    peak_rss_mb: float
    """The building process's peak resident memory so far (VmHWM)."""
    worker_peak_rss_mb: float = 0.0
    """The largest peak of one worker process (analysing stage only; 0 without workers)."""


@dataclass(frozen=True, slots=True)
class Built:
    store: PassageStore
    index: BM25Index
    document_index: BM25Index | None
    warnings: tuple[LoadWarning, ...]
    records: tuple[FileRecord, ...]
    stages: tuple[BuildStage, ...] = ()
    """Where the build's time and memory went (for ``bench/scale.py`` and the log)."""


TRIM_EVERY = 8
"""Parts joined between two :func:`release_memory` calls."""


def _memory_mb(field_name: str) -> float:
    """This process's VmRSS or VmHWM in MB (0 where /proc is not there)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


SPILL_BYTES = 64 * 1024 * 1024
"""Past this many bytes a spill moves from memory to a temporary file."""


class _Assembler:
    """Joins analysed parts, in corpus order, one at a time, into one store and its indexes:
    each part is folded in and dropped as it arrives. Everything that grows with the corpus
    (text, postings, every per-paragraph column, the sentence table) is appended to a
    :class:`~.spill.Spill` sharing one budget of :data:`SPILL_BYTES`, so the parent holds
    the vocabulary, the distinct headings and the files' list, never the corpus.

    Long because it joins every column of the store in one place, in corpus order, so that a new
    column is added once, beside the others.
    """

    def __init__(self, shape: IndexShape) -> None:
        self.shape = shape
        self.started = time.perf_counter()
        budget = self.budget = SpillBudget(SPILL_BYTES)
        self._text = Spill(budget)
        self._tokens = Column(budget, np.int32)
        """The sentence table's terms (global ids): a million paragraphs hold 60 million."""
        self.paragraphs = PostingsJoin(budget)
        self.documents = PostingsJoin(budget) if shape.document_index else None
        self.sources: list[SourceInfo] = []
        self.warnings: list[LoadWarning] = []
        self.records: list[FileRecord] = []
        self.columns = {
            name: Column(budget, dtype)
            for name, dtype in _COLUMN_TYPES.items()
            if not name.startswith("unit_")
        }
        self.document_bytes: list[npt.NDArray[np.int64]] = [np.zeros(1, dtype=np.int64)]
        self.contexts: dict[str, int] = {}
        self.context_numbers = Column(budget, np.int32)
        self.places: dict[str, int] = {}
        self.place_numbers = Column(budget, np.int32)
        self.langs: dict[str, int] = {"": 0}
        self.units = {
            name: Column(budget, _COLUMN_TYPES[name])
            for name in ("unit_kind", "unit_start", "unit_end", "unit_lang")
        }
        self.sentence_ptr = Column(budget, np.int64, track=True)
        self.token_ptr = Column(budget, np.int64, track=True)
        self.sentence_ptr.append(np.zeros(1, dtype=np.int64))
        self.token_ptr.append(np.zeros(1, dtype=np.int64))
        self.sentence_start = Column(budget, np.int32)
        self.sentence_end = Column(budget, np.int32, track=True)
        self.worker_peak_mb = 0.0
        self.byte_offset = 0
        self.parts = 0

    def add(self, part: Part) -> None:
        """Fold one part in (parts must come in corpus order)."""
        source_offset, byte_offset = len(self.sources), self.byte_offset
        self.sources += part.sources
        self.warnings += part.warnings
        self.records += part.records
        self.worker_peak_mb = max(self.worker_peak_mb, part.peak_rss_mb)
        for name, values in part.columns.items():
            if name == "source":
                values = values + source_offset
            elif name in ("byte_start", "byte_end"):
                values = values + byte_offset
            self.columns[name].append(values)
        self.document_bytes.append(part.document_bytes[1:] + byte_offset)
        self.context_numbers.append(_renumber(self.contexts, part.contexts)[part.context])
        self.place_numbers.append(_renumber(self.places, part.places)[part.place])
        lang_remap = _renumber(self.langs, part.unit_langs or [""])
        empty = np.zeros(0, dtype=np.int64)
        for name, column in self.units.items():
            values = part.units.get(name, empty)
            column.append(lang_remap[values].astype(np.int64) if name == "unit_lang" else values)
        self._text.append(part.text)
        self.byte_offset += len(part.text)
        remap = self.paragraphs.add(part.vocabulary, part.paragraphs)
        if self.documents is not None and part.documents is not None:
            self.documents.add(part.vocabulary, part.documents)
        self.parts += 1
        if self.parts % TRIM_EVERY == 0 and self.budget.spilled:
            release_memory()
        sentences = part.sentences
        if sentences:
            self._tokens.append(remap[sentences["tokens"]])
            for column, counts in (
                (self.sentence_ptr, sentences["counts"]),
                (self.token_ptr, sentences["lengths"]),
            ):
                column.append(np.cumsum(counts, dtype=np.int64) + int(column.high or 0))
            self.sentence_start.append(sentences["starts"])
            self.sentence_end.append(sentences["ends"])

    def finish(self) -> Built:
        """The store and indexes of every part added, with the stages' times and memory."""
        if not self.context_numbers.length:
            self.close()
            raise EmptyCorpusError("The documents hold no paragraph of text to search.")
        stages = [self._stage("analyse", self.started, worker=True)]
        started = time.perf_counter()
        shape = self.shape
        index = self.paragraphs.finish(k1=shape.k1, b=shape.b, idf=shape.idf)
        document_index = None
        if self.documents is not None:
            document_index = self.documents.finish(
                k1=shape.k1,
                b=shape.b,
                idf=shape.idf,
                like=(self.paragraphs, index.vocabulary),
            )
        for join in (self.paragraphs, self.documents):
            if join is not None:
                join.vocabulary = {}  # the indexes have their own tables now
        stages.append(self._stage("postings", started))
        started = time.perf_counter()
        store = PassageStore(self.sources, self._store_arrays())
        stages.append(self._stage("store", started))
        for stage in stages:
            log.info(
                "build stage %s: %.2f s, RSS %.0f MB, peak %.0f MB, worker peak %.0f MB",
                stage.name, stage.seconds, stage.rss_mb, stage.peak_rss_mb,
                stage.worker_peak_rss_mb,
            )  # fmt: skip
        return Built(
            store,
            index,
            document_index,
            tuple(self.warnings),
            tuple(self.records),
            tuple(stages),
        )

    def _store_arrays(self) -> dict[str, Any]:
        """The store's arrays, read back from their spills (file-backed past the budget)."""
        context_blob, context_offsets = blob(list(self.contexts))
        place_blob, place_offsets = blob(list(self.places))
        lang_blob, lang_offsets = blob(list(self.langs))
        arrays: dict[str, Any] = {name: column.array() for name, column in self.columns.items()}
        span_type = _narrowest(int(self.sentence_end.high or 0), "uint16", "int32")
        arrays.update(
            {
                "id_order": stable_order(arrays["id"], self.budget),
                "context": self.context_numbers.array(),
                "text": self._text.as_array(),
                "document_bytes": np.concatenate(self.document_bytes),
                "contexts": context_blob,
                "context_offsets": context_offsets,
                "place": self.place_numbers.array(),
                "places": place_blob,
                "place_offsets": place_offsets,
                **{name: column.array() for name, column in self.units.items()},
                "unit_langs": lang_blob,
                "unit_lang_offsets": lang_offsets,
                "sentence_ptr": self.sentence_ptr.array(
                    _narrowest(int(self.sentence_ptr.high or 0))
                ),
                "sentence_start": self.sentence_start.array(span_type),
                "sentence_end": self.sentence_end.array(span_type),
                "token_ptr": self.token_ptr.array(_narrowest(int(self.token_ptr.high or 0))),
                "tokens": self._tokens.array(),
            }
        )
        return arrays

    def _stage(self, name: str, started: float, *, worker: bool = False) -> BuildStage:
        if self.budget.spilled:
            release_memory()
        return BuildStage(
            name,
            time.perf_counter() - started,
            _memory_mb("VmRSS:"),
            _memory_mb("VmHWM:"),
            self.worker_peak_mb if worker else 0.0,
        )

    def close(self) -> None:
        """Release everything of a build given up (failed or interrupted): the spills, and
        every temporary file made so far, the partial outputs' too (:meth:`SpillBudget.close`)."""
        self._text.close()
        self._tokens.close()
        for join in (self.paragraphs, self.documents):
            if join is not None:
                join.close()
        for column in (
            *self.columns.values(),
            *self.units.values(),
            self.context_numbers,
            self.place_numbers,
            self.sentence_ptr,
            self.token_ptr,
            self.sentence_start,
            self.sentence_end,
        ):
            column.close()
        self.budget.close()


_COLUMN_TYPES: dict[str, Any] = {
    "source": np.int32,
    "paragraph": np.int32,
    "start": np.int64,
    "end": np.int64,
    "byte_start": np.int64,
    "byte_end": np.int64,
    "id": np.uint64,
    "line": np.int32,
    "page": np.int32,
    "kind": np.uint8,
    "unit_kind": np.uint8,
    "unit_start": np.int64,
    "unit_end": np.int64,
    "unit_lang": np.int32,
}
"""The store's dtype of each per-paragraph column (what it has always saved)."""


def _renumber(numbers: dict[str, int], names: Sequence[str]) -> npt.NDArray[np.int32]:
    """Number ``names`` in ``numbers`` (first come, first numbered); their numbers."""
    return np.fromiter(
        (numbers.setdefault(name, len(numbers)) for name in names),
        dtype=np.int32,
        count=len(names),
    )


def assemble(parts: Iterable[Part], shape: IndexShape) -> Built:
    """Join analysed parts, in order, into one store and its indexes (see :class:`_Assembler`)."""
    assembler = _Assembler(shape)
    try:
        for part in parts:
            assembler.add(part)
        return assembler.finish()
    except BaseException:
        assembler.close()
        _stop(parts)
        raise


def _stop(parts: Iterable[Part]) -> None:
    """Close a generator of parts after a failure, so that its pool cancels the chunks not
    yet started now, not when the traceback holding it is collected."""
    close = getattr(parts, "close", None)
    if callable(close):
        close()


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
    """Build the index of the files under ``root``: parts analysed on every core and joined
    one by one as they arrive (memory bounded by the corpus's columns, not its text)."""
    total = 0

    def analysing(done: int, of: int) -> None:
        nonlocal total
        total = of
        if progress:
            progress(int(done * ANALYSIS_SHARE), of)

    walk_warnings, parts = _folder_parts(root, shape, workers, analysing, follow_links, language)
    assembler = _Assembler(shape)
    assembler.warnings += walk_warnings
    try:
        for part in parts:
            assembler.add(part)
        if not assembler.sources:
            raise no_documents(root, assembler.warnings, shape.selection)
        built = assembler.finish()
    except BaseException:
        assembler.close()
        _stop(parts)
        raise
    if progress:
        progress(total, total)
    return built
