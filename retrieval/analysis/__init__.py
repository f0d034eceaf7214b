"""Analysis: text → searchable terms, the same way for paragraphs and questions, per language."""

from .analyzer import DEFAULT_LANGUAGE, ENGLISH, Analyzer, analyzer_for
from .identify import Identification, identify
from .languages import LANGUAGES, LanguageSpec
from .tokenizer import STOPWORDS, analyze, chunk_terms, normalize, term_spans, words

__all__ = [
    "DEFAULT_LANGUAGE",
    "ENGLISH",
    "LANGUAGES",
    "STOPWORDS",
    "Analyzer",
    "Identification",
    "LanguageSpec",
    "analyze",
    "analyzer_for",
    "chunk_terms",
    "identify",
    "normalize",
    "term_spans",
    "words",
]
