"""Calibration of the confidence: does 0.9 mean about nine answers in ten right?

An answer counts as right when its case passed (for an answerable question: it quotes a gold
answer and cites the gold paragraph; an answer to an unanswerable question is wrong). Only
answered cases are judged: the confidence of an abstention says how sure the answer would have
been, and what that answer would have said was not recorded (run at ``min_confidence`` 0, as
``--curve`` does, to judge every question). Cases nobody judged (``answerable: null``) are
left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .evaluate import CaseResult

BINS = 10


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_confidence: float
    right: float
    """Share of this bin's answers that were right."""


@dataclass(frozen=True, slots=True)
class Reliability:
    bins: tuple[ReliabilityBin, ...]
    """The non-empty bins of equal width over 0..1, lowest first."""
    ece: float
    """Expected calibration error: Σ (bin count / total) × |mean confidence - share right|."""
    judged: int


def is_right(result: CaseResult) -> bool:
    """Whether an answered case's answer was right."""
    return result.answered and result.case.answerable is True and result.passed


def reliability(results: Sequence[CaseResult], bins: int = BINS) -> Reliability | None:
    """The reliability table and ECE of the answered, judged cases; None when there are none."""
    judged = [r for r in results if r.answered and r.case.answerable is not None]
    if not judged:
        return None
    table = []
    ece = 0.0
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        members = [
            r for r in judged if low <= r.confidence < high or (b == bins - 1 and r.confidence >= 1)
        ]
        if not members:
            continue
        mean = sum(r.confidence for r in members) / len(members)
        right = sum(is_right(r) for r in members) / len(members)
        ece += len(members) / len(judged) * abs(mean - right)
        table.append(ReliabilityBin(low, high, len(members), mean, right))
    return Reliability(tuple(table), ece, len(judged))
