"""Paragraphs and sentences: exact offsets, titles and headings, stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval import Engine, load_corpus
from retrieval.splitting.passages import split_passages
from retrieval.splitting.sentences import split_sentences
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
    assert " ".join(crlf[0].text.split()) == "First paragraph with CRLF line endings, hard wrapped."
    assert crlf[0].context == "Windows Title"
    cr = split_passages(docs["b_cr.txt"])
    assert [p.text for p in cr] == ["A paragraph with bare CR\rline endings.", "Another one."]


def test_markdown_headings_are_context_not_passages(awkward_corpus: Path) -> None:
    docs = {d.source: d for d in load_corpus(awkward_corpus).documents}
    passages = split_passages(docs["nested/g_markdown.md"])
    assert [(p.paragraph, p.context, " ".join(p.text.split())) for p in passages] == [
        (2, "Setup Guide", "Intro paragraph about the guide."),
        (4, "Setup Guide › Installing", "Run the installer and wait."),
        (6, "Setup Guide › Installing › On Linux", "Use the package."),
        (8, "Setup Guide › Removing", "Delete the folder."),
    ]


def test_a_title_line_glued_to_the_text_is_still_the_title() -> None:
    text = "Meeting Notes\nThe council met on Tuesday and approved the budget."
    (passage,) = split_passages(Document("m.txt", text, "", "utf-8"))
    assert passage.text == "The council met on Tuesday and approved the budget."
    assert (passage.paragraph, passage.context) == (2, "Meeting Notes")
    assert text[passage.start : passage.end] == passage.text


def test_a_hard_wrapped_first_paragraph_is_not_cut_into_a_title() -> None:
    text = "The council met on Tuesday and then approved the\nbudget for the coming year."
    (passage,) = split_passages(Document("m.txt", text, "", "utf-8"))
    assert (passage.paragraph, passage.text) == (1, text)


def test_cr_only_title_does_not_swallow_the_next_line() -> None:
    text = "CR title\rMore words here that make a longer line.\r\rLast one."
    passages = split_passages(Document("cr.txt", text, "", "utf-8"))
    assert passages[0].context == "CR title"
    assert passages[0].text == "More words here that make a longer line."


def test_code_front_matter_and_breaks_are_never_passages() -> None:
    text = (
        "---\ntitle: Widget\n---\n\n# Widget\n\nInstall it like this.\n\n"
        "```sh\n# install the widget\npip install widget\n\nwidget serve\n```\n\n"
        "* * *\n\nThen open the page.\n"
    )
    passages = split_passages(Document("w.md", text, "", "utf-8"))
    assert [(p.paragraph, p.context, p.text) for p in passages] == [
        (3, "Widget", "Install it like this."),
        (5, "Widget", "Then open the page."),
    ]


def test_copies_of_a_file_have_different_ids() -> None:
    a = split_passages(Document("a.txt", "Same text.", "", "utf-8"))
    b = split_passages(Document("sub/a_copy.txt", "Same text.", "", "utf-8"))
    assert a[0].id != b[0].id


def test_sentence_splitting_is_linear_in_a_huge_paragraph() -> None:
    # Quadratic splitting took minutes on this (it looked back over the whole prefix per ".").
    text = "The zebra sprint fact. " * 10_000
    spans = split_sentences(text)
    assert len(spans) == 10_000


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
        ("Items:\r- first\r- second", ["Items:", "- first", "- second"]),
        (
            "Steps:\n1. Install Python.\n2. Run make.",
            ["Steps:", "1. Install Python.", "2. Run make."],
        ),
        ("1. Install Python. 2. Run make.", ["1. Install Python.", "2. Run make."]),
        (
            "The answer was no. The sun set. They sat. Nobody spoke.",
            ["The answer was no.", "The sun set.", "They sat.", "Nobody spoke."],
        ),
        (
            "Room No. 5 is shut. Inflation hit 3.5. Next year fell.",
            ["Room No. 5 is shut.", "Inflation hit 3.5.", "Next year fell."],
        ),
        (
            "Apple Inc. The company grew. He ran.[3] Then stopped.",
            ["Apple Inc.", "The company grew.", "He ran.[3]", "Then stopped."],
        ),
        ("No final punctuation", ["No final punctuation"]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


_SENTENCE_PIECES = [*"ab AZ.?!…。！？\"')]”’[1]²\n\t-*1.", "Mr", "U.S.", "e.g.", "No", "Jan"]


@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=40).map("".join))
def test_terminator_scan_finds_exactly_what_finditer_finds(text: str) -> None:
    """The quick scan (try the pattern only at terminator characters) is finditer's result."""
    from retrieval.splitting import sentences

    quick = [(m.start(), m.end()) for m in sentences._terminators(text)]
    assert quick == [(m.start(), m.end()) for m in sentences._TERMINATOR.finditer(text)]


@given(
    st.lists(st.sampled_from([*"ab.Z_9 \n\t-é٣²", "Mr", "U.S."]), max_size=20).map("".join),
    st.integers(0, 25),
    st.integers(0, 25),
)
def test_the_word_before_walk_finds_what_the_pattern_finds(text: str, lo: int, hi: int) -> None:
    """Walking back from a terminator finds the word ``([\\w.]+)$`` searched in the window
    finds (a line break at the window's end included)."""
    from retrieval.splitting import sentences

    lo, hi = min(lo, len(text)), min(hi, len(text))
    match = sentences._WORD_BEFORE.search(text, lo, hi)
    expected = (match.start(1), match.end(1)) if match else None
    assert sentences._word_before(text, lo, hi) == expected


_ASCII_SENTENCE_PIECES = [
    *"ab AZ.?!\"')][12]\n\r\t-*+_",
    "1.",
    "12)",
    "1234.",
    " 3. ",
    "Mr",
    "U.S.",
    "e.g.",
    "No",
    "Jan",
    "etc",
    "...",
    ". x",
    "J.",
    "[1000]",
    "\x1c",
    "\x0b",
    "p. 5",
    "Fig",
    "1. Go",
]


@given(st.lists(st.sampled_from(_ASCII_SENTENCE_PIECES), max_size=40).map("".join))
def test_the_compiled_split_finds_the_sentences_split_sentences_finds(text: str) -> None:
    """The build's one-pass splitter for English ASCII text (_scan.split_ascii) gives exactly
    split_sentences(text, "en"): the same rules, read from the same abbreviation sets."""
    import pytest

    from retrieval.splitting import sentences

    scan = pytest.importorskip("retrieval.analysis._scan")
    found = scan.split_ascii(text, sentences._ABBREVIATIONS, sentences._NUMBER_ABBREVIATIONS)
    assert found == sentences.split_sentences(text, "en")


def test_the_compiled_split_leaves_other_text_to_python() -> None:
    import pytest

    from retrieval.splitting import sentences

    scan = pytest.importorskip("retrieval.analysis._scan")
    rules = (sentences._ABBREVIATIONS, sentences._NUMBER_ABBREVIATIONS)
    assert scan.split_ascii("Café. Done.", *rules) is None
    assert scan.split_ascii("Mr. Smith went. He sat.\n1. Install it.", *rules) == [
        (0, 15), (16, 23), (24, 38),
    ]  # fmt: skip


def test_prose_a_reader_gives_out_of_order_is_left_out_never_quoted_wrongly() -> None:
    """The index counts its byte offsets span after span: a prose block before the one ahead
    of it (pytest's changelog read so, until the reader was fixed) shifted every later quote
    of a non-ASCII file onto other text, which the final file check, re-reading the same
    bytes, agreed with. Such a block is left out; the rest is indexed and quoted exactly."""
    from retrieval.reading import Block, BlockKind
    from retrieval.splitting.passages import searched_units

    text = "Changes — ±\n\nFirst entry, with ±.\n\nSecond entry.\n\nThird entry ends it.\n"
    spans = [(text.index(s), text.index(s) + len(s)) for s in (
        "First entry, with ±.", "Second entry.", "Third entry ends it."
    )]  # fmt: skip
    kind = BlockKind.PARAGRAPH
    blocks = (
        Block(BlockKind.HEADING, 0, 11, 1, "Changes — ±", "changes", 1),
        Block(kind, *spans[2], line=7),  # read first, out of order
        Block(kind, *spans[0], line=3),
        Block(kind, *spans[1], line=5),
        Block(BlockKind.CODE, *spans[1], line=5),
    )
    document = Document("changes.rst", text, "Changes", "utf-8", "rst", blocks)
    passages = split_passages(document)
    assert [p.text for p in passages] == ["Third entry ends it."]
    assert len(searched_units(list(blocks), text)) == len(passages)
    engine = Engine([document])
    for passage in engine.passages:
        assert text[passage.start : passage.end] == passage.text
