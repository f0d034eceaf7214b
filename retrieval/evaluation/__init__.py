"""Evaluation: question sets in, retrieval / answer / abstention metrics out.

``datasets`` reads the question files (citebot JSONL, docs questions, SQuAD, BEIR), ``metrics``
holds the pure numbers, ``evaluate`` runs and summarises. Used by ``citebot eval`` and
``bench/``; nothing on the answering path imports it."""

from .evaluate import *  # noqa: F403 — the public names are evaluate's __all__
from .evaluate import __all__ as __all__
