"""The plain-text form of any reply, for where the bot may not send embeds.

Without Embed Links Discord drops a message's embeds silently and the reader sees buttons under
an empty message. This turns a rendered payload (see :mod:`bot.discord_render`) into one message
of at most 2,000 characters: the title in bold, the text, each citation as a line (a link when
the embed has one), the footer in italics; text that does not fit is cut at a line, never inside
a code block (an open fence is closed). The buttons stay, so "Show paragraph" still works.
"""

from __future__ import annotations

from typing import Any

from .discord_render import CONTENT_MAX, ELLIPSIS, Payload

FENCE = "```"
CUT_NOTE = "\n*(shortened: the bot may not send embeds here)*"


def _embed_lines(embed: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    title = embed.get("title")
    if title:
        url = embed.get("url")
        lines.append(f"**[{title}](<{url}>)**" if url else f"**{title}**")
    if embed.get("description"):
        lines.append(str(embed["description"]))
    for item in embed.get("fields") or []:
        name, value = str(item.get("name", "")), str(item.get("value", ""))
        lines.append(f"**{name}**\n{value}" if name else value)
    footer = (embed.get("footer") or {}).get("text")
    if footer:
        lines.append(f"*{footer}*")
    return lines


def _close_fences(text: str) -> str:
    """``text`` with an unclosed code fence closed, so a cut never swallows what follows."""
    return text + f"\n{FENCE}" if text.count(FENCE) % 2 else text


def _fit(blocks: list[str], limit: int) -> str:
    """As many whole blocks as fit; then the next one cut at a line (fences closed)."""
    out = ""
    for block in blocks:
        joined = f"{out}\n\n{block}" if out else block
        if len(joined) <= limit:
            out = joined
            continue
        room = limit - len(out) - len(CUT_NOTE) - 2 - len(FENCE) - 2
        if room > 40:
            lines, kept = block.splitlines(), ""
            for line in lines:
                candidate = f"{kept}\n{line}" if kept else line
                if len(candidate) > room:
                    break
                kept = candidate
            if not kept:
                kept = block[: room - 1].rstrip() + ELLIPSIS
            out = f"{out}\n\n{_close_fences(kept)}" if out else _close_fences(kept)
        return _noted(out, limit)
    return out


def _noted(text: str, limit: int) -> str:
    """``text`` with the note that it was cut, within ``limit`` whatever ``text`` was."""
    room = limit - len(CUT_NOTE)
    if len(text) > room:
        text = _close_fences(text[: room - len(FENCE) - 2].rstrip())
    return text + CUT_NOTE


def as_plain(payload: Payload) -> Payload:
    """``payload`` as content only (within 2,000 characters), its buttons kept."""
    if not payload.embeds:
        return payload
    blocks = [payload.content] if payload.content else []
    for embed in payload.embeds:
        blocks.extend(_embed_lines(embed))
    text = _fit(blocks, CONTENT_MAX)
    return Payload(content=text or ELLIPSIS, buttons=payload.buttons)
