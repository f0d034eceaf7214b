"""How long can the bot's event loop stall with 100 questions in flight?

A stalled loop misses gateway heartbeats (Discord drops the connection) and the 3-second
interaction deadline, so this measures the longest gap between a 10 ms timer's due time and when
it actually ran, while 50 mentions and 50 ``/ask`` are answered. The fake Discord runs on its own
thread and loop, so only the bot's own work is on the measured loop.

    .venv/bin/python -m bench.discord_stall                    # the seed corpus
    .venv/bin/python -m bench.discord_stall --replicate 300    # seeds copied 300× (3,000 ¶)
    .venv/bin/python -m bench.discord_stall --on-loop          # retrieval on the loop, to compare
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.discord_app import CitebotBot
from bot.discord_render import Payload
from retrieval import Conversation, Engine
from tests.conftest import SEEDS
from tests.fake_discord import (
    TOKEN,
    USER_ID,
    Recorded,
    ThreadedFake,
    bot_settings,
    discord_pointed_at,
)

QUESTIONS = [
    "What did the Denver city council pass?",
    "Who is the mayor of Denver?",
    "What did ICE official Jeffrey Lynch say about the ordinance?",
    "Will ICE officials be allowed to conduct jail interviews?",
]
TICK = 0.010


class OnLoopBot(CitebotBot):
    """The mistake this benchmark guards against: answering on the event loop itself."""

    async def answer(
        self,
        question: str,
        guild_id: int | None,
        channel_id: int | None,
        conversation: Conversation | None = None,
    ) -> Payload:
        return self._answer_sync(question, conversation)[0]


async def monitor(lateness: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        due = time.perf_counter() + TICK
        await asyncio.sleep(TICK)
        lateness.append(max(0.0, time.perf_counter() - due))


def is_reply(r: Recorded) -> bool:
    return r.method == "POST" and (r.path.endswith("/messages") or r.path.startswith("/webhooks/"))


async def measure(engine: Engine, threaded: ThreadedFake, questions: int, on_loop: bool) -> None:
    fake = threaded.fake
    settings = bot_settings(discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url)
    bot_class = OnLoopBot if on_loop else CitebotBot
    bot = bot_class(engine, settings, guild_ready_timeout=0.05)
    async with bot:
        runner = asyncio.create_task(bot.start(TOKEN))
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        # Warm up first: the first interaction imports and caches things once per process.
        await asyncio.to_thread(threaded.call, fake.slash("ask", {"question": QUESTIONS[0]}))
        await asyncio.to_thread(threaded.call, fake.message(QUESTIONS[1]))
        await asyncio.to_thread(threaded.call, fake.wait_for(is_reply, count=2))
        lateness: list[float] = []
        stop = asyncio.Event()
        watcher = asyncio.create_task(monitor(lateness, stop))

        async def inject() -> None:
            sends: list[Any] = []
            for i in range(questions):
                question = QUESTIONS[i % len(QUESTIONS)]
                if i % 2:
                    sends.append(fake.slash("ask", {"question": question}, user_id=USER_ID + i))
                else:
                    sends.append(fake.message(question, author_id=USER_ID + i))
            await asyncio.gather(*sends)

        started = time.perf_counter()
        await asyncio.to_thread(threaded.call, inject())
        await asyncio.to_thread(
            threaded.call, fake.wait_for(is_reply, count=questions + 2, timeout=120), 130
        )
        elapsed = time.perf_counter() - started
        stop.set()
        await watcher
        await bot.close()
        await runner

    worst = max(lateness) * 1000
    median = statistics.median(lateness) * 1000
    mode = "on the event loop" if on_loop else "in worker threads (asyncio.to_thread)"
    print(
        f"{questions} questions in flight, retrieval {mode}, "
        f"{len(engine.passages):,} paragraphs: all answered in {elapsed:.2f} s; "
        f"longest event-loop stall {worst:.1f} ms "
        f"(median {median:.1f} ms over {len(lateness)} ticks of {TICK * 1000:.0f} ms)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--corpus", type=Path, default=SEEDS)
    parser.add_argument("--replicate", type=int, default=1, help="copy the corpus N times")
    parser.add_argument("--on-loop", action="store_true", help="answer on the loop (compare)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if args.replicate > 1:
            for i in range(args.replicate):
                shutil.copytree(args.corpus, Path(tmp) / f"copy{i:04d}")
            corpus = Path(tmp)
        engine = Engine.from_folder(corpus)
    with ThreadedFake() as threaded:
        fake = threaded.fake
        with discord_pointed_at(fake.api_url, fake.gateway_url):
            asyncio.run(measure(engine, threaded, args.questions, args.on_loop))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
