"""Which language a corpus is written in, from a sample of its text (``language="auto"``).

py3langid: langid.py's naive Bayes over byte n-grams (97 languages) with a modernised, faster
code base; its model ships inside the wheel (about 4 MB), so nothing is fetched, and it needs
only numpy, which citebot already has. lingua is more accurate on short texts but ships
hundreds of megabytes of models and is slower; fastText's identifier needs a separately
downloaded model. A corpus is thousands of words, where langid.py is as good as either: it
names all twelve XQuAD languages from 20,000 characters with probability ≥ 0.97.

Mixed corpora: the corpus is analysed as its dominant language, measured over a sample drawn
from every part of it; documents in other languages are still tokenized (every analyzer cuts
every script into words, Chinese and Thai included), just not stemmed as their own language.
Too little text, or a sample no language clearly wins, is analysed as English.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .languages import LANGUAGES

MIN_LETTERS = 200
"""Below this many letters in the sample, the language is not guessed: English."""
MIN_PROBABILITY = 0.8
"""py3langid's normalised probability a sample's language needs to be trusted."""
SAMPLE_CHARS = 2_000
"""Characters identified per piece of the sample (langid.py's accuracy levels off here)."""
SAMPLE_PIECES = 12
FALLBACK = "en"

_lock = threading.Lock()
_identifier: Any = None


@dataclass(frozen=True, slots=True)
class Identification:
    """Which language a corpus was found to be in, how surely, and why."""

    language: str
    """The language the corpus is analysed as."""
    share: float
    """Share of the sampled text identified as that language (0 when it fell back)."""
    reason: str
    """How it was decided, for ``citebot index``'s report."""
    others: tuple[tuple[str, float], ...] = ()
    """Other languages found in the sample, with their shares."""

    def describe(self) -> str:
        name = LANGUAGES[self.language].name if self.language in LANGUAGES else self.language
        text = f"{name} ({self.language}), {self.reason}"
        if self.others:
            text += "; also " + ", ".join(f"{code} {share:.0%}" for code, share in self.others)
        return text


def _classify(text: str) -> tuple[str, float]:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

            _identifier = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
        code, probability = _identifier.classify(text)
    return str(code), float(probability)


def identify(samples: Iterable[str]) -> Identification:
    """The dominant language of ``samples`` (pieces of text from across a corpus): each piece
    (its first :data:`SAMPLE_CHARS`) is identified on its own and votes with its letters."""
    votes: Counter[str] = Counter()
    letters_total = 0
    for sample in samples:
        piece = sample[:SAMPLE_CHARS]
        letters = sum(ch.isalpha() for ch in piece)
        if letters < 20:
            continue
        letters_total += letters
        code, probability = _classify(piece)
        if probability >= MIN_PROBABILITY:
            votes[code] += letters
    if letters_total < MIN_LETTERS:
        return Identification(FALLBACK, 0.0, "too little text to identify: English")
    if not votes:
        return Identification(FALLBACK, 0.0, "no language identified clearly: English")
    code, count = votes.most_common(1)[0]
    share = count / letters_total
    others = tuple(
        (other, n / letters_total)
        for other, n in votes.most_common()[1:4]
        if n / letters_total >= 0.05
    )
    if share < 0.5:
        return Identification(
            FALLBACK if code not in LANGUAGES else code,
            share,
            f"identified in {share:.0%} of the sampled text (the most of any language)",
            others,
        )
    return Identification(code, share, f"identified in {share:.0%} of the sampled text", others)


def sample_texts(texts: list[str], pieces: int = SAMPLE_PIECES) -> list[str]:
    """Up to ``pieces`` pieces spread over ``texts`` (documents in corpus order): the start of
    evenly spaced documents, so every part of a corpus has its say."""
    if not texts:
        return []
    step = max(1, len(texts) // pieces)
    chosen = texts[::step][:pieces]
    if len(chosen) < pieces and len(texts) == 1:  # one long document: several of its parts
        text = texts[0]
        stride = max(SAMPLE_CHARS, len(text) // pieces)
        chosen = [text[i : i + SAMPLE_CHARS] for i in range(0, len(text), stride)][:pieces]
    return chosen
