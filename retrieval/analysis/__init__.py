"""Analysis: text → searchable terms, the same way for paragraphs and questions."""

from .tokenizer import STOPWORDS, analyze, chunk_terms, normalize, term_spans, words

__all__ = [
    "STOPWORDS",
    "analyze",
    "chunk_terms",
    "normalize",
    "term_spans",
    "words",
]
