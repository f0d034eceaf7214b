"""The extractive answer composer: choose the sentences that answer, quote them, cite them.

Nothing is generated. A sentence is scored by how much of the question's weight (the IDF of its
terms) it contains, with a smaller share from its paragraph's BM25 score, a bonus for the
question's adjacent word pairs found adjacent in it, and one for holding the kind of thing the
question asks for (a number for "how many", a date for "when", a name for "who"); the best 1-3
are quoted exactly as they stand in the file. Confidence combines the share of the question's
weight found in the best sentence's paragraph, the share in the best sentence, and whether the
top hits agree on one document: a question whose rare words are absent from every paragraph, or
scattered over unrelated ones, is one the documents do not answer, whatever BM25 ranks first.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from regex import Pattern

from ..analysis.analyzer import ENGLISH, Analyzer
from ..analysis.tokenizer import analyze, term_spans
from ..errors import CitationMismatchError, OptionError
from ..reading.blocks import page_at
from ..splitting.sentences import split_sentences
from ..types import AbstainReason, Answer, Citation, Evidence, Hit, Passage, Sentence
from .commonness import COMMON_ZIPF, zipf
from .decision import HEADING_UNKNOWN, calibrated_confidence
from .units import verify_blocks


class Sliceable(Protocol):
    """A document's text as composing uses it: only ever sliced (a str, or a lazy view)."""

    def __getitem__(self, span: slice, /) -> str: ...


@dataclass(frozen=True, slots=True)
class AnalysedSentence:
    """One sentence of a paragraph: where it stands in its text, and its terms."""

    start: int
    """Offsets in the passage's text (not the file's)."""
    end: int
    tokens: tuple[str, ...]
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class AnalysedPassage:
    """A paragraph as re-ranking and composing see it. The engine analyses every paragraph once,
    when it builds the index, so answering a question never re-splits or re-stems text."""

    passage: Passage
    sentences: tuple[AnalysedSentence, ...]
    tokens: tuple[str, ...]
    """The paragraph's terms in order: its sentences' tokens, end to end (the same as analysing
    the whole paragraph, since sentence boundaries never fall inside a word)."""
    context_terms: frozenset[str]
    terms: frozenset[str]
    """The paragraph's terms and its title's and headings'."""
    pairs: frozenset[tuple[str, str]]
    """Adjacent term pairs, for matching the question's phrases."""


def analyse_passage(passage: Passage, analyzer: Analyzer = ENGLISH) -> AnalysedPassage:
    """Split and analyse a paragraph now (for one the index holds no sentence table for)."""
    analyze = analyzer.terms  # the corpus's analysis
    text = passage.text
    rows = [(s, e, tuple(analyze(text[s:e]))) for s, e in split_sentences(text, analyzer.language)]
    return analysed_from_sentences(passage, rows, frozenset(analyze(passage.context)))


def analysed_from_sentences(
    passage: Passage,
    rows: Sequence[tuple[int, int, tuple[str, ...]]],
    context_terms: frozenset[str],
) -> AnalysedPassage:
    """A paragraph as composing sees it, from its sentences' spans and terms (analysed now, or
    read from the index's sentence table) and its headings' terms."""
    sentences = [AnalysedSentence(s, e, tokens, frozenset(tokens)) for s, e, tokens in rows]
    tokens = tuple(t for sentence in sentences for t in sentence.tokens)
    return AnalysedPassage(
        passage,
        tuple(sentences),
        tokens,
        context_terms,
        frozenset(tokens) | context_terms,
        frozenset(itertools.pairwise(tokens)),
    )


MAX_SENTENCES = 5
"""The most sentences one answer may quote."""
MIN_ANSWER_CHARS = 40
"""The smallest character budget for an answer: room for one short sentence."""


@dataclass(frozen=True, slots=True)
class ComposerOptions:
    """How an answer is composed: its budget, thresholds and weights."""

    max_sentences: int = 3
    max_chars: int = 600
    """Budget for the quoted text; the best sentence is always quoted, trimmed if it must be."""
    min_confidence: float = 0.29
    """Abstain below this confidence: the calibrated probability that the answer is right
    (:mod:`retrieval.answering.decision`). 0.29 keeps 95% of the answerable questions of the
    even-numbered SQuAD articles answered (``bench/fit_confidence.py``), rounded down."""
    sections_bar: float = 0.9
    """Share of ``min_confidence`` an answer must reach over documentation: a corpus most of
    whose paragraphs stand under a heading below their page's title (``Engine.answer_bar``).
    Docs questions are casual paraphrases whose evidence scores lower than a SQuAD question's
    for the same chance of being right (held out, docs answers at 0.2-0.3 were right two times
    in three). 0.9 (0.29 → 0.261) is the lowest keeping every off-topic question of the odd ids
    of the uv set and of the Flask set in all three formats (.rst, HTML, PDF) abstained
    (docs/quality.md, round 8); 1 turns it off. A follow-up that leans on the conversation gets
    the lower of this and its leaning bar."""
    depth: int = 3
    """How many of the top paragraphs sentences are drawn from."""
    rank_weight: float = 0.3
    """Weight of the sentence's paragraph's BM25 score (relative to the top hit's)."""
    related: int = 3
    """How many of the closest paragraphs an abstention shows."""
    cue_weight: float = 0.15
    """Bonus for a sentence holding what the question asks for (a number for "how many", a
    date for "when", a name for "who") beyond the question's own words."""
    share_terms: int = 6
    """For the confidence, a question's shares are measured against the weight of its this
    many heaviest terms (0: all of them), so a long question is not penalised for words of
    context no sentence repeats. Chosen on the odd-numbered questions of the uv docs set."""
    bigram_weight: float = 0.3
    """Bonus for the question's adjacent term pairs found adjacent in the sentence."""
    anaphor_weight: float = 0.8
    """A sentence that opens with a pronoun ("It was re-established in April 1991.") earns this
    share of the question weight that the sentence before it holds and it lacks: the question's
    words are often there, the answer here. 0.8 chosen on the even-numbered SQuAD articles."""
    beside_weight: float = 0.1
    """When the second and third sentences are chosen, a sentence right before or after the
    best one in its paragraph earns this much more: the question's words are often in one
    sentence and the answer in its neighbour. Quoting only; the best sentence and the
    confidence are untouched. 0.1 chosen on the even-numbered SQuAD articles (0.05 / 0.1 / 0.2 /
    0.3)."""
    missing_weight: float = 1.5
    """A question term no paragraph contains weighs this many times the rarest term's IDF."""
    blocks_first: bool = True
    """After the best sentence, quote first the sentences that bring a code block, table or
    list (they end a paragraph such a block follows), best first, then the others; and draw on
    the best sentence's whole section, not only its paragraphs that ranked. In documentation
    the block is usually the answer ("run this:"). Chosen on the odd-numbered questions of the
    uv and Flask sets (docs/quality.md, "Documentation answers")."""

    page_weight: float = 0.15
    """Once the answer/abstain decision is made, the sentence to quote first is chosen with
    this bonus for a sentence on a page whose path names one of the question's words
    ("pytorch" → ``guides/integration/pytorch.md``, "tutorial" → ``tutorial/*.rst``; see
    :class:`~.sections.PageWords`), when the candidates have sections below their pages'
    titles (documentation, not flat articles). Chosen on the odd-numbered questions of the uv
    and Flask sets (docs/quality.md, "Citing the right page and section")."""
    named_tabs: bool = True
    """A quoted sentence that introduces a set of Markdown content tabs (``=== "Bash"``,
    ``=== "Zsh"``) brings the tab whose label the question names (and the first tab's label
    does not), not the first tab's block (:func:`~.units.named_tab`). Found reading uv-040
    ("tab completion … in zsh"); fires on no other question of the docs sets
    (docs/quality.md, "Session 7")."""
    xref_weight: float = 0.3
    """Taken off the lead score of a sentence that opens by sending the reader elsewhere ("See
    …", "Refer to …", "For details …, see …"; 0: off): a cross-reference is seldom the answer,
    and a user pasting it into a channel has to follow the link to find one. English wording
    only. Any weight from 0.1 to 1.0 moves the same questions: none of the even ids; two others
    (the Flask PDF's flask-059, which it was found on, and httpx's hx-012, which it was not),
    both then cited right, nothing lost on any set (docs/quality.md, "Session 8")."""
    lead_section_weight: float = 0.0
    """… and with this weight times its section's BM25 score (the section as one document,
    :mod:`~.sections`) over the best of the candidates' sections (0: off). 0.2 helped on the
    odd ids before the composer's ``beside_weight`` was merged, and costs Flask a question on
    each half since: off by default, kept as an option (docs/quality.md, "Citing the right page
    and section")."""

    intro_weight: float = 0.05
    """Once the decision is made, a sentence in a page's introduction (under the page's title
    alone, or under no heading) loses this much when the sentence to quote first is chosen and
    the candidates also hold sentences under a narrower heading: a "how do I …" question is
    answered by a section, and a page's opening paragraph shares the title's words with every
    question about the page. On the even ids of uv and Flask a page introduction led on 5
    answers and was wrong on all 5 (on the odd ids it led on 3, right on 3, with no section
    competing). 0.05 chosen on the even ids (0.05–1.0 give the same answers at the default
    threshold; 0: off; docs/quality.md, "Session 8")."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_sentences <= MAX_SENTENCES:
            raise OptionError(
                f"max_sentences must be 1 to {MAX_SENTENCES} (got {self.max_sentences!r})."
            )
        if self.max_chars < MIN_ANSWER_CHARS:
            raise OptionError(
                f"max_chars must be at least {MIN_ANSWER_CHARS} (got {self.max_chars!r})."
            )
        if not 0.0 <= self.min_confidence <= 1.0:
            raise OptionError(f"min_confidence must be 0 to 1 (got {self.min_confidence!r}).")
        if not 0.0 < self.sections_bar <= 1.0:
            raise OptionError(
                f"sections_bar must be above 0, at most 1 (got {self.sections_bar!r})."
            )
        if self.depth < 1:
            raise OptionError(f"depth must be at least 1 (got {self.depth!r}).")


_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|half"
)
_MONTHS = r"january|february|march|april|may|june|july|august|september|october|november|december"
_CUES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"\bhow (many|much|long|old|far|large|big|tall|high|often)\b|\bpercent"),
        re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.IGNORECASE),
    ),
    (
        re.compile(
            r"^when\b|\bwhen (was|were|did|does|is|do)\b|\b(what|which) (year|century|"
            r"decade|date|month|day|time|period)\b|\byear\b"
        ),
        re.compile(
            rf"\b1\d{{3}}|\b20\d\d|\b\d{{1,2}}(st|nd|rd|th)\b|\b({_MONTHS})\b|"
            r"\bcentur(y|ies)\b|\b\d+s\b",
            re.IGNORECASE,
        ),
    ),
    (
        re.compile(r"^(who|whom|whose)\b|\b(who|whom|whose) (was|were|is|did|had|has)\b"),
        re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+"),
    ),
)


def _cue(question: str) -> re.Pattern[str] | None:
    """What kind of answer the question asks for, as a pattern over sentence text."""
    lowered = " ".join(question.casefold().split())
    for asks, looks_like in _CUES:
        if asks.search(lowered):
            return looks_like
    return None


_WORD_AT = re.compile(r"\S+")


def _has_cue(pattern: re.Pattern[str], text: str, question_terms: set[str]) -> bool:
    """Whether ``text`` holds a match of ``pattern`` that is not one of the question's words."""
    for match in pattern.finditer(text):
        word = _WORD_AT.match(text, match.start())
        terms = set(analyze(word.group() if word else ""))
        if not terms or not terms <= question_terms:
            return True
    return False


_YEAR = re.compile(r"^(1\d{3}|20\d\d)s?$")
_NEAR_CHARS = 30
"""A cue this close (in characters) to one of the question's own words stands "next to" it."""


def _cue_strength(
    pattern: re.Pattern[str] | Pattern[str],
    text: str,
    question_terms: set[str],
    counting: bool,
    analyzer: Analyzer = ENGLISH,
    near: bool = True,
) -> float:
    """1 when ``text`` holds what ``pattern`` looks for next to one of the question's words
    (the "44" of "a 44-yard field goal" for "how long was the field goal?"), 0.5 when only
    elsewhere, 0 when not at all; with ``near`` False, 1 for any (cheaper: no word positions).
    For a counting question (``counting``), a year is not a cue: "in 1995" does not answer
    "how many"."""
    spans: list[tuple[int, int]] | None = None
    strength = 0.0
    for match in pattern.finditer(text):
        word = _WORD_AT.match(text, match.start())
        found = word.group() if word else ""
        terms = set(analyzer.terms(found))
        if terms and terms <= question_terms:
            continue
        if counting and _YEAR.match(found.strip(".,;:()[]")):
            continue
        if not near:
            return 1.0
        if spans is None:
            spans = analyzer.spans(text, question_terms)
        if any(s - _NEAR_CHARS <= match.start() <= e + _NEAR_CHARS for s, e in spans):
            return 1.0
        strength = 0.5
    return strength


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A sentence that may be quoted, with the evidence it carries."""

    hit: Hit
    start: int  # offsets in the source file
    end: int
    text: str
    coverage: float
    score: float
    terms: frozenset[str] = frozenset()
    """The sentence's terms with its paragraph's headings'."""
    cue: float = 0.0
    """1 when it holds the kind of answer asked for, else 0 (see :func:`_cue_strength`)."""


def _coverage(terms: frozenset[str], weights: Mapping[str, float], total: float) -> float:
    # Summed in question order, not set order, so results do not depend on the hash seed.
    return sum(w for t, w in weights.items() if t in terms) / total if total > 0 else 0.0


def _clip(
    text: str,
    start: int,
    terms: Sequence[str],
    budget: int,
    spans_of: Callable[[str, Sequence[str]], list[tuple[int, int]]] = term_spans,
) -> tuple[int, int]:
    """A word-aligned window of at most ``budget`` characters around the first matched term.

    Used only when a single sentence is longer than the whole budget; the window is still a
    verbatim substring of the source.
    """
    spans = spans_of(text, terms)
    anchor = spans[0][0] if spans else 0
    lo = max(0, anchor - budget // 3)
    hi = min(len(text), lo + budget)
    lo = max(0, hi - budget)
    while lo > 0 and not text[lo - 1].isspace() and lo < hi:
        lo += 1
    while hi < len(text) and not text[hi].isspace() and hi > lo:
        hi -= 1
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return start + lo, start + hi


@dataclass(frozen=True, slots=True)
class ComposeInputs:
    """Everything composing one answer reads: the question, its ranked hits and how to weigh
    and quote them. One value shared by every step of :func:`compose`."""

    question: str
    query_terms: Sequence[str]
    """The analysed terms searched (the question's own, then any borrowed)."""
    hits: Sequence[Hit]
    idf: Callable[[str], float]
    """A term's weight: its IDF (0 for a term no paragraph contains), scaled for borrowed ones."""
    source_text: Callable[[str], Sliceable]
    """A document's full text, against which every quote is checked before it is returned."""
    options: ComposerOptions
    paragraph_count: Callable[[str], int] | None = None
    """A document's number of paragraphs: enables the focus factor of the confidence."""
    analysed: Callable[[Passage], AnalysedPassage] = analyse_passage
    """A paragraph's precomputed analysis (default: computed here)."""
    pair_terms: Sequence[str] | None = None
    """The terms whose adjacent pairs earn the phrase bonus (default: ``query_terms``; a
    follow-up passes only its own words, so that two words borrowed from an earlier question,
    such as "Jeffrey Lynch", do not pull the old topic's sentence first)."""
    idf_ceiling: float = 0.0
    """The highest IDF in the corpus (a term of one paragraph); 0: the question's highest."""
    analyzer: Analyzer = ENGLISH
    """The corpus's analysis: its cues say what a non-English question asks for."""
    brings_block: Callable[[Passage, int], bool] | None = None
    """Whether a sentence of a paragraph ending at this file offset brings the block that
    follows the paragraph (see :func:`~.units.attach_blocks`); None: no blocks."""
    section_of: Callable[[Passage], Sequence[Passage]] | None = None
    """The paragraphs of a paragraph's section (same file, same path of headings), in file
    order: with ``ComposerOptions.blocks_first``, the best sentence's section is drawn on
    whole, not only the paragraphs that ranked."""
    page_terms: Callable[[str], frozenset[str]] | None = None
    """The terms of a page's path that name its topic, by source (``PageWords.of``); None: no
    page evidence (``ComposerOptions.page_weight``)."""
    section_scores: Callable[[Sequence[str], Sequence[Passage]], Mapping[str, float]] | None = None
    """The BM25 score of each paragraph's section for the query terms, by passage id (empty
    when none has a section below its page's title); None: no section evidence
    (``ComposerOptions.lead_section_weight``)."""
    answer_hits: Sequence[Hit] | None = None
    """Once the decision (made on ``hits``) is to answer, the hits the answer is composed
    from: the ranking with pseudo-relevance feedback (``EngineOptions.prf_weight``); None: the
    same as ``hits``. The confidence is never measured on them."""
    in_section: Callable[[Passage], bool] | None = None
    """Whether a paragraph stands under a heading below its page's title, not in the page's
    introduction (``ComposerOptions.intro_weight``); None: not known, no penalty."""


@dataclass(frozen=True, slots=True)
class _Weighed:
    """The question as the scoring steps use it: each distinct term's weight, and its cues."""

    terms: tuple[str, ...]
    weights: dict[str, float]
    total: float
    pairs: frozenset[tuple[str, str]]
    cue: re.Pattern[str] | Pattern[str] | None
    counting: bool
    """The question counts or measures ("how many", "how long"): a year is not its answer."""
    names: frozenset[str]
    """Terms of the question's names: capitalised words after the first, code-like words."""
    everyday_missing: frozenset[str] = frozenset()
    """Terms no paragraph contains whose word is everyday language ("sick", "straight"):
    casual context around a question, not a topic the documents lack ("heroku")."""
    generality: Mapping[str, float] = field(default_factory=dict)
    """Each term's word's frequency in the language at large (Zipf scale; empty when unknown)."""


def weigh_question(inputs: ComposeInputs) -> _Weighed:
    """Each distinct question term's weight: its IDF, or, for a term no paragraph contains, the
    rarest possible term's times ``missing_weight`` (missing it is the strongest sign that the
    documents are about something else)."""
    unique_terms = tuple(dict.fromkeys(inputs.query_terms))
    idf, options = inputs.idf, inputs.options
    max_idf = max((idf(t) for t in unique_terms), default=0.0)
    weights = {t: (idf(t) or max(max_idf, 1.0) * options.missing_weight) for t in unique_terms}
    phrase = inputs.query_terms if inputs.pair_terms is None else inputs.pair_terms
    analyzer = inputs.analyzer
    cue: re.Pattern[str] | Pattern[str] | None = None
    if options.cue_weight:
        cue = _cue(inputs.question) if analyzer.english else analyzer.cue(inputs.question)
    if analyzer.english:
        counting = bool(_COUNTING.search(" ".join(inputs.question.casefold().split())))
    else:
        counting = analyzer.asks_count(inputs.question)
    generality = _generality(inputs, unique_terms)
    return _Weighed(
        unique_terms,
        weights,
        sum(weights.values()),
        frozenset((a, b) for a, b in itertools.pairwise(phrase) if a != b),
        cue,
        counting,
        frozenset(t for w in _NAME.findall(inputs.question) for t in analyzer.terms(w))
        & frozenset(unique_terms),
        frozenset(t for t in unique_terms if not idf(t) and generality.get(t, 0.0) >= COMMON_ZIPF),
        generality,
    )


def _generality(inputs: ComposeInputs, terms: Sequence[str]) -> dict[str, float]:
    """Each term's frequency in the language at large (Zipf scale, :mod:`.commonness`), of the
    least common word of the question it was analysed from (one pass over the question; a
    borrowed term, not in it, has none). English only: for other languages nothing is known."""
    analyzer = inputs.analyzer
    if not analyzer.english:
        return {}
    generality: dict[str, float] = {}
    question = inputs.question
    for start, end in analyzer.spans(question, terms):
        word = question[start:end]
        found = analyzer.terms(word)
        value = zipf(word.strip("'’"), "en")
        if value is None:
            return {}
        if found:
            generality[found[0]] = min(value, generality.get(found[0], value))
    return generality


_COUNTING = _CUES[0][0]
_NAME = re.compile(r"(?<=\s)[A-Z][\w'’-]*|`[^`]+`|\b\w+(?:[._/:-]\w+)+\b|--?\w[\w-]*")
"""A name in a question: a capitalised word after the first, or a code-like token (`x`,
``a.b``, ``--flag``)."""


_ANAPHOR = re.compile(
    r"(?:it|its|they|their|them|he|his|she|her|this|these|those|such|the latter|the former)\b",
    re.IGNORECASE,
)
"""A sentence opening with a pronoun: what it is about is named in the sentence before."""


def score_sentences(
    inputs: ComposeInputs, weighed: _Weighed
) -> tuple[list[_Candidate], dict[str, float]]:
    """Every sentence of the top ``depth`` paragraphs that holds a question term, best first,
    and each of those paragraphs' share of the question's weight."""
    options, weights, total = inputs.options, weighed.weights, weighed.total
    top_score = max(hit.score for hit in inputs.hits) or 1.0
    candidates: list[_Candidate] = []
    paragraph_share: dict[str, float] = {}
    question_set = set(weighed.terms)
    pairs = weighed.pairs
    anaphora = bool(options.anaphor_weight) and inputs.analyzer.english  # English pronouns
    for hit in inputs.hits[: options.depth]:
        passage = hit.passage
        analysis = inputs.analysed(passage)
        # The title and headings above a paragraph are searched with it, so they count here
        # too: under "## Refund policy", "Customers get thirty days." answers "refund policy?".
        paragraph_share[passage.id] = _coverage(analysis.terms, weights, total)
        previous: frozenset[str] = frozenset()
        context_asked = not weights.keys().isdisjoint(analysis.context_terms)
        for sentence in analysis.sentences:
            own_terms = sentence.terms
            coverage = (
                _coverage(sentence.terms | analysis.context_terms, weights, total)
                if context_asked or not weights.keys().isdisjoint(own_terms)
                else 0.0  # no question term: what _coverage gives, without the union
            )
            text = passage.text[sentence.start : sentence.end]
            borrowed = 0.0
            if anaphora and previous and _ANAPHOR.match(text):
                borrowed = _coverage(previous - own_terms - analysis.context_terms, weights, total)
            previous = own_terms
            if coverage <= 0 and not borrowed:
                continue
            score = coverage + options.anaphor_weight * borrowed
            score += options.rank_weight * hit.score / top_score
            cue = 0.0
            if weighed.cue is not None:
                cue = _cue_strength(
                    weighed.cue, text, question_set, weighed.counting, inputs.analyzer, near=False
                )
                if cue:
                    score += options.cue_weight
            if pairs and options.bigram_weight:
                found = pairs.intersection(itertools.pairwise(sentence.tokens))
                score += options.bigram_weight * len(found) / len(pairs)
            start, end = passage.start + sentence.start, passage.start + sentence.end
            terms = sentence.terms | analysis.context_terms
            candidates.append(_Candidate(hit, start, end, text, coverage, score, terms, cue))
    candidates.sort(key=lambda c: (-c.score, c.hit.rank, c.start))
    return candidates, paragraph_share


def choose_sentences(
    inputs: ComposeInputs, weighed: _Weighed, candidates: Sequence[_Candidate]
) -> list[_Candidate]:
    """The sentences to quote: the best, then the next best that fit the budget (never the
    same text twice) — with ``blocks_first``, those that bring a block before the others; a
    best sentence longer than the whole budget is clipped around the question's first word and
    quoted alone."""
    options = inputs.options
    best = candidates[0]
    chosen = [best]
    used = len(best.text)
    rest: Sequence[_Candidate] = _beside_first(inputs, best, candidates[1:])
    if options.blocks_first and inputs.brings_block is not None:
        brings = inputs.brings_block
        rest = sorted(rest, key=lambda c: not brings(c.hit.passage, c.end))  # stable: by score
    for candidate in rest:
        if len(chosen) >= options.max_sentences:
            break
        if used + 1 + len(candidate.text) > options.max_chars:
            continue
        if any(candidate.text == c.text for c in chosen):
            continue  # the same sentence twice (a copied file, a repeated line) says nothing new
        chosen.append(candidate)
        used += 1 + len(candidate.text)
    if len(best.text) > options.max_chars:
        start, end = _clip(
            best.text, best.start, weighed.terms, options.max_chars, inputs.analyzer.spans
        )
        text = inputs.source_text(best.hit.passage.source)[start:end]
        return [_Candidate(best.hit, start, end, text, best.coverage, best.score)]
    return chosen


def _beside_first(
    inputs: ComposeInputs, best: _Candidate, rest: Sequence[_Candidate]
) -> Sequence[_Candidate]:
    """``rest`` ordered by score, the sentences right before and after ``best`` in its
    paragraph counting ``beside_weight`` more (stable: ties keep their order)."""
    weight = inputs.options.beside_weight
    if not weight or not rest:
        return rest
    passage = best.hit.passage
    sentences = inputs.analysed(passage).sentences
    starts = [passage.start + s.start for s in sentences]
    if best.start not in starts:
        return rest  # a clipped or section sentence: no neighbours to favour
    i = starts.index(best.start)
    beside = {starts[j] for j in (i - 1, i + 1) if 0 <= j < len(starts)}

    def key(c: _Candidate) -> float:
        near = c.hit.passage.id == passage.id and c.start in beside
        return -(c.score + weight) if near else -c.score

    return sorted(rest, key=key)


def quote(
    inputs: ComposeInputs, weighed: _Weighed, chosen: Sequence[_Candidate], confidence: float
) -> Answer:
    """The answer quoting ``chosen``, each citing its paragraph (numbered in order of first
    use), checked against the source text."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    sentences: list[Sentence] = []
    for candidate in chosen:
        passage = candidate.hit.passage
        if passage.id not in numbers:
            numbers[passage.id] = len(numbers) + 1
            page = page_at(passage.text, 0, passage.page, candidate.start - passage.start)
            citations.append(Citation(numbers[passage.id], passage, candidate.hit.score, page=page))
        sentences.append(
            Sentence(
                candidate.text, numbers[passage.id], candidate.start, candidate.end,
                candidate.score,
            )
        )  # fmt: skip
    answer = Answer(
        inputs.question,
        tuple(sentences),
        tuple(citations),
        tuple(inputs.hits),
        confidence=confidence,
        query_terms=weighed.terms,
        language=inputs.analyzer.language,
    )
    verify(answer, inputs.source_text)
    return answer


def compose(inputs: ComposeInputs) -> Answer:
    """Compose the answer to ``inputs.question`` from its ranked hits: weigh the question,
    score the sentences, decide (the calibrated confidence against ``min_confidence``),
    choose, quote."""
    weighed = weigh_question(inputs)
    options = inputs.options
    base = Answer(
        inputs.question, (), (), tuple(inputs.hits), query_terms=weighed.terms,
        language=inputs.analyzer.language,
    )  # fmt: skip
    if not inputs.hits:
        return _abstain(base, AbstainReason.NO_MATCH, 0.0, options)
    candidates, paragraph_share = score_sentences(inputs, weighed)
    if not candidates:
        return _abstain(base, AbstainReason.NO_MATCH, 0.0, options)
    evidence = gather_evidence(inputs, weighed, candidates, paragraph_share)
    confidence = calibrated_confidence(evidence)
    best = candidates[0]
    base = replace(
        base,
        evidence=evidence,
        missing=_missing_words(
            inputs.question,
            weighed,
            inputs.analysed(best.hit.passage).terms,
            inputs.analyzer.spans,
        ),
    )
    if confidence < options.min_confidence:
        return _abstain(base, AbstainReason.LOW_CONFIDENCE, confidence, options)
    if inputs.answer_hits is not None and _reordered(inputs.hits, inputs.answer_hits):
        inputs = replace(inputs, hits=inputs.answer_hits, answer_hits=None)
        candidates = score_sentences(inputs, weighed)[0] or candidates
    pool = with_section(inputs, weighed, choose_lead(inputs, weighed, candidates))
    answer = quote(inputs, weighed, choose_sentences(inputs, weighed, pool), confidence)
    return replace(answer, evidence=evidence, missing=base.missing)


def _reordered(hits: Sequence[Hit], answer_hits: Sequence[Hit]) -> bool:
    """Whether the answer's order differs from the decision's (else nothing is scored again)."""
    return [h.passage.id for h in hits] != [h.passage.id for h in answer_hits]


_XREF = re.compile(
    r"(?i)\W*(?:see\b|refer to\b"
    r"|(?:for|with) (?:more |further )?(?:details|information|more)\b[^.]*\bsee\b)"
)
"""A sentence that opens by sending the reader elsewhere: a cross-reference, seldom the answer."""


def choose_lead(
    inputs: ComposeInputs, weighed: _Weighed, candidates: list[_Candidate]
) -> list[_Candidate]:
    """``candidates`` with the one to quote first moved to the front: the best once page and
    section evidence are added to the sentence scores — ``page_weight`` for a sentence on a page
    whose path names a word of the question (a user who says "pytorch" or "the tutorial" asks
    about that page), ``lead_section_weight`` × its section's BM25 over the best candidate
    section's, − ``intro_weight`` for a sentence in a page's introduction (under the title
    alone) and − ``xref_weight`` for a cross-reference ("See …"). The rest keep their order.
    Applied after the decision, so the confidence is measured as before; the first citation is
    what moves.

    Only where a candidate stands in a section below its page's title: a corpus of flat
    articles or abstracts (SQuAD, SciFact) has no sections, and a page's name there is its
    title, which is already searched with every paragraph."""
    options = inputs.options
    if len(candidates) < 2 or inputs.section_scores is None:
        return candidates
    if not (
        options.page_weight
        or options.lead_section_weight
        or options.intro_weight
        or options.xref_weight
    ):
        return candidates
    passages = {c.hit.passage.id: c.hit.passage for c in candidates}
    # Without a section weight no term is scored: the mapping only says which have sections.
    terms = inputs.query_terms if options.lead_section_weight else ()
    sections = inputs.section_scores(terms, list(passages.values()))
    if not sections:
        return candidates
    best_section = max(sections.values(), default=0.0) or 1.0
    asked = frozenset(weighed.terms)
    page_terms = inputs.page_terms if options.page_weight else None
    named: dict[str, bool] = {}
    in_section = inputs.in_section if options.intro_weight else None

    def key(candidate: _Candidate) -> tuple[float, int, int]:
        passage = candidate.hit.passage
        score = candidate.score
        if page_terms is not None:
            if passage.source not in named:
                named[passage.source] = not page_terms(passage.source).isdisjoint(asked)
            score += options.page_weight if named[passage.source] else 0.0
        score += options.lead_section_weight * sections.get(passage.id, 0.0) / best_section
        if in_section is not None and not in_section(passage):
            score -= options.intro_weight
        if options.xref_weight and _XREF.match(candidate.text):
            score -= options.xref_weight
        return (-score, candidate.hit.rank, candidate.start)

    lead = min(candidates, key=key)
    if lead is candidates[0]:
        return candidates
    return [lead, *(c for c in candidates if c is not lead)]


def with_section(
    inputs: ComposeInputs, weighed: _Weighed, candidates: list[_Candidate]
) -> list[_Candidate]:
    """``candidates`` and the sentences of the best one's section that did not rank (scored as
    if their paragraphs ranked with the best one's), when ``blocks_first`` is on: the code a
    section shows is often in a paragraph whose prose shares few of the question's words.
    Composing only: the confidence was measured on ``candidates`` alone."""
    best = candidates[0]
    if not inputs.options.blocks_first or inputs.section_of is None:
        return candidates
    ranked = {hit.passage.id for hit in inputs.hits[: inputs.options.depth]}
    others = [p for p in inputs.section_of(best.hit.passage) if p.id not in ranked]
    if not others:
        return candidates
    hits = [Hit(p, best.hit.score, best.hit.rank) for p in others]
    top = max(hit.score for hit in inputs.hits) or 1.0
    scaled = replace(inputs, hits=hits, options=replace(inputs.options, depth=len(hits)))
    extra, _ = score_sentences(scaled, weighed)
    # score_sentences normalises the rank part by its own hits' best score: rescale it to the
    # real top hit's, as the ranked candidates have it.
    shift = inputs.options.rank_weight * (best.hit.score / top - 1.0)
    extra = [replace(c, score=c.score + shift) for c in extra]
    rest = sorted([*candidates[1:], *extra], key=lambda c: (-c.score, c.hit.rank, c.start))
    return [best, *rest]


def gather_evidence(
    inputs: ComposeInputs,
    weighed: _Weighed,
    candidates: Sequence[_Candidate],
    paragraph_share: Mapping[str, float],
) -> Evidence:
    """The signals of :class:`~retrieval.types.Evidence` for the best candidate."""
    best, weights, total = candidates[0], weighed.weights, weighed.total or 1.0
    rarest = sorted(weighed.terms, key=lambda t: -weights[t])[:2]
    rare_total = sum(weights[t] for t in rarest) or 1.0
    # Summed in question order (names is a set): the sum must not depend on the hash seed.
    names = [t for t in weighed.terms if t in weighed.names]
    names_total = sum(weights[t] for t in names)
    best_analysis = inputs.analysed(best.hit.passage)
    paragraph_terms = best_analysis.terms
    scores = sorted((hit.score for hit in inputs.hits), reverse=True)
    heaviest = max(weights.values(), default=1.0) or 1.0
    present = [inputs.idf(t) for t in weighed.terms if t in best.terms]
    ceiling = inputs.idf_ceiling or max((inputs.idf(t) for t in weighed.terms), default=1.0)
    lacking = [weights[t] for t in weighed.terms if t not in paragraph_terms]
    margin = (scores[0] - scores[1]) / scores[0] if len(scores) > 1 and scores[0] > 0 else 1.0
    scale = 1.0
    if inputs.options.share_terms and len(weighed.terms) > inputs.options.share_terms:
        heaviest_total = sum(sorted(weights.values())[-inputs.options.share_terms :])
        scale = total / (heaviest_total or total)
    content_paragraph, content_sentence = _content_shares(inputs, weighed, best, candidates)
    return Evidence(
        paragraph_share=min(1.0, paragraph_share[best.hit.passage.id] * scale),
        sentence_share=min(1.0, max(c.coverage for c in candidates) * scale),
        focus=_focus(inputs.hits, inputs.paragraph_count),
        rare_share=sum(weights[t] for t in rarest if t in best.terms) / rare_total,
        name_share=(
            sum(weights[t] for t in names if t in paragraph_terms) / names_total
            if names_total
            else 1.0
        ),
        missing_share=sum(w for t, w in weights.items() if not inputs.idf(t)) / total,
        margin=margin,
        agreement=1.0 if best.hit.rank == 1 else 0.0,
        type_asked=1.0 if weighed.cue is not None else 0.0,
        type_found=(
            _cue_strength(
                weighed.cue, best.text, set(weighed.terms), weighed.counting, inputs.analyzer
            )
            if weighed.cue is not None and best.cue
            else 0.0
        ),
        terms=math.log1p(len(weighed.terms)),
        peak=min(1.0, max(present, default=0.0) / (ceiling or 1.0)),
        level=scores[0] / total,
        gap=max(lacking, default=0.0) / heaviest,
        content_paragraph=content_paragraph,
        content_sentence=content_sentence,
        heading=(
            min(1.0, _coverage(best_analysis.context_terms, weights, total) * scale)
            if best_analysis.context_terms
            else HEADING_UNKNOWN
        ),
    )


def _specificity(generality: float | None) -> float:
    """How much a term's weight counts toward the content shares: fully for a word rare in the
    language at large (a name, a technical word), a fifth for an everyday one ("just",
    "everything"), linearly between Zipf 3 and 5.4; fully when nothing is known."""
    if generality is None:
        return 1.0
    return min(1.0, max(0.2, (6.0 - generality) / 3.0))


def _content_shares(
    inputs: ComposeInputs, weighed: _Weighed, best: _Candidate, candidates: Sequence[_Candidate]
) -> tuple[float, float]:
    """The paragraph's and the best-covering sentence's shares of the question's *content*
    weight: each term's weight times its specificity (everyday words count a fifth), absent
    everyday words left out, measured against the ``share_terms`` heaviest. A long casual
    question ("the docs say X, but after Y, Z; how do I …") is judged by its names and
    technical words, whose weight the documents' IDF alone gives to its chatter."""
    content = {
        t: w * _specificity(weighed.generality.get(t))
        for t, w in weighed.weights.items()
        if t not in weighed.everyday_missing
    }
    total = sum(content.values()) or 1.0
    share_terms = inputs.options.share_terms
    if share_terms and len(content) > share_terms:
        total = sum(sorted(content.values())[-share_terms:]) or total
    paragraph = _coverage(inputs.analysed(best.hit.passage).terms, content, total)
    sentence = max(_coverage(c.terms, content, total) for c in candidates)
    return min(1.0, paragraph), min(1.0, sentence)


def _missing_words(
    question: str,
    weighed: _Weighed,
    found: frozenset[str],
    spans_of: Callable[[str, Sequence[str]], list[tuple[int, int]]] = term_spans,
) -> tuple[str, ...]:
    """The question's words (as typed) whose terms ``found`` lacks, heaviest first, at most 3."""
    absent = sorted((t for t in weighed.terms if t not in found), key=lambda t: -weighed.weights[t])
    words: list[str] = []
    for term in absent[:3]:
        spans = spans_of(question, [term])
        if spans:
            words.append(question[spans[0][0] : spans[0][1]])
    return tuple(dict.fromkeys(words))


def _focus(hits: Sequence[Hit], paragraph_count: Callable[[str], int] | None) -> float:
    """The share of the top 5 hits that come from the first hit's document, out of as many as
    that document could supply (1 for a one-paragraph document, or without counts): a question
    the documents answer finds its words in paragraphs of one document."""
    if paragraph_count is None or not hits:
        return 1.0
    top = hits[:5]
    source = top[0].passage.source
    possible = min(len(top), max(1, paragraph_count(source)))
    same = sum(hit.passage.source == source for hit in top)
    return min(1.0, same / possible)


def _abstain(
    base: Answer, reason: AbstainReason, confidence: float, options: ComposerOptions
) -> Answer:
    related = tuple(
        Citation(i, hit.passage, hit.score)
        for i, hit in enumerate(base.hits[: options.related], start=1)
    )
    return replace(
        base, sentences=(), citations=(), related=related, abstain_reason=reason,
        confidence=confidence,
    )  # fmt: skip


def verify(answer: Answer, source_text: Callable[[str], Sliceable]) -> None:
    """Raise CitationMismatchError unless every quote is exactly its cited span of its file."""
    by_number = {c.n: c.passage for c in answer.citations}
    for sentence in answer.sentences:
        passage = by_number.get(sentence.citation)
        if passage is None:
            raise CitationMismatchError(f"sentence cites [{sentence.citation}], not in citations")
        if not passage.start <= sentence.start < sentence.end <= passage.end:
            raise CitationMismatchError(f"quote {sentence.start}:{sentence.end} outside passage")
        if source_text(passage.source)[sentence.start : sentence.end] != sentence.text:
            raise CitationMismatchError(f"quote differs from {passage.source}")
        if source_text(passage.source)[passage.start : passage.end] != passage.text:
            raise CitationMismatchError(f"passage text differs from {passage.source}")
    verify_blocks(answer, source_text)  # the code blocks, tables and lists quoted with them
