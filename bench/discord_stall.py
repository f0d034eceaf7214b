"""Does every interaction get acknowledged in time, and does the event loop stay free, with 500
questions in flight over a 30,000-paragraph corpus while it is being re-indexed?

A stalled loop misses gateway heartbeats (Discord drops the connection) and the 3-second
interaction deadline. This sends a burst of questions (``/ask``, mentions) and clicks ("Show
paragraph", 👍) and ``/sources``, right after a corpus file changed, so the first question
starts a re-index in a worker while the rest wait for it. It measures

* each interaction's acknowledgement: from when the fake sent it to when the fake accepted the
  bot's callback (the fake refuses any after 3 s with 10062, as Discord does);
* the event loop's stalls: how late a 10 ms timer on the bot's loop runs (p99 and max);
* that every question got its answer.

The fake Discord runs on its own thread and loop, so only the bot's own work is on the measured
loop.

    .venv/bin/python -m bench.discord_stall                           # 500 over 30,000 ¶, re-index
    .venv/bin/python -m bench.discord_stall --questions 100 --replicate 1 --no-reindex
    .venv/bin/python -m bench.discord_stall --on-loop                 # retrieval on the loop
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
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from bot.discord_app import CitebotBot
from bot.discord_render import Payload
from bot.live import LiveEngine
from retrieval import Conversation, Engine
from tests.conftest import SEEDS
from tests.fake_discord import (
    CHANNEL_ID,
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
        corpus: str = "",
    ) -> Payload:
        return self._answer_sync(question, conversation, corpus)[0]


async def monitor(lateness: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        due = time.perf_counter() + TICK
        await asyncio.sleep(TICK)
        lateness.append(max(0.0, time.perf_counter() - due))


def is_answer(r: Recorded) -> bool:
    """A question's answer: a channel reply (mentions) or a follow-up (/ask, buttons)."""
    return r.method == "POST" and (
        r.path == f"/channels/{CHANNEL_ID}/messages" or r.path.startswith("/webhooks/")
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


class Run:
    """One measured burst against a running bot."""

    def __init__(self, threaded: ThreadedFake, bot: CitebotBot) -> None:
        self.threaded, self.fake, self.bot = threaded, threaded.fake, bot

    async def call(self, coroutine: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        return await asyncio.to_thread(self.threaded.call, coroutine, timeout)

    async def sample_answer(self) -> dict[str, Any]:
        """One answer's message (for its buttons), which also warms the process up."""
        message_id = await self.call(self.fake.message(QUESTIONS[0]))

        def reply(r: Recorded) -> bool:
            reference = (r.body or {}).get("message_reference") or {}
            return is_answer(r) and str(reference.get("message_id")) == message_id

        [sent] = await self.call(self.fake.wait_for(reply))
        return self.fake.message_object(str(CHANNEL_ID), sent.body)

    async def burst(self, questions: int, message: dict[str, Any]) -> tuple[list[str], int]:
        """Send the burst: the interaction tokens and how many answers to expect."""
        show = message["components"][0]["components"][0]["custom_id"]
        fake = self.fake

        async def inject() -> list[str]:
            tokens: list[str] = []
            for i in range(questions):
                question, user = QUESTIONS[i % len(QUESTIONS)], USER_ID + i
                kind = i % 10
                if kind < 5:
                    tokens.append(await fake.slash("ask", {"question": question}, user_id=user))
                elif kind < 8:
                    await fake.message(question, author_id=user)
                elif kind == 8:
                    tokens.append(await fake.click(show, message, user_id=user))
                else:
                    tokens.append(await fake.slash("sources", user_id=user))
            return tokens

        return await self.call(inject()), questions


def corpus_copies(source: Path, copies: int, into: Path) -> Path:
    for i in range(copies):
        shutil.copytree(source, into / f"copy{i:04d}")
    return into


async def measure(args: argparse.Namespace, corpus: Path, threaded: ThreadedFake) -> int:
    fake = threaded.fake
    engine = Engine.from_folder(corpus)
    live = LiveEngine(engine, lambda: Engine.from_folder(corpus), interval=0.0)
    settings = bot_settings(discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url)
    bot = (OnLoopBot if args.on_loop else CitebotBot)(live, settings, guild_ready_timeout=0.05)
    async with bot:
        runner = asyncio.create_task(bot.start(TOKEN))
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        run = Run(threaded, bot)
        message = await run.sample_answer()
        answered_before = len([r for r in fake.requests if is_answer(r)])
        if args.reindex:  # the next question finds a changed file and re-indexes first
            changed = next(corpus.rglob("*.txt"))
            changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new paragraph.\n")
        lateness: list[float] = []
        stop = asyncio.Event()
        watcher = asyncio.create_task(monitor(lateness, stop))
        started = time.perf_counter()
        tokens, expected = await run.burst(args.questions, message)
        await run.call(fake.wait_for(is_answer, count=answered_before + expected, timeout=300), 310)
        elapsed = time.perf_counter() - started
        stop.set()
        await watcher
        reindexed = live.current is not engine
        await bot.close()
        await runner

    acks = [fake.acknowledged_in(t) for t in tokens]
    late = sum(a is None or a > 3.0 for a in acks)
    seconds = [a for a in acks if a is not None]
    mode = "on the event loop" if args.on_loop else "in worker threads"
    print(
        f"{args.questions} questions in flight ({len(tokens)} interactions), retrieval {mode}, "
        f"{len(engine.passages):,} paragraphs, re-index during the burst: "
        f"{'yes' if reindexed else 'no'}"
    )
    print(
        f"  all {expected} answered in {elapsed:.1f} s; acknowledgements: max "
        f"{max(seconds) * 1000:.0f} ms, median {statistics.median(seconds) * 1000:.0f} ms, "
        f"{late} late (> 3 s or refused)"
    )
    print(
        f"  event-loop stall: p99 {percentile(lateness, 0.99) * 1000:.1f} ms, max "
        f"{max(lateness) * 1000:.1f} ms, median {statistics.median(lateness) * 1000:.1f} ms "
        f"over {len(lateness)} ticks of {TICK * 1000:.0f} ms"
    )
    targets_met = max(seconds) <= 1.0 and late == 0 and percentile(lateness, 0.99) <= 0.050
    verdict = "met" if targets_met else "NOT met"
    print(f"  targets (ack max <= 1 s, stall p99 <= 50 ms, all answered): {verdict}")
    return 0 if targets_met else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--corpus", type=Path, default=SEEDS)
    parser.add_argument(
        "--replicate", type=int, default=3000, help="copy the corpus N times (seeds: 10 ¶ each)"
    )
    parser.add_argument("--no-reindex", dest="reindex", action="store_false")
    parser.add_argument("--on-loop", action="store_true", help="answer on the loop (compare)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = corpus_copies(args.corpus, args.replicate, Path(tmp))
        with ThreadedFake() as threaded:
            fake = threaded.fake
            with discord_pointed_at(fake.api_url, fake.gateway_url):
                return asyncio.run(measure(args, corpus, threaded))


if __name__ == "__main__":
    raise SystemExit(main())
