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

The fake Discord runs in a process of its own, so only the bot's own work is on the measured
loop (and on its interpreter lock).

    .venv/bin/python -m bench.discord_stall                           # 500 over 30,000 ¶, re-index
    .venv/bin/python -m bench.discord_stall --questions 100 --replicate 1 --no-reindex
    .venv/bin/python -m bench.discord_stall --on-loop                 # retrieval on the loop
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
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
    FakeDiscord,
    Recorded,
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
INTERVAL = 2.0
"""How often the bot's LiveEngine re-checks the files (its default in `citebot discord`)."""


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


class FakeSide:
    """What the benchmark asks of the fake, run in the fake's own process (next to it)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake

    async def sample_answer(self) -> dict[str, Any]:
        """One answer's message (for its buttons), which also warms the bot up."""
        message_id = await self.fake.message(QUESTIONS[0])

        def reply(r: Recorded) -> bool:
            body = r.body if isinstance(r.body, dict) else {}
            reference = body.get("message_reference") or {}
            return is_answer(r) and str(reference.get("message_id")) == message_id

        [sent] = await self.fake.wait_for(reply)
        return self.fake.message_object(str(CHANNEL_ID), sent.body)

    async def warm_up(self, message: dict[str, Any]) -> None:
        """One interaction of each kind first: the first of each imports and caches things
        once per process, which is not what a running bot pays."""
        show = message["components"][0]["components"][0]["custom_id"]
        fake = self.fake
        tokens = [
            await fake.slash("ask", {"question": QUESTIONS[1]}),
            await fake.slash("sources"),
            await fake.click(show, message),
        ]
        for token in tokens:
            await fake.wait_for(lambda r, t=token: is_answer(r) and t in r.path)

    async def answered(self) -> int:
        return len([r for r in self.fake.requests if is_answer(r)])

    async def burst(self, questions: int, message: dict[str, Any], spread: float) -> list[str]:
        """Send the burst evenly over ``spread`` seconds (0: all at once); the interaction
        tokens (mentions have none)."""
        show = message["components"][0]["components"][0]["custom_id"]
        fake = self.fake
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
            await asyncio.sleep(spread / questions)  # the fake serves requests meanwhile
        return tokens

    async def wait_answers(self, count: int, timeout: float) -> None:
        await self.fake.wait_for(is_answer, count=count, timeout=timeout)

    async def acknowledgements(self, tokens: list[str]) -> list[float | None]:
        return [self.fake.acknowledged_in(t) for t in tokens]


def serve_fake(conn: Connection) -> None:
    """The child process: a fake Discord, and FakeSide's methods called over ``conn``."""

    async def serve() -> None:
        fake = await FakeDiscord().start()
        side = FakeSide(fake)
        conn.send((fake.api_url, fake.gateway_url))
        loop = asyncio.get_running_loop()
        while True:
            name, args = await loop.run_in_executor(None, conn.recv)
            if name == "stop":
                break
            conn.send(await getattr(side, name)(*args))
        await fake.stop()

    asyncio.run(serve())


class RemoteFake:
    """The fake Discord in a process of its own: its work (encoding 500 events, recording
    every request) takes no turn on the bot's interpreter lock, so the stall measured is the
    bot's alone, as it would be against Discord."""

    def __init__(self) -> None:
        self.conn, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("spawn").Process(
            target=serve_fake, args=(child,), daemon=True
        )
        self.process.start()
        self.api_url, self.gateway_url = self.conn.recv()
        self.waiter = ThreadPoolExecutor(1, thread_name_prefix="bench")
        """The benchmark's own waits: not in the bot loop's default executor."""

    def _call(self, name: str, args: tuple[Any, ...]) -> Any:
        self.conn.send((name, args))
        return self.conn.recv()

    async def call(self, name: str, *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.waiter, self._call, name, args)

    def stop(self) -> None:
        self.conn.send(("stop", ()))
        self.process.join(10)


def corpus_copies(source: Path, copies: int, into: Path) -> Path:
    for i in range(copies):
        shutil.copytree(source, into / f"copy{i:04d}")
    return into


async def measure(args: argparse.Namespace, corpus: Path, fake: RemoteFake) -> int:
    engine = Engine.from_folder(corpus)
    live = LiveEngine(engine, lambda _reason, _detail: Engine.from_folder(corpus))
    settings = bot_settings(discord_api_url=fake.api_url, discord_gateway_url=fake.gateway_url)
    bot = (OnLoopBot if args.on_loop else CitebotBot)(live, settings, guild_ready_timeout=0.05)
    async with bot:
        runner = asyncio.create_task(bot.start(TOKEN))
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        message = await fake.call("sample_answer")
        await fake.call("warm_up", message)
        answered_before = await fake.call("answered")
        if args.reindex:  # the next question finds a changed file and re-indexes first
            changed = next(corpus.rglob("*.txt"))
            changed.write_text(changed.read_text(encoding="utf-8") + "\n\nA new paragraph.\n")
            await asyncio.sleep(INTERVAL)  # due for its check: the first question re-indexes
        lateness: list[float] = []
        stop = asyncio.Event()
        watcher = asyncio.create_task(monitor(lateness, stop))
        started = time.perf_counter()
        tokens = await fake.call("burst", args.questions, message, args.spread)
        await fake.call("wait_answers", answered_before + args.questions, 300.0)
        elapsed = time.perf_counter() - started
        stop.set()
        await watcher
        reindexed = live.current is not engine
        acks = await fake.call("acknowledgements", tokens)
        await bot.close()
        await runner
    return report(args, len(engine.passages), reindexed, elapsed, acks, lateness)


def report(
    args: argparse.Namespace,
    paragraphs: int,
    reindexed: bool,
    elapsed: float,
    acks: list[float | None],
    lateness: list[float],
) -> int:
    """Print the numbers; 0 when every target is met."""
    late = sum(a is None or a > 3.0 for a in acks)
    seconds = [a for a in acks if a is not None]
    mode = "on the event loop" if args.on_loop else "in worker threads"
    print(
        f"{args.questions} questions in flight ({len(acks)} interactions, arriving within "
        f"{args.spread:g} s), retrieval {mode}, {paragraphs:,} paragraphs, re-index during "
        f"the burst: {'yes' if reindexed else 'no'}"
    )
    print(
        f"  all {args.questions} answered in {elapsed:.1f} s; acknowledgements: max "
        f"{max(seconds) * 1000:.0f} ms, median {statistics.median(seconds) * 1000:.0f} ms, "
        f"{late} late (> 3 s or refused)"
    )
    p99 = percentile(lateness, 0.99)
    print(
        f"  event-loop stall: p99 {p99 * 1000:.1f} ms, max {max(lateness) * 1000:.1f} ms, "
        f"median {statistics.median(lateness) * 1000:.1f} ms over {len(lateness)} ticks of "
        f"{TICK * 1000:.0f} ms"
    )
    met = max(seconds) <= 1.0 and late == 0 and p99 <= 0.050
    verdict = "met" if met else "NOT met"
    print(f"  targets (ack max <= 1 s, stall p99 <= 50 ms, all answered): {verdict}")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=500)
    parser.add_argument("--corpus", type=Path, default=SEEDS)
    parser.add_argument(
        "--replicate", type=int, default=3000, help="copy the corpus N times (seeds: 10 ¶ each)"
    )
    parser.add_argument(
        "--spread", type=float, default=1.0, help="seconds over which the questions arrive"
    )
    parser.add_argument("--no-reindex", dest="reindex", action="store_false")
    parser.add_argument("--on-loop", action="store_true", help="answer on the loop (compare)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = corpus_copies(args.corpus, args.replicate, Path(tmp))
        fake = RemoteFake()
        try:
            with discord_pointed_at(fake.api_url, fake.gateway_url):
                return asyncio.run(measure(args, corpus, fake))
        finally:
            fake.stop()


if __name__ == "__main__":
    raise SystemExit(main())
