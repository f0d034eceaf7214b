"""The build in bounded memory (retrieval/index/spill.py, merge.py): whatever is spilled to
temporary files and however the postings are cut into merge passes, the saved index must be
the one the all-in-memory build writes, byte for byte, and answer alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval import Document, Engine, EngineOptions, open_engine
from retrieval.index import merge, persist, spill
from retrieval.index.bm25 import BM25Index, Vocabulary
from retrieval.index.build import IndexShape, build_folder
from retrieval.index.merge import Postings, PostingsJoin
from retrieval.index.spill import Column, Spill, SpillBudget

from .conftest import SEEDS


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    for n in range(6):
        (folder / f"extra{n}.md").write_text(
            f"# Extra {n}\n\nIt mentions boats, weather {n} and the keeper.\n\n"
            f"## Part {n}\n\nCafé crème {n}; the naïve keeper sailed at dawn. Then Über.\n",
            encoding="utf-8",
        )
    return folder


def _saved(path: Path) -> tuple[dict[str, object], bytes]:
    """A saved index's header (without when and how long it was built) and its arrays' bytes."""
    raw = path.read_bytes()
    preamble = len(persist.MAGIC) + 16
    length = int.from_bytes(raw[len(persist.MAGIC) : len(persist.MAGIC) + 8], "little")
    header = json.loads(raw[preamble : preamble + length])
    del header["written_ns"], header["build_seconds"]
    return header, raw[-(-(preamble + length) // 64) * 64 :]


def _force_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything to temporary files, the postings merged a few at a time, the id order
    sorted in ranges: every bounded path taken on a tiny corpus."""
    monkeypatch.setattr("retrieval.index.build.SPILL_BYTES", 0)
    monkeypatch.setattr(merge, "PASS_POSTINGS", 5)
    monkeypatch.setattr(spill, "ORDER_PASS", 3)
    monkeypatch.setattr(spill, "SLICE_BYTES", 64)
    monkeypatch.setattr(persist, "_COPY_BYTES", persist.CHUNK)


def test_a_streamed_build_saves_the_in_memory_builds_index_byte_for_byte(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "Who is Jeffrey Lynch?"
    in_memory, report = open_engine(corpus, index_dir=tmp_path / "memory")
    with monkeypatch.context() as patched:
        _force_streaming(patched)
        streamed, streamed_report = open_engine(corpus, index_dir=tmp_path / "streamed")
        assert streamed.ask(question) == in_memory.ask(question)
    assert report.saved is not None and streamed_report.saved is not None
    assert _saved(streamed_report.saved) == _saved(report.saved)


def test_a_streamed_build_is_file_backed_and_answers_mapped(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the budget the built arrays are left in temporary files; an engine answering from
    the build maps them (the compiled scorer reads numpy arrays), with the same results."""
    shape = IndexShape()
    in_memory = Engine.from_folder(corpus)
    with monkeypatch.context() as patched:
        _force_streaming(patched)
        built = build_folder(corpus, shape)
        for name in ("postings_data", "block_max", "block_offset"):
            assert isinstance(built.index.arrays()[name], persist.FileArray), name
        assert isinstance(built.store.arrays()["start"], persist.FileArray)
        engine = Engine.from_folder(corpus)
    assert isinstance(engine.index.postings_data, np.ndarray)
    assert isinstance(engine.passages.arrays()["start"], np.ndarray)
    for words in (["keeper"], ["boat", "weather", "dawn"], ["lynch", "jeffrey"]):
        assert engine.index.top(words, 5) == in_memory.index.top(words, 5)
        assert engine.index.top(words, 5, compiled=False) == in_memory.index.top(words, 5)
    assert [p.text for p in engine.passages] == [p.text for p in in_memory.passages]
    question = "When does the boat leave?"
    assert engine.ask(question) == in_memory.ask(question)
    for name, array in in_memory.index.arrays().items():
        assert np.array_equal(array, built.index.arrays()[name]), name


def test_an_engine_built_from_documents_past_the_budget_answers_mapped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``Engine(documents)`` builds in this process too: documents past the memory budget
    leave the arrays in temporary files, which must be mapped before the compiled scorer
    reads them (it needs a buffer: a FileArray was a TypeError on the first question)."""
    documents = [
        Document(
            source=f"d{n}.md",
            title="",
            encoding="utf-8",
            text=f"# Doc {n}\n\nThe keeper sailed the boat at dawn {n}.\n\nWeather {n}.\n",
        )
        for n in range(30)
    ]
    question = "Who sailed the boat?"
    in_memory = Engine(documents).ask(question)
    with monkeypatch.context() as patched:
        _force_streaming(patched)
        engine = Engine(documents)
        assert isinstance(engine.index.postings_data, np.ndarray)
        assert engine.ask(question) == in_memory


def test_a_large_build_once_saved_answers_from_the_saved_file(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a build past the budget is saved, the engine answers from the saved index: the
    build's temporary files (a second copy of the index) are not kept open while a
    long-running bot answers from it."""
    question = "Who is Jeffrey Lynch?"
    in_memory, _ = open_engine(corpus, index_dir=tmp_path / "memory")
    with monkeypatch.context() as patched:
        _force_streaming(patched)
        engine, report = open_engine(corpus, index_dir=tmp_path / "streamed")
    assert report.saved is not None
    assert engine._parts.opened is not None
    assert not [
        a
        for a in (*engine.passages.arrays().values(), *engine.index.arrays().values())
        if isinstance(a, persist.FileArray)
    ]
    assert engine.ask(question) == in_memory.ask(question)
    engine.close()


def _random_parts(
    rng: np.random.Generator, parts: int, words: list[str]
) -> list[tuple[list[str], Postings]]:
    """Parts as workers make them: part-local terms (a random subset of the words, in a
    random order), postings grouped by local term, paragraph order inside each."""
    made = []
    for _ in range(parts):
        vocabulary = list(rng.permutation(words)[: rng.integers(1, len(words) + 1)])
        lists = int(rng.integers(1, 12))
        doc, term, tf = [], [], []
        for t in range(len(vocabulary)):
            chosen = np.flatnonzero(rng.random(lists) < 0.4)
            if t == 0 and not len(chosen):
                chosen = np.asarray([0])
            doc += chosen.tolist()
            term += [t] * len(chosen)
            tf += rng.integers(1, 300 if rng.random() < 0.1 else 4, len(chosen)).tolist()
        used = sorted(set(term))
        first_seen = sorted(used, key=lambda u: (doc[term.index(u)], u))
        made.append(
            (
                vocabulary,
                Postings(
                    doc=np.asarray(doc, dtype=np.int32),
                    term=np.asarray(term, dtype=np.int32),
                    tf=np.asarray(tf, dtype=np.int32),
                    length=rng.integers(1, 50, lists).astype(np.int32),
                    first_seen=np.asarray(first_seen, dtype=np.int32),
                ),
            )
        )
    return made


def _one_shot(parts: list[tuple[list[str], Postings]]) -> BM25Index:
    """The same postings as one CSR, built the obvious way (a dict per term)."""
    postings: dict[str, list[tuple[int, int]]] = {}
    lengths: list[int] = []
    for vocabulary, run in parts:
        base = len(lengths)
        lengths += run.length.tolist()
        for t in run.first_seen.tolist():
            postings.setdefault(vocabulary[t], [])
        for d, t, f in zip(run.doc.tolist(), run.term.tolist(), run.tf.tolist(), strict=True):
            postings[vocabulary[t]].append((base + d, f))
    ptr = np.zeros(len(postings) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in postings.values()], out=ptr[1:])
    docs = np.asarray([d for p in postings.values() for d, _ in p], dtype=np.int32)
    tfs = np.asarray([f for p in postings.values() for _, f in p], dtype=np.int64)
    return BM25Index.from_csr(list(postings), np.asarray(lengths), ptr, docs, tfs)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(("pass_postings", "budget"), [(1, 0), (7, 0), (1 << 20, 1 << 30)])
def test_the_merge_in_passes_is_the_one_shot_csr(
    seed: int, pass_postings: int, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(int(rng.integers(3, 40)))]
    parts = _random_parts(rng, int(rng.integers(1, 8)), words)
    monkeypatch.setattr(merge, "PASS_POSTINGS", pass_postings)
    monkeypatch.setattr("retrieval.index.bm25._TF_PART_SLICE", 3)
    monkeypatch.setattr(merge, "BOUND_POSTINGS", 3)
    join = PostingsJoin(SpillBudget(budget))
    for vocabulary, run in parts:
        join.add(vocabulary, run)
    merged = join.finish(k1=1.5, b=0.85, idf="lucene")
    expected = _one_shot(parts)
    assert merged.meta() == expected.meta()
    for name, array in expected.arrays().items():
        got = merged.arrays()[name]
        assert np.asarray(got).dtype == array.dtype, name
        assert np.array_equal(np.asarray(got), array), name


@pytest.mark.parametrize("seed", range(4))
def test_the_id_order_sorted_in_ranges_is_the_stable_argsort(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ties included (duplicated ids keep their row order), whatever the ranges' sizes."""
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, 2**64 - 1, 500, dtype=np.uint64, endpoint=True)
    keys[rng.integers(0, 500, 100)] = keys[rng.integers(0, 500, 100)]  # duplicates
    keys[:30] = np.uint64(2**64 - 1)
    column = Column(SpillBudget(0), np.uint64)
    column.append(keys)
    file_keys = column.array()
    assert isinstance(file_keys, persist.FileArray)
    monkeypatch.setattr(spill, "ORDER_PASS", int(rng.integers(2, 60)))
    monkeypatch.setattr(spill, "SLICE_BYTES", 8 * int(rng.integers(1, 90)))
    order = np.asarray(spill.stable_order(file_keys, SpillBudget(0)))
    assert np.array_equal(order, np.argsort(keys, kind="stable"))


def test_spills_share_one_budget() -> None:
    """The spills of one build together hold at most the budget in memory; the one that
    would cross it moves to disk, and every spill reads back what was appended."""
    budget = SpillBudget(100)
    spills = [Spill(budget) for _ in range(4)]
    pieces: list[list[bytes]] = [[] for _ in spills]
    rng = np.random.default_rng(0)
    for _ in range(40):
        k = int(rng.integers(0, 4))
        data = rng.integers(0, 255, int(rng.integers(1, 30)), dtype=np.uint8).tobytes()
        spills[k].append(data)
        pieces[k].append(data)
        assert budget.held <= budget.limit
    assert any(s.on_disk for s in spills)
    for s, expected in zip(spills, pieces, strict=True):
        assert bytes(np.asarray(s.as_array())) == b"".join(expected)
    assert budget.held == 0


def test_closing_a_spill_on_disk_gives_back_no_memory_it_did_not_hold() -> None:
    """A spill on disk holds none of the budget: closing it (the paragraph index's postings
    runs, once merged) must not lower what the others are counted as holding, or the next
    spills (the document index's merge outputs) would stay in memory far past the limit."""
    budget = SpillBudget(100)
    merged = Spill(budget)
    merged.append(bytes(1000))
    assert merged.on_disk and budget.held == 0
    merged.close()
    assert budget.held == 0
    later = Spill(budget)
    later.append(bytes(500))
    assert later.on_disk
    later.close()
    kept = Spill(budget)
    kept.append(bytes(60))
    kept.close()
    assert budget.held == 0


def test_a_file_column_narrows_as_the_saved_index_narrows(tmp_path: Path) -> None:
    """persist saves a build's file-backed column in the type it saves the same column in
    memory (the narrowest unsigned type that holds it)."""
    for values in ([0, 5, 70_000], [3, 65_535], [-1, 4], [2**40]):
        column = Column(SpillBudget(0), np.int64)
        column.append(np.asarray(values, dtype=np.int64))
        on_disk = persist._narrow(column.array())
        in_memory = persist._narrow(np.asarray(values, dtype=np.int64))
        assert on_disk.dtype == in_memory.dtype
        assert np.array_equal(np.asarray(on_disk), in_memory)


def test_engine_options_do_not_matter_to_the_streamed_build(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the document index too (one PostingsJoin, not two)."""
    options = EngineOptions(document_weight=0.0)
    in_memory = Engine.from_folder(corpus, options)
    with monkeypatch.context() as patched:
        _force_streaming(patched)
        streamed = Engine.from_folder(corpus, options)
    for name, array in in_memory.index.arrays().items():
        assert np.array_equal(array, streamed.index.arrays()[name]), name


def test_the_document_vocabulary_made_from_the_paragraphs_is_from_terms(corpus: Path) -> None:
    """The document index's term table, renumbered from the paragraph index's (the same terms
    in another order), must be the one made from its terms directly."""
    built = build_folder(corpus, IndexShape())
    documents = built.document_index
    assert documents is not None
    terms = [documents.vocabulary.term(i) for i in range(len(documents.vocabulary))]
    paragraph_terms = [built.index.vocabulary.term(i) for i in range(len(built.index.vocabulary))]
    assert sorted(terms) == sorted(paragraph_terms) and terms != paragraph_terms
    assert documents.vocabulary.keys is built.index.vocabulary.keys  # shared, not rebuilt
    expected = Vocabulary.from_terms(terms).arrays("")
    for name, array in documents.vocabulary.arrays("").items():
        assert array.dtype == expected[name].dtype, name
        assert np.array_equal(array, expected[name]), name


def test_a_full_temporary_disk_is_one_clear_line_and_exit_2(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that spills and finds the temporary folder full says so, naming the folder and
    the fix, exits 2 and shows no traceback (the stdout-write wording 'cannot write the output'
    it gave before misled); nothing is saved, and the next build with space works."""
    import errno
    import io
    import tempfile

    from bot import cli

    _force_streaming(monkeypatch)

    def full(*_args: object, **_kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    index_dir = tmp_path / "indexes"
    args = ["index", "--corpus", str(corpus), "--index-dir", str(index_dir)]
    with monkeypatch.context() as patched:
        patched.setattr(spill.tempfile, "TemporaryFile", full)
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(args, stdin=io.StringIO(""), stdout=out, stderr=err)
    assert code == 2
    assert err.getvalue() == (
        f"citebot: There is no space left for the build's temporary files in "
        f"{tempfile.gettempdir()} (No space left on device). A large corpus needs about twice "
        "its index's size there while it builds (about 2 GB for a million paragraphs): free "
        "some space there, or set TMPDIR to a folder on a larger disk, and build again.\n"
    )
    assert "Traceback" not in out.getvalue()
    assert not list(index_dir.glob("*.citebot-index"))
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(args, stdin=io.StringIO(""), stdout=out, stderr=err) == 0
    assert list(index_dir.glob("*.citebot-index"))


def _build_temporaries() -> tuple[int, int]:
    """This process's open deleted files in the temporary folder, and its mappings of them
    (a build's spills, converted columns and the maps an engine answers from)."""
    import os
    import tempfile

    folder = tempfile.gettempdir()
    files = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        files += target.startswith(folder) and target.endswith("(deleted)")
    with open("/proc/self/maps", encoding="utf-8") as maps:
        mapped = sum(folder in line and line.rstrip().endswith("(deleted)") for line in maps)
    return files, mapped


@pytest.fixture
def no_cyclic_collector() -> object:
    import gc

    gc.collect()
    gc.disable()
    yield
    gc.enable()


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
@pytest.mark.usefixtures("no_cyclic_collector")
def test_a_dropped_large_build_frees_its_temporary_files_at_once(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cyclic collector off, dropping an engine over a fresh large build (or the
    build itself) closes its temporary files and unmaps them: nothing holds them in a
    reference cycle. A build saved and reopened keeps none of them open."""
    _force_streaming(monkeypatch)
    before = _build_temporaries()
    engine = Engine.from_folder(corpus)
    engine.ask("Who is Jeffrey Lynch?")
    assert _build_temporaries()[1] > before[1]  # answering from mapped temporary files
    del engine
    assert _build_temporaries() == before
    built = build_folder(corpus, IndexShape())
    assert _build_temporaries()[0] > before[0]
    del built
    assert _build_temporaries() == before
    engine, report = open_engine(corpus, index_dir=tmp_path / "idx")
    assert report.saved is not None
    assert _build_temporaries() == before
    engine.ask("Who is Jeffrey Lynch?")
    del engine
    assert _build_temporaries() == before


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc")
@pytest.mark.usefixtures("no_cyclic_collector")
@pytest.mark.parametrize("where", ["documents' merge", "store", "id order", "joining"])
@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_a_build_given_up_mid_way_leaves_no_temporary_file_open(
    corpus: Path, monkeypatch: pytest.MonkeyPatch, where: str, error: type[BaseException]
) -> None:
    """An interrupt or a full disk at any stage: while the exception (and the traceback that
    holds the build's frames) is still alive, every temporary file made so far is closed."""
    from retrieval.index import build

    _force_streaming(monkeypatch)
    before = _build_temporaries()
    finish, store_arrays, order, add = (
        PostingsJoin.finish, build._Assembler._store_arrays, build.stable_order,
        build._Assembler.add,
    )  # fmt: skip
    merges: list[object] = []

    def failing_finish(self: PostingsJoin, **kwargs: object) -> BM25Index:
        merged = finish(self, **kwargs)  # type: ignore[arg-type]
        merges.append(merged)
        if len(merges) == 2:
            raise error()
        return merged

    def failing_store(self: object) -> dict[str, object]:
        arrays = store_arrays(self)  # type: ignore[arg-type]
        raise error(str(len(arrays)))

    def failing_order(keys: object, budget: SpillBudget) -> object:
        order(keys, budget)
        raise error()

    def failing_add(self: object, part: object) -> None:
        add(self, part)  # type: ignore[arg-type]
        raise error()

    patched = {
        "documents' merge": (PostingsJoin, "finish", failing_finish),
        "store": (build._Assembler, "_store_arrays", failing_store),
        "id order": (build, "stable_order", failing_order),
        "joining": (build._Assembler, "add", failing_add),
    }[where]
    monkeypatch.setattr(*patched)
    try:
        build_folder(corpus, IndexShape())
    except error:
        assert _build_temporaries() == before
    else:
        raise AssertionError("the build did not fail")
    assert _build_temporaries() == before


def _common_word_parts(paragraphs: int, parts: int) -> list[tuple[list[str], Postings]]:
    """Parts whose every paragraph has the word "common" (tf 1 to 300), and a few rarer
    words: one term with far more postings than a merge pass holds."""
    rng = np.random.default_rng(5)
    made = []
    for lists in np.array_split(np.arange(paragraphs), parts):
        n = len(lists)
        rare = rng.random((3, n)) < 0.2
        doc = np.concatenate([np.arange(n), *(np.flatnonzero(r) for r in rare)])
        term = np.concatenate(
            [np.zeros(n, dtype=np.int64), *(np.full(r.sum(), t + 1) for t, r in enumerate(rare))]
        )
        tf = rng.integers(1, 300 if rng.random() < 0.5 else 4, len(doc))
        present = [0, *(t + 1 for t in range(3) if rare[t].any())]
        made.append(
            (
                ["common", "rare0", "rare1", "rare2"],
                Postings(
                    doc=doc.astype(np.int32),
                    term=term.astype(np.int32),
                    tf=tf.astype(np.int32),
                    length=(np.bincount(doc, tf, n) + rng.integers(1, 40, n)).astype(np.int32),
                    first_seen=np.asarray(present, dtype=np.int32),
                ),
            )
        )
    return made


def _merged(parts: list[tuple[list[str], Postings]], budget: int) -> BM25Index:
    join = PostingsJoin(SpillBudget(budget))
    for vocabulary, run in parts:
        join.add(vocabulary, run)
    return join.finish(k1=1.5, b=0.85, idf="lucene")


@pytest.mark.parametrize("pass_postings", [1, 64, 100, 1000])
@pytest.mark.parametrize("budget", [0, 1 << 30])
def test_a_term_past_the_pass_is_merged_in_chunks_to_the_same_index(
    pass_postings: int, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word in every one of 3,000 paragraphs, merged a pass's worth at a time: the arrays
    of the one-pass merge and of the obvious CSR, and rank-bm25's scores, exactly."""
    from retrieval.index.bm25 import rank_bm25_model

    parts = _common_word_parts(3000, 5)
    whole = _merged(parts, 1 << 30)
    monkeypatch.setattr(merge, "PASS_POSTINGS", pass_postings)
    monkeypatch.setattr(merge, "BOUND_POSTINGS", 50)
    chunked = _merged(parts, budget)
    for name, array in _one_shot(parts).arrays().items():
        assert np.array_equal(np.asarray(whole.arrays()[name]), array), name
        got = np.asarray(chunked.arrays()[name])
        assert got.dtype == array.dtype and np.array_equal(got, array), name
    docs = [
        [
            w
            for t, w in enumerate(vocabulary)
            for _ in range(int(((run.doc == d) & (run.term == t)) @ run.tf))
        ]
        + ["pad"] * int(run.length[d] - ((run.doc == d) @ run.tf))
        for vocabulary, run in parts
        for d in range(len(run.length))
    ]
    reference = rank_bm25_model(docs, k1=1.5, b=0.85, idf="lucene")
    for query in (["common"], ["common", "rare1"], ["rare0", "rare2", "common"]):
        scores = np.asarray(reference.get_scores(query), dtype=np.float64)
        mapped = spill.mapped_index(chunked)
        assert np.array_equal(mapped.scores(query), scores)
        order = np.argsort(-scores, kind="stable")[:10]
        assert mapped.top(query, 10) == [(int(i), float(scores[i])) for i in order]


def test_merging_a_term_in_every_paragraph_holds_one_pass_not_the_term(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The merge's memory is bounded by the pass, within a term too: a term in all 200,000
    paragraphs (in one pass: a 7.7 MB peak, about 38 bytes a posting) merged with a
    pass of 4,096 postings allocates a fraction of that at its peak."""
    import tracemalloc

    monkeypatch.setattr(merge, "PASS_POSTINGS", 4096)
    n = 200_000
    parts = []
    for lists in np.array_split(np.arange(n), 4):
        parts.append(
            (
                ["common"],
                Postings(
                    doc=np.arange(len(lists), dtype=np.int32),
                    term=np.zeros(len(lists), dtype=np.int32),
                    tf=np.ones(len(lists), dtype=np.int32),
                    length=np.full(len(lists), 7, dtype=np.int32),
                    first_seen=np.zeros(1, dtype=np.int32),
                ),
            )
        )
    join = PostingsJoin(SpillBudget(0))
    for vocabulary, run in parts:
        join.add(vocabulary, run)
    del parts
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        index = join.finish(k1=1.5, b=0.85, idf="lucene")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(index.postings_ptr) == 2 and int(index.postings_ptr[-1]) == n
    assert peak < 8 * n, peak  # the lengths read back (a slice of int32), one pass's arrays
