"""Are the answers the same? Every answer of a question set, as JSON, to compare two checkouts.

Speed work on the answer path must never change what an answer says. This writes, per question,
everything a user could see or a caller could read — the ``--json`` object (``bot.jsonout``)
with exact (unrounded) scores, confidence and evidence, the terminal rendering and the Discord
payload — so that two runs, one per checkout, can be compared byte for byte:

    # on the older checkout (its code first on the path), then on this one
    PYTHONPATH=/path/to/old .venv/bin/python -m bench.answer_identity --corpus seeds \\
        --questions tests/data/seed_questions.jsonl --out /tmp/old.json
    .venv/bin/python -m bench.answer_identity --corpus seeds \\
        --questions tests/data/seed_questions.jsonl --out /tmp/new.json
    .venv/bin/python -m bench.answer_identity --compare /tmp/old.json /tmp/new.json

``--index-dir`` answers from a saved index (built there first when it is missing or stale), the
path a large corpus takes; without it the engine is built in memory.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _questions(path: Path, limit: int) -> list[str]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line)["question"] for line in lines if line.strip()][:limit]


def _exact(value: Any) -> Any:
    """Floats as their repr (bit-exact), recursively."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _exact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_exact(v) for v in value]
    return value


def answers(corpus: Path, questions: Sequence[str], index_dir: Path | None) -> list[Any]:
    """What each question's answer shows, as JSON-able values."""
    from bot.discord_render import render_answer as discord_answer
    from bot.jsonout import answer_to_json, error_to_json
    from bot.render_text import render_answer
    from retrieval import Engine, open_engine
    from retrieval.errors import QuestionError

    engine = (
        Engine.from_folder(corpus)
        if index_dir is None
        else open_engine(corpus, index_dir=index_dir)[0]
    )
    out: list[Any] = []
    for question in questions:
        try:
            answer = engine.ask(question)
        except QuestionError as error:
            out.append({"error": error_to_json(question, str(error))})
            continue
        record = answer_to_json(answer)
        record["confidence"] = answer.confidence
        record["hits"] = [[h.passage.id, h.score, h.rank] for h in answer.hits]
        record["evidence"] = dataclasses.asdict(answer.evidence) if answer.evidence else None
        record["missing"] = list(answer.missing)
        record["variants"] = [list(v) for v in answer.variants]
        record["query_terms"] = list(answer.query_terms)
        record["text_render"] = render_answer(answer)
        record["discord_render"] = repr(discord_answer(answer))
        out.append(_exact(record))
    return out


def compare(old_path: Path, new_path: Path) -> int:
    old = json.loads(old_path.read_text(encoding="utf-8"))
    new = json.loads(new_path.read_text(encoding="utf-8"))
    if old["questions"] != new["questions"]:
        print("the two runs asked different questions")
        return 2
    differ = [
        i for i, (a, b) in enumerate(zip(old["answers"], new["answers"], strict=True)) if a != b
    ]
    print(f"{len(old['answers'])} answers compared, {len(differ)} differ")
    for i in differ[:5]:
        a, b = old["answers"][i], new["answers"][i]
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        print(f"  #{i} {old['questions'][i]!r}: fields differ: {', '.join(keys)}")
    return 1 if differ else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer_identity", description=__doc__)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--questions", type=Path)
    parser.add_argument("--limit", type=int, default=300)
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"))
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not (args.corpus and args.questions and args.out):
        parser.error("--corpus, --questions and --out are needed (or --compare OLD NEW)")
    questions = _questions(args.questions, args.limit)
    result = {"questions": questions, "answers": answers(args.corpus, questions, args.index_dir)}
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(questions)} answers written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
