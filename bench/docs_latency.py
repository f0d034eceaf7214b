"""Whole-answer latency on a docs question set: ask + compose + blocks + terminal rendering.

    .venv/bin/python bench/docs_latency.py [QUESTIONS] [CORPUS] [repeats]

Each question is answered ``repeats`` times (default 5) and its fastest run kept, so that a
machine shared with other jobs measures citebot, not the scheduler; prints the p50 and the
slowest question of those minima (milliseconds). ``citebot eval`` times each question once.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.render_text import render_answer
from retrieval import Engine

DOCS = Path(__file__).resolve().parent.parent.parent / "shared" / "bench-data" / "docs"


def main(argv: list[str]) -> None:
    questions = Path(argv[0]) if argv else DOCS / "uv.jsonl"
    corpus = Path(argv[1]) if len(argv) > 1 else DOCS / "uv-md"
    repeats = int(argv[2]) if len(argv) > 2 else 5
    engine = Engine.from_folder(corpus)
    lines = questions.read_text(encoding="utf-8").splitlines()
    asked = [json.loads(line)["question"] for line in lines if line.strip()]
    fastest = []
    for question in asked:
        runs = []
        for _ in range(repeats):
            started = time.perf_counter()
            render_answer(engine.ask(question))
            runs.append(time.perf_counter() - started)
        fastest.append(min(runs) * 1000.0)
    print(
        f"{questions.name} on {corpus.name}: {len(asked)} questions, fastest of {repeats}: "
        f"p50 {statistics.median(fastest):.2f} ms, slowest question {max(fastest):.2f} ms"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
