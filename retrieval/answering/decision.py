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
    "log_content_paragraph",
    "log_content_sentence",
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
    bias=0.5029,
    weights={
        "log_paragraph": 0.7942,
        "log_sentence": 1.1832,
        "log_focus": 0.7388,
        "log_rare": 0.0735,
        "log_names": 0.4394,
        "missing": -0.2597,
        "margin": 0.5654,
        "agreement": 0.4106,
        "type_asked": -0.0897,
        "type_found": 0.2979,
        "terms": 0.7050,
        "peak": 0.3064,
        "log_level": 1.0770,
        "gap": -0.0149,
        "log_content_paragraph": 0.6789,
        "log_content_sentence": 0.8054,
    },
)


def calibrated_confidence(evidence: Evidence, model: DecisionModel = MODEL) -> float:
    """The probability that an answer with this evidence is right, 0..1."""
    return model.probability(evidence)
