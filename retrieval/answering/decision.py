"""The answer decision: how likely the composed answer is right, from what tells an answer from a
near-miss.

A question the documents answer finds its rarest words and its names together in one sentence,
in a paragraph that stands out from the rest, in a document the other top hits agree on; a
question they do not answer matches common words ("city", "population", "century") scattered
over paragraphs that look alike. :class:`Evidence` measures those signals for the best
candidate sentence, and :func:`calibrated_confidence` combines them with a small logistic model
into the probability that the answer is right (its quote holds the answer, from the right
paragraph), so that 0.9 means about nine in ten right.

The weights below are fitted offline by ``bench/fit_confidence.py`` on the even-numbered SQuAD
2.0 dev articles of the out-of-corpus split (17 articles indexed, the questions of all 35
asked) and checked on the odd-numbered ones; the script prints the block to paste here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

_EPS = 0.02
"""Added before taking logs of shares, so that a share of 0 is a large penalty, not -inf."""


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

    def features(self) -> dict[str, float]:
        """The model's inputs: shares as logs (a share of 0 is strong evidence), the rest as
        they are."""
        return {
            "log_paragraph": math.log(self.paragraph_share + _EPS),
            "log_sentence": math.log(self.sentence_share + _EPS),
            "log_focus": math.log(self.focus + _EPS),
            "log_rare": math.log(self.rare_share + _EPS),
            "log_names": math.log(self.name_share + _EPS),
            "missing": self.missing_share,
            "margin": self.margin,
            "agreement": self.agreement,
            "type_asked": self.type_asked,
            "type_found": self.type_found,
            "terms": self.terms,
        }


FEATURES = tuple(f.name for f in fields(Evidence))


@dataclass(frozen=True, slots=True)
class DecisionModel:
    """A logistic model: P(right) = 1 / (1 + exp(-(bias + Σ weight × feature)))."""

    bias: float
    weights: Mapping[str, float]

    def probability(self, evidence: Evidence) -> float:
        features = evidence.features()
        z = self.bias + sum(w * features[name] for name, w in self.weights.items())
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))


# Fitted by `.venv/bin/python bench/fit_confidence.py` (see docs/quality.md, round 4).
MODEL = DecisionModel(
    bias=0.0,
    weights={
        "log_paragraph": 0.5,
        "log_sentence": 0.5,
        "log_focus": 0.3,
    },
)


def calibrated_confidence(evidence: Evidence, model: DecisionModel = MODEL) -> float:
    """The probability that an answer with this evidence is right, 0..1."""
    return model.probability(evidence)
