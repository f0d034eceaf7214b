"""Findings 1–4 of the Discord review, each against the stricter fake: interactions are
acknowledged before any work, a role mention without content is told how to ask, a channel
without Embed Links gets plain text (and one without Send Messages one log line), and "Show
paragraph" shows the file as it is now, with ids that survive edits elsewhere in the file."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_plain import as_plain
from bot.discord_render import Payload
from bot.live import LiveEngine
from retrieval import Engine
from retrieval.splitting import split_passages
from retrieval.types import Document
from tests.conftest import SEEDS
from tests.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    EMBED_LINKS,
    OTHER_CHANNEL_ID,
    SEND_MESSAGES,
    USER_ID,
    FakeDiscord,
    Recorded,
    running_bot,
)
from tests.test_discord_bot import (
    QUESTION,
    QUOTED,
    embed_text,
    interaction_reply,
    reply_to,
    to_interaction,
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_folder(SEEDS)


def callback_of(token: str) -> Any:
    return lambda r: r.method == "POST" and r.path.startswith("/interactions/") and token in r.path


async def first_answer(fake: FakeDiscord) -> tuple[Recorded, dict[str, Any]]:
    """Mention the bot; its reply and that reply as the message object Discord stores."""
    message_id = await fake.message(QUESTION)
    [reply] = await fake.wait_for(reply_to(message_id))
    return reply, fake.message_object(str(CHANNEL_ID), reply.body)


# --- finding 1: acknowledged first, whatever the load ---


async def test_buttons_and_sources_are_acknowledged_while_the_work_is_stuck(
    engine: Engine, tmp_path: Path
) -> None:
    """Show paragraph, /sources and a vote are deferred (private) at once; their answers follow
    when the work is done. The fake refuses any acknowledgement after 0.5 s, so answering
    first and acknowledging after (what the bot did) fails here."""
    from bot.feedback import FeedbackStore

    release = threading.Event()
    store = FeedbackStore(tmp_path / "f.sqlite3")
    options = {"interaction_deadline": 0.5}
    async with running_bot(engine, feedback=store, fake_options=options) as (fake, bot):
        reply, message = await first_answer(fake)
        show = reply.body["components"][0]["components"][0]["custom_id"]
        vote = reply.body["components"][-1]["components"][0]["custom_id"]
        slow_paragraph, slow_sources = bot.paragraph_payload, bot.sources_payload
        original_vote = store.vote

        def stuck(work: Any) -> Any:
            def wait(*args: Any) -> Any:
                assert release.wait(10)
                return work(*args)

            return wait

        bot.paragraph_payload = stuck(slow_paragraph)  # type: ignore[method-assign]
        bot.sources_payload = stuck(slow_sources)  # type: ignore[method-assign]
        store.vote = stuck(original_vote)  # type: ignore[method-assign]
        tokens = [
            await fake.click(show, message),
            await fake.slash("sources"),
            await fake.click(vote, message),
        ]
        for token in tokens:
            [ack] = await fake.wait_for(callback_of(token), timeout=2)
            assert ack.status == 200 and ack.body["type"] == 5  # deferred ...
            assert ack.body["data"]["flags"] & 64  # ... privately
            assert fake.acknowledged_in(token) < 0.5
        await asyncio.sleep(0.6)  # past the deadline: only follow-ups can answer now
        release.set()
        shown, sources, thanks = [await interaction_reply(fake, t) for t in tokens]
        assert "Nor will ICE officials" in embed_text(shown) and shown["flags"] & 64
        assert "Sources (" in embed_text(sources) and sources["flags"] & 64
        assert thanks["content"] == "Thanks — noted." and thanks["flags"] & 64
    store.close()


async def test_a_late_acknowledgement_is_refused_and_counted(engine: Engine) -> None:
    """The fake answers a callback past the deadline with 404 code 10062, as Discord does; the
    bot logs it once and counts it in citebot_interactions_late_total."""
    async with running_bot(engine, fake_options={"interaction_deadline": 0.0}) as (fake, bot):
        token = await fake.slash("sources")
        [late] = await fake.wait_for(callback_of(token))
        assert late.status == 404
        assert fake.acknowledged_in(token) is None
        for _ in range(100):
            if bot.metrics.late._value.get() >= 1:
                break
            await asyncio.sleep(0.02)
        assert bot.metrics.late._value.get() == 1


class SlowFreshnessEngine(Engine):
    """An engine whose file check takes a long time, like 3,000 files on a slow disk."""

    def changed_files(self) -> list[str]:
        time.sleep(1.5)
        return []


async def test_the_freshness_check_never_delays_an_acknowledgement() -> None:
    engine = SlowFreshnessEngine.from_folder(SEEDS)
    live = LiveEngine(engine, lambda reason, detail: engine)
    async with running_bot(live) as (fake, _):
        asked = time.monotonic()
        token = await fake.slash("ask", {"question": QUESTION})
        [ack] = await fake.wait_for(callback_of(token), timeout=2)
        assert ack.body["type"] == 5 and ack.at - asked < 1.0
        help_token = await fake.slash("help", user_id=USER_ID + 1)
        [helped] = await fake.wait_for(callback_of(help_token), timeout=1)  # the loop is free
        assert helped.at - asked < 1.0
        followup = await interaction_reply(fake, token)  # after the check, in a worker thread
        assert QUOTED in embed_text(followup)


# --- finding 3: no Embed Links, no Send Messages ---


async def test_without_embed_links_answers_are_plain_text_within_2000(engine: Engine) -> None:
    async with running_bot(engine) as (fake, _):
        await fake.deny(CHANNEL_ID, EMBED_LINKS)
        message_id = await fake.message(QUESTION)
        [reply] = await fake.wait_for(reply_to(message_id))
        assert not reply.body.get("embeds")
        content = reply.body["content"]
        assert QUOTED in content and len(content) <= 2000 and "[1]" in content
        assert reply.body["components"]  # Show paragraph still there
        token = await fake.slash("ask", {"question": QUESTION})
        _, followup = await fake.wait_for(to_interaction(token), count=2)
        assert not followup.body.get("embeds") and QUOTED in followup.body["content"]


async def test_embeds_dropped_by_discord_are_replaced_by_the_plain_text(engine: Engine) -> None:
    """A permission the bot has not been told about yet: Discord drops the embeds, the bot sees
    an empty message come back and edits it into the plain-text answer."""
    async with running_bot(engine) as (fake, _):
        fake.denied[CHANNEL_ID] = EMBED_LINKS  # no CHANNEL_UPDATE: the bot's cache is stale
        message_id = await fake.message(QUESTION)
        [reply] = await fake.wait_for(reply_to(message_id))
        assert reply.body.get("embeds") and not fake.response_to(reply)["embeds"]
        [edit] = await fake.wait_for(lambda r: r.method == "PATCH")
        assert edit.body["embeds"] == [] and QUOTED in edit.body["content"]


async def test_without_send_messages_one_log_line_per_channel_and_no_traceback(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(engine) as (fake, _):
        await fake.deny(CHANNEL_ID, SEND_MESSAGES)
        for _ in range(3):
            await fake.message(QUESTION)
        await fake.wait_for(lambda r: r.status == 403, count=3)
        elsewhere = await fake.message(QUESTION, channel_id=OTHER_CHANNEL_ID)
        await fake.wait_for(reply_to(elsewhere, OTHER_CHANNEL_ID))
    assert caplog.text.count("missing permission Send Messages") == 1
    assert "Traceback" not in caplog.text


fence_text = st.lists(
    st.sampled_from(["a", " ", "\n", "`", "```", "é", "*", "x" * 50]), max_size=60
).map("".join)


@settings(max_examples=60, deadline=None)
@given(
    title=fence_text,
    description=st.text(max_size=4096) | fence_text,
    fields=st.lists(st.tuples(fence_text.filter(bool), fence_text.filter(bool)), max_size=25),
)
def test_the_plain_text_of_any_embed_fits_and_closes_its_code_blocks(
    title: str, description: str, fields: list[tuple[str, str]]
) -> None:
    embed = {
        "title": title[:256],
        "description": description,
        "fields": [{"name": n[:256], "value": v[:1024]} for n, v in fields],
        "footer": {"text": "footer"},
    }
    plain = as_plain(Payload(embeds=(embed,)))
    assert not plain.embeds and 0 < len(plain.content) <= 2000
    if description.count("```") % 2 == 0 and "```" not in title + str(fields):
        assert plain.content.count("```") % 2 == 0


# --- finding 4: paragraph ids and "Show paragraph" as the file is now ---


def test_paragraph_ids_survive_an_edit_elsewhere_in_the_file() -> None:
    before = "# Title\n\nFirst paragraph.\n\nSecond paragraph.\n\nSame.\n\nSame.\n"
    after = "# Title\n\nFirst paragraph, edited at length.\n\nSecond paragraph.\n\nSame.\n\nSame.\n"
    old = split_passages(Document("a.md", before, "", "utf-8"))
    new = split_passages(Document("a.md", after, "", "utf-8"))
    assert old[0].id != new[0].id  # the edited one is a different paragraph now
    assert [p.id for p in old[1:]] == [p.id for p in new[1:]]
    assert len({p.id for p in old}) == len(old)  # equal texts differ by their position
    other = split_passages(Document("b.md", before, "", "utf-8"))
    assert not {p.id for p in old} & {p.id for p in other}  # copies of a file differ


async def test_show_paragraph_reads_the_file_as_it_is_now(tmp_path: Path) -> None:
    corpus = tmp_path / "docs"
    corpus.mkdir()
    doc = corpus / "guide.md"
    doc.write_text(
        "# Guide\n\nThe ordinance was passed by the Denver council.\n\n"
        "Jail interviews need a warrant.\n",
        encoding="utf-8",
    )
    engine = Engine.from_folder(corpus)
    async with running_bot(engine) as (fake, _):
        message_id = await fake.message("Who passed the ordinance?")
        [reply] = await fake.wait_for(reply_to(message_id))
        message = fake.message_object(str(CHANNEL_ID), reply.body)
        button = reply.body["components"][0]["components"][0]["custom_id"]

        # Edited elsewhere: the same paragraph, found and shown without a note.
        doc.write_text(
            "# Guide\n\nA new first paragraph.\n\nThe ordinance was passed by the Denver "
            "council.\n\nJail interviews need a warrant.\n",
            encoding="utf-8",
        )
        shown = await interaction_reply(fake, await fake.click(button, message))
        assert "ordinance was passed" in embed_text(shown)
        assert "changed since" not in embed_text(shown)

        # The paragraph itself edited: today's text, with a note.
        doc.write_text(
            "# Guide\n\nA new first paragraph.\n\nThe ordinance was repealed by the Denver "
            "council.\n\nJail interviews need a warrant.\n",
            encoding="utf-8",
        )
        changed = await interaction_reply(fake, await fake.click(button, message))
        assert "ordinance was repealed" in embed_text(changed)
        assert "changed since that answer" in embed_text(changed)

        doc.unlink()
        gone = await interaction_reply(fake, await fake.click(button, message))
        assert "no longer in the documents" in gone["content"]
        assert f"/webhooks/{APP_ID}/" in fake.requests[-1].path
