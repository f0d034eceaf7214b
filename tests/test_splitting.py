"""Paragraphs and sentences: exact offsets, titles and headings, stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Engine, load_corpus
from retrieval.splitting import split_passages, split_sentences
from retrieval.types import Document
from tests.conftest import SEEDS


def _corpora(awkward: Path) -> list[Path]:
    return [SEEDS, awkward]


def test_every_paragraph_is_exactly_its_source_span(awkward_corpus: Path) -> None:
    checked = 0
    for folder in _corpora(awkward_corpus):
        for document in load_corpus(folder).documents:
            for passage in split_passages(document):
                assert document.text[passage.start : passage.end] == passage.text
                assert passage.text == passage.text.strip()
                assert passage.source == document.source
                checked += 1
    assert checked >= 20


def test_every_sentence_is_exactly_a_span_of_its_paragraph(awkward_corpus: Path) -> None:
    for folder in _corpora(awkward_corpus):
        for document in load_corpus(folder).documents:
            for passage in split_passages(document):
                spans = split_sentences(passage.text)
                assert spans, passage.text
                words = "".join(passage.text.split())
                assert "".join("".join(passage.text[s:e].split()) for s, e in spans) == words


def test_seed_paragraph_numbers_count_the_title() -> None:
    (document,) = load_corpus(SEEDS).documents
    passages = split_passages(document)
    assert document.title == "Denver Defies Trump with New Sanctuary City Ordinance"
    assert [p.paragraph for p in passages] == list(range(2, 12))
    assert passages[1].text.startswith("The Denver City Council unanimously passed")
    assert passages[1].paragraph == 3
    assert all(p.context == document.title for p in passages)


def test_line_endings_and_hard_wraps(awkward_corpus: Path) -> None:
    docs = {d.source: d for d in load_corpus(awkward_corpus).documents}
    crlf = split_passages(docs["a_crlf.txt"])
    assert [p.paragraph for p in crlf] == [2, 3]
    assert crlf[0].text == "First paragraph with CRLF line\r\nendings, hard wrapped."
    assert crlf[0].flat_text == "First paragraph with CRLF line endings, hard wrapped."
    assert crlf[0].context == "Windows Title"
    cr = split_passages(docs["b_cr.txt"])
    assert [p.text for p in cr] == ["A paragraph with bare CR\rline endings.", "Another one."]


def test_markdown_headings_are_context_not_passages(awkward_corpus: Path) -> None:
    docs = {d.source: d for d in load_corpus(awkward_corpus).documents}
    passages = split_passages(docs["nested/g_markdown.md"])
    assert [(p.paragraph, p.context, p.flat_text) for p in passages] == [
        (2, "Setup Guide", "Intro paragraph about the guide."),
        (4, "Setup Guide › Installing", "Run the installer and wait."),
        (6, "Setup Guide › Installing › On Linux", "Use the package."),
        (8, "Setup Guide › Removing", "Delete the folder."),
    ]


def test_a_long_or_punctuated_first_line_is_not_a_title() -> None:
    doc = Document("x.txt", "This first line ends with a period.\n\nSecond.", "", "utf-8")
    assert [p.paragraph for p in split_passages(doc)] == [1, 2]


def test_ids_are_stable_and_depend_on_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One paragraph.\n\nTwo paragraph.")
    first = [p.id for p in Engine.from_folder(tmp_path).passages]
    second = [p.id for p in Engine.from_folder(tmp_path).passages]
    assert first == second and len(set(first)) == 2
    (tmp_path / "a.txt").write_text("One paragraph.\n\nTwo paragraphs now.")
    assert [p.id for p in Engine.from_folder(tmp_path).passages] != first


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Officials from U.S. Immigration and Customs Enforcement came. They left.",
            ["Officials from U.S. Immigration and Customs Enforcement came.", "They left."],
        ),
        (
            "Mr. Smith met Dr. Jones on Jan. 5. It rained.",
            ["Mr. Smith met Dr. Jones on Jan. 5.", "It rained."],
        ),
        ("Pi is 3.14 roughly. Yes.", ["Pi is 3.14 roughly.", "Yes."]),
        (
            "“We stand with them.” Hancock said so. “Really?” he asked.",
            ["“We stand with them.”", "Hancock said so.", "“Really?” he asked."],
        ),
        (
            "Working for them…or for others. Wait... and see. The end... Next one.",
            ["Working for them…or for others.", "Wait... and see.", "The end...", "Next one."],
        ),
        (
            "J. R. R. Tolkien wrote it. Then he rested!",
            ["J. R. R. Tolkien wrote it.", "Then he rested!"],
        ),
        ("Items:\n- first item\n- second item", ["Items:", "- first item", "- second item"]),
        ("No final punctuation", ["No final punctuation"]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected
