"""A corpus file's text as it is now, for the final check of a quote before it is shown.

The index holds a copy of every file's text; a quote is cut from that copy. Before an answer
leaves the library, each quoted paragraph is compared with the file itself, so no change to
the file (however it kept its size and times) and no damage to the copy reaches a reader.

How the file's text is got depends on how its reader made the text:

* decoded text (plain text, Markdown, reStructuredText) in UTF-8, UTF-8 with a BOM,
  Windows-1252 or Latin-1: the paragraph's bytes are re-read with one ``pread`` at the offset
  its encoding gives, and decoded. Nothing else of the file is read.
* anything else (UTF-16, and formats whose text is extracted: HTML, PDF): the file is read
  again through its reader (:func:`~retrieval.reading.files.read_file`) and the span sliced
  from the text it gives, cached by the file's (inode, size, mtime_ns, ctime_ns), so that the
  re-extraction happens once per version of the file, not once per question.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

from .files import read_file

_BYTE_ENCODINGS = {"utf-8": ("utf-8", 0), "utf-8-sig": ("utf-8", 3)}
_SINGLE_BYTE = frozenset({"windows-1252", "latin-1"})
_PREAD_FORMATS = frozenset({"text", "markdown", "rst"})
"""Formats whose document text is the file's bytes decoded, offsets and all."""


class SourceLike(Protocol):
    @property
    def source(self) -> str: ...

    @property
    def encoding(self) -> str: ...

    @property
    def format(self) -> str: ...


class CurrentText:
    """Reads spans of corpus files as they are now. Thread-safe; caches re-extracted texts."""

    def __init__(self, cache_size: int = 4) -> None:
        self._cache: OrderedDict[tuple[str, int, int, int, int], str | None] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def span(
        self,
        path: Path,
        source: SourceLike,
        chars: tuple[int, int],
        utf8: tuple[int, int],
        length: int,
    ) -> str | None:
        """The file's current text at character span ``chars`` (``utf8``: the same span in
        the UTF-8 of the indexed text; ``length``: its length in characters); None when the
        file cannot be read or no longer decodes as it did."""
        fmt = getattr(source, "format", "text")
        if fmt in _PREAD_FORMATS:
            if source.encoding in _BYTE_ENCODINGS:
                codec, skip = _BYTE_ENCODINGS[source.encoding]
                return _pread(path, skip + utf8[0], utf8[1] - utf8[0], codec)
            if source.encoding in _SINGLE_BYTE:
                codec = "cp1252" if source.encoding == "windows-1252" else "latin-1"
                return _pread(path, chars[0], length, codec)
        text = self._whole(path, source.source)
        return None if text is None else text[chars[0] : chars[1]]

    def _whole(self, path: Path, source: str) -> str | None:
        try:
            info = os.stat(path)
        except OSError:
            return None
        key = (str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        document, _, _ = read_file(path, source, title=False)
        text = None if document is None else document.text
        with self._lock:
            self._cache[key] = text
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return text


def _pread(path: Path, offset: int, size: int, codec: str) -> str | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        data = os.pread(fd, size, offset)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) != size:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None
