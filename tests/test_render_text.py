"""Terminal rendering: nothing from a document or a file name can drive the terminal."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.render_text import render_answer, render_sources
from retrieval import Engine, FollowUp


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "evil\x1b[2J.txt").write_text("Owls hunt \x1b]0;owned\x07at night.\n")
    engine = Engine.from_folder(tmp_path)
    answer = engine.ask("When do owls hunt?")
    assert answer.answered
    assert "\x1b" in answer.sentences[0].text  # the quote itself stays exact …
    for shown in (render_answer(answer), render_sources(engine.sources())):
        assert "\x1b" not in shown and "\x07" not in shown  # … but is shown harmless
        assert "evil[2J.txt" in shown


def test_wrapping_to_a_terminal_width_never_cuts_words(seed_engine: Engine) -> None:
    answer = seed_engine.ask("What did the Denver City Council pass?")
    wrapped = render_answer(answer, width=80)
    assert all(len(line) <= 80 for line in wrapped.splitlines())
    body = " ".join(f"{s.text} [{s.citation}]" for s in answer.sentences)
    assert " ".join(wrapped.split()).startswith(" ".join(body.split()))


def test_colour_marks_terms_and_citations_after_wrapping(seed_engine: Engine) -> None:
    shown = render_answer(seed_engine.ask("Who is Jeffrey Lynch?"), color=True, width=50)
    assert "\x1b[1;33mJeffrey\x1b[0m" in shown and "\x1b[36m[1]\x1b[0m" in shown


def test_direction_overrides_are_dropped_from_the_terminal_too(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The quokka festival \u202e happens every March in Perth.")
    shown = render_answer(Engine.from_folder(tmp_path).ask("When is the quokka festival?"))
    assert "\u202e" not in shown
    assert shown.startswith("The quokka festival happens every March in Perth. [1]")


def test_a_follow_up_line_names_the_earlier_question(seed_engine: Engine) -> None:
    answer = replace(
        seed_engine.ask("Who is Jeffrey Lynch?"),
        follow_up=FollowUp(3, "Who is \x1b[2Jthe\u202e mayor?"),
    )
    first = render_answer(answer).splitlines()[0]
    assert first == '(follow-up to question 3: "Who is [2Jthe mayor?")'
    assert render_answer(replace(answer, follow_up=None)).splitlines()[0] != first


def test_a_snippet_without_spaces_is_cut_by_width_not_at_its_first_space() -> None:
    """FastAPI's Chinese docs: "出于方便，FastAPI 在 fastapi.middleware …" was all a 90-column
    snippet showed, because the cut fell back to the last space, however early."""
    from bot.render_text import snippet

    text = (
        "出于方便，FastAPI 在 fastapi.middleware 中为开发者提供了几个中间件。"
        "但是大多数可用的中间件都是直接来自 Starlette。"
    )
    shown = snippet(text, 90)
    assert shown.endswith(" …") and shown.startswith("出于方便")
    assert "开发者" in shown
    assert snippet("Upgrade an installed copy with widget self update at any time.", 30) == (
        "Upgrade an installed copy …"
    )


def test_a_citation_snippet_shows_a_links_words_not_its_url(tmp_path: Path) -> None:
    from bot.render_text import citation_line
    from retrieval.types import Citation, Passage

    text = (
        "Unlike [ESLint](https://eslint.org/docs/latest/use/configure/configuration-files"
        "#cascading-configuration-objects), Ruff does not merge settings across files."
    )
    line = citation_line(
        Citation(1, Passage("a" * 16, "configuration.md", 3, 0, 9, text), 1.0), (), False
    )
    assert '"Unlike ESLint, Ruff does not merge settings across files."' in line
