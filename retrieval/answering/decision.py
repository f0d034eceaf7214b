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


# Fitted by `.venv/bin/python bench/fit_confidence.py` (see docs/quality.md, round 4).
MODEL = DecisionModel(
    bias=-3.05713,
    weights={
        "log_paragraph": 0.0985493,
        "log_sentence": 0.73684,
        "log_focus": 0.235999,
        "log_rare": -0.126459,
        "log_names": 0.0569869,
        "missing": -1.31205,
        "margin": 0.381573,
        "agreement": 0.515644,
        "type_asked": -0.496263,
        "type_found": 0.873316,
        "terms": 1.27918,
        "peak": 1.45537,
        "log_level": 0.377487,
        "gap": 0.580349,
        "log_content_paragraph": 0.126364,
        "log_content_sentence": 0.31783,
    },
    pairs={
        ("log_paragraph", "log_sentence"): -0.194495,
        ("log_paragraph", "log_focus"): -0.196888,
        ("log_paragraph", "log_level"): -0.301468,
        ("log_paragraph", "log_content_paragraph"): -0.0381252,
        ("log_paragraph", "log_content_sentence"): -0.070691,
        ("log_paragraph", "margin"): -1.07371,
        ("log_paragraph", "terms"): 0.000976311,
        ("log_paragraph", "log_names"): -0.0449906,
        ("log_paragraph", "peak"): -0.082295,
        ("log_sentence", "log_focus"): -0.176603,
        ("log_sentence", "log_level"): -0.3702,
        ("log_sentence", "log_content_paragraph"): -0.138863,
        ("log_sentence", "log_content_sentence"): -0.228058,
        ("log_sentence", "margin"): 0.93029,
        ("log_sentence", "terms"): 0.344946,
        ("log_sentence", "log_names"): -0.0530982,
        ("log_sentence", "peak"): 0.70589,
        ("log_focus", "log_level"): -0.340765,
        ("log_focus", "log_content_paragraph"): -0.292465,
        ("log_focus", "log_content_sentence"): -0.246215,
        ("log_focus", "margin"): -0.968137,
        ("log_focus", "terms"): 0.124345,
        ("log_focus", "log_names"): -0.0948223,
        ("log_focus", "peak"): 0.154011,
        ("log_level", "log_content_paragraph"): -0.206803,
        ("log_level", "log_content_sentence"): -0.267332,
        ("log_level", "margin"): 0.439242,
        ("log_level", "terms"): 0.211396,
        ("log_level", "log_names"): -0.0782951,
        ("log_level", "peak"): 0.506816,
        ("log_content_paragraph", "log_content_sentence"): -0.0509123,
        ("log_content_paragraph", "margin"): 0.16012,
        ("log_content_paragraph", "terms"): 0.016987,
        ("log_content_paragraph", "log_names"): -0.0158907,
        ("log_content_paragraph", "peak"): 0.18807,
        ("log_content_sentence", "margin"): 0.465751,
        ("log_content_sentence", "terms"): 0.125692,
        ("log_content_sentence", "log_names"): -0.0153956,
        ("log_content_sentence", "peak"): 0.467832,
        ("margin", "terms"): 0.61413,
        ("margin", "log_names"): 0.175684,
        ("margin", "peak"): 0.485586,
        ("terms", "log_names"): 0.0205549,
        ("terms", "peak"): 0.886291,
        ("log_names", "peak"): 0.0504497,
    },
)


def calibrated_confidence(evidence: Evidence, model: DecisionModel = MODEL) -> float:
    """The probability that an answer with this evidence is right, 0..1."""
    return model.probability(evidence)
