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
    "log_heading",
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


# Fitted by `.venv/bin/python bench/fit_confidence.py` (see docs/quality.md, round 7: round 5's
# features and products with `log_heading`).
MODEL = DecisionModel(
    bias=-3.27318,
    weights={
        "log_paragraph": 0.0860698,
        "log_sentence": 0.713335,
        "log_focus": 0.281356,
        "log_rare": -0.138307,
        "log_names": 0.0523862,
        "missing": -0.936653,
        "margin": 0.739692,
        "agreement": 0.794467,
        "type_asked": -0.443512,
        "type_found": 0.73981,
        "terms": 1.43785,
        "peak": 1.67904,
        "log_level": 0.348655,
        "gap": 0.44807,
        "log_content_paragraph": 0.128925,
        "log_content_sentence": 0.299793,
        "log_heading": 0.17659,
    },
    pairs={
        ("log_paragraph", "log_sentence"): -0.234732,
        ("log_paragraph", "log_focus"): -0.112347,
        ("log_paragraph", "log_level"): -0.335177,
        ("log_paragraph", "log_content_paragraph"): -0.0679261,
        ("log_paragraph", "log_content_sentence"): -0.0785287,
        ("log_paragraph", "margin"): -0.782952,
        ("log_paragraph", "terms"): -0.129499,
        ("log_paragraph", "log_names"): -0.0437376,
        ("log_paragraph", "peak"): 0.00856748,
        ("log_sentence", "log_focus"): -0.125972,
        ("log_sentence", "log_level"): -0.404081,
        ("log_sentence", "log_content_paragraph"): -0.178077,
        ("log_sentence", "log_content_sentence"): -0.245185,
        ("log_sentence", "margin"): 1.08526,
        ("log_sentence", "terms"): 0.225663,
        ("log_sentence", "log_names"): -0.0556695,
        ("log_sentence", "peak"): 0.772648,
        ("log_focus", "log_level"): -0.275732,
        ("log_focus", "log_content_paragraph"): -0.0852111,
        ("log_focus", "log_content_sentence"): -0.0332609,
        ("log_focus", "margin"): -1.11343,
        ("log_focus", "terms"): 0.0963549,
        ("log_focus", "log_names"): -0.11792,
        ("log_focus", "peak"): 0.402272,
        ("log_level", "log_content_paragraph"): -0.202807,
        ("log_level", "log_content_sentence"): -0.220628,
        ("log_level", "margin"): 0.960498,
        ("log_level", "terms"): 0.0933259,
        ("log_level", "log_names"): -0.0751522,
        ("log_level", "peak"): 0.508951,
        ("log_content_paragraph", "log_content_sentence"): -0.0617635,
        ("log_content_paragraph", "margin"): 0.533492,
        ("log_content_paragraph", "terms"): -0.113603,
        ("log_content_paragraph", "log_names"): -0.013923,
        ("log_content_paragraph", "peak"): 0.2313,
        ("log_content_sentence", "margin"): 0.866036,
        ("log_content_sentence", "terms"): -0.0324046,
        ("log_content_sentence", "log_names"): -0.0175635,
        ("log_content_sentence", "peak"): 0.474262,
        ("margin", "terms"): 0.601191,
        ("margin", "log_names"): 0.11535,
        ("margin", "peak"): 0.863594,
        ("terms", "log_names"): -0.0114514,
        ("terms", "peak"): 0.703362,
        ("log_names", "peak"): 0.0651734,
    },
)


HEADING_UNKNOWN = 0.0129
"""The ``heading`` share given to a paragraph under no title or heading at all (a plain-text
file without one): the share whose log is the mean ``log_heading`` of the rows the model was
fitted on, so that the feature weighs as it does on average instead of as "the question names
none of its headings" (printed by ``bench/fit_confidence.py``)."""


def calibrated_confidence(evidence: Evidence, model: DecisionModel = MODEL) -> float:
    """The probability that an answer with this evidence is right, 0..1."""
    return model.probability(evidence)
