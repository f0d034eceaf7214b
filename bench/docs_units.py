"""Measure option combinations on a docs question set, one line each: the harness behind the
answer-unit levers of docs/quality.md.

    .venv/bin/python bench/docs_levers.py QUESTIONS CORPUS [subset=odd|even|all] \
        [option=value ...] [-- option=value ... (another combination)]

Options are EngineOptions / ComposerOptions fields, as in bench/levers.py. Prints answered,
cited-right, section-right, useful, off-topic abstained and latency p50 for each combination,
on the chosen half of the questions (odd / even id numbers), so defaults are chosen on one half
and reported on the other.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import parse_options
from bot.eval_cmd import subset
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import evaluate, load_docs

COLUMNS = (
    ("answered_when_answerable", "answered"),
    ("cited_right", "cited"),
    ("section_right", "section"),
    ("useful", "useful"),
    ("abstained_when_unanswerable", "off-topic"),
    ("latency_p50_ms", "p50 ms"),
)


def measure(questions: Path, corpus: Path, which: str, argv: list[str]) -> str:
    engine_args, composer_args, extra = parse_options(argv, frozenset({"subset"}))
    options = EngineOptions(**engine_args)
    options = replace(options, composer=replace(ComposerOptions(), **composer_args))
    engine = Engine.from_folder(corpus, options)
    report = evaluate(engine, subset(load_docs(questions), str(extra.get("subset", which))))
    values = "  ".join(
        f"{label} {report.metrics[key] or 0:.3f}" if key != "latency_p50_ms"
        else f"{label} {report.metrics[key] or 0:.2f}"
        for key, label in COLUMNS
    )  # fmt: skip
    return f"{' '.join(argv) or '(defaults)':<48} {values}"


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit(__doc__)
    questions, corpus, rest = Path(argv[0]), Path(argv[1]), argv[2:]
    which = "all"
    combos: list[list[str]] = [[]]
    for argument in rest:
        if argument == "--":
            combos.append([])
        elif argument.startswith("subset="):
            which = argument.split("=", 1)[1]
        else:
            combos[-1].append(argument)
    print(f"{questions.name} on {corpus.name}, {which} ids")
    for combo in combos:
        print(measure(questions, corpus, which, combo), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
