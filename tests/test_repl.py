"""The REPL driven by scripted input, with the whole transcript asserted."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.render_text import passage_place, render_answer, render_sources
from bot.repl import HELP, LEAVE_HINT, PROMPT, Repl
from retrieval import Engine

BANNER = "citebot: 1 document(s), 10 paragraph(s). Ask a question, or :help."


def run(
    engine: Engine, lines: list[str], end: BaseException | None = None, **kwargs: object
) -> str:
    """Run a REPL on scripted input, echoing prompt and line as a terminal would; EOF (or
    ``end``) after the last line. Returns everything the user would have seen."""
    out = io.StringIO()
    feed: Iterator[str] = iter(lines)

    def read(prompt: str) -> str:
        line = next(feed, None)
        if line is None:
            raise end or EOFError()
        out.write(prompt + line + "\n")
        return line

    assert Repl(engine, read=read, out=out, **kwargs).run() == 0  # type: ignore[arg-type]
    return out.getvalue()


def test_a_whole_session(seed_engine: Engine) -> None:
    question = "What did the Denver City Council pass?"
    transcript = run(seed_engine, [question, ":why", ":sources", ":help", "", ":nope", ":quit"])
    answer = seed_engine.ask(question)
    expected = [
        BANNER,
        PROMPT + question,
        render_answer(answer),
        PROMPT + ":why",
    ]
    assert transcript.startswith("\n".join(expected) + "\n")
    why_and_rest = transcript[len("\n".join(expected)) + 1 :]
    why, rest = why_and_rest.split(PROMPT + ":sources\n", 1)
    assert why.startswith("Question terms (IDF; stemmed): denver=")
    place = passage_place(answer.hits[0].passage)
    assert place.startswith("000_4568191ad18858cd.txt:")  # file:line, as citations show it
    assert f"Paragraphs (BM25):\n  #1 {answer.hits[0].score:7.3f}  {place} [1]" in why
    assert rest == "\n".join(
        [
            render_sources(seed_engine.sources()),
            PROMPT + ":help",
            HELP,
            PROMPT,
            PROMPT + ":nope",
            "Unknown command :nope. Try :help.",
            PROMPT + ":quit",
            "Bye.",
            "",
        ]
    )
    assert "000_4568191ad18858cd.txt:5 › Denver" in render_answer(answer)
    assert "000_4568191ad18858cd.txt  (10 ¶)" in rest


def test_why_before_any_question(seed_engine: Engine) -> None:
    assert run(seed_engine, [":why"]) == "\n".join(
        [BANNER, PROMPT + ":why", "Nothing to explain yet: ask a question first.", "", "Bye.", ""]
    )


@pytest.mark.parametrize("end", [EOFError(), KeyboardInterrupt()])
def test_ctrl_d_and_ctrl_c_leave_cleanly(seed_engine: Engine, end: BaseException) -> None:
    assert run(seed_engine, ["Who is Jeffrey Lynch?"], end=end).endswith("\n\nBye.\n")


def test_one_ctrl_c_drops_the_line_and_keeps_the_conversation(seed_engine: Engine) -> None:
    """A half-typed line cancelled with Ctrl-C: a hint, a new prompt, and the next question is
    still a follow-up of the earlier one; only a second Ctrl-C in a row leaves."""
    out = io.StringIO()
    script: list[str | BaseException] = [
        "What will the mayor's executive order establish?",
        KeyboardInterrupt(),
        "Who will it protect?",
        KeyboardInterrupt(),
        KeyboardInterrupt(),
    ]

    def read(prompt: str) -> str:
        item = script.pop(0)
        if isinstance(item, BaseException):
            out.write(prompt + "^C")
            raise item
        out.write(prompt + item + "\n")
        return item

    assert Repl(seed_engine, read=read, out=out).run() == 0
    transcript = out.getvalue()
    assert '(follow-up to question 1: "What will the mayor' in transcript
    assert transcript.count(LEAVE_HINT) == 2
    assert transcript.endswith(f"{PROMPT}^C\n{LEAVE_HINT}\n{PROMPT}^C\nBye.\n")


def test_ctrl_c_while_answering_stops_that_answer_only(seed_engine: Engine) -> None:
    lines = iter(["Who is Jeffrey Lynch?", ":quit"])
    out = io.StringIO()
    repl = Repl(seed_engine, read=lambda prompt: next(lines), out=out)

    def interrupted(line: str) -> bool:
        if line.startswith("Who"):
            raise KeyboardInterrupt
        return Repl.handle(repl, line)

    repl.handle = interrupted  # type: ignore[method-assign]
    assert repl.run() == 0
    assert out.getvalue().endswith("\nStopped; nothing was answered. Ask again, or :quit.\nBye.\n")


def test_bad_questions_do_not_stop_the_repl(seed_engine: Engine) -> None:
    transcript = run(
        seed_engine, ["   ", "what is the", "🙂🙂🙂", "x" * 10_000, "Who is Jeffrey Lynch?"]
    )
    assert "That question has no words to search for" in transcript
    assert "That question is 10,000 characters long" in transcript
    assert transcript.count("ICE official Jeffrey Lynch said in a statement. [1]") == 1
    assert transcript.endswith("Bye.\n")


def test_colour_only_when_asked(seed_engine: Engine) -> None:
    plain = run(seed_engine, ["Who is Jeffrey Lynch?"])
    coloured = run(seed_engine, ["Who is Jeffrey Lynch?"], color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;33mLynch\x1b[0m" in coloured  # query terms highlighted


def test_history_is_kept_across_runs(seed_engine: Engine, tmp_path: Path) -> None:
    readline = pytest.importorskip("readline")
    history = tmp_path / "state" / "history"
    readline.clear_history()
    readline.add_history("Who is Jeffrey Lynch?")  # what input() records on a terminal
    run(seed_engine, [], history=history)
    assert "Who is Jeffrey Lynch?" in history.read_text()
    readline.clear_history()
    run(seed_engine, [], history=history)
    assert readline.get_history_item(readline.get_current_history_length()) == (
        "Who is Jeffrey Lynch?"
    )


def test_why_names_words_the_documents_lack(seed_engine: Engine) -> None:
    transcript = run(seed_engine, ["What is the population of Denver?", ":why"])
    assert "popul=absent" in transcript
    assert "abstained (low_confidence)" in transcript


def test_follow_ups_and_new_conversation(seed_engine: Engine) -> None:
    """The session is one conversation: a follow-up says which question it leaned on and cites
    that topic's paragraph; after :new the same words stand on their own."""
    transcript = run(
        seed_engine,
        [
            "What will the mayor's executive order establish?",
            "Who will it protect?",
            ":new",
            "Who will it protect?",
        ],
    )
    turns = transcript.split(PROMPT)
    follow_up, fresh, after_new = turns[2], turns[3], turns[4]
    assert follow_up.startswith(
        "Who will it protect?\n"
        '(follow-up to question 1: "What will the mayor\'s executive order establish?")\n'
    )
    assert "000_4568191ad18858cd.txt:13 ›" in follow_up
    assert fresh == ":new\nNew conversation: the next question stands on its own.\n"
    assert "follow-up" not in after_new and "000_4568191ad18858cd.txt:9 ›" in after_new


def test_a_topic_switch_in_the_repl_is_not_a_follow_up(seed_engine: Engine) -> None:
    transcript = run(
        seed_engine, ["Who is Jeffrey Lynch?", "What did the Denver City Council pass?"]
    )
    assert "follow-up" not in transcript
    assert transcript.count("000_4568191ad18858cd.txt:5 ›") == 1


def test_help_lists_new() -> None:
    assert ":new" in HELP


def test_every_line_fits_the_terminal(seed_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal every line the REPL writes, answers, :why, :sources, :help and its own
    messages alike, fits the width (display columns: a Chinese character takes two)."""
    import os
    import shutil

    from bot.display import width
    from bot.repl import fit

    monkeypatch.setattr(shutil, "get_terminal_size", lambda *_: os.terminal_size((61, 24)))
    lines = [
        "What did the Denver City Council pass?",
        ":why",
        ":sources",
        ":source 1",
        ":help",
        ":new",
        ":" + "unknown-command-" * 4,
        "clear:new",
        ":quit",
    ]
    transcript = run(seed_engine, lines, fit_terminal=True)
    shown = [line for line in transcript.splitlines() if not line.startswith(PROMPT)]
    assert len(shown) > 40
    assert [line for line in shown if width(line) > 60] == []
    wide = fit("  文件：" + "北京市的公园和博物馆" * 6, 40).splitlines()
    assert len(wide) > 2 and all(width(line) <= 40 for line in wide)
    assert wide[1].startswith("    ") and "".join(w.strip() for w in wide).startswith("文件：北京")


def test_ctrl_c_while_an_answer_is_shown_does_not_say_nothing_was_answered(
    seed_engine: Engine,
) -> None:
    """The answer was made and remembered (``:why`` explains it, a follow-up leans on it);
    only printing it was interrupted, so "nothing was answered" would be untrue."""

    class CutOut(io.StringIO):
        cut = False

        def write(self, text: str) -> int:
            if "[1]" in text and not self.cut:
                self.cut = True
                raise KeyboardInterrupt
            return super().write(text)

    out = CutOut()
    transcript = run_with(seed_engine, ["Who is Jeffrey Lynch?", ":why"], out)
    assert "nothing was answered" not in transcript
    assert "Stopped showing the answer" in transcript
    assert "Paragraphs (BM25):" in transcript  # :why explains the answer that was cut


def run_with(engine: Engine, lines: list[str], out: io.StringIO) -> str:
    feed = iter(lines)

    def read(prompt: str) -> str:
        line = next(feed, None)
        if line is None:
            raise EOFError
        out.write(prompt + line + "\n")
        return line

    assert Repl(engine, read=read, out=out).run() == 0
    return out.getvalue()


def test_why_tells_paragraphs_on_one_pdf_page_apart(seed_engine: Engine) -> None:
    """A page holds several paragraphs, so :why gives a PDF hit its page and its paragraph;
    files with lines give the line alone."""
    from dataclasses import replace

    from bot.render_text import render_why

    answer = seed_engine.ask("What did the Denver City Council pass?")
    on_page = [replace(h.passage, source="manual.pdf", line=0, page=3) for h in answer.hits]
    hits = tuple(replace(h, passage=p) for h, p in zip(answer.hits, on_page, strict=True))
    why = render_why(replace(answer, hits=hits), {t: 1.0 for t in answer.query_terms})
    for hit in hits:
        assert f"manual.pdf p.3 ¶{hit.passage.paragraph}" in why
    assert len({h.passage.paragraph for h in hits}) == len(hits) > 1
