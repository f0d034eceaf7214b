"""Follow-ups and topic switches, measured: does the conversation help, and does it pollute?

    .venv/bin/python bench/conversation.py [--squad PATH] [--no-squad] [--json]
        [--min-own-share X] [--borrowed-weight X]

1. **Scripted** (``tests/data/conversations.jsonl``, over ``seeds/``, also run by the tests):
   every turn after the first is either a follow-up, which must cite its expected paragraph
   first (or abstain when none is expected), or a topic switch (``"switch": true``), which must
   do the same *and* not be marked as a follow-up. Each is also asked alone, without the
   conversation, to show what the conversation adds.
2. **Synthetic, from SQuAD 2.0 dev** (all 35 articles indexed, as benchmark 1): for consecutive
   answerable questions Q1, Q2 on the same paragraph, the words of Q2 naming what Q1 also names
   (the longest run of shared words holding a capitalised one, e.g. "Normandy") are replaced
   by "it": "When were the Normans in Normandy?" after "In what country is Normandy located?"
   becomes "When were the Normans in it?". Success: the answer's first citation is Q2's
   paragraph. Asked after Q1 in a conversation, alone, and (as an upper bound) unrewritten.
   Topic switches pair each Q1 with an unrewritten question of another article; *pure* means
   it is answered exactly as it is alone (same first paragraph, or abstention, both times).
   Articles are split even/odd so a change tuned on one half can be checked on the other.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval import Answer, Engine, QuestionError  # noqa: E402
from retrieval.analysis.tokenizer import STOPWORDS, analyze  # noqa: E402
from retrieval.answering.conversation import Conversation, answer_in  # noqa: E402
from retrieval.evaluation import load_squad  # noqa: E402

SCRIPTED = ROOT / "tests" / "data" / "conversations.jsonl"
SQUAD = ROOT.parent / "shared" / "bench-data" / "squad" / "dev-v2.0.json"


def first_paragraph(answer: Answer) -> tuple[str, int] | None:
    """Where the answer's first citation points, or None for an abstention."""
    if not answer.citations:
        return None
    passage = answer.citations[0].passage
    return passage.source, passage.paragraph


OPTIONS: dict[str, float] = {}
"""``answer_in`` keyword arguments from the command line (the levers of docs/quality.md)."""


def _ask(engine: Engine, conversation: Conversation | None, question: str) -> Answer | None:
    try:
        return answer_in(engine, conversation, question, **OPTIONS)
    except QuestionError:
        return None


def _where(answer: Answer | None) -> tuple[str, int] | None:
    return first_paragraph(answer) if answer is not None else None


# --- scripted conversations over seeds/ ---


def scripted(engine: Engine, path: Path = SCRIPTED) -> dict[str, Any]:
    follow = {"n": 0, "conversation": 0, "alone": 0, "marked": 0}
    switch = {"n": 0, "pure": 0, "alone": 0, "short_n": 0, "short_pure": 0}
    failures: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        script = json.loads(line)
        conversation = Conversation()
        for n, turn in enumerate(script["turns"]):
            question, expected = turn["question"], turn["paragraph"]
            want = (script["source"], expected) if expected is not None else None
            answer = _ask(engine, conversation, question)
            if n == 0:
                continue
            right = _where(answer) == want
            alone_right = _where(_ask(engine, None, question)) == want
            if turn.get("switch"):
                switch["n"] += 1
                pure = right and answer is not None and answer.follow_up is None
                switch["pure"] += pure
                switch["alone"] += alone_right
                if len(question.split()) <= SHORT_SWITCH_WORDS:
                    switch["short_n"] += 1
                    switch["short_pure"] += pure
            else:
                follow["n"] += 1
                follow["conversation"] += right
                follow["alone"] += alone_right
                follow["marked"] += bool(answer is not None and answer.follow_up)
                pure = right
            if not pure:
                failures.append(f"{script['name']} turn {n + 1}: {question!r} → {_where(answer)}")
    return {"follow_ups": follow, "topic_switches": switch, "failures": failures}


# --- synthetic conversations from SQuAD ---

_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")


def pronominalise(question: str, earlier: str) -> str | None:
    """``question`` with its longest run of words shared with ``earlier`` (holding at least one
    capitalised word: a name a speaker would replace by a pronoun) replaced by "it" ("its" for a
    possessive, "they" for a plural in -s); None when
    there is no such run or nothing searchable would be left."""
    shared = set(analyze(earlier))
    tokens = _WORDS.findall(question)
    best: tuple[int, int] | None = None
    for i in range(len(tokens)):
        for j in range(i + 1, len(tokens) + 1):
            run = tokens[i:j]
            if not (run[0][0].isalnum() and run[-1][0].isalnum()):
                continue
            if run[0].casefold() in STOPWORDS or run[-1].casefold() in STOPWORDS:
                continue
            terms = [t for word in run for t in analyze(word)]
            inner_ok = all(
                word.casefold() in STOPWORDS or set(analyze(word)) <= shared for word in run
            )
            if not terms or not inner_ok or not any(w[:1].isupper() for w in run[1:] or run):
                continue
            if i == 0 and len(run) == 1:
                continue  # a capitalised first word is just the start of the sentence
            if best is None or j - i > best[1] - best[0]:
                best = (i, j)
    if best is None:
        return None
    i, j = best
    if i > 0 and tokens[i - 1].casefold() == "the":
        i -= 1
    last = tokens[j - 1]
    if last.endswith(("'s", "’s")):
        pronoun = "its"
    elif last.endswith("s") and not last.endswith("ss"):
        pronoun = "they"
    else:
        pronoun = "it"
    rewritten = " ".join([*tokens[:i], pronoun, *tokens[j:]])
    rewritten = re.sub(r"\s+([^\w\s])", r"\1", rewritten)
    return rewritten if analyze(rewritten) else None


@dataclass(frozen=True, slots=True)
class Pair:
    article: int
    first: str
    second: str
    rewritten: str
    gold: tuple[str, int]


def squad_pairs(path: Path) -> tuple[list[Pair], list[tuple[int, str, tuple[str, int]]], Any]:
    """Follow-up pairs and every answerable question (article, question, gold paragraph)."""
    eval_set = load_squad(path, include_impossible=False)
    raw = json.loads(path.read_text(encoding="utf-8"))["data"]
    article_of = {
        qa["id"]: n for n, a in enumerate(raw) for p in a["paragraphs"] for qa in p["qas"]
    }
    questions = [
        (article_of[c.id], c.question, (c.source or "", c.paragraph or 0)) for c in eval_set.cases
    ]
    pairs = []
    for (a1, q1, g1), (_, q2, g2) in itertools.pairwise(questions):
        if g1 != g2:
            continue
        rewritten = pronominalise(q2, q1)
        if rewritten is not None:
            pairs.append(Pair(a1, q1, q2, rewritten, g2))
    return pairs, questions, eval_set


def _share(hits: int, n: int) -> float:
    return round(hits / n, 3) if n else 0.0


def synthetic(engine: Engine, pairs: Sequence[Pair], questions: Sequence[Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for half, keep in (("even", 0), ("odd", 1), ("all", None)):
        chosen = [p for p in pairs if keep is None or p.article % 2 == keep]
        counts = {"conversation": 0, "alone": 0, "unrewritten": 0, "marked": 0, "marked_right": 0}
        for pair in chosen:
            conversation = Conversation()
            _ask(engine, conversation, pair.first)
            answer = _ask(engine, conversation, pair.rewritten)
            right = _where(answer) == pair.gold
            counts["conversation"] += right
            if answer is not None and answer.follow_up is not None:
                counts["marked"] += 1
                counts["marked_right"] += right
            counts["alone"] += _where(_ask(engine, None, pair.rewritten)) == pair.gold
            counts["unrewritten"] += _where(_ask(engine, None, pair.second)) == pair.gold
        result[f"follow_ups_{half}"] = {
            "n": len(chosen),
            "success_with_conversation": _share(counts["conversation"], len(chosen)),
            "success_alone": _share(counts["alone"], len(chosen)),
            "success_unrewritten_alone": _share(counts["unrewritten"], len(chosen)),
            "used_earlier_turn": _share(counts["marked"], len(chosen)),
            "right_when_used": _share(counts["marked_right"], counts["marked"]),
        }
    result["topic_switches"] = topic_switches(engine, pairs, questions)
    return result


SHORT_SWITCH_WORDS = 6
"""A topic switch of at most this many words is also counted apart: short standalone questions
("What is Depends?") are the ones a conversation is most tempted to read as follow-ups."""


def topic_switches(
    engine: Engine, pairs: Sequence[Pair], questions: Sequence[tuple[int, str, Any]]
) -> dict[str, Any]:
    """Each pair's first question, then a question from another article (the one half the list
    further on, skipping to the next of another article): answered as it is alone?"""
    n = pure = marked = right_conv = right_alone = short_n = short_pure = 0
    for k, pair in enumerate(pairs):
        j = (k * 7919) % len(questions)
        while questions[j][0] == pair.article:
            j = (j + 1) % len(questions)
        _, question, gold = questions[j]
        conversation = Conversation()
        _ask(engine, conversation, pair.first)
        answer = _ask(engine, conversation, question)
        alone = _ask(engine, None, question)
        n += 1
        pure += _where(answer) == _where(alone)
        if len(question.split()) <= SHORT_SWITCH_WORDS:
            short_n += 1
            short_pure += _where(answer) == _where(alone)
        marked += bool(answer is not None and answer.follow_up is not None)
        right_conv += _where(answer) == gold
        right_alone += _where(alone) == gold
    return {
        "n": n,
        "pure": _share(pure, n),
        "used_earlier_turn": _share(marked, n),
        "success_with_conversation": _share(right_conv, n),
        "success_alone": _share(right_alone, n),
        f"short_n (<= {SHORT_SWITCH_WORDS} words)": short_n,
        "short_pure": _share(short_pure, short_n),
    }


def _print(title: str, data: dict[str, Any], indent: str = "  ") -> None:
    print(title)
    for key, value in data.items():
        if isinstance(value, dict):
            _print(f"{indent}{key}:", value, indent + "  ")
        elif isinstance(value, list):
            for item in value:
                print(f"{indent}- {item}")
        else:
            print(f"{indent}{key}: {value}")


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--squad", type=Path, default=SQUAD)
    parser.add_argument("--no-squad", action="store_true", help="scripted conversations only")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--min-own-share", type=float, help="answer_in's min_own_share")
    parser.add_argument("--borrowed-weight", type=float, help="answer_in's borrowed_weight")
    parser.add_argument("--leaning-bar", type=float, help="answer_in's leaning_bar")
    args = parser.parse_args(list(argv) if argv is not None else None)
    for name in ("min_own_share", "borrowed_weight", "leaning_bar"):
        if getattr(args, name) is not None:
            OPTIONS[name] = getattr(args, name)
    report: dict[str, Any] = {"scripted": scripted(Engine.from_folder(ROOT / "seeds"))}
    if not args.no_squad:
        pairs, questions, eval_set = squad_pairs(args.squad)
        report["squad"] = synthetic(Engine(eval_set.documents), pairs, questions)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for name, part in report.items():
            _print(f"{name}:", part)
    return 0


if __name__ == "__main__":
    sys.exit(main())
