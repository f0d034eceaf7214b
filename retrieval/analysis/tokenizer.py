"""The one tokenizer used for paragraphs and questions alike.

Using the same analysis on both sides is what makes a question's words meet a paragraph's:
NFKC + casefold (so "Ｆｕｌｌｗｉｄｔｈ" and "ß" match their plain forms), word tokens with numbers
kept, English stopwords dropped, Snowball stemming through PyStemmer (C, ~40× faster than the
pure-Python snowballstemmer). Non-Latin words pass through the English stemmer unchanged, so
accented, Cyrillic and Greek text stays searchable.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

import Stemmer

# NLTK's English stopword list (the de-facto standard for BM25 baselines), plus contractions'
# stems as the tokenizer produces them.
STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can couldn't could did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's
    her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't
    it it's its itself let's me more most mustn't my myself no nor not of off on once only or other
    ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so
    some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up very was wasn't we
    we'd we'll we're we've were weren't what what's when when's where where's which while who
    who's whom why why's will with won't would wouldn't you you'd you'll you're you've your yours
    yourself yourselves s t d ll m o re ve y
    """.split()
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
# Numbers with separators ("3.14", "1,204"), dotted acronyms ("u.s.", "e.g."), then words with
# inner apostrophes ("don't").
# Both apostrophes, so the same pattern finds words in raw text (for highlighting) and in
# normalized text (for search).
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|(?:[^\W_]\.){2,}|[^\W_]+(?:['’][^\W_]+)*")

# PyStemmer objects keep per-call buffers and are not thread-safe; the Discord bot answers from
# worker threads, so each thread gets its own stemmer.
_local = threading.local()


def normalize(text: str) -> str:
    """NFKC + casefold + one apostrophe, the form every token is cut from."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)


def _stem(word: str) -> str:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    stem: str = stemmer.stemWord(word)
    return stem


def _word(token: str) -> str:
    """ "1,204" → "1204" (separators do not matter), "u.s." → "u.s"."""
    return token.rstrip(".").replace(",", "")


def token_term(token: str, stem: Callable[[str], str] = _stem) -> str:
    """A normalized token's search term, "" for a stopword. Numbers and acronyms are not
    stemmed (the English stemmer would cut "u.s" to "u."). ``stem``: a stemmer's own
    ``stemWord``, for a caller that keeps one (the build: no thread-local look-up per word)."""
    word = _word(token)
    if word in STOPWORDS:
        return ""
    return word if "." in word or word.isdigit() else stem(word)


_term = lru_cache(maxsize=262_144)(token_term)
""":func:`token_term`, cached: text repeats its words, so a process stems each distinct word
once."""


def words(text: str) -> list[str]:
    """Normalized word tokens before stopwords and stemming."""
    return [_word(token) for token in _TOKEN.findall(normalize(text))]


def analyze(text: str) -> list[str]:
    """The search terms of ``text``: words, minus stopwords, stemmed. Order and repeats kept."""
    terms: list[str] = []
    for chunk in text.split():
        terms.extend(chunk_terms(chunk))
    return terms


@lru_cache(maxsize=262_144)
def chunk_terms(chunk: str) -> tuple[str, ...]:
    """The terms of one whitespace-free piece of text. No token spans whitespace, so analysing
    a text chunk by chunk gives the same terms as analysing it whole — and text repeats its
    chunks ("the", "function", "returns"), so most are analysed once per process."""
    return tuple(term for token in _TOKEN.findall(normalize(chunk)) if (term := _term(token)))


def term_spans(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of each word whose analysed form is one of ``terms``.

    Uses the same tokens and analysis as search, so "passed" matches a question's "pass",
    "U.S." matches "u.s", and a stopword never matches.
    """
    wanted = set(terms)
    if not wanted:
        return []
    spans = []
    for match in _TOKEN.finditer(text):
        analysed = analyze(match.group())
        if analysed and analysed[0] in wanted:
            end = match.end() - 1 if match.group().endswith(".") else match.end()
            spans.append((match.start(), end))
    return spans
