"""How common a word is in the language at large, for the answer decision.

A question word no paragraph contains means two different things. "How do I deploy to Heroku?"
over uv's docs names a product the docs never mention: the strongest sign that they do not
answer it. "sick of typing --app every time, can flask read a .env file?" holds "sick", which
the Flask docs lack too, but which is only casual English around a question they do answer.
The documents cannot tell the two apart (both are absent); the language can: "heroku",
"pyinstaller", "termux" are rare or unknown in general English, "sick", "straight", "behind"
are everyday words.

The frequencies are wordfreq's "small" English list (Robyn Speer's wordfreq, MIT code, CC-BY-SA
4.0 data: word frequencies pooled from Wikipedia, subtitles, news, books, web text and social
media). Its cBpack file is read directly (a documented format: bucket *i* holds the words of
frequency 10^(-i/100)), because importing the wordfreq package pulls in ftfy and langcodes and
costs over a second; the file is read once, on the first English question (the content
shares weigh every question word by it). Its words are not made into a dict (29,000 entries, the
larger part of a one-shot question's cost of the list): they are joined into one string,
commonest bucket first, and a word is found with ``str.find`` and its bucket by binary search.
"""

from __future__ import annotations

import bisect
import importlib.util
import threading
from pathlib import Path

COMMON_ZIPF = 3.0
"""A word at least this common (Zipf scale: log10 of its frequency per billion words; 3 = once
per million) is everyday language, not a name."""

_SEPARATOR = "\n"
"""Between the words of :class:`_Table`'s string (no word of the list holds one)."""


class _Table:
    """The list's words as one string, ``"\nword\nword…\n"``, commonest bucket first, and
    where each (non-empty) bucket starts in it: the first place a word stands is its commonest
    bucket, which is the value wordfreq gives a word listed twice."""

    def __init__(self, buckets: list[tuple[float, list[str]]]) -> None:
        parts: list[str] = []
        self._starts: list[int] = []
        self._values: list[float] = []
        at, count = 0, 0
        for value, words in buckets:
            if not isinstance(words, list):
                raise TypeError("a bucket is not a list")
            if not words:
                continue
            self._starts.append(at)
            self._values.append(value)
            part = _SEPARATOR + _SEPARATOR.join(words)
            parts.append(part)
            at += len(part)
            count += len(words)
        self._text = "".join(parts) + _SEPARATOR
        if self._text.count(_SEPARATOR) != count + 1:
            raise ValueError("a word holds the separator")

    def get(self, word: str, default: float) -> float:
        if _SEPARATOR in word:
            return default
        at = self._text.find(_SEPARATOR + word + _SEPARATOR)
        if at < 0:
            return default
        return self._values[bisect.bisect_right(self._starts, at) - 1]


_lock = threading.Lock()
_tables: dict[str, _Table | None] = {}


def _data_file(language: str) -> Path | None:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "data" / f"small_{language}.msgpack.gz"
        if path.is_file():
            return path
    return None


def _load(language: str) -> _Table | None:
    import gzip  # here, not at import: loaded on the first English question, not at start-up

    import msgpack

    path = _data_file(language)
    if path is None:
        return None
    try:
        with gzip.open(path) as handle:
            packed = msgpack.load(handle, raw=False)
    except (OSError, ValueError, msgpack.UnpackException):
        return None
    if not isinstance(packed, list) or not packed or packed[0].get("format") != "cB":
        return None
    buckets = [(9.0 - bucket / 100.0, packed[bucket + 1]) for bucket in range(len(packed) - 1)]
    try:
        return _Table(buckets)
    except (TypeError, ValueError):  # not lists of words
        return None


def zipf(word: str, language: str = "en") -> float | None:
    """The word's frequency on the Zipf scale (0 for a word the list lacks), or None when no
    list is available for ``language`` (then nothing is known)."""
    table = _tables.get(language)
    if language not in _tables:
        with _lock:
            if language not in _tables:
                _tables[language] = _load(language)
            table = _tables[language]
    if table is None:
        return None
    return table.get(word.casefold(), 0.0)


def is_common(word: str, language: str = "en") -> bool | None:
    """Whether ``word`` is everyday language (None: unknown, no list for the language)."""
    value = zipf(word, language)
    return None if value is None else value >= COMMON_ZIPF
