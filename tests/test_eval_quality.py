"""The ranking and composing levers kept after measurement (see docs/quality.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from retrieval import ComposerOptions, Document, Engine, EngineOptions, OptionError
from retrieval.analysis.tokenizer import analyze
from retrieval.answering.compose import _cue, _has_cue, verify
from retrieval.answering.decision import calibrated_confidence

ARTICLE = """# Bell Rock Lighthouse

The lighthouse keepers kept the lamp burning through every storm on the rock.

The Bell Rock Lighthouse keepers were relieved by a supply boat. Relief came every six weeks.

Storms on the rock were frequent. The lamp of the lighthouse could be seen for 35 miles.
"""


def _engine(**options: Any) -> Engine:
    return Engine(
        [Document("bell.md", ARTICLE, "Bell Rock Lighthouse", "utf-8")], EngineOptions(**options)
    )


def test_rerank_off_is_plain_bm25_order() -> None:
    engine = _engine(rerank_depth=0)
    terms = analyze("lighthouse keepers lamp rock")
    hits = engine.search("lighthouse keepers lamp rock", 10)
    assert [(h.passage.paragraph, h.score) for h in hits] == [
        (engine.passages[i].paragraph, s) for i, s in engine.index.top(terms, 10)
    ]


def test_rerank_keeps_bm25_scores() -> None:
    engine = _engine()
    question = "How often were the Bell Rock keepers relieved?"
    scores = engine.index.scores(analyze(question))
    for hit in engine.search(question, 10):
        i = engine.passages.index(hit.passage)
        assert hit.score == pytest.approx(float(scores[i]))


def test_title_is_searchable_when_indexed() -> None:
    # "bell" appears only in the title and in paragraph 3: with the title field every paragraph
    # matches it; without, only paragraph 3 does.
    with_title = _engine(index_context=True).search("bell", 10)
    without = _engine(index_context=False).search("bell", 10)
    assert len(with_title) == 3
    assert [h.passage.paragraph for h in without] == [3]


def test_rerank_depth_is_checked() -> None:
    with pytest.raises(OptionError, match="rerank_depth"):
        EngineOptions(rerank_depth=-1)


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("How many miles could the lamp be seen?", "It could be seen for 35 miles.", True),
        ("How many miles could the lamp be seen?", "It could be seen from far away.", False),
        ("When was the lighthouse built?", "It was built in 1810.", True),
        ("When was the lighthouse built?", "It was built in the 19th century.", True),
        ("Who built the lighthouse?", "It was built by Robert Stevenson.", True),
        ("Who built the lighthouse?", "It was built by engineers.", False),
        ("Who built the Lighthouse?", "The Lighthouse was built.", False),  # a question word
    ],
)
def test_answer_type_cues(question: str, text: str, expected: bool) -> None:
    cue = _cue(question)
    assert cue is not None
    assert _has_cue(cue, text, set(analyze(question))) is expected


def test_no_cue_for_other_questions() -> None:
    assert _cue("What is the lamp made of?") is None


def test_cue_picks_the_sentence_with_the_number_and_quotes_stay_verbatim() -> None:
    engine = _engine(composer=ComposerOptions(max_sentences=1, min_confidence=0.0))
    answer = engine.ask("How far could the lamp of the lighthouse be seen?")
    assert answer.sentences[0].text == ("The lamp of the lighthouse could be seen for 35 miles.")
    verify(answer, engine.source_text)
    # A sentence sharing no word with the question is never quoted, even next to the best one.
    answer = engine.ask("How often were the Bell Rock Lighthouse keepers relieved?")
    assert answer.text == "The Bell Rock Lighthouse keepers were relieved by a supply boat. [1]"


def _one_paragraph_docs() -> list[Document]:
    texts = [
        "Storms on the rock were frequent and the lamp was seen for miles.",
        "The harbour boat brought relief to the keepers every six weeks.",
        "Granite blocks for the tower were cut in Arbroath.",
    ]
    return [Document(f"d{i}.txt", t, f"d{i}", "utf-8") for i, t in enumerate(texts)]


def test_focus_factor_spares_one_paragraph_documents() -> None:
    # Hits from three different one-paragraph files are not "scattered": each file could
    # supply only one paragraph, so the focus evidence stays 1.
    engine = Engine(_one_paragraph_docs(), EngineOptions())
    answer = engine.ask("How often did the boat bring relief to the keepers?")
    assert answer.evidence is not None and answer.evidence.focus == 1.0
    assert answer.sentences


def test_focus_factor_lowers_confidence_when_hits_scatter_over_a_long_document() -> None:
    # The best hit is one paragraph of a seven-paragraph document; the other hits come from
    # three other files. The long document could have supplied every hit but supplied one, so
    # the focus is 1/4, and the confidence is below what the same evidence with focus 1 gives.
    paragraphs = [
        "The relief boat sailed from the harbour every six weeks to the lighthouse keepers.",
        "The tower is built of granite blocks.",
        "A keeper wrote a diary of the storms.",
        "The lamp was lit at dusk.",
        "Painters came to sketch the tower.",
        "The rock is covered at high tide.",
    ]
    long_doc = Document(
        "long.md", "# Lighthouse\n\n" + "\n\n".join(paragraphs) + "\n", "Lighthouse", "utf-8"
    )
    others = [
        Document(f"o{i}.txt", text, f"o{i}", "utf-8")
        for i, text in enumerate(
            ["A boat left the harbour.", "The boat brought relief.", "Every harbour has a boat."]
        )
    ]
    question = "How often did the relief boat sail from the harbour?"
    composer = ComposerOptions(min_confidence=0.0)
    focused = Engine([long_doc, *others], EngineOptions(composer=composer)).ask(question)
    assert [h.passage.source for h in focused.hits][:1] == ["long.md"]
    assert len({h.passage.source for h in focused.hits}) == 4
    assert focused.evidence is not None and focused.evidence.focus == pytest.approx(0.25)
    together = replace(focused.evidence, focus=1.0)
    assert focused.confidence == pytest.approx(calibrated_confidence(focused.evidence))
    assert focused.confidence < calibrated_confidence(together)


def test_context_repeat_is_validated_and_weights_the_title() -> None:
    with pytest.raises(OptionError):
        _engine(context_repeat=0)
    flat = _engine(context_repeat=1)
    heavy = _engine(context_repeat=3)
    assert heavy.index.scores(["bell"]).max() > flat.index.scores(["bell"]).max() > 0


def test_document_index_is_built_once_with_one_entry_per_document() -> None:
    other = Document("o.txt", "Relief boats sail every six weeks from the harbour.", "o", "utf-8")
    engine = Engine(
        [Document("bell.md", ARTICLE, "Bell Rock Lighthouse", "utf-8"), other], EngineOptions()
    )
    assert engine.document_index is not None
    assert engine.document_index.size == 2
    scores = engine.document_index.scores(analyze("lighthouse"))
    assert scores[0] > 0 == scores[1]
    assert _engine(document_weight=0.0).document_index is None


def test_document_score_prefers_the_paragraph_whose_document_holds_the_other_words() -> None:
    # The same paragraph in two files: BM25 ties them (corpus order puts the harbour's first);
    # only the lighthouse file also mentions the keepers and the rock, so document evidence
    # breaks the tie its way.
    lighthouse = Document(
        "bell.txt", "The keepers watched the rock.\n\nA relief boat came.\n", "Bell", "utf-8"
    )
    harbour = Document("harbour.txt", "A relief boat came.\n", "Harbour", "utf-8")
    question = "relief boat keepers rock"

    def order(weight: float) -> list[str]:
        engine = Engine([harbour, lighthouse], EngineOptions(document_weight=weight))
        hits = engine.search(question, 3)
        return [h.passage.source for h in hits if h.passage.text == "A relief boat came."]

    assert order(0.0) == ["harbour.txt", "bell.txt"]
    assert order(0.3) == ["bell.txt", "harbour.txt"]
