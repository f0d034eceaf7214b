"""Section and page evidence: BM25 over a section as one document, the words of page paths, and
how the composer uses them to choose what it quotes (and cites) first."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval import Engine, EngineOptions, open_engine
from retrieval.answering.sections import PageWords, SectionRuns, path_words, range_scores
from retrieval.index.bm25 import BM25Index

PARAGRAPHS = [
    ["cache", "folder", "cache"],
    ["cache", "prune"],
    ["python", "install", "version"],
    ["python", "pin"],
    ["cache", "python"],
]


def test_a_paragraph_alone_scores_as_the_index_scores_it() -> None:
    """With every paragraph its own section the section length's mean is ``avgdl``: the score
    of a one-paragraph range is rank-bm25's score of that paragraph."""
    index = BM25Index(PARAGRAPHS)
    runs = SectionRuns.of(np.arange(len(PARAGRAPHS) + 1, dtype=np.int64), index.doc_len)
    query = ["cache", "python", "cache", "absent"]
    expected = index.score_of(query, np.arange(len(PARAGRAPHS)))
    got = range_scores(index, runs, query, [(i, i + 1) for i in range(len(PARAGRAPHS))])
    assert got == pytest.approx(list(expected), rel=1e-12)


def test_a_section_sums_its_paragraphs_term_frequencies_and_lengths() -> None:
    index = BM25Index(PARAGRAPHS)
    runs = SectionRuns.of(np.array([0, 2, 4, 5], dtype=np.int64), index.doc_len)
    assert runs.average == pytest.approx(12 / 3)
    [first, second] = range_scores(index, runs, ["cache", "prune"], [(0, 2), (2, 4)])
    k1, b = index.k1, index.b
    norm = k1 * (1 - b + b * 5 / 4)  # rows 0-1: 5 terms, sections 4 on average

    def part(tf: float) -> float:
        return tf * (k1 + 1) / (tf + norm)

    assert first == pytest.approx(index.idf("cache") * part(3) + index.idf("prune") * part(1))
    assert second == 0.0  # neither term in rows 2-3
    assert runs.bounds(1) == (0, 2) and runs.bounds(4) == (4, 5)


def test_no_ranges_no_scores_and_k1_zero_is_not_nan() -> None:
    index = BM25Index(PARAGRAPHS, k1=0.0)
    runs = SectionRuns.of(np.array([0, 5], dtype=np.int64), index.doc_len)
    assert range_scores(index, runs, ["cache"], []) == []
    [score] = range_scores(index, runs, ["cache", "pin"], [(2, 3)])
    assert score == 0.0 and not math.isnan(score)


def test_path_words_drop_the_extension_and_a_folders_own_page() -> None:
    assert path_words("guides/integration/pytorch.md") == ["guides", "integration", "pytorch"]
    assert path_words("guides/install-python.md") == ["guides", "install", "python"]
    assert path_words("tutorial/index.rst") == ["tutorial"]
    assert path_words("Getting_Started/README.md") == ["getting", "started"]


def test_page_words_leave_out_words_most_paths_share() -> None:
    sources = [f"guides/page{n}.md" for n in range(9)] + ["guides/integration/pytorch.md"]
    pages = PageWords(sources, lambda text: text.split())
    assert pages.of("guides/integration/pytorch.md") == {"integration", "pytorch"}
    assert pages.of("guides/page1.md") == {"page1"}
    assert pages.of("guides/index.md") == frozenset()


PAGES = {
    "concepts/sources.md": "# Package sources\n\n## Declaring sources\n\n"
    "A custom index is declared with a name and a URL in the project settings.\n",
    "guides/integration/pytorch.md": "# Accelerated builds\n\n## Where builds come from\n\n"
    "Accelerated builds come from a custom index, declared in the project settings.\n",
    "guides/tools.md": "# Tools\n\n## Running tools\n\nTools run in their own environment.\n",
    "guides/scripts.md": "# Scripts\n\n## Running scripts\n\nScripts declare dependencies.\n",
    "concepts/cache.md": "# Cache\n\n## Cleaning\n\nThe cache is cleaned with one command.\n",
    "reference/settings.md": "# Settings\n\n## Files\n\nSettings are read from two files.\n",
}


def _pages_engine(tmp_path: Path) -> Engine:
    for name, text in PAGES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Engine.from_folder(tmp_path)


def _with(engine: Engine, **composer: float) -> Engine:
    options = engine.options
    return Engine(engine.parts, replace(options, composer=replace(options.composer, **composer)))


def test_the_page_a_question_names_is_cited_first(tmp_path: Path) -> None:
    """ "pytorch" is no word of any paragraph, only of one page's path: the sentence there
    leads, though the other page's sentence holds more of the question's words."""
    engine = _pages_engine(tmp_path)
    question = "how do I declare a custom index in the project settings for pytorch?"
    off = _with(engine, page_weight=0.0).ask(question)
    on = engine.ask(question)
    assert off.citations[0].passage.source == "concepts/sources.md"
    assert on.citations[0].passage.source == "guides/integration/pytorch.md"
    assert on.confidence == off.confidence  # chosen after the decision: the same confidence
    assert {s.text for s in on.sentences} == {s.text for s in off.sentences}


SECTIONS = """# Locking

## Pinning

Locked package versions stay as they are until you ask for an upgrade of one package.

To upgrade one locked package to a newer version, name it:

```sh
tool lock --upgrade-package name
```

An upgrade of one package keeps every other package version locked.

## Version bumps

Your own project's version is set by the bump command, which can upgrade one locked package
version file. Releases follow the calendar, tagged by the maintainers each month, announced on
the mailing list and described in the notes of the release page.
"""


def test_the_section_that_answers_as_a_whole_leads(tmp_path: Path) -> None:
    """A sentence of "Version bumps" holds the question's words best, but "Pinning" holds them
    over all its paragraphs: its sentence is quoted (and cited) first."""
    (tmp_path / "locking.md").write_text(SECTIONS, encoding="utf-8")
    # Feedback off: with it (the default), "Pinning" leads without the section weight too.
    engine = Engine.from_folder(tmp_path, EngineOptions(prf_weight=0.0))
    question = "how do I upgrade one locked package version?"
    off = engine.ask(question)  # the section weight is off by default (docs/quality.md)
    on = _with(engine, lead_section_weight=0.2).ask(question)
    assert off.citations[0].passage.headings[-1] == "Version bumps"
    assert on.citations[0].passage.headings[-1] == "Pinning"
    assert on.confidence == off.confidence


INTRO = """# Widgets

Widgets are configured with the frobnicate command, which configures every widget at once on
any machine you own. It was first written by the team in the spring.

## Setup

To configure one widget, run the frobnicate command with its name:

```sh
frobnicate widget-name
```

## Colours

Widgets come in red and blue.
"""


def _intro_engine(tmp_path: Path) -> Engine:
    (tmp_path / "widgets.md").write_text(INTRO, encoding="utf-8")
    (tmp_path / "gadgets.md").write_text("# Gadgets\n\n## Oil\n\nGadgets need oil.\n", "utf-8")
    return Engine.from_folder(tmp_path)


def test_a_section_leads_over_the_pages_introduction(tmp_path: Path) -> None:
    """The introduction's sentence scores a little higher (it is the top hit), but "Setup"
    answers the question: with ``intro_weight`` (on by default) its sentence is quoted and
    cited first, and the command it introduces comes with it."""
    engine = _intro_engine(tmp_path)
    question = "how do I configure a widget with the frobnicate command?"
    off = _with(engine, intro_weight=0.0).ask(question)
    on = engine.ask(question)
    assert off.citations[0].passage.headings == ("Widgets",)
    assert on.citations[0].passage.headings == ("Widgets", "Setup")
    assert on.sentences[0].text.startswith("To configure one widget")
    assert "frobnicate widget-name" in on.blocks[0].text
    assert on.confidence == off.confidence  # chosen after the decision: the same confidence
    assert {s.text for s in on.sentences} == {s.text for s in off.sentences}


def test_introductions_alone_are_composed_as_before(tmp_path: Path) -> None:
    """Pages without narrower headings: every candidate is an introduction, none loses."""
    (tmp_path / "a.md").write_text("# Gadgets\n\nGadgets need oil.\n\nOil keeps gadgets quiet.\n")
    (tmp_path / "b.md").write_text("# Widgets\n\nWidgets need oil too, and gadget oil works.\n")
    engine = Engine.from_folder(tmp_path)
    question = "what oil do gadgets need?"
    assert engine.ask(question) == _with(engine, intro_weight=0.0).ask(question)


def test_in_section_tells_a_pages_introduction_from_its_sections(tmp_path: Path) -> None:
    engine = _intro_engine(tmp_path)
    found = {
        (p.source, p.headings): engine.in_section(p)
        for p in (engine.passages[i] for i in range(len(engine.passages)))
    }
    assert found == {
        ("gadgets.md", ("Gadgets", "Oil")): True,
        ("widgets.md", ("Widgets",)): False,
        ("widgets.md", ("Widgets", "Setup")): True,
        ("widgets.md", ("Widgets", "Colours")): True,
    }


def test_sections_are_runs_under_one_heading(tmp_path: Path) -> None:
    (tmp_path / "locking.md").write_text(SECTIONS, encoding="utf-8")
    engine = Engine.from_folder(tmp_path)
    starts = engine.passages.section_starts()
    headings = [engine.passages[int(i)].headings[-1] for i in starts[:-1]]
    assert headings == ["Pinning", "Version bumps"]
    assert starts[-1] == len(engine.passages)


def test_a_corpus_without_sections_is_composed_as_before(tmp_path: Path) -> None:
    """Paragraphs under their titles only (articles, abstracts) have no section evidence."""
    (tmp_path / "a.txt").write_text("Gadgets need oil.\n\nOil keeps gadgets quiet.\n", "utf-8")
    (tmp_path / "b.txt").write_text("Widgets need oil too, and gadget oil works.\n", "utf-8")
    engine = Engine.from_folder(tmp_path, EngineOptions())
    question = "what oil do gadgets need?"
    plain = _with(engine, lead_section_weight=0.0, page_weight=0.0).ask(question)
    assert _with(engine, lead_section_weight=0.2).ask(question) == plain


def test_a_saved_index_leads_with_the_same_section(tmp_path: Path) -> None:
    """The sections are found from a reopened index's verified row columns, as from a fresh one."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "locking.md").write_text(SECTIONS, encoding="utf-8")
    built = Engine.from_folder(corpus)
    open_engine(corpus, index_dir=tmp_path / "idx")  # builds and saves
    loaded, report = open_engine(corpus, index_dir=tmp_path / "idx")
    assert report.opening.value == "loaded"
    assert list(loaded.passages.section_starts()) == list(built.passages.section_starts())
    question = "how do I upgrade one locked package version?"
    assert (
        _with(loaded, lead_section_weight=0.2).ask(question).citations[0].passage.headings[-1]
        == "Pinning"
    )


def test_headings_at_reads_each_paragraphs_headings_without_making_it(tmp_path: Path) -> None:
    """``headings_at`` is what the candidates' section test reads: the same headings as the
    paragraph's own, fresh and reopened, and no paragraph made (none enters the cache)."""
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "locking.md").write_text(SECTIONS, encoding="utf-8")
    (corpus / "flat.txt").write_text("Gadgets need oil.\n\nOil keeps gadgets quiet.\n", "utf-8")
    open_engine(corpus, index_dir=tmp_path / "idx")  # builds and saves
    loaded, report = open_engine(corpus, index_dir=tmp_path / "idx")
    assert report.opening.value == "loaded"
    store = loaded.passages
    found = [store.headings_at(i) for i in range(len(store))]
    assert store._make.cache_info().currsize == 0
    assert found == [p.headings for p in Engine.from_folder(corpus).passages]
    assert found == [p.headings for p in store]
    assert ("Locking", "Pinning") in found
    with pytest.raises(IndexError):
        store.headings_at(len(store))


POINTER = """# Packaging

## Describe the project

The project file names the package and its version. See the official packaging guide for
how to build a wheel of the package to install on a server.

## Build and install

Build a wheel file with the build tool, then copy it to the server and install it there.
"""


def test_a_cross_reference_gives_way_as_the_lead_when_asked(tmp_path: Path) -> None:
    """ "See the official packaging guide …" holds the question's words best but sends the
    reader elsewhere: with ``xref_weight`` (on by default, docs/quality.md, Session 8) the
    sentence that answers is quoted and cited first; the confidence and the sentences
    quoted are the same as without it."""
    (tmp_path / "packaging.md").write_text(POINTER, encoding="utf-8")
    engine = Engine.from_folder(tmp_path)
    question = "how do I build a wheel of the package to install it on the server?"
    on = engine.ask(question)
    off = _with(engine, xref_weight=0.0).ask(question)
    assert off.sentences[0].text.startswith("See the official packaging guide")
    assert on.sentences[0].text.startswith("Build a wheel file")
    assert on.citations[0].passage.headings[-1] == "Build and install"
    assert on.confidence == off.confidence
    assert {s.text for s in on.sentences} == {s.text for s in off.sentences}
