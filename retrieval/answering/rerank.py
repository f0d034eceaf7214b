"""Re-ranking the BM25 candidates, and favouring the paragraphs a conversation already cited.

The first stage (:mod:`retrieval.index`) is exactly rank-bm25's ranking. Its top
``rerank_depth`` candidates are then re-ordered by one key per paragraph:

    BM25 / best BM25
    + rerank_weight × (share of the question's IDF weight in the paragraph's best sentence)
    + rerank_bigram_weight × (share of the question's adjacent term pairs adjacent in it)
    + document_weight × (its document's BM25 score / the best candidate document's)

Hits keep their BM25 scores; only the order changes. Kept apart from the engine so that the
ranking can be read (and tuned) without the engine's building and loading.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..types import Hit

FAVOUR_MARGIN = 1.5
"""A paragraph the earlier turn cited moves above any candidate whose BM25 score is below this
many times its own: preferred, but not over a paragraph that matches clearly better."""


class SentenceTerms(Protocol):
    """A sentence as re-ranking reads it: which terms it holds."""

    @property
    def terms(self) -> Collection[str]: ...


class CandidateTerms(Protocol):
    """A candidate paragraph as re-ranking reads it (an
    :class:`~retrieval.answering.compose.AnalysedPassage`, or just its terms that are the
    question's: membership of the question's terms and pairs is all that is asked of it)."""

    @property
    def sentences(self) -> Sequence[SentenceTerms]: ...

    @property
    def pairs(self) -> Collection[tuple[str, str]]: ...


@dataclass(frozen=True, slots=True)
class RerankWeights:
    """The re-ranking key's weights (``EngineOptions``' fields of the same names)."""

    sentence: float
    """``rerank_weight``: the best sentence's share of the question's IDF weight."""
    bigram: float
    """``rerank_bigram_weight``: the question's adjacent term pairs found in the paragraph."""
    document: float
    """``document_weight``: the paragraph's document's BM25 score, normalised."""


class _SentenceWeights:
    """A sentence's question-term weight (the weights of the question terms it holds, summed
    in question order), remembered by its set of terms: candidates' sentences repeat the same
    few sets (re-ranking reads only the question's terms), so each is summed once."""

    def __init__(self, term_weights: Mapping[str, float]) -> None:
        self._weights = term_weights
        self._known: dict[frozenset[str], float] = {}

    def __call__(self, terms: Collection[str]) -> float:
        if not isinstance(terms, frozenset):
            return sum(w for t, w in self._weights.items() if t in terms)
        found = self._known.get(terms)
        if found is None:
            found = self._known[terms] = sum(w for t, w in self._weights.items() if t in terms)
        return found


def rerank(
    terms: Sequence[str],
    top: list[tuple[int, float]],
    *,
    idf: Callable[[str], float],
    analysed: Callable[[int], CandidateTerms],
    document_of: Callable[[int], int],
    document_scores: Callable[[Sequence[str], Collection[int]], Mapping[int, float]] | None,
    weights: RerankWeights,
    extras: Sequence[Mapping[int, float] | None] = (None,),
) -> list[list[tuple[int, float]]]:
    """BM25 candidates ``top`` ((position, score), best first) in their re-ranked order, once
    per mapping of ``extras`` (each candidate's key plus that mapping's term for it).

    ``analysed`` gives a paragraph's terms by position (its analysis, or only those of its
    terms and adjacent pairs that are the question's: the key is the same); ``document_of`` the row
    of its document in the document index; ``document_scores`` those rows' BM25 scores for
    ``terms`` (None when there is no document index); ``extras`` further terms of the key by
    position (pseudo-relevance feedback's, :mod:`.expansion`; None: none), each giving one
    order from the same analysis. Scores stay BM25's.
    """
    term_weights = {t: idf(t) for t in dict.fromkeys(terms)}
    total = sum(term_weights.values()) or 1.0
    best_bm25 = top[0][1] or 1.0
    pairs = {
        (a, b): term_weights[a] + term_weights[b] for a, b in itertools.pairwise(terms) if a != b
    }
    pair_total = sum(pairs.values()) or 1.0
    document_score: Mapping[int, float] = {}
    if document_scores is not None:
        document_score = document_scores(terms, {document_of(i) for i, _ in top})
    best_document = max(document_score.values(), default=0.0) or 1.0

    weight = _SentenceWeights(term_weights)

    def key(item: tuple[int, float]) -> float:
        i, score = item
        analysis = analysed(i)
        best = max((weight(s.terms) for s in analysis.sentences), default=0.0)
        bonus = 0.0
        if pairs and weights.bigram:
            present = analysis.pairs
            bonus = sum(w for pair, w in pairs.items() if pair in present) / pair_total
        return (
            score / best_bm25
            + weights.sentence * best / total
            + weights.bigram * bonus
            + weights.document * document_score.get(document_of(i), 0.0) / best_document
        )

    keys = {item[0]: key(item) for item in top}
    return [
        sorted(
            top,
            key=lambda item: keys[item[0]] + (extra.get(item[0], 0.0) if extra else 0.0),
            reverse=True,
        )
        for extra in extras
    ]


def section_votes(
    top: Sequence[tuple[int, float]], section_of: Mapping[int, Hashable]
) -> dict[int, float]:
    """Each sectioned candidate's vote (CombSUM): the summed BM25 score, over the best
    candidate's, of the candidates ``top`` in its section, divided by the best section's sum.
    Candidates ``section_of`` does not name (no section below their page's title) neither vote
    nor get one. A section that several candidates come from is likelier the answer's than a
    lone paragraph that shares a few more of the question's words."""
    best = max((score for _, score in top), default=0.0) or 1.0
    sums: dict[Hashable, float] = {}
    for i, score in top:
        if i in section_of:
            sums[section_of[i]] = sums.get(section_of[i], 0.0) + score / best
    most = max(sums.values(), default=0.0) or 1.0
    return {i: sums[section] / most for i, section in section_of.items() if section in sums}


def favour_hits(
    hits: Sequence[Hit], favour: Collection[str], margin: float = FAVOUR_MARGIN
) -> list[Hit]:
    """``hits`` with each favoured one moved above every hit before it whose BM25 score is
    below ``margin`` times its own; ranks renumbered. Used for a conversation's follow-ups.

    A paragraph the conversation already cited is the likeliest home of a follow-up's answer,
    but a paragraph that matches the follow-up's words much better still wins.
    """
    ordered: list[Hit] = []
    for hit in hits:
        if hit.passage.id in favour:
            boosted = hit.score * margin
            at = next(
                (
                    i
                    for i, other in enumerate(ordered)
                    if other.passage.id not in favour and other.score < boosted
                ),
                len(ordered),
            )
            ordered.insert(at, hit)
        else:
            ordered.append(hit)
    return [Hit(h.passage, h.score, rank) for rank, h in enumerate(ordered, 1)]
