"""The answer path's shortcuts (session 7) give what the plain paths give: the checksums'
chunk skipping, the sentence ids' remembered chunks, hits sharing their paragraphs, and the
spelling candidates' keys."""

from __future__ import annotations

import mmap
from array import array
from pathlib import Path

import pytest
import xxhash

from retrieval import Engine
from retrieval.errors import IndexDamagedError
from retrieval.index import persist
from retrieval.index.bm25 import Vocabulary, term_key
from retrieval.index.sentences import SplitIds
from retrieval.types import Hit


def _checks(tmp_path: Path, chunks: int, wrong: int | None = None) -> persist.Checks:
    """Checks over one byte array of ``chunks`` checksum chunks (the last one short), the
    digest of chunk ``wrong`` spoiled."""
    size = persist.CHUNK * (chunks - 1) + 100
    data = bytes(i * 7 % 251 for i in range(size))
    path = tmp_path / "array.bin"
    path.write_bytes(data)
    handle = path.open("rb")
    mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    handle.close()
    digests = [
        xxhash.xxh3_64_intdigest(data[lo : lo + persist.CHUNK])
        for lo in range(0, size, persist.CHUNK)
    ]
    if wrong is not None:
        digests[wrong] ^= 1
    spec = persist.ArraySpec("|u1", (size,), 0, tuple(digests))
    return persist.Checks(path, mapped, {"x": spec}, {"x": memoryview(mapped)}, size)


def test_checks_verify_each_chunk_once_and_only_those_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = _checks(tmp_path, 6)
    hashed: list[int] = []
    verify = persist.Checks._verify

    def counted(self: persist.Checks, name: str, chunk: int, *, sized: bool = False) -> None:
        hashed.append(chunk)
        verify(self, name, chunk, sized=sized)

    monkeypatch.setattr(persist.Checks, "_verify", counted)
    chunk = persist.CHUNK
    checks.items(["x"], chunk + 5, chunk + 6)  # one chunk
    checks.items(["x"], 3 * chunk + 1, 3 * chunk + 2)
    assert hashed == [1, 3]
    checks.items(["x"], 10, 5 * chunk + 50)  # across all: only those not yet verified
    assert hashed == [1, 3, 0, 2, 4, 5]
    checks.items(["x"], 0, 5 * chunk + 100)
    assert checks.verify() == [] and hashed == [1, 3, 0, 2, 4, 5]
    with pytest.raises(IndexDamagedError, match="out of range"):
        checks.items(["x"], 0, 6 * chunk + 1)


@pytest.mark.parametrize("wrong", [0, 2, 4])
def test_checks_find_a_bad_chunk_anywhere_in_a_read(tmp_path: Path, wrong: int) -> None:
    checks = _checks(tmp_path, 5, wrong=wrong)
    chunk = persist.CHUNK
    for lo, hi in [(0, 1), (chunk, 2 * chunk), (3 * chunk, 3 * chunk + 3)]:
        if not lo // chunk <= wrong <= (hi - 1) // chunk:
            checks.items(["x"], lo, hi)  # reads that miss it pass
    with pytest.raises(IndexDamagedError, match="checksum"):
        checks.items(["x"], 0, 4 * chunk + 100)
    assert _checks(tmp_path, 5, wrong=wrong).verify() == ["x"]


def test_verifying_chunks_does_not_count_as_answers_for_trimming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory is looked at every few answers (intact), not every few chunks verified."""
    checks = _checks(tmp_path, 12)
    trims: list[int | None] = []
    monkeypatch.setattr(persist.Checks, "trim", lambda self, budget=None: trims.append(budget))
    checks.items(["x"], 0, 12 * persist.CHUNK - persist.CHUNK + 100)
    assert trims == []
    for _ in range(persist._TRIM_EVERY):
        checks.intact()
    assert trims == [None]


def test_a_whole_file_check_gives_pages_back_as_it_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`citebot index --verify` reads every chunk: it trims every so many chunks, so a large
    index does not stay resident until the command ends."""
    checks = _checks(tmp_path, 12)
    trims: list[int | None] = []
    monkeypatch.setattr(persist.Checks, "trim", lambda self, budget=None: trims.append(budget))
    monkeypatch.setattr(persist, "_VERIFY_TRIM_CHUNKS", 4)
    assert checks.verify() == []
    assert trims == [None, None, None]


def _split_ids(verify_calls: list[tuple[str, int, int]]) -> SplitIds:
    low = array("H", [i % 60000 for i in range(40000)])
    high_at = array("q", [5, 9000, 20000, 39999])
    high = array("H", [1, 2, 3, 4])
    return SplitIds(low, high_at, high, verify=lambda n, lo, hi: verify_calls.append((n, lo, hi)))


def test_split_ids_verify_what_was_not_seen_and_give_the_same_ids() -> None:
    calls: list[tuple[str, int, int]] = []
    ids = _split_ids(calls)
    first = ids[8990:9010]
    assert first[10] == 9000 | (2 << 16) and first[0] == 8990
    assert {name for name, _, _ in calls} == {"tokens_low", "tokens_high_at", "tokens_high"}
    made = len(calls)
    assert ids[8995:9005] == first[5:15]  # the same chunks: nothing verified again
    assert len(calls) == made
    assert ids[30000:30010] == array("i", range(30000, 30010))  # a chunk not seen yet
    assert ("tokens_low", 30000, 30010) in calls[made:]
    assert ids[39990:40000][-1] == 39999 % 60000 | (4 << 16)


def test_split_ids_still_catch_exceptions_out_of_place_once_seen() -> None:
    ids = _split_ids([])
    ids[8990:9010]
    with pytest.raises(IndexDamagedError):
        ids.verified(1, 1, 8990, 9010)  # claims no exception where 9000 is one


def test_both_rankings_share_each_paragraph_and_equal_fresh_hits(seed_engine: Engine) -> None:
    rows = {p: j for j, p in enumerate(seed_engine.passages)}
    for question in ("What did the Denver City Council pass?", "Who is Jeffrey Lynch?"):
        terms = seed_engine.analyzer.terms(question)
        rankings = seed_engine._rankings(terms, 5, feedback=True)
        assert len(rankings) == 2 and rankings[0]
        made: dict[int, object] = {}
        for hits in rankings:
            for hit in hits:
                assert made.setdefault(rows[hit.passage], hit.passage) is hit.passage  # once
            fresh = [Hit(seed_engine.passages[rows[h.passage]], h.score, h.rank) for h in hits]
            assert fresh == hits


def test_spelling_candidates_keys_in_one_pass_are_term_key() -> None:
    terms = ["ferry", "naïve", "crème", "москва", "a\udcffb", "", "x" * 300]
    vocabulary = Vocabulary.from_terms(terms[:4])
    asked = [*terms, "ferri", "naive", "creme", *[f"w{n}" for n in range(40)]]
    assert vocabulary._with_keys_numpy(asked) == [t for t in asked if vocabulary.has_key(t)]
    assert vocabulary._with_keys_numpy(asked) == terms[:4]
    assert all(vocabulary.has_key(t) for t in terms[:4])
    assert term_key("ferry") != term_key("ferri")
