"""The small, immutable values that flow through citebot: files → passages → hits → answer.

They are frozen so that a front end can never change what was retrieved or quoted, and so that
they can be shared between threads (the Discord bot answers from a worker thread).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .reading.blocks import Block


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
    blocks: tuple[Block, ...] = ()
    """The blocks, when the format's parser made them together with the text (HTML, PDF and
    reStructuredText files); empty: the reader registered for the file's suffix reads ``text``."""
    pages: int = 0
    """Pages in the file (PDF); 0 for formats without pages."""


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph that can answer questions, and where exactly it stands in its file."""

    id: str
    """Hash of the file's name, the paragraph's text and its place among equal texts in that
    file: the same paragraph keeps its id when the file is edited elsewhere."""
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
    page: int = 0
    """For a PDF: the page its first quoted sentence starts on, which is later than the
    passage's own ``page`` when the paragraph goes on onto the next page; 0 when not known
    (then the passage's page is the citation's: :attr:`shown_page`)."""

    @property
    def shown_page(self) -> int:
        """The page a reader is sent to (PDF; 0 for other formats)."""
        return self.page or self.passage.page


@dataclass(frozen=True, slots=True)
class Sentence:
    """One quoted sentence: a verbatim substring of its passage's file, with its citation number."""

    text: str
    citation: int
    start: int
    """Offset in the source file, so ``document.text[start:end] == text``."""
    end: int
    score: float


@dataclass(frozen=True, slots=True)
class QuotedBlock:
    """A code block, table or list quoted whole with the sentence that introduces it: verbatim,
    so ``document.text[start:end] == text``, and cited to that sentence's paragraph."""

    kind: str
    """"code", "table" or "list" (a :class:`~retrieval.reading.BlockKind` value)."""
    text: str
    """The block's source text exactly as in the file (fences and markup included); when
    ``cut``, its first lines only, ending at a line end."""
    start: int
    end: int
    citation: int
    """The ``[n]`` of the paragraph whose sentence introduces it (the same citation)."""
    lang: str = ""
    """For code: the language its fence or directive names ("python"), else empty."""
    after: int = 0
    """Index into ``Answer.sentences`` of the sentence it follows."""
    full_end: int = 0
    """Where the whole block ends in the file (``end`` unless ``cut``): what "Show paragraph"
    and ``:source n`` show."""
    indent: int = 0
    """The spaces or tabs before ``start`` on its line: the span starts at the first
    character, so an indented block's first line (a reStructuredText literal block, indented
    Markdown code) lost the indent its other lines keep; a display puts it back to dedent."""

    @property
    def cut(self) -> bool:
        """Whether ``text`` is only the block's first lines (the block was too long to quote)."""
        return self.full_end > self.end


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


_LOG_FLOOR = 0.02
"""Added to a share before its log is taken, so that a share of 0 is a large penalty, not -inf."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """The signals the decision weighs, each for the best candidate sentence (0..1 unless said)."""

    paragraph_share: float
    """Share of the question's weight in the best sentence's paragraph (with its headings)."""
    sentence_share: float
    """Share of the question's weight in the best-covering sentence (with its headings)."""
    focus: float
    """Share of the top 5 hits from the first hit's document, of as many as it could supply."""
    rare_share: float
    """Share of the weight of the question's two rarest terms found in the best sentence."""
    name_share: float
    """Share of the question's names (capitalised or code-like words) in the best sentence's
    paragraph; 1 when the question names nothing."""
    missing_share: float
    """Share of the question's weight carried by terms no paragraph contains."""
    margin: float
    """(best BM25 - second best) / best, over the retrieved hits."""
    agreement: float
    """1 when the best sentence comes from the first-ranked paragraph, else 0."""
    type_asked: float
    """1 when the question asks for a kind of answer (a number, a date, a name), else 0."""
    type_found: float
    """1 when it asks and the best sentence holds that kind of answer next to the question's
    own words, 0.5 when only elsewhere in the sentence, 0 when not (or nothing is asked)."""
    terms: float
    """log(1 + the number of distinct question terms)."""
    peak: float = 1.0
    """The highest IDF of a question term in the best sentence, over the corpus's highest (a
    term only one paragraph has): a question the documents answer names something rare."""
    level: float = 1.0
    """The best paragraph's BM25 score over the question's total weight (log, below)."""
    gap: float = 0.0
    """The heaviest question term the best paragraph lacks, over the heaviest term."""
    content_paragraph: float = 1.0
    """Share of the question's *content* weight in the best paragraph: each term's weight times
    how rare its word is in the language at large (everyday words count a fifth), absent
    everyday words ("sick", "straight") left out: a casual question's chatter is not what it
    asks (1 when nothing is known of the language)."""
    content_sentence: float = 1.0
    """The same share in the best-covering sentence."""
    heading: float = 0.0
    """Share of the question's weight in the title and headings above the best sentence's
    paragraph: a question the documents answer tends to name what the page or section is
    about, one they do not names a thing the paragraph mentions in passing."""

    def features(self) -> dict[str, float]:
        """The model's inputs: shares as logs (a share of 0 is strong evidence), the rest as
        they are."""
        return {
            "log_paragraph": math.log(self.paragraph_share + _LOG_FLOOR),
            "log_sentence": math.log(self.sentence_share + _LOG_FLOOR),
            "log_focus": math.log(self.focus + _LOG_FLOOR),
            "log_rare": math.log(self.rare_share + _LOG_FLOOR),
            "log_names": math.log(self.name_share + _LOG_FLOOR),
            "missing": self.missing_share,
            "margin": self.margin,
            "agreement": self.agreement,
            "type_asked": self.type_asked,
            "type_found": self.type_found,
            "terms": self.terms,
            "peak": self.peak,
            "log_level": math.log(self.level + _LOG_FLOOR),
            "gap": self.gap,
            "log_content_paragraph": math.log(self.content_paragraph + _LOG_FLOOR),
            "log_content_sentence": math.log(self.content_sentence + _LOG_FLOOR),
            "log_heading": math.log(self.heading + _LOG_FLOOR),
        }


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
    """0..1: the calibrated probability that the answer is right, from :attr:`evidence`
    (:mod:`retrieval.answering.decision`). Below the composer's ``min_confidence`` times
    ``Engine.answer_bar`` (``sections_bar`` over documentation; lower still for a follow-up),
    citebot abstains."""
    query_terms: tuple[str, ...] = ()
    """The analysed (stemmed) question terms, so front ends can highlight them."""
    language: str = "en"
    """The language the corpus and question were analysed as (ISO 639-1): front ends find
    ``query_terms`` in quoted text with the same language's analysis."""
    evidence: Evidence | None = None
    """What the confidence was computed from (None when no sentence matched at all)."""
    missing: tuple[str, ...] = ()
    """The question's words (as asked) that the best sentence's paragraph lacks, rarest first:
    the reason an abstention gives."""
    variants: tuple[tuple[str, str], ...] = ()
    """(question word, vocabulary word) for each word the documents lack that was searched as
    a one-letter variant instead (weighing part of its weight): shown by ``:why``."""
    follow_up: FollowUp | None = None
    """Set when the question was answered as a follow-up to an earlier one in a conversation
    (see :mod:`retrieval.conversation`); None for a question that stands on its own."""
    blocks: tuple[QuotedBlock, ...] = ()
    """Code blocks, tables and lists that quoted sentences introduce, each shown after its
    sentence (``after``), in sentence order."""
    source_url: str = ""
    """The base URL the corpus is published under ("" if none): front ends resolve relative
    links in quoted text with ``resolve_link(passage.source, href, answer.source_url)``."""

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
