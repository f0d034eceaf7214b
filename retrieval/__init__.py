"""citebot's retrieval library: files → passages → BM25 hits → a cited, verbatim answer.

Pure Python with no knowledge of Discord or of settings; front ends build an :class:`Engine`
and call :meth:`Engine.ask`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import exports

if TYPE_CHECKING:
    from .analysis.languages import LANGUAGES
    from .answering.compose import MAX_SENTENCES, MIN_ANSWER_CHARS, ComposerOptions
    from .answering.conversation import Conversation, Conversations, Turn, answer_in
    from .answering.engine import (
        MAX_QUESTION_CHARS,
        MAX_TOP_K,
        Engine,
        EngineOptions,
        SourceSummary,
    )
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
    from .versions import installed_version

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
    "installed_version",
    "load_corpus",
    "open_engine",
    "passage_url",
    "resolve_link",
]

_WHERE = {
    "LANGUAGES": ".analysis.languages",
    "MAX_SENTENCES": ".answering.compose",
    "MIN_ANSWER_CHARS": ".answering.compose",
    "ComposerOptions": ".answering.compose",
    "Conversation": ".answering.conversation",
    "Conversations": ".answering.conversation",
    "Turn": ".answering.conversation",
    "answer_in": ".answering.conversation",
    "MAX_QUESTION_CHARS": ".answering.engine",
    "MAX_TOP_K": ".answering.engine",
    "Engine": ".answering.engine",
    "EngineOptions": ".answering.engine",
    "SourceSummary": ".answering.engine",
    "passage_url": ".answering.links",
    "resolve_link": ".answering.links",
    "Opened": ".answering.opening",
    "Opening": ".answering.opening",
    "OpenReport": ".answering.opening",
    "RebuildReason": ".answering.opening",
    "open_engine": ".answering.opening",
    "CitationMismatchError": ".errors",
    "CitebotError": ".errors",
    "CorpusError": ".errors",
    "CorpusNotFoundError": ".errors",
    "EmptyCorpusError": ".errors",
    "FileChangedError": ".errors",
    "IndexDamagedError": ".errors",
    "OptionError": ".errors",
    "QuestionError": ".errors",
    "LoadWarning": ".reading.files",
    "load_corpus": ".reading.files",
    "FileSelection": ".reading.select",
    "LeftOut": ".reading.select",
    "AbstainReason": ".types",
    "Answer": ".types",
    "Citation": ".types",
    "Document": ".types",
    "FollowUp": ".types",
    "Hit": ".types",
    "Passage": ".types",
    "QuotedBlock": ".types",
    "Sentence": ".types",
    "installed_version": ".versions",
}

if not TYPE_CHECKING:  # names are imported on first use; mypy reads the imports above
    __getattr__ = exports(__name__, _WHERE)
