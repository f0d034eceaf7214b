"""One :class:`Analyzer` per language: text → search terms, the same way for a corpus's
paragraphs and the questions asked of it.

A corpus is analysed by one analyzer, chosen once (``analyzer_for(code)``), and its
:attr:`Analyzer.identity` (language, stemmer, stopword list and segmenter versions) is saved with
the index, so an index built with another analysis is rebuilt rather than searched with
mismatched terms.

English is the original tokenizer (:mod:`retrieval.analysis.tokenizer`), byte for byte, for any
text without Chinese, Japanese or Thai in it. Every other language: NFKC + casefold (final sigma
becomes σ, ß becomes ss), Unicode word tokens that keep combining marks (Devanagari and Thai
vowel signs are letters), digits of any script as ASCII, Arabic letter variants and tatweel
unified, the language's stopwords dropped, its Snowball stemmer (PyStemmer) applied, then
diacritics folded except on letters the language treats as distinct (see
:mod:`retrieval.analysis.languages`). Runs of Chinese/Japanese characters become bigrams and Thai
runs words (:mod:`retrieval.analysis.segment`) in every analyzer, English included.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cache, lru_cache

import regex
import Stemmer

from ..versions import installed_version
from . import tokenizer
from .cues import cue_table
from .languages import LanguageSpec, spec_for
from .normalise import arabic_letters, fold, script_letters
from .segment import THAI_ENGINE, UNSPACED, units
from .stopwords import raw_stopwords, source_version

DEFAULT_LANGUAGE = "en"
SEGMENTER_VERSION = "bigram-1+thai+jieba"

# The English token pattern, in the `regex` module, whose \w also covers combining marks.
_TOKEN = regex.compile(r"\d+(?:[.,]\d+)+|(?:[^\W_]\.){2,}|[^\W_]+(?:['’][^\W_]+)*")


_THAI_AM_DECOMPOSED = "\u0e4d\u0e32"


def _normalize(text: str) -> str:
    """The tokenizer's NFKC + casefold, but Thai SARA AM ("ำ") kept whole: NFKC splits it into
    NIKHAHIT + SARA AA, a spelling no Thai dictionary (nor reader) uses ("แม่น้ำ" → "แม่", "น้ํา")."""
    normal = tokenizer.normalize(text)
    return normal.replace(_THAI_AM_DECOMPOSED, "\u0e33") if "\u0e4d" in normal else normal


def _version(package: str) -> str:
    return installed_version(package)


class Analyzer:
    """Text → terms for one language. Thread-safe (each thread gets its own stemmer) and
    cached per token, like the English tokenizer."""

    def __init__(self, spec: LanguageSpec) -> None:
        self.spec = spec
        self.language = spec.code
        self.english = spec.code == "en"
        self._local = threading.local()
        self._keep = spec.keep
        self._words = spec.segmentation == "cjk-words"
        stop: set[str] = set()
        for word in raw_stopwords(spec.code) if not self.english else ():
            if " " in word:
                continue
            normal = script_letters(_normalize(word))
            stop.add(normal)
            stop.add(arabic_letters(normal))
            if self._keep is not None:
                stop.add(fold(normal, self._keep))
        self.stopwords = frozenset(stop)
        self.cues = cue_table(spec.code)
        self.term = lru_cache(maxsize=262_144)(self._term)
        self.chunk_terms = lru_cache(maxsize=262_144)(self._chunk_terms)
        self.unit_terms = lru_cache(maxsize=16_384)(self._unit_terms)
        parts = [spec.code, f"stem={spec.stemmer}@PyStemmer-{_version('PyStemmer')}"]
        if not self.english:
            parts += [
                f"stop={source_version(spec.code)}",
                f"keep={spec.keep}",
                f"truncate={spec.truncate}",
            ]
        parts.append(
            f"seg={SEGMENTER_VERSION}@pythainlp-{_version('pythainlp')}-{THAI_ENGINE}"
            f"@jieba-{_version('jieba')}"
        )
        self.identity = ";".join(parts)
        """What decides this analyzer's terms; saved with an index built by it."""

    def __repr__(self) -> str:
        return f"Analyzer({self.language!r})"

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return analyzer_for, (self.language,)  # pickled by name: one instance per process

    # --- terms -----------------------------------------------------------------------------

    def _stem(self, word: str) -> str:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            stemmer = self._local.stemmer = Stemmer.Stemmer(self.spec.stemmer)
        stem: str = stemmer.stemWord(word)
        return stem

    def _term(self, token: str) -> str:
        """A normalized token's search term, "" for a stopword."""
        if self.english:
            term = tokenizer._term(token)
            return term if term.isascii() else fold(term)
        word = script_letters(tokenizer._word(token))
        if word in self.stopwords or arabic_letters(word) in self.stopwords:
            return ""
        keep = self._keep
        if keep is not None and not word.isascii() and fold(word, keep) in self.stopwords:
            return ""
        if "." in word or word.isdigit():
            return word
        if self.spec.stemmer is not None and not UNSPACED.search(word):
            word = self._stem(word)
            if word in self.stopwords:  # "каким" → "как", "nedir" → "ne"
                return ""
        word = arabic_letters(fold(word, keep) if keep is not None else word)
        if spec_truncate := self.spec.truncate:
            word = word[:spec_truncate] if not UNSPACED.search(word) else word
        return word

    def _chunk_terms(self, chunk: str) -> tuple[str, ...]:
        """The terms of one whitespace-free piece of text (see :func:`tokenizer.chunk_terms`):
        no term spans whitespace, so a text's terms are its chunks' terms end to end."""
        if self.english and chunk.isascii():
            return tokenizer.chunk_terms(chunk)
        terms = []
        for token in _TOKEN.findall(_normalize(chunk)):
            if UNSPACED.search(token):
                for start, end in units(token, self._words):
                    if term := self.term(token[start:end]):
                        terms.append(term)
            elif term := self.term(token):
                terms.append(term)
        return tuple(terms)

    def _unit_terms(self, token: str) -> tuple[tuple[int, int, str], ...]:
        """(start, end, term) of each search unit of a raw token in an unspaced script."""
        found = []
        for start, end in units(token, self._words):
            term = self.term(_normalize(token[start:end]))
            if term:
                found.append((start, end, term))
        return tuple(found)

    def plain_tokens(self, text: str) -> list[str] | None:
        """``text``'s normalized tokens in one regex pass, when that is exactly what analysing it
        chunk by chunk would see (English, ASCII text), else None. Each token's term is then
        ``self.term(token)`` ("" for a stopword): how the build tokenizes a million paragraphs
        without a call per whitespace chunk. For ASCII, NFKC is the identity, casefold is
        ``lower`` and "`" the only apostrophe to unify; no token spans white space, so one pass
        over the text finds its chunks' tokens end to end."""
        if not (self.english and text.isascii()):
            return None
        tokens: list[str] = tokenizer._TOKEN.findall(text.lower().replace("`", "'"))
        return tokens

    def terms(self, text: str) -> list[str]:
        """The search terms of ``text``: words, minus stopwords, stemmed. Order and repeats
        kept."""
        found: list[str] = []
        for chunk in text.split():
            found.extend(self.chunk_terms(chunk))
        return found

    def words(self, text: str) -> list[str]:
        """Normalized word tokens before stopwords and stemming."""
        if self.english and text.isascii():
            return tokenizer.words(text)
        found = []
        for token in _TOKEN.findall(_normalize(text)):
            if UNSPACED.search(token):
                found += [token[s:e] for s, e in units(token, self._words)]
            else:
                found.append(script_letters(tokenizer._word(token)))
        return found

    # --- where terms are in a text ---------------------------------------------------------

    def spans(self, text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
        """(start, end) in ``text`` of each word (or Chinese/Japanese character pair, merged
        where pairs overlap) whose analysed form is one of ``terms``."""
        wanted = set(terms)
        if not wanted:
            return []
        if self.english and text.isascii():
            return tokenizer.term_spans(text, wanted)
        spans: list[tuple[int, int]] = []
        for match in _TOKEN.finditer(text):
            token = match.group()
            if UNSPACED.search(token):
                for start, end, term in self.unit_terms(token):
                    if term in wanted:
                        s, e = match.start() + start, match.start() + end
                        if spans and s < spans[-1][1]:
                            spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
                        else:
                            spans.append((s, e))
                continue
            analysed = self.chunk_terms(token)
            if analysed and analysed[0] in wanted:
                end = match.end() - 1 if token.endswith(".") else match.end()
                spans.append((match.start(), end))
        return spans

    # --- what the question asks for --------------------------------------------------------

    def asks_count(self, question: str) -> bool:
        """Whether ``question`` asks "how many/much" (its cue is a number): a year does not
        answer it."""
        cue = self.cue(question)
        return cue is not None and cue.pattern == r"\d"

    def cue(self, question: str) -> regex.Pattern[str] | None:
        """What a sentence answering ``question`` looks like (a number for "wie viele"), or
        None. English's cues are the composer's own; this table is empty for English."""
        lowered = " ".join(question.casefold().split())
        for asks, looks_like in self.cues:
            if asks.search(lowered):
                return looks_like
        return None


@cache
def analyzer_for(language: str) -> Analyzer:
    """The analyzer of ``language`` (an ISO 639-1 code; one not in the table gets the generic
    rules), one instance per process."""
    code = language.strip().lower() or DEFAULT_LANGUAGE
    _created.append(code)
    return Analyzer(spec_for(code))


_created: list[str] = []


ENGLISH = analyzer_for(DEFAULT_LANGUAGE)


def clear_caches() -> None:
    """Forget every analysed word (benchmarks time indexing from cold caches, with models and
    dictionaries already loaded)."""
    from . import segment
    from .normalise import fold

    for analyzer in _instances():
        analyzer.term.cache_clear()
        analyzer.chunk_terms.cache_clear()
        analyzer.unit_terms.cache_clear()
    for cached in (tokenizer._term, tokenizer.chunk_terms, fold):
        cached.cache_clear()
    segment.thai_words.cache_clear()
    segment.chinese_words.cache_clear()


def _instances() -> list[Analyzer]:
    return [analyzer_for(code) for code in _created]
