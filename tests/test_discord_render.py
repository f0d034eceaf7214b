"""Property tests: any answer, any documents → a payload Discord accepts, that pings no one.

The limits are checked by an implementation written here, independently of the renderer's own
``limit_problems``, so a mistake in one cannot hide a mistake in the other.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord_render import (
    Button,
    Payload,
    escape,
    highlight,
    limit_problems,
    render_answer,
    render_cooldown,
    render_help,
    render_notice,
    render_paragraph,
    render_sources,
    render_vote,
    thread_name,
    with_votes,
)
from retrieval import (
    AbstainReason,
    Answer,
    Citation,
    FollowUp,
    Hit,
    Passage,
    Sentence,
    SourceSummary,
)
from retrieval.types import QuotedBlock

NASTY = [
    "@everyone",
    "@here",
    "<@123>",
    "<@!123>",
    "<@&456>",
    "<#1>",
    "```",
    "**",
    "__",
    "||",
    "# ",
    "> ",
    "- ",
    "1. ",
    "[x](https://e.com)",
    ":smile:",
    "<t:1:R>",
    "\\",
    "\n",
    "\u200b",
    "é",
    "🙂",
    "city",
    "Denver",
]
nasty_text = st.lists(
    st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=30)), max_size=60
).map(" ".join)
big_text = st.one_of(
    nasty_text,
    st.integers(1, 12_000).map(lambda n: ("word **bold** @everyone <@1> " * (n // 28 + 1))[:n]),
    st.integers(1, 6000).map(lambda n: "x" * n),
)
file_name = st.one_of(
    st.text(min_size=1, max_size=40),
    st.integers(1, 600).map(lambda n: "_*`" * n + ".md"),
    st.sampled_from(["guide.md", "a/b.markdown"]),
)
code_text = st.one_of(
    big_text,
    st.tuples(st.sampled_from(["```", "~~~", "````", "``` py {x}", "```\u200b"]), nasty_text).map(
        lambda t: f"{t[0]}\n{t[1]}\n```"
    ),
    st.integers(1, 400).map(lambda n: "```sh\n" + "echo `x` ``` @here <@1>\n" * n + "```"),
    st.lists(nasty_text, max_size=40).map(lambda items: "\n".join(f"- {i}" for i in items)),
)


@st.composite
def quoted_blocks(draw: st.DrawFn, sentences: int, numbers: list[int]) -> QuotedBlock:
    text = draw(code_text) or "x"
    start = draw(st.integers(0, 10_000))
    return QuotedBlock(
        kind=draw(st.sampled_from(["code", "table", "list"])),
        text=text,
        start=start,
        end=start + len(text),
        citation=draw(st.sampled_from(numbers)),
        lang=draw(st.one_of(st.just(""), st.sampled_from(["python", "```", "a b"]), nasty_text)),
        after=draw(st.integers(0, sentences - 1)),
        full_end=start + len(text) + draw(st.sampled_from([0, 0, 5000])),
    )


@st.composite
def passages(draw: st.DrawFn, n: int) -> Passage:
    text = draw(big_text) or "x"
    start = draw(st.integers(0, 10_000))
    return Passage(
        id=f"{n:016x}",
        source=draw(file_name),
        paragraph=draw(st.integers(1, 100_000)),
        start=start,
        end=start + len(text),
        text=text,
        context=draw(st.one_of(st.just(""), nasty_text)),
    )


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    count = draw(st.integers(0, 30))
    cited = [draw(passages(i)) for i in range(count)]
    citations = tuple(Citation(i + 1, p, 1.0) for i, p in enumerate(cited))
    sentences: list[Sentence] = []
    for citation in citations[: draw(st.integers(0, 12))]:
        p = citation.passage
        a = draw(st.integers(0, len(p.text) - 1))
        b = draw(st.integers(a + 1, len(p.text)))
        sentences.append(Sentence(p.text[a:b], citation.n, p.start + a, p.start + b, 1.0))
    answered = bool(sentences)
    terms = tuple(draw(st.lists(st.sampled_from(["citi", "denver", "word", "bold", "x"]))))
    blocks: tuple[QuotedBlock, ...] = ()
    if answered:
        numbers = [s.citation for s in sentences]
        blocks = tuple(
            sorted(
                draw(st.lists(quoted_blocks(len(sentences), numbers), max_size=4)),
                key=lambda b: b.after,
            )
        )
    return Answer(
        question=draw(big_text),
        sentences=tuple(sentences),
        citations=citations if answered else (),
        hits=tuple(Hit(c.passage, 1.0, c.n) for c in citations),
        related=() if answered else citations,
        abstain_reason=None if answered else draw(st.sampled_from(list(AbstainReason))),
        confidence=draw(st.floats(0, 1)),
        query_terms=terms,
        follow_up=draw(st.one_of(st.none(), st.builds(FollowUp, st.integers(1, 10**6), big_text))),
        blocks=blocks,
    )


def unescaped(text: str, marker: str) -> int:
    """How many times ``marker`` stands in ``text`` as Markdown reads it: a backslash escapes
    the one character after it (so ``\\**`` is an escaped backslash, then a real marker)."""
    count = i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith(marker, i):
            count += 1
            i += len(marker)
        else:
            i += 1
    return count


def violations(payload: Payload) -> list[str]:
    """Discord's limits, restated from its documentation."""
    found = []
    if len(payload.content) > 2000:
        found.append("content")
    if len(payload.embeds) > 10:
        found.append("embeds")
    total = 0
    for embed in payload.embeds:
        texts: list[tuple[str, str, int]] = [
            ("title", embed.get("title", ""), 256),
            ("description", embed.get("description", ""), 4096),
            ("footer", embed.get("footer", {}).get("text", ""), 2048),
        ]
        if len(embed.get("fields", [])) > 25:
            found.append("fields")
        for f in embed.get("fields", []):
            texts += [("name", f["name"], 256), ("value", f["value"], 1024)]
            if not f["name"].strip() or not f["value"].strip():
                found.append("empty field")
        for what, text, limit in texts:
            total += len(text)
            if len(text) > limit:
                found.append(f"{what} {len(text)}")
            # A code fence left open would swallow the rest of the message into code.
            if unescaped(text, "```") % 2:
                found.append(f"{what}: unbalanced fence")
    if total > 6000:
        found.append(f"total {total}")
    if len(payload.buttons) > 25 or any(len(b.custom_id) > 100 for b in payload.buttons):
        found.append("buttons")
    # At most five action rows of five buttons; unplaced buttons fill rows from the top.
    rows = [0] * 5
    for button in payload.buttons:
        free = [r for r in range(5) if rows[r] < 5]
        row = button.row if button.row is not None else (free[0] if free else 5)
        if row > 4 or rows[row] >= 5:
            found.append(f"button row {row}")
            continue
        rows[row] += 1
    return found


def all_text(payload: Payload) -> list[str]:
    texts = [payload.content]
    for embed in payload.embeds:
        texts += [embed.get("title", ""), embed.get("description", "")]
        texts.append(embed.get("footer", {}).get("text", ""))
        for f in embed.get("fields", []):
            texts += [f["name"], f["value"]]
    return texts


UNESCAPED = re.compile(r"(?<!\\)(<[@#]|`|@everyone|@here|\|\|)", re.IGNORECASE)
FENCED = re.compile(r"(?<!\\)```[\w+#.-]*\n(.*?)\n```", re.DOTALL)
INLINE_CODE = re.compile(r"(?<!\\)`` (.+?) ``|(?<!\\)`([^`\n]+)`")
PING_IN_CODE = re.compile(r"@(everyone|here)|<[@#][!&]?\d", re.IGNORECASE)


def split_code(text: str) -> tuple[str, list[str]]:
    """The text outside code (fenced blocks, then inline spans), and the code pieces."""
    codes: list[str] = []

    def take(match: re.Match[str]) -> str:
        codes.append(next(g for g in match.groups() if g is not None))
        return " "

    rest = INLINE_CODE.sub(take, FENCED.sub(take, text))
    return rest, codes


def assert_safe(payload: Payload) -> None:
    """Outside code nothing is unescaped; inside code no mention survives and no fence can
    close early (a code piece holds no run of three backticks)."""
    for text in all_text(payload):
        rest, codes = split_code(text)
        assert not UNESCAPED.search(rest), rest[:200]
        for code in codes:
            assert not PING_IN_CODE.search(code), code[:200]
            assert "```" not in code, code[:200]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers())
def test_any_answer_fits_discord_and_pings_no_one(answer: Answer) -> None:
    payload = render_answer(answer)
    assert violations(payload) == []
    assert limit_problems(payload) == []
    assert_safe(payload)
    # Bold markers come in pairs, so quoted text can never run bold into our layout.
    for text in all_text(payload):
        rest, _ = split_code(text)
        assert unescaped(rest, "**") % 2 == 0


@settings(max_examples=100, deadline=None)
@given(
    passages(1),
    st.one_of(st.none(), passages(2)),
    st.one_of(st.none(), passages(3)),
    st.one_of(st.none(), quoted_blocks(1, [0])),
)
def test_any_paragraph_fits(
    passage: Passage, before: Passage | None, after: Passage | None, block: QuotedBlock | None
) -> None:
    payload = render_paragraph(passage, before, after, block)
    assert violations(payload) == []
    assert_safe(payload)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(file_name, nasty_text, st.integers(0, 10**6)), max_size=400))
def test_any_sources_fit(sources: list[tuple[str, str, int]]) -> None:
    payload = render_sources([SourceSummary(*s) for s in sources])
    assert violations(payload) == []
    assert_safe(payload)


@given(big_text)
def test_notices_fit_and_are_escaped(text: str) -> None:
    payload = render_notice(text)
    assert violations(payload) == []
    assert_safe(payload)


def test_escape_neutralises_every_mention_and_fence() -> None:
    text = escape("@everyone @here <@123> <@!123> <@&456> <#1> ```py\nx```")
    assert "@everyone" not in text and "@here" not in text
    assert not re.search(r"(?<!\\)<[@#]", text)
    assert not re.search(r"<@!?&?\d", text)
    assert "```" not in text and "\n" not in text


def test_highlight_bolds_query_terms_by_their_stem() -> None:
    assert highlight("The city's cities, Denver.", frozenset({"citi", "denver"})) == (
        "The **city's** **cities**, **Denver**."
    )


def test_long_paragraph_is_trimmed_around_the_quoted_sentence() -> None:
    filler = "Filler words about nothing in particular. " * 100
    target = "The ordinance was passed on Monday by the council."
    text = filler + target + " " + filler
    passage = Passage("a" * 16, "doc.md", 3, 0, len(text), text)
    start = text.index(target)
    sentence = Sentence(target, 1, start, start + len(target), 1.0)
    answer = Answer(
        "when was the ordinance passed",
        (sentence,),
        (Citation(1, passage, 2.0),),
        (Hit(passage, 2.0, 1),),
        confidence=0.9,
        query_terms=("ordin", "pass"),
    )
    payload = render_answer(answer)
    embed: dict[str, Any] = payload.embeds[0]
    value = embed["fields"][0]["value"]
    assert len(text) > 4000 and len(value) <= 1024
    assert "**ordinance**" in value and value.startswith("…") and value.endswith("…")
    assert embed["fields"][0]["name"] == "[1] doc.md · ¶ 3"
    assert "The **ordinance** was **passed** on Monday" in value
    assert embed["description"].endswith("The ordinance was passed on Monday by the council. [1]")
    assert [b.custom_id for b in payload.buttons] == ["citebot:p:" + "a" * 16]


def test_abstention_shows_the_message_and_maybe_related() -> None:
    passage = Passage("b" * 16, "doc.md", 2, 0, 10, "some text")
    answer = Answer(
        "zebra?",
        (),
        (),
        (),
        related=(Citation(1, passage, 0.5),),
        abstain_reason=AbstainReason.LOW_CONFIDENCE,
    )
    embed = render_answer(answer).embeds[0]
    assert embed["title"] == "No answer found"
    assert "don't seem to answer" in embed["description"]
    assert embed["fields"][0]["name"].startswith("Maybe [1]")


def test_help_and_cooldown_fit() -> None:
    assert violations(render_help()) == []
    assert render_cooldown(4.2).content.endswith("try again in 5 s.")


def test_adjacent_bold_words_make_one_bold_run() -> None:
    assert highlight("take 2.5mg daily", frozenset({"2.5", "mg"})) == "take **2\\.5mg** daily"


def test_direction_overrides_and_controls_from_documents_are_dropped() -> None:
    text = "The quokka festival \u202e happens\x00 every \u2066March\u2069 in Perth."
    assert escape(text) == "The quokka festival happens every March in Perth."


def test_buttons_only_for_ids_the_handler_can_route() -> None:
    good, odd = Passage("c" * 16, "a.md", 1, 0, 4, "text"), Passage("d:e", "a.md", 2, 0, 4, "text")
    sentences = (Sentence("text", 1, 0, 4, 1.0), Sentence("text", 2, 0, 4, 1.0))
    citations = (Citation(1, good, 1.0), Citation(2, odd, 1.0))
    answer = Answer("q", sentences, citations, (Hit(good, 1.0, 1), Hit(odd, 1.0, 2)))
    assert [b.custom_id for b in render_answer(answer).buttons] == ["citebot:p:" + "c" * 16]


def test_a_multi_megabyte_paragraph_renders_within_limits() -> None:
    text = "Filler words about nothing. " * 80_000 + "The ordinance passed."
    passage = Passage("a" * 16, "doc.md", 1, 0, len(text), text)
    start = text.index("The ordinance")
    answer = Answer(
        "ordinance", (Sentence(text[start:], 1, start, len(text), 1.0),),
        (Citation(1, passage, 1.0),), (Hit(passage, 1.0, 1),), query_terms=("ordin",),
    )  # fmt: skip
    payload = render_answer(answer)
    assert limit_problems(payload) == []
    assert "**ordinance**" in payload.embeds[0]["fields"][0]["value"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers(), st.integers(0, 25))
def test_vote_buttons_get_a_row_of_their_own_within_discords_limits(
    answer: Answer, extra: int
) -> None:
    payload = render_answer(answer)
    # However many "Show paragraph" buttons a payload already has (up to all 25).
    more = tuple(Button(f"b{i}", f"citebot:p:{i:016x}") for i in range(extra))
    crowded = Payload(payload.content, payload.embeds, (payload.buttons + more)[:25])
    voted = with_votes(crowded, "AbCdEf012345")
    assert violations(voted) == [] and limit_problems(voted) == []
    up, down = voted.buttons[-2:]
    assert (up.label, down.label) == ("👍", "👎")
    assert (up.custom_id, down.custom_id) == (
        "citebot:vote:up:AbCdEf012345",
        "citebot:vote:down:AbCdEf012345",
    )
    shown = voted.buttons[:-2]
    assert up.row == down.row == -(-len(shown) // 5)  # the row after the last full one
    assert shown == crowded.buttons[: len(shown)] and len(shown) >= min(len(crowded.buttons), 20)


def test_vote_buttons_only_for_ids_the_handler_can_route() -> None:
    payload = Payload(content="x")
    assert with_votes(payload, "has:colon") == payload
    assert with_votes(payload, "x" * 41) == payload


def test_too_many_button_rows_are_a_problem() -> None:
    six_rows = Payload(buttons=tuple(Button("b", f"citebot:p:{i}", row=i) for i in range(6)))
    assert any("rows" in p for p in limit_problems(six_rows))
    crowded_row = Payload(buttons=tuple(Button("b", f"citebot:p:{i}", row=0) for i in range(6)))
    assert any("row holds" in p for p in limit_problems(crowded_row))


def test_vote_replies() -> None:
    assert render_vote("up").content == "Thanks — noted."
    assert render_vote("down").content == "Thanks — we'll use this to improve the answers."
    assert "couldn't save" in render_vote("anything else").content


def test_a_follow_up_names_the_question_it_leaned_on() -> None:
    passage = Passage("0" * 16, "a.md", 1, 0, 12, "Some words.", "")
    answer = Answer(
        "What did he say?",
        (Sentence("Some words.", 1, 0, 11, 1.0),),
        (Citation(1, passage, 1.0),),
        (Hit(passage, 1.0, 1),),
        follow_up=FollowUp(2, "Who is @everyone's **mayor**?"),
    )
    description = render_answer(answer).embeds[0]["description"]
    assert description.startswith(
        "**Question:** What did he say?\n*Follow-up to question 2: Who is @\u200beveryone's "
        "\\*\\*mayor\\*\\*?*\n\n"
    )


@given(nasty_text)
def test_thread_names_are_one_short_line(question: str) -> None:
    name = thread_name(question)
    assert 1 <= len(name) <= 100 and "\n" not in name


# --- quoted Markdown and blocks ---------------------------------------------------------------


def _markdown_answer(sentence: str, *blocks: QuotedBlock) -> Answer:
    passage = Passage("c" * 16, "guide.md", 4, 0, len(sentence), sentence)
    quoted = Sentence(sentence, 1, 0, len(sentence), 1.0)
    return Answer(
        "q", (quoted,), (Citation(1, passage, 1.0),), (Hit(passage, 1.0, 1),), blocks=blocks
    )


def test_quoted_markdown_is_sent_as_markdown() -> None:
    answer = _markdown_answer(
        "Use **`uv lock --upgrade-package`** and *see* [the guide](https://x.org/a_(b)) "
        "or [locking](../concepts/lock.md) @everyone:"
    )
    description = render_answer(answer).embeds[0]["description"]
    assert "**`uv lock --upgrade-package`**" in description
    assert "*see*" in description
    assert "[the guide](https://x.org/a_%28b%29)" in description
    assert "locking" in description and "lock.md" not in description  # no dead relative link
    assert "@everyone" not in description


def test_the_citation_excerpt_of_a_markdown_quote_shows_no_raw_markup() -> None:
    """The answer rendered the quote as Markdown while its citation field, escaped, showed the
    same text with literal backticks, ``**``, ``{func}`` roles and ``\\[text\\]\\(url\\)``."""
    answer = _markdown_answer(
        "Use **`uv lock`** with {func}`~click.echo`, see [the guide](https://x.org/a)."
    )
    [field] = render_answer(answer).embeds[0]["fields"]
    assert field["value"] == "Use uv lock with echo, see the guide."
    text = Passage("d" * 16, "notes.txt", 1, 0, 12, "Use `x` *y*.")
    plain = Answer("q", (Sentence(text.text, 1, 0, 12, 1.0),), (Citation(1, text, 1.0),), ())
    assert render_answer(plain).embeds[0]["fields"][0]["value"] == "Use \\`x\\` \\*y\\*."


def test_show_paragraph_sends_a_markdown_paragraph_as_markdown() -> None:
    """ "Show paragraph" escaped the whole paragraph, so a Markdown file's backticks and links
    showed literally; a plain-text file's paragraph is still escaped."""
    text = "Run `uv lock` or see [the guide](https://x.org/a) and [here](lock.md) @everyone."
    passage = Passage("e" * 16, "guide.md", 3, 0, len(text), text)
    description = render_paragraph(passage).embeds[0]["description"]
    assert description.startswith("Run `uv lock` or see [the guide](https://x.org/a) and here")
    assert "lock.md" not in description and "@everyone" not in description
    plain = Passage("f" * 16, "notes.txt", 3, 0, len(text), text)
    assert render_paragraph(plain).embeds[0]["description"].startswith("Run \\`uv lock\\`")


def test_citation_fields_are_titled_with_the_file_and_line_or_page() -> None:
    """Fields were titled "guide.md · ¶ 17" while the terminal cites "guide.md:86": a paragraph
    number cannot be looked up in an editor, and the two front ends disagreed."""
    text = "Install it with the installer."
    for line, page, name in ((86, 0, "[1] guide.md\\:86"), (0, 12, "[1] guide.md p. 12")):
        passage = replace(
            Passage("e" * 16, "guide.md", 17, 0, len(text), text), line=line, page=page
        )
        answer = Answer(
            "q", (Sentence(text, 1, 0, len(text), 1.0),), (Citation(1, passage, 1.0),), ()
        )
        assert render_answer(answer).embeds[0]["fields"][0]["name"] == name


def test_a_code_block_follows_its_sentence_with_its_language() -> None:
    code = "```python\nimport flask\nprint('@here <@1> ``` end')\n```"
    block = QuotedBlock("code", code, 100, 100 + len(code), 1, "python", 0)
    description = render_answer(_markdown_answer("Then run:", block)).embeds[0]["description"]
    body = description.split("\n\n", 1)[1]
    assert body.startswith("Then run\\: [1]\n```python\nimport flask\n")
    assert body.endswith("\n```")
    _, codes = split_code(body)
    assert codes and not PING_IN_CODE.search(codes[0]) and "```" not in codes[0]


def test_a_long_block_is_cut_at_a_line_with_an_ellipsis_and_a_pointer() -> None:
    code = "```sh\n" + "\n".join(f"echo {i}" for i in range(500)) + "\n```"
    block = QuotedBlock("code", code, 100, 100 + len(code), 1, "sh", 0)
    description = render_answer(_markdown_answer("Run these:", block)).embeds[0]["description"]
    assert "echo 19\n…\n```\n*(the whole block: Show paragraph [1])*" in description
    assert "echo 20\n" not in description
    payload = render_paragraph(Passage("c" * 16, "guide.md", 4, 0, 10, "Run these:"), block=block)
    assert violations(payload) == [] and "echo 300" in payload.embeds[1]["description"]


def test_a_list_is_shown_as_bullets_of_markdown() -> None:
    items = "- `--frozen`: do not lock\n  - nested *item*\n1. first"
    block = QuotedBlock("list", items, 100, 100 + len(items), 1, "", 0)
    description = render_answer(_markdown_answer("Options:", block)).embeds[0]["description"]
    assert "\n• `--frozen`\\: do not lock\n\u00a0\u00a0• nested *item*\n1\\. first" in description


def test_the_marker_counter_reads_escapes_as_discord_does() -> None:
    """The checker itself: ``\\\\**X**`` (an escaped backslash, then bold X, as a quoted
    ``\\X`` renders highlighted) has two real markers; ``\\**`` is an escaped star pair."""
    assert unescaped("\\\\**X**", "**") == 2
    assert unescaped("\\**X**", "**") == 1
    assert unescaped("a ``` b \\``` c", "```") == 1


def test_a_sentence_after_a_list_starts_a_line_of_its_own() -> None:
    """After a quoted list the next sentence was glued onto the last bullet ("• `pyyaml` -
    Required for SchemaGenerator support. Ensure templating does not … [3]"), so it read as
    part of that item; after a code block it already started a new line."""
    items = "- `httpx` - Required for the TestClient.\n- `pyyaml` - Required for schemas."
    passage = Passage("c" * 16, "index.md", 4, 0, 9, "Optional:")
    later = Passage("d" * 16, "notes.md", 5, 0, 14, "Ensure it is.")
    answer = Answer(
        "q",
        (Sentence("Optional:", 1, 0, 9, 1.0), Sentence("Ensure it is.", 2, 0, 13, 1.0)),
        (Citation(1, passage, 1.0), Citation(2, later, 1.0)),
        (Hit(passage, 1.0, 1), Hit(later, 1.0, 2)),
        blocks=(QuotedBlock("list", items, 100, 100 + len(items), 1, "", 0),),
    )
    description = render_answer(answer).embeds[0]["description"]
    assert description.endswith("Required for schemas.\nEnsure it is. [2]")


def test_a_citation_without_a_link_still_names_its_section() -> None:
    """With no published URL a field gave only "libtasn1.pdf p. 16": the section ("asn1 read
    value", the function the quote documents) that the terminal shows after "›" and a linked
    field shows in its link was nowhere. It now follows the place in the field's name."""
    text = "Returns the value of one element inside a structure."
    passage = replace(
        Passage("e" * 16, "libtasn1.pdf", 17, 0, len(text), text),
        page=16,
        headings=("4 Library API", "asn1 read value"),
    )
    answer = Answer("q", (Sentence(text, 1, 0, len(text), 1.0),), (Citation(1, passage, 1.0),), ())
    [field] = render_answer(answer).embeds[0]["fields"]
    assert field["name"] == "[1] libtasn1\\.pdf p. 16 › asn1 read value"
    linked = Citation(1, passage, 1.0, url="https://x.org/libtasn1.pdf#page=16")
    linked_answer = replace(answer, citations=(linked,))
    [field] = render_answer(linked_answer).embeds[0]["fields"]
    assert field["name"] == "[1] libtasn1\\.pdf p. 16"  # the link below it names the section


def test_a_matched_part_of_an_identifier_bolds_the_whole_identifier() -> None:
    """``ASN1_ELEMENT_NOT_FOUND`` was highlighted piece by piece, its stopword left out
    (``**ASN1**\\_**ELEMENT**\\_NOT\\_**FOUND**``): four markers in one name, hard to read and to
    copy. An identifier joined by underscores is one word to its reader."""
    terms = frozenset({"asn1", "element", "found"})
    assert highlight("returns ASN1_ELEMENT_NOT_FOUND , if", terms) == (
        "returns **ASN1\\_ELEMENT\\_NOT\\_FOUND** , if"
    )
    assert highlight("the element_name was", terms) == "the **element\\_name** was"
    assert highlight("an element, not found", terms) == "an **element**, not **found**"
