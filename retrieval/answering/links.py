"""Where a cited file is published: the URL rules of the common documentation generators.

Given the base URL a corpus is published under (``https://docs.astral.sh/uv/``), a source path
becomes the page a reader opens:

* Markdown (MkDocs, directory URLs): ``guide/install.md`` → ``guide/install/``; ``index.md``
  and ``README.md`` → their folder (``guide/index.md`` → ``guide/``);
* reStructuredText (Sphinx): ``guide/install.rst`` → ``guide/install.html``;
* HTML: the file itself; PDF: the file, with ``#page=N``; anything else: the file itself;

plus the cited heading's ``#anchor``. Relative links inside quoted text are resolved the same
way (:func:`resolve_link`), so a front end never shows a link that only works inside the repo.
Pure functions, no I/O: a table-driven test pins every rule.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from ..types import Answer, Citation, Passage

_MARKDOWN = (".md", ".markdown")
_INDEX_NAMES = ("index", "readme")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _split(base_url: str) -> tuple[str, str]:
    """The base URL without its query and fragment, and its query ("?v=2", or "")."""
    scheme, netloc, path, query, _fragment = urlsplit(base_url)
    return urlunsplit((scheme, netloc, path, "", "")), f"?{query}" if query else ""


def _base(base_url: str) -> str:
    """The base URL's folder, ending in "/", so pages resolve inside it, not beside it (the "/"
    goes on the path: after a query, ``…/docs?v=2/``, pages resolved beside ``docs``)."""
    folder, _query = _split(base_url)
    return folder if folder.endswith("/") else folder + "/"


def page_path(source: str) -> str:
    """The published path of a source file, relative to the base URL (see the module rules)."""
    folder, name = posixpath.split(source)
    stem, suffix = posixpath.splitext(name)
    lowered = suffix.lower()
    if lowered in _MARKDOWN:
        if stem.lower() in _INDEX_NAMES:
            return f"{folder}/" if folder else ""
        return posixpath.join(folder, stem) + "/"
    if lowered == ".rst":
        return posixpath.join(folder, stem) + ".html"
    return source


def page_url(source: str, base_url: str) -> str:
    """The URL of the page a source file is published as; "" when there is no base URL."""
    if not base_url:
        return ""
    path = quote(page_path(source), safe="/")
    folder, query = _split(base_url)
    if not path.endswith("/") and folder.endswith("/" + path):
        # The base URL names the file itself (a one-PDF corpus published at …/manual.pdf):
        # it is the page, not a folder to append the file to (…/manual.pdf/manual.pdf).
        return folder + query
    # The base URL's query (a version, ``?v=2``) goes on every page it publishes.
    return urljoin(_base(base_url), path) + query


def passage_url(passage: Passage, base_url: str, pdf_page: int = 0) -> str:
    """Where a reader opens a passage: its page plus ``#page=N`` (PDF: ``pdf_page`` when
    given — a citation's quote may be on a later page than its paragraph's start) or
    ``#anchor``."""
    page = page_url(passage.source, base_url)
    if not page:
        return ""
    if pdf_page or passage.page:
        return f"{page}#page={pdf_page or passage.page}"
    if passage.anchor:
        return f"{page}#{quote(passage.anchor, safe='-_.~')}"
    return page


def resolve_link(source: str, href: str, base_url: str) -> str:
    """A link found in ``source``'s text as a URL a reader can open, or "" when it cannot be
    made absolute (a relative link with no base URL; an empty link).

    Absolute URLs (any scheme, or ``//host``) are kept; ``#fragment`` is on the source's own
    page; a relative path is resolved from the source's folder and, when it names a document,
    follows the same page rules (``cors.md#setup`` → ``…/tutorial/cors/#setup``); a path from
    the site root (``/guide/``) is resolved against the base URL's host.
    """
    href = href.strip()
    if not href:
        return ""
    if _SCHEME.match(href) or href.startswith("//"):
        return href
    if not base_url:
        return ""
    path, hash_mark, fragment = href.partition("#")
    tail = f"#{fragment}" if hash_mark else ""
    if not path:
        return page_url(source, base_url) + tail
    if path.startswith("/"):
        return urljoin(_base(base_url), path) + tail
    query = _split(base_url)[1]
    if "?" in path:
        path, query = path.split("?", 1)
        query = "?" + query
    target = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if target.startswith("../") or target == "..":
        # Outside the corpus folder: resolved as the browser would from the page.
        return urljoin(page_url(source, base_url), href)
    if target == ".":
        target = ""
    if path.endswith("/") and target:
        target += "/"
    return urljoin(_base(base_url), quote(page_path(target), safe="/")) + query + tail


def with_urls(answer: Answer, base_url: str) -> Answer:
    """The answer with every citation (and "maybe related" one) given its URL, and the base
    URL itself for the front ends' :func:`resolve_link`."""
    if not base_url:
        return answer

    def linked(citations: tuple[Citation, ...]) -> tuple[Citation, ...]:
        return tuple(
            dataclasses.replace(c, url=passage_url(c.passage, base_url, c.page)) for c in citations
        )

    return dataclasses.replace(
        answer,
        citations=linked(answer.citations),
        related=linked(answer.related),
        source_url=base_url,
    )
