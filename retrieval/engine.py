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

import itertools
import os
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from .analysis import analyze
from .compose import AnalysedPassage, ComposerOptions, analyse_passage, compose
from .conversation import favour_hits
from .errors import EmptyCorpusError, OptionError, QuestionError
from .index import BM25Index
from .loading import LoadedCorpus, LoadWarning, load_corpus
from .splitting import split_passages
from .types import Answer, Document, Hit, Passage

MAX_QUESTION_CHARS = 1000
MAX_TOP_K = 100
"""The most paragraphs one question may retrieve."""


@dataclass(frozen=True, slots=True)
class EngineOptions:
    top_k: int = 5
    k1: float = 1.5
    b: float = 0.85
    composer: ComposerOptions = field(default_factory=ComposerOptions)
    index_context: bool = True
    """Index each paragraph's title and headings with its words (a title field, flattened)."""
    context_repeat: int = 3
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

    def __post_init__(self) -> None:
        if not 1 <= self.top_k <= MAX_TOP_K:
            raise OptionError(f"top_k must be 1 to {MAX_TOP_K} (got {self.top_k!r}).")
        if not 1 <= self.context_repeat <= 10:
            raise OptionError(f"context_repeat must be 1 to 10 (got {self.context_repeat!r}).")
        if not 0 <= self.rerank_depth <= 1000:
            raise OptionError(f"rerank_depth must be 0 to 1000 (got {self.rerank_depth!r}).")


@dataclass(frozen=True, slots=True)
class SourceSummary:
    source: str
    title: str
    paragraphs: int


def clean_question(question: str) -> str:
    """The question as it will be searched, or QuestionError with a message for the asker."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in question).strip()
    if not cleaned:
        raise QuestionError("Please ask a question: the message was empty.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"That question is {len(cleaned):,} characters long; please keep it under "
            f"{MAX_QUESTION_CHARS:,} characters."
        )
    return cleaned


def prepare_question(question: str) -> tuple[str, list[str]]:
    """The cleaned question and its search terms, or QuestionError with a message for the asker.

    Cheap (no index needed), so a front end can turn a bad question away before doing any work.
    """
    cleaned = clean_question(question)
    terms = analyze(cleaned)
    if not terms:
        raise QuestionError(
            "That question has no words to search for (only common words like "
            "'what is the', punctuation or symbols). Please ask about something specific."
        )
    return cleaned, terms


class Engine:
    """An index over one corpus, answering questions with cited, verbatim sentences."""

    def __init__(
        self,
        documents: Sequence[Document],
        options: EngineOptions | None = None,
        warnings: Sequence[LoadWarning] = (),
    ) -> None:
        started = time.perf_counter()
        self.options = options or EngineOptions()
        self.documents: dict[str, Document] = {d.source: d for d in documents}
        self.warnings = tuple(warnings)
        self.passages: tuple[Passage, ...] = tuple(p for d in documents for p in split_passages(d))
        if not self.passages:
            raise EmptyCorpusError("The documents hold no paragraph of text to search.")
        self._position = {p.id: i for i, p in enumerate(self.passages)}
        self._analysed: tuple[AnalysedPassage, ...] = tuple(map(analyse_passage, self.passages))
        self._tokens = [list(a.tokens) for a in self._analysed]
        indexed = (
            [
                analyze(p.context) * self.options.context_repeat + t
                for p, t in zip(self.passages, self._tokens, strict=True)
            ]
            if self.options.index_context
            else self._tokens
        )
        self.index = BM25Index(indexed, k1=self.options.k1, b=self.options.b)
        sources = list(dict.fromkeys(p.source for p in self.passages))
        number = {source: n for n, source in enumerate(sources)}
        self._document_of = [number[p.source] for p in self.passages]
        self.document_index: BM25Index | None = None
        if self.options.document_weight:
            # Each document's paragraphs' words, plus each distinct title/heading context once
            # (repeated as in the paragraph index), built once here and never per question.
            whole: list[list[str]] = [[] for _ in sources]
            contexts: list[set[str]] = [set() for _ in sources]
            for p, t in zip(self.passages, self._tokens, strict=True):
                n = number[p.source]
                whole[n].extend(t)
                if self.options.index_context and p.context not in contexts[n]:
                    contexts[n].add(p.context)
                    whole[n].extend(analyze(p.context) * self.options.context_repeat)
            self.document_index = BM25Index(whole, k1=self.options.k1, b=self.options.b)
        self._paragraph_count: dict[str, int] = {}
        for p in self.passages:
            self._paragraph_count[p.source] = self._paragraph_count.get(p.source, 0) + 1
        self.build_seconds = time.perf_counter() - started

    @classmethod
    def from_folder(
        cls, folder: str | os.PathLike[str], options: EngineOptions | None = None
    ) -> Engine:
        corpus: LoadedCorpus = load_corpus(folder)
        return cls(corpus.documents, options, corpus.warnings)

    def source_text(self, source: str) -> str:
        return self.documents[source].text

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        """The top ``k`` paragraphs for ``question`` (default: the engine's top_k)."""
        _, terms = prepare_question(question)
        return self._search(terms, k or self.options.top_k)

    def _search(self, terms: Sequence[str], k: int, *, favour: Collection[str] = ()) -> list[Hit]:
        """The top ``k`` hits; passages whose ids are in ``favour`` (those a conversation's
        earlier answer cited) move up among the candidates, see :func:`favour_hits`."""
        depth = self.options.rerank_depth
        top = self.index.top(terms, max(k, depth))
        if depth and top:
            top = self._rerank(terms, top[:depth]) + top[depth:]
        if favour:
            hits = [Hit(self.passages[i], score, rank) for rank, (i, score) in enumerate(top, 1)]
            return favour_hits(hits, favour)[:k]
        return [Hit(self.passages[i], score, rank) for rank, (i, score) in enumerate(top[:k], 1)]

    def _rerank(
        self, terms: Sequence[str], top: list[tuple[int, float]]
    ) -> list[tuple[int, float]]:
        """BM25 candidates re-ordered by BM25 (normalised to the best), the share of the
        question's IDF weight in the paragraph's best sentence, the question's adjacent term
        pairs found in the paragraph, and its document's BM25 score; scores stay BM25's."""
        weights = {t: self.index.idf(t) for t in dict.fromkeys(terms)}
        total = sum(weights.values()) or 1.0
        best_bm25 = top[0][1] or 1.0
        pairs = {(a, b): weights[a] + weights[b] for a, b in itertools.pairwise(terms) if a != b}
        pair_total = sum(pairs.values()) or 1.0
        document_score: dict[int, float] = {}
        if self.document_index is not None:
            all_documents = self.document_index.scores(terms)
            document_score = {
                d: float(all_documents[d]) for d in {self._document_of[i] for i, _ in top}
            }
        best_document = max(document_score.values(), default=0.0) or 1.0

        def key(item: tuple[int, float]) -> float:
            i, score = item
            analysed = self._analysed[i]
            best = max(
                (sum(w for t, w in weights.items() if t in s.terms) for s in analysed.sentences),
                default=0.0,
            )
            bonus = 0.0
            if pairs and self.options.rerank_bigram_weight:
                present = analysed.pairs
                bonus = sum(w for pair, w in pairs.items() if pair in present) / pair_total
            return (
                score / best_bm25
                + self.options.rerank_weight * best / total
                + self.options.rerank_bigram_weight * bonus
                + self.options.document_weight
                * document_score.get(self._document_of[i], 0.0)
                / best_document
            )

        return sorted(top, key=key, reverse=True)

    def ask(
        self,
        question: str,
        *,
        extra_terms: Sequence[str] = (),
        extra_weight: float = 1.0,
        favour: Collection[str] = (),
    ) -> Answer:
        """Answer ``question``: quoted sentences with citations, or an abstention with reasons.

        ``extra_terms`` (analysed terms) are searched with the question's own and weigh
        ``extra_weight`` times their IDF when sentences are chosen and confidence is measured,
        and passages whose ids are in ``favour`` are preferred: how a follow-up borrows from
        the earlier turns of a conversation (:mod:`retrieval.conversation`).

        Raises QuestionError for a question that cannot be searched (empty, too long, or made
        only of common words), with a message to show the asker.
        """
        return self.ask_ranked(
            question,
            self.options.top_k,
            extra_terms=extra_terms,
            extra_weight=extra_weight,
            favour=favour,
        )[0]

    def ask_ranked(
        self,
        question: str,
        depth: int,
        *,
        extra_terms: Sequence[str] = (),
        extra_weight: float = 1.0,
        favour: Collection[str] = (),
    ) -> tuple[Answer, list[Hit]]:
        """The answer and the first ``depth`` hits of the same ranking, from one search (what
        an evaluation needs for recall at 100 without searching twice)."""
        cleaned, own = prepare_question(question)
        extra = {t for t in extra_terms if t not in own}
        terms = own + [t for t in extra_terms if t in extra]
        ranking = self._search(terms, max(depth, self.options.top_k), favour=favour)
        index_idf = self.index.idf

        def idf(term: str) -> float:
            return index_idf(term) * (extra_weight if term in extra else 1.0)

        # The cleaned question is what gets echoed: control characters stay out of every reply.
        answer = compose(
            cleaned,
            terms,
            ranking[: self.options.top_k],
            idf if extra else self.index.idf,
            self.source_text,
            self.options.composer,
            self._paragraph_count.__getitem__,
            lambda passage: self._analysed[self._position[passage.id]],
            own,
        )
        return answer, ranking[:depth]

    def sources(self) -> list[SourceSummary]:
        """Every loaded document with its paragraph count (0 for one with no paragraph)."""
        return [
            SourceSummary(s, d.title, self._paragraph_count.get(s, 0))
            for s, d in self.documents.items()
        ]

    def neighbours(self, passage: Passage) -> tuple[Passage | None, Passage | None]:
        """The passages just before and after ``passage`` in the same document."""
        i = self._position[passage.id]
        before = self.passages[i - 1] if i > 0 else None
        after = self.passages[i + 1] if i + 1 < len(self.passages) else None
        return (
            before if before and before.source == passage.source else None,
            after if after and after.source == passage.source else None,
        )

    def passage(self, passage_id: str) -> Passage:
        return self.passages[self._position[passage_id]]
