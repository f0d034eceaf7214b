"""Follow-up questions over seeds/: scripted conversations, topic switches, and the bounds.

Every conversation in tests/data/conversations.jsonl is replayed turn by turn: each follow-up
must cite its expected paragraph first (by source and paragraph number), and each topic switch
(``"switch": true``) must do the same without being marked as a follow-up, so the old topic
cannot leak in. ``bench/conversation.py`` reports the same conversations as numbers.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from retrieval import Answer, Conversation, Conversations, Engine, QuestionError, answer_in
from retrieval.answering import Borrowed
from retrieval.answering.conversation import MAX_TURNS, follow_up_cue, own_share
from retrieval.answering.rerank import favour_hits
from retrieval.types import Hit

SCRIPTS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "conversations.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
]


def where(answer: Answer) -> tuple[str, int] | None:
    if not answer.citations:
        return None
    return answer.citations[0].passage.source, answer.citations[0].passage.paragraph


def test_there_are_enough_scripted_conversations() -> None:
    follow_ups = [s for s in SCRIPTS if any(not t.get("switch") for t in s["turns"][1:])]
    switches = [s for s in SCRIPTS if any(t.get("switch") for t in s["turns"])]
    assert len(follow_ups) >= 10 and len(switches) >= 5


@pytest.mark.parametrize("script", SCRIPTS, ids=[s["name"] for s in SCRIPTS])
def test_scripted_conversation(seed_engine: Engine, script: dict[str, Any]) -> None:
    conversation = Conversation()
    for n, turn in enumerate(script["turns"], 1):
        answer = answer_in(seed_engine, conversation, turn["question"])
        expected = turn["paragraph"]
        want = None if expected is None else (script["source"], expected)
        assert where(answer) == want, f"turn {n}: {turn['question']}"
        if turn.get("switch") or n == 1:
            assert answer.follow_up is None, f"turn {n} carried the old topic over"
        elif answer.follow_up is not None:
            assert 1 <= answer.follow_up.turn < n
        for sentence in answer.sentences:  # still verbatim and cited
            text = seed_engine.source_text(script["source"])
            assert text[sentence.start : sentence.end] == sentence.text
    assert len(conversation) == min(len(script["turns"]), MAX_TURNS)


def test_the_conversation_is_what_finds_these_paragraphs(seed_engine: Engine) -> None:
    """Alone, these follow-ups cite another paragraph (or abstain); in the conversation, the
    right one, and the answer names the question it followed up."""
    cases = [
        ("Who is Jeffrey Lynch?", "Who does he work with?", 9),
        ("Who is Jeffrey Lynch?", "What does he say it protects?", 9),
        ("Who is Jeffrey Lynch?", "What does he find disappointing?", 9),
        ("What will the mayor's executive order establish?", "Who will it protect?", 7),
        ("What will the mayor's executive order establish?", "What else will it do?", 7),
    ]
    for first, second, paragraph in cases:
        alone = seed_engine.ask(second)
        assert not alone.citations or alone.citations[0].passage.paragraph != paragraph
        conversation = Conversation()
        answer_in(seed_engine, conversation, first)
        answer = answer_in(seed_engine, conversation, second)
        assert answer.citations[0].passage.paragraph == paragraph
        assert answer.follow_up is not None
        assert answer.follow_up.turn == 1 and answer.follow_up.question == first
        assert answer.follow_up.terms and answer.follow_up.cited[0].paragraph == paragraph


def test_a_follow_up_to_a_follow_up_names_the_turn_it_used(seed_engine: Engine) -> None:
    conversation = Conversation()
    for question in ("Who is the mayor of Denver?", "What did he promise to sign?"):
        answer_in(seed_engine, conversation, question)
    answer = answer_in(seed_engine, conversation, "Who will it protect?")
    assert answer.follow_up is not None and answer.follow_up.turn == 2
    assert where(answer) == ("000_4568191ad18858cd.txt", 7)


def test_unsearchable_questions_raise_and_are_not_remembered(seed_engine: Engine) -> None:
    conversation = Conversation()
    answer_in(seed_engine, conversation, "Who is Jeffrey Lynch?")
    for bad in ("", "   ", "what is the", "🙂", "x" * 5000, "\x00\x1b?!"):
        with pytest.raises(QuestionError):
            answer_in(seed_engine, conversation, bad)
    assert [t.number for t in conversation.turns()] == [1]


def test_no_conversation_is_the_plain_answer(seed_engine: Engine) -> None:
    question = "Who does he work with?"
    assert answer_in(seed_engine, None, question) == seed_engine.ask(question)


def test_turns_are_bounded_in_number_and_age(seed_engine: Engine) -> None:
    now = [1000.0]
    conversation = Conversation(max_turns=3, max_age=60.0, clock=lambda: now[0])
    for _ in range(5):
        answer_in(seed_engine, conversation, "Who is Jeffrey Lynch?")
        now[0] += 10
    assert [t.number for t in conversation.turns()] == [3, 4, 5]
    now[0] += 35  # turn 3 was asked 65 s ago, turn 5 45 s ago
    assert [t.number for t in conversation.turns()] == [4, 5]
    now[0] += 1000
    assert conversation.turns() == ()
    # A forgotten topic is not followed up.
    answer = answer_in(seed_engine, conversation, "Who does he work with?")
    assert answer.follow_up is None
    conversation.clear()
    assert len(conversation) == 0


def test_an_expired_turn_is_not_used(seed_engine: Engine) -> None:
    now = [0.0]
    conversation = Conversation(clock=lambda: now[0])
    answer_in(seed_engine, conversation, "Who is Jeffrey Lynch?")
    now[0] += 31 * 60
    assert answer_in(seed_engine, conversation, "Who does he work with?").follow_up is None


def test_conversations_are_a_bounded_lru() -> None:
    conversations: Conversations[int] = Conversations(capacity=3)
    first = conversations.start(1)
    conversations.start(2)
    conversations.start(3)
    assert conversations.get(1) is first  # used: now the most recent
    conversations.start(4)
    assert 2 not in conversations and len(conversations) == 3
    conversations.link(10, first)
    assert conversations.get(10) is first and 3 not in conversations
    assert conversations.get(999) is None


@pytest.mark.parametrize(
    ("question", "cue"),
    [
        ("What did he promise to sign?", "pronoun"),
        ("Who will it protect?", "pronoun"),
        ("What about the working group?", "ellipsis"),
        ("And the working group?", "ellipsis"),
        ("Anything else?", "ellipsis"),
        ("Which mayors?", "short"),
        ("What did the Denver City Council pass?", None),
        ("Who is the act that the council passed named after?", None),
        ("", None),
        ("🙂🙂", None),
    ],
)
def test_follow_up_cues(question: str, cue: str | None) -> None:
    assert follow_up_cue(question) == cue


def test_favoured_hits_move_up_only_over_clearly_weaker_ones(seed_engine: Engine) -> None:
    a, b, c, d = (seed_engine.passage(h.passage.id) for h in seed_engine.search("Denver", 4))
    hits = [Hit(a, 10.0, 1), Hit(b, 6.0, 2), Hit(c, 5.0, 3), Hit(d, 4.0, 4)]
    moved = favour_hits(hits, {d.id})  # 4.0 × 1.5 = 6.0 beats 5.0, not 6.0 or 10.0
    assert [h.passage for h in moved] == [a, b, d, c]
    assert [h.rank for h in moved] == [1, 2, 3, 4]
    assert favour_hits(hits, set()) == hits


def test_own_share_weighs_what_the_question_itself_asks(seed_engine: Engine) -> None:
    answer = seed_engine.ask("Who is Jeffrey Lynch?")
    idf = seed_engine.index.idf
    assert own_share(answer, ["lynch"], idf) == 1.0
    assert own_share(answer, ["popul"], idf) == 0.0  # in no paragraph
    assert own_share(answer, ["els"], idf) == 1.0  # "else" only points back
    assert own_share(replace(answer, sentences=()), ["lynch"], idf) == 0.0


def test_empty_extra_terms_and_favour_change_nothing(seed_engine: Engine) -> None:
    for question in ("Who is Jeffrey Lynch?", "What is the population of Denver?"):
        plain = seed_engine.ask(question)
        assert seed_engine.ask(question, Borrowed()) == plain
        assert seed_engine.ask(question, Borrowed(("lynch",), 0.5)) is not None
        # Terms and ids the index does not know are harmless.
        odd = seed_engine.ask(question, Borrowed(("zzzz", ""), favour=frozenset({"nope"})))
        assert odd.question == plain.question
