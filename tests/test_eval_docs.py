"""Docs questions in ``citebot eval``: the scoring rules of the docs bench README, the loader with
its sources map (gold ``.rst`` → HTML page / PDF), and the command on a tiny docs fixture."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.evaluation import (
    EvalCase,
    EvalFileError,
    evaluate,
    headings_contain,
    judge_docs,
    load_docs,
    missing_strings,
    normalize_heading,
)
from retrieval.types import Answer, Citation, Passage, Sentence

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "data" / "docs_tiny"
QUESTIONS = TINY / "questions.jsonl"
SOURCES = TINY / "sources.json"
CORPUS = TINY / "corpus"


# --- the rules --------------------------------------------------------------------------------


def test_heading_markup_is_removed_before_comparing() -> None:
    assert normalize_heading("Upgrading `widget`") == "upgrading widget"
    assert normalize_heading("Exporting the *lockfile*") == "exporting the lockfile"
    assert normalize_heading("Query  Parameters { #query-parameters }") == "query parameters"
    assert normalize_heading("Using [`uv run`](../run.md)") == "using uv run"
    assert normalize_heading(":func:`flask.url_for` and `links <target>`_") == (
        "flask.url_for and links"
    )
    assert normalize_heading("**Bold** and __strong__") == "bold and strong"


def test_section_is_contained_in_one_heading_of_the_context() -> None:
    assert headings_contain(
        ["Flask Tutorial", "2.1 The Application Factory"], "the application factory"
    )
    assert not headings_contain(["Tutorial", "Application"], "The Application Factory")
    assert not headings_contain(["Anything"], "")


def test_must_show_ignores_case_and_reports_what_is_missing() -> None:
    assert missing_strings("Run `UV SYNC --frozen`", ["uv sync", "--FROZEN"]) == ()
    assert missing_strings("Run uv sync", ["uv sync", "--frozen"]) == ("--frozen",)


def _passage(source: str, context: str, n: int = 1) -> Passage:
    return Passage(f"id-{source}-{n}", source, n, 0, 10, "0123456789", context)


def _answer(*cited: Passage, sentence: str = "Run widget self update.") -> Answer:
    citations = tuple(Citation(i, p, 1.0) for i, p in enumerate(cited, start=1))
    return Answer("q", (Sentence(sentence, 1, 0, len(sentence), 1.0),), citations, ())


CASE = EvalCase(
    "how do I upgrade?",
    source="install.md",
    section="Upgrading widget",
    must_show=("widget self update",),
    id="w-1",
)


def test_useful_needs_every_must_show_and_a_citation_in_the_gold_file() -> None:
    right = _passage("install.md", "Installing Widget › Upgrading `widget`")
    judged = judge_docs(CASE, _answer(right))
    assert (judged.cited_right, judged.section_right, judged.useful) == (True, True, True)
    missing = judge_docs(CASE, _answer(right, sentence="Upgrade it often."))
    assert (missing.cited_right, missing.useful, missing.missing) == (
        True,
        False,
        ("widget self update",),
    )


def test_first_citation_decides_cited_and_section_but_any_citation_counts_for_useful() -> None:
    other = _passage("guide/sync.md", "Syncing › Upgrading widget")
    gold = _passage("install.md", "Installing Widget › Standalone installer", 3)
    judged = judge_docs(CASE, _answer(other, gold))
    # A same-named heading in another file does not count: the gold file is required.
    assert (judged.cited_right, judged.section_right, judged.useful) == (False, False, True)
    wrong_section = judge_docs(CASE, _answer(gold))
    assert (wrong_section.cited_right, wrong_section.section_right) == (True, False)


def test_abstaining_is_wrong_on_every_docs_rule() -> None:
    judged = judge_docs(CASE, Answer("q", (), (), ()))
    assert (judged.cited_right, judged.section_right, judged.useful) == (False, False, False)


# --- loading -----------------------------------------------------------------------------------


def test_docs_file_loads_answerable_and_unanswerable_cases() -> None:
    cases = load_docs(QUESTIONS).cases
    assert [c.id for c in cases] == ["w-001", "w-002", "w-003", "w-004"]
    assert cases[1].section == "Exporting the lockfile"
    assert cases[1].must_show == ("widget export --format requirements.txt",)
    assert cases[3].answerable is False and cases[3].source is None


def test_sources_map_retargets_gold_to_html_pages() -> None:
    cases = load_docs(QUESTIONS, sources_map=SOURCES, target="html").cases
    assert [c.source for c in cases] == ["install.html", "guide/sync.html", "install.html", None]


def test_sources_map_keeps_only_questions_in_the_pdf_with_their_page(tmp_path: Path) -> None:
    cases = load_docs(QUESTIONS, sources_map=SOURCES, target="pdf").cases
    assert [(c.id, c.source, c.gold_page) for c in cases] == [
        ("w-001", "widget.pdf", 3),
        ("w-003", "widget.pdf", 2),
        ("w-004", None, 0),
    ]
    # With the corpus folder known, the PDF's path is made relative to it.
    rebased = load_docs(QUESTIONS, sources_map=SOURCES, target="pdf", corpus=TINY).cases
    assert rebased[0].source == "pdf/widget.pdf"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"question": "q", "source": "a.md", "must_show": ["x"]}', '"section" must be'),
        ('{"question": "q", "source": "a.md", "section": "S"}', '"must_show" must be'),
        ('{"question": "q", "section": "S", "must_show": ["x"]}', 'needs a "source"'),
        ('{"question": "q", "answerable": null}', '"answerable" must be true or false'),
    ],
)
def test_bad_docs_line_names_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=message) as info:
        load_docs(path)
    assert f"{path}:1:" in str(info.value)


def test_html_target_without_a_map_or_with_an_unmapped_gold_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="needs a sources map"):
        load_docs(QUESTIONS, target="html")
    partial = tmp_path / "map.json"
    partial.write_text('{"install.md": {"html": "install.html"}}', encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"no html page for guide/sync\.md"):
        load_docs(QUESTIONS, sources_map=partial, target="html")


# --- end to end --------------------------------------------------------------------------------


def test_docs_metrics_on_the_tiny_fixture() -> None:
    engine = Engine.from_folder(CORPUS)
    report = evaluate(engine, load_docs(QUESTIONS))
    by_id = {r.case.id: r for r in report.results}
    assert by_id["w-002"].docs is not None and by_id["w-002"].docs.useful
    assert by_id["w-004"].passed and not by_id["w-004"].answered
    installer = by_id["w-003"].docs
    # Its must-show string is only in the code block the answer's sentence introduces.
    assert installer is not None and installer.section_right and installer.useful
    assert any("install.sh | sh" in block for block in by_id["w-003"].blocks)
    for name in ("cited_right", "section_right", "useful"):
        value = report.metrics[name]
        assert isinstance(value, float) and 0.0 <= value <= 1.0
    assert (
        report.metrics["useful"] == sum(bool(r.docs and r.docs.useful) for r in report.results) / 3
    )
    assert report.metrics["recall@1"] == 1.0  # file-level: each gold file ranks first


def _docs_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.eval_cmd", str(QUESTIONS), "--format", "docs", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_docs_format_with_failures_and_json_out(tmp_path: Path) -> None:
    out = tmp_path / "docs.json"
    done = _docs_eval("--corpus", str(CORPUS), "--failures", "5", "--json-out", str(out))
    assert done.returncode == 0, done.stderr
    assert "docs: useful (must_show shown)" in done.stdout
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["metrics"]["abstained_when_unanswerable"] == 1.0
    for failure in payload["failures"]:
        assert failure["must_show"] and failure["section"]
        assert failure["useful"] is False
        assert "missing" in failure and "first_headings" in failure


def test_cli_subset_keeps_odd_or_even_ids() -> None:
    done = _docs_eval("--corpus", str(CORPUS), "--subset", "odd", "--json")
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)["metrics"]
    assert (metrics["answerable"], metrics["unanswerable"]) == (2, 0)  # w-001, w-003


def test_a_docs_question_file_is_scored_as_one_without_format(tmp_path: Path) -> None:
    """``citebot eval uv.jsonl --corpus uv-md``, as the README's "measure on your own docs"
    reads, scored the file as plain JSONL: no cited-right, section-right or useful lines."""
    from tests.test_cli import citebot

    done = citebot("eval", str(QUESTIONS), "--corpus", str(CORPUS), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "docs: useful (must_show shown)" in done.stdout
    assert "scored as a docs question file" in done.stderr
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"question": "How do I upgrade widget?"}\n', encoding="utf-8")
    done = citebot("eval", str(plain), "--corpus", str(CORPUS), cwd=tmp_path)
    assert done.returncode == 0 and "docs:" not in done.stdout and done.stderr == ""


def test_curve_applies_the_threshold_the_engine_applies_over_documentation() -> None:
    """``--curve`` answers every question at threshold 0 and then applies the chosen one: over
    documentation that is ``min_confidence`` times the engine's ``answer_bar``, as without it."""
    from retrieval import ComposerOptions, EngineOptions

    zero = Engine.from_folder(CORPUS, EngineOptions(composer=ComposerOptions(min_confidence=0.0)))
    assert zero.answer_bar < 1.0  # the fixture is documentation with sections
    confidences = [zero.ask(c.question).confidence for c in load_docs(QUESTIONS).cases]
    lowest = min(c for c in confidences if c > 0.0)
    threshold = lowest / (1 + zero.answer_bar) * 2  # above the lowest, but within the bar
    assert threshold <= 1.0
    runs = [
        json.loads(_docs_eval("--corpus", str(CORPUS), "--min-confidence", f"{threshold}",
                              "--json", *extra).stdout)["metrics"]
        for extra in ((), ("--curve",))
    ]  # fmt: skip
    assert runs[0]["answered_when_answerable"] == runs[1]["answered_when_answerable"]
    assert runs[0]["abstained_when_unanswerable"] == runs[1]["abstained_when_unanswerable"]


def test_curve_rows_are_the_min_confidence_settings_that_give_them() -> None:
    """A ``--curve`` row labelled t is what ``--min-confidence t`` gives: over documentation
    the engine applies t × ``answer_bar``, so the row must too (it applied t itself)."""
    from retrieval import ComposerOptions, EngineOptions

    zero = Engine.from_folder(CORPUS, EngineOptions(composer=ComposerOptions(min_confidence=0.0)))
    bar = zero.answer_bar
    assert bar < 1.0
    confidences = [zero.ask(c.question).confidence for c in load_docs(QUESTIONS).cases]
    grid = [round(0.05 * i, 2) for i in range(1, 21)]
    t = next(t for t in grid if any(bar * t <= c < t for c in confidences))  # the bar matters
    payload = json.loads(
        _docs_eval("--corpus", str(CORPUS), "--min-confidence", f"{t}", "--curve", "--json").stdout
    )
    [row] = [r for r in payload["curve"] if r["min_confidence"] == t]
    metrics = payload["metrics"]
    assert row["answered"] == metrics["answered_when_answerable"]
    assert row["abstained"] == metrics["abstained_when_unanswerable"]
