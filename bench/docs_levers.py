"""Measure option combinations on a documentation question set, one line each: the harness
behind the docs levers of docs/quality.md (it replaces ``bench/docs_units.py``).

    .venv/bin/python bench/docs_levers.py [QUESTIONS CORPUS] [subset=odd|even|all] \
        [option=value ...] [-- option=value ... (another combination)] [--why]
    .venv/bin/python bench/docs_levers.py --sets [--httpx DIR] [--pydantic DIR] \
        [option=value ...] [-- ...]

Default set: uv's Markdown docs (``../shared/bench-data/docs/uv.jsonl`` over ``uv-md``), scored
by the rules of ``../shared/bench-data/docs/README.md``. Options are EngineOptions /
ComposerOptions fields, as in ``bench/levers.py``. ``subset`` keeps the questions whose id number
is odd / even, so that a default is chosen on one half and reported on the other.

Each combination is measured twice from the same index: at its ``min_confidence`` (what users
get) and at ``min_confidence=0`` ("@0": every question answered, the ceiling the ranking and
composing give whatever the answer/abstain decision does). Options that change the index
(``unit_terms``, ``k1``, …) rebuild it; the others reuse it. ``--why`` adds, per answerable
question, where its gold section ranked among the hits, where its must-show strings are (its
prose "P", the blocks that follow its paragraphs "U", neither "-"), and the failure class.

``--sets`` measures each combination on every docs set at once, one compact line per
combination: uv and Flask (``.rst``) split into odd and even ids (rounds 5–6 chose on the odd
ids, round 7 and session 8 on the even ids: docs/quality.md, "Which half chose what"), and the
project's check sets ``bench/data/httpx.jsonl`` and
``bench/data/pydantic.jsonl`` over the docs folders given (a ``git archive`` of
encode/httpx ``docs/`` at ae1b9f66 and of pydantic/pydantic ``docs/`` at 2151025, kept outside
the repository; a set whose folder is not given is left out). Each cell is answered / cited /
section / useful at the combination's threshold, then cited / section / useful at @0.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import DATA, parse_options
from bot.eval_cmd import subset
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.evaluation import EvalReport, EvalSet, evaluate, load_docs
from retrieval.evaluation.datasets import case_key
from retrieval.evaluation.evaluate import headings_contain, judge_docs, passage_headings

COLUMNS = (
    ("recall@1", "R@1"),
    ("answered_when_answerable", "answered"),
    ("cited_right", "cited"),
    ("section_right", "section"),
    ("useful", "useful"),
    ("abstained_when_unanswerable", "off-topic"),
)
AT_ZERO = (("cited_right", "cited"), ("section_right", "section"), ("useful", "useful"))


@dataclass
class Engines:
    """One index per index shape, reused by every combination that shares it."""

    corpus: Path
    built: dict[object, Engine]

    def get(self, options: EngineOptions) -> Engine:
        shape = options.shape
        if shape not in self.built:
            self.built[shape] = Engine.from_folder(self.corpus, options)
        return Engine(self.built[shape].parts, options)


def measure(engines: Engines, eval_set: EvalSet, argv: list[str]) -> str:
    engine_args, composer_args, _ = parse_options(argv)
    options = EngineOptions(**engine_args)
    options = replace(options, composer=replace(ComposerOptions(), **composer_args))
    engine = engines.get(options)
    report = evaluate(engine, eval_set)
    zero = replace(options, composer=replace(options.composer, min_confidence=0.0))
    ceiling = evaluate(engines.get(zero), eval_set)
    values = f"secR@1 {section_first_rate(engine, report):.3f}  " + "  ".join(
        f"{label} {report.metrics[key] or 0:.3f}" for key, label in COLUMNS
    )
    at_zero = "  ".join(f"{label} {ceiling.metrics[key] or 0:.3f}" for key, label in AT_ZERO)
    p50 = report.metrics["latency_p50_ms"] or 0
    answered = [r for r in report.results if r.answered]
    per = sum(len(r.sentences) for r in answered) / (len(answered) or 1)
    values += f"  sentences {per:.2f}"
    return f"{' '.join(argv) or '(defaults)':<40} {values}  | @0 {at_zero}  | p50 {p50:.2f} ms"


def section_first_rate(engine: Engine, report: EvalReport) -> float:
    """The share of answerable questions whose first hit is in the gold file under the gold
    section (the ranking's section-right, whatever is then quoted)."""
    store = engine.passages
    headings = {
        case_key(store[i].source, store[i].paragraph): passage_headings(store[i])
        for i in range(len(store))
    }
    judged = [r for r in report.results if r.case.answerable and r.case.source]
    right = sum(
        bool(r.ranked)
        and r.ranked[0].split("#", 1)[0] == r.case.source
        and headings_contain(headings.get(r.ranked[0], ()), r.case.section or "")
        for r in judged
    )
    return right / len(judged) if judged else 0.0


def why(engine: Engine, eval_set: EvalSet) -> None:
    """Per answerable question: the gold section's rank, where its must-show strings are, and
    what went wrong (at the engine's own threshold and at 0)."""
    store = engine.passages
    zero = Engine(
        engine.parts,
        replace(engine.options, composer=replace(engine.options.composer, min_confidence=0.0)),
    )
    classes: dict[str, list[str]] = {}
    for case in eval_set.cases:
        if not case.answerable or case.source is None:
            continue
        gold = [
            i
            for i in range(len(store))
            if store[i].source == case.source
            and headings_contain(passage_headings(store[i]), case.section or "")
        ]
        prose = "\n".join(store[i].text for i in gold).casefold()
        units = [store.unit_after(i) for i in gold]
        text = engine.source_text(case.source)
        blocks = "\n".join(text[u.start : u.end] for u in units if u is not None).casefold()
        where = "".join(
            "P" if m.casefold() in prose else "U" if m.casefold() in blocks else "-"
            for m in case.must_show
        )
        answer, hits = zero.ask_ranked(case.question, 20)
        ids = {store[i].id for i in gold}
        rank = next((h.rank for h in hits if h.passage.id in ids), None)
        judged = judge_docs(case, answer)
        abstains = answer.confidence < engine.options.composer.min_confidence * engine.answer_bar
        if judged.useful:
            kind = "useful (abstains)" if abstains else "useful"
        elif rank is None:
            kind = "gold section not in the top 20"
        elif not judged.section_right:
            kind = "gold section ranked, another cited first"
        else:
            kind = "gold section cited, must-show not quoted"
        classes.setdefault(kind, []).append(case.id)
        print(
            f"{case.id}: {kind}; section rank {rank}; must-show {where}; "
            f"confidence {answer.confidence:.2f}; missing {', '.join(judged.missing) or '-'}"
        )
    for kind, ids_ in sorted(classes.items()):
        print(f"{kind}: {len(ids_)} ({' '.join(ids_)})")


CHECK_SETS = {"httpx": "httpx.jsonl", "pydantic": "pydantic.jsonl"}


def every_set(argv: list[str], combos: list[list[str]]) -> None:
    """``--sets``: each combination on uv and Flask (odd / even ids) and the check sets."""
    sets: list[tuple[str, Path, Path, tuple[str, ...]]] = [
        ("uv", DATA / "docs" / "uv.jsonl", DATA / "docs" / "uv-md", ("odd", "even")),
        ("flask", DATA / "docs" / "flask.jsonl", DATA / "docs" / "flask-rst", ("odd", "even")),
    ]
    for name, questions in CHECK_SETS.items():
        if f"--{name}" in argv:
            folder = Path(argv[argv.index(f"--{name}") + 1])
            sets.append((name, Path(__file__).parent / "data" / questions, folder, ("all",)))
    loaded = {name: load_docs(q, corpus=c) for name, q, c, _ in sets}
    engines = {name: Engines(c, {}) for name, _, c, _ in sets}
    print("cells: answered/cited/section/useful @0 cited/section/useful")
    for combo in combos:
        engine_args, composer_args, _ = parse_options(combo)
        options = EngineOptions(**engine_args)
        options = replace(options, composer=replace(ComposerOptions(), **composer_args))
        zero = replace(options, composer=replace(options.composer, min_confidence=0.0))
        cells = []
        for name, _, _, halves in sets:
            for half in halves:
                cases = subset(loaded[name], half)
                at = evaluate(engines[name].get(options), cases).metrics
                at0 = evaluate(engines[name].get(zero), cases).metrics
                label = name if half == "all" else f"{name} {half}"
                shown = "/".join(
                    f"{at[k] or 0:.2f}"
                    for k in ("answered_when_answerable", "cited_right", "section_right", "useful")
                )
                ceiling = "/".join(f"{at0[k] or 0:.2f}" for k, _ in AT_ZERO)
                cells.append(f"{label} {shown} @0 {ceiling}")
        print(f"{' '.join(combo) or '(defaults)'}\n    " + " | ".join(cells), flush=True)


def main(argv: list[str]) -> None:
    if "--sets" in argv:
        values = {argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("--httpx", "--pydantic")}
        rest = [a for a in argv if (a not in values and not a.startswith("--")) or a == "--"]
        combos: list[list[str]] = [[]]
        for argument in rest:
            if argument == "--":
                combos.append([])
            else:
                combos[-1].append(argument)
        every_set(argv, combos)
        return
    positional = [a for a in argv if "=" not in a and not a.startswith("--")]
    questions = Path(positional[0]) if positional else DATA / "docs" / "uv.jsonl"
    corpus = Path(positional[1]) if len(positional) > 1 else DATA / "docs" / "uv-md"
    which, explain = "all", "--why" in argv
    combos = [[]]
    for argument in argv:
        if argument == "--":
            combos.append([])
        elif argument.startswith("subset="):
            which = argument.split("=", 1)[1]
        elif "=" in argument:
            combos[-1].append(argument)
    eval_set = subset(load_docs(questions, corpus=corpus), which)
    print(f"{questions.name} on {corpus.name}, {which} ids ({len(eval_set.cases)} questions)")
    engines = Engines(corpus, {})
    for combo in combos:
        print(measure(engines, eval_set, combo), flush=True)
    if explain:
        engine_args, composer_args, _ = parse_options(combos[0])
        options = EngineOptions(**engine_args)
        why(engines.get(replace(options, composer=ComposerOptions(**composer_args))), eval_set)


if __name__ == "__main__":
    main(sys.argv[1:])
