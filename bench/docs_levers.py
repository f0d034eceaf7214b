"""Measure one combination of engine/composer options on a documentation question set, in one line.

    .venv/bin/python bench/docs_levers.py [questions=FILE corpus=DIR] [subset=odd|even]
                                           [option=value ...]

Default set: uv's Markdown docs (``../shared/bench-data/docs/uv.jsonl`` over ``uv-md``), scored
by the rules of ``../shared/bench-data/docs/README.md``. ``subset`` keeps the questions whose id
number is odd / even (choose a default on one half, report the other). Options are EngineOptions /
ComposerOptions fields, as in ``bench/levers.py`` (e.g. ``unit_terms=0``). Prints R@1, R@5,
answered, off-topic abstained, cited-right, section-right, useful.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import DATA, parse_options
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import evaluate
from retrieval.evaluation.datasets import load_docs

METRICS = (
    ("R1", "recall@1"),
    ("R5", "recall@5"),
    ("answered", "answered_when_answerable"),
    ("off-topic abstained", "abstained_when_unanswerable"),
    ("cited", "cited_right"),
    ("section", "section_right"),
    ("useful", "useful"),
)


def main(argv: list[str]) -> None:
    engine, composer, rest = parse_options(argv, frozenset({"questions", "corpus", "subset"}))
    questions = Path(str(rest.get("questions", DATA / "docs" / "uv.jsonl")))
    corpus = Path(str(rest.get("corpus", DATA / "docs" / "uv-md")))
    eval_set = load_docs(questions, corpus=corpus)
    subset = rest.get("subset")
    if subset in ("odd", "even"):
        parity = 1 if subset == "odd" else 0
        kept = tuple(
            case for case in eval_set.cases if int(re.sub(r"\D", "", case.id) or 0) % 2 == parity
        )
        eval_set = dataclasses.replace(eval_set, cases=kept)
    options = EngineOptions(**engine, composer=ComposerOptions(**composer))
    metrics = evaluate(Engine.from_folder(corpus, options), eval_set).metrics
    shown = "  ".join(f"{label} {metrics[key]:.2f}" for label, key in METRICS)
    print(f"{questions.name} ({subset or 'all'}, {len(eval_set.cases)} questions): {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
