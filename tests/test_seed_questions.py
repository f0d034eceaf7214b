"""The seed question set: each answerable question cites its paragraph and contains its phrase;
each question the seed cannot answer abstains."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from retrieval import Engine

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "seed_questions.jsonl").read_text().splitlines()
]


def test_the_set_is_big_enough() -> None:
    assert sum(c.get("answerable", True) for c in CASES) >= 15
    assert sum(not c.get("answerable", True) for c in CASES) >= 5


@pytest.mark.parametrize("case", CASES, ids=[c["question"] for c in CASES])
def test_seed_question(seed_engine: Engine, case: dict[str, Any]) -> None:
    answer = seed_engine.ask(case["question"])
    if not case.get("answerable", True):
        assert not answer.answered, answer.text
        return
    assert answer.answered, answer.abstain_reason
    first = answer.citation(answer.sentences[0].citation).passage
    assert (first.source, first.paragraph) == (case["source"], case["paragraph"])
    assert any(phrase.lower() in answer.text.lower() for phrase in case["answers"])
