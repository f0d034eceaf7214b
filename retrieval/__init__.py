"""citebot's retrieval library: files → passages → BM25 hits → a cited, verbatim answer.

Pure Python with no knowledge of Discord or of settings; front ends build an :class:`Engine`
and call :meth:`Engine.ask`.
"""

from .analysis.languages import LANGUAGES
from .answering.compose import MAX_SENTENCES, MIN_ANSWER_CHARS, ComposerOptions
from .answering.conversation import Conversation, Conversations, Turn, answer_in
from .answering.engine import MAX_QUESTION_CHARS, MAX_TOP_K, Engine, EngineOptions, SourceSummary
from .answering.links import passage_url, resolve_link
from .answering.opening import Opened, Opening, OpenReport, RebuildReason, open_engine
from .errors import (
    CitationMismatchError,
    CitebotError,
    CorpusError,
    CorpusNotFoundError,
    EmptyCorpusError,
    FileChangedError,
    IndexDamagedError,
    OptionError,
    QuestionError,
)
from .reading.files import LoadWarning, load_corpus
from .reading.select import FileSelection, LeftOut
from .types import (
    AbstainReason,
    Answer,
    Citation,
    Document,
    FollowUp,
    Hit,
    Passage,
    QuotedBlock,
    Sentence,
)

__all__ = [
    "LANGUAGES",
    "MAX_QUESTION_CHARS",
    "MAX_SENTENCES",
    "MAX_TOP_K",
    "MIN_ANSWER_CHARS",
    "AbstainReason",
    "Answer",
    "Citation",
    "CitationMismatchError",
    "CitebotError",
    "ComposerOptions",
    "Conversation",
    "Conversations",
    "CorpusError",
    "CorpusNotFoundError",
    "Document",
    "EmptyCorpusError",
    "Engine",
    "EngineOptions",
    "FileChangedError",
    "FileSelection",
    "FollowUp",
    "Hit",
    "IndexDamagedError",
    "LeftOut",
    "LoadWarning",
    "OpenReport",
    "Opened",
    "Opening",
    "OptionError",
    "Passage",
    "QuestionError",
    "QuotedBlock",
    "RebuildReason",
    "Sentence",
    "SourceSummary",
    "Turn",
    "answer_in",
    "load_corpus",
    "open_engine",
    "passage_url",
    "resolve_link",
]
