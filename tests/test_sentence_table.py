"""The sentence table: what the build stores per paragraph is exactly what analysing it gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Engine, EngineOptions, open_engine
from retrieval.answering.compose import analyse_passage
from retrieval.answering.engine import Matches
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
