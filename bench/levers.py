"""Measure one combination of engine/composer options on all three benchmarks, in one line.

    .venv/bin/python bench/levers.py [only=squad,scifact,ooc] [option=value ...]

Options are EngineOptions / ComposerOptions fields (e.g. ``k1=1.2 rerank_depth=0
min_confidence=0``); unnamed ones keep their defaults. Prints SQuAD 2.0 (answerable questions,
all 1,204 paragraphs) R@1, R@5, MRR@10, top sentence / answer contains gold, share answered;
SciFact nDCG@10, R@100; out-of-corpus (first 17 articles indexed) answered / abstained at the
given min_confidence, and the best abstained share keeping >= 95% of answerable questions.
This is the harness behind the "what was tried" table of docs/quality.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import (
    at_threshold,
    evaluate,
    load_beir,
    load_squad,
    rejected_at_kept,
    summarize,
)

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "bench-data"


def _value(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"True": True, "False": False}.get(text, text)


def parse_options(
    argv: list[str], extra: frozenset[str] = frozenset()
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``name=value`` arguments split into (EngineOptions fields, ComposerOptions fields, the
    ``extra`` names), shared by every script here so they all take the same option names.
    Anything else stops the script: a misspelt option would silently measure the defaults."""
    for argument in argv:
        if "=" not in argument:
            sys.exit(f"{argument!r}: expected name=value")
    given = {k: _value(v) for k, v in (a.split("=", 1) for a in argv)}
    composer_fields = set(ComposerOptions.__dataclass_fields__)
    engine_fields = set(EngineOptions.__dataclass_fields__)
    unknown = sorted(set(given) - composer_fields - engine_fields - extra)
    if unknown:
        sys.exit(f"not an EngineOptions / ComposerOptions field: {', '.join(unknown)}")
    composer = {k: v for k, v in given.items() if k in composer_fields}
    engine = {k: v for k, v in given.items() if k in engine_fields}
    rest = {k: v for k, v in given.items() if k in extra}
    return engine, composer, rest


def main(argv: list[str]) -> None:
    engine, composer, rest = parse_options(argv, frozenset({"only"}))
    which = str(rest.get("only", "squad,scifact,ooc"))

    def options(**extra: Any) -> EngineOptions:
        return EngineOptions(**engine, composer=ComposerOptions(**{**composer, **extra}))

    out: dict[str, float] = {}
    started = time.perf_counter()
    squad = DATA / "squad" / "dev-v2.0.json"
    if "squad" in which:
        eval_set = load_squad(squad, include_impossible=False)
        m = evaluate(Engine(eval_set.documents, options()), eval_set).metrics
        for name, key in [
            ("R1", "recall@1"),
            ("R5", "recall@5"),
            ("MRR", "mrr@10"),
            ("top", "top_sentence_contains"),
            ("ans", "answer_contains"),
            ("answered", "answered_when_answerable"),
            ("p50", "latency_p50_ms"),
            ("p99", "latency_p99_ms"),
        ]:
            out[name] = float(m[key] or 0.0)
    if "scifact" in which:
        eval_set = load_beir(DATA / "scifact")
        m = evaluate(Engine(eval_set.documents, options()), eval_set).metrics
        out["ndcg"] = float(m["ndcg@10"] or 0.0)
        out["R100"] = float(m["recall@100"] or 0.0)
    if "ooc" in which:
        eval_set = load_squad(squad, include_impossible=False, corpus_articles=17)
        report = evaluate(Engine(eval_set.documents, options(min_confidence=0.0)), eval_set)
        threshold = ComposerOptions(**composer).min_confidence
        m = summarize("ooc", at_threshold(report.results, threshold)).metrics
        out["ooc_kept"] = float(m["answered_when_answerable"] or 0.0)
        out["ooc_rej"] = float(m["abstained_when_unanswerable"] or 0.0)
        out["th95"], out["rej95"] = rejected_at_kept(report.results, 0.95)
    line = " ".join(f"{k}={v:.3f}" for k, v in out.items())
    print(f"{line} [{time.perf_counter() - started:.0f}s] {' '.join(argv)}")


if __name__ == "__main__":
    main(sys.argv[1:])
