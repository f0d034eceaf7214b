"""Session 7's documentation ranking options (off by default): anchor text and the re-ranking
key in the sentence score (docs/quality.md, "Session 7")."""

from __future__ import annotations

from pathlib import Path

from retrieval import ComposerOptions, Engine, EngineOptions
from retrieval.answering.anchors import AnchorIndex, anchor_texts, link_target
from retrieval.answering.compose import ComposeInputs, compose
from retrieval.answering.engine import prepare_question
from retrieval.answering.rerank import RerankWeights, rerank
from retrieval.types import Hit, Passage


def _terms(text: str) -> list[str]:
    return [w.lower() for w in text.replace("/", " ").split()]


def test_link_targets_resolve_inside_the_corpus_only() -> None:
    assert link_target("guide/a.md", "../concepts/b.md#path") == ("concepts/b.md", "path")
    assert link_target("guide/a.md", "b.md") == ("guide/b.md", "")
    assert link_target("guide/a.md", "#local") == ("guide/a.md", "local")
    assert link_target("guide/a.md", "https://example.com/x.md") is None
    assert link_target("guide/a.md", "../../outside.md") is None
    assert link_target("guide/a.md", "image.png") is None
    assert link_target("a.md", "mailto:x@y.z") is None


def test_anchor_texts_are_the_links_words_or_their_sentence() -> None:
    page = (
        "To use a folder, [add a local dependency](deps.md#path). See the "
        "[`path` source](deps.md#path) too.\n\n![a picture](deps.md#path)\n"
    )
    assert anchor_texts([("a.md", page)]) == {
        ("deps.md", "path"): ["add a local dependency", "path` source"]
    }
    window = anchor_texts([("a.md", page)], window=True)
    assert window[("deps.md", "path")][0] == "To use a folder, add a local dependency"
    index = AnchorIndex.of([("a.md", page)], _terms)
    assert index.terms[("deps.md", "path")] == frozenset(
        {"add", "a", "local", "dependency", "path`", "source"}
    )
    idf = {"local": 2.0, "folder": 1.0, "dependency": 1.0}.get
    assert index.shares(["local", "folder"], lambda t: idf(t) or 0.0, index.terms) == {
        ("deps.md", "path"): 2.0 / 3.0
    }
    assert index.best(["folder"], lambda t: idf(t) or 0.0, 3, 0.1) == []


DEPS = """# Dependencies

## Editable installs

An editable install of a project links the project into the environment, so edits to its
files show without reinstalling the project dependency.

## Path

Give the folder with `path = "../pkg"` in the sources table.
"""

GUIDE = """# Guide

## Local work

When a package is not on the index, there are many ways to work on it with the others: keep
it in a sibling checkout, vendor it, build wheels for it, publish it to a private server, mirror
it, pin it by hash, or [add a local folder as a dependency](deps.md#path), among others that
teams use when releases are slow and reviews are long and the network is not always there.
"""


def _anchor_engines(tmp_path: Path) -> tuple[Engine, Engine]:
    (tmp_path / "deps.md").write_text(DEPS, encoding="utf-8")
    (tmp_path / "guide.md").write_text(GUIDE, encoding="utf-8")
    composer = ComposerOptions(min_confidence=0.0, max_sentences=1)
    off = Engine.from_folder(tmp_path, EngineOptions(composer=composer))
    on = Engine(off.parts, EngineOptions(composer=composer, anchor_weight=1.0))
    return off, on


def test_anchor_text_moves_the_linked_section_up_the_answers_order_only(tmp_path: Path) -> None:
    off, on = _anchor_engines(tmp_path)
    question = "how do I add a local project folder as a dependency?"
    _, terms = prepare_question(question, on.analyzer)
    decision, answer = on._rankings(terms, 5, feedback=True)
    plain, _ = off._rankings(terms, 5, feedback=True)

    def names(hits: list[Hit]) -> list[str]:
        return [h.passage.headings[-1] for h in hits]

    assert names(decision) == names(plain) == ["Local work", "Editable installs", "Path"]
    assert names(answer) == ["Local work", "Path", "Editable installs"]
    assert on.ask(question).confidence == off.ask(question).confidence
    anchors, target_of, rows_of = on._anchor_data()
    assert set(anchors.terms) == set(rows_of) == {("deps.md", "path")}
    assert anchors.terms[("deps.md", "path")] == frozenset({"add", "local", "folder", "depend"})
    assert all(target_of[row] == ("deps.md", "path") for row in rows_of[("deps.md", "path")])


def test_rerank_gives_each_orders_keys() -> None:
    class Analysed:
        sentences: tuple[object, ...] = ()
        pairs: frozenset[tuple[str, str]] = frozenset()

    keys: list[dict[int, float]] = []
    orders = rerank(
        ["a"],
        [(1, 4.0), (2, 2.0)],
        idf=lambda t: 1.0,
        analysed=lambda i: Analysed(),  # type: ignore[arg-type, return-value]
        document_of=lambda i: 0,
        document_scores=None,
        weights=RerankWeights(0.0, 0.0, 0.0),
        extras=[None, {2: 0.75}],
        keys_out=keys,
    )
    assert keys == [{1: 1.0, 2: 0.5}, {1: 1.0, 2: 1.25}]
    assert [[i for i, _ in order] for order in orders] == [[1, 2], [2, 1]]


def _passage(n: int, text: str, start: int) -> Passage:
    return Passage(
        f"{n:016x}", "a.md", n, start, start + len(text), text, "A › S", ("A", f"S{n}"), f"s{n}"
    )


def test_rank_key_reads_the_re_ranked_key_after_the_decision() -> None:
    first, second = "Zebras graze at dawn.", "Zebras graze at dusk."
    text = f"{first}\n\n{second}"
    a, b = _passage(1, first, 0), _passage(2, second, len(first) + 2)
    hits = [Hit(a, 10.0, 1), Hit(b, 9.0, 2)]
    keys = {a.id: 1.0, b.id: 2.0}

    def inputs(share: float) -> ComposeInputs:
        options = ComposerOptions(min_confidence=0.0, rank_key=share, max_sentences=1)
        return ComposeInputs(
            "when do zebras graze?", ["zebra", "graze"], hits, lambda t: 1.0,
            lambda s: text, options, answer_hits=hits, keys=keys, answer_keys=keys,
        )  # fmt: skip

    off, on = compose(inputs(0.0)), compose(inputs(1.0))
    assert off.sentences[0].text == first  # BM25: a's paragraph is the better one
    assert on.sentences[0].text == second  # its key: b's
    assert on.confidence == off.confidence  # decided on BM25 shares as before
