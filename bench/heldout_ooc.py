"""Out-of-corpus abstention with the threshold chosen on half the articles, reported on the other.

    .venv/bin/python bench/heldout_ooc.py [option=value ...]

Indexes the first 17 SQuAD 2.0 dev articles (as benchmark 3), answers every answerable question
of all 35 at min_confidence 0, then picks the highest threshold keeping >= 95% of the answerable
questions of the even-numbered articles and applies it to the odd-numbered ones (held out), and
to all. The confidence formula's exponents were chosen on the even-numbered articles.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import DATA, parse_options
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import (
    at_threshold,
    evaluate,
    load_squad,
    rejected_at_kept,
    summarize,
)


def main(argv: list[str]) -> None:
    engine, composer, _ = parse_options(argv)
    composer.pop("min_confidence", None)  # chosen here, on the even articles
    path = DATA / "squad" / "dev-v2.0.json"
    articles = json.loads(path.read_text(encoding="utf-8"))["data"]
    article_of = {
        qa["id"]: n for n, a in enumerate(articles) for p in a["paragraphs"] for qa in p["qas"]
    }
    eval_set = load_squad(path, include_impossible=False, corpus_articles=17)
    options = EngineOptions(**engine, composer=ComposerOptions(**composer, min_confidence=0.0))
    results = evaluate(Engine(eval_set.documents, options), eval_set).results
    even = [r for r in results if article_of[r.case.id] % 2 == 0]
    odd = [r for r in results if article_of[r.case.id] % 2 == 1]
    threshold, _ = rejected_at_kept(even, 0.95)
    for name, part in (("even (choose)", even), ("odd (held out)", odd), ("all", results)):
        m = summarize(name, at_threshold(part, threshold)).metrics
        print(
            f"{name:15} min_confidence {threshold:.3f}: answerable answered "
            f"{m['answered_when_answerable']:.3f}, out-of-corpus abstained "
            f"{m['abstained_when_unanswerable']:.3f} ({len(part)} questions)"
        )
    print(f"all, best threshold keeping 95%: {rejected_at_kept(results, 0.95)}")


if __name__ == "__main__":
    main(sys.argv[1:])
