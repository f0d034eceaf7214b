"""Where the SQuAD top-sentence loss is: split by whether the gold paragraph ranked first.

    .venv/bin/python bench/oracle_split.py [option=value ...]

Answers every answerable SQuAD 2.0 dev question (all 1,204 paragraphs indexed) once at
min_confidence 0, then reports "top sentence contains gold" (a) when the gold paragraph is
ranked 1st and (b) when it is not, each with and without the default abstention threshold, and
the ceiling: the share of questions whose gold paragraph has one sentence containing the answer.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import DATA, parse_options
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import at_threshold, contains_answer, evaluate, load_squad
from retrieval.splitting.sentences import split_sentences


def main(argv: list[str]) -> None:
    engine_options, composer, _ = parse_options(argv)
    threshold = float(composer.pop("min_confidence", ComposerOptions().min_confidence))
    eval_set = load_squad(DATA / "squad" / "dev-v2.0.json", include_impossible=False)
    options = EngineOptions(
        **engine_options, composer=ComposerOptions(**composer, min_confidence=0.0)
    )
    engine = Engine(eval_set.documents, options)
    free = evaluate(engine, eval_set).results
    kept = at_threshold(free, threshold)
    by_key = {(p.source, p.paragraph): p for p in engine.passages}

    def one_sentence(case_index: int) -> bool:
        case = free[case_index].case
        passage = by_key[(case.source, case.paragraph)]
        return any(
            contains_answer(passage.text[s:e], case.answers)
            for s, e in split_sentences(passage.text)
        )

    rows = [
        ("all", list(range(len(free)))),
        ("(a) gold paragraph ranked 1st", [i for i, r in enumerate(free) if r.gold_rank == 1]),
        ("(b) gold paragraph not 1st", [i for i, r in enumerate(free) if r.gold_rank != 1]),
    ]
    header = ["n", "share", "top@0", "top@t", "ans@0", "ans@t", "abst@t", "1-sent"]
    print(f"{'questions':32} " + " ".join(f"{h:>6}" for h in header))
    for name, ids in rows:
        n = len(ids) or 1
        print(
            f"{name:32} {len(ids):6d} {len(ids) / len(free):6.3f} "
            f"{sum(bool(free[i].top_contains) for i in ids) / n:6.3f} "
            f"{sum(bool(kept[i].top_contains) for i in ids) / n:6.3f} "
            f"{sum(bool(free[i].answer_contains) for i in ids) / n:6.3f} "
            f"{sum(bool(kept[i].answer_contains) for i in ids) / n:6.3f} "
            f"{sum(not kept[i].answered for i in ids) / n:6.3f} "
            f"{sum(one_sentence(i) for i in ids) / n:6.3f}"
        )
    print(
        f"top@0 / ans@0: at min_confidence 0 (never abstaining); @t: at {threshold}; abst@t: "
        "abstained at t; 1-sent: the gold paragraph has a sentence containing gold"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
