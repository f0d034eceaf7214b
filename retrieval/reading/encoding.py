"""Decoding a file's bytes: which encoding it is in, and whether it is text at all.

The order is what makes the common cases certain and the rare ones safe:

1. a byte-order mark decides (UTF-8, UTF-16 or UTF-32; UTF-32's is tested first, since its
   little-endian mark begins with UTF-16's), and the mark is dropped so offsets count what a
   reader sees;
2. strict UTF-8 — nearly every modern file, and no legacy text of any length passes it by
   accident;
3. otherwise charset-normalizer decides (it measures how "messy" each candidate decoding is).
   When it finds a non-Latin script (Cyrillic cp1251, GB18030, Shift-JIS, Greek, UTF-16 without
   a mark…), its choice stands. When the text is Latin script, the choice between the dozen
   Latin code pages is weak on short texts, so Windows-1252 (then Latin-1) is preferred whenever
   it decodes to Western European letters and punctuation — by far the most common stray
   encoding — and charset-normalizer's choice is kept only where Windows-1252 would give
   characters no Western text has (Polish in cp1250, say);
4. NUL bytes outside UTF-16/32, C1 control characters, a text that is more than 2% control
   characters, or fewer than four non-ASCII characters that are not Western European (a stray
   byte: no detection can tell its code page) mean a binary file, which is skipped.

Known limit: Czech or Slovak in cp1250 uses only letters that Windows-1252 also has, and is
read as Windows-1252 (the note says so).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WESTERN = frozenset(
    "ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿŒœŠšŽžŸ"
    "\u00a0¡¢£¤¥§¨©ª«¬\u00ad®°±²³´µ¶·¸¹º»¼½¾¿×÷‘’‚“”„†‡•…‰‹›€™–—ƒˆ˜"
)
"""What Western European text decoded as Windows-1252 contains beyond ASCII."""
_DETECTION_SAMPLE = 256 * 1024
"""charset-normalizer looks at this much of a large file (it samples anyway)."""
_NAMES = {
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "cp1252": "Windows-1252",
    "cp1253": "Windows-1253",
    "cp1254": "Windows-1254",
    "cp1255": "Windows-1255",
    "cp1256": "Windows-1256",
    "cp932": "Shift-JIS (cp932)",
    "shift_jis": "Shift-JIS",
    "gb18030": "GB18030",
    "gb2312": "GB2312",
    "big5": "Big5",
    "euc_jp": "EUC-JP",
    "euc_kr": "EUC-KR",
    "koi8_r": "KOI8-R",
    "utf_16_le": "UTF-16LE",
    "utf_16_be": "UTF-16BE",
    "utf_32_le": "UTF-32LE",
    "utf_32_be": "UTF-32BE",
    "latin_1": "Latin-1",
}


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text, the codec it was read with, and a note for the user when it was not
    UTF-8 (naming the encoding chosen); ``note`` is empty for UTF-8/16/32 with a mark."""

    text: str
    encoding: str
    note: str = ""


_INSIDE_WORD = re.compile(r"[^\W\d_][¡-¶¸-¿×÷ƒˆ˜‚„†‡•…‰‹›€™][^\W\d_]")
"""A Western symbol between two letters: never in Western text (’ and · are allowed)."""
_FEW = 4
"""With fewer non-ASCII characters than this, no detection is trustworthy: unless they read
as Western European, the file is refused rather than guessed."""


def _controls(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")


def _western(data: bytes) -> Decoded | None:
    """Windows-1252 (or Latin-1 where 1252 leaves a byte undefined), if that reads as
    Western European text; None when it gives C1 controls or letters no such text has."""
    try:
        text, encoding, name = data.decode("cp1252"), "windows-1252", "Windows-1252"
    except UnicodeDecodeError:
        text, encoding, name = data.decode("latin-1"), "latin-1", "Latin-1"
    if any("\x80" <= ch <= "\x9f" for ch in text):
        return None
    if any(ord(ch) > 127 and ch not in _WESTERN for ch in text):
        return None
    if _INSIDE_WORD.search(text):
        return None  # "Za¿ó³æ": Polish read as 1252 puts symbols inside words
    return Decoded(text, encoding, f"not valid UTF-8; read as {name}.")


def _latin_script(text: str) -> bool:
    """Are the non-ASCII letters of ``text`` (mostly) Latin script?"""
    latin = other = 0
    for ch in text:
        if ord(ch) > 127 and ch.isalpha():
            if unicodedata.name(ch, "").startswith("LATIN"):
                latin += 1
            else:
                other += 1
    return latin >= other


def decode_bytes(data: bytes, declared: str = "") -> Decoded | None:
    """The text of ``data``, or None when it is not text (see the module docstring).
    ``declared`` is an encoding the file names itself (an HTML ``<meta charset>``): tried
    strictly after UTF-8, before detection."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError:
                return None
    if b"\x00" not in data:  # NUL is valid UTF-8, but text never has it: UTF-16 without a mark
        try:
            return Decoded(data.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            text = data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if not _controls(text):
                return Decoded(text, declared, f"not valid UTF-8; read as {declared} (declared).")
    from charset_normalizer import from_bytes  # only for a file that is not UTF-8: start-up

    best = from_bytes(data[:_DETECTION_SAMPLE]).best()
    if best is None:
        return None
    codec = best.encoding
    wide = codec.startswith(("utf_16", "utf_32"))
    if b"\x00" in data and not wide:
        return None
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None
    if not wide and _latin_script(text):
        western = _western(data)
        if western is not None:
            return western
    if not wide and sum(1 for ch in text if ord(ch) > 127) < _FEW and _western(data) is None:
        return None  # a stray byte or two in ASCII text: any code page would "decode" it
    if _controls(text) > len(text) * 0.02:
        return None
    name = _NAMES.get(codec, codec)
    return Decoded(text, codec, f"not valid UTF-8; read as {name} (detected).")
