"""Answer units: the block a quoted sentence introduces comes with it, verbatim and cited.

Each rule on a tiny corpus with exact expected spans: which block follows which paragraph, when
a sentence brings it, cutting at a line end, the saved index keeping the relation, and verify
catching a block that is not its file's text.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import CitationMismatchError, Engine, EngineOptions, open_engine
from retrieval.answering.compose import verify
from retrieval.answering.units import MAX_BLOCK_CHARS, attach_blocks, cut_at_line, introduces
from retrieval.reading.blocks import Block, BlockKind
from retrieval.splitting.units import UnitSpan, following_units
from retrieval.types import Answer, Citation, Document, Passage, Sentence

GUIDE = """# Widget guide

## Installing

Widget installs from its index. Install the package with pip:

```python
pip install widget-toolkit
```

## Configuring

The configuration lives in one file. Colours are set in the theme section.

```toml
[theme]
colour = "teal"
```

## Removing

Remove the widget toolkit with the uninstaller.

## Flags

The removal flags of the widget toolkit are these:
"""


def _engine(tmp_path: Path, text: str = GUIDE) -> tuple[Engine, str]:
    (tmp_path / "guide.md").write_text(text, encoding="utf-8")
    return Engine.from_folder(tmp_path), text


# --- which unit follows which paragraph --------------------------------------------------------


def _p(start: int, end: int) -> Passage:
    return Passage(f"{start:016x}", "a.md", 1, start, end, "x" * (end - start))


def test_the_block_right_after_a_paragraph_is_its_unit() -> None:
    blocks = [
        Block(BlockKind.PARAGRAPH, 0, 10),
        Block(BlockKind.CODE, 12, 30, lang="sh"),
        Block(BlockKind.PARAGRAPH, 32, 40),
        Block(BlockKind.HEADING, 42, 50, level=2, heading="Next"),
        Block(BlockKind.TABLE, 52, 60),
    ]
    units = following_units(blocks, [_p(0, 10), _p(32, 40)])
    assert units == [UnitSpan("code", 12, 30, "sh"), None]  # a heading ends the section


def test_markup_between_is_skipped_but_prose_is_not() -> None:
    blocks = [
        Block(BlockKind.PARAGRAPH, 0, 10),
        Block(BlockKind.MARKUP, 11, 20),  # an HTML comment, a content tab line
        Block(BlockKind.LIST, 21, 40),
        Block(BlockKind.LIST_ITEM, 21, 30, level=1),
        Block(BlockKind.LIST_ITEM, 31, 40, level=1),
        Block(BlockKind.PARAGRAPH, 41, 50),
        Block(BlockKind.PARAGRAPH, 51, 60),
        Block(BlockKind.CODE, 61, 70),
    ]
    units = following_units(blocks, [_p(0, 10), _p(21, 30), _p(31, 40), _p(41, 50)])
    assert units == [UnitSpan("list", 21, 40), None, None, None]


def test_a_block_starting_inside_the_paragraph_is_passed_over() -> None:
    blocks = [
        Block(BlockKind.LIST_ITEM, 0, 10, level=1),
        Block(BlockKind.LIST, 5, 10),  # nested inside the item's span
        Block(BlockKind.CODE, 12, 20),
    ]
    assert following_units(blocks, [_p(0, 10)]) == [UnitSpan("code", 12, 20)]


# --- when a sentence brings it -------------------------------------------------------------------


def test_a_sentence_ending_its_paragraph_brings_the_code_verbatim(tmp_path: Path) -> None:
    engine, text = _engine(tmp_path)
    answer = engine.ask("how do I install the widget package with pip?")
    assert answer.answered
    code = "```python\npip install widget-toolkit\n```"
    [block] = answer.blocks
    assert (block.kind, block.text, block.cut) == ("code", code, False)
    assert text[block.start : block.end] == block.text
    assert block.start == text.index(code)
    introducer = answer.sentences[block.after]
    assert introducer.text == "Install the package with pip:"
    assert block.citation == introducer.citation


def test_a_sentence_inside_its_paragraph_brings_nothing(tmp_path: Path) -> None:
    engine, _ = _engine(tmp_path)
    answer = engine.ask("where does the configuration file live?")
    assert [s.text for s in answer.sentences][:1] == ["The configuration lives in one file."]
    assert all(
        answer.sentences[b.after].text != "The configuration lives in one file."
        for b in answer.blocks
    )


def test_a_paragraph_followed_by_a_heading_or_nothing_brings_nothing(tmp_path: Path) -> None:
    engine, _ = _engine(tmp_path)
    for question in ("how do I remove the widget toolkit uninstaller?", "removal flags widget?"):
        answer = engine.ask(question)
        assert answer.answered
        # Only the install paragraph's last sentence (quoted here as a weaker match) brings one.
        introducers = {answer.sentences[b.after].text for b in answer.blocks}
        assert introducers <= {"Install the package with pip:"}


def test_introduces_allows_closing_marks_after_the_sentence() -> None:
    passage = Passage("p", "a.md", 1, 100, 124, "Run it **like this:**  \n")
    assert introduces(Sentence("Run it **like this:", 1, 100, 119, 1.0), passage)
    assert not introduces(Sentence("Run it", 1, 100, 106, 1.0), passage)


# --- budgets, the saved index, verify ------------------------------------------------------------


def test_cut_at_line_keeps_whole_lines_within_the_limit() -> None:
    text = "one\ntwo\nthree\n"
    assert cut_at_line(text, 100) == len(text)
    assert text[: cut_at_line(text, 9)] == "one\ntwo"
    assert text[: cut_at_line(text, 3)] == "one"
    assert cut_at_line("abcdefgh", 4) == 4  # one overlong line: cut where the budget ends


def test_a_huge_code_block_is_quoted_cut_at_a_line_end(tmp_path: Path) -> None:
    listing = "\n".join(f"print({i})" for i in range(10_000))
    engine, text = _engine(
        tmp_path, f"# Big\n\nThe full listing follows:\n\n```py\n{listing}\n```\n"
    )
    answer = engine.ask("full listing?")
    [block] = answer.blocks
    assert block.cut and len(block.text) <= MAX_BLOCK_CHARS
    assert text[block.start : block.end] == block.text
    assert text[block.end] == "\n"  # cut at a line end
    assert text[block.start : block.full_end].endswith("print(9999)\n```")


def test_the_saved_index_keeps_each_paragraphs_unit(tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    built, _ = _engine(corpus)
    open_engine(corpus, index_dir=tmp_path / "idx")  # builds and saves
    loaded, report = open_engine(corpus, index_dir=tmp_path / "idx")
    assert report.opening.value == "loaded"
    assert [loaded.unit_after(p) for p in loaded.passages] == [
        built.unit_after(p) for p in built.passages
    ]
    question = "install the package with pip"
    assert loaded.ask(question).blocks == built.ask(question).blocks
    assert loaded.ask(question).blocks


def test_verify_rejects_a_block_that_is_not_its_files_text(tmp_path: Path) -> None:
    engine, _ = _engine(tmp_path)
    answer = engine.ask("how do I install the widget package with pip?")
    verify(answer, engine.source_view)
    forged = replace(answer.blocks[0], text=answer.blocks[0].text.replace("pip", "rm -rf"))
    with pytest.raises(CitationMismatchError):
        verify(replace(answer, blocks=(forged,)), engine.source_view)
    misplaced = replace(answer.blocks[0], after=len(answer.sentences))
    with pytest.raises(CitationMismatchError):
        verify(replace(answer, blocks=(misplaced,)), engine.source_view)


def test_each_block_is_quoted_once_even_when_two_sentences_lead_to_it() -> None:
    text = "Intro:\n\n```\nx\n```\n"
    document = Document("a.md", text, "", "utf-8")
    passage = Passage("p", "a.md", 1, 0, 6, "Intro:")
    sentence = Sentence("Intro:", 1, 0, 6, 1.0)
    answer = Answer("q", (sentence, sentence), (Citation(1, passage, 1.0),), ())
    unit = UnitSpan("code", 8, 17)
    result = attach_blocks(answer, lambda p: unit, lambda s: document.text)
    assert [(b.text, b.after) for b in result.blocks] == [("```\nx\n```", 0)]


def test_the_blocks_words_make_its_paragraph_findable_and_its_sentence_chosen(
    tmp_path: Path,
) -> None:
    text = (
        "# Cache\n\nThe cache grows over time. Remove unused entries with:\n\n"
        "```console\n$ widget cache prune\n```\n\n"
        "# Other\n\nThe cache is a folder of entries that widget manages for you.\n"
    )
    (tmp_path / "cache.md").write_text(text, encoding="utf-8")
    plain = Engine.from_folder(tmp_path, EngineOptions(unit_terms=0, unit_sentence_terms=0))
    assert all("Remove unused" not in h.passage.text for h in plain.search("prune"))
    indexed = Engine.from_folder(tmp_path, EngineOptions(unit_terms=100))
    assert "Remove unused entries with:" in indexed.search("prune")[0].passage.text
    engine = Engine.from_folder(tmp_path)  # the block's words count for its sentence
    answer = engine.ask("how do I prune the cache?")
    assert answer.sentences[0].text == "Remove unused entries with:"
    assert answer.blocks[0].text == "```console\n$ widget cache prune\n```"


SECTIONED = """# Widget guide

## Caching builds

Caching builds makes repeated widget builds faster, because the widget cache keeps every
compiled part between builds.

The cache lives in a folder of its own.

Turn it on in the settings:

```toml
[widget]
cache = true
```

## Other things

Widget builds cache nothing when they run in parallel on a build farm.

A widget build farm can share one cache between builds of many widgets.
"""


def _two_sentence_engines(tmp_path: Path) -> tuple[Engine, Engine]:
    (tmp_path / "guide.md").write_text(SECTIONED, encoding="utf-8")
    options = EngineOptions()
    two = replace(options, composer=replace(options.composer, max_sentences=2))
    on = Engine.from_folder(tmp_path, two)
    off = Engine(on.parts, replace(two, composer=replace(two.composer, blocks_first=False)))
    return on, off


def test_a_block_of_the_best_sentences_section_is_quoted_before_other_sentences(
    tmp_path: Path,
) -> None:
    """The section's code is reached though its introducing sentence shares few of the
    question's words and its paragraph ranks below others: it comes before weaker prose."""
    on, off = _two_sentence_engines(tmp_path)
    question = "how do I cache widget builds?"
    ranked = [h.passage.text for h in on.search(question, 3)]
    assert "Turn it on in the settings:" not in ranked  # reached through its section
    answer = on.ask(question)
    assert answer.sentences[0].text.startswith("Caching builds makes repeated widget builds")
    [block] = answer.blocks
    assert block.text == "```toml\n[widget]\ncache = true\n```"
    assert answer.sentences[block.after].text == "Turn it on in the settings:"
    assert SECTIONED[block.start : block.end] == block.text
    without = off.ask(question)  # the lever off: the better-scored prose, and no code
    assert without.sentences[0].text == answer.sentences[0].text
    assert "Turn it on in the settings:" not in [s.text for s in without.sentences]
    assert without.blocks == ()


def test_the_section_of_a_paragraph_is_its_file_and_headings(tmp_path: Path) -> None:
    on, _ = _two_sentence_engines(tmp_path)
    first = on.search("repeated widget builds faster")[0].passage
    assert [p.text.split("\n")[0] for p in on.section_passages(first)] == [
        "Caching builds makes repeated widget builds faster, because the widget cache keeps every",
        "The cache lives in a folder of its own.",
        "Turn it on in the settings:",
    ]


def test_a_paragraph_under_the_page_title_alone_has_no_wider_section(tmp_path: Path) -> None:
    """Under the title only (a page's introduction, an article) there is no narrower section
    to draw on; a page with no title heading still has its sections."""
    (tmp_path / "guide.md").write_text(
        "# Gizmo guide\n\nFirst intro about gizmos.\n\nSecond intro about gizmos.\n\n"
        "## Part\n\nBody text.\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.md").write_text(
        "Intro about gadgets.\n\n## Gadget setup\n\nGadgets need setup first.\n\n"
        "Setup takes one command:\n\n```sh\ngadget init\n```\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)
    intro = engine.search("first intro about gizmos")[0].passage
    assert intro.headings == ("Gizmo guide",)
    assert engine.section_passages(intro) == [intro]
    setup = engine.search("gadgets need setup first")[0].passage
    assert setup.source == "notes.md" and setup.headings[-1] == "Gadget setup"
    assert [p.text for p in engine.section_passages(setup)] == [
        "Gadgets need setup first.",
        "Setup takes one command:",
    ]
