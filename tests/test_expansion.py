"""Pseudo-relevance feedback (``EngineOptions.prf_weight``): which terms expand a question,
and that feedback moves only what is quoted, never the first stage's scores or the decision."""

from __future__ import annotations

from pathlib import Path

from retrieval import Engine, EngineOptions
from retrieval.answering.expansion import expansion_terms
from retrieval.answering.rerank import section_votes

IDF = {"workspac": 2.0, "member": 1.5, "lockfil": 1.0, "root": 3.0, "the": 0.1}


def test_terms_shared_by_the_feedback_and_rare_in_the_corpus_expand_the_question() -> None:
    feedback = [
        (["lockfil", "workspac", "member", "root"], 2.0),
        (["workspac", "member", "the", "lockfil"], 1.0),
    ]
    terms = expansion_terms(feedback, {"lockfil"}, lambda t: IDF.get(t, 0.0), count=5)
    assert terms == ["workspac", "member"]  # "root", "the": one paragraph each; "lockfil" asked


def test_min_docs_one_keeps_a_single_paragraphs_rare_term_and_count_cuts() -> None:
    feedback = [(["root", "workspac"], 2.0), (["workspac"], 1.0)]
    terms = expansion_terms(feedback, (), lambda t: IDF.get(t, 0.0), count=1, min_docs=1)
    assert terms == ["workspac"]
    assert expansion_terms(feedback, (), lambda t: IDF[t], count=0) == []
    assert expansion_terms([], (), lambda t: IDF[t], count=3) == []


GUIDE = """# Projects

## Sharing a lockfile

Several packages can share one lockfile when they are members of one workspace.

A lockfile shared by packages of a workspace keeps the members' versions consistent.

## Workspaces

A workspace is declared in the root with its members listed by glob.

Each member of the workspace is a package with its own settings.

## Scripts

Scripts run with the project's packages installed, and several scripts can share one cache.

## Caching

The cache is shared by several commands and is cleaned with the prune command.
"""

QUESTION = "how do I set up a monorepo with several packages that share one lockfile?"


def _engines(tmp_path: Path) -> tuple[Engine, Engine]:
    (tmp_path / "guide.md").write_text(GUIDE, encoding="utf-8")
    off = Engine.from_folder(tmp_path)
    return off, Engine(off.parts, EngineOptions(prf_weight=0.2))


def test_feedback_quotes_the_paragraph_sharing_the_best_ones_words(tmp_path: Path) -> None:
    """ "Scripts … share one cache" holds more of the question's words than the second
    workspace paragraph, but not the words ("workspace", "members") the best paragraphs share."""
    off, on = _engines(tmp_path)
    before, after = off.ask(QUESTION), on.ask(QUESTION)
    assert [c.passage.headings[-1] for c in before.citations[:2]] == [
        "Sharing a lockfile",
        "Scripts",
    ]
    assert [c.passage.headings[-1] for c in after.citations[:2]] == ["Sharing a lockfile"] * 2
    assert after.confidence == before.confidence  # decided on the first ranking


def test_feedback_keeps_rank_bm25s_scores_and_the_first_ranking(tmp_path: Path) -> None:
    off, on = _engines(tmp_path)
    assert [(h.passage.id, h.score) for h in on.search(QUESTION)] == [
        (h.passage.id, h.score) for h in off.search(QUESTION)
    ]
    _, ranking = on.ask_ranked(QUESTION, 10)
    terms = on.index.vocabulary  # every hit's score is the question's own rank-bm25 score
    assert terms is not None
    rows = [on.passages.position(h.passage.id) for h in ranking]
    from retrieval.answering.engine import prepare_question

    _, asked = prepare_question(QUESTION, on.analyzer)
    exact = on.index.score_of(asked, [r for r in rows if r is not None])
    assert sorted(h.score for h in ranking) == sorted(exact)


def test_a_section_several_candidates_come_from_outvotes_a_lone_better_paragraph() -> None:
    top = [(1, 4.0), (2, 3.0), (3, 3.0), (4, 2.0), (5, 9.0)]
    sections = {1: "lone", 2: "many", 3: "many", 4: "many"}  # 5: under its page's title only
    votes = section_votes(top, sections)
    assert votes[2] == votes[3] == votes[4] == 1.0
    assert votes[1] == 4.0 / 8.0  # its section's sum (4/9) over the best section's (8/9)
    assert 5 not in votes
    assert section_votes([], {}) == {}
