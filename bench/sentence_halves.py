"""Top sentence / answer contains gold on SQuAD 2.0 dev, by half of the articles.

    .venv/bin/python bench/sentence_halves.py [option=value ...] [-- option=value ...]

Corpus = all 1,204 paragraphs, the 5,928 answerable questions (as ``citebot eval … --format squad
--answerable-only``), answered once at min_confidence 0; printed per half (even- / odd-numbered
articles) at 0 ("@0": the choice of sentences, whatever the answer/abstain decision does) and at
the option set's own ``min_confidence`` (the default unless given), and for all questions at it.
Composer levers are chosen on the even articles and reported on the odd ones. Each ``--``
separates another combination of EngineOptions / ComposerOptions fields.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import DATA, parse_options
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import EvalSet, at_threshold, evaluate, load_squad, summarize

SQUAD = DATA / "squad" / "dev-v2.0.json"


def measure(eval_set: EvalSet, article_of: dict[str, int], argv: list[str]) -> str:
    """One line for one combination of options."""
    engine_opts, composer, _ = parse_options(argv)
    threshold = float(composer.pop("min_confidence", ComposerOptions().min_confidence))
    options = EngineOptions(**engine_opts, composer=ComposerOptions(**composer, min_confidence=0.0))
    results = evaluate(Engine(eval_set.documents, options), eval_set).results
    parts = [" ".join(argv) or "(defaults)"]
    for name, parity in (("even", 0), ("odd", 1)):
        half = [r for r in results if article_of[r.case.id] % 2 == parity]
        at0 = summarize(name, half).metrics
        at = summarize(name, at_threshold(half, threshold)).metrics
        parts.append(
            f"{name}: @0 top {at0['top_sentence_contains']:.4f} answer {at0['answer_contains']:.4f}"
            f", @{threshold:g} top {at['top_sentence_contains']:.4f} answer "
            f"{at['answer_contains']:.4f}"
        )
    every = summarize("all", at_threshold(results, threshold)).metrics
    parts.append(
        f"all @{threshold:g}: top {every['top_sentence_contains']:.4f} answer "
        f"{every['answer_contains']:.4f} answered {every['answered_when_answerable']:.3f}"
    )
    return " | ".join(parts)


def main(argv: list[str]) -> None:
    articles = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    article_of = {
        qa["id"]: n for n, a in enumerate(articles) for p in a["paragraphs"] for qa in p["qas"]
    }
    eval_set = load_squad(SQUAD, include_impossible=False)
    combinations: list[list[str]] = [[]]
    for argument in argv:
        if argument == "--":
            combinations.append([])
        else:
            combinations[-1].append(argument)
    for combination in combinations:
        print(measure(eval_set, article_of, combination), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
