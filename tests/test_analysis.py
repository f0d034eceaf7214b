"""The tokenizer shared by paragraphs and questions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrieval.analysis import tokenizer as analysis
from retrieval.analysis.tokenizer import analyze, words


def test_casefold_nfkc_and_apostrophes() -> None:
    assert analyze("ＦＵＬＬＷＩＤＴＨ Straße") == analyze("fullwidth strasse")
    assert analyze("Denver’s") == analyze("Denver's") == ["denver"]


def test_stopwords_dropped_and_words_stemmed() -> None:
    assert analyze("What is the city council passing?") == ["citi", "council", "pass"]
    assert analyze("what is the") == []


def test_numbers_are_kept_whole() -> None:
    assert analyze("In 2017, 1,204 paragraphs and 3.14 apples") == [
        "2017", "1204", "paragraph", "3.14", "appl",
    ]  # fmt: skip


def test_acronyms_survive() -> None:
    assert analyze("U.S. policy") == ["u.s", "polici"]


def test_non_latin_scripts_stay_searchable() -> None:
    assert analyze("Москва столица") == ["москва", "столица"]
    assert analyze("Αθήνα") == ["αθήνα"]
    assert analyze("Crème brûlée") == ["crème", "brûlée"]


def test_punctuation_and_emoji_make_no_tokens() -> None:
    assert words("?!… 🙂🙂 --- ***") == []


def test_analysis_from_many_threads_matches_one_thread() -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"running cities {i} connections generously organised" for i in range(400)]
    expected = [analyze(t) for t in texts]
    with ThreadPoolExecutor(max_workers=16) as pool:
        assert list(pool.map(analyze, texts)) == expected


def test_term_spans_match_through_the_same_analysis() -> None:
    from retrieval.analysis import term_spans

    text = "Straße: the U.S. council passed 1,204 laws; the Council’s passing."
    terms = analyze("u.s. councils pass 1204 strasse")
    assert [text[s:e] for s, e in term_spans(text, terms)] == [
        "Straße", "U.S", "council", "passed", "1,204", "Council’s", "passing",
    ]  # fmt: skip


@given(st.text(alphabet="ab1.,' ’`\u00a0\u00a8\u0301\u2028\u3000ﬁＦßΣσς-_é\t\nxI9", max_size=40))
def test_chunk_by_chunk_analysis_equals_analysing_the_whole_text(text: str) -> None:
    """analyze() caches by whitespace-separated chunk; that must never change a term."""
    whole = [
        term
        for token in analysis._TOKEN.findall(analysis.normalize(text))
        if (term := analysis._term(token))
    ]
    assert analyze(text) == whole


_PIECES = [*"aZ09 .,'`’-_\n\tU.S", "don't", "3.14", "é", "Running", "the"]


@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_plain_tokens_give_the_terms_analysis_gives(text: str) -> None:
    """The build's one-pass tokenizing (English, ASCII) yields exactly ``terms(text)``; other
    text is left to the chunk-by-chunk path (None)."""
    from retrieval.analysis.analyzer import ENGLISH

    tokens = ENGLISH.plain_tokens(text)
    if not text.isascii():
        assert tokens is None
        return
    assert tokens is not None
    assert [t for t in map(ENGLISH.term, tokens) if t] == ENGLISH.terms(text)


@given(
    st.lists(st.sampled_from([*_PIECES, "1,204", "e.g.", "a.b", "x'", "'y", "9.", ".5"])).map(
        "".join
    )
)
def test_the_compiled_scan_cuts_the_tokens_the_pattern_cuts(text: str) -> None:
    """retrieval/analysis/_scan.c replays the tokenizer's pattern for English ASCII text: with
    an empty table every token comes back as itself, in order (None for other text)."""
    import pytest

    from retrieval.analysis.analyzer import ENGLISH

    scan = pytest.importorskip("retrieval.analysis._scan")
    scanned = scan.token_ids(text, {})
    if not text.isascii():
        assert scanned is None
        return
    tokens = ENGLISH.plain_tokens(text)
    assert scanned == (tokens, len(tokens or []))


def test_the_compiled_scan_looks_tokens_up_and_drops_stopwords() -> None:
    import pytest

    scan = pytest.importorskip("retrieval.analysis._scan")
    table = {"hello": 0, "the": -1, "world's": 1}
    assert scan.token_ids("Hello, the World's U.S.", table) == ([0, 1, "u.s."], 1)


@given(
    st.lists(
        st.sampled_from([*_PIECES, "Café", "naïve\u00a0", "—", "ｆｕｌｌ", "Straße ", ". "])
    ).map("".join)
)
def test_the_compiled_sentence_scan_gives_the_analyzers_terms(text: str) -> None:
    """``sentence_ids`` (one call per paragraph, ASCII or not) numbers exactly the terms
    ``analyze`` finds in each sentence, and records each sentence's span and term count."""
    import array

    import pytest

    from retrieval.analysis.analyzer import ENGLISH
    from retrieval.splitting.sentences import split_sentences

    scan = pytest.importorskip("retrieval.analysis._scan")
    vocabulary: dict[str, int] = {}
    table: dict[str, int] = {}

    def number(token: str) -> int:
        term = ENGLISH.term(token)
        return table.setdefault(token, vocabulary.setdefault(term, len(vocabulary)) if term else -1)

    def chunk_ids(chunk: str) -> list[int]:
        return [vocabulary.setdefault(t, len(vocabulary)) for t in ENGLISH.terms(chunk)]

    spans = split_sentences(text)
    tokens, rows = bytearray(), bytearray()
    fast = scan.Table()
    count = scan.sentence_ids(text, spans, fast, number, chunk_ids, tokens, rows)
    again = bytearray()  # a second pass: every token now found in the compiled table
    assert scan.sentence_ids(text, spans, fast, number, chunk_ids, again, bytearray()) == count
    assert again == tokens
    assert len(fast) == len(table)  # each miss entered once, in both
    terms = list(vocabulary)
    ids = array.array("i", bytes(tokens)).tolist()
    assert count == len(ids)
    table_rows = array.array("i", bytes(rows)).tolist()
    first = 0
    for k, (start, end) in enumerate(spans):
        assert table_rows[3 * k : 3 * k + 2] == [start, end]
        length = table_rows[3 * k + 2]
        assert [terms[i] for i in ids[first : first + length]] == ENGLISH.terms(text[start:end])
        first += length
    assert first == len(ids)


@given(st.lists(st.lists(st.integers(0, 6), max_size=8), max_size=6))
def test_the_compiled_postings_are_the_sorted_ones(lists: list[list[int]]) -> None:
    """The build's counting-sort postings (_scan.postings) equal the np.unique ones."""
    import array

    import numpy as np
    import pytest

    from retrieval.index import build

    pytest.importorskip("retrieval.analysis._scan")
    tokens = build._Tokens(
        bytearray(array.array("i", [t for ids in lists for t in ids])), [len(ids) for ids in lists]
    )
    compiled = tokens.postings(7)
    original = build._postings_scan
    try:
        build._postings_scan = None
        plain = tokens.postings(7)
    finally:
        build._postings_scan = original
    for name in ("doc", "term", "tf", "length", "first_seen"):
        assert np.array_equal(getattr(compiled, name), getattr(plain, name)), name
        assert getattr(compiled, name).dtype == np.int32
