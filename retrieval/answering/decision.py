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
asked), with the odd-numbered questions of two documentation sets at a tenth of the weight, and
checked on the odd-numbered articles and the even-numbered docs questions; the script prints
the block to paste here. Besides each feature, the model weighs the pairwise products of
:data:`INTERACTING` (how much one signal counts depends on another); the standardisation used
when fitting is folded into the raw weights below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

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

INTERACTING = (
    "log_paragraph",
    "log_sentence",
    "log_focus",
    "log_level",
    "log_content_paragraph",
    "log_content_sentence",
    "margin",
    "terms",
    "log_names",
    "peak",
)
"""The features whose pairwise products the model also weighs: how much one signal counts
depends on another (a high share means more when the paragraph also stands out, less for a
question of two words)."""

PAIRS = tuple((a, b) for i, a in enumerate(INTERACTING) for b in INTERACTING[i + 1 :])
"""The products, in a fixed order."""


@dataclass(frozen=True, slots=True)
class DecisionModel:
    """A logistic model: P(right) = 1 / (1 + exp(-(bias + Σ weight × feature + Σ pair weight ×
    feature × feature)))."""

    bias: float
    weights: Mapping[str, float]
    pairs: Mapping[tuple[str, str], float] = field(default_factory=dict)

    def probability(self, evidence: Evidence) -> float:
        features = evidence.features()
        z = self.bias + sum(w * features[name] for name, w in self.weights.items())
        z += sum(w * features[a] * features[b] for (a, b), w in self.pairs.items())
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-min(z, 30.0)))


# Fitted by `.venv/bin/python bench/fit_confidence.py` (see docs/quality.md, round 5).
MODEL = DecisionModel(
    bias=-3.83595,
    weights={
        "log_paragraph": 0.112351,
        "log_sentence": 0.753541,
        "log_focus": 0.369049,
        "log_rare": -0.168077,
        "log_names": 0.0467835,
        "missing": -1.20136,
        "margin": 0.50955,
        "agreement": 0.965648,
        "type_asked": -0.496949,
        "type_found": 0.834506,
        "terms": 1.50161,
        "peak": 1.67749,
        "log_level": 0.343763,
        "gap": 0.407573,
        "log_content_paragraph": 0.13361,
        "log_content_sentence": 0.308679,
    },
    pairs={
        ("log_paragraph", "log_sentence"): -0.214987,
        ("log_paragraph", "log_focus"): -0.160525,
        ("log_paragraph", "log_level"): -0.302104,
        ("log_paragraph", "log_content_paragraph"): -0.0595397,
        ("log_paragraph", "log_content_sentence"): -0.0752614,
        ("log_paragraph", "margin"): -0.767526,
        ("log_paragraph", "terms"): -0.0705279,
        ("log_paragraph", "log_names"): -0.0406499,
        ("log_paragraph", "peak"): -0.00621394,
        ("log_sentence", "log_focus"): -0.159395,
        ("log_sentence", "log_level"): -0.364448,
        ("log_sentence", "log_content_paragraph"): -0.163381,
        ("log_sentence", "log_content_sentence"): -0.236856,
        ("log_sentence", "margin"): 0.991581,
        ("log_sentence", "terms"): 0.27004,
        ("log_sentence", "log_names"): -0.0539948,
        ("log_sentence", "peak"): 0.762108,
        ("log_focus", "log_level"): -0.0170136,
        ("log_focus", "log_content_paragraph"): -0.152318,
        ("log_focus", "log_content_sentence"): -0.073971,
        ("log_focus", "margin"): -1.16434,
        ("log_focus", "terms"): 0.182888,
        ("log_focus", "log_names"): -0.0963936,
        ("log_focus", "peak"): 0.36875,
        ("log_level", "log_content_paragraph"): -0.19921,
        ("log_level", "log_content_sentence"): -0.24198,
        ("log_level", "margin"): 0.65562,
        ("log_level", "terms"): 0.116902,
        ("log_level", "log_names"): -0.0701908,
        ("log_level", "peak"): 0.611278,
        ("log_content_paragraph", "log_content_sentence"): -0.0605639,
        ("log_content_paragraph", "margin"): 0.598169,
        ("log_content_paragraph", "terms"): -0.0693501,
        ("log_content_paragraph", "log_names"): -0.009477,
        ("log_content_paragraph", "peak"): 0.229154,
        ("log_content_sentence", "margin"): 0.595456,
        ("log_content_sentence", "terms"): 0.0126416,
        ("log_content_sentence", "log_names"): -0.0132825,
        ("log_content_sentence", "peak"): 0.475042,
        ("margin", "terms"): 0.496854,
        ("margin", "log_names"): 0.294682,
        ("margin", "peak"): 0.836647,
        ("terms", "log_names"): -0.025063,
        ("terms", "peak"): 0.747368,
        ("log_names", "peak"): 0.0577346,
    },
)


def calibrated_confidence(evidence: Evidence, model: DecisionModel = MODEL) -> float:
    """The probability that an answer with this evidence is right, 0..1."""
    return model.probability(evidence)
