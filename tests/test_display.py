"""Display width and grapheme clusters: what the REPL wraps by and Discord trims by."""

from __future__ import annotations

from bot import discord_render
from bot.display import clip_graphemes, fit_width, isolate, width, wrap


def test_cjk_characters_take_two_columns_and_marks_none() -> None:
    assert width("北京ab") == 6
    assert width("e\u0301") == 1


def test_wrapping_by_display_width_breaks_between_cjk_characters() -> None:
    text = "黑豹队的防守只丢了 308分，在联赛中排名第六"
    lines = wrap(text, 10)
    assert all(width(line) <= 10 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert "308分，" in "".join(lines)  # the number is not cut in two
    assert wrap("one two three", 7) == ["one two", "three"]


def test_trimming_never_breaks_a_grapheme_cluster() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji, five code points
    text = "ab" + family + "cd"
    assert clip_graphemes(text, 4) == "ab"
    assert clip_graphemes(text, 7) == "ab" + family
    assert clip_graphemes("cafe\u0301!", 4) == "caf"
    assert fit_width("北京市", 5) == "北京"


def test_right_to_left_quotes_are_isolated() -> None:
    assert isolate("بيروت هي عاصمة لبنان.") == "\u2068بيروت هي عاصمة لبنان.\u2069"
    assert isolate("plain text") == "plain text"


def test_discord_clip_keeps_whole_characters() -> None:
    text = "x" * 10 + "e\u0301" * 10
    clipped = discord_render.clip(text, 12)
    assert len(clipped) <= 12
    assert not clipped.rstrip("…").endswith("e")  # never an "e" without its accent


def test_text_measured_without_wcwidth_measures_as_wcwidth_does() -> None:
    """The narrow fast path (no wcwidth import for Latin text) agrees with wcwidth on every
    code point it covers: one column each, each its own grapheme cluster, beside any other."""
    import wcwidth

    from bot.display import _NARROW, graphemes

    covered = [chr(c) for c in range(0x20, 0x2100) if _NARROW.fullmatch(chr(c))]
    assert (
        len(covered) == 95 + 224 + 24 + 47
        and "’" in covered
        and "é" in covered
        and "\u0301" not in covered
    )
    for char in covered:
        assert wcwidth.width(char) == 1, hex(ord(char))
        assert list(wcwidth.iter_graphemes(f"a{char}\u2014{char}b")) == ["a", char, "—", char, "b"]
    text = "Denver’s “sanctuary” ordinance — passed…"
    assert width(text) == wcwidth.width(text) and graphemes(text) == list(text)
    assert width("cafe\u0301") == 4 and graphemes("cafe\u0301") == ["c", "a", "f", "e\u0301"]
