"""The small, immutable values that flow through citebot: files → passages → hits → answer.

They are frozen so that a front end can never change what was retrieved or quoted, and so that
they can be shared between threads (the Discord bot answers from a worker thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Document:
    """One loaded file: its text exactly as decoded, which every offset refers to."""

    source: str
    """Path relative to the corpus folder, with forward slashes (stable across machines)."""
    text: str
    title: str
    """The first short line without final punctuation, or the first heading; may be empty."""
    encoding: str
    format: str = "text"
    """Which reader produced the blocks: "text", "markdown", "rst", "html" or "pdf". For "html"
    and "pdf", ``text`` is the text extracted from the file (what is quoted and stored)."""


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph that can answer questions, and where exactly it stands in its file."""

    id: str
    """Hash of the file's content and the paragraph's offsets: the same file gives the same ids."""
    source: str
    paragraph: int
    """1-based position among the file's blocks (headings count), as a reader would count them."""
    start: int
    end: int
    text: str
    """Exactly ``document.text[start:end]``: hard-wrapped lines are kept as they are in the file."""
    context: str = ""
    """Title and headings above the paragraph (" › "-joined); shown and searched, never quoted."""
    headings: tuple[str, ...] = ()
    """The path of headings above the paragraph, the document's title first, explicit anchors
    and inline markup removed: what a citation shows as "where"."""
    anchor: str = ""
    """The fragment (without "#") of the nearest heading above, as the published page names it;
    empty when there is none or the format has no anchors."""
    line: int = 0
    """1-based line of ``start`` in the file (0: unknown, e.g. text extracted from HTML/PDF)."""
    page: int = 0
    """1-based page for PDF documents; 0 for every other format."""
    kind: str = "paragraph"
    """The block kind it was read as (a :class:`~retrieval.reading.BlockKind` value):
    "paragraph", "list_item", "quote" or "admonition"."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage retrieved for a question, with its BM25 score and 1-based rank."""

    passage: Passage
    score: float
    rank: int


@dataclass(frozen=True, slots=True)
class Citation:
    """A passage that an answer quotes (or, when abstaining, one that may be related)."""

    n: int
    """The number shown as ``[n]``: cited passages are numbered in order of first use."""
    passage: Passage
    score: float
    url: str = ""
    """Where a reader opens the cited section (page URL + "#anchor", or "#page=N" for a PDF),
    when the corpus is published (``EngineOptions.source_url``); empty otherwise."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """One quoted sentence: a verbatim substring of its passage's file, with its citation number."""

    text: str
    citation: int
    start: int
    """Offset in the source file, so ``document.text[start:end] == text``."""
    end: int
    score: float


class AbstainReason(StrEnum):
    """Why an answer was not given; front ends word it, scripts branch on it."""

    NO_MATCH = "no_match"
    """No paragraph shares a searchable word with the question."""
    LOW_CONFIDENCE = "low_confidence"
    """Paragraphs matched, but too little of the question to trust them as an answer."""


@dataclass(frozen=True, slots=True)
class FollowUp:
    """Which earlier question of a conversation an answer leaned on, and how.

    Front ends show it so the asker can see that "he" was read as the mayor of the previous
    question (and ask afresh if that was wrong); scripts read it from ``--json``.
    """

    turn: int
    """The earlier question's number in the conversation (1 = the first question asked)."""
    question: str
    """The earlier question, as it was asked."""
    terms: tuple[str, ...] = ()
    """The analysed terms borrowed from it and searched with this question's own."""
    cited: tuple[Passage, ...] = ()
    """The paragraphs its answer cited, which were preferred when ranking this question."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What citebot says to one question: quoted sentences with citations, or an abstention."""

    question: str
    sentences: tuple[Sentence, ...]
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...]
    """The retrieved paragraphs in rank order, whether or not any was quoted."""
    related: tuple[Citation, ...] = ()
    """When abstaining: up to three closest paragraphs, offered as "maybe related"."""
    abstain_reason: AbstainReason | None = None
    confidence: float = 0.0
    """0..1: √(share of the question's IDF weight in the best sentence's paragraph × share in
    the best sentence) × focus^0.3 (do the top hits agree on one document?). Below the
    composer's ``min_confidence``, citebot abstains."""
    query_terms: tuple[str, ...] = ()
    """The analysed (stemmed) question terms, so front ends can highlight them."""
    follow_up: FollowUp | None = None
    """Set when the question was answered as a follow-up to an earlier one in a conversation
    (see :mod:`retrieval.conversation`); None for a question that stands on its own."""

    @property
    def answered(self) -> bool:
        return bool(self.sentences)

    @property
    def text(self) -> str:
        """The composed answer: each sentence verbatim, followed by its ``[n]``."""
        return " ".join(f"{s.text} [{s.citation}]" for s in self.sentences)

    def citation(self, n: int) -> Citation:
        for citation in self.citations:
            if citation.n == n:
                return citation
        raise KeyError(n)
