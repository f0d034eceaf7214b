"""Stopword lists per language, from maintained collections that ship their data offline.

English keeps the tokenizer's NLTK list (its benchmarks were set on it). Thai uses PyThaiNLP's
list (about 1,000 words, the collection PyThaiNLP's own tools use; stopwords-iso has 116 Thai
words and lacks the question words "ใคร", "เท่าไร"). Every other language uses the
stopwords-iso collection (the ``stopwordsiso`` package), plus the question words of
:mod:`retrieval.analysis.cues`: a question's "wann"/"сколько" is never in the paragraph that
answers it, and counting it as a missing word would make every such question look unanswered.
"""

from __future__ import annotations

from functools import cache

from ..versions import installed_version
from .cues import QUESTION_WORDS


@cache
def raw_stopwords(language: str) -> frozenset[str]:
    """The collection's words for ``language`` as written there (empty for none)."""
    if language == "th":
        from pythainlp.corpus import thai_stopwords

        words = set(thai_stopwords())
    else:
        import stopwordsiso

        words = set(stopwordsiso.stopwords(language)) if stopwordsiso.has_lang(language) else set()
    words.update(QUESTION_WORDS.get(language, ()))
    return frozenset(words)


def source_version(language: str) -> str:
    """Which collection and version the language's list comes from (part of the analyzer's
    identity: a new list changes the terms, so a saved index must be rebuilt)."""
    package = "pythainlp" if language == "th" else "stopwordsiso"
    return f"{package}-{installed_version(package)}"
