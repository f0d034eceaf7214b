"""The sentence table: what the build stores per paragraph is exactly what analysing it gives."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from retrieval import Engine, EngineOptions, open_engine
from retrieval.answering.compose import analyse_passage
from retrieval.answering.engine import Matches
from retrieval.index.sentences import OUT_OF_ROOM, SentenceTable, _topk
from retrieval.types import Document

ROOT = Path(__file__).resolve().parent.parent

MARKDOWN = """# Install

Run `uv add torch` first. Then sync: the lock file is updated.

- A list item. With two sentences!
- Another one? Yes.

Dr. Smith wrote 3.14 on p. 5. Gospić is a town.
"""


def _same(engine: Engine) -> None:
    assert len(engine.passages) > 0
    for i, passage in enumerate(engine.passages):
        stored = engine.analysed(passage)
        # The text's own analysis, plus the block after the paragraph counted for its last
        # sentence (EngineOptions.unit_sentence_terms), as the engine composes with.
        fresh = engine._with_unit_terms(i, analyse_passage(passage, engine.analyzer))
        assert stored == fresh, (i, passage.text)
        for sentence in stored.sentences:
            assert passage.text[sentence.start : sentence.end].strip()
        # Re-ranking reads only the question's terms, as ids from the table: the same answers
        # to "is this term (pair) in that sentence (paragraph)?" as the full analysis gives.
        every = sorted(fresh.terms | {"absentword"})
        for asked in (frozenset(every), frozenset(every[::2]), frozenset(every[1::3])):
            ids = {engine.index.vocabulary.id(t): t for t in asked}
            wanted = {i: t for i, t in ids.items() if i is not None}
            restricted = Matches.restrict(fresh, asked)
            assert engine._matches(i, wanted, asked) == restricted
            batch = engine._matches_all([i], wanted, asked)  # the compiled loop, when built
            assert batch.get(i, restricted) == restricted
            # ...and it is used (whatever integer types the table's pointers are stored as)
            assert _topk is None or i in batch


def test_a_built_engine_answers_from_the_table_exactly_as_from_the_text() -> None:
    engine = Engine([Document("guide.md", MARKDOWN, "", "utf-8", "markdown")])
    _same(engine)


def test_a_saved_index_reads_the_same_table(tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "guide.md").write_text(MARKDOWN, encoding="utf-8")
    for name in ("seeds",):
        for file in (ROOT / name).iterdir():
            (corpus / file.name).write_bytes(file.read_bytes())
    open_engine(corpus, index_dir=tmp_path / "idx")  # builds and saves
    engine, report = open_engine(corpus, index_dir=tmp_path / "idx")
    assert report.opening.value == "loaded"
    _same(engine)


def test_a_damaged_table_falls_back_to_the_text() -> None:
    engine = Engine([Document("guide.md", MARKDOWN, "", "utf-8", "markdown")])
    table = engine.passages.sentences
    tokens = table.arrays()["tokens"]
    tokens[:] = len(engine.index.vocabulary) + 7  # every id out of range
    passage = engine.passages[0]
    fresh = analyse_passage(passage, engine.analyzer)
    assert engine._analyse_position(0) == engine._with_unit_terms(0, fresh)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "市长签署了法案。议会一致通过了这项法律！明天开始实施。"),
        ("de", "Die Straße ist gesperrt. Der Bürgermeister unterschrieb das Gesetz am 3. Mai."),
        ("ar", "وقّع العمدة على القانون. وافق المجلس بالإجماع؟ يبدأ التنفيذ غدا."),
    ],
)
def test_the_table_holds_for_other_languages_too(language: str, text: str) -> None:
    engine = Engine(
        [Document("a.txt", text + "\n\n" + text[::-1] + "\n", "", "utf-8")],
        EngineOptions(language=language),
    )
    _same(engine)


def _long_table(sentences: int, terms_each: int) -> dict[str, np.ndarray]:
    """One paragraph of ``sentences`` sentences of ``terms_each`` terms (ids 0, 1, 2, ...)."""
    total = sentences * terms_each
    return {
        "sentence_ptr": np.array([0, sentences], dtype=np.uint32),
        "sentence_start": np.zeros(sentences, dtype=np.uint16),
        "sentence_end": np.ones(sentences, dtype=np.uint16),
        "token_ptr": np.arange(0, total + 1, terms_each, dtype=np.uint32),
        "tokens": (np.arange(total) % 7).astype(np.int32),
    }


@pytest.mark.skipif(_topk is None, reason="the compiled loop is not built")
def test_question_marks_asks_once_more_with_the_room_a_long_paragraph_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A paragraph longer than the guessed room: the loop says how much it needs (-4) and is
    called exactly once more, and the marks are the per-row reading's."""
    table = SentenceTable(_long_table(400, 10))  # 4,000 terms: past the 256 guessed per row
    calls: list[int] = []
    original = _topk.question_marks

    def counted(*args: object) -> int:
        calls.append(original(*args))
        return calls[-1]

    monkeypatch.setattr("retrieval.index.sentences._topk.question_marks", counted)
    found = table.question_marks([0], [1, 2], vocabulary=7)
    assert calls == [OUT_OF_ROOM, 0]
    assert found is not None
    masks, pairs = found[0]
    bounds, ids = table.term_ids(0, 7)
    expected = []
    for a, b in itertools.pairwise(bounds):
        expected.append(sum(1 << [1, 2].index(t) for t in set(ids[a:b]) if t in (1, 2)))
    assert masks == expected
    # every adjacent "1 2" of the paragraph's terms, as the code 64 * 0 + 1
    assert pairs == [1] * sum(1 for a, b in itertools.pairwise(ids) if (a, b) == (1, 2))


@pytest.mark.skipif(_topk is None, reason="the compiled loop is not built")
def test_question_marks_on_a_table_whose_arrays_do_not_fit_is_no_retry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Arguments that do not fit together (a term pointer array shorter than the sentences:
    damage) give None after one call, not retries with growing buffers."""
    arrays = _long_table(400, 10)
    arrays["token_ptr"] = arrays["token_ptr"][:100]
    calls: list[int] = []
    original = _topk.question_marks

    def counted(*args: object) -> int:
        calls.append(original(*args))
        return calls[-1]

    monkeypatch.setattr("retrieval.index.sentences._topk.question_marks", counted)
    assert SentenceTable(arrays).question_marks([0], [1, 2], vocabulary=7) is None
    assert calls == [-1]
