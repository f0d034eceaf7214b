"""The URL rules: where a cited file, section or relative link is published."""

from __future__ import annotations

import pytest

from retrieval import Passage
from retrieval.answering.links import page_url, passage_url, resolve_link

BASE = "https://docs.astral.sh/uv/"


@pytest.mark.parametrize(
    ("source", "url"),
    [
        ("guide/install.md", BASE + "guide/install/"),
        ("guide/index.md", BASE + "guide/"),
        ("guide/README.md", BASE + "guide/"),
        ("index.md", BASE),
        ("README.md", BASE),
        ("notes.markdown", BASE + "notes/"),
        ("api/app.rst", BASE + "api/app.html"),
        ("index.rst", BASE + "index.html"),
        ("api/app.html", BASE + "api/app.html"),
        ("manual.pdf", BASE + "manual.pdf"),
        ("notes/a.txt", BASE + "notes/a.txt"),
        ("guide/my page.md", BASE + "guide/my%20page/"),
        ("guide/café.md", BASE + "guide/caf%C3%A9/"),
    ],
)
def test_page_urls(source: str, url: str) -> None:
    assert page_url(source, BASE) == url


def test_the_base_url_needs_no_trailing_slash_and_none_means_no_link() -> None:
    assert page_url("guide/install.md", "https://example.org/docs") == (
        "https://example.org/docs/guide/install/"
    )
    assert page_url("guide/install.md", "") == ""


def test_a_base_url_naming_the_file_itself_is_its_page() -> None:
    """A one-PDF corpus set to the manual's own URL linked ``…/libtasn1.pdf/libtasn1.pdf#page=7``
    (a dead link); a folder of that name still takes the file inside it."""
    manual = "https://www.gnu.org/software/libtasn1/manual/libtasn1.pdf"
    assert page_url("libtasn1.pdf", manual) == manual
    assert page_url("libtasn1.pdf", manual + "/") == manual + "/libtasn1.pdf"
    assert page_url("guide/a.md", "https://x.org/guide/a.md") == "https://x.org/guide/a.md/guide/a/"


@pytest.mark.parametrize(
    ("source", "anchor", "page", "url"),
    [
        ("guide/install.md", "installing-python", 0, BASE + "guide/install/#installing-python"),
        ("index.md", "", 0, BASE),
        ("manual.pdf", "", 3, BASE + "manual.pdf#page=3"),
        ("manual.pdf", "ignored", 3, BASE + "manual.pdf#page=3"),
        ("api/app.rst", "app.run", 0, BASE + "api/app.html#app.run"),
    ],
)
def test_passage_urls(source: str, anchor: str, page: int, url: str) -> None:
    passage = Passage("0" * 16, source, 1, 0, 1, "x", anchor=anchor, page=page)
    assert passage_url(passage, BASE) == url
    assert passage_url(passage, "") == ""


@pytest.mark.parametrize(
    ("source", "href", "url"),
    [
        ("tutorial/query.md", "cors.md", BASE + "tutorial/cors/"),
        ("tutorial/query.md", "cors.md#setup", BASE + "tutorial/cors/#setup"),
        ("tutorial/query.md", "../index.md", BASE),
        ("tutorial/query.md", "../guide/index.md#top", BASE + "guide/#top"),
        ("tutorial/query.md", "#params", BASE + "tutorial/query/#params"),
        ("tutorial/query.md", "img/shot.png", BASE + "tutorial/img/shot.png"),
        ("tutorial/query.md", "/pip/", "https://docs.astral.sh/pip/"),
        ("tutorial/query.md", "https://pypi.org/x", "https://pypi.org/x"),
        ("tutorial/query.md", "mailto:a@b.c", "mailto:a@b.c"),
        ("api/app.rst", "views.rst", BASE + "api/views.html"),
        ("tutorial/query.md", "  ", ""),
    ],
)
def test_relative_links_resolve_against_the_same_base(source: str, href: str, url: str) -> None:
    assert resolve_link(source, href, BASE) == url


def test_relative_links_without_a_base_url_have_nowhere_to_go() -> None:
    assert resolve_link("a.md", "b.md", "") == ""
    assert resolve_link("a.md", "https://x.org/", "") == "https://x.org/"


def test_a_base_url_with_a_query_keeps_its_folder_and_its_query() -> None:
    """``https://x.org/docs?v=2`` linked ``https://x.org/guide/a/`` (the ``docs`` folder lost:
    the "/" was appended after the query, so the page resolved beside ``docs``) and dropped
    the query; a base URL's ``#fragment`` did the same. Every page keeps the folder and the
    query, and a section's ``#anchor`` comes after the query."""
    for base in ("https://x.org/docs?v=2", "https://x.org/docs/?v=2"):
        assert page_url("guide/a.md", base) == "https://x.org/docs/guide/a/?v=2"
        passage = Passage("0" * 16, "guide/a.md", 1, 0, 1, "x", anchor="setup")
        assert passage_url(passage, base) == "https://x.org/docs/guide/a/?v=2#setup"
        assert resolve_link("guide/a.md", "b.md#s", base) == "https://x.org/docs/guide/b/?v=2#s"
        assert resolve_link("guide/a.md", "#s", base) == "https://x.org/docs/guide/a/?v=2#s"
    assert page_url("guide/a.md", "https://x.org/docs#top") == "https://x.org/docs/guide/a/"
    manual = "https://x.org/dl/manual.pdf?raw=1"
    assert page_url("manual.pdf", manual) == manual
