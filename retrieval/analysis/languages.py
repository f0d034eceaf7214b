"""What each language's analysis is made of: its Snowball stemmer, which accented letters it
keeps, how its words are cut, and the stopword list it uses.

One table, so adding a language is one line. Languages are named by ISO 639-1 code (what
py3langid and the stopwords-iso collection use). A language missing from the table is analysed
with the generic rules (casefold, diacritics folded, words cut as in any script, no stemming, no
stopwords): never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Segmentation = Literal["words", "cjk", "cjk-words", "thai"]
TRUNCATE = 6
"""Non-English terms are cut to their first six letters after stemming: Snowball's stemmers
leave many inflections apart ("warschaus"/"warschau", Turkish case endings), and truncation
joins them. Chosen on XQuAD's even-numbered articles (docs/quality.md): answered +0.03 to
+0.06 in de, ru, tr, el, R@1 within ±0.01 (German −0.01, Russian and Greek +0.02)."""


@dataclass(frozen=True, slots=True)
class LanguageSpec:
    """One supported language: its code, name and how its text is analysed."""

    code: str
    """ISO 639-1."""
    name: str
    stemmer: str | None
    """PyStemmer's (Snowball's) algorithm name; None: terms are not stemmed."""
    keep: str | None = ""
    """Letters whose diacritics are part of the letter, never folded (Swedish "å", Turkish
    "ş"); None: nothing is folded (Vietnamese, whose marks are tones). Every other accented
    letter is searched by its base letter, so "Gospic" finds "Gospić" and "cafe" "café"."""
    segmentation: Segmentation = "words"
    """How Chinese/Japanese runs are cut: "cjk" character bigrams (every analyzer's way, so a
    Chinese name in a German text is searchable), "cjk-words" jieba's words (Chinese). Thai runs
    are cut into words by every analyzer."""
    truncate: int | None = TRUNCATE
    """Terms are cut to this many characters after stemming (None: not cut)."""


LANGUAGES: dict[str, LanguageSpec] = {
    spec.code: spec
    for spec in (
        LanguageSpec("en", "English", "english", truncate=None),
        LanguageSpec("de", "German", "german"),  # the stemmer maps ä→a, ß→ss itself
        LanguageSpec("es", "Spanish", "spanish", keep="ñ"),
        LanguageSpec("fr", "French", "french"),
        LanguageSpec("it", "Italian", "italian"),
        LanguageSpec("pt", "Portuguese", "portuguese"),
        LanguageSpec("ca", "Catalan", "catalan"),
        LanguageSpec("ro", "Romanian", "romanian"),  # often written without ă â î ș ț
        LanguageSpec("nl", "Dutch", "dutch"),
        LanguageSpec("sv", "Swedish", "swedish", keep="åäö"),
        LanguageSpec("no", "Norwegian", "norwegian", keep="åæø"),
        LanguageSpec("nb", "Norwegian Bokmål", "norwegian", keep="åæø"),
        LanguageSpec("nn", "Norwegian Nynorsk", "norwegian", keep="åæø"),
        LanguageSpec("da", "Danish", "danish", keep="åæø"),
        LanguageSpec("fi", "Finnish", "finnish", keep="åäö"),
        LanguageSpec("et", "Estonian", "estonian", keep="äöõüšž"),
        LanguageSpec("hu", "Hungarian", "hungarian", keep="áéíóöőúüű"),
        LanguageSpec("tr", "Turkish", "turkish", keep="çğıöşü"),
        LanguageSpec("cs", "Czech", "czech", keep="áčďéěíňóřšťúůýž"),
        LanguageSpec("pl", "Polish", "polish", keep="ąćęłńóśźż"),
        LanguageSpec("lt", "Lithuanian", "lithuanian", keep="ąčęėįšųūž"),
        LanguageSpec("eu", "Basque", "basque", keep="ñ"),
        LanguageSpec("ga", "Irish", "irish"),
        LanguageSpec("id", "Indonesian", "indonesian"),
        LanguageSpec("eo", "Esperanto", "esperanto", keep="ĉĝĥĵŝŭ"),
        LanguageSpec("sr", "Serbian", "serbian", keep="čćđšž"),
        LanguageSpec("ru", "Russian", "russian", keep="й"),  # ё is searched as е
        LanguageSpec("uk", "Ukrainian", None, keep="йїі"),
        LanguageSpec("bg", "Bulgarian", None, keep="й"),
        LanguageSpec("el", "Greek", "greek"),  # accents and dialytika folded, as Greek search does
        LanguageSpec("ar", "Arabic", "arabic"),
        LanguageSpec("fa", "Persian", "persian"),
        LanguageSpec("hy", "Armenian", "armenian"),
        LanguageSpec("hi", "Hindi", "hindi", keep=None),  # vowel signs are letters
        LanguageSpec("ne", "Nepali", "nepali", keep=None),
        LanguageSpec("ta", "Tamil", "tamil", keep=None),
        LanguageSpec("yi", "Yiddish", "yiddish", keep=None),
        LanguageSpec("vi", "Vietnamese", None, keep=None),  # marks are tones: "ma" ≠ "mà"
        LanguageSpec("zh", "Chinese", None, segmentation="cjk-words"),
        LanguageSpec("ja", "Japanese", None, segmentation="cjk"),
        LanguageSpec("th", "Thai", None, keep=None, segmentation="thai"),
    )
}


def spec_for(code: str) -> LanguageSpec:
    """The language's analysis, or the generic one for a language not in the table."""
    spec = LANGUAGES.get(code)
    return spec if spec is not None else LanguageSpec(code, code, None)
