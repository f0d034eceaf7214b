"""``/reindex`` and ``/status``: what a server admin needs to see, computed in a worker thread.

Both are registered with ``default_member_permissions`` Manage Server, so Discord shows them
only to members who have it (a server can widen that in its Integrations settings).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from retrieval import Engine

from .discord_render import Payload, escape

if TYPE_CHECKING:
    from .discord_app import CitebotBot


@dataclass(frozen=True, slots=True)
class Changes:
    """Files added, changed and removed between two engines' manifests."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _manifest(engine: Engine) -> dict[str, Any]:
    """Source → its record's content key (size, hash): what "changed" compares."""
    return {r.source: (r.size, r.sha256) for r in engine.records}


def changes(before: Engine, after: Engine) -> Changes:
    old, new = _manifest(before), _manifest(after)
    return Changes(
        added=tuple(sorted(new.keys() - old.keys())),
        changed=tuple(sorted(s for s in old.keys() & new.keys() if old[s] != new[s])),
        removed=tuple(sorted(old.keys() - new.keys())),
    )


def _listed(label: str, names: tuple[str, ...], shown: int = 5) -> str:
    if not names:
        return ""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"\n**{label}** ({len(names)}): " + ", ".join(escape(n) for n in names[:shown]) + more


def reindex_report(bot: CitebotBot, corpus: str) -> Payload:
    """Re-check ``corpus``'s files now, re-index what changed, and say what and how long."""
    live = bot.corpora.engine(corpus)
    before = live.current
    started = time.perf_counter()
    after = live.refresh()
    seconds = time.perf_counter() - started
    bot.metrics.reindex_seconds.labels(corpus).set(seconds)
    bot.metrics.index_written(corpus, after.written_ns)
    found = changes(before, after) if after is not before else Changes((), (), ())
    if not found:
        text = f"**{escape(corpus)}**: no file changed; checked in {seconds:.2f} s."
    else:
        text = (
            f"**{escape(corpus)}** re-indexed in {seconds:.2f} s: "
            f"{after.document_count:,} documents, {len(after.passages):,} paragraphs."
            + _listed("Added", found.added)
            + _listed("Changed", found.changed)
            + _listed("Removed", found.removed)
        )
    return Payload(content=text[:2000])


def _age(written_ns: int) -> str:
    if not written_ns:
        return "not saved"
    seconds = max(0.0, time.time() - written_ns / 1e9)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def status_payload(bot: CitebotBot, guild_id: int | None) -> Payload:
    """Gateway, shards and each corpus this server may use: documents, paragraphs, index age."""
    problems = bot.gateway_problems()
    latency = bot.latency * 1000 if bot.latency == bot.latency else 0.0  # NaN before a beat
    lines = [
        f"**Gateway**: {'; '.join(problems) if problems else 'connected'}, "
        f"latency {latency:.0f} ms, shards {sorted(bot.shards)} of {bot.shard_count}, "
        f"{len(bot.guilds):,} servers in this process."
    ]
    opened = bot.corpora.opened()
    for name in bot.corpora.allowed(guild_id):
        live = opened.get(name)
        if live is None:
            lines.append(f"**{escape(name)}**: not opened yet (opens on its first question).")
            continue
        engine = live.current
        stale = engine.changed_files()
        fresh = (
            "fresh"
            if not stale
            else f"{len(stale)} file(s) changed since (re-indexed on the next question)"
        )
        lines.append(
            f"**{escape(name)}**: {engine.document_count:,} documents, "
            f"{len(engine.passages):,} paragraphs, index {_age(engine.written_ns)} old, {fresh}."
        )
    return Payload(content="\n".join(lines)[:2000])
