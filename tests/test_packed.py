"""The packed arrays of a saved index (retrieval/index/packed.py): any slice reads back exactly
what was packed, with or without a trained dictionary, and damage to a frame is reported,
never returned as text."""

from __future__ import annotations

import random

import numpy as np
import pytest

from retrieval.errors import IndexDamagedError
from retrieval.index import packed

WORDS = "the lighthouse keeper logs weather at dawn before boat leaves noon café naïve".split()


def _text(size: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    words = []
    total = 0
    while total < size:
        word = rng.choice(WORDS) if rng.random() < 0.9 else f"w{rng.randrange(10**6)}"
        words.append(word)
        total += len(word.encode()) + 1
    return " ".join(words).encode()[:size]


def _frames_bytes(frames: object) -> bytearray:
    return bytearray(np.asarray(frames, dtype=np.uint8).tobytes())


@pytest.mark.parametrize("size", [0, 1, packed.TEXT_BLOCK, 3 * packed.TEXT_BLOCK + 17])
def test_text_reads_back_exactly_without_a_dictionary(size: int) -> None:
    text = _text(size)
    source = np.frombuffer(text, dtype=np.uint8)
    assert packed.train_dictionary(source) == b""  # too small to need one
    frames, offsets = packed.pack(source, 1, packed.TEXT_BLOCK)
    data = packed.PackedBytes("text_z", frames, offsets, len(text), np.uint8, packed.TEXT_BLOCK)
    rng = random.Random(size)
    for _ in range(200):
        lo = rng.randrange(size + 1)
        hi = rng.randrange(lo, size + 1)
        assert data[lo:hi] == text[lo:hi]
    assert bytes(np.asarray(data)) == text


def test_text_reads_back_exactly_with_a_trained_dictionary() -> None:
    text = _text(packed._MIN_DICTIONARY_TEXT + 12_345, seed=1)
    source = np.frombuffer(text, dtype=np.uint8)
    dictionary = packed.train_dictionary(source)
    assert dictionary  # enough text: one is trained...
    assert packed.train_dictionary(source) == dictionary  # ...the same one each time
    frames, offsets = packed.pack(source, 1, packed.TEXT_BLOCK, dictionary)
    assert offsets[-1] < len(text) / 2  # and it compresses
    data = packed.PackedBytes(
        "text_z", frames, offsets, len(text), np.uint8, packed.TEXT_BLOCK, dictionary=dictionary
    )
    rng = random.Random(2)
    for _ in range(300):
        lo = rng.randrange(len(text))
        hi = min(len(text), lo + rng.randrange(3 * packed.TEXT_BLOCK))
        assert data[lo:hi] == text[lo:hi]


def test_ids_read_back_exactly() -> None:
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 500_000, 5 * packed.TOKEN_BLOCK + 3).astype(np.int32)
    frames, offsets = packed.pack(ids, 4, packed.TOKEN_BLOCK)
    data = packed.PackedInts("tokens_z", frames, offsets, len(ids), np.int32, packed.TOKEN_BLOCK)
    for lo, hi in [(0, 0), (0, 1), (5, 900), (255, 257), (0, len(ids)), (len(ids) - 2, len(ids))]:
        assert data[lo:hi].tolist() == ids[lo:hi].tolist()
    assert int(data[-1]) == int(ids[-1]) and int(data[700]) == int(ids[700])
    assert np.array_equal(np.asarray(data), ids)
    with pytest.raises(IndexError):
        data[len(ids)]


def test_a_damaged_frame_is_reported_never_read_as_other_text() -> None:
    """Every bit of frame 1 flipped in turn: reading it either raises IndexDamagedError or
    gives the exact text (a bit the decoder ignores), never other text; and nearly every
    flip is caught (the file's xxh3 checksums catch the rest in ``--verify``)."""
    text = _text(4 * packed.TEXT_BLOCK, seed=4)
    frames, offsets = packed.pack(np.frombuffer(text, dtype=np.uint8), 1, packed.TEXT_BLOCK)
    first, end = int(offsets[1]), int(offsets[2])
    wanted = text[packed.TEXT_BLOCK : 2 * packed.TEXT_BLOCK]
    caught = flips = 0
    for where in range(first, end):
        for bit in range(8):
            damaged = _frames_bytes(frames)
            damaged[where] ^= 1 << bit
            data = packed.PackedBytes(
                "text_z",
                np.frombuffer(bytes(damaged), dtype=np.uint8),
                offsets,
                len(text),
                np.uint8,
                packed.TEXT_BLOCK,
            )
            assert data[0:100] == text[:100]  # frame 0 is intact
            flips += 1
            try:
                assert data[packed.TEXT_BLOCK : 2 * packed.TEXT_BLOCK] == wanted
            except IndexDamagedError:
                caught += 1
    assert caught >= 0.9 * flips


def test_offsets_out_of_order_are_reported() -> None:
    text = _text(3 * packed.TEXT_BLOCK, seed=5)
    frames, offsets = packed.pack(np.frombuffer(text, dtype=np.uint8), 1, packed.TEXT_BLOCK)
    bad = offsets.copy()
    bad[2] = bad[1]  # frame 1 empty
    data = packed.PackedBytes("text_z", frames, bad, len(text), np.uint8, packed.TEXT_BLOCK)
    with pytest.raises(IndexDamagedError):
        data[packed.TEXT_BLOCK : packed.TEXT_BLOCK + 1]
    with pytest.raises(ValueError, match="frames"):
        packed.PackedBytes("text_z", frames, offsets[:-1], len(text), np.uint8, packed.TEXT_BLOCK)
