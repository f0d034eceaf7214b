"""The answer decision, spelling variants, answer types and the calibration report."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from bot.render_text import abstention_message, render_why
from bot.repl import Repl
from retrieval import AbstainReason, ComposerOptions, Engine, EngineOptions
from retrieval.answering import commonness
from retrieval.answering.commonness import COMMON_ZIPF, is_common, zipf
from retrieval.answering.conversation import command_typo, names_its_subject
from retrieval.answering.decision import (
    FEATURE_NAMES,
    HEADING_UNKNOWN,
    MODEL,
    calibrated_confidence,
)
from retrieval.answering.spelling import MIN_LETTERS, find_variants, one_edit
from retrieval.evaluation import CaseResult, EvalCase, reliability
from retrieval.types import Evidence

PLAIN = Evidence(
    paragraph_share=1.0,
    sentence_share=1.0,
    focus=1.0,
    rare_share=1.0,
    name_share=1.0,
    missing_share=0.0,
    margin=0.5,
    agreement=1.0,
    type_asked=0.0,
    type_found=0.0,
    terms=1.5,
)


def test_every_feature_has_a_weight_and_more_evidence_means_more_confidence() -> None:
    assert set(PLAIN.features()) == set(FEATURE_NAMES) == set(MODEL.weights)
    full = calibrated_confidence(PLAIN)
    assert 0.0 < full < 1.0
    # Weaker evidence, as it occurs together (a sentence never holds more than its paragraph;
    # the content shares move with the plain ones): never more confident.
    shares = ("paragraph_share", "sentence_share", "content_paragraph", "content_sentence")
    for weaker in (
        dict.fromkeys(shares, 0.3),
        {"sentence_share": 0.3, "content_sentence": 0.3},
        {"focus": 0.2},
    ):
        assert calibrated_confidence(replace(PLAIN, **weaker)) < full
    assert calibrated_confidence(replace(PLAIN, paragraph_share=0.0, sentence_share=0.0)) < 0.05


@pytest.fixture()
def typo_corpus(tmp_path: Path) -> Path:
    (tmp_path / "poverty.txt").write_text(
        "Poverty in Denver\n\nThe poverty rate in Denver was twelve percent in 2019.\n\n"
        "Housing costs rose faster than wages across the region.\n",
        encoding="utf-8",
    )
    return tmp_path


def test_a_misspelt_word_is_searched_as_its_one_edit_variant(typo_corpus: Path) -> None:
    engine = Engine.from_folder(typo_corpus)
    answer = engine.ask("What was the povertly rate in Denver?")
    assert answer.variants == (("povertly", "poverty"),)
    assert answer.answered and "poverty rate" in answer.sentences[0].text
    why = render_why(answer, {t: engine.index.idf(t) for t in answer.query_terms})
    assert "povertly → poverty" in why
    # Off, the word is simply absent: less of the question is found.
    off = Engine.from_folder(typo_corpus, EngineOptions(fuzzy_weight=0.0))
    plain = off.ask("What was the povertly rate in Denver?")
    assert plain.variants == () and plain.confidence < answer.confidence


def test_short_words_and_known_words_are_never_replaced(typo_corpus: Path) -> None:
    engine = Engine.from_folder(typo_corpus)
    idf = engine.index.idf
    assert find_variants("the rite", ["rite"], idf) == ()  # 4 letters: too many neighbours
    assert find_variants("poverty", ["poverti"], idf) == ()  # the corpus has it
    assert len("rate") < MIN_LETTERS
    assert "poverty" in set(one_edit("povertly"))


def test_an_abstention_says_which_words_the_closest_paragraph_lacks(seed_engine: Engine) -> None:
    answer = seed_engine.ask("How many people live in Denver?")
    assert answer.abstain_reason is AbstainReason.LOW_CONFIDENCE
    assert set(answer.missing) == {"people", "live"}
    message = abstention_message(answer)
    assert '"live"' in message and f"confidence {answer.confidence:.2f}" in message


def test_a_year_does_not_answer_how_many(tmp_path: Path) -> None:
    (tmp_path / "club.txt").write_text(
        "The club was founded in 1901 by the miners of the valley.\n\n"
        "The club has 340 members from the valley today.\n",
        encoding="utf-8",
    )
    composer = ComposerOptions(max_sentences=1, min_confidence=0.0)
    engine = Engine.from_folder(tmp_path, EngineOptions(composer=composer))
    answer = engine.ask("How many members does the club have?")
    assert "340" in answer.sentences[0].text


@pytest.mark.parametrize(
    ("question", "own"),
    [
        ("What is Depends?", True),
        ("How do I upload a file?", True),
        ("`uv sync`?", True),
        ("Which mayors?", False),
        ("What else?", False),
    ],
)
def test_a_question_names_its_own_subject(question: str, own: bool) -> None:
    assert names_its_subject(question) is own


@pytest.mark.parametrize(
    ("line", "meant"),
    [("clear:new", "new"), (";new", "new"), ("/new", "new"), ("new:", "new"), ("x:why", "why")],
)
def test_mistyped_commands_are_recognised(line: str, meant: str) -> None:
    assert command_typo(line) == meant


@pytest.mark.parametrize("line", ["What is new?", "new", "what is a:b?", "Who is Jeffrey Lynch?"])
def test_questions_are_not_command_typos(line: str) -> None:
    assert command_typo(line) is None


def test_the_repl_does_not_answer_a_mistyped_command(seed_engine: Engine) -> None:
    out = io.StringIO()
    lines = iter(["Who is Jeffrey Lynch?", "clear:new"])

    def read(prompt: str) -> str:
        line = next(lines, None)
        if line is None:
            raise EOFError
        return line

    Repl(seed_engine, read=read, out=out).run()
    transcript = out.getvalue()
    assert "That looks like the command :new (nothing was asked). Type :new." in transcript
    assert transcript.count("[1]") >= 1  # the first question was answered, the typo not


def _result(confidence: float, answerable: bool | None, passed: bool) -> CaseResult:
    return CaseResult(
        case=EvalCase("q", answerable=answerable),
        answered=True,
        sentences=("s",),
        cited=(),
        confidence=confidence,
        abstain_reason=None,
        ranked=(),
        gold_rank=None,
        top_contains=None,
        answer_contains=None,
        seconds=0.0,
        passed=passed,
    )


def test_reliability_table_and_expected_calibration_error() -> None:
    results = [
        _result(0.95, True, True),
        _result(0.95, True, True),
        _result(0.92, True, False),
        _result(0.15, False, False),  # an answer to an unanswerable question is wrong
        _result(0.15, True, True),
        _result(0.5, None, True),  # not judged: left out
    ]
    table = reliability(results)
    assert table is not None and table.judged == 5
    assert [(b.low, b.count) for b in table.bins] == [(0.1, 2), (0.9, 3)]
    high = table.bins[1]
    assert high.right == pytest.approx(2 / 3)
    expected = 2 / 5 * abs(0.15 - 0.5) + 3 / 5 * abs((0.95 + 0.95 + 0.92) / 3 - 2 / 3)
    assert table.ece == pytest.approx(expected)
    assert reliability([]) is None


def test_a_long_question_with_a_pasted_error_finds_the_paragraph_quoting_it(
    tmp_path: Path,
) -> None:
    (tmp_path / "environments.md").write_text(
        "# Environments\n\n"
        "## Using the system Python\n\n"
        "When `uv pip install` reports error: No virtual environment found, pass --system to "
        "install into the system interpreter instead.\n\n"
        "## Creating a virtual environment\n\n"
        "Run uv venv to create a virtual environment in the project folder.\n",
        encoding="utf-8",
    )
    question = (
        "in my devcontainer the whole OS is the environment and I really don't want a .venv "
        "folder lying around. `uv pip install` says error: No virtual environment found, "
        "what am I supposed to do?"
    )
    always = ComposerOptions(min_confidence=0.0)
    long_answer = Engine.from_folder(tmp_path, EngineOptions(composer=always)).ask(question)
    assert "--system" in long_answer.sentences[0].text  # the paragraph quoting the message
    # Measured against every word, the many words of context cost more confidence.
    all_words = EngineOptions(composer=replace(always, share_terms=0))
    assert Engine.from_folder(tmp_path, all_words).ask(question).confidence < long_answer.confidence


def test_everyday_words_are_common_and_product_names_are_not() -> None:
    assert is_common("straight") is True
    assert is_common("behind") is True
    assert is_common("pycharm") is False
    assert is_common("heroku") is False
    assert zipf("straight", "xx") is None  # no list for the language: nothing is known


WORDS = ["the", "straight", "behind", "heroku", "pycharm", "mitosis", "", "a\nb", "zzqqxx"]


def test_the_kept_word_list_gives_the_values_of_the_list_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later process reads the list's table from the cache (msgpack not needed); the values
    are the list's own, word for word; a kept table that does not match is read afresh."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = commonness._data_file("en")
    assert path is not None
    fresh = commonness._load(path)
    assert fresh is not None
    expected = [fresh.get(w, 0.0) for w in WORDS]
    assert expected[:3] == [zipf(w) for w in WORDS[:3]] and expected[1] >= COMMON_ZIPF

    def values() -> list[float | None]:
        commonness._tables.clear()
        return [zipf(w) for w in WORDS]

    monkeypatch.setattr(commonness, "_tables", {})
    assert values() == expected  # read from the list, and kept
    kept = tmp_path / "citebot" / "wordfreq" / "small_en.txt"
    assert kept.is_file()
    with monkeypatch.context() as patch:
        patch.setattr(commonness, "_load", lambda path: pytest.fail("read the list again"))
        assert values() == expected  # read from the kept table
    text = kept.read_bytes()
    for damaged in (
        b"not json\n" + text,
        text.replace(b'"size": ', b'"size": 1', 1),  # another list's table
        text[: len(text) // 2],  # cut short
        text.replace(b"\nthe\n", b"\nteh\n", 1),
    ):
        kept.write_bytes(damaged)
        assert values() == expected
        assert kept.read_bytes() == text  # read afresh and kept again


def test_a_long_running_process_looks_words_up_in_a_dict_with_the_same_values() -> None:
    """After its first lookups the table makes a dict: every word of the list, including one
    listed in two buckets, keeps the value the search of the string gives."""
    path = commonness._data_file("en")
    assert path is not None
    searched, indexed = commonness._load(path), commonness._load(path)
    assert searched is not None and indexed is not None
    text = searched.parts()[0]
    sample = text.strip("\n").split("\n")[::97] + WORDS
    by_search = [searched.get(w, -1.0) for w in sample[: commonness._SEARCHES_BEFORE_INDEX]]
    for _ in range(commonness._SEARCHES_BEFORE_INDEX + 1):
        indexed.get("the", -1.0)
    assert indexed.__dict__.get("_index") is not None  # the dict was made
    assert [indexed.get(w, -1.0) for w in sample[: len(by_search)]] == by_search
    words = indexed.__dict__["_index"]
    listed = text.strip("\n").split("\n")
    assert len(words) == len(set(listed))
    counts = Counter(listed)
    twice = [w for w, n in counts.items() if n > 1][:20]
    fresh = commonness._load(path)
    assert fresh is not None
    assert [words[w] for w in twice] == [fresh.get(w, -1.0) for w in twice]


@pytest.fixture()
def env_corpus(tmp_path: Path) -> Path:
    (tmp_path / "env.md").write_text(
        "# Environment files\n\nThe command reads a .env file in the project folder, so the "
        "app name need not be typed every time.\n\n# Deploying\n\nThe server runs behind a "
        "proxy that terminates the connection.\n",
        encoding="utf-8",
    )
    return tmp_path


def test_content_shares_leave_out_absent_everyday_words_but_not_absent_names(
    env_corpus: Path,
) -> None:
    engine = Engine.from_folder(env_corpus)

    def content(question: str) -> float:
        evidence = engine.ask(question).evidence
        assert evidence is not None
        return evidence.content_paragraph

    plain = content("can the command read a .env file?")
    # "sick" is in no paragraph but is everyday English: it does not count against the share.
    assert content("sick of it, can the command read a .env file?") == pytest.approx(plain)
    # "pycharm" is in no paragraph and is a name: it does.
    assert content("can the command read a .env file inside pycharm?") < plain - 0.1


def test_a_question_naming_the_section_it_is_answered_from_has_heading_evidence(
    tmp_path: Path,
) -> None:
    (tmp_path / "shop.md").write_text(
        "# Shop\n\n## Refund policy\n\nCustomers get thirty days to send goods back.\n\n"
        "## Shipping\n\nParcels leave the warehouse within two days; refund requests go to "
        "the front desk.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(tmp_path)

    def evidence(question: str) -> Evidence:
        found = engine.ask(question).evidence
        assert found is not None
        return found

    named = evidence("What is the refund policy?")
    assert named.heading > 0.5  # both words are the section's heading
    passing = evidence("How fast do parcels leave the warehouse?")
    assert passing.heading == 0.0  # answered from the text alone, under "Shipping"
    # The share weighs in the decision: the same evidence without it is less confident.
    assert calibrated_confidence(replace(named, heading=0.0)) < calibrated_confidence(named)


def test_a_paragraph_under_no_heading_is_not_taken_to_miss_its_headings(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(
        "Zebras graze on the open plains.\n\nLions hunt at night.\n", encoding="utf-8"
    )
    evidence = Engine.from_folder(tmp_path).ask("Where do zebras graze?").evidence
    assert evidence is not None
    # Nothing is known (no title, no heading): the fitted rows' average, not "none named".
    assert evidence.heading == HEADING_UNKNOWN > 0.0
