"""The one answering interface every front end calls: ``Engine.ask(question) -> Answer``.

An Engine is built once per corpus (loading, splitting, analysing and indexing happen here,
never per question) and is then read-only, so one instance can serve many threads at once.

Ranking: BM25 (rank-bm25's formula, see :mod:`retrieval.index`) over each paragraph's words plus
its title and headings, then the top ``rerank_depth`` candidates are re-ordered by normalised BM25
+ the share of the question's IDF weight in the paragraph's best sentence + the share of the
question's adjacent term pairs found adjacent in the paragraph + the BM25 score of the paragraph's
whole document (a second index, over documents), normalised to the best candidate's document.
Hits keep their BM25 scores.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from ..analysis.analyzer import ENGLISH, Analyzer, analyzer_for
from ..analysis.identify import Identification, identify, sample_texts
from ..analysis.languages import LANGUAGES
from ..analysis.tokenizer import normalize, term_spans
from ..caches import method_cache
from ..errors import (
    CitebotError,
    FileChangedError,
    IndexDamagedError,
    NoSpaceError,
    OptionError,
    QuestionError,
)
from ..index import persist
from ..index.bm25 import IDF_VARIANTS, BM25Index, IdfVariant
from ..index.shape import IndexShape, Progress
from ..index.store import PassageStore
from ..reading.current import CurrentText
from ..reading.files import (
    FileRecord,
    LoadWarning,
    corpus_files,
    corpus_root,
    left_out_files,
    read_file,
)
from ..reading.select import FileSelection, LeftOut
from ..splitting.units import UnitSpan
from ..types import Answer, Document, Hit, Passage, QuotedBlock
from .compose import (
    AnalysedPassage,
    ComposeInputs,
    ComposerOptions,
    analyse_passage,
    analysed_from_sentences,
    compose,
)
from .expansion import expansion_terms
from .links import with_urls
from .rerank import RerankWeights, favour_hits, rerank, section_votes
from .sections import PageWords, SectionRuns, range_scores
from .spelling import Variant, find_variants
from .units import _TRAILING, attach_blocks, line_indent, quoted_unit, with_unit_terms

MAX_QUESTION_CHARS = 1000
PRECOMPUTE_LIMIT = 20_000
"""Up to this many paragraphs, a freshly built engine analyses them all up front."""
MAX_TOP_K = 100
SECTION_REACH = 4
"""How many paragraphs either side of a paragraph its section is looked for in: the block a
section's prose introduces stands near it (4 against 12: equal on uv and Flask's held-out
halves, one pydantic question better; docs/quality.md)."""
VOCABULARY_SET_LIMIT = 300_000
"""Up to this many terms, spelling variants are checked against a set of the vocabulary (built
on first use, a few MB); beyond, by the vocabulary's keys (slower, no extra memory)."""
"""The most paragraphs one question may retrieve."""


_SHAPE = IndexShape()


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Everything an engine is built and answers with, in three kinds:

    - what the saved index depends on: ``k1``, ``b``, ``idf``, ``index_context``,
      ``context_repeat`` (their defaults are :class:`~retrieval.index.IndexShape`'s, the one
      class a saved index's key is made of: see :attr:`shape`);
    - what users set (``config/`` reads these defaults, never repeats them): ``top_k``, ``k1``,
      ``b`` and the composer's ``max_sentences``, ``max_chars``, ``min_confidence``;
    - tuning weights, varied only by ``bench/`` (never settings): ``rerank_*``,
      ``document_weight`` and the composer's other fields.
    """

    top_k: int = 5
    k1: float = _SHAPE.k1
    b: float = _SHAPE.b
    composer: ComposerOptions = field(default_factory=ComposerOptions)
    index_context: bool = _SHAPE.index_context
    """Index each paragraph's title and headings with its words (a title field, flattened)."""
    context_repeat: int = _SHAPE.context_repeat
    """How many times the title and headings are indexed with the paragraph: a title field
    weighted 3x, BM25F-style (1 = flat concatenation)."""
    rerank_depth: int = 20
    """Re-rank this many BM25 candidates by their best sentence (0: BM25 order only)."""
    rerank_weight: float = 0.25
    """Weight of the best sentence's share of the question against normalised BM25."""
    rerank_bigram_weight: float = 0.5
    """Re-ranking weight of the question's adjacent term pairs found adjacent in the paragraph."""
    document_weight: float = 0.3
    """Re-ranking weight of the paragraph's document's BM25 score (a second index over whole
    documents), normalised to the best of the candidates' documents (0: no document index)."""
    prf_weight: float = 0.1
    """Re-ranking weight of pseudo-relevance feedback (:mod:`.expansion`): the BM25 score of the
    terms the top ``prf_docs`` paragraphs share, normalised to the candidates' best (0: off).
    It orders the paragraphs an answer is composed from once the decision (made on the ranking
    without it) is to answer: the first citation moves, the confidence does not
    (docs/quality.md, "Round 7")."""
    section_vote_weight: float = 0.0
    """Re-ranking weight, for the answer's paragraphs only (as ``prf_weight``), of the summed
    normalised BM25 of the candidates in the paragraph's section (CombSUM: a section that
    several candidates come from is likelier the answer's), over the best section's (0: off).
    Only paragraphs under a heading below their page's title vote or get it. Off by default:
    at 0.1 it adds useful answers but makes the Flask HTML build and its sources cite different
    sections twice more, and its neighbours 0.05 / 0.2 each lose a pydantic answer
    (docs/quality.md, "Round 7")."""
    prf_docs: int = 3
    """How many of the first stage's best paragraphs feedback reads."""
    prf_terms: int = 8
    """How many expansion terms feedback adds."""
    prf_min_docs: int = 2
    """An expansion term must be in this many feedback paragraphs."""

    fuzzy_weight: float = 0.5
    """A question word the documents lack is searched as its most common one-edit variant of
    five letters or more (:mod:`retrieval.answering.spelling`), weighing this share of its IDF
    when sentences are chosen and confidence is measured (0: no variants)."""

    idf: IdfVariant = _SHAPE.idf
    """rank-bm25's IDF: "lucene" (positive, see :mod:`retrieval.index`) or "okapi"."""
    unit_terms: int = 100
    """Search up to this many terms of the code blocks and tables after a paragraph with it
    (0: none): the command a sentence introduces is usually what was asked for. On since answer
    units quote that code with the sentence and ``unit_sentence_terms`` lets the sentence be
    chosen for it (docs/quality.md, "Documentation answers")."""
    unit_sentence_terms: int = 64
    """When composing, the first this-many terms of the block after a paragraph count as words
    of the paragraph's last sentence (the one that brings the block; 0: off)."""
    include: tuple[str, ...] = ()
    """Globs of the corpus-relative paths to index (empty: every readable file)."""
    exclude: tuple[str, ...] = ()
    """Globs of files never indexed ("release-notes.md", "**/changelog*"); they win over
    ``include`` (see :mod:`retrieval.reading.select`)."""
    language: str = "auto"
    """The corpus's language (ISO 639-1, see :data:`retrieval.analysis.LANGUAGES`), or "auto":
    identified from its text when it is indexed. Questions are analysed as the corpus is."""
    source_url: str = ""
    """The base URL the corpus is published under ("https://docs.astral.sh/uv/"): citations
    then carry the URL of their section (see :mod:`retrieval.answering.links`); "" for none.
    Not part of the index: changing it never rebuilds."""

    def __post_init__(self) -> None:
        if self.idf not in IDF_VARIANTS:
            raise OptionError(f"idf must be one of {', '.join(IDF_VARIANTS)} (got {self.idf!r}).")
        if not 1 <= self.top_k <= MAX_TOP_K:
            raise OptionError(f"top_k must be 1 to {MAX_TOP_K} (got {self.top_k!r}).")
        if not 1 <= self.context_repeat <= 10:
            raise OptionError(f"context_repeat must be 1 to 10 (got {self.context_repeat!r}).")
        for name in ("include", "exclude"):
            if isinstance(getattr(self, name), str):
                raise OptionError(f"{name} must be a sequence of glob patterns, not one string.")
        if self.language != "auto" and self.language not in LANGUAGES:
            raise OptionError(
                f"language must be auto or one of {', '.join(sorted(LANGUAGES))} "
                f"(got {self.language!r})."
            )
        if not 0 <= self.unit_terms <= 100_000:
            raise OptionError(f"unit_terms must be 0 to 100000 (got {self.unit_terms!r}).")
        if not 0 <= self.rerank_depth <= 1000:
            raise OptionError(f"rerank_depth must be 0 to 1000 (got {self.rerank_depth!r}).")

    @property
    def shape(self) -> IndexShape:
        """What these options make the index: the key a saved index must match."""
        return IndexShape(
            k1=self.k1,
            b=self.b,
            idf=self.idf,
            index_context=self.index_context,
            context_repeat=self.context_repeat,
            document_index=bool(self.document_weight),
            language=self.language,
            unit_terms=self.unit_terms,
            include=tuple(self.include),
            exclude=tuple(self.exclude),
        )


def _as_saved(shape: dict[str, object]) -> object:
    """The shape as the saved index's JSON header holds it (tuples come back as lists)."""
    return json.loads(json.dumps(shape))


@dataclass(frozen=True, slots=True)
class Borrowed:
    """What a follow-up question borrows from an earlier turn of its conversation."""

    terms: tuple[str, ...] = ()
    """Analysed terms searched with the question's own (those it already has are ignored)."""
    weight: float = 1.0
    """Share of their IDF the borrowed terms weigh when sentences are chosen and confidence is
    measured (they find the paragraphs at full weight)."""
    favour: frozenset[str] = frozenset()
    """Ids of paragraphs to prefer in the ranking (those the earlier turn cited)."""
    bar: float = 1.0
    """Share of ``min_confidence`` the answer must reach: below 1 for a question that leans
    on the conversation, whose context is evidence the documents are about it."""


@dataclass(frozen=True, slots=True)
class SourceSummary:
    """One loaded document, as ``:sources`` lists it."""

    source: str
    title: str
    paragraphs: int
    format: str = "text"
    pages: int = 0


_BROADCAST = re.compile(r"(?<![\w@])@(?:everyone|here)\b", re.IGNORECASE)


_TERMINAL_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b[ -/]*[0-~]"
)
"""Terminal escape sequences (colours ``ESC[31m``, OSC titles and links, two-character
escapes): an error pasted from a CI log or a coloured terminal carries them, and without this
their printable tail ("[31m") would be searched as a word glued to the next one."""


def clean_question(question: str) -> str:
    """The question as it will be searched, or QuestionError with a message for the asker."""
    if "\x1b" in question or "\x9b" in question:
        question = _TERMINAL_ESCAPE.sub(" ", question)
    cleaned = "".join(ch if ch.isprintable() else " " for ch in question)
    # "@everyone"/"@here" address a channel, not the documents: not words to search for.
    cleaned = _BROADCAST.sub(" ", cleaned).strip()
    if not cleaned:
        raise QuestionError("Please ask a question: the message was empty.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(cleaned):,} characters long; please keep it under "
            f"{MAX_QUESTION_CHARS:,} characters."
        )
    return cleaned


def prepare_question(question: str, analyzer: Analyzer = ENGLISH) -> tuple[str, list[str]]:
    """The cleaned question and its search terms, or QuestionError with a message for the asker.

    Cheap (no index needed), so a front end can turn a bad question away before doing any work.
    """
    cleaned = clean_question(question)
    terms = analyzer.terms(cleaned)  # as the corpus was analysed
    if not terms:
        raise QuestionError(
            "That question has no words to search for (only common words like "
            "'what is the', punctuation or symbols). Please ask about something specific."
        )
    return cleaned, terms


def resolve_language(setting: str, texts: Callable[[], list[str]]) -> Identification:
    """The language a corpus is analysed as: ``setting`` itself, or for "auto" the dominant
    language of a sample of ``texts()`` (the documents' texts, called only then)."""
    if setting != "auto":
        return Identification(setting, 1.0, "set by the language option")
    return identify(sample_texts(texts()))


SAMPLE_FILES = 12
"""Files read to identify a folder's language: evenly spread over it."""


def _no_space_message(error: OSError) -> str:
    """What to tell a user whose build ran out of temporary disk space, and what to do."""
    return (
        f"There is no space left for the build's temporary files in {tempfile.gettempdir()} "
        f"({error.strerror or 'disk full'}). A large corpus needs about twice its index's size "
        "there while it builds (about 2 GB for a million paragraphs): free some space there, or "
        "set TMPDIR to a folder on a larger disk, and build again."
    )


def _sample_folder(root: Path, selection: FileSelection) -> list[str]:
    """The texts of up to :data:`SAMPLE_FILES` files spread over the corpus (read again when
    indexed: a few files, against a whole folder)."""
    files = corpus_files(root, selection)
    step = max(1, len(files) // SAMPLE_FILES)
    texts = []
    for path, source in files[::step][:SAMPLE_FILES]:
        document, _, _ = read_file(path, source, title=False)
        if document is not None:
            texts.append(document.text)
    return texts


class _MatchedSentence(frozenset[str]):
    """The question's terms a sentence holds (with the following block's, for the last): a
    frozenset, so that sets of them hash and compare at C speed."""

    __slots__ = ()

    @property
    def terms(self) -> frozenset[str]:
        return self


@dataclass(frozen=True, slots=True)
class Matches:
    """Of a candidate paragraph, what re-ranking reads: per sentence the question's terms it
    holds, and the adjacent pairs of the question's terms (a
    :class:`~retrieval.answering.rerank.CandidateTerms`)."""

    sentences: tuple[_MatchedSentence, ...]
    """Each distinct set, in order of first sentence (re-ranking takes the best of them)."""
    pairs: frozenset[tuple[str, str]]

    @classmethod
    def of(
        cls, sentences: Iterable[_MatchedSentence], pairs: frozenset[tuple[str, str]]
    ) -> Matches:
        return cls(tuple(dict.fromkeys(sentences)), pairs)

    @classmethod
    def restrict(cls, analysed: AnalysedPassage, asked: frozenset[str]) -> Matches:
        """The same, from a paragraph's full analysis."""
        return cls.of(
            (_MatchedSentence(s.terms & asked) for s in analysed.sentences),
            frozenset(p for p in analysed.pairs if p[0] in asked and p[1] in asked),
        )


@dataclass(frozen=True, slots=True)
class SourceView:
    """``engine.source_text(source)`` for slicing only: ``view[a:b]`` reads just that span."""

    store: PassageStore
    source: str

    def __getitem__(self, span: slice) -> str:
        start, end, _ = span.indices(2**62)
        return self.store.text_between(self.source, start, end)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an engine's index came from: what :func:`~retrieval.answering.opening.open_engine`
    needs to tell whether the files changed, and where to check a quote against the file."""

    root: Path | None = None
    """The corpus folder (None for in-memory documents: nothing to follow or re-read)."""
    records: tuple[FileRecord, ...] = ()
    """The manifest: each file as it was when it was read."""
    written_ns: int = 0
    """When the files were read (ns since the epoch): files modified since are re-hashed."""
    path: Path | None = None
    """The saved index this engine was loaded from or saved to, if any."""
    build_seconds: float = 0.0
    follow_links: bool = False


@dataclass(frozen=True, slots=True)
class IndexParts:
    """Everything an Engine answers from, built or opened (see :mod:`.opening`)."""

    store: PassageStore
    index: BM25Index
    document_index: BM25Index | None
    warnings: tuple[LoadWarning, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)
    opened: persist.OpenedIndex | None = None
    """The saved index file, when the parts were read from one (its checks guard them)."""
    language: Identification = field(default_factory=lambda: resolve_language("en", list))
    """The corpus's language and how it was decided: what it and its questions are analysed
    as."""

    @classmethod
    def build(
        cls,
        root: Path,
        options: EngineOptions,
        *,
        workers: int | None = None,
        progress: Progress | None = None,
        follow_links: bool = False,
    ) -> IndexParts:
        """Build from the files under ``root`` (in parallel for a large folder), unsaved."""
        from ..index.build import build_folder  # not imported to answer from a saved index

        started = time.perf_counter()
        read_ns = persist.now_ns()
        selection = options.shape.selection
        try:
            language = resolve_language(options.language, lambda: _sample_folder(root, selection))
            built = build_folder(
                root,
                options.shape,
                workers=workers,
                progress=progress,
                follow_links=follow_links,
                language=language.language,
            )
        except OSError as error:
            if error.errno not in persist.NO_SPACE:
                raise
            raise NoSpaceError(_no_space_message(error)) from error
        provenance = Provenance(
            root, built.records, read_ns, None, time.perf_counter() - started, follow_links
        )
        return cls(
            built.store,
            built.index,
            built.document_index,
            built.warnings,
            provenance,
            None,
            language,
        )

    def contents(self, key: dict[str, object]) -> persist.IndexContents:
        manifest = persist.Manifest(
            key=key,
            written_ns=self.provenance.written_ns or persist.now_ns(),
            records=self.provenance.records,
            warnings=self.warnings,
            build_seconds=self.provenance.build_seconds,
            language=self.language,
            analyzer=analyzer_for(self.language.language).identity,
        )
        return persist.IndexContents(manifest, self.store, self.index, self.document_index)


def file_backed(parts: IndexParts) -> bool:
    """Whether a build left some of its arrays in temporary files (past its memory budget,
    :mod:`retrieval.index.spill`)."""
    indexes = [parts.index, *([parts.document_index] if parts.document_index else [])]
    held = [parts.store.arrays(), *(index.arrays() for index in indexes)]
    return any(isinstance(a, persist.FileArray) for arrays in held for a in arrays.values())


def _answerable(parts: IndexParts) -> IndexParts:
    """A fresh build's parts with the arrays it left in temporary files (past its memory
    budget, :mod:`retrieval.index.spill`) memory-mapped, as a saved index's are: the compiled
    scorer and numpy's paths read them like any array. The parts themselves when the build
    kept everything in memory (a small corpus)."""
    if not file_backed(parts):
        return parts
    from ..index.spill import mapped_index, mapped_store  # numpy: only a large fresh build

    return dataclasses.replace(
        parts,
        store=mapped_store(parts.store),
        index=mapped_index(parts.index),
        document_index=mapped_index(parts.document_index) if parts.document_index else None,
    )


SECTION_SAMPLE = 1000
"""How many paragraphs :meth:`Engine.sectioned` looks at (their headings are read from their
places alone, cached per distinct place)."""


class Engine:
    """An index over one corpus, answering questions with cited, verbatim sentences.

    Made from documents (``Engine(documents)``), from a folder (:meth:`from_folder`), or from
    a saved index by :func:`~retrieval.answering.opening.open_engine`, which also reports how
    it was opened. Read-only once made: every attribute is set here, and only caches change.
    """

    def __init__(
        self,
        documents: Sequence[Document] | IndexParts,
        options: EngineOptions | None = None,
        warnings: Sequence[LoadWarning] = (),
    ) -> None:
        """Index ``documents`` in memory, or answer from already made ``IndexParts``."""
        started = time.perf_counter()
        self.options = options or EngineOptions()
        if isinstance(documents, IndexParts):
            parts = documents
        else:
            from ..index.build import build_documents

            language = resolve_language(self.options.language, lambda: [d.text for d in documents])
            built = build_documents(documents, self.options.shape, language.language)
            parts = IndexParts(
                built.store,
                built.index,
                built.document_index,
                (*warnings, *built.warnings),
                Provenance(build_seconds=time.perf_counter() - started),
                None,
                language,
            )
        if parts.opened is None:  # a fresh build, from a folder or documents: its file arrays
            parts = _answerable(parts)
        self.language = parts.language
        """The corpus's language and how it was decided (for ``citebot index``'s report)."""
        self.analyzer = analyzer_for(parts.language.language)
        """How this corpus and every question asked of it are analysed."""
        self.passages = parts.store
        self.index = parts.index
        self.document_index = parts.document_index
        self._parts = parts
        self._confirmed = persist.Confirmed()
        self._current = CurrentText()
        self._file_names = {r.source: r.relative_path() for r in parts.provenance.records}
        """Source → its path under the corpus folder (they differ for undecodable names)."""
        # Row of each file in the document index: files without paragraphs have none.
        self._document_row = [
            n - 1 for n in itertools.accumulate(c > 0 for c in parts.store.paragraph_counts)
        ]
        self._vocabulary_set: dict[str, None] | None = None  # untracked by gc: _maybe_known
        """The vocabulary as a set, made on first use (a cache: not sealed)."""
        self._idf_ceiling = parts.index.idf_ceiling
        # Terms and headings recur from paragraph to paragraph: decode each once. No cache
        # holds the engine itself (method_cache; the closure holds only the analyzer): a
        # dropped engine frees a fresh build's temporary files and mappings at once, not
        # when the cyclic collector next runs.
        self._term: Callable[[int], str] = lru_cache(maxsize=1 << 18)(self.index.vocabulary.term)
        terms_of = self.analyzer.terms
        self._context_terms: Callable[[str], frozenset[str]] = lru_cache(maxsize=4096)(
            lambda context: frozenset(terms_of(context))
        )
        self._analyse: Callable[[int], AnalysedPassage] = method_cache(self._analyse_position, 4096)
        self._unit_terms: Callable[[int], frozenset[str]] = method_cache(self._unit_terms_of, 4096)
        if parts.opened is None:
            self._prepare_analyses()
        self._sealed = True

    _sections: SectionRuns | None = None
    """The corpus's sections, found on first use (a cache: not sealed)."""
    _pages: PageWords | None = None
    """The topic words of the pages' paths, made on first use (a cache: not sealed)."""
    _sectioned: bool | None = None
    """Whether the corpus is documentation with sections, found on first use (a cache)."""

    _OWN = frozenset(
        {"options", "language", "analyzer", "passages", "index", "document_index", "_parts"}
        | {"_confirmed", "_current", "_file_names"}
        | {"_document_row", "_analyse", "_unit_terms", "_idf_ceiling", "_sealed"}
    )

    def __setattr__(self, name: str, value: object) -> None:
        """Read-only once made: one engine serves many threads, and what it answers from is
        what it was opened with (a subclass may add attributes of its own)."""
        if name in self._OWN and getattr(self, "_sealed", False):
            raise AttributeError(f"Engine.{name} is read-only")
        object.__setattr__(self, name, value)

    @property
    def warnings(self) -> tuple[LoadWarning, ...]:
        """Files skipped or read with a fallback, and folders and links left out."""
        return self._parts.warnings

    @property
    def records(self) -> tuple[FileRecord, ...]:
        """The manifest: each file's size, times, inode and SHA-256 when it was read."""
        return self._parts.provenance.records

    @property
    def root(self) -> Path | None:
        """The corpus folder, for an engine built from one (None for in-memory documents)."""
        return self._parts.provenance.root

    @property
    def path(self) -> Path | None:
        """The saved index this engine was loaded from or saved to, if any."""
        return self._parts.provenance.path

    @property
    def written_ns(self) -> int:
        return self._parts.provenance.written_ns

    @property
    def build_seconds(self) -> float:
        return self._parts.provenance.build_seconds

    @property
    def parts(self) -> IndexParts:
        return self._parts

    @classmethod
    def from_folder(
        cls,
        folder: str | os.PathLike[str],
        options: EngineOptions | None = None,
        *,
        workers: int | None = None,
        progress: Progress | None = None,
        follow_links: bool = False,
    ) -> Engine:
        """Build from the files under ``folder`` (in parallel for a large folder), unsaved."""
        options = options or EngineOptions()
        parts = IndexParts.build(
            corpus_root(folder),
            options,
            workers=workers,
            progress=progress,
            follow_links=follow_links,
        )
        return cls(parts, options)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write this engine's index (and its manifest) to ``path``, atomically."""
        persist.save(Path(path), self._parts.contents(dataclasses.asdict(self.options.shape)))

    def changed_files(self) -> list[str]:
        """The corpus files changed, added or removed since this engine read them ([] for an
        engine over in-memory documents). Stats every file; hashes only suspicious ones."""
        provenance = self._parts.provenance
        if provenance.root is None:
            return []
        try:
            return persist.stale_files(
                provenance.root,
                provenance.records,
                provenance.written_ns,
                self.options.shape.selection,
                self._confirmed,
                follow_links=provenance.follow_links,
            )
        except (OSError, CitebotError):  # the folder is gone or unreadable: a change too
            return [str(provenance.root)]

    def intact(self) -> None:
        """IndexDamagedError when the saved index was truncated under this process (checked
        before every answer: touching the mapping then would end the process with SIGBUS)."""
        if self._parts.opened is not None:
            self._parts.opened.checks.intact()

    def verify(self) -> list[str]:
        """Check every checksum of the saved index (``citebot index --verify``): the arrays
        that fail ([] for a sound index, or one built in memory)."""
        if self._parts.opened is None:
            return []
        return persist.verify(self._parts.opened)

    def close(self) -> None:
        """Release the saved index's file (for an engine that will not be used again)."""
        self.passages.close()

    def check_against_files(self, answer: Answer) -> None:
        """FileChangedError unless every paragraph the answer quotes or shows is, now, exactly
        that span of its file (each quote is a span of its paragraph: compose checks that).

        This is the final check: whatever the index says, what is shown is what the file holds
        now. Each span is re-read with ``pread`` (or, for a format whose text is extracted,
        the file is read again through its reader, cached while its stat numbers hold)."""
        provenance = self._parts.provenance
        if provenance.root is None:
            return
        names = self._file_names
        for citation in (*answer.citations, *answer.related):
            passage = citation.passage
            row = self.passages.position(passage.id)
            n = self.passages.source_of(passage.source)
            if row is None or n is None:  # it came from this index: only damage loses it
                raise IndexDamagedError(
                    f"The saved index is damaged ({passage.source}'s paragraph cannot be found "
                    "by its id)."
                )
            info = self.passages.sources[n]
            path = provenance.root / names.get(passage.source, passage.source)
            current = self._current.span(
                path,
                info,
                (passage.start, passage.end),
                self.passages.byte_span(row),
                len(passage.text),
            )
            if current != passage.text:
                raise FileChangedError(
                    f"{passage.source} changed since it was indexed"
                    + (" (it is gone)" if current is None and not path.exists() else "")
                    + "."
                )

    def left_out(self) -> list[LeftOut]:
        """The corpus folder's files that are not indexed, and why (an include/exclude glob,
        or a suffix no reader reads); [] for an engine over in-memory documents."""
        if self.root is None:
            return []
        try:
            return left_out_files(self.root, self.options.shape.selection)
        except OSError:
            return []

    def _prepare_analyses(self) -> None:
        """A small corpus freshly built analyses every paragraph now (a second or two), so
        that no question waits for it; a large or loaded one analyses on first use, into a
        bounded cache, so memory stays flat at a million paragraphs."""
        if len(self.passages) <= PRECOMPUTE_LIMIT:
            analysed = tuple(self._analyse_position(i) for i in range(len(self.passages)))
            self._analyse = analysed.__getitem__

    def _analyse_position(self, i: int) -> AnalysedPassage:
        """Paragraph ``i`` with its sentences and terms as the build analysed them (read from
        the index's sentence table: no splitting or stemming per question)."""
        passage = self.passages[i]
        try:
            rows = self.passages.sentences.sentences(i, self._term, len(self.index.vocabulary))
        except (ValueError, IndexError):  # a damaged table: the text still answers
            return self._with_unit_terms(i, analyse_passage(passage, self.analyzer))
        analysed = analysed_from_sentences(passage, rows, self._context_terms(passage.context))
        return self._with_unit_terms(i, analysed)

    def _matches(self, i: int, wanted: Mapping[int, str], asked: frozenset[str]) -> Matches:
        """Of paragraph ``i``'s terms, those in ``asked`` (the question's; ``wanted`` maps the
        ids of those the vocabulary has to them), per sentence and as adjacent pairs, read as
        ids from the sentence table: for re-ranking 20 candidates per question without making
        their Passages or decoding their terms. Re-ranking asks only whether a question term
        (or pair) is in a sentence (or the paragraph), so the answers are those of the full
        analysis (:meth:`_analyse_position`), unit terms included."""
        try:
            bounds, ids = self.passages.sentences.term_ids(i, len(self.index.vocabulary))
        except (ValueError, IndexError):  # a damaged table: restrict the text's analysis
            return Matches.restrict(self._analyse(i), asked)
        marks = [wanted.get(t) for t in ids] if wanted else [None] * len(ids)
        chunks = [marks[a:b] for a, b in itertools.pairwise(bounds)]
        sentences = [_MatchedSentence(m for m in c if m is not None) for c in chunks]
        if sentences and self.options.unit_sentence_terms:
            unit = self._unit_terms(i)
            if unit:
                last = sentences[-1]
                sentences[-1] = _MatchedSentence(last | (unit & asked))
        tokens = marks if len(chunks) <= 1 else [m for c in chunks for m in c]
        pairs = frozenset(
            (a, b) for a, b in itertools.pairwise(tokens) if a is not None and b is not None
        )
        return Matches.of(sentences, pairs)

    def _matches_all(
        self, rows: Sequence[int], wanted: Mapping[int, str], asked: frozenset[str]
    ) -> dict[int, Matches]:
        """:meth:`_matches` of every row at once, from the compiled loop (rows it could not
        read are left out: :meth:`_matches` reads them one by one)."""
        ids = sorted(wanted)
        found = self.passages.sentences.question_marks(rows, ids, len(self.index.vocabulary))
        if found is None:
            return {}
        names = [wanted[i] for i in ids]
        sets: dict[int, _MatchedSentence] = {}

        def sentence(mask: int) -> _MatchedSentence:
            matched = sets.get(mask)
            if matched is None:
                bits = (j for j in range(len(names)) if mask >> j & 1)
                matched = sets[mask] = _MatchedSentence(names[j] for j in bits)
            return matched

        views: dict[int, Matches] = {}
        widen = bool(self.options.unit_sentence_terms)
        for row, (masks, codes) in zip(rows, found, strict=True):
            unit = self._unit_terms(row) & asked if widen and masks else frozenset()
            pairs = frozenset((names[c >> 6], names[c & 63]) for c in set(codes))
            if unit:  # the last sentence also holds the question's terms of the block after
                last = _MatchedSentence(sentence(masks[-1]) | unit)
                views[row] = Matches.of([*map(sentence, masks[:-1]), last], pairs)
            else:  # distinct already: no need to compare the sets again
                views[row] = Matches(tuple(map(sentence, dict.fromkeys(masks))), pairs)
        return views

    def _unit_terms_of(self, i: int) -> frozenset[str]:
        """The terms :meth:`_with_unit_terms` counts for paragraph ``i``'s last sentence."""
        unit = self.passages.unit_after(i)
        if unit is None:
            return frozenset()
        source = self.passages.sources[self.passages.source_number(i)].source
        text = self.source_view(source)[unit.start : unit.end]
        return frozenset(self.analyzer.terms(text)[: self.options.unit_sentence_terms])

    def _with_unit_terms(self, i: int, analysed: AnalysedPassage) -> AnalysedPassage:
        """``analysed`` with the terms of the block after paragraph ``i`` counted for its last
        sentence (``unit_sentence_terms``; see :func:`.units.with_unit_terms`)."""
        if not self.options.unit_sentence_terms:
            return analysed
        unit = self.passages.unit_after(i)
        if unit is None:
            return analysed
        text = self.source_view(analysed.passage.source)[unit.start : unit.end]
        terms = self.analyzer.terms(text)[: self.options.unit_sentence_terms]
        return with_unit_terms(analysed, terms)

    def analysed(self, passage: Passage) -> AnalysedPassage:
        """A paragraph's sentences and terms, analysed on first use and then cached."""
        i = self.passages.position(passage.id)
        return analyse_passage(passage, self.analyzer) if i is None else self._analyse(i)

    def source_view(self, source: str) -> SourceView:
        """A file's text to slice, read only where it is sliced (what composing needs)."""
        return SourceView(self.passages, source)

    def source_text(self, source: str) -> str:
        """A file's whole text as it was indexed (every quote's offsets refer to it)."""
        return self.passages.document_text(source)

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        """The top ``k`` paragraphs for ``question`` (default: the engine's top_k)."""
        _, terms = prepare_question(question, self.analyzer)
        self.intact()
        return self._search(terms, k or self.options.top_k)

    def _search(self, terms: Sequence[str], k: int, *, favour: Collection[str] = ()) -> list[Hit]:
        """The top ``k`` hits; passages whose ids are in ``favour`` (those a conversation's
        earlier answer cited) move up among the candidates, see :func:`favour_hits`."""
        return self._rankings(terms, k, favour=favour)[0]

    def _rankings(
        self,
        terms: Sequence[str],
        k: int,
        *,
        favour: Collection[str] = (),
        feedback: bool = False,
    ) -> list[list[Hit]]:
        """:meth:`_search`'s hits and, with ``feedback``, the same candidates re-ranked with
        pseudo-relevance feedback too (:meth:`_feedback`), from one first stage and one
        reading of the candidates."""
        depth = self.options.rerank_depth
        top = self.index.top(terms, max(k, depth))
        orders = [top]
        if depth and top:
            pool = top[:depth]
            extras = [None, self._answer_bonus(terms, pool)] if feedback else [None]
            orders = [order + top[depth:] for order in self._rerank(terms, pool, extras)]
        elif feedback:
            orders = [top, top]
        made: dict[int, Passage] = {}  # the orders share most paragraphs: each made once
        return [self._hits(order, k, favour, made) for order in orders]

    def _hits(
        self,
        top: list[tuple[int, float]],
        k: int,
        favour: Collection[str],
        made: dict[int, Passage] | None = None,
    ) -> list[Hit]:
        """The first ``k`` of ``top`` as hits, favoured ones moved up (:func:`favour_hits`);
        ``made``: paragraphs already made by position (filled in as they are made)."""
        made = {} if made is None else made

        def passage(i: int) -> Passage:
            found = made.get(i)
            if found is None:
                found = made[i] = self.passages[i]
            return found

        if favour:
            hits = [Hit(passage(i), score, rank) for rank, (i, score) in enumerate(top, 1)]
            return favour_hits(hits, favour)[:k]
        return [Hit(passage(i), score, rank) for rank, (i, score) in enumerate(top[:k], 1)]

    def _answer_bonus(
        self, terms: Sequence[str], pool: list[tuple[int, float]]
    ) -> dict[int, float]:
        """The re-ranking bonus of each candidate for the answer's order: feedback's
        (:meth:`_feedback`) and the section vote's (``section_vote_weight``). Feedback only
        where a candidate stands under a heading below its page's title, as the lead choice
        (:func:`.compose.choose_lead`): on flat articles (SQuAD, XQuAD) it moved which paragraph
        an answer cites more often than what it quotes (docs/quality.md, "Round 7")."""
        sections = any(self._has_section(i) for i, _ in pool)
        bonus = self._feedback(terms, pool) if self.options.prf_weight and sections else {}
        weight = self.options.section_vote_weight
        sectioned = [i for i, _ in pool if self._has_section(i)] if weight else []
        if sectioned:
            runs = self._section_runs()
            of = {i: runs.bounds(i) for i in sectioned}
            for i, vote in section_votes(pool, of).items():
                bonus[i] = bonus.get(i, 0.0) + weight * vote
        return bonus

    def _feedback(self, terms: Sequence[str], pool: list[tuple[int, float]]) -> dict[int, float]:
        """Pseudo-relevance feedback (:mod:`.expansion`): each candidate's re-ranking bonus,
        ``prf_weight`` × the BM25 score of the terms the first stage's best ``prf_docs``
        paragraphs share (not the question's), over the best candidate's. The candidates and
        their first-stage scores stay rank-bm25's; only their order can change."""
        options = self.options
        feedback = []
        for i, score in pool[: options.prf_docs]:
            analysed = self._analyse(i)
            feedback.append(((*analysed.tokens, *analysed.context_terms), score))
        expansion = expansion_terms(
            feedback, frozenset(terms), self.index.idf, options.prf_terms, options.prf_min_docs
        )
        if not expansion:
            return {}
        rows = sorted(i for i, _ in pool)
        scores = self.index.score_of(expansion, rows)
        best = max(scores, default=0.0) or 1.0
        weight = options.prf_weight
        return {i: weight * s / best for i, s in zip(rows, scores, strict=True)}

    def _rerank(
        self,
        terms: Sequence[str],
        top: list[tuple[int, float]],
        extras: Sequence[Mapping[int, float] | None] = (None,),
    ) -> list[list[tuple[int, float]]]:
        """The candidates re-ordered by :func:`retrieval.answering.rerank.rerank` (once per
        mapping of ``extras``), which reads of each only the question's terms in its sentences
        and pairs (:meth:`_matches`)."""
        asked = frozenset(terms)
        term_id = self.index.vocabulary.id
        wanted = {i: t for t, i in ((t, term_id(t)) for t in asked) if i is not None}
        views = self._matches_all([i for i, _ in top], wanted, asked)
        return rerank(
            terms,
            top,
            idf=self.index.idf,
            analysed=lambda i: views.get(i) or self._matches(i, wanted, asked),
            document_of=self._document_of,
            document_scores=self._document_scores if self.document_index is not None else None,
            weights=RerankWeights(
                self.options.rerank_weight,
                self.options.rerank_bigram_weight,
                self.options.document_weight,
            ),
            extras=extras,
        )

    def _passage_section_scores(
        self, terms: Sequence[str], passages: Sequence[Passage]
    ) -> dict[str, float]:
        """The BM25 score of each passage's section as one document (by passage id,
        :func:`.sections.range_scores`); a paragraph under no heading or only its page's title
        is its own section. Empty when none has a narrower section (SQuAD's articles,
        abstracts): composing is then as before."""
        rows = {p.id: i for p in passages if (i := self.passages.position(p.id)) is not None}
        sectioned = {key: self._has_section(i) for key, i in rows.items()}
        if not any(sectioned.values()):
            return {}  # the runs are never found for a corpus without sections
        runs = self._section_runs()
        ranges = {key: runs.bounds(i) if sectioned[key] else (i, i + 1) for key, i in rows.items()}
        distinct = list(dict.fromkeys(ranges.values()))
        scores = dict(zip(distinct, range_scores(self.index, runs, terms, distinct), strict=True))
        return {key: scores[r] for key, r in ranges.items()}

    def _composer_for(self, borrowed: Borrowed) -> ComposerOptions:
        """The composer options for one question: ``min_confidence`` times the lower of its
        leaning bar and :attr:`answer_bar` — leaning on the conversation and standing in
        documentation are each evidence that the documents are about the question, and
        nothing measures how far both together may go, so never their product."""
        composer = self.options.composer
        bar = min(borrowed.bar, self.answer_bar)
        if bar == 1.0:
            return composer
        return replace(composer, min_confidence=composer.min_confidence * bar)

    @property
    def answer_bar(self) -> float:
        """Share of ``min_confidence`` a question on its own must reach in this corpus: the
        composer's ``sections_bar`` over documentation (:meth:`sectioned`), else 1."""
        return self.options.composer.sections_bar if self.sectioned() else 1.0

    def sectioned(self) -> bool:
        """Whether at least half of the corpus's paragraphs stand under a heading below their
        page's title (documentation; SQuAD articles, abstracts and plain-text files have none),
        judged from at most :data:`SECTION_SAMPLE` evenly spaced paragraphs, once."""
        found = self._sectioned
        if found is None:
            count = len(self.passages)
            step = max(1, count // SECTION_SAMPLE)
            sample = range(0, count, step)
            found = self._sectioned = 2 * sum(map(self._has_section, sample)) >= max(1, len(sample))
        return found

    def in_section(self, passage: Passage) -> bool:
        """Whether ``passage`` stands under a heading below its page's title (not in a page's
        introduction)."""
        i = self.passages.position(passage.id)
        return i is not None and self._has_section(i)

    def _has_section(self, position: int) -> bool:
        """Whether the paragraph at ``position`` stands under a heading below its page's title
        (the rule of :meth:`section_passages`)."""
        headings = self.passages.headings_at(position)
        title = self.passages.sources[self.passages.source_number(position)].title
        return bool(headings) and headings != (title,)

    def _page_words(self) -> PageWords:
        """The words of the pages' paths (:class:`.sections.PageWords`), made on first use."""
        pages = self._pages
        if pages is None:
            sources = [info.source for info in self.passages.sources]
            pages = self._pages = PageWords(sources, self.analyzer.terms)
        return pages

    def _section_runs(self) -> SectionRuns:
        """The corpus's sections, found on first use (a cache: the same for every thread)."""
        runs = self._sections
        if runs is None:
            runs = SectionRuns.of(self.passages.section_starts(), self.index.doc_len)
            self._sections = runs
        return runs

    def _document_of(self, position: int) -> int:
        """The row in the document index of the paragraph at ``position``'s file."""
        return int(self._document_row[self.passages.source_number(position)])

    def _document_scores(self, terms: Sequence[str], rows: Collection[int]) -> dict[int, float]:
        """The document index's BM25 scores of ``rows`` for ``terms``."""
        assert self.document_index is not None
        wanted = sorted(rows)
        scores = self.document_index.score_of(terms, wanted)
        return {int(d): float(v) for d, v in zip(wanted, scores, strict=True)}

    def ask(self, question: str, borrowed: Borrowed | None = None) -> Answer:
        """Answer ``question``: quoted sentences with citations, or an abstention with reasons.

        ``borrowed`` (None for a question on its own) is what a follow-up takes from the
        earlier turns of a conversation (:mod:`retrieval.answering.conversation`).

        Raises QuestionError for a question that cannot be searched (empty, too long, or made
        only of common words), with a message to show the asker.
        """
        return self.ask_ranked(question, self.options.top_k, borrowed)[0]

    def ask_ranked(
        self, question: str, depth: int, borrowed: Borrowed | None = None
    ) -> tuple[Answer, list[Hit]]:
        """The answer and the first ``depth`` hits of the same ranking, from one search (what
        an evaluation needs for recall at 100 without searching twice)."""
        cleaned, own = prepare_question(question, self.analyzer)
        self.intact()
        variants: tuple[Variant, ...] = ()
        if self.options.fuzzy_weight and self.analyzer.english:  # English spelling variants
            variants = find_variants(cleaned, own, self.index.idf, self._maybe_known)
        swap = {v.term: v.found_term for v in variants}
        fuzzy = {v.found_term for v in variants} - set(own)
        own = [swap.get(t, t) for t in own]
        borrowed = borrowed or Borrowed()
        extra = {t for t in borrowed.terms if t not in own}
        terms = own + [t for t in borrowed.terms if t in extra]
        ranking, answer_hits = self._answer_rankings(terms, depth, borrowed.favour)
        index_idf = self.index.idf
        weight, fuzzy_weight = borrowed.weight, self.options.fuzzy_weight

        def idf(term: str) -> float:
            if term in extra:
                return index_idf(term) * weight
            return index_idf(term) * (fuzzy_weight if term in fuzzy else 1.0)

        # The cleaned question is what gets echoed: control characters stay out of every reply.
        answer = compose(
            ComposeInputs(
                cleaned,
                terms,
                ranking[: self.options.top_k],
                idf if extra or fuzzy else self.index.idf,
                self.source_view,
                self._composer_for(borrowed),
                self.paragraph_count,
                self.analysed,
                own,
                self._idf_ceiling,
                self.analyzer,
                self.brings_block,
                self.section_passages,
                self._page_words().of if self.options.composer.page_weight else None,
                self._passage_section_scores,
                answer_hits,
                self.in_section,
            )
        )
        answer = self._with_blocks(answer)
        self.check_against_files(answer)
        if variants:
            shown = tuple((v.asked, self._spelled(v.found_term, answer)) for v in variants)
            answer = replace(answer, variants=shown)
        if self.options.source_url:
            answer = with_urls(answer, self.options.source_url)
        return answer, ranking[:depth]

    def _with_blocks(self, answer: Answer) -> Answer:
        """``answer`` with the blocks its sentences introduce (:func:`.units.attach_blocks`),
        a content tab the question names in place of the first (``named_tabs``)."""
        labels = self.analyzer.terms if self.options.composer.named_tabs else None
        return attach_blocks(answer, self.unit_after, self.source_view, label_terms=labels)

    def _answer_rankings(
        self, terms: Sequence[str], depth: int, favour: Collection[str]
    ) -> tuple[list[Hit], list[Hit] | None]:
        """The first ``depth`` (at least ``top_k``) hits, which the decision reads, and, with
        feedback or the section vote on, the ``top_k`` the answer is composed from."""
        feedback = bool(self.options.prf_weight or self.options.section_vote_weight)
        k = max(depth, self.options.top_k)
        rankings = self._rankings(terms, k, favour=favour, feedback=feedback)
        return rankings[0], rankings[1][: self.options.top_k] if feedback else None

    def brings_block(self, passage: Passage, end: int) -> bool:
        """Whether a sentence of ``passage`` ending at file offset ``end`` ends it and a code
        block, table or list follows the paragraph (so quoting the sentence quotes the block)."""
        if passage.text[end - passage.start :].strip(_TRAILING):
            return False
        return self.unit_after(passage) is not None

    def section_passages(self, passage: Passage) -> list[Passage]:
        """The paragraphs of ``passage``'s section in file order (same file, same path of
        headings and anchor, so two same-named sections stay apart; at most
        :data:`SECTION_REACH` each side of it); just ``passage`` under no heading or under the
        page's title alone (a SQuAD article, a page's introduction: no narrower section)."""
        i = self.passages.position(passage.id)
        n = self.passages.source_of(passage.source)
        if i is None or n is None:
            return [passage]
        title = self.passages.sources[n].title
        if not passage.headings or passage.headings == (title,):
            return [passage]
        key = (passage.source, passage.headings, passage.anchor, passage.context)
        found = [passage]
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(self.passages) and abs(j - i) <= SECTION_REACH:
                other = self.passages[j]
                if (other.source, other.headings, other.anchor, other.context) != key:
                    break
                found.append(other)
                j += step
        return sorted(found, key=lambda p: p.start)

    def unit_after(self, passage: Passage) -> UnitSpan | None:
        """The code block, table or list that directly follows ``passage`` in its section (what
        a sentence ending the passage introduces), or None."""
        i = self.passages.position(passage.id)
        return None if i is None else self.passages.unit_after(i)

    def following_block(
        self, passage: Passage, citation: int = 0, at: int | None = None
    ) -> QuotedBlock | None:
        """The whole block that follows ``passage`` (never cut), for "Show paragraph" and
        ``:source n``; None when no code block, table or list follows it. ``at``: where the
        answer's block for it started (``QuotedBlock.start``), so that the content tab the
        question named (``ComposerOptions.named_tabs``) is shown, not the first tab's block."""
        unit = self.unit_after(passage)
        if unit is None:
            return None
        view = self.source_view(passage.source)
        unit = quoted_unit(passage.source, view, unit, at)
        text = view[unit.start : unit.end]
        indent = line_indent(view, unit.start)
        return QuotedBlock(
            unit.kind, text, unit.start, unit.end, citation, unit.lang, 0, unit.end, indent
        )

    def _maybe_known(self, terms: list[str]) -> list[str]:
        """Those of ``terms`` the vocabulary may hold: a spelling variant's few hundred
        candidates checked against a set of the vocabulary's terms, decoded on first use (for a
        vocabulary of up to ``VOCABULARY_SET_LIMIT`` terms; beyond, by key, a binary search
        each). A dict, str keys and None values, not a set: the cyclic garbage collector does
        not track it (a set it would walk, 137,000 terms at 100k, at every full collection)."""
        vocabulary = self.index.vocabulary
        if self._vocabulary_set is None and len(vocabulary) <= VOCABULARY_SET_LIMIT:
            text = bytes(vocabulary.blob).decode("utf-8", "surrogatepass")
            if len(text) == len(vocabulary.blob):  # ASCII: character offsets are byte offsets
                ends = vocabulary.offsets.tolist()
                self._vocabulary_set = dict.fromkeys(text[a:b] for a, b in itertools.pairwise(ends))
            else:
                self._vocabulary_set = dict.fromkeys(map(vocabulary.term, range(len(vocabulary))))
        if self._vocabulary_set is not None:
            return [t for t in terms if t in self._vocabulary_set]
        return vocabulary.with_keys(terms)

    @staticmethod
    def _spelled(term: str, answer: Answer) -> str:
        """A word of the answer's paragraphs whose term is ``term`` (how the documents spell a
        spelling variant), or the term itself."""
        for hit in answer.hits:
            spans = term_spans(hit.passage.text, [term])
            if spans:
                start, end = spans[0]
                return normalize(hit.passage.text[start:end])
        return term

    def paragraph_count(self, source: str) -> int:
        n = self.passages.source_of(source)
        return 0 if n is None else int(self.passages.paragraph_counts[n])

    @property
    def document_count(self) -> int:
        return len(self.passages.sources)

    def sources(self) -> list[SourceSummary]:
        """Every loaded document with its paragraph count (0 for one with no paragraph)."""
        counts = self.passages.paragraph_counts
        return [
            SourceSummary(s.source, s.title, int(counts[n]), s.format, s.pages)
            for n, s in enumerate(self.passages.sources)
        ]

    def neighbours(self, passage: Passage) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after ``passage`` in the same document."""
        i = self.passages.position(passage.id)
        if i is None:
            return None, None
        before = self.passages[i - 1] if i > 0 else None
        after = self.passages[i + 1] if i + 1 < len(self.passages) else None
        return (
            before if before and before.source == passage.source else None,
            after if after and after.source == passage.source else None,
        )

    def passage(self, passage_id: str) -> Passage:
        """The passage with this id; KeyError for an id this corpus does not have."""
        i = self.passages.position(passage_id)
        if i is None:
            raise KeyError(passage_id)
        return self.passages[i]
