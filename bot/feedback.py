"""👍/👎 feedback on answers, kept durably in SQLite, and exported as ``citebot eval`` cases.

Why SQLite, and why these settings:

* ``journal_mode=WAL``: the bot writes while ``citebot feedback export`` reads, and neither
  blocks the other.
* ``synchronous=FULL``: a vote is acknowledged ("Thanks — noted.") only after its transaction
  commits, and with FULL a commit is on disk before ``commit`` returns, so a crash, a kill or a
  power cut after the acknowledgement loses nothing that was acknowledged.
* The schema is versioned with ``PRAGMA user_version``, so a later citebot can migrate it, and an
  older one refuses a newer file instead of misreading it; ``PRAGMA application_id`` marks the
  file as citebot's, and is read from the file's header bytes before anything else: another
  application's database is refused without a single write, pragma or -wal/-shm file.
* User ids are never stored: a vote carries HMAC-SHA256(salt, user id), with a random salt made
  once per database and kept in it. That is enough to keep one vote per person per answer (a
  second click replaces the first), and the hashes mean nothing outside this file. It is a
  pseudonym, not anonymity: whoever has the file can test a known user id against it.

Every answer the bot sends with vote buttons is recorded first (question, answer text, cited
paragraphs, corpus) under a short random id, so a button's custom_id needs to carry only that id
and keeps working after a restart. One connection is shared behind a lock: the bot calls the
store from worker threads (``asyncio.to_thread``), never from the event loop.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import stat
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from retrieval import Answer, CitebotError

SCHEMA_VERSION = 1
ANSWER_ID_PATTERN = r"[A-Za-z0-9_-]{12}"
"""What :meth:`FeedbackStore.record_answer` returns: 9 random bytes, URL-safe base64."""

# Run statement by statement inside the creating transaction (executescript would commit
# first), split at ";": no comment in it may hold one.
_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE answers (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,      -- ISO 8601, UTC
    corpus     TEXT NOT NULL,      -- the folder answered from, as an absolute path
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,      -- the quoted sentences with their [n], or "" when abstaining
    answered   INTEGER NOT NULL,   -- 1 answered, 0 abstained
    confidence REAL NOT NULL,
    cited      TEXT NOT NULL       -- JSON: [{"n", "id", "source", "paragraph"}], cited or related
);
CREATE TABLE votes (
    answer_id TEXT NOT NULL REFERENCES answers(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,       -- HMAC-SHA256(meta.salt, user id), hex
    vote      INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at  TEXT NOT NULL,       -- ISO 8601, UTC: the latest click
    PRIMARY KEY (answer_id, user_hash)
) WITHOUT ROWID;
CREATE INDEX votes_by_time ON votes (voted_at);
"""


class FeedbackError(CitebotError):
    """The feedback database cannot be used; the message names the file and what to do."""


APPLICATION_ID = 0x63697465
"""``PRAGMA application_id`` of citebot's feedback databases ("cite"): what tells one apart
from any other SQLite file before anything is written to it."""
_SQLITE_MAGIC = b"SQLite format 3\x00"
_FIRST_SCHEMA_TABLES = frozenset({"meta", "answers", "votes"})


def _not_ours(path: Path) -> FeedbackError:
    return FeedbackError(
        f"{path} is a SQLite database, but not citebot's feedback: point CITEBOT_FEEDBACK_DB "
        "at another file."
    )


def _check_ours(path: Path) -> None:
    """FeedbackError unless ``path`` is citebot's feedback database, decided from its header
    bytes (and, for a database of the first schema, its table names read with SQLite's
    ``immutable`` flag, which takes no lock and writes nothing) — never by writing to it."""
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError as error:
        raise FeedbackError(
            f"cannot read the feedback database {path}: {error.strerror or error}."
        ) from None
    if not header:
        raise FeedbackError(
            f"{path} is an empty file that citebot did not create: delete it, or point "
            "CITEBOT_FEEDBACK_DB at another file."
        )
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise FeedbackError(
            f"cannot use the feedback database {path}: it is not a SQLite database, or it is "
            "damaged."
        )
    user_version = int.from_bytes(header[60:64], "big")
    application_id = int.from_bytes(header[68:72], "big")
    if application_id == APPLICATION_ID:
        return
    if application_id != 0 or user_version != 1:
        raise _not_ours(path)
    try:  # the first schema had no application_id: recognise it by its tables
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
            names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error:
        raise _not_ours(path) from None
    if not names >= _FIRST_SCHEMA_TABLES:
        raise _not_ours(path)


def _create_database(path: Path) -> None:
    """Make a new feedback database at ``path``, whole: built under a temporary name beside it
    (readable by this user only: questions and pseudonyms are personal data; SQLite gives its
    -wal and -shm files the same permissions), then linked into place, so that no process ever
    sees it half made. Another process creating it at the same moment wins; that is fine."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FeedbackError(
            f"cannot create the folder for the feedback database {path}: {error.strerror or error}."
        ) from None
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        with contextlib.closing(sqlite3.connect(temporary, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta (key, value) VALUES ('salt', ?)", (os.urandom(32),))
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    except (OSError, sqlite3.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise FeedbackError(f"cannot create the feedback database {path}: {reason}.") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


class Vote(IntEnum):
    DOWN = -1
    UP = 1


@dataclass(frozen=True, slots=True)
class CitedParagraph:
    """A paragraph an answer cited (or, when it abstained, offered as maybe related)."""

    n: int
    passage_id: str
    source: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    id: str
    created_at: str
    corpus: str
    question: str
    answer: str
    answered: bool
    confidence: float
    cited: tuple[CitedParagraph, ...]


@dataclass(frozen=True, slots=True)
class VotedAnswer:
    """An answer with its votes: the latest vote of each person counts once."""

    record: AnswerRecord
    up: int
    down: int
    last_vote_at: str


@dataclass(frozen=True, slots=True)
class FeedbackStats:
    answers: int
    voted_answers: int
    up: int
    down: int
    voters: int
    answers_with_down: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _describe(error: sqlite3.Error) -> str:
    text = str(error)
    if "locked" in text or "busy" in text:
        return "it is locked by another process (is `citebot discord` busy writing?); try again"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return "it is not a SQLite database, or it is damaged"
    if "readonly" in text or "read-only" in text:
        return "it is read-only for this user"
    return text


class FeedbackStore:
    """The feedback database. Thread-safe: one connection, one lock; every write is one
    transaction committed with ``synchronous=FULL`` before the method returns."""

    def __init__(self, path: Path, *, create: bool = True, timeout: float = 2.0) -> None:
        """Open (and with ``create``, make) the database at ``path``.

        ``timeout`` bounds how long a write waits for another writer: the bot passes 2 s, so a
        button click is still answered within Discord's 3 s.

        A file that is not citebot's is never changed: its header is read as plain bytes (no
        SQLite connection, so no journal or -wal/-shm file) and must carry citebot's
        ``application_id`` before any pragma or write. A new database is made whole under a
        temporary name and linked into place, so an empty file at ``path`` was not made by
        citebot, and is refused rather than initialised.
        """
        self.path = Path(path)
        try:
            info: os.stat_result | None = self.path.stat()
        except (FileNotFoundError, NotADirectoryError):
            info = None
        except OSError as error:  # a folder on the way that cannot be searched
            raise FeedbackError(
                f"cannot reach the feedback database {self.path}: {error.strerror or error}."
            ) from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise FeedbackError(f"{self.path} is a folder; the feedback database is a file.")
        if info is None:
            if not create:
                raise FeedbackError(
                    f"no feedback database at {self.path} (CITEBOT_FEEDBACK_DB): nothing has "
                    "been recorded there yet."
                )
            _create_database(self.path)
        read_only = not create and not os.access(self.path, os.W_OK)
        _check_ours(self.path)
        mode = "ro" if read_only else "rw"
        uri = f"{self.path.resolve().as_uri()}?mode={mode}"
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(
                uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as error:
            raise FeedbackError(
                f"cannot open the feedback database {self.path}: {error}."
            ) from None
        try:
            if not read_only:
                self._configure()
            self._salt = self._migrate(read_only)
        except sqlite3.Error as error:
            self._db.close()
            raise FeedbackError(
                f"cannot use the feedback database {self.path}: {_describe(error)}."
            ) from None
        except FeedbackError:
            self._db.close()
            raise

    def _configure(self) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")

    def _migrate(self, read_only: bool) -> bytes:
        """Refuse a schema newer than this citebot's; mark a database of the first schema
        (from before ``application_id`` was set, checked to hold citebot's tables) as citebot's.

        The version is read without a write lock, so opening a database that is already set
        up (as ``citebot feedback export`` does) never waits for the bot's writes."""
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise FeedbackError(
                f"{self.path} was written by a newer citebot (schema {version}; this one "
                f"reads {SCHEMA_VERSION}): upgrade citebot."
            )
        (application_id,) = self._db.execute("PRAGMA application_id").fetchone()
        if application_id != APPLICATION_ID and not read_only:
            with self._transaction():
                self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        row = self._db.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
        if row is None or not isinstance(row[0], bytes):
            raise FeedbackError(f"{self.path} has no salt: it is damaged.")
        return row[0]

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT under the lock: the write lock is taken up front, so a busy
        database fails at once (after ``timeout``) instead of half-way through."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except BaseException:
                # A failed COMMIT (disk full, I/O error) may leave the transaction open; every
                # later BEGIN would then fail until a restart.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    def _guarded(self, what: str) -> _Guard:
        """Context turning SQLite errors into one FeedbackError naming the file."""
        return _Guard(self.path, what)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- writing ---

    def user_hash(self, user_id: int | str) -> str:
        """The pseudonym stored instead of a user id."""
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()

    def record_answer(
        self,
        *,
        question: str,
        answer: str,
        answered: bool,
        confidence: float,
        cited: Sequence[CitedParagraph],
        corpus: str,
    ) -> str:
        """Store an answer about to be sent; returns its new id (for the buttons' custom_id)."""
        cited_json = json.dumps(
            [
                {"n": c.n, "id": c.passage_id, "source": c.source, "paragraph": c.paragraph}
                for c in cited
            ],
            ensure_ascii=False,
        )
        with self._guarded("record an answer"):
            for _ in range(5):  # 72 random bits: a collision is practically impossible, but cheap
                answer_id = secrets.token_urlsafe(9)
                try:
                    with self._transaction():
                        self._db.execute(
                            "INSERT INTO answers (id, created_at, corpus, question, answer, "
                            "answered, confidence, cited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (
                                answer_id,
                                _now(),
                                corpus,
                                question,
                                answer,
                                int(answered),
                                confidence,
                                cited_json,
                            ),
                        )
                except sqlite3.IntegrityError:
                    continue
                return answer_id
        raise FeedbackError(f"could not find a free answer id in {self.path}.")

    def record(self, answer: Answer, corpus: str) -> str:
        """:meth:`record_answer` for an engine :class:`~retrieval.Answer`: the citations it
        quotes, or, when it abstained, the paragraphs it offered as maybe related."""
        shown = answer.citations if answer.answered else answer.related
        return self.record_answer(
            question=answer.question,
            answer=answer.text,
            answered=answer.answered,
            confidence=answer.confidence,
            cited=[
                CitedParagraph(c.n, c.passage.id, c.passage.source, c.passage.paragraph)
                for c in shown
            ],
            corpus=corpus,
        )

    def vote(self, answer_id: str, user_id: int | str, vote: Vote) -> bool:
        """Store ``user_id``'s vote on an answer (replacing their earlier one); False when the
        answer is unknown here (another database, or deleted). Committed when it returns."""
        with self._guarded("record a vote"), self._transaction():
            known = self._db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,))
            if known.fetchone() is None:
                return False
            self._db.execute(
                "INSERT INTO votes (answer_id, user_hash, vote, voted_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (answer_id, user_hash) "
                "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                (answer_id, self.user_hash(user_id), int(vote), _now()),
            )
        return True

    # --- reading ---

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._guarded("read"), self._lock:
            return self._db.execute(sql, params).fetchall()

    @staticmethod
    def _record(row: Sequence[Any]) -> AnswerRecord:
        cited = tuple(
            CitedParagraph(int(c["n"]), str(c["id"]), str(c["source"]), int(c["paragraph"]))
            for c in json.loads(row[7])
        )
        return AnswerRecord(
            str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), bool(row[5]),
            float(row[6]), cited,
        )  # fmt: skip

    def answer(self, answer_id: str) -> AnswerRecord | None:
        rows = self._query(
            "SELECT id, created_at, corpus, question, answer, answered, confidence, cited "
            "FROM answers WHERE id = ?",
            (answer_id,),
        )
        return self._record(rows[0]) if rows else None

    def votes(self, answer_id: str) -> dict[str, Vote]:
        """user hash → vote, for one answer."""
        rows = self._query("SELECT user_hash, vote FROM votes WHERE answer_id = ?", (answer_id,))
        return {str(h): Vote(int(v)) for h, v in rows}

    def voted_answers(self, corpus: str | None = None) -> list[VotedAnswer]:
        """Every answer with at least one vote, in the order they were answered."""
        rows = self._query(
            "SELECT a.id, a.created_at, a.corpus, a.question, a.answer, a.answered, "
            "a.confidence, a.cited, sum(v.vote = 1), sum(v.vote = -1), max(v.voted_at) "
            "FROM answers a JOIN votes v ON v.answer_id = a.id "
            "WHERE ?1 IS NULL OR a.corpus = ?1 "
            "GROUP BY a.id ORDER BY a.rowid",
            (corpus,),
        )
        return [VotedAnswer(self._record(r), int(r[8]), int(r[9]), str(r[10])) for r in rows]

    def stats(self) -> FeedbackStats:
        [(answers,)] = self._query("SELECT count(*) FROM answers")
        [(voted, up, down, voters)] = self._query(
            "SELECT count(DISTINCT answer_id), coalesce(sum(vote = 1), 0), "
            "coalesce(sum(vote = -1), 0), count(DISTINCT user_hash) FROM votes"
        )
        [(with_down,)] = self._query("SELECT count(DISTINCT answer_id) FROM votes WHERE vote = -1")
        return FeedbackStats(answers, voted, up, down, voters, with_down)

    def integrity_check(self) -> str:
        """SQLite's own verdict on the file: "ok" when it is sound."""
        return "; ".join(str(r[0]) for r in self._query("PRAGMA integrity_check"))


class _Guard:
    """See :meth:`FeedbackStore._guarded`."""

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if isinstance(error, sqlite3.Error):
            raise FeedbackError(
                f"cannot {self.what} in the feedback database {self.path}: {_describe(error)}."
            ) from None


# --- export ---------------------------------------------------------------------------------


def eval_case(voted: VotedAnswer) -> dict[str, Any] | None:
    """One ``citebot eval`` JSONL case from an answer's votes, or None when it says nothing
    testable.

    * 👎 on an answer: ``"answerable": null`` and ``"not_cited"`` = its cited paragraphs. A 👎
      says the answer was wrong, not whether the documents hold a right one, so the case passes
      when citebot abstains or cites other paragraphs, and fails if it cites any of those again.
    * 👎 on an abstention: ``"answerable": true``: the asker expected an answer.
    * 👍 on an answer: its first cited paragraph as the gold ``source``/``paragraph``.
    * 👍 on an abstention: ``"answerable": false``: abstaining was right.

    Mixed votes count as 👎 (someone was not helped). 👎 cases carry ``"review": true``: a
    person can add the right ``source``/``paragraph``/``answers`` and set ``answerable``. The
    ``"feedback"`` object is provenance for that person; ``citebot eval`` ignores it.
    """
    record = voted.record
    case: dict[str, Any] = {"question": record.question}
    if voted.down:
        if record.answered:
            case["answerable"] = None
            case["not_cited"] = [
                {"source": c.source, "paragraph": c.paragraph} for c in record.cited
            ]
        else:
            case["answerable"] = True
        case["review"] = True
    elif record.answered:
        if not record.cited:
            return None
        case["source"], case["paragraph"] = record.cited[0].source, record.cited[0].paragraph
    else:
        case["answerable"] = False
    case["id"] = f"feedback-{record.id}"
    case["feedback"] = {
        "up": voted.up,
        "down": voted.down,
        "answer": record.answer,
        "answered": record.answered,
        "cited": [f"{c.source} ¶{c.paragraph}" for c in record.cited],
        "corpus": record.corpus,
        "asked_at": record.created_at,
        "last_vote_at": voted.last_vote_at,
    }
    return case


def export_cases(
    store: FeedbackStore, *, include_up: bool = False, corpus: str | None = None
) -> list[dict[str, Any]]:
    """The 👎 cases (with ``include_up``, the 👍 ones too), one per distinct question and
    expectation: the same question answered the same way and voted on twice is one case, with
    the votes added up."""
    merged: dict[str, dict[str, Any]] = {}
    for voted in store.voted_answers(corpus):
        if not voted.down and not include_up:
            continue
        case = eval_case(voted)
        if case is None:
            continue
        expectation = {k: v for k, v in case.items() if k not in {"id", "feedback"}}
        key = json.dumps([expectation, case["feedback"]["corpus"]], sort_keys=True)
        if key in merged:
            seen = merged[key]["feedback"]
            seen["up"] += voted.up
            seen["down"] += voted.down
            seen["last_vote_at"] = max(seen["last_vote_at"], voted.last_vote_at)
            seen["answers"] = seen.get("answers", 1) + 1
        else:
            merged[key] = case
    return list(merged.values())
