"""The one answering interface every front end calls: ``Engine.ask(question) -> Answer``.

An Engine is built once per corpus (loading, splitting and indexing happen here, never per
question) and is then read-only, so one instance can serve many threads at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .analysis import analyze
from .compose import ComposerOptions, compose
from .errors import EmptyCorpusError, OptionError, QuestionError
from .index import BM25Index
from .loading import LoadedCorpus, LoadWarning, load_corpus
from .splitting import split_passages
from .types import Answer, Document, Hit, Passage

MAX_QUESTION_CHARS = 1000


@dataclass(frozen=True, slots=True)
class EngineOptions:
    top_k: int = 5
    k1: float = 1.5
    b: float = 0.75
    composer: ComposerOptions = field(default_factory=ComposerOptions)

    def __post_init__(self) -> None:
        if not 1 <= self.top_k <= 100:
            raise OptionError(f"top_k must be 1 to 100 (got {self.top_k!r}).")


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
        self.passages: tuple[Passage, ...] = tuple(
            p for d in documents for p in split_passages(d)
        )
        if not self.passages:
            raise EmptyCorpusError("The documents hold no paragraph of text to search.")
        self._position = {p.id: i for i, p in enumerate(self.passages)}
        self.index = BM25Index(
            [analyze(p.text) for p in self.passages], k1=self.options.k1, b=self.options.b
        )
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
        terms = analyze(clean_question(question))
        return self._search(terms, k or self.options.top_k)

    def _search(self, terms: Sequence[str], k: int) -> list[Hit]:
        return [
            Hit(self.passages[i], score, rank)
            for rank, (i, score) in enumerate(self.index.top(terms, k), start=1)
        ]

    def ask(self, question: str) -> Answer:
        """Answer ``question``: quoted sentences with citations, or an abstention with reasons.

        Raises QuestionError for a question that cannot be searched (empty, too long, or made
        only of common words), with a message to show the asker.
        """
        cleaned = clean_question(question)
        terms = analyze(cleaned)
        if not terms:
            raise QuestionError(
                "That question has no words to search for (only common words like "
                "'what is the', punctuation or symbols). Please ask about something specific."
            )
        hits = self._search(terms, self.options.top_k)
        return compose(
            question, terms, hits, self.index.idf, self.source_text, self.options.composer
        )

    def sources(self) -> list[SourceSummary]:
        counts: dict[str, int] = dict.fromkeys(self.documents, 0)
        for passage in self.passages:
            counts[passage.source] += 1
        return [SourceSummary(s, self.documents[s].title, n) for s, n in counts.items()]

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
