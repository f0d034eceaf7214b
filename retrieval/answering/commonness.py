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
That string is kept in ``$XDG_CACHE_HOME/citebot/wordfreq/`` with the list file's size and
modification time and a CRC-32 of the words, so later processes read one small text file
instead of importing msgpack and inflating the list (a one-shot ``citebot ask`` paid that on
every English question, about 15 ms); a kept table that does not match its list or its CRC,
or cannot be read or written, is ignored.
"""

from __future__ import annotations

import bisect
import importlib.util
import json
import os
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path

COMMON_ZIPF = 3.0
"""A word at least this common (Zipf scale: log10 of its frequency per billion words; 3 = once
per million) is everyday language, not a name."""

_SEARCHES_BEFORE_INDEX = 64
"""Lookups answered by searching the string before :class:`_Table` makes its dict."""

_SEPARATOR = "\n"
"""Between the words of :class:`_Table`'s string (no word of the list holds one)."""


class _Table:
    """The list's words as one string, ``"\nword\nword…\n"``, commonest bucket first, and
    where each (non-empty) bucket starts in it: the first place a word stands is its commonest
    bucket, which is the value wordfreq gives a word listed twice."""

    @classmethod
    def of_buckets(cls, buckets: list[tuple[float, list[str]]]) -> _Table:
        """The table of wordfreq's buckets (value, words), commonest first."""
        table = cls.__new__(cls)
        table._build(buckets)
        return table

    @classmethod
    def of_parts(cls, text: str, starts: Sequence[int], values: Sequence[float]) -> _Table:
        """A table kept earlier (:meth:`parts`); ValueError unless its parts fit together."""
        if not (text.endswith(_SEPARATOR) and len(starts) == len(values)):
            raise ValueError("the kept word list does not fit together")
        last = -1
        for start, value in zip(starts, values, strict=True):
            if not (
                isinstance(start, int)
                and isinstance(value, float)
                and last < start < len(text)
                and text[start] == _SEPARATOR
            ):
                raise ValueError("the kept word list does not fit together")
            last = start
        table = cls.__new__(cls)
        table._text, table._starts, table._values = text, list(starts), list(values)
        return table

    def parts(self) -> tuple[str, list[int], list[float]]:
        return self._text, self._starts, self._values

    def _build(self, buckets: list[tuple[float, list[str]]]) -> None:
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
        """The word's value: a search of the string for a process's first lookups (a one-shot
        question makes a handful), then a dict made once (a search costs about 0.1 ms, which a
        bot answering for hours would pay on every question)."""
        index: dict[str, float] | None = self.__dict__.get("_index")
        if index is not None:
            return index.get(word, default)
        self._lookups = self.__dict__.get("_lookups", 0) + 1
        if self._lookups > _SEARCHES_BEFORE_INDEX:
            self._index = self._words()
            return self._index.get(word, default)
        if _SEPARATOR in word:
            return default
        at = self._text.find(_SEPARATOR + word + _SEPARATOR)
        if at < 0:
            return default
        return self._values[bisect.bisect_right(self._starts, at) - 1]

    def _words(self) -> dict[str, float]:
        """Every word's value; a word listed twice keeps its first (commonest) bucket's, as
        the search finds it."""
        words: dict[str, float] = {}
        ends = [*self._starts[1:], len(self._text) - 1]
        for start, end, value in zip(self._starts, ends, self._values, strict=True):
            for word in self._text[start + 1 : end].split(_SEPARATOR):
                words.setdefault(word, value)
        return words


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


def _load(path: Path) -> _Table | None:
    """The table of wordfreq's list file (gzip'd msgpack)."""
    import gzip  # here, not at import: only when no kept table matches the list

    import msgpack

    try:
        with gzip.open(path) as handle:
            packed = msgpack.load(handle, raw=False)
    except (OSError, ValueError, msgpack.UnpackException):
        return None
    if not isinstance(packed, list) or not packed or packed[0].get("format") != "cB":
        return None
    buckets = [(9.0 - bucket / 100.0, packed[bucket + 1]) for bucket in range(len(packed) - 1)]
    try:
        return _Table.of_buckets(buckets)
    except (TypeError, ValueError):  # not lists of words
        return None


def _kept_path(language: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "citebot" / "wordfreq" / f"small_{language}.txt"


def _stamp(path: Path) -> dict[str, object]:
    """What the kept table must have been made from: the list file, as it is now."""
    info = path.stat()
    return {"format": 1, "list": str(path), "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _read_kept(language: str, path: Path) -> _Table | None:
    """The table kept for the list at ``path``, or None (none kept, another list's, damaged)."""
    try:
        head, _, body = _kept_path(language).read_bytes().partition(b"\n")
        kept = json.loads(head)
        if not isinstance(kept, dict) or kept.pop("stamp", None) != _stamp(path):
            return None
        if zlib.crc32(body) != kept["crc32"]:
            return None
        text = body.decode("utf-8", "surrogatepass")
        return _Table.of_parts(text, kept["starts"], kept["values"])
    except (OSError, ValueError, KeyError, TypeError, UnicodeError):
        return None


def _keep(language: str, path: Path, table: _Table) -> None:
    """Write the table for later processes (atomically; a failure only costs them time)."""
    text, starts, values = table.parts()
    target = _kept_path(language)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        stamp = _stamp(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        body = text.encode("utf-8", "surrogatepass")
        head = json.dumps(
            {"stamp": stamp, "crc32": zlib.crc32(body), "starts": starts, "values": values}
        )
        temporary.write_bytes(head.encode() + b"\n" + body)
        os.replace(temporary, target)
    except OSError:
        temporary.unlink(missing_ok=True)


def _table(language: str) -> _Table | None:
    """The list's table: kept from an earlier process when it still matches, else read."""
    path = _data_file(language)
    if path is None:
        return None
    table = _read_kept(language, path)
    if table is None:
        table = _load(path)
        if table is not None:
            _keep(language, path, table)
    return table


def zipf(word: str, language: str = "en") -> float | None:
    """The word's frequency on the Zipf scale (0 for a word the list lacks), or None when no
    list is available for ``language`` (then nothing is known)."""
    table = _tables.get(language)
    if language not in _tables:
        with _lock:
            if language not in _tables:
                _tables[language] = _table(language)
            table = _tables[language]
    if table is None:
        return None
    return table.get(word.casefold(), 0.0)


def is_common(word: str, language: str = "en") -> bool | None:
    """Whether ``word`` is everyday language (None: unknown, no list for the language)."""
    value = zipf(word, language)
    return None if value is None else value >= COMMON_ZIPF
