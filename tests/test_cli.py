"""The citebot command as a user or a script runs it: in-process through ``cli.main`` with its
standard streams injected (quick), and a few cases end to end in a subprocess."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from retrieval.index import bm25
from tests.conftest import ROOT, SEEDS

SEED = "000_4568191ad18858cd.txt"
SEED_TEXT = (SEEDS / SEED).read_text(encoding="utf-8")


class Terminal(io.StringIO):
    """An output stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def citebot(
    *args: str,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: Path,
    out: io.StringIO | None = None,
) -> subprocess.CompletedProcess[str]:
    """``citebot ARGS`` in this process, as a subprocess would see it (its own environment and
    working folder, the streams captured); bytes on stdin are decoded as the real one would."""
    if isinstance(stdin, bytes):
        return end_to_end(*args, stdin=stdin, env=env, cwd=cwd)
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("CITEBOT_"):
                patch.delenv(name)
        patch.setenv("XDG_STATE_HOME", str(cwd / "state"))
        for name, value in (env or {}).items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        stdout, stderr = out or io.StringIO(), io.StringIO()
        code = cli.main(list(args), stdin=io.StringIO(stdin or ""), stdout=stdout, stderr=stderr)
    return subprocess.CompletedProcess(list(args), code, stdout.getvalue(), stderr.getvalue())


def end_to_end(
    *args: str, stdin: str | bytes | None = None, env: dict[str, str] | None = None, cwd: Path
) -> subprocess.CompletedProcess[str]:
    """``citebot ARGS`` in a subprocess: the real streams, encodings and exit."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    clean["XDG_STATE_HOME"] = str(cwd / "state")
    clean.update(env or {})
    data = stdin.encode() if isinstance(stdin, str) else stdin
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        input=data,
        capture_output=True,
        env=clean,
        cwd=cwd,
        timeout=60,
        check=False,
    )
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
    )


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory (no .env) from which the package is still importable."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    yield tmp_path


@pytest.mark.parametrize("run", [citebot, end_to_end], ids=["in-process", "subprocess"])
def test_ask_one_question(cwd: Path, run: Any) -> None:
    done = run("ask", "What did the Denver City Council pass?", cwd=cwd)
    assert done.returncode == 0, done.stderr
    first, *rest = done.stdout.splitlines()
    assert first.startswith(
        "The Denver City Council unanimously passed the Public Safety Enforcement Priorities Act"
    )
    assert first.split(". ")[0] + "." in SEED_TEXT
    assert " [1]" in first
    # file:line › nearest heading (here the title, cut to fit), then the paragraph's start
    assert rest[0].startswith(f"  [1] {SEED}:5 › Denver Defies Trump with New …  ")
    assert '"The Denver City Council unanimously passed' in rest[0]
    assert done.stderr == ""


def _check_contract(obj: dict[str, Any]) -> None:
    assert set(obj) >= {
        "question",
        "answered",
        "answer",
        "sentences",
        "citations",
        "related",
        "hits",
        "follow_up",
    }
    for item in (*obj["citations"], *obj["related"], *obj["hits"]):
        assert SEED_TEXT[item["start"] : item["end"]] == item["text"]
        assert isinstance(item["score"], float) and item["paragraph"] >= 1
        assert item["source"] == SEED
    numbers = {c["n"] for c in obj["citations"]}
    for sentence in obj["sentences"]:
        assert sentence["citation"] in numbers
        assert SEED_TEXT[sentence["start"] : sentence["end"]] == sentence["text"]
        assert f"{sentence['text']} [{sentence['citation']}]" in obj["answer"]
    assert [h["rank"] for h in obj["hits"]] == list(range(1, len(obj["hits"]) + 1))


def test_ask_json_contract(cwd: Path) -> None:
    done = citebot("ask", "--json", "Who is Jeffrey Lynch?", cwd=cwd)
    assert done.returncode == 0, done.stderr
    obj = json.loads(done.stdout)
    _check_contract(obj)
    assert obj["answered"] is True and obj["related"] == []
    assert "ICE official Jeffrey Lynch" in obj["answer"]
    assert obj["citations"][0]["paragraph"] == 9


def test_abstention_in_json(cwd: Path) -> None:
    done = citebot("ask", "--json", "What is the population of Denver?", cwd=cwd)
    assert done.returncode == 0
    obj = json.loads(done.stdout)
    _check_contract(obj)
    assert obj["answered"] is False and obj["answer"] == "" and obj["sentences"] == []
    assert obj["abstain_reason"] == "low_confidence"
    assert 1 <= len(obj["related"]) <= 3


def test_batch_jsonl_answers_every_line_in_order(cwd: Path) -> None:
    questions = ["Who is Jeffrey Lynch?", "", "what is the", "Who is the mayor of Denver?"]
    done = citebot("ask", "--json", "-", stdin="\n".join(questions) + "\n", cwd=cwd)
    assert done.returncode == 1  # two lines could not be searched
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["question"] for o in objects] == questions
    assert [o["answered"] for o in objects] == [True, False, False, True]
    assert objects[1]["error"] and objects[2]["error"]
    for obj in objects:
        _check_contract(obj)


def test_batch_lines_stand_alone_unless_they_are_a_conversation(cwd: Path) -> None:
    lines = (
        "Who is Jeffrey Lynch?\n\nWho does he work with?\nWhat did the Denver City Council pass?\n"
    )
    alone = [
        json.loads(x)
        for x in citebot("ask", "--json", "-", stdin=lines, cwd=cwd).stdout.splitlines()
    ]
    assert [o["follow_up"] for o in alone] == [None] * 4
    done = citebot("ask", "--json", "--conversation", "-", stdin=lines, cwd=cwd)
    first, blank, follow_up, switch = (json.loads(x) for x in done.stdout.splitlines())
    for obj in (first, follow_up, switch):
        _check_contract(obj)
    assert blank["error"] and blank["follow_up"] is None
    assert follow_up["follow_up"] == {
        "turn": 1,
        "question": "Who is Jeffrey Lynch?",
        "terms": ["jeffrey", "lynch"],
        "cited": [{"source": SEED, "paragraph": 9}],
    }
    assert follow_up["citations"][0]["paragraph"] == 9
    # What the conversation changed: alone, "he" has no antecedent (abstains, or cites another).
    assert not alone[2]["citations"] or alone[2]["citations"][0]["paragraph"] != 9
    assert switch["follow_up"] is None and switch["citations"][0]["paragraph"] == 3
    text = citebot("ask", "--conversation", "-", stdin=lines, cwd=cwd).stdout
    assert '(follow-up to question 1: "Who is Jeffrey Lynch?")' in text


def test_batch_text_mode(cwd: Path) -> None:
    done = citebot("ask", "-", stdin="Who is Jeffrey Lynch?\nWhat is the capital of Australia?\n",
                   cwd=cwd)  # fmt: skip
    assert done.returncode == 0
    assert "Q: Who is Jeffrey Lynch?" in done.stdout
    assert "Q: What is the capital of Australia?\nI couldn't find an answer" in done.stdout


def test_batch_survives_bytes_that_are_not_utf8(cwd: Path) -> None:
    done = citebot("ask", "--json", "-", stdin=b"Who is Jeffrey \xff Lynch?\n", cwd=cwd)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["answered"] is True


def test_own_corpus_and_top_k(cwd: Path, tmp_path: Path) -> None:
    handbook = tmp_path / "handbook"
    handbook.mkdir()
    (handbook / "leave.md").write_text(
        "# Leave\n\nTo request leave, open the HR portal and choose Request leave.\n\n"
        "Sick leave needs a doctor's note after three days.\n"
    )
    (handbook / "it.md").write_text("# IT\n\nPasswords are reset at the IT desk.\n")
    done = citebot("ask", "--json", "--corpus", str(handbook), "--top-k", "1",
                   "How do I request leave?", cwd=cwd)  # fmt: skip
    assert done.returncode == 0, done.stderr
    obj = json.loads(done.stdout)
    assert len(obj["hits"]) == 1
    assert obj["citations"][0]["source"] == "leave.md"
    assert obj["citations"][0]["paragraph"] == 2
    assert obj["answer"].startswith("To request leave, open the HR portal")


def test_corpus_from_environment(cwd: Path, tmp_path: Path) -> None:
    (cwd / "docs").mkdir()
    (cwd / "docs" / "a.txt").write_text("The launch window opens on Tuesday.")
    done = citebot("ask", "When does the launch window open?",
                   env={"CITEBOT_CORPUS": str(cwd / "docs")}, cwd=cwd)  # fmt: skip
    assert done.returncode == 0
    assert done.stdout.startswith("The launch window opens on Tuesday. [1]")


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["ask", "--corpus", "/no/such/folder", "x"], {}, "'/no/such/folder' does not exist"),
        (["ask", "x"], {"CITEBOT_TOP_K": "-3"}, "Invalid setting CITEBOT_TOP_K (got '-3')"),
        (["ask", "x"], {"CITEBOT_TOP_K": "abc"}, "Invalid setting CITEBOT_TOP_K (got 'abc')"),
        (["ask", "--top-k", "0", "x"], {}, "argument --top-k: must be from 1 to 100, not 0"),
        (["ask", "--top-k", "many", "x"], {}, "argument --top-k: must be a whole number"),
        (["ask", "x"], {"CITEBOT_CORPUS": ""}, "CITEBOT_CORPUS (got ''): must be the path of a"),
        (["frobnicate"], {}, "invalid choice"),
        ([], {}, "required"),
    ],
)
def test_usage_and_setting_errors_are_one_line_exit_2(
    cwd: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    done = citebot(*args, env=env, cwd=cwd)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_single_file_as_corpus_says_to_pass_its_folder(cwd: Path, tmp_path: Path) -> None:
    """``--corpus …/libtasn1.pdf`` (one manual is all a user may have) was "The corpus path
    '…/libtasn1.pdf' is not a folder.": true, but it did not say what to do instead."""
    manual = tmp_path / "manual" / "guide.md"
    manual.parent.mkdir()
    manual.write_text("# Guide\n\nRun it.\n")
    done = citebot("ask", "--corpus", str(manual), "anything", cwd=cwd)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (
        f"citebot: {str(manual)!r} is a file; citebot answers from a folder of documents: "
        f"pass its folder ({str(manual.parent)!r}), or put the file in a folder of its own."
    )


def test_empty_corpus_folder(cwd: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = citebot("ask", "--corpus", str(empty), "anything", cwd=cwd)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == f"citebot: The corpus folder {str(empty)!r} has no readable document "
        "(.htm, .html, .markdown, .md, .pdf, .rest, .rst, .txt, .xhtml)."
    )


def test_a_folder_of_unread_types_or_all_excluded_says_what_it_holds(
    cwd: Path, tmp_path: Path
) -> None:
    """A folder of gettext catalogues (python-docs-fr's .po files) was "no readable document",
    which reads as empty or unreadable; so was a folder whose every file CITEBOT_EXCLUDE left
    out."""
    po = tmp_path / "po"
    po.mkdir()
    (po / "tutorial.po").write_text('msgid "Using Python"\nmsgstr "Utiliser Python"\n')
    (po / "library.po").write_text('msgid "os"\nmsgstr "os"\n')
    done = citebot("ask", "--corpus", str(po), "anything", cwd=cwd)
    assert done.returncode == 2
    assert done.stderr.strip().endswith("; it holds 2 file(s) of types it does not read: .po (2).")
    (po / "notes.md").write_text("Some notes about Python.\n")
    done = citebot("ask", "--corpus", str(po), "anything", cwd=cwd, env={"CITEBOT_EXCLUDE": "*.md"})
    assert done.returncode == 2
    assert "1 file(s) left out by the include/exclude globs (notes.md: excluded by" in done.stderr


def test_skipped_files_are_warned_about_but_the_rest_answers(
    cwd: Path, awkward_corpus: Path
) -> None:
    done = citebot("ask", "--corpus", str(awkward_corpus), "How is leave requested?", cwd=cwd)
    assert done.returncode == 0
    assert "citebot: warning: e_binary.txt: skipped" in done.stderr
    assert "Leave is requested through the HR portal. [1]" in done.stdout


def test_index_reports_the_corpus(cwd: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "indexes"
    done = citebot("index", "--corpus", str(SEEDS), "--index-dir", str(index_dir), cwd=cwd)
    assert done.returncode == 0
    lines = {k: v.strip() for k, v in (line.split(":", 1) for line in done.stdout.splitlines())}
    assert lines["documents"] == "1"
    assert lines["paragraphs"] == "10"
    assert int(lines["vocabulary"].split()[0]) > 100
    assert lines["index"] == "built (no saved index)"
    (saved,) = index_dir.iterdir()
    assert lines["saved at"].startswith(str(saved))
    again = citebot("index", "--corpus", str(SEEDS), "--index-dir", str(index_dir), cwd=cwd)
    assert "index:       loaded\n" in again.stdout
    forced = citebot(
        "index", "--corpus", str(SEEDS), "--index-dir", str(index_dir), "--rebuild", cwd=cwd
    )
    assert "index:       rebuilt (asked for)\n" in forced.stdout


def test_a_changed_file_is_reindexed_before_it_is_quoted(cwd: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The gate code is 1234.\n", encoding="utf-8")
    first = citebot("ask", "--corpus", str(corpus), "What is the gate code?", cwd=cwd)
    assert "The gate code is 1234. [1]" in first.stdout
    (corpus / "a.txt").write_text("The gate code is 9876 since Monday.\n", encoding="utf-8")
    done = citebot("ask", "--corpus", str(corpus), "What is the gate code?", cwd=cwd)
    assert "The gate code is 9876 since Monday. [1]" in done.stdout
    assert "1234" not in done.stdout


def test_repl_over_a_pipe(cwd: Path) -> None:
    done = end_to_end("repl", stdin="Who is Jeffrey Lynch?\n:quit\n", cwd=cwd)
    assert done.returncode == 0
    assert done.stdout.startswith("citebot: 1 document(s), 10 paragraph(s).")
    assert "ICE official Jeffrey Lynch said in a statement. [1]" in done.stdout
    assert done.stdout.endswith("> Bye.\n")


def test_an_undecodable_env_file_is_one_line(cwd: Path) -> None:
    (cwd / ".env").write_bytes(b"CITEBOT_TOP_K=\xff\n")
    done = citebot("ask", "x", cwd=cwd)
    assert done.returncode == 2
    assert done.stderr.startswith(f"citebot: cannot read the .env file in {cwd}")
    assert len(done.stderr.splitlines()) == 1


def test_a_misspelt_setting_stops_the_command_with_a_suggestion(cwd: Path) -> None:
    done = citebot("ask", "Who is Jeffrey Lynch?", env={"CITEBOT_TOPK": "3"}, cwd=cwd)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "citebot: CITEBOT_TOPK is not a citebot setting (did you mean CITEBOT_TOP_K?).\n"
    )


def test_stray_bytes_in_the_repl_do_not_lose_the_session(cwd: Path) -> None:
    done = citebot(
        "repl", stdin=b"Who is Jeffrey Lynch?\n\xff Lynch\nWho is the mayor?\n", cwd=cwd,
        env={"PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("[1] 000_4568191ad18858cd.txt") == 3


def test_a_reader_that_leaves_early_gets_silence_and_exit_2(cwd: Path) -> None:
    """`citebot ask - | head -1`: like Unix tools, nothing on stderr; the exit code tells."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEBOT_")}
    env["XDG_STATE_HOME"] = str(cwd / "state")
    batch = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env,
    )  # fmt: skip
    assert batch.stdout is not None and batch.stdin is not None
    batch.stdin.write(b"Who is Jeffrey Lynch?\n" * 2000)  # fits the pipe: no deadlock
    batch.stdin.close()
    assert json.loads(batch.stdout.readline())["answered"] is True
    batch.stdout.close()  # like `| head -1`
    assert batch.wait(timeout=60) == 2
    assert batch.stderr is not None
    assert batch.stderr.read() == b""


def test_version(cwd: Path) -> None:
    from importlib.metadata import version

    done = end_to_end("--version", cwd=cwd)
    assert done.returncode == 0
    assert done.stdout == f"citebot {version('citebot')}\n"


@pytest.mark.parametrize("command", list(cli.COMMANDS))
def test_every_help_has_examples_and_only_options_that_apply(cwd: Path, command: str) -> None:
    done = citebot(command, "--help", cwd=cwd)
    assert done.returncode == 0 and done.stderr == ""
    examples = done.stdout.split("examples:\n", 1)[1]
    assert examples.startswith(f"  citebot {command}") or f"citebot {command}" in examples
    answers = command in {"ask", "repl", "eval", "discord"}
    assert ("--top-k" in done.stdout) is answers
    assert ("--min-confidence" in done.stdout) is answers


def test_top_level_help_lists_the_commands_without_importing_them(cwd: Path) -> None:
    script = (
        "import sys\nfrom bot import cli\ncode = cli.main(['--help'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'retrieval', 'pydantic', "
        "'numpy', 'config'} or m.startswith('bot.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=True
    )
    for command in cli.COMMANDS:
        assert f"    {command} " in done.stdout
    assert done.stdout.splitlines()[-1] == "['bot.cli', 'bot.context']"


def test_a_one_shot_question_imports_neither_discord_nor_eval_nor_feedback(cwd: Path) -> None:
    """Nor pydantic (its settings come from the snapshot the first run saved), asyncio, the
    document parsers, the index builder or the language identifier: a fresh saved index and
    unchanged settings need none of them."""
    script = (
        "import sys\nfrom bot import cli\n"
        "code = cli.main(['ask', 'What did the Denver City Council pass?'])\n"
        "print(code, sorted(sys.modules))"
    )
    for _ in range(2):  # the first saves the index and the settings' snapshot
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, cwd=cwd, check=True
        )
    code, modules = done.stdout.splitlines()[-1].split(" ", 1)
    assert code == "0"
    loaded = set(json.loads(modules.replace("'", '"')))
    assert "bot.commands" in loaded and "retrieval" in loaded  # it did answer
    unwanted = {"discord", "aiohttp", "bot.discord_app", "bot.eval_cmd", "bot.feedback_cmd"}
    unwanted |= {"bot.feedback", "retrieval.evaluation", "sqlite3", "multiprocessing"}
    unwanted |= {"markdown_it", "charset_normalizer", "docutils", "pypdf", "selectolax"}
    unwanted |= {"pydantic", "pydantic_settings", "pydantic_core", "dotenv", "config.loading"}
    unwanted |= {"config.settings", "asyncio", "importlib.metadata", "email", "wcwidth"}
    unwanted |= {"py3langid", "jieba", "pythainlp", "rank_bm25"}
    if bm25._topk is not None:  # the saved index is read as memoryviews (retrieval.index.arrays)
        unwanted |= {"numpy", "retrieval.index.build"}
    assert sorted(loaded & unwanted) == []


COLLECTOR_SCRIPT = """
import gc, json, sys
import bot.cli, bot.commands
states = []
build_parser, run = bot.cli.build_parser, bot.commands.run
def building(*args, **kwargs):
    states.append(["start-up", gc.isenabled()])
    return build_parser(*args, **kwargs)
def running(context):
    states.append(["command", gc.isenabled(), gc.get_freeze_count() > 0])
    return run(context)
bot.cli.build_parser, bot.commands.run = building, running
if sys.argv[1] == "process":
    sys.argv = ["citebot", "ask", "Who is the mayor?"]
    code = bot.cli.main()
else:
    code = bot.cli.main(["ask", "Who is the mayor?"])
print(json.dumps([code, states, gc.isenabled()]))
"""


@pytest.mark.parametrize("how", ["process", "in-process"])
def test_the_collector_is_paused_for_start_up_only(cwd: Path, how: str) -> None:
    """As the process, start-up runs with the cyclic collector off and the command with it on
    again, start-up's objects frozen; a caller's own process (a test) is left as it was."""
    done = subprocess.run(
        [sys.executable, "-c", COLLECTOR_SCRIPT, how],
        capture_output=True, text=True, cwd=cwd, check=True,
    )  # fmt: skip
    code, states, enabled = json.loads(done.stdout.splitlines()[-1])
    assert code == 0 and enabled is True
    if how == "process":
        assert states == [["start-up", False], ["command", True, True]]
    else:
        assert states == [["start-up", True], ["command", True, False]]


def test_min_confidence_flag(cwd: Path) -> None:
    question = "What did the mayor say about immigration?"

    def ask(*flags: str) -> dict[str, Any]:
        return dict(json.loads(citebot("ask", "--json", *flags, question, cwd=cwd).stdout))

    confidence = ask("--min-confidence", "0")["confidence"]
    assert 0.05 < confidence < 0.95  # a partial match: a threshold on either side decides
    above, below = f"{confidence + 0.02:.2f}", f"{confidence - 0.02:.2f}"
    strict = ask("--min-confidence", above)
    assert strict["answered"] is False and strict["abstain_reason"] == "low_confidence"
    assert ask("--min-confidence", below)["answered"] is True
    done = citebot("repl", "--min-confidence", above, stdin=question + "\n", cwd=cwd)
    assert "I couldn't find an answer" in done.stdout
    done = citebot("repl", "--min-confidence", below, stdin=question + "\n", cwd=cwd)
    assert "I couldn't find an answer" not in done.stdout


@pytest.mark.parametrize(
    ("env", "terminal", "colored"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"NO_COLOR": "1"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, False),
    ],
)
def test_no_color_and_force_color(
    cwd: Path, env: dict[str, str], terminal: bool, colored: bool
) -> None:
    out = Terminal() if terminal else io.StringIO()
    done = citebot("ask", "Who is Jeffrey Lynch?", env={"COLUMNS": "80", **env}, cwd=cwd, out=out)
    assert done.returncode == 0
    assert ("\x1b[" in done.stdout) is colored


def test_every_repl_line_fits_the_terminal(cwd: Path) -> None:
    question = "What did the Denver City Council pass about immigration status and police?"
    lines = f"{question}\n:why\n:sources\n:help\n:quit\n"
    done = citebot("repl", stdin=lines, env={"COLUMNS": "80", "NO_COLOR": "1"}, cwd=cwd,
                   out=Terminal())  # fmt: skip
    assert done.returncode == 0
    assert "Question terms (IDF; stemmed):" in done.stdout and "paragraph(s):" in done.stdout
    # Piped input is not echoed, so each reply follows its "> " prompt on the same line.
    shown = [line.removeprefix("> ") for line in done.stdout.splitlines()]
    too_long = [line for line in shown if len(line) > 79]
    assert too_long == []


def test_the_example_corpus_is_announced_when_the_bot_starts(cwd: Path) -> None:
    done = end_to_end("discord", cwd=cwd)
    assert done.returncode == 2
    warning, refusal = done.stderr.splitlines()
    assert warning.startswith(f"citebot: warning: answering from the example corpus ({SEEDS}")
    assert "CITEBOT_CORPUS=/path/to/docs" in warning and "citebot.toml" in warning
    assert refusal.startswith("citebot discord: no bot token")
    (cwd / "docs").mkdir()
    (cwd / "docs" / "a.md").write_text("Our own documents.\n")
    done = end_to_end("discord", "--corpus", str(cwd / "docs"), cwd=cwd)
    assert done.returncode == 2 and "example corpus" not in done.stderr


def test_without_any_corpus_the_command_asks_for_one(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config import paths as settings

    monkeypatch.setattr(settings, "DEFAULT_CORPUS", cwd / "not-installed" / "seeds")
    done = citebot("ask", "anything", cwd=cwd)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "citebot: which documents should citebot answer from? Pass --corpus FOLDER or set "
        "CITEBOT_CORPUS=FOLDER (in the environment or .env).\n"
    )
