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
costs over a second; the file takes about 50 ms, once, on the first English question (the
content shares weigh every question word by it).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

COMMON_ZIPF = 3.0
"""A word at least this common (Zipf scale: log10 of its frequency per billion words; 3 = once
per million) is everyday language, not a name."""

_lock = threading.Lock()
_tables: dict[str, dict[str, float] | None] = {}


def _data_file(language: str) -> Path | None:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "data" / f"small_{language}.msgpack.gz"
        if path.is_file():
            return path
    return None


def _load(language: str) -> dict[str, float] | None:
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
    # Rarest bucket first, so that a word listed twice keeps its commonest bucket's value (as
    # wordfreq reads it); dict.fromkeys per bucket keeps the per-word work in C.
    table: dict[str, float] = {}
    for bucket in range(len(packed) - 2, -1, -1):
        table.update(dict.fromkeys(packed[bucket + 1], 9.0 - bucket / 100.0))
    return table


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
