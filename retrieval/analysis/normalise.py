"""Language-aware normalisation of one word: the spellings a reader treats as the same word.

Applied to a word after casefolding (which already maps final sigma "ς" to "σ" and "ß" to
"ss") and before its stopword check; folding diacritics comes after stemming, since stemmers
read the accents ("nación" → "nacion" only once "-ción" is recognised).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_FOLDED_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u064b-\u065f\u0670\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u20d0-\u20ff\ufe20-\ufe2f]"
)
"""Diacritics of the Latin, Greek, Cyrillic, Hebrew and Arabic scripts. Other scripts' marks
(Devanagari or Thai vowel signs) are letters of the word and never removed."""

_STROKED = str.maketrans({"đ": "d", "ð": "d", "ħ": "h", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe"})
"""Letters that do not decompose but that readers type as their base letter."""

TATWEEL = "\u0640"
_ARABIC = str.maketrans(
    {
        "\u0622": "\u0627",  # آ → ا
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0671": "\u0627",  # ٱ → ا
        "\u0649": "\u064a",  # ى → ي (alef maqsura, often written for ya)
        "\u0629": "\u0647",  # ة → ه (ta marbuta, often written as ha)
        "\u06cc": "\u064a",  # Persian ی → ي
        "\u06a9": "\u0643",  # Persian ک → ك
    }
)

_DIGITS = str.maketrans(
    {
        chr(base + i): str(i)
        for base in (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0xFF10)
        for i in range(10)
    }
)
"""Arabic-Indic, Persian, Devanagari, Bengali, Thai and Lao digits as ASCII, so "٣٠٨" and
"308" are one number (NFKC already maps full-width digits)."""


_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


def _is_arabic(word: str) -> bool:
    return _ARABIC_LETTER.search(word) is not None


def script_letters(word: str) -> str:
    """Digits as ASCII; in Arabic script, tatweel and the short-vowel marks (harakat) removed:
    harmless in any language, so every analyzer applies it, before stemming."""
    if word.isascii():
        return word
    word = word.translate(_DIGITS)
    if _is_arabic(word):
        word = word.replace(TATWEEL, "")
        word = "".join(ch for ch in word if not ("\u064b" <= ch <= "\u065f" or ch == "\u0670"))
    return word


def arabic_letters(word: str) -> str:
    """Arabic letter variants unified: alef with hamza or madda as bare alef, alef maqsura as
    ya, ta marbuta as ha (after stemming: the Arabic stemmer reads ta marbuta as a suffix)."""
    return word.translate(_ARABIC) if not word.isascii() and _is_arabic(word) else word


@lru_cache(maxsize=262_144)
def fold(word: str, keep: str = "") -> str:
    """``word`` without the diacritics of letters not in ``keep``: "gospić" → "gospic",
    "παράδειγμα" → "παραδειγμα", "ёлка" → "елка", but with keep "åäö" "så" stays "så"."""
    if word.isascii():
        return word
    if not keep or not any(ch in keep for ch in word):  # the usual case: one pass
        bare = _FOLDED_MARKS.sub("", unicodedata.normalize("NFD", word)).translate(_STROKED)
        return unicodedata.normalize("NFC", bare)
    out = []
    for ch in word:
        if ch in keep:
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        out.append(_FOLDED_MARKS.sub("", decomposed).translate(_STROKED) if decomposed else ch)
    return unicodedata.normalize("NFC", "".join(out))
