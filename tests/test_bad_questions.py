"""The bad-question catalogue: every case gets a clear, polite reply, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import Engine, QuestionError
from retrieval.answering.engine import clean_question
from tests.test_cli import citebot

# (name, question, reply): reply is a part of the error message, or ANSWER / ABSTAIN.
ANSWER, ABSTAIN = "<answer>", "<abstain>"
CATALOGUE: list[tuple[str, str, str]] = [
    ("empty", "", "Please ask a question"),
    ("whitespace", " \t  ", "Please ask a question"),
    ("10,000 characters", "w" * 10_000, "10,000 characters long"),
    ("punctuation only", "?!?... --- ;;", "no words to search for"),
    ("emoji only", "🙂🤔🔥", "no words to search for"),
    ("only stopwords", "what is the", "no words to search for"),
    ("control characters only", "\x00\x01\x07\x1b", "Please ask a question"),
    ("NUL inside a real question", "Who is\x00 Jeffrey\x07 Lynch?", ANSWER),
    ("right-to-left text", "ما هي عاصمة أستراليا؟", ABSTAIN),
    ("mixed RTL and LTR", "Who is \u200fJeffrey Lynch\u200f?", ANSWER),
    ("markdown and a mention", "@here **Who** is `Jeffrey Lynch`?", ANSWER),
    # Mentions are words like any other ("everyone", "123"); none of these is in the seed.
    ("unknown words from mentions", "@everyone <@123> <@&456> Who is *the* 2019 winner?", ABSTAIN),
]


@pytest.mark.parametrize(("name", "question", "reply"), CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_engine_replies_politely(seed_engine: Engine, name: str, question: str, reply: str) -> None:
    if reply in (ANSWER, ABSTAIN):
        answer = seed_engine.ask(question)
        assert answer.question == clean_question(question)  # control characters are not echoed
        assert answer.question.isprintable()
        if reply == ANSWER:
            assert "ICE official Jeffrey Lynch" in answer.text
        else:
            assert not answer.answered
            if "Jeffrey" in question:
                assert answer.related[0].passage.paragraph == 9
        return
    with pytest.raises(QuestionError) as caught:
        seed_engine.ask(question)
    message = str(caught.value)
    assert reply in message
    assert message.endswith(".") and "\n" not in message and len(message) < 200


def test_batch_mode_answers_every_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    # One line each: questions that are themselves multi-line cannot be sent through stdin.
    lines = [q.replace("\n", " ") for _, q, _ in CATALOGUE]
    done = citebot("ask", "--json", "-", stdin="\n".join(lines) + "\n", cwd=tmp_path)
    assert done.returncode == 1  # some lines could not be searched
    assert "Traceback" not in done.stderr
    objects = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(objects) == len(CATALOGUE)
    for obj, (_, _, reply) in zip(objects, CATALOGUE, strict=True):
        if reply in (ANSWER, ABSTAIN):
            assert obj["error"] is None and obj["answered"] is (reply == ANSWER)
        else:
            assert reply in obj["error"] and obj["answered"] is False


def test_one_shot_bad_question_exits_1_with_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    done = citebot("ask", "what is the", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert "no words to search for" in done.stderr and "Traceback" not in done.stderr


def test_everyone_and_here_are_not_searched_for() -> None:
    """A channel-wide ping addresses people, not the documents: "@everyone who is the mayor?"
    is searched as "who is the mayor?", and a message that is only "@here" is empty."""
    assert clean_question("@everyone who is the mayor?") == "who is the mayor?"
    assert clean_question("mail me@here.org") == "mail me@here.org"
    with pytest.raises(QuestionError, match="empty"):
        clean_question("@here @EVERYONE")


def test_terminal_escape_sequences_are_not_searched_as_words(seed_engine: Engine) -> None:
    """An error pasted from a coloured terminal or a CI log keeps its escape sequences: only
    the ESC was dropped, so "ESC[31mJeffrey" was searched as the word "31mjeffrey" and the
    question abstained, saying the documents do not mention "31mJeffrey"."""
    pasted = "Who is \x1b[1;31mJeffrey\x1b[0m Lynch? \x1b]8;;https://x.org\x07link\x1b]8;;\x07"
    assert clean_question(pasted).split() == ["Who", "is", "Jeffrey", "Lynch?", "link"]
    answer = seed_engine.ask("Who is \x1b[31mJeffrey\x1b[0m Lynch?")
    assert answer.answered and "31m" not in answer.question
