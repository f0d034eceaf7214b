"""Follow-ups on Discord, against the loopback fake: a thread started from /ask, a follow-up
typed inside it, and a follow-up made by replying to the bot's answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.discord_app import CitebotBot
from retrieval import Engine
from tests.conftest import SEEDS
from tests.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    CREATE_PUBLIC_THREADS,
    GUILD_ID,
    USER_ID,
    FakeDiscord,
    Recorded,
    running_bot,
)
from tests.test_discord_bot import embed_text, reply_to, to_interaction

FIRST = "Who is Jeffrey Lynch?"
FOLLOW_UP = "Who does he work with?"
WORK = "work with Denver’s city government"
MESSAGE_CONTENT_INTENT = 1 << 15


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_folder(SEEDS)


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for the bot to file what it just sent (it does so right after Discord answers the
    request the test has seen), as a user's reply could never overtake it."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise TimeoutError("the bot never filed its message")


async def filed(fake: FakeDiscord, bot: CitebotBot, sent: Recorded) -> dict[str, Any]:
    """The message object of the answer ``sent``, once the bot has filed its conversation."""
    message = fake.response_to(sent)
    await until(lambda: int(message["id"]) in bot.router.conversations)
    return message


def is_thread_start(r: Recorded) -> bool:
    return (
        r.method == "POST"
        and r.path.startswith(f"/channels/{CHANNEL_ID}/messages/")
        and (r.path.endswith("/threads"))
    )


async def ask_in_thread(
    fake: FakeDiscord, bot: CitebotBot, options: dict[str, Any]
) -> tuple[Recorded, int]:
    """/ask with ``options``; the follow-up answer and the id of the thread started from it."""
    token = await fake.slash("ask", options)
    _, followup = await fake.wait_for(to_interaction(token), count=2)
    [start] = await fake.wait_for(is_thread_start)
    answer_id = fake.response_to(followup)["id"]
    assert start.path == f"/channels/{CHANNEL_ID}/messages/{answer_id}/threads"
    thread_id = int(fake.response_to(start)["id"])
    await until(lambda: thread_id in bot.router.thread_askers)
    return followup, thread_id


async def test_ask_has_a_thread_option(engine: Engine) -> None:
    async with running_bot(engine) as (fake, _):
        path = f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
        [sync] = await fake.wait_for(lambda r: r.method == "PUT" and r.path == path)
        [ask] = [c for c in sync.body if c["name"] == "ask"]
        [thread] = [o for o in ask["options"] if o["name"] == "thread"]
        assert thread["type"] == 5 and not thread.get("required")
        assert not fake.identifies[0]["intents"] & MESSAGE_CONTENT_INTENT  # not asked for


async def test_ask_in_a_thread_then_follow_up_inside_it(engine: Engine) -> None:
    async with running_bot(engine, discord_message_content=True) as (fake, bot):
        assert fake.identifies[0]["intents"] & MESSAGE_CONTENT_INTENT
        followup, thread_id = await ask_in_thread(fake, bot, {"question": FIRST, "thread": True})
        assert "ICE official Jeffrey Lynch" in embed_text(followup.body)
        [start] = await fake.wait_for(is_thread_start)
        assert start.body["name"] == FIRST

        # Someone else chatting in the thread is not asking the bot.
        await fake.message(
            "nice thread", channel_id=thread_id, mention_bot=False, author_id=USER_ID + 1
        )
        question = await fake.message(FOLLOW_UP, channel_id=thread_id, mention_bot=False)
        [answer] = await fake.wait_for(reply_to(question, thread_id))
        text = embed_text(answer.body)
        assert "Follow-up to question 1: Who is Jeffrey Lynch?" in text
        assert WORK in text and "txt\\:17" in text  # ¶ 9, cited by its line
        assert len(fake.sent(f"/channels/{thread_id}/messages")) == 1


async def test_the_thread_default_comes_from_the_setting(engine: Engine) -> None:
    async with running_bot(engine, discord_answer_in_thread=True) as (fake, bot):
        await ask_in_thread(fake, bot, {"question": FIRST})
        token = await fake.slash("ask", {"question": FIRST, "thread": False})
        await fake.wait_for(to_interaction(token), count=2)
        assert len([r for r in fake.requests if is_thread_start(r)]) == 1


async def test_without_the_intent_thread_messages_arrive_empty_and_are_ignored(
    engine: Engine,
) -> None:
    async with running_bot(engine) as (fake, bot):
        _, thread_id = await ask_in_thread(fake, bot, {"question": FIRST, "thread": True})
        await fake.message("", channel_id=thread_id, mention_bot=False)  # what Discord sends
        mention = await fake.message(FOLLOW_UP, channel_id=thread_id)  # a mention still works
        [answer] = await fake.wait_for(reply_to(mention, thread_id))
        assert "Follow-up to question 1" in embed_text(answer.body)
        assert len(fake.sent(f"/channels/{thread_id}/messages")) == 1


async def test_replying_to_an_answer_is_a_follow_up_and_the_chain_goes_on(engine: Engine) -> None:
    async with running_bot(engine) as (fake, bot):
        first = await fake.message(FIRST)
        [answer] = await fake.wait_for(reply_to(first))
        follow = await fake.message(
            FOLLOW_UP, mention_bot=False, reply_to=await filed(fake, bot, answer)
        )
        [second] = await fake.wait_for(reply_to(follow))
        assert "Follow-up to question 1: Who is Jeffrey Lynch?" in embed_text(second.body)
        assert WORK in embed_text(second.body)
        # Replying to the follow-up's answer continues the same conversation (question 3).
        again = await fake.message(
            "What does he find disappointing?",
            mention_bot=False,
            reply_to=await filed(fake, bot, second),
        )
        [third] = await fake.wait_for(reply_to(again))
        assert "Follow-up to question" in embed_text(third.body)
        assert "txt\\:17" in embed_text(third.body)  # ¶ 9, cited by its line


async def test_a_new_mention_starts_a_new_conversation(engine: Engine) -> None:
    async with running_bot(engine) as (fake, _):
        first = await fake.message(FIRST)
        await fake.wait_for(reply_to(first))
        fresh = await fake.message(FOLLOW_UP)  # not a reply: stands alone
        [answer] = await fake.wait_for(reply_to(fresh))
        assert "Follow-up" not in embed_text(answer.body)


async def test_a_reply_with_the_ping_off_and_no_intent_is_ignored(engine: Engine) -> None:
    async with running_bot(engine) as (fake, bot):
        first = await fake.message(FIRST)
        [answer] = await fake.wait_for(reply_to(first))
        # Without the intent Discord sends such a reply with empty content.
        await fake.message(
            "", mention_bot=False, reply_to=await filed(fake, bot, answer), ping=False
        )
        last = await fake.message(FIRST)
        await fake.wait_for(reply_to(last))
        assert len([r for r in fake.requests if r.method == "POST" and "/messages" in r.path]) == 2


async def test_a_reply_to_an_answer_the_bot_no_longer_remembers_is_answered_afresh(
    engine: Engine,
) -> None:
    async with running_bot(engine) as (fake, bot):
        first = await fake.message(FIRST)
        [answer] = await fake.wait_for(reply_to(first))
        message = await filed(fake, bot, answer)
        bot.router.conversations = type(bot.router.conversations)()  # what a restart does
        follow = await fake.message(FOLLOW_UP, mention_bot=False, reply_to=message)
        [reply] = await fake.wait_for(reply_to(follow))
        assert "Follow-up" not in embed_text(reply.body) and reply.body["embeds"]


async def test_a_reply_to_someone_else_is_not_for_the_bot(engine: Engine) -> None:
    async with running_bot(engine) as (fake, _):
        other = fake.message_object(str(CHANNEL_ID), {"content": "hi"})
        other["author"] = {**other["author"], "id": str(USER_ID + 7), "bot": False}
        await fake.message(FOLLOW_UP, mention_bot=False, reply_to=other, ping=False)
        last = await fake.message(FIRST)
        await fake.wait_for(reply_to(last))
        assert len([r for r in fake.requests if r.method == "POST" and "/messages" in r.path]) == 1


async def test_a_thread_that_cannot_be_started_leaves_the_answer_in_place(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(engine) as (fake, bot):
        await fake.deny(CHANNEL_ID, CREATE_PUBLIC_THREADS)
        for _ in range(2):
            token = await fake.slash("ask", {"question": FIRST, "thread": True})
            _, followup = await fake.wait_for(to_interaction(token), count=2)
            assert "ICE official Jeffrey Lynch" in embed_text(followup.body)
        await fake.wait_for(is_thread_start, count=2)
        await until(lambda: "missing permission Create Public Threads" in caplog.text)
        assert not bot.router.thread_askers
        # Logged once for the channel, without a traceback.
        assert caplog.text.count("missing permission Create Public Threads") == 1
        assert "Traceback" not in caplog.text
        # The bot carries on, and a reply to the answer still follows up on it.
        follow = await fake.message(
            FOLLOW_UP, mention_bot=False, reply_to=await filed(fake, bot, followup)
        )
        [reply] = await fake.wait_for(reply_to(follow))
        assert "Follow-up to question 1" in embed_text(reply.body)
