"""Evaluation: question sets in, retrieval / answer / abstention metrics out.

``datasets`` reads the question files (citebot JSONL, docs questions, SQuAD, BEIR), ``metrics``
holds the pure numbers, ``evaluate`` runs and summarises, ``calibration`` says whether the
confidence means what it says. Used by ``citebot eval`` and ``bench/``; nothing on the
answering path imports it."""

from .calibration import Reliability, ReliabilityBin, is_right, reliability
from .evaluate import *  # noqa: F403 — the public names are evaluate's __all__
from .evaluate import __all__ as _evaluate_names

__all__ = [*_evaluate_names, "Reliability", "ReliabilityBin", "is_right", "reliability"]
