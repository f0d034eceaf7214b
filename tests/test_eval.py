"""citebot eval: metrics on hand-computed cases, the three loaders, and the command end to end."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from retrieval import Engine
from retrieval.evaluation import (
    CaseResult,
    EvalCase,
    EvalFileError,
    at_threshold,
    contains_answer,
    evaluate,
    first_relevant_rank,
    load_beir,
    load_jsonl,
    load_squad,
    ndcg_at,
    normalize_answer,
    percentile,
    recall_at,
    reciprocal_rank,
    rejected_at_kept,
    summarize,
    tradeoff,
    worst_failures,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEED = DATA / "seed_questions.jsonl"
SQUAD = DATA / "eval_squad_tiny.json"
BEIR = DATA / "eval_beir_tiny"


# --- normalisation and containment -----------------------------------------------------------


def test_normalize_answer_is_squads() -> None:
    assert normalize_answer("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_answer("an apple, a pear") == "apple pear"
    assert normalize_answer("Theatre") == "theatre"  # "the" only as a whole word
    assert normalize_answer("U.S.") == "us"


def test_contains_answer_on_word_edges() -> None:
    assert contains_answer("It was built by Robert Stevenson in 1810.", ["robert stevenson"])
    assert contains_answer("It was the  Rhine.", ["The Rhine"])
    assert not contains_answer("In 18100 it fell.", ["1810"])
    assert not contains_answer("anything", [""])
    assert not contains_answer("anything", [])


# --- ranking metrics -------------------------------------------------------------------------


def test_ranks_and_recall() -> None:
    ranked = ["a", "b", "c", "d"]
    assert first_relevant_rank(ranked, ["c", "d"]) == 3
    assert first_relevant_rank(ranked, ["z"]) is None
    assert recall_at(ranked, {"b": 1, "z": 1}, 1) == 0.0
    assert recall_at(ranked, {"b": 1, "z": 1}, 2) == 0.5
    assert recall_at(ranked, {"b": 0}, 4) == 0.0  # grade 0 is not relevant
    assert reciprocal_rank(ranked, {"c": 1}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {"d": 1}, k=3) == 0.0


def test_ndcg_hand_computed() -> None:
    # relevant b (rank 2) and c (rank 3): DCG = 1/log2(3) + 1/log2(4); ideal = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 0.5) / (1 + 1 / math.log2(3))
    assert ndcg_at(["a", "b", "c"], {"b": 1, "c": 1}, 10) == pytest.approx(expected)
    assert ndcg_at(["a", "b", "c"], {"b": 1, "c": 1}, 10) == pytest.approx(0.693426, abs=1e-6)
    assert ndcg_at(["b", "c"], {"b": 1, "c": 1}) == pytest.approx(1.0)
    # graded, linear gains: ideal order is x(2) then y(1)
    assert ndcg_at(["y", "x"], {"x": 2, "y": 1}) == pytest.approx(
        (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    )
    assert ndcg_at(["a"], {}) == 0.0


def test_percentile_interpolates_like_numpy() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0
    assert percentile(list(map(float, range(101))), 99) == 99.0
    assert percentile([], 50) == 0.0


def _result(answerable: bool, answered: bool, confidence: float) -> CaseResult:
    case = EvalCase("q?", answers=("x",) if answerable else (), answerable=answerable)
    return CaseResult(
        case=case,
        answered=answered,
        sentences=("x is it.",) if answered else (),
        cited=(),
        confidence=confidence,
        abstain_reason=None if answered else "low_confidence",
        ranked=(),
        gold_rank=None,
        top_contains=answered if answerable else None,
        answer_contains=answered if answerable else None,
        seconds=0.001,
        passed=answered == answerable,
    )


def test_abstention_rates_tradeoff_and_threshold() -> None:
    results = [
        _result(True, True, 0.9),
        _result(True, True, 0.6),
        _result(True, True, 0.3),
        _result(True, False, 0.0),
        _result(False, True, 0.7),
        _result(False, True, 0.2),
    ]
    report = summarize("t", results)
    assert report.metrics["answered_when_answerable"] == 0.75
    assert report.metrics["abstained_when_unanswerable"] == 0.0
    assert report.metrics["answer_contains"] == 0.75
    curve = tradeoff(results, [0.0, 0.5, 0.8])
    assert curve == [(0.0, 0.75, 0.0), (0.5, 0.5, 0.5), (0.8, 0.25, 1.0)]
    assert rejected_at_kept(results, 0.5) == (0.6, 0.5)
    shifted = summarize("t", at_threshold(results, 0.5))
    assert shifted.metrics["answered_when_answerable"] == 0.5
    assert shifted.metrics["abstained_when_unanswerable"] == 0.5
    assert shifted.metrics["passed"] == 3
    worst = worst_failures(shifted, 10)
    assert [r.case.answerable for r in worst] == [True, True, False]


# --- loaders ---------------------------------------------------------------------------------


def test_load_jsonl_seed() -> None:
    eval_set = load_jsonl(SEED)
    assert len(eval_set.cases) == 23
    assert sum(c.answerable for c in eval_set.cases) == 17
    assert eval_set.documents == ()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"answers": ["x"]}', '"question" must be'),
        ('{"question": "q", "paragraph": 2}', 'needs a "source"'),
        ('{"question": "q", "answerable": "yes"}', '"answerable"'),
        ('{"question": "q", "not_cited": "a.md ¶2"}', '"not_cited"'),
        ('{"question": "q", "not_cited": [{"source": "a.md", "paragraph": 0}]}', '"not_cited"'),
        ('{"question": "q", "not_cited": [{"paragraph": 2}]}', '"not_cited"'),
        ("[1, 2]", "expected a JSON object"),
    ],
)
def test_load_jsonl_errors_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "fine?"}\n\n' + line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=message) as info:
        load_jsonl(path)
    assert f"{path}:3:" in str(info.value)


def test_load_squad_builds_one_document_per_article() -> None:
    eval_set = load_squad(SQUAD)
    assert [d.source for d in eval_set.documents] == [
        "000_Lighthouse_keeping.txt",
        "001_Tea.txt",
    ]
    assert eval_set.documents[0].text.startswith("# Lighthouse keeping\n\nThe Bell Rock")
    by_id = {c.id: c for c in eval_set.cases}
    assert by_id["q1"].answers == ("Robert Stevenson",)  # duplicates dropped
    assert (by_id["q1"].source, by_id["q1"].paragraph) == ("000_Lighthouse_keeping.txt", 2)
    assert (by_id["q3"].paragraph, by_id["q4"].paragraph) == (3, 2)
    assert not by_id["q2"].answerable and by_id["q2"].tag == "impossible"
    assert len(load_squad(SQUAD, include_impossible=False).cases) == 3


def test_load_squad_out_of_corpus() -> None:
    eval_set = load_squad(SQUAD, corpus_articles=1, include_impossible=False)
    assert [d.source for d in eval_set.documents] == ["000_Lighthouse_keeping.txt"]
    by_id = {c.id: c for c in eval_set.cases}
    assert by_id["q4"].tag == "out_of_corpus" and not by_id["q4"].answerable
    assert by_id["q4"].source is None


def test_load_squad_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(EvalFileError, match="not a SQuAD file"):
        load_squad(path)
    with pytest.raises(EvalFileError, match="no such file"):
        load_squad(tmp_path / "missing.json")


def test_load_beir() -> None:
    eval_set = load_beir(BEIR)
    assert eval_set.document_level
    assert [d.source for d in eval_set.documents] == ["d1", "d2", "d3"]
    assert eval_set.documents[0].text == (
        "# Vitamin D and bone density.\n\nVitamin D supplements increase bone mineral density "
        "in older adults.\n"
    )
    assert [(c.id, dict(c.relevant)) for c in eval_set.cases] == [
        ("1", {"d1": 1}),
        ("2", {"d3": 1, "d2": 1}),
    ]
    with pytest.raises(EvalFileError, match="not a folder"):
        load_beir(SQUAD)


# --- running ---------------------------------------------------------------------------------


def test_evaluate_tiny_squad() -> None:
    eval_set = load_squad(SQUAD)
    report = evaluate(Engine(eval_set.documents), eval_set)
    m = report.metrics
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (4, 3, 1)
    assert m["recall@1"] == 1.0 and m["mrr@10"] == 1.0
    assert m["answer_contains"] == 1.0
    by_id = {r.case.id: r for r in report.results}
    assert by_id["q1"].sentences[0].startswith("The Bell Rock Lighthouse was built")
    assert by_id["q1"].passed and by_id["q1"].gold_rank == 1


def test_evaluate_tiny_beir_is_document_level() -> None:
    eval_set = load_beir(BEIR)
    report = evaluate(Engine(eval_set.documents), eval_set)
    first, second = report.results
    assert first.ranked[0] == "d1" and first.gold_rank == 1
    assert second.ranked[0] == "d3"
    assert report.metrics["recall@100"] == pytest.approx((1.0 + 0.5) / 2)
    assert report.metrics["ndcg@10"] == pytest.approx((1.0 + 1 / (1 + 1 / math.log2(3))) / 2)


def test_not_judged_cases_and_paragraphs_judged_wrong(tmp_path: Path) -> None:
    """What `citebot feedback export` writes for a 👎: "answerable": null passes on an
    abstention or on other paragraphs, and fails when a paragraph in "not_cited" is cited."""
    source = "000_4568191ad18858cd.txt"
    lines = [
        {"question": "What did the Denver City Council pass?", "answerable": None,
         "not_cited": [{"source": source, "paragraph": 3}], "review": True, "feedback": {}},
        {"question": "What did the Denver City Council pass?", "answerable": None,
         "not_cited": [{"source": source, "paragraph": 1}]},
        {"question": "What is the capital of Australia?", "answerable": None,
         "not_cited": [{"source": source, "paragraph": 3}]},
        {"question": "What did the Denver City Council pass?", "source": source, "paragraph": 3,
         "not_cited": [{"source": source, "paragraph": 3}]},
    ]  # fmt: skip
    path = tmp_path / "feedback.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    eval_set = load_jsonl(path)
    assert eval_set.cases[0].answerable is None
    assert eval_set.cases[0].not_cited == frozenset({f"{source}#3"})
    report = evaluate(Engine.from_folder(ROOT / "seeds"), eval_set)
    assert [r.passed for r in report.results] == [False, True, True, False]
    m = report.metrics
    assert (m["questions"], m["answerable"], m["unanswerable"], m["not_judged"]) == (4, 1, 0, 3)
    # Made an abstention by a stricter threshold, a not-judged case passes.
    assert all(r.passed for r in at_threshold(report.results[:3], 1.01))
    assert summarize("seed", report.results[3:]).metrics["not_judged"] is None


# --- the command -----------------------------------------------------------------------------


def _citebot_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.eval_cmd", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_seed_set_all_pass() -> None:
    done = _citebot_eval(str(SEED), "--strict")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cases passed                      23" in done.stdout
    assert "retrieval R@1" in done.stdout


def test_cli_json_parses() -> None:
    done = _citebot_eval(str(SEED), "--json", "--failures", "3")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["all_passed"] is True
    assert payload["metrics"]["questions"] == 23
    assert payload["metrics"]["abstained_when_unanswerable"] == 1.0
    assert payload["failures"] == []


def test_cli_malformed_line_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "Who is the mayor of Denver?"}\n{oops\n', encoding="utf-8")
    done = _citebot_eval(str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert f"{path}:2: not valid JSON" in done.stderr


def test_cli_squad_and_beir_fixtures_with_failures_and_curve() -> None:
    done = _citebot_eval(str(SQUAD), "--format", "squad", "--curve", "--failures", "2")
    assert done.returncode == 0, done.stderr
    assert "min_confidence  answerable answered" in done.stdout
    assert "Who painted the Bell Rock Lighthouse?" in done.stdout  # answered: a failure
    done = _citebot_eval(str(BEIR), "--format", "beir", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metrics"]["ndcg@10"] > 0.8


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--top-k", "0", "argument --top-k: must be from 1 to 100, not 0"),
        ("--top-k", "101", "argument --top-k: must be from 1 to 100, not 101"),
        ("--top-k", "five", "argument --top-k: must be a whole number from 1 to 100, not 'five'"),
        ("--limit", "0", "argument --limit: must be 1 or more, not 0"),
        ("--limit", "-1", "argument --limit: must be 1 or more, not -1"),
        ("--failures", "0", "argument --failures: must be 1 or more, not 0"),
        ("--corpus-articles", "0", "argument --corpus-articles: must be 1 or more, not 0"),
        ("--min-confidence", "1.5", "argument --min-confidence: must be from 0 to 1, not 1.5"),
    ],
)
def test_cli_bad_option_is_one_line_naming_the_flag(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.build_parser().parse_args(["eval", str(SEED), option, value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert message in err
    assert "CITEBOT_" not in err


def test_cli_limit_runs_the_first_n_cases() -> None:
    done = _citebot_eval(str(SEED), "--limit", "1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["metrics"]["questions"] == 1


def test_cli_top_k_reaches_the_engine() -> None:
    done = _citebot_eval(str(SEED), "--top-k", "7", "--limit", "1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["settings"]["top_k"] == 7


def test_cli_json_out_writes_the_json_of_the_same_run(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    done = _citebot_eval(str(SQUAD), "--format", "squad", "--curve", "--json-out", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("citebot eval: eval_squad_tiny.json")  # the table
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["metrics"]["questions"] == 4
    assert "curve" in payload
    p50 = f"{payload['metrics']['latency_p50_ms']:.3f}"
    line = next(x for x in done.stdout.splitlines() if x.startswith("latency p50"))
    assert line.split()[-1] == p50  # table and JSON come from one run


def test_cli_json_out_unwritable_is_one_line(tmp_path: Path) -> None:
    done = _citebot_eval(str(SEED), "--limit", "1", "--json-out", str(tmp_path / "no" / "x.json"))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert "cannot write" in done.stderr
    assert done.stdout == ""  # checked before the run, not after it


def test_a_squad_context_longer_than_a_passage_keeps_its_paragraph_number(tmp_path: Path) -> None:
    long_context = " ".join(f"Sentence {i} tells of the keeper's log." for i in range(200))
    data = {
        "data": [
            {
                "title": "Long",
                "paragraphs": [
                    {"context": "A short first context.", "qas": []},
                    {
                        "context": long_context,
                        "qas": [
                            {
                                "id": "q",
                                "question": "What tells of the log?",
                                "answers": [{"text": "Sentence 150"}],
                            }
                        ],
                    },
                ],
            }
        ]
    }
    path = tmp_path / "squad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    eval_set = load_squad(path)
    assert len(long_context) > 4_000
    assert [(c.id, c.paragraph) for c in eval_set.cases] == [("q", 3)]
