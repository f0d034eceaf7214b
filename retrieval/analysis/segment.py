"""Cutting text written without spaces between words into search units.

Chinese: jieba's words (its dictionary plus an HMM for unknown words). Japanese, and Chinese or
Japanese text inside a corpus of another language: overlapping character bigrams, as Lucene's
CJK analyzer does ("市长是谁" → 市长 长是 是谁; a lone character is its own unit). Measured on
XQuAD Chinese (docs/quality.md, "Chinese segmentation"): both retrieve alike (R@1 0.926 bigrams,
0.923 jieba), but a question's bigrams that straddle its words ("是什", "了多") are in no
paragraph and read as missing words, so bigrams abstain on most answerable questions (answered
0.449 against 0.837 with jieba).

Thai: PyThaiNLP's dictionary segmenter ("newmm", maximal matching over its Thai word list, run
by nlpO3, its compiled port), chosen over character bigrams on XQuAD (docs/quality.md, "Thai
segmentation"): R@1 0.910 against 0.906, top sentence 0.739 against 0.730, and bigrams make
every Thai question a dozen common terms (p50 latency 12.9 ms against 5.4 ms then).

Every unit comes with its offsets in the run, so highlighting finds the very characters that
matched.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterator
from functools import cache, lru_cache
from typing import Any

import regex

CJK_RUN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005]+")
THAI_RUN = regex.compile(r"\p{Thai}+")
UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
"""A character of a script written without spaces between words."""

_thai_lock = threading.Lock()
THAI_ENGINE = "nlpo3" if importlib.util.find_spec("nlpo3") is not None else "newmm"
"""PyThaiNLP's newmm algorithm, compiled (nlpO3, PyThaiNLP's Rust port: 3× faster, the same
scores on XQuAD Thai); pure-Python newmm where its wheel is missing."""


def cjk_bigrams(run: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each unit of a run of CJK characters: overlapping pairs, or the one
    character of a run of one."""
    if len(run) == 1:
        yield 0, 1
        return
    for i in range(len(run) - 1):
        yield i, i + 2


@lru_cache(maxsize=65_536)
def thai_words(run: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each word of a run of Thai characters, by PyThaiNLP's newmm."""
    from pythainlp.tokenize import word_tokenize  # imported on first Thai text: ~0.4 s

    with _thai_lock:  # the segmenter builds its dictionary trie on first use
        pieces = word_tokenize(run, engine=THAI_ENGINE, keep_whitespace=False)
    spans = []
    at = 0
    for piece in pieces:
        start = run.find(piece, at)
        if start < 0:  # never expected: newmm returns the run's own characters in order
            continue
        spans.append((start, start + len(piece)))
        at = start + len(piece)
    return tuple(spans)


_jieba_lock = threading.Lock()


@lru_cache(maxsize=65_536)
def chinese_words(run: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each word of a run of Chinese characters, by jieba (dictionary + HMM)."""
    with _jieba_lock:
        return tuple((start, end) for _, start, end in _jieba().tokenize(run))


@cache
def _jieba() -> Any:
    """jieba, quiet (it logs its dictionary loading at INFO), imported on first Chinese text."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def units(token: str, words: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) of each search unit of ``token``: Chinese/Japanese bigrams, Thai words,
    and every other stretch (a Latin word, a number) as one unit."""
    at = 0
    for match in UNSPACED_RUN.finditer(token):
        if match.start() > at:
            yield at, match.start()
        run = match.group()
        offset = match.start()
        if THAI_RUN.fullmatch(run):
            spans: Iterator[tuple[int, int]] | tuple[tuple[int, int], ...] = thai_words(run)
        elif words:
            spans = chinese_words(run)
        else:
            spans = cjk_bigrams(run)
        for start, end in spans:
            yield offset + start, offset + end
        at = match.end()
    if at < len(token):
        yield at, len(token)


UNSPACED_RUN = regex.compile(r"\p{Thai}+|[\p{Han}\p{Hiragana}\p{Katakana}\u30fc\u3005]+")
