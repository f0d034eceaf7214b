"""The feedback store (durable, pseudonymous, one vote per person per answer), its export as
`citebot eval` cases, and `citebot feedback` on every kind of bad database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import cli
from bot.feedback import (
    SCHEMA_VERSION,
    CitedParagraph,
    FeedbackError,
    FeedbackStore,
    Vote,
    eval_case,
    export_cases,
)
from retrieval import Engine
from retrieval.evaluation import evaluate, load_jsonl
from tests.conftest import ROOT, SEEDS

SOURCE = "000_4568191ad18858cd.txt"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "feedback.sqlite3"


def _answer(
    store: FeedbackStore, question: str = "Who is the mayor?", answered: bool = True
) -> str:
    return store.record_answer(
        question=question,
        answer="Denver Mayor Michael Hancock was supportive. [1]" if answered else "",
        answered=answered,
        confidence=0.9 if answered else 0.1,
        cited=[CitedParagraph(1, "a" * 16, SOURCE, 4), CitedParagraph(2, "b" * 16, SOURCE, 6)],
        corpus=str(SEEDS),
    )


# --- the store ---------------------------------------------------------------------------------


def test_a_new_store_is_wal_full_sync_and_versioned(db: Path) -> None:
    with FeedbackStore(db) as store:
        assert db.is_file()  # the missing folder was created
        assert {oct(p.stat().st_mode & 0o777) for p in db.parent.iterdir()} == {"0o600"}
        [(mode,)] = store._query("PRAGMA journal_mode")
        [(sync,)] = store._query("PRAGMA synchronous")
        [(version,)] = store._query("PRAGMA user_version")
        assert (mode, sync, version) == ("wal", 2, SCHEMA_VERSION)  # 2 = FULL
        assert store.integrity_check() == "ok"


def test_a_vote_is_one_per_person_per_answer_and_the_latest_wins(db: Path) -> None:
    with FeedbackStore(db) as store:
        answer_id = _answer(store)
        assert store.vote(answer_id, 42, Vote.UP)
        assert store.vote(answer_id, 42, Vote.DOWN)
        assert store.vote(answer_id, 43, Vote.DOWN)
        assert store.votes(answer_id) == {
            store.user_hash(42): Vote.DOWN,
            store.user_hash(43): Vote.DOWN,
        }
        stats = store.stats()
        assert (stats.answers, stats.voted_answers, stats.up, stats.down, stats.voters) == (
            1, 1, 0, 2, 2,
        )  # fmt: skip


def test_an_unknown_answer_is_no_vote_and_no_error(db: Path) -> None:
    with FeedbackStore(db) as store:
        assert store.vote("AAAAAAAAAAAA", 42, Vote.DOWN) is False
        assert store.stats().voted_answers == 0


def test_user_ids_are_hashed_with_a_salt_of_each_database(tmp_path: Path) -> None:
    with FeedbackStore(tmp_path / "one.sqlite3") as one, FeedbackStore(tmp_path / "two") as two:
        assert one.user_hash(42) != two.user_hash(42)  # a hash means nothing in another file
        assert len(one.user_hash(42)) == 64
        answer_id = _answer(one)
        one.vote(answer_id, 987654321987654321, Vote.DOWN)
    with FeedbackStore(tmp_path / "one.sqlite3") as again:  # the salt is kept
        assert set(again.votes(answer_id)) == {again.user_hash(987654321987654321)}
    data = b"".join(p.read_bytes() for p in tmp_path.glob("one.sqlite3*"))
    assert b"987654321987654321" not in data


def test_answers_keep_question_citations_and_corpus(db: Path) -> None:
    engine = Engine.from_folder(SEEDS)
    answer = engine.ask("Who is Jeffrey Lynch?")
    with FeedbackStore(db) as store:
        record = store.answer(store.record(answer, str(SEEDS)))
    assert record is not None
    assert record.question == "Who is Jeffrey Lynch?" and record.answered
    assert record.answer == answer.text and record.corpus == str(SEEDS)
    assert [(c.n, c.source, c.paragraph) for c in record.cited] == [(1, SOURCE, 9)]
    assert len(record.id) == 12 and record.created_at.endswith("Z")


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda p: p.write_bytes(b"this is no database at all" * 100), "not a SQLite database"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE other (x)").connection.commit(),
            "not citebot's feedback",
        ),
        (
            lambda p: sqlite3.connect(p).executescript(
                "PRAGMA application_id = 1667855461; PRAGMA user_version = 99"
            ),
            r"newer citebot \(schema 99",
        ),
        (lambda p: p.mkdir(), "is a folder"),
    ],
    ids=["garbage", "another app's database", "newer schema", "a folder"],
)
def test_unusable_files_are_one_clear_error(tmp_path: Path, prepare: object, message: str) -> None:
    path = tmp_path / "feedback.sqlite3"
    prepare(path)  # type: ignore[operator]
    with pytest.raises(FeedbackError, match=message):
        FeedbackStore(path)
    assert main_err(["feedback", "stats", "--db", str(path)], code=2)


def test_a_locked_database_says_so(db: Path) -> None:
    FeedbackStore(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(FeedbackError, match="locked by another process"):
            FeedbackStore(db, create=False, timeout=0.05)
    finally:
        holder.close()


def test_votes_acknowledged_before_a_kill_are_all_there(db: Path) -> None:
    """A writer is SIGKILLed while voting as fast as it can; every vote it acknowledged (printed
    after the commit returned) is in the file, and the file passes SQLite's integrity check."""
    writer = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.feedback import CitedParagraph, FeedbackStore, Vote\n"
        "store = FeedbackStore(Path(sys.argv[1]))\n"
        "cited = [CitedParagraph(1, 'a' * 16, 'doc.md', 1)]\n"
        "answers = [store.record_answer(question=f'q{i}', answer='a [1]', answered=True,\n"
        "           confidence=1.0, cited=cited, corpus='c') for i in range(5)]\n"
        "print('ready', *answers, flush=True)\n"
        "n = 0\n"
        "while True:\n"
        "    vote = Vote.DOWN if n % 3 else Vote.UP\n"
        "    store.vote(answers[n % 5], n, vote)\n"
        "    print(n, answers[n % 5], int(vote), flush=True)\n"
        "    n += 1\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", writer, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    acknowledged: list[tuple[int, str, int]] = []
    try:
        assert process.stdout.readline().startswith("ready")
        deadline = time.monotonic() + 30
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            n, answer_id, vote = process.stdout.readline().split()
            acknowledged.append((int(n), answer_id, int(vote)))
    finally:
        process.send_signal(signal.SIGKILL)
        rest = process.stdout.read()  # acknowledged while we were killing it: they count too
        process.wait(10)
    for line in rest.splitlines():
        n, answer_id, vote = line.split()
        acknowledged.append((int(n), answer_id, int(vote)))
    assert process.returncode == -signal.SIGKILL and len(acknowledged) >= 300
    with FeedbackStore(db, create=False) as store:
        assert store.integrity_check() == "ok"
        votes = {a: store.votes(a) for a in {a for _, a, _ in acknowledged}}
        for n, answer_id, vote in acknowledged:
            assert votes[answer_id][store.user_hash(n)] == vote, n


# --- export ------------------------------------------------------------------------------------


def test_what_each_kind_of_vote_exports(db: Path) -> None:
    with FeedbackStore(db) as store:
        down_answer = _answer(store, "Who is the mayor?")
        down_abstention = _answer(store, "What is the population?", answered=False)
        up_answer = _answer(store, "Who is Hancock?")
        up_abstention = _answer(store, "Who won the cup?", answered=False)
        unvoted = _answer(store, "Not voted on")
        store.vote(down_answer, 1, Vote.DOWN)
        store.vote(down_answer, 2, Vote.UP)  # mixed: still a 👎 case
        store.vote(down_abstention, 1, Vote.DOWN)
        store.vote(up_answer, 1, Vote.UP)
        store.vote(up_abstention, 1, Vote.UP)
        downs = export_cases(store)
        everything = export_cases(store, include_up=True)
        assert export_cases(store, corpus="/elsewhere") == []
    assert [c["id"] for c in downs] == [f"feedback-{down_answer}", f"feedback-{down_abstention}"]
    first, second = downs
    assert first["answerable"] is None and first["review"] is True
    assert first["not_cited"] == [
        {"source": SOURCE, "paragraph": 4},
        {"source": SOURCE, "paragraph": 6},
    ]
    assert (first["feedback"]["up"], first["feedback"]["down"]) == (1, 1)
    assert second["answerable"] is True and "not_cited" not in second
    by_question = {c["question"]: c for c in everything}
    assert f"feedback-{unvoted}" not in {c["id"] for c in everything}
    assert (
        by_question["Who is Hancock?"]["source"],
        by_question["Who is Hancock?"]["paragraph"],
    ) == (
        SOURCE,
        4,
    )
    assert by_question["Who won the cup?"]["answerable"] is False
    assert "review" not in by_question["Who is Hancock?"]


def test_the_same_answer_voted_down_twice_is_one_case(db: Path) -> None:
    with FeedbackStore(db) as store:
        for user in (1, 2):
            store.vote(_answer(store, "Who is the mayor?"), user, Vote.DOWN)
        [case] = export_cases(store)
    assert case["feedback"]["down"] == 2 and case["feedback"]["answers"] == 2


def test_an_answer_without_citations_voted_up_says_nothing_testable(db: Path) -> None:
    with FeedbackStore(db) as store:
        answer_id = store.record_answer(
            question="q", answer="a", answered=True, confidence=1.0, cited=[], corpus="c"
        )
        store.vote(answer_id, 1, Vote.UP)
        [voted] = store.voted_answers()
    assert eval_case(voted) is None


# --- the command -------------------------------------------------------------------------------


def main_err(argv: list[str], code: int) -> str:
    """Run `citebot ARGV` in-process; assert the exit code and return stderr (one line)."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert cli.main(argv) == code
    text = err.getvalue()
    assert "Traceback" not in text
    if code == 2:
        assert len(text.strip().splitlines()) == 1, text
    return text


def test_export_then_eval_round_trip(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = Engine.from_folder(SEEDS)
    with FeedbackStore(db) as store:
        wrong = store.record(engine.ask("Who is the mayor of Denver?"), str(SEEDS))
        store.vote(wrong, 7, Vote.DOWN)
    out = tmp_path / "mine.jsonl"
    assert cli.main(["feedback", "export", "--db", str(db), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "wrote 1 case(s), 1 from 👎" in err and f"citebot eval {out} --corpus {SEEDS}" in err
    assert len(load_jsonl(out).cases) == 1
    assert cli.main(["eval", str(out), "--corpus", str(SEEDS), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["metrics"]["questions"] == 1 and report["metrics"]["not_judged"] == 1
    assert evaluate(engine, load_jsonl(out)).metrics["passed"] == 0  # same answer: still wrong

    assert cli.main(["feedback", "export", "--db", str(db)]) == 0  # to stdout
    assert json.loads(capsys.readouterr().out)["question"] == "Who is the mayor of Denver?"
    assert cli.main(["feedback", "stats", "--db", str(db)]) == 0
    stats = capsys.readouterr().out
    assert "answers recorded    1" in stats and "votes down          1" in stats


def test_nothing_to_export_writes_nothing(db: Path, tmp_path: Path) -> None:
    with FeedbackStore(db) as store:
        store.vote(_answer(store), 1, Vote.UP)
    out = tmp_path / "none.jsonl"
    err = main_err(["feedback", "export", "--db", str(db), "--out", str(out)], code=0)
    assert "no 👎 votes yet" in err and not out.exists()


def test_command_errors_are_one_line_and_exit_2(db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    assert "no feedback database at" in main_err(["feedback", "stats", "--db", str(missing)], 2)
    assert not missing.exists()  # looking never creates one
    FeedbackStore(db).close()
    bad_out = tmp_path / "no-such-folder" / "x.jsonl"
    argv = ["feedback", "export", "--db", str(db), "--out", str(bad_out)]
    with FeedbackStore(db) as store:
        store.vote(_answer(store), 1, Vote.DOWN)
    assert "is not a folder" in main_err(argv, 2)


def test_feedback_switched_off_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_FEEDBACK_DB", "")
    assert "switched off" in main_err(["feedback", "stats"], 2)


def test_a_failed_commit_does_not_wedge_the_store(db: Path) -> None:
    """A COMMIT that fails (disk full, I/O error) must not leave a transaction open, or every
    later vote would fail until a restart."""
    with FeedbackStore(db) as store:
        answer_id = _answer(store)
        real = store._db

        class FailingCommit:
            def __getattr__(self, name: str) -> object:
                return getattr(real, name)

            def execute(self, sql: str, *args: object) -> object:
                if sql == "COMMIT":
                    raise sqlite3.OperationalError("disk I/O error")
                return real.execute(sql, *args)

        store._db = FailingCommit()  # type: ignore[assignment]
        with pytest.raises(FeedbackError):
            store.vote(answer_id, 42, Vote.UP)
        store._db = real
        assert not real.in_transaction
        assert store.vote(answer_id, 42, Vote.DOWN)
