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
from dataclasses import dataclass

from ..types import Evidence

FEATURE_NAMES = (
    "log_paragraph",
    "log_sentence",
    "log_focus",
    "log_rare",
    "log_names",
    "missing",
    "margin",
    "agreement",
    "type_asked",
    "type_found",
    "terms",
    "peak",
    "log_level",
    "gap",
)
"""The model's inputs, as :meth:`Evidence.features` names them."""


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
    bias=0.3346,
    weights={
        "log_paragraph": 1.0358,
        "log_sentence": 1.4545,
        "log_focus": 0.8166,
        "log_rare": 0.1766,
        "log_names": 0.4902,
        "missing": -0.2050,
        "margin": 0.6426,
        "agreement": 0.4874,
        "type_asked": -0.0969,
        "type_found": 0.3084,
        "terms": 0.6482,
        "peak": 0.3769,
        "log_level": 1.2383,
        "gap": -0.1279,
    },
)


def calibrated_confidence(evidence: Evidence, model: DecisionModel = MODEL) -> float:
    """The probability that an answer with this evidence is right, 0..1."""
    return model.probability(evidence)
