"""The composer: verbatim quotes, citation numbering, budgets and abstention."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import (
    AbstainReason,
    CitationMismatchError,
    ComposerOptions,
    Engine,
    EngineOptions,
    OptionError,
)
from retrieval.answering.compose import verify
from retrieval.types import Answer, Sentence

SEED_QUESTIONS = Path(__file__).parent / "data" / "seed_questions.jsonl"


def _all_questions() -> list[str]:
    return [json.loads(line)["question"] for line in SEED_QUESTIONS.read_text().splitlines()]


@pytest.mark.parametrize("question", _all_questions())
def test_every_quote_is_its_source_span(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question)
    for sentence in answer.sentences:
        citation = answer.citation(sentence.citation)
        text = seed_engine.source_text(citation.passage.source)
        assert text[sentence.start : sentence.end] == sentence.text
        assert citation.passage.start <= sentence.start < sentence.end <= citation.passage.end
        assert f"{sentence.text} [{sentence.citation}]" in answer.text


@pytest.mark.parametrize("question", _all_questions())
def test_citations_are_numbered_by_first_use(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question)
    first_use: list[int] = []
    for sentence in answer.sentences:
        if sentence.citation not in first_use:
            first_use.append(sentence.citation)
    assert first_use == list(range(1, len(answer.citations) + 1))
    assert [c.n for c in answer.citations] == first_use
    assert len({c.passage.id for c in answer.citations}) == len(answer.citations)


def test_sentence_and_character_budgets(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(
        "Zebras graze. Zebras run fast. Zebras have stripes. Zebras sleep standing.\n\n"
        "Zebras live in Africa. Zebras form herds."
    )
    # The budgets, whatever the decision: "zebras" is in every sentence, weak evidence for any.
    for max_sentences in (1, 2, 3):
        composer = ComposerOptions(max_sentences=max_sentences, min_confidence=0.0)
        answer = Engine.from_folder(tmp_path, EngineOptions(composer=composer)).ask("zebras")
        assert 1 <= len(answer.sentences) <= max_sentences
    composer = ComposerOptions(max_sentences=3, max_chars=40, min_confidence=0.0)
    options = EngineOptions(composer=composer)
    answer = Engine.from_folder(tmp_path, options).ask("zebras")
    assert sum(len(s.text) for s in answer.sentences) + len(answer.sentences) - 1 <= 40


def test_an_overlong_sentence_is_clipped_to_a_verbatim_window(tmp_path: Path) -> None:
    words = " ".join(f"word{i}" for i in range(800))
    (tmp_path / "a.txt").write_text(f"{words} aardvark {words}.")
    engine = Engine.from_folder(tmp_path, EngineOptions(composer=ComposerOptions(max_chars=200)))
    answer = engine.ask("aardvark")
    (sentence,) = answer.sentences
    assert len(sentence.text) <= 200
    assert "aardvark" in sentence.text
    assert engine.source_text("a.txt")[sentence.start : sentence.end] == sentence.text


def test_abstains_with_reason_and_related(seed_engine: Engine) -> None:
    answer = seed_engine.ask("What is the capital of Australia?")
    assert not answer.answered and answer.text == ""
    assert answer.abstain_reason is AbstainReason.NO_MATCH  # no paragraph has any of its words
    assert answer.related == () and answer.hits == ()
    partial = seed_engine.ask("What is the population of Denver?")
    assert not partial.answered
    assert partial.abstain_reason is AbstainReason.LOW_CONFIDENCE
    assert 1 <= len(partial.related) <= 3
    assert [c.n for c in partial.related] == list(range(1, len(partial.related) + 1))
    assert partial.related[0].passage == partial.hits[0].passage


def test_threshold_zero_always_answers_when_something_matches(tmp_path: Path) -> None:
    options = EngineOptions(composer=ComposerOptions(min_confidence=0.0))
    engine = Engine.from_folder(Path(__file__).parent.parent / "seeds", options)
    assert engine.ask("What is the population of Denver?").answered


def test_verify_rejects_a_quote_that_is_not_in_the_source(seed_engine: Engine) -> None:
    answer = seed_engine.ask("Who is Jeffrey Lynch?")
    forged = Answer(
        answer.question,
        (Sentence("Jeffrey Lynch is the mayor.", 1, answer.sentences[0].start,
                  answer.sentences[0].end, 1.0),),
        answer.citations,
        answer.hits,
    )  # fmt: skip
    with pytest.raises(CitationMismatchError):
        verify(forged, seed_engine.source_text)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_sentences": 0},
        {"max_chars": 5},
        {"min_confidence": 1.5},
        {"depth": 0},
        {"sections_bar": 0.0},
        {"sections_bar": 1.5},
    ],
)
def test_bad_composer_options_name_the_option(kwargs: dict[str, float]) -> None:
    (name,) = kwargs
    with pytest.raises(OptionError, match=name):
        ComposerOptions(**kwargs)  # type: ignore[arg-type]


def test_a_sentence_is_never_quoted_twice(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The axolotl regrows limbs.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a_copy.txt").write_text("The axolotl regrows limbs.")
    (tmp_path / "b.txt").write_text("The zebra sprint fact. " * 5)
    engine = Engine.from_folder(tmp_path)
    for question in ("What does the axolotl regrow?", "zebra sprint"):
        texts = [s.text for s in engine.ask(question).sentences]
        assert len(texts) == len(set(texts)) >= 1


def test_a_heading_answers_for_the_paragraph_under_it(tmp_path: Path) -> None:
    (tmp_path / "h.md").write_text(
        "# Shop\n\n## Refund policy\n\nCustomers get thirty days to return items.\n\n"
        "## Shipping\n\nParcels leave within two days.\n"
    )
    answer = Engine.from_folder(tmp_path).ask("What is the refund policy?")
    assert answer.answered
    assert answer.sentences[0].text == "Customers get thirty days to return items."
    assert answer.citations[0].passage.context == "Shop › Refund policy"


def test_clipping_keeps_the_matched_word_even_after_length_changing_case_folds(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.txt").write_text("Straße " * 300 + "the platypus lays eggs " + "word " * 400)
    engine = Engine.from_folder(tmp_path, EngineOptions(composer=ComposerOptions(max_chars=200)))
    (sentence,) = engine.ask("platypus").sentences
    assert "platypus" in sentence.text and len(sentence.text) <= 200


def test_the_sentence_beside_the_best_one_is_preferred_for_the_second_quote(
    tmp_path: Path,
) -> None:
    # The question's words are in the first sentence of a.txt; the one after it holds fewer of
    # them than b.txt's sentence does, but stands beside the best one.
    (tmp_path / "a.txt").write_text(
        "Glaciers carve deep valleys in Norway. Seawater later fills the valleys."
    )
    (tmp_path / "b.txt").write_text("Deep valleys in Norway are cut slowly.")

    def second(beside_weight: float) -> str:
        composer = ComposerOptions(max_sentences=2, beside_weight=beside_weight)
        answer = Engine.from_folder(tmp_path, EngineOptions(composer=composer)).ask(
            "How deep do glaciers carve valleys in Norway?"
        )
        assert answer.sentences[0].text == "Glaciers carve deep valleys in Norway."
        return answer.sentences[1].text

    assert second(0.0) == "Deep valleys in Norway are cut slowly."
    assert second(ComposerOptions().beside_weight) == "Seawater later fills the valleys."


DOCS_PAGE = """# Caching

The cache keeps downloaded wheels so that later installs are fast.

## Clearing the cache

Run `tool cache prune` to remove entries that no project uses any more. The whole cache is
removed by `tool cache clean`, which is safe but makes the next install slow.

## Cache location

The cache lives in the user's cache folder unless `TOOL_CACHE_DIR` names another.
"""


def _docs_and_flat(tmp_path: Path) -> tuple[Path, Path]:
    docs, flat = tmp_path / "docs", tmp_path / "flat"
    docs.mkdir()
    flat.mkdir()
    (docs / "cache.md").write_text(DOCS_PAGE)
    flat_text = "\n\n".join(
        line for line in DOCS_PAGE.splitlines() if line and not line.startswith("#")
    )
    (flat / "cache.txt").write_text(flat_text)
    return docs, flat


def test_documentation_with_sections_is_answered_at_a_lower_bar(tmp_path: Path) -> None:
    docs, flat = _docs_and_flat(tmp_path)
    assert Engine.from_folder(docs).sectioned()
    assert Engine.from_folder(docs).answer_bar == ComposerOptions().sections_bar < 1.0
    assert not Engine.from_folder(flat).sectioned()  # plain paragraphs: no section below a title
    assert Engine.from_folder(flat).answer_bar == 1.0
    question = "how do i clean out only the unused entries of the cache safely?"
    zero = EngineOptions(composer=ComposerOptions(min_confidence=0.0))
    confidence = Engine.from_folder(docs, zero).ask(question).confidence
    assert 0.0 < confidence < 0.8
    # A threshold the answer misses, but not by more than the documentation bar forgives.
    threshold = confidence / (1 + ComposerOptions().sections_bar) * 2
    assert ComposerOptions().sections_bar * threshold < confidence < threshold

    def ask(bar: float) -> bool:
        composer = ComposerOptions(min_confidence=threshold, sections_bar=bar)
        return Engine.from_folder(docs, EngineOptions(composer=composer)).ask(question).answered

    assert ask(ComposerOptions().sections_bar)
    assert not ask(1.0)  # the bar off: the same answer abstains


def test_a_follow_up_over_documentation_gets_the_lower_bar_not_their_product(
    tmp_path: Path,
) -> None:
    from retrieval.answering.engine import Borrowed

    docs, _ = _docs_and_flat(tmp_path)
    question = "how do i clean out only the unused entries of the cache safely?"
    zero = EngineOptions(composer=ComposerOptions(min_confidence=0.0))
    confidence = Engine.from_folder(docs, zero).ask(question).confidence
    bar = 0.9  # a bar near 1, so that a threshold of at most 1 falls where it matters
    # Between bar² and bar times the threshold: the product would answer, the lower bar does not.
    threshold = confidence / (bar * (1 + bar) / 2)
    assert bar * bar * threshold < confidence < bar * threshold <= 1.0
    composer = ComposerOptions(min_confidence=threshold, sections_bar=bar)
    engine = Engine.from_folder(docs, EngineOptions(composer=composer))
    assert not engine.ask(question, Borrowed(bar=bar)).answered
    assert not engine.ask(question).answered
