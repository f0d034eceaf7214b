"""Errors raised by the retrieval library.

Every error a user can cause derives from :class:`CitebotError`, and its message is written to be
shown to that user as it is: front ends print ``str(error)`` and never a traceback.

    CitebotError
    ├── CorpusError             the documents cannot be used
    │   ├── CorpusNotFoundError     the folder does not exist or is not a folder
    │   └── EmptyCorpusError        no readable .txt/.md file, or no paragraph in them
    ├── QuestionError           the question cannot be searched (empty, too long, no words)
    ├── OptionError             an option passed to the library is out of range
    ├── IndexDamagedError       a saved index turned out damaged while answering
    ├── FileChangedError        a quoted file no longer holds the indexed text
    └── NoSpaceError            the disk for the build's temporary files is full

:class:`CitationMismatchError` is deliberately *not* a ``CitebotError``: it means citebot itself is
wrong (a quote that is not in its source), which is a bug to log, not a message for the user.
"""

from __future__ import annotations


class CitebotError(Exception):
    """Base of every error whose message is meant for the person using citebot."""


class CorpusError(CitebotError):
    """The corpus folder cannot be turned into an index."""


class CorpusNotFoundError(CorpusError):
    """The corpus path does not exist or is not a folder."""


class EmptyCorpusError(CorpusError):
    """The corpus folder holds nothing citebot can read."""


class QuestionError(CitebotError):
    """The question cannot be searched; the message says how to ask instead."""


class OptionError(CitebotError, ValueError):
    """An option given to the library is out of range; the message names it and its value."""


class IndexDamagedError(CitebotError):
    """A saved index fails a checksum or points outside its arrays: found while answering, not
    loading (checking every posting at load would read the whole index). Front ends rebuild
    the index from the files and answer again; it is never answered from."""


class FileChangedError(CitebotError):
    """A file to be quoted no longer holds the text the index has for it (edited in a way its
    size and times did not show, or deleted): the index is rebuilt before anything is quoted."""


class NoSpaceError(CitebotError):
    """The build ran out of disk space for its temporary files (a large corpus parks its columns
    and postings in the system's temporary folder while it builds): the message names the
    folder and what to do. Nothing is lost: the files are unnamed and gone with the build."""


class CitationMismatchError(AssertionError):
    """A composed quote does not match its source text: a bug in citebot, never the user's fault."""
