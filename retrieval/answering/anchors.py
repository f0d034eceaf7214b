"""Anchor text: the words a corpus's own links use for the section they point to.

A Markdown page that says "see [requirements file import](../guides/migration.md#importing)"
names that section in its author's words, often not the section's own ("import" for
"Importing requirements files", "add a dependency on a local project" for "Path"). Each link
``[text](target)`` between the corpus's Markdown files is read once, and its text's terms are
kept for the section it points to: the heading whose anchor is the link's fragment in the target
file, or the part of the page above its first narrower heading for a link to a whole page.

Built from the documents alone, the first time it is asked for (only Markdown files are read:
no other format keeps its links in the indexed text). Pure over the texts it is given; the
engine maps a target to its paragraphs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{1,200})\]\(\s*<?([^()\s<>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
"""An inline link (not an image): ``[text](target)`` or ``[text](target "title")``."""
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_MARKDOWN = (".md", ".markdown")

Target = tuple[str, str]
"""(source path, anchor): a section of a file; anchor "" is the page as a whole."""


def is_markdown(source: str) -> bool:
    return source.lower().endswith(_MARKDOWN)


def link_target(source: str, href: str) -> Target | None:
    """The corpus file and fragment a link found in ``source`` points to, or None for a link
    outside the corpus (a URL, a path above the corpus folder, a non-Markdown file)."""
    if _SCHEME.match(href):
        return None
    path, _, fragment = href.partition("#")
    path = path.split("?", 1)[0]
    if not path:
        return (source, fragment)
    target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path.lstrip("/")))
    if target.startswith("..") or not is_markdown(target):
        return None
    return (target, fragment)


_SENTENCE_END = re.compile(r"[.!?:](?=\s)|\n\s*\n")


def _sentence_around(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding ``start:end``: from the previous sentence end or blank
    line to the next (a crude split, enough for the words around a link)."""
    lo = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 400), start)), default=0)
    lo = max(lo, start - 400)
    after = _SENTENCE_END.search(text, end, end + 400)
    hi = after.start() if after else min(len(text), end + 400)
    return text[lo:hi]


def anchor_texts(
    documents: Iterable[tuple[str, str]], window: bool = False
) -> dict[Target, list[str]]:
    """The link texts pointing to each target, from ``(source, text)`` pairs of Markdown
    files (in the order met); with ``window``, the whole sentence around each link. A link
    from a section to itself counts as any other."""
    found: dict[Target, list[str]] = {}
    for source, text in documents:
        for match in _LINK.finditer(text):
            target = link_target(source, match.group(2))
            if target is not None:
                words = match.group(1).strip().strip("`*_").strip()
                if window:
                    words = _LINK.sub(r"\1", _sentence_around(text, match.start(), match.end()))
                if words:
                    found.setdefault(target, []).append(words)
    return found


@dataclass(frozen=True, slots=True)
class AnchorIndex:
    """Each linked section's anchor-text terms (a set: a link text repeated many times, such
    as "automatically", is one vote, not many)."""

    terms: Mapping[Target, frozenset[str]]

    @classmethod
    def of(
        cls,
        documents: Iterable[tuple[str, str]],
        analyse: Callable[[str], Sequence[str]],
        window: bool = False,
    ) -> AnchorIndex:
        texts = anchor_texts(documents, window)
        terms = {t: frozenset(x for words in ws for x in analyse(words)) for t, ws in texts.items()}
        return cls({t: ts for t, ts in terms.items() if ts})

    def shares(
        self, asked: Sequence[str], idf: Callable[[str], float], targets: Iterable[Target]
    ) -> dict[Target, float]:
        """Of each of ``targets`` that links name, the share of the question's IDF weight its
        anchor terms hold (0 to 1; targets without a matching term are left out)."""
        weights = {t: idf(t) for t in dict.fromkeys(asked)}
        total = sum(weights.values()) or 1.0
        shares: dict[Target, float] = {}
        for target in targets:
            terms = self.terms.get(target)
            if terms:
                share = sum(w for t, w in weights.items() if t in terms) / total
                if share > 0:
                    shares[target] = share
        return shares

    def best(
        self, asked: Sequence[str], idf: Callable[[str], float], count: int, minimum: float
    ) -> list[tuple[Target, float]]:
        """The ``count`` targets whose anchor terms hold the most of the question's weight (at
        least ``minimum``), best first (ties by target, so the order is stable)."""
        asked_set = frozenset(asked)
        named = [t for t, terms in self.terms.items() if not terms.isdisjoint(asked_set)]
        shares = self.shares(asked, idf, named)
        ranked = sorted(shares.items(), key=lambda item: (-item[1], item[0]))
        return [(t, s) for t, s in ranked[:count] if s >= minimum]
