"""What a running bot reports about itself: Prometheus metrics and a health check over HTTP.

Off by default; ``CITEBOT_METRICS_ADDR`` (``host:port``, loopback unless a host is given)
starts a small aiohttp listener on the bot's own event loop with

* ``/metrics``: Prometheus' text format (prometheus-client), from a registry of the bot's own,
  so two bots in one process (the tests) never share counters;
* ``/healthz``: 200 "ok" when the gateway is connected and every opened corpus's index is
  fresh, else 503 with the reasons, one a line. The freshness check runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger("citebot.discord")

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DEFAULT_HOST = "127.0.0.1"


class Metrics:
    """The counters the bot keeps (each labelled by corpus where that means something)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.questions = Counter(
            "citebot_questions",
            "Questions received (screened or answered).",
            ["corpus"],
            registry=r,
        )
        self.answered = Counter("citebot_answered", "Questions answered.", ["corpus"], registry=r)
        self.abstained = Counter(
            "citebot_abstained", "Questions the documents did not answer.", ["corpus"], registry=r
        )
        self.errors = Counter(
            "citebot_errors", "Questions that failed (logged with a traceback).", registry=r
        )
        self.latency = Histogram(
            "citebot_answer_seconds",
            "Time to answer a question.",
            ["corpus"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.late = Counter(
            "citebot_interactions_late",
            "Interactions acknowledged after Discord's deadline (or refused as unknown).",
            registry=r,
        )
        self.index_age = Gauge(
            "citebot_index_age_seconds",
            "Age of each corpus's index (since its files were read).",
            ["corpus"],
            registry=r,
        )
        self.reindex_seconds = Gauge(
            "citebot_reindex_seconds",
            "Duration of each corpus's last re-index.",
            ["corpus"],
            registry=r,
        )

    def outcome(self, corpus: str, outcome: str, seconds: float) -> None:
        """Count one question by how it ended (see the bot's log line outcomes)."""
        self.questions.labels(corpus).inc()
        if outcome == "answered":
            self.answered.labels(corpus).inc()
        elif outcome == "abstained":
            self.abstained.labels(corpus).inc()
        elif outcome == "error":
            self.errors.inc()
        if outcome in ("answered", "abstained"):
            self.latency.labels(corpus).observe(seconds)

    def index_written(self, corpus: str, written_ns: int) -> None:
        if written_ns:
            self.index_age.labels(corpus).set(max(0.0, time.time() - written_ns / 1e9))


HealthCheck = Callable[[], Awaitable[list[str]]]
"""The reasons the bot is unhealthy right now ([] when healthy)."""


def parse_addr(addr: str) -> tuple[str, int]:
    """``"9464"``, ``":9464"`` or ``"host:9464"`` → (host, port); loopback unless named."""
    host, _, port = addr.strip().rpartition(":")
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{addr!r} is not host:port (e.g. 127.0.0.1:9464)")
    return host.strip("[]") or DEFAULT_HOST, int(port)


class StatusServer:
    """The HTTP listener: ``/metrics`` and ``/healthz``, nothing else."""

    def __init__(self, metrics: Metrics, health: HealthCheck, refresh: Callable[[], None]) -> None:
        self.metrics, self.health, self.refresh = metrics, health, refresh
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, host: str, port: int) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        log.info("metrics and health on http://%s:%d/metrics and /healthz", host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _metrics(self, request: web.Request) -> web.Response:
        self.refresh()
        body = await asyncio.to_thread(generate_latest, self.metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        reasons = await self.health()
        if reasons:
            return web.Response(status=503, text="\n".join(reasons) + "\n")
        return web.Response(text="ok\n")
