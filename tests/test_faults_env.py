"""Fault injection around the index: killed builds, permissions, other applications' SQLite
files, awkward corpus folders and output that cannot be written. Each case asserts what the
user sees (one line, the documented exit code) and that nothing outside citebot's changed."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import io
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
from bot.feedback import FeedbackError, FeedbackStore
from retrieval import load_corpus, open_engine
from retrieval.index import persist
from retrieval.splitting.passages import MAX_PASSAGE_CHARS

from .conftest import SEEDS

ROOT = Path(__file__).parent.parent


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    env.update(PYTHONPATH=str(ROOT), XDG_STATE_HOME=str(tmp_path / "state"))
    return env


# -- 6. a killed build leaves no process and no temporary file behind -------------------------

BUILD = """
import os, sys, time
from retrieval.index import build, persist
build.PARALLEL_BYTES = 0
real_read = build.read_file
def slow_read(*args, **kwargs):
    time.sleep(0.2 if sys.argv[3] == "analysing" else 0.005)
    return real_read(*args, **kwargs)
build.read_file = slow_read
if sys.argv[3] == "slow-write":
    def slow_fsync(fd):
        print("writing", flush=True)
        time.sleep(60)
    persist.os.fsync = slow_fsync
print("started", flush=True)
from bot import cli
sys.exit(cli.main(["index", "--corpus", sys.argv[1], "--index-dir", sys.argv[2], "--rebuild"]))
"""


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is dead, only not yet reaped by init


@pytest.fixture
def big_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "big"
    folder.mkdir()
    for n in range(30):
        (folder / f"doc{n:02}.txt").write_text(
            f"Document {n} about ferries.\n\nThe ferry {n} leaves at dawn and returns at dusk.\n",
            encoding="utf-8",
        )
    return folder


KILLS = (
    (signal.SIGKILL, "analysing"),
    (signal.SIGTERM, "analysing"),
    (signal.SIGKILL, "slow-write"),
)


def _start_build(
    corpus: Path, index_dir: Path, when: str, env: dict[str, str]
) -> subprocess.Popen[str]:
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(corpus), str(index_dir), when],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    return build


def _workers_of(build: subprocess.Popen[str]) -> set[int]:
    assert build.stdout is not None and build.stdout.readline() == "started\n"
    workers: set[int] = set()
    deadline = time.monotonic() + 30
    while len(workers) < 2 and time.monotonic() < deadline:  # both workers at work
        workers |= _children(build.pid)
        time.sleep(0.02)
    assert workers, "the build never started its workers"
    return workers


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_build_leaves_no_worker_and_no_temporary_file(
    big_corpus: Path, tmp_path: Path
) -> None:
    """Finding 6: killing `citebot index` orphaned its workers (still there after 90 s), and a
    kill during the write left a temporary file that later builds kept. Three builds, killed
    at once: with SIGKILL and SIGTERM while the workers read, and with SIGKILL mid-write."""
    folders = [tmp_path / f"indexes{n}" for n in range(len(KILLS))]
    builds = [
        _start_build(big_corpus, folder, when, _env(tmp_path))
        for folder, (_, when) in zip(folders, KILLS, strict=True)
    ]
    workers: set[int] = set()
    for build, folder, (how, when) in zip(builds, folders, KILLS, strict=True):
        if when == "slow-write":  # its workers are done: the parent is writing the index
            assert build.stdout is not None and build.stdout.readline() == "started\n"
            assert build.stdout.readline() == "writing\n"
            assert list(folder.glob("*.tmp"))  # the kill comes mid-write
        else:
            workers |= _workers_of(build)
        build.send_signal(how)
    for build in builds:
        build.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if _running(w)], "workers outlived their parent by 5 s"
    persist.save(
        folders[-1] / "next.citebot-index",
        open_engine(big_corpus, save=False)[0].parts.contents({}),
    )
    assert not list(folders[-1].glob("*.tmp"))  # the next build removed the dead writer's


def test_a_live_writers_temporary_file_is_kept(tmp_path: Path) -> None:
    live = tmp_path / f"x.citebot-index.{os.getpid()}.0a0b0c0d.tmp"
    live.write_bytes(b"half an index")
    dead = tmp_path / "x.citebot-index.999999999.0a0b0c0d.tmp"
    dead.write_bytes(b"half an index")
    with live.open("rb") as writer:
        fcntl.flock(writer, fcntl.LOCK_EX)  # as persist.save holds it while writing
        assert persist.remove_abandoned(tmp_path) == [dead]
    assert live.exists() and not dead.exists()


# -- 7. polite permissions ----------------------------------------------------------------------

PERMISSIONS = """
import contextlib, io, json, sys
from bot import cli
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


def _without_root_powers() -> None:
    """For a test run as root: drop the capabilities that let root ignore file permissions
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from what the next program may have."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _run_unprivileged(tmp_path: Path, *commands: list[str]) -> list[tuple[int, str, str]]:
    done = subprocess.run(
        [sys.executable, "-c", PERMISSIONS, json.dumps(list(commands))],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        preexec_fn=_without_root_powers if os.geteuid() == 0 else None,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [tuple(r) for r in json.loads(done.stdout)]  # type: ignore[misc]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux permissions")
def test_permission_problems_are_one_line_or_a_documented_degradation(tmp_path: Path) -> None:
    """Finding 7: an index folder that cannot be searched, or a feedback database that cannot
    be opened, ended in exit 3."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "seed.txt").write_text(
        (SEEDS / "000_4568191ad18858cd.txt").read_text("utf-8"), "utf-8"
    )
    (corpus / "private").mkdir()
    (corpus / "private" / "hidden.txt").write_text("The vault code is 4242.\n", "utf-8")
    locked = tmp_path / "locked-corpus"
    locked.mkdir()
    (locked / "a.txt").write_text("Something.\n", "utf-8")
    index_dir, state = tmp_path / "indexes", tmp_path / "state"
    index_dir.mkdir()
    state.mkdir()
    feedback_dir = tmp_path / "feedback"
    feedback_dir.mkdir()
    unreadable_db = tmp_path / "unreadable.sqlite3"
    FeedbackStore(unreadable_db).close()
    question = "What did the Denver City Council pass?"
    for folder in (corpus / "private", locked, index_dir, state, feedback_dir):
        folder.chmod(0)
    unreadable_db.chmod(0)
    try:
        results = _run_unprivileged(
            tmp_path,
            ["ask", "--corpus", str(corpus), "--index-dir", str(index_dir), question],
            ["ask", "--corpus", str(locked), "--index-dir", str(tmp_path / "i2"), "Something?"],
            ["feedback", "stats", "--db", str(feedback_dir / "feedback.sqlite3")],
            ["feedback", "stats", "--db", str(unreadable_db)],
        )
    finally:
        for folder in (corpus / "private", locked, index_dir, state, feedback_dir):
            folder.chmod(0o755)
        unreadable_db.chmod(0o600)
    (code, out, err), locked_corpus, no_folder, no_file = results
    # The index folder cannot be searched: answered all the same, the index not saved.
    assert code == 0 and "unanimously passed" in out
    assert "citebot: warning: private/: folder skipped: cannot be read (Permission denied)." in err
    assert "citebot: warning: could not save the index" in err and "permission denied" in err
    assert len(err.splitlines()) == 2
    assert locked_corpus[0] == 2
    assert (
        locked_corpus[2]
        == f"citebot: The corpus folder {str(locked)!r} cannot be read (Permission denied).\n"
    )
    for code, _, err in (no_folder, no_file):
        assert code == 2 and len(err.splitlines()) == 1 and "feedback database" in err


# -- 8. another application's SQLite file is never altered -----------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize("writable", [True, False])
def test_another_applications_database_stays_byte_identical(
    tmp_path: Path, journal: str, writable: bool
) -> None:
    """Finding 8: `feedback stats` switched a foreign file to WAL mode before refusing it, and
    `citebot discord` left -wal/-shm beside a read-only foreign database."""
    folder = tmp_path / "theirs"
    folder.mkdir()
    path = folder / "app.db"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute(f"PRAGMA journal_mode={journal}")
        db.execute("PRAGMA user_version = 1")  # a plausible version: only the id tells
        db.execute("CREATE TABLE notes (text)")
        db.execute("INSERT INTO notes VALUES ('theirs')")
        db.commit()
    if not writable:
        path.chmod(0o444)
    before = _snapshot(folder)
    code, _, err = _cli("feedback", "stats", "--db", str(path))
    assert code == 2 and "not citebot's feedback" in err and len(err.splitlines()) == 1
    with pytest.raises(FeedbackError, match="not citebot's feedback"):
        FeedbackStore(path)  # as `citebot discord` opens it
    assert _snapshot(folder) == before  # the same bytes, and no -wal, -shm or -journal


def test_an_empty_file_is_not_initialised(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    code, _, err = _cli("feedback", "stats", "--db", str(path))
    assert code == 2 and "empty file that citebot did not create" in err
    with pytest.raises(FeedbackError, match="empty file"):
        FeedbackStore(path)
    assert path.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_a_database_of_the_first_schema_is_still_citebots(tmp_path: Path) -> None:
    """Databases written before application_id was set are recognised by their tables."""
    from bot import feedback

    path = tmp_path / "old.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        for statement in feedback._SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT INTO meta VALUES ('salt', ?)", (os.urandom(32),))
        db.execute("PRAGMA user_version = 1")
        db.commit()
    with FeedbackStore(path) as store:
        assert store.stats().answers == 0
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == feedback.APPLICATION_ID


# -- 10. corpus hygiene and output errors ---------------------------------------------------


def test_links_and_unreadable_folders_are_named_and_links_out_not_quoted(tmp_path: Path) -> None:
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (corpus / "ok.txt").write_text("The harbour opens at six.\n", "utf-8")
    (outside / "secret.txt").write_text("The secret password is swordfish.\n", "utf-8")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")
    (corpus / "linked").symlink_to(outside)
    (corpus / "inner.txt").symlink_to(corpus / "ok.txt")  # inside: fine
    loaded = load_corpus(corpus)
    warnings = {w.source: w.message for w in loaded.warnings}
    assert warnings["secret.txt"].startswith("skipped: a link to a file outside the corpus")
    assert warnings["linked/"] == "folder skipped: it is a symbolic link."
    assert [d.source for d in loaded.documents] == ["inner.txt", "ok.txt"]
    engine, _ = open_engine(corpus, index_dir=tmp_path / "i")
    assert "swordfish" not in engine.ask("What is the secret password?").text
    followed, _ = open_engine(corpus, index_dir=tmp_path / "i2", follow_links=True)
    assert "swordfish" in followed.ask("What is the secret password?").text


def test_file_names_that_differ_only_in_undecodable_bytes_stay_apart(tmp_path: Path) -> None:
    """Finding 10: two names differing only in undecodable bytes collided (exit 3); a name
    escaped like another file's real name must not collide either."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / os.fsdecode(b"caf\xe9.txt")).write_text("Iguanas bask on the cafe roof.\n")
    (corpus / os.fsdecode(b"caf\xe8.txt")).write_text("Zebras graze behind the cafe.\n")
    (corpus / "caf\\xe9.txt").write_text("Otters swim past the cafe.\n")
    engine, _ = open_engine(corpus, index_dir=tmp_path / "i")
    assert sorted(s.source for s in engine.sources()) == [
        "caf\\xe8.txt",
        "caf\\xe9.txt",
        "caf\\xe9~2.txt",
    ]
    for animal, source in (("Iguanas", "caf\\xe9~2.txt"), ("Otters", "caf\\xe9.txt")):
        answer = engine.ask(f"What do the {animal.lower()} do?")
        assert answer.sentences[0].text.startswith(animal)
        assert answer.citations[0].passage.source == source  # checked against that very file


def test_a_huge_single_line_file_becomes_bounded_paragraphs(tmp_path: Path) -> None:
    """Finding 10: a 40 MB single-line file cost 9.5 s and 895 MB per question."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "The pump station {} moves water uphill every night without fail. "
    line = "".join(sentence.format(n) for n in range(8_000))  # 530 kB, one line
    (corpus / "dump.txt").write_text(line + "\n", encoding="utf-8")
    engine, _ = open_engine(corpus, index_dir=tmp_path / "i")
    lengths = [p.end - p.start for p in engine.passages]
    assert max(lengths) <= MAX_PASSAGE_CHARS and len(lengths) > 100
    text = (corpus / "dump.txt").read_text(encoding="utf-8")
    assert all(text[p.start : p.end] == p.text for p in engine.passages)
    code, out, _ = _cli(
        "ask",
        "--json",
        "--corpus",
        str(corpus),
        "--index-dir",
        str(tmp_path / "i"),
        "What does pump station 3917 move?",
    )
    assert code == 0 and len(out) < 200_000 and "pump station 3917" in out


def test_output_to_a_full_disk_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    full = open("/dev/full", "w")  # noqa: SIM115
    monkeypatch.setattr(sys, "stdout", full)
    assert cli.main(["ask", "--index-dir", str(tmp_path), "Who is Jeffrey Lynch?"]) == 2
    assert (
        capsys.readouterr().err == "citebot: cannot write the output (No space left on device).\n"
    )


def test_closed_stdout_is_one_line_and_closed_stderr_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    assert cli.main(["ask", "--index-dir", str(tmp_path), "Who is Jeffrey Lynch?"]) == 2
    assert "standard output is closed" in capsys.readouterr().err
    monkeypatch.undo()
    monkeypatch.setattr(sys, "stderr", None)
    assert cli.main(["ask", "--index-dir", str(tmp_path), "Who is Jeffrey Lynch?"]) == 0
    assert "Jeffrey Lynch" in capsys.readouterr().out
    assert cli.main(["ask", "--index-dir", str(tmp_path), "the"]) == 1  # errors: nowhere, quietly
