"""Fit the answer decision's logistic model (retrieval/answering/decision.py) on public data.

    .venv/bin/python bench/fit_confidence.py [--label right|in_corpus] [option=value ...]

Data: SQuAD 2.0 dev, the out-of-corpus split of benchmark 3 (the first 17 articles indexed, the
answerable questions of all 35 asked), answered at min_confidence 0 so that every question's
evidence is seen. An answer is *right* when its quote holds a gold answer (SQuAD normalisation)
and it cites the gold paragraph; every answer to an out-of-corpus question is wrong.

The model is fitted on the even-numbered articles only (L2-regularised logistic regression by
Newton's method, numpy only) and reported on the odd-numbered ones: the reliability table,
expected calibration error (10 equal-width bins, weighted by count), and the out-of-corpus
trade-off with the threshold chosen on the even articles (the highest keeping >= 95% of their
answerable questions answered). It prints the ``MODEL`` block to paste into decision.py.

With pairwise products of the ``INTERACTING`` features (``--linear``: without). ``--cv``
chooses between the variants on the even articles alone: two folds (articles ≡ 0 and ≡ 2 mod 4),
each fitted on one and scored on the other by the out-of-corpus share abstained at 95% of its
answerable questions kept; the odd articles are not looked at.

The docs questions of ``../shared/bench-data/docs`` (uv over its Markdown, Flask over its
.rst) with odd id numbers join the fit at a tenth of the weight (``--docs-weight``; right = the
first citation is in the gold file), so that the model has seen long casual questions; the even
ids are reported as held out, and the threshold is still chosen on the even SQuAD articles.
They are reported at the threshold times ``sections_bar`` (what the engine applies over
documentation): after a refit, check that the odd ids' off-topic questions still abstain there
(docs/quality.md, round 8: the bar sits 0.0025 above the highest of them).

``--label in_corpus`` fits the ranking on "is the question in the corpus" instead and then
calibrates it (Platt scaling, on the even articles) to "right": a lever compared in
docs/quality.md. ``--current`` reports the model now in decision.py without fitting.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.levers import DATA, parse_options
from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.answering.decision import FEATURE_NAMES, MODEL, PAIRS, DecisionModel
from retrieval.evaluation import contains_answer, load_docs, load_squad
from retrieval.evaluation.evaluate import judge_docs
from retrieval.types import _LOG_FLOOR as LOG_FLOOR

SQUAD = DATA / "squad" / "dev-v2.0.json"
L2 = 1e-2


@dataclass(frozen=True, slots=True)
class Row:
    article: int
    in_corpus: bool
    right: bool
    features: tuple[float, ...] | None
    """None when the engine found no candidate sentence at all (always an abstention)."""
    confidence: float


def collect(options: EngineOptions) -> list[Row]:
    """Every question of the split answered once, with its evidence and whether it is right."""
    articles = json.loads(SQUAD.read_text(encoding="utf-8"))["data"]
    article_of = {
        qa["id"]: n for n, a in enumerate(articles) for p in a["paragraphs"] for qa in p["qas"]
    }
    eval_set = load_squad(SQUAD, include_impossible=False, corpus_articles=17)
    engine = Engine(eval_set.documents, options)
    rows = []
    for case in eval_set.cases:
        answer = engine.ask(case.question)
        quoted = " ".join(s.text for s in answer.sentences)
        right = bool(
            case.answerable
            and answer.answered
            and contains_answer(quoted, case.answers)
            and any(
                c.passage.source == case.source and c.passage.paragraph == case.paragraph
                for c in answer.citations
            )
        )
        evidence = answer.evidence
        features = None
        if evidence is not None:
            named = evidence.features()
            features = tuple(named[name] for name in FEATURE_NAMES)
        rows.append(
            Row(article_of[case.id], bool(case.answerable), right, features, answer.confidence)
        )
    return rows


DOCS = DATA / "docs"
DOCS_SETS = (("uv.jsonl", "uv-md"), ("flask.jsonl", "flask-rst"))
DOCS_WEIGHT = 0.1
"""The docs questions' share of the training weight: enough to teach the model what a long,
casual question looks like, too little to move the SQuAD fit (whose ECE is a target)."""


def collect_docs(options: EngineOptions, half: int) -> list[Row]:
    """The docs questions (uv, Flask .rst) whose id number has parity ``half``, answered at
    min_confidence 0; *right* = the first citation is in the gold file (an off-topic question
    is never right). ``article`` holds the id number."""
    rows = []
    for questions, corpus in DOCS_SETS:
        engine = Engine.from_folder(DOCS / corpus, options)
        for case in load_docs(DOCS / questions).cases:
            number = int(case.id.rsplit("-", 1)[-1])
            if number % 2 != half:
                continue
            answer = engine.ask(case.question)
            right = bool(case.answerable and judge_docs(case, answer).cited_right)
            evidence = answer.evidence
            features = None
            if evidence is not None:
                named = evidence.features()
                features = tuple(named[name] for name in FEATURE_NAMES)
            rows.append(Row(number, bool(case.answerable), right, features, answer.confidence))
    return rows


def fit_logistic(
    x: np.ndarray, y: np.ndarray, l2: float = L2, weights: np.ndarray | None = None
) -> np.ndarray:
    """Weights (bias first) of an L2-regularised logistic regression, by Newton's method;
    ``weights`` (default all 1) say how much each row counts."""
    design = np.hstack([np.ones((len(x), 1)), x])
    sample = np.ones(len(x)) if weights is None else weights
    w = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], l2 * sample.sum())
    penalty[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        gradient = design.T @ (sample * (p - y)) + penalty * w
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def reliability(confidence: Sequence[float], right: Sequence[bool], bins: int = 10) -> list[str]:
    """The reliability table's lines and, last, the expected calibration error."""
    lines = ["  bin          n   mean conf   right"]
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        members = [
            (c, r) for c, r in zip(confidence, right, strict=True) if lo <= c < hi or c == hi == 1
        ]
        if not members:
            continue
        mean_c = sum(c for c, _ in members) / len(members)
        mean_r = sum(r for _, r in members) / len(members)
        ece += len(members) / len(confidence) * abs(mean_c - mean_r)
        lines.append(f"  {lo:.1f}-{hi:.1f}  {len(members):6d}   {mean_c:9.3f}   {mean_r:5.3f}")
    lines.append(f"  ECE {ece:.4f}")
    return lines


def tradeoff(rows: Sequence[Row], threshold: float) -> tuple[float, float]:
    """(share of in-corpus questions answered, share of out-of-corpus ones abstained)."""
    inside = [r for r in rows if r.in_corpus]
    outside = [r for r in rows if not r.in_corpus]
    kept = sum(r.features is not None and r.confidence >= threshold for r in inside)
    rejected = sum(r.features is None or r.confidence < threshold for r in outside)
    return kept / max(1, len(inside)), rejected / max(1, len(outside))


def threshold_keeping(rows: Sequence[Row], kept: float = 0.95) -> float:
    """The highest threshold that keeps at least ``kept`` of the in-corpus questions answered."""
    inside = sorted(
        (r.confidence for r in rows if r.in_corpus and r.features is not None), reverse=True
    )
    total = sum(r.in_corpus for r in rows)
    need = math.ceil(kept * total)
    return inside[need - 1] if 0 < need <= len(inside) else 0.0


def design(rows: Sequence[Row], pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The model's columns for ``rows`` (each with features): the features, then the products."""
    x = np.array([r.features for r in rows], dtype=float)
    at = {name: i for i, name in enumerate(FEATURE_NAMES)}
    products = [x[:, at[a]] * x[:, at[b]] for a, b in pairs]
    return np.hstack([x, np.stack(products, axis=1)]) if products else x


def fit_model(
    train: Sequence[Row],
    labels: np.ndarray,
    pairs: Sequence[tuple[str, str]],
    l2: float = L2,
    weights: np.ndarray | None = None,
) -> DecisionModel:
    """Fit on standardised columns (so that one L2 penalty suits features and products of every
    scale), then fold the standardisation into raw weights: the shipped model needs no means."""
    x = design(train, pairs)
    mean, spread = x.mean(axis=0), x.std(axis=0) + 1e-9
    w = fit_logistic((x - mean) / spread, labels, l2, weights)
    raw = w[1:] / spread
    bias = float(w[0] - (raw * mean).sum())
    n = len(FEATURE_NAMES)
    return DecisionModel(
        bias,
        dict(zip(FEATURE_NAMES, map(float, raw[:n]), strict=True)),
        dict(zip(pairs, map(float, raw[n:]), strict=True)),
    )


def with_confidence(rows: Sequence[Row], model: DecisionModel) -> list[Row]:
    out = []
    at = {name: i for i, name in enumerate(FEATURE_NAMES)}
    for r in rows:
        if r.features is None:
            out.append(replace(r, confidence=0.0))
            continue
        f = r.features
        z = model.bias + sum(w * f[at[n]] for n, w in model.weights.items())
        z += sum(w * f[at[a]] * f[at[b]] for (a, b), w in model.pairs.items())
        out.append(replace(r, confidence=1.0 / (1.0 + math.exp(-min(30.0, max(-30.0, z))))))
    return out


def report(
    rows: Sequence[Row], model: DecisionModel, docs: Sequence[tuple[str, Sequence[Row]]] = ()
) -> None:
    scored = with_confidence(rows, model)
    even = [r for r in scored if r.article % 2 == 0]
    odd = [r for r in scored if r.article % 2 == 1]
    threshold = threshold_keeping(even)
    parts = [("even (fitted)", even, threshold), ("odd (held out)", odd, threshold)]
    parts.append(("all", scored, threshold))
    # Over documentation the engine answers at sections_bar × the threshold (Engine.answer_bar).
    bar = ComposerOptions().sections_bar
    parts += [(name, with_confidence(part, model), threshold * bar) for name, part in docs]
    for name, part, applied in parts:
        answered, abstained = tradeoff(part, applied)
        print(
            f"{name:15} threshold {applied:.3f}: in-corpus answered {answered:.3f}, "
            f"out-of-corpus abstained {abstained:.3f} ({len(part)} questions)"
        )
    for name, part in (("even (fitted)", even), ("odd (held out)", odd)):
        print(f"reliability, {name} (every question, answered at threshold 0):")
        print("\n".join(reliability([r.confidence for r in part], [r.right for r in part])))


def cross_validate(rows: Sequence[Row]) -> None:
    """The variants (linear or with products; label right or in corpus) on the even articles
    only, two folds by article: the choice is made here, never on the odd articles."""
    even = [r for r in rows if r.article % 2 == 0]
    for pairs, name in (((), "linear"), (PAIRS, "products")):
        for label in ("right", "in_corpus"):
            scores = []
            for fold in (0, 2):
                train = [r for r in even if r.article % 4 == fold and r.features is not None]
                test = [r for r in even if r.article % 4 != fold]
                y = np.array([float(r.right if label == "right" else r.in_corpus) for r in train])
                scored = with_confidence(test, fit_model(train, y, pairs))
                scores.append(tradeoff(scored, threshold_keeping(scored))[1])
            folds = ", ".join(f"{v:.3f}" for v in scores)
            print(
                f"{name:9} label {label:9}: abstained at 95% kept {np.mean(scores):.3f} ({folds})"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--label", choices=("right", "in_corpus"), default="right")
    parser.add_argument("--current", action="store_true", help="report decision.py's model")
    parser.add_argument("--linear", action="store_true", help="no pairwise products")
    parser.add_argument("--cv", action="store_true", help="choose the variant on even articles")
    parser.add_argument(
        "--docs-weight", type=float, default=DOCS_WEIGHT, help="docs share of the training weight"
    )
    parser.add_argument("options", nargs="*", help="EngineOptions / ComposerOptions name=value")
    args = parser.parse_args(argv)
    engine, composer, _ = parse_options(args.options)
    composer["min_confidence"] = 0.0
    options = EngineOptions(**engine, composer=ComposerOptions(**composer))
    rows = collect(options)
    if args.cv:
        cross_validate(rows)
        return 0
    docs_train, docs_test = collect_docs(options, 1), collect_docs(options, 0)
    docs = (("docs odd (fit)", docs_train), ("docs even (held)", docs_test))
    if args.current:
        report(rows, MODEL, docs)
        return 0
    squad = [r for r in rows if r.article % 2 == 0 and r.features is not None]
    added = [r for r in docs_train if r.features is not None] if args.docs_weight else []
    train = squad + added
    y = np.array([float(r.right if args.label == "right" else r.in_corpus) for r in train])
    share = args.docs_weight * len(squad) / max(1, len(added))
    weights = np.array([1.0] * len(squad) + [share] * len(added))
    pairs = () if args.linear else PAIRS
    model = fit_model(train, y, pairs, weights=weights)
    if args.label == "in_corpus":  # Platt scaling of that score to "right", on the same half
        z = np.log(np.clip([r.confidence for r in with_confidence(train, model)], 1e-12, 1 - 1e-12))
        z = z - np.log1p(-np.exp(z))
        a, b = fit_logistic(z[:, None], np.array([float(r.right) for r in train]), 0.0)
        model = DecisionModel(
            float(a + b * model.bias),
            {n: float(b * v) for n, v in model.weights.items()},
            {k: float(b * v) for k, v in model.pairs.items()},
        )
    report(rows, model, docs)
    heading = FEATURE_NAMES.index("log_heading")
    mean = float(np.mean([r.features[heading] for r in train if r.features is not None]))
    print(f"\nHEADING_UNKNOWN = {math.exp(mean) - LOG_FLOOR:.3g}  # mean log_heading {mean:.4f}")
    print("\nMODEL = DecisionModel(")
    print(f"    bias={model.bias:.6g},")
    print("    weights={")
    for name, value in model.weights.items():
        print(f'        "{name}": {value:.6g},')
    print("    },")
    print("    pairs={")
    for (a, b), value in model.pairs.items():
        print(f'        ("{a}", "{b}"): {value:.6g},')
    print("    },\n)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
