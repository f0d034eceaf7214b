"""The HTML reader: main content only, headings with anchors, code kept, entities decoded."""

from __future__ import annotations

import time
from pathlib import Path

from retrieval import load_corpus
from retrieval.reading import BlockKind
from retrieval.reading.html import read_html

SPHINX_PAGE = """<!DOCTYPE html>
<html><head><title>Uploads &#8212; Docs</title><script>var nav = "menu";</script>
<style>p { color: red }</style></head>
<body>
<div class="related" role="navigation"><ul><li><a href="index.html">Index</a></li></ul></div>
<div class="document"><div class="documentwrapper"><div class="bodywrapper">
<div class="body" role="main">
<section id="uploading-files">
<h1>Uploading Files<a class="headerlink" href="#uploading-files">¶</a></h1>
<p>Files arrive in <code>request.files</code> &amp; are saved
with <code>save()</code>.</p>
<section id="a-gentle-introduction">
<h2>A Gentle Introduction<a class="headerlink" href="#a-gentle-introduction">¶</a></h2>
<div class="literal-block-wrapper"><div class="code-block-caption"><span>app.py</span></div>
<div class="highlight-python notranslate"><div class="highlight"><pre><span>import</span> os
<span>app</span> = Flask(__name__)
</pre></div></div></div>
<ul><li><p>First item.</p></li><li>Second &lt;item&gt;.</li></ul>
<div class="admonition note"><p class="admonition-title">Note</p><p>Mind the size.</p></div>
<table class="docutils"><tr><th>key</th><th>value</th></tr>
<tr><td>port</td><td>8000</td></tr></table>
</section></section>
</div></div></div>
<div class="sphinxsidebar" role="navigation"><h3>Navigation</h3><p>Sidebar text.</p>
<div id="searchbox" role="search"><form><input name="q"></form></div></div>
</div>
<div class="footer">&copy; Copyright 2010 Pallets.</div>
</body></html>
"""


def test_main_content_only_with_anchors_and_kinds() -> None:
    text, blocks = read_html(SPHINX_PAGE)
    shown = [(b.kind, text[b.start : b.end]) for b in blocks]
    assert shown == [
        (BlockKind.HEADING, "Uploading Files"),
        (BlockKind.PARAGRAPH, "Files arrive in request.files & are saved with save()."),
        (BlockKind.HEADING, "A Gentle Introduction"),
        (BlockKind.CODE, "import os\napp = Flask(__name__)"),
        (BlockKind.LIST, "- First item.\n\n- Second <item>."),
        (BlockKind.LIST_ITEM, "First item."),
        (BlockKind.LIST_ITEM, "Second <item>."),
        (BlockKind.ADMONITION, "Mind the size."),
        (BlockKind.TABLE, "key | value\nport | 8000"),
    ]
    assert [b.anchor for b in blocks if b.kind is BlockKind.HEADING] == [
        "uploading-files",
        "a-gentle-introduction",
    ]
    code = next(b for b in blocks if b.kind is BlockKind.CODE)
    assert (code.lang, code.label) == ("python", "app.py")
    assert next(b for b in blocks if b.kind is BlockKind.ADMONITION).label == "Note"
    for dropped in ("¶", "Sidebar", "Copyright", "menu", "color", "Index"):
        assert dropped not in text


def test_page_without_body_or_main_uses_the_content_heuristic() -> None:
    text, blocks = read_html("<h2 id='x'>Setup</h2><p>Install it with pip.</p>")
    assert [(b.kind, text[b.start : b.end], b.anchor) for b in blocks] == [
        (BlockKind.HEADING, "Setup", "x"),
        (BlockKind.PARAGRAPH, "Install it with pip.", ""),
    ]


def test_twenty_levels_of_nested_tables() -> None:
    page = "<body>" + "<table><tr><td>" * 20 + "<p>Deep cell text.</p>" + "</td></tr></table>" * 20
    text, blocks = read_html(page + "<p>After the tables.</p></body>")
    assert [text[b.start : b.end] for b in blocks] == ["Deep cell text.", "After the tables."]


def test_pathological_nesting_is_bounded() -> None:
    page = "<div>" * 5000 + "Deep words." + "</div>" * 5000
    text, _ = read_html(page)
    assert text == "Deep words."


def test_html_files_load_with_their_format(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(SPHINX_PAGE, encoding="utf-8")
    (tmp_path / "empty.html").write_text("<html><body><nav>Only a menu</nav></body></html>")
    corpus = load_corpus(tmp_path)
    (document,) = corpus.documents
    assert (document.source, document.format, document.title) == (
        "page.html",
        "html",
        "Uploading Files",
    )
    assert {w.source: w.message for w in corpus.warnings} == {
        "empty.html": "skipped: it has no readable text."
    }


def test_declared_charset_is_honoured(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1251"></head><body><p>Привет, мир.</p></body></html>'
    (tmp_path / "ru.html").write_bytes(page.encode("cp1251"))
    (document,) = load_corpus(tmp_path).documents
    assert document.text == "Привет, мир."


def test_a_single_line_page_of_two_megabytes() -> None:
    """One line, no line breaks anywhere (the 50 MB case is in ``bench/bad_input.py``)."""
    row = "<p>The quick brown fox jumps over the lazy dog again.</p>"
    page = "<html><body>" + row * (2 * 1024 * 1024 // len(row)) + "</body></html>"
    started = time.monotonic()
    text, blocks = read_html(page)
    assert len(blocks) == 2 * 1024 * 1024 // len(row)
    assert (
        text[blocks[-1].start : blocks[-1].end]
        == "The quick brown fox jumps over the lazy dog again."
    )
    assert time.monotonic() - started < 60  # bounded, not a benchmark


def test_article_is_the_main_content_and_its_own_navigation_is_dropped() -> None:
    page = (
        "<body><header><h1>Site</h1></header><nav><p>Menu item</p></nav>"
        "<article><h2 id='use'>Usage</h2><nav>On this page</nav>"
        "<p>Call <code>run()</code> &mdash; once.</p><script>track()</script></article>"
        "<aside><p>Related links</p></aside><footer>© 2026</footer></body>"
    )
    text, blocks = read_html(page)
    assert text == "Usage\n\nCall run() — once."
    assert [(b.kind, b.anchor) for b in blocks] == [
        (BlockKind.HEADING, "use"),
        (BlockKind.PARAGRAPH, ""),
    ]


def test_a_sphinx_table_is_a_table_though_its_cells_hold_paragraphs() -> None:
    """docutils wraps every cell in ``<p>``: that is still a data table, shown whole, and
    its cells are not searched as paragraphs of their own."""
    page = (
        '<div role="main"><p>This produces the following views:</p>'
        '<table class="docutils"><tbody><tr><td><p>URL</p></td><td><p>Method</p></td></tr>'
        "<tr><td><p><code>/users/</code></p></td><td><p>GET</p></td></tr></tbody></table></div>"
    )
    text, blocks = read_html(page)
    assert [(b.kind, text[b.start : b.end]) for b in blocks] == [
        (BlockKind.PARAGRAPH, "This produces the following views:"),
        (BlockKind.TABLE, "URL | Method\n/users/ | GET"),
    ]


API_PAGE = """<div role="main"><section id="api"><h1>API</h1>
<section id="app"><h2>Application Object</h2>
<dl class="py class"><dt class="sig sig-object py" id="flask.Flask">
<em class="property">class </em><span class="sig-prename descclassname">flask.</span>
<span class="sig-name descname">Flask</span>(<em>import_name</em>)<a class="headerlink">¶</a></dt>
<dd><p>The flask object implements a WSGI application.</p>
<dl class="py method"><dt class="sig sig-object py" id="flask.Flask.template_filter">
<span class="sig-name descname">template_filter</span>(<em>name=None</em>)</dt>
<dd><p>Decorate a function to register it as a custom Jinja filter.</p></dd></dl>
</dd></dl></section>
<section id="ctx"><h2>Standard Context</h2>
<dl class="py data"><dt class="sig sig-object py"><span class="sig-name descname">g</span></dt>
<dd><p>The request-bound object for global variables.</p></dd></dl>
<p>These variables are added to the context of variables.</p></section></section></div>"""


def test_an_api_entry_is_a_section_named_after_its_object() -> None:
    """Sphinx's object descriptions (autodoc's output): the name is the heading and the
    entry's id the anchor, so a quote says which function it describes and links to it;
    entries with prose after them in their section stay that section's prose."""
    text, blocks = read_html(API_PAGE)
    shown = [
        (b.kind, b.level, b.heading or text[b.start : b.end], b.anchor)
        for b in blocks
        if b.kind in (BlockKind.HEADING, BlockKind.PARAGRAPH)
    ]
    assert shown == [
        (BlockKind.HEADING, 1, "API", "api"),
        (BlockKind.HEADING, 2, "Application Object", "app"),
        (BlockKind.HEADING, 3, "flask.Flask", "flask.Flask"),
        (BlockKind.PARAGRAPH, 0, "The flask object implements a WSGI application.", ""),
        (BlockKind.HEADING, 4, "template_filter", "flask.Flask.template_filter"),
        (
            BlockKind.PARAGRAPH,
            0,
            "Decorate a function to register it as a custom Jinja filter.",
            "",
        ),
        (BlockKind.HEADING, 2, "Standard Context", "ctx"),
        (BlockKind.PARAGRAPH, 0, "The request-bound object for global variables.", ""),
        (BlockKind.PARAGRAPH, 0, "These variables are added to the context of variables.", ""),
    ]


def test_version_notes_changelog_boxes_and_footnotes_read_as_the_rst_reads_them() -> None:
    """Sphinx's "Added in version 0.3." label is not the author's text (a note with no text
    of its own gives nothing), a ``<details>`` box's summary is its label, and a docutils
    footnote (an ``<aside>``) is content, without its "[1]"."""
    page = (
        '<div role="main"><h2 id="c">Categories</h2>'
        '<details class="changelog"><summary>Changelog</summary><div class="versionadded">'
        '<p><span class="versionmodified added">Added in version 0.3.</span></p></div>'
        '<div class="versionchanged"><p><span class="versionmodified changed">Changed in '
        "version 2.3: </span>Not set by default.</p></div></details>"
        "<p>Flash with a category.</p>"
        '<aside class="footnote-list brackets"><aside class="footnote brackets" id="f1">'
        '<span class="label"><span>[</span><a href="#r">1</a><span>]</span></span>'
        "<p>Unsure what g is?</p></aside></aside>"
        '<aside class="related"><p>Next page</p></aside></div>'
    )
    text, blocks = read_html(page)
    assert [(b.kind, b.label, text[b.start : b.end]) for b in blocks] == [
        (BlockKind.HEADING, "", "Categories"),
        (BlockKind.ADMONITION, "versionchanged", "Not set by default."),
        (BlockKind.PARAGRAPH, "", "Flash with a category."),
        (BlockKind.PARAGRAPH, "", "Unsure what g is?"),
    ]


def test_ten_thousand_sibling_api_entries_are_read_in_linear_time() -> None:
    """Whether prose follows a run of API entries is asked once per run, not once per entry
    (which would walk the rest of the run each time: 5·10⁷ steps here)."""
    entry = '<dl class="py function"><dt class="sig">f</dt><dd><p>Does a thing.</p></dd></dl>'
    started = time.monotonic()
    _, blocks = read_html(f'<div role="main"><h2 id="a">API</h2>{entry * 10_000}</div>')
    assert time.monotonic() - started < 10
    assert sum(b.kind is BlockKind.HEADING for b in blocks) == 10_001
