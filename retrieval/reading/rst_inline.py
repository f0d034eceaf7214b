"""reStructuredText inline markup as a built page shows it: for front ends, never for quoting.

A quote from a ``.rst`` file is its source span, so it holds ``:func:`~flask.url_for```,
````literals````, ```links <https://…>`_`` and ``*emphasis*``. :func:`rst_spans` reads those
into runs (code, words, link with its target, strong, emphasis) that a terminal, Discord or
any other display shows its own way; JSON keeps the verbatim source. Pure regular
expressions, no docutils: showing an answer must not import the parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EXPLICIT_TITLE = re.compile(r"^(.+?)\s*<[^<>]+>$", re.DOTALL)


def role_text(text: str) -> str:
    """What Sphinx shows for a cross-reference: the explicit title, else the target, where a
    leading ``~`` keeps only the last dotted part and a leading ``!`` is dropped."""
    explicit = _EXPLICIT_TITLE.match(text)
    if explicit:
        return explicit.group(1)
    text = text.lstrip("!")
    if text.startswith("~"):
        return text[1:].rsplit(".", 1)[-1]
    return text


_INLINE = re.compile(
    r"``(?P<literal>.+?)``(?!\w)"
    r"|(?<![\w`]):(?P<role>[A-Za-z0-9][\w:+.-]*):`(?P<role_text>[^`]+)`"
    r"|`(?P<link_text>[^`<]+?)\s*<(?P<link_target>[^<>`]+)>`__?"
    r"|`(?P<interpreted>[^`]+)`(?P<reference>__?)?"
    r"|\*\*(?P<strong>\S(?:.*?\S)?)\*\*"
    r"|(?<![\w*])\*(?P<em>\S(?:.*?\S)?)\*(?![\w*])"
    r"|\b(?P<word>[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9])?)__?(?!\w)",
    re.DOTALL,
)
_TEXT_ROLES = frozenset(
    {
        "ref", "doc", "term", "abbr", "numref", "pep", "rfc", "dfn", "guilabel",
        "menuselection", "download", "sub", "sup", "subscript", "superscript", "title",
        "title-reference", "math", "std:ref", "std:doc", "std:term",
    }
)  # fmt: skip
"""Roles Sphinx shows as words (a cross-reference to a section, a glossary term); every
other role (``func``, ``class``, ``envvar``, ``file``, ``samp``…) is shown as code."""


@dataclass(frozen=True, slots=True)
class RstSpan:
    """A run of a quoted ``.rst`` span as the built page shows it."""

    text: str
    code: bool = False
    strong: bool = False
    em: bool = False
    target: str = ""
    """A link's target as written (``https://…``); empty for everything else."""


def rst_spans(text: str) -> list[RstSpan]:
    """A quoted ``.rst`` span read as inline markup: literals and code roles as code
    (``:func:`~flask.url_for``` → ``url_for``), section and term references as their words,
    links as their text with the target, ``**strong**`` and ``*emphasis*``.

    For front ends only: the quote itself stays the source span (``file_text[start:end]``),
    which is what is checked and stored; this is how it may be shown.
    """
    spans: list[RstSpan] = []
    last = 0
    for found in _INLINE.finditer(text):
        if found.start() > last:
            spans.append(RstSpan(text[last : found.start()]))
        spans.append(_span_of(found))
        last = found.end()
    if last < len(text):
        spans.append(RstSpan(text[last:]))
    return spans


def _span_of(found: re.Match[str]) -> RstSpan:
    group = found.groupdict()
    if group["literal"] is not None:
        return RstSpan(group["literal"], code=True)
    if group["role"] is not None:
        role = group["role"].lower()
        shown = role_text(group["role_text"])
        if role in ("emphasis", "strong"):
            return RstSpan(shown, strong=role == "strong", em=role == "emphasis")
        return RstSpan(shown, code=role not in _TEXT_ROLES)
    if group["link_text"] is not None:
        target = group["link_target"].strip()
        return RstSpan(group["link_text"], target="" if target.endswith("_") else target)
    if group["interpreted"] is not None:  # `text`_ is a reference; bare `text` Sphinx's default
        return RstSpan(group["interpreted"], em=not group["reference"])
    if group["strong"] is not None:
        return RstSpan(group["strong"], strong=True)
    if group["em"] is not None:
        return RstSpan(group["em"], em=True)
    return RstSpan(group["word"])


def rst_display(text: str) -> str:
    """A quoted ``.rst`` span as plain words, the way a reader of the built page sees it
    (:func:`rst_spans` without the marks)."""
    return "".join(span.text for span in rst_spans(text))


_ROLE = re.compile(r":(?<![\w`]:)[A-Za-z0-9][\w:+.-]{0,60}:`(?P<body>[^`]+)`")
"""A role: its name, then its body up to the closing backtick."""
_LINK_TARGET = re.compile(r"<[^<>`]+>(?=`__?)")
"""A hyperlink's target, just before its closing ```_``. Each pattern starts with a literal
character and has no nested repeats, so even a 50 MB line is scanned in linear time."""
_HIDDEN_PREFIX = re.compile(r"[~!]?(?:[\w.]+\.(?=\w))?")


def searched_view(text: str) -> str:
    """``text`` as it is searched: the same length, character for character, but with the
    markup a built page does not show blanked — a role's name (``:func:``, ``:data:``), an
    explicit target (``:doc:`tutorial <tutorial/database>``` → ``tutorial``, a link's
    ``<https://…>``) and the module path a ``~`` hides (``:data:`~flask.g``` → ``g``).

    The words of the source are what the HTML build shows, so the two index the same terms
    ("doc", "data" and "meth" are not words of the text). Offsets are unchanged, so a
    sentence's terms are cut from the same span that is quoted."""
    if "`" not in text:
        return text
    hidden = [found.span() for found in _LINK_TARGET.finditer(text)]
    for found in _ROLE.finditer(text):
        body_start, body = found.start("body"), found.group("body")
        hidden.append((found.start(), body_start - 1))  # ":func:", not the backtick
        title_end = _explicit_title_end(body)
        if title_end:
            hidden.append((body_start + title_end, body_start + len(body)))
        elif body.startswith("~"):
            prefix = _HIDDEN_PREFIX.match(body)
            if prefix is not None:
                hidden.append((body_start, body_start + prefix.end()))
    if not hidden:
        return text
    chars = list(text)
    for start, end in hidden:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _explicit_title_end(body: str) -> int:
    """Where the title of ``Title <target>`` ends (0: the body has no explicit title); as
    :data:`_EXPLICIT_TITLE` reads it, without its backtracking."""
    if not body.endswith(">"):
        return 0
    opening = body.rfind("<")
    if opening <= 0 or ">" in body[opening + 1 : -1]:
        return 0
    return len(body[:opening].rstrip())
