""" "Show paragraph" as the file is now, not as it was indexed.

A button can be pressed long after its answer. The index may lag the folder (it is re-checked
only before questions), so the paragraph is re-read from its file: unchanged (or moved), it is
shown as usual; changed, the paragraph that now stands at its place is shown with a note saying
so; a file that is gone says that. Paragraph ids hash the paragraph's own text and its position
among equal texts, so an edit elsewhere in the file does not make a button lose its paragraph.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from retrieval import Engine, Passage
from retrieval.reading import corpus_files, read_file
from retrieval.splitting import split_passages

from .discord_render import Payload, render_notice, render_paragraph

log = logging.getLogger("citebot.discord")

CHANGED_NOTE = "This paragraph has changed since that answer; here it is as the file has it now."
GONE_NOTE = "That paragraph's file is no longer in the documents."


def _passages_now(engine: Engine, source: str) -> list[Passage] | None:
    """The file's passages as it reads now; None when the file is gone or unreadable."""
    if engine.root is None:
        return None
    path = engine.root / source
    if not path.is_file():  # a display name that is not the path (undecodable bytes): walk
        path = next((p for p, name in corpus_files(engine.root) if name == source), path)
    document, _, _ = read_file(path, source)
    return None if document is None else split_passages(document)


def _closest(passages: list[Passage], old: Passage) -> Passage | None:
    """The current paragraph at the old one's place: the most overlap with its old span, else
    the same paragraph number."""

    def overlap(p: Passage) -> int:
        return min(p.end, old.end) - max(p.start, old.start)

    best = max(passages, key=overlap, default=None)
    if best is not None and overlap(best) > 0:
        return best
    return next((p for p in passages if p.paragraph == old.paragraph), None)


def _with_note(payload: Payload, note: str) -> Payload:
    embeds = tuple(
        {**e, "description": f"*{note}*\n\n{e.get('description', '')}"[:4096]}
        for e in payload.embeds
    )
    return replace(payload, embeds=embeds)


def paragraph_now(
    engine: Engine, passage_id: str, block_after: int | None = None
) -> Payload | None:
    """The reply to "Show paragraph" from ``engine``; None when it never had that id. With
    ``block_after`` (where the answer's block after the paragraph started, counted from the
    paragraph's end: an edit above the paragraph moves both), that block: the content tab the
    question named rather than the first tab's."""
    try:
        passage = engine.passage(passage_id)
    except KeyError:
        return None
    block_start = None if block_after is None else passage.end + block_after
    if engine.root is None:  # in-memory documents: nothing to re-read
        before, after = engine.neighbours(passage)
        block = engine.following_block(passage, at=block_start)
        return render_paragraph(passage, before, after, block)
    try:
        current = _passages_now(engine, passage.source)
    except OSError:
        log.warning("could not re-read %s", passage.source, exc_info=True)
        current = None
    if current is None:
        return render_notice(GONE_NOTE)
    by_id = {p.id: i for i, p in enumerate(current)}
    if passage_id in by_id:
        i = by_id[passage_id]
        now = replace(current[i], context=current[i].context or passage.context)
        before = current[i - 1] if i > 0 else None
        after = current[i + 1] if i + 1 < len(current) else None
        # The same id means the same file content, so the index's block offsets still hold.
        block = engine.following_block(passage, at=block_start)
        return render_paragraph(now, before, after, block)
    replacement = _closest(current, passage)
    if replacement is None:
        return render_notice("That paragraph is no longer in its file.")
    i = current.index(replacement)
    before = current[i - 1] if i > 0 else None
    after = current[i + 1] if i + 1 < len(current) else None
    return _with_note(render_paragraph(replacement, before, after), CHANGED_NOTE)
