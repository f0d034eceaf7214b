"""The postings, compressed: per block of :data:`BLOCK_SIZE`, paragraph gaps and term
frequencies bit-packed at the block's own widths.

At a million paragraphs the postings were int32 paragraph numbers and uint8 term frequencies:
5 bytes a posting, 295 MB of a 952 MB index. Most gaps between a term's paragraphs are small
and most term frequencies are 1, so each block stores its gaps (``doc − previous doc − 1``)
in as many bits as its largest needs, then its ``tf − 1`` the same way (0 bits for a block whose
every tf is 1). The blocks already existed for block-max skipping; each keeps its last
paragraph (``block_last``), so the scorer (``_topk.c``) gallops over blocks without decoding
them and decodes only the block it lands in, 64 postings at a time, the way Lucene and tantivy
read theirs.

Arrays (``B`` blocks in all, a term's blocks ``block_ptr[t]:block_ptr[t+1]``):

* ``block_last`` (int32, B): each block's last paragraph;
* ``block_offset`` (uint32, or int64 past 4 GiB; B+1): block ``k``'s bytes are
  ``postings_data[block_offset[k]:block_offset[k+1]]``;
* ``block_bits`` (uint8, 2B): the gap width and the tf width of each block (0-32);
* ``postings_data`` (uint8): the blocks end to end, then 8 zero bytes (every value is read with
  one unaligned 64-bit load).

The previous paragraph of a term's first posting is −1, of a block's first the block before's
last, so a whole list decodes as one cumulative sum (:func:`decode`, numpy's path when the
compiled loop is missing) and any block on its own (the compiled path). A block must decode to
exactly its stored size and last paragraph, in ascending order: with the file's checksums, a
damaged block raises :class:`~retrieval.errors.IndexDamagedError`, never a wrong posting.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import IndexDamagedError

if TYPE_CHECKING:  # numpy is imported where postings are encoded or decoded without _topk
    import numpy as np
    import numpy.typing as npt

BLOCK_SIZE = 64
"""Postings per block (block-max skipping's unit, and decoding's)."""
PADDING = 8
"""Zero bytes after the last block."""
_CHUNK_POSTINGS = 1 << 21
"""Postings encoded at a time (a slice of whole terms): bounded temporaries at any size."""
_LANES = 5
"""Bytes a value can touch: up to 32 bits at a bit offset of up to 7."""


def bit_widths(values: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    """The bits each value needs (0 for 0): ``int.bit_length``, vectorised (exact below 2**53)."""
    import numpy as np

    widths: npt.NDArray[np.uint8] = np.frexp(values.astype(np.float64))[1].astype(np.uint8)
    return widths


def _term_chunks(ptr: npt.NDArray[Any]) -> Iterator[tuple[int, int]]:
    """Runs of whole terms ``[first, last)`` of about :data:`_CHUNK_POSTINGS` postings."""
    import numpy as np

    n_terms, first = len(ptr) - 1, 0
    while first < n_terms:
        wanted = int(ptr[first]) + _CHUNK_POSTINGS
        last = min(max(int(np.searchsorted(ptr, wanted, side="right")) - 1, first + 1), n_terms)
        yield first, last
        first = last


def _pack(positions: npt.NDArray[np.int64], values: npt.NDArray[np.uint64], out: Any) -> None:
    """OR each value into ``out`` (float64 byte sums) at its bit position. The values' bit
    ranges never overlap, so adding their bytes is OR-ing them, exactly in float64."""
    import numpy as np

    if not len(values):
        return
    shifted = values << (positions & 7).astype(np.uint64)
    byte = positions >> 3
    for lane in range(_LANES):
        part = (shifted >> np.uint64(8 * lane)) & np.uint64(255)
        if not part.any():
            break  # no value reaches this byte (nor the next)
        out += np.bincount(byte + lane, weights=part.astype(np.float64), minlength=len(out))


def encode(
    ptr: npt.NDArray[Any], docs: npt.NDArray[Any], tfs: npt.NDArray[Any]
) -> dict[str, npt.NDArray[Any]]:
    """``block_ptr``, ``block_last``, ``block_offset``, ``block_bits`` and ``postings_data`` of
    postings in CSR form (term ``t``'s are ``docs[ptr[t]:ptr[t+1]]``, ascending, and their
    ``tfs`` ≥ 1): in the compiled loop (about 0.3 s for a million paragraphs' 60 million
    postings), else in numpy a slice of terms at a time (the same bytes, 20-40 times slower)."""
    import numpy as np

    counts = np.diff(ptr).astype(np.int64)
    block_ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(-(-counts // BLOCK_SIZE), out=block_ptr[1:])
    encoded = _encode_compiled(ptr, docs, tfs, block_ptr)
    if encoded is None:
        encoded = _encode_numpy(ptr, docs, tfs, block_ptr)
    offsets = encoded.pop("offsets")
    offset_type = np.uint32 if offsets[-1] <= np.iinfo(np.uint32).max else np.int64
    return {"block_ptr": block_ptr, **encoded, "block_offset": offsets.astype(offset_type)}


def _encode_compiled(
    ptr: npt.NDArray[Any], docs: npt.NDArray[Any], tfs: npt.NDArray[Any], block_ptr: Any
) -> dict[str, npt.NDArray[Any]] | None:
    """:func:`encode` in ``_topk.c`` (None without it): the sizes in one pass, the bytes in a
    second."""
    import numpy as np

    try:
        from . import _topk
    except ImportError:  # pragma: no cover - exercised by forcing the fallback in the tests
        return None
    if _topk is None:
        return None
    n_blocks = int(block_ptr[-1])
    ptr64 = np.ascontiguousarray(ptr, dtype=np.int64)
    docs32 = np.ascontiguousarray(docs, dtype=np.int32)  # paragraph numbers (< 2**31)
    freqs = np.ascontiguousarray(tfs)
    if freqs.dtype.kind not in "iu" or freqs.dtype.itemsize not in {1, 2, 4, 8}:
        freqs = freqs.astype(np.int64)
    last = np.empty(n_blocks, dtype=np.int32)
    bits = np.empty(2 * n_blocks, dtype=np.uint8)
    offsets = np.empty(n_blocks + 1, dtype=np.int64)
    args = (ptr64, docs32, freqs, freqs.dtype.itemsize, BLOCK_SIZE, last, bits, offsets)
    sizes_only = np.zeros(0, dtype=np.uint8)
    if _topk.encode_postings(*args, sizes_only) != 0:  # the widths and offsets
        raise ValueError("postings are not ascending paragraph numbers with tf ≥ 1")
    data = np.zeros(int(offsets[-1]) + PADDING, dtype=np.uint8)
    if _topk.encode_postings(*args, data) != 0:  # the bytes
        raise ValueError("postings are not ascending paragraph numbers with tf ≥ 1")
    return {"block_last": last, "block_bits": bits, "offsets": offsets, "postings_data": data}


def _encode_numpy(
    ptr: npt.NDArray[Any], docs: npt.NDArray[Any], tfs: npt.NDArray[Any], block_ptr: Any
) -> dict[str, npt.NDArray[Any]]:
    """:func:`encode` in numpy, a slice of terms at a time (bounded temporaries).

    Long because each step's arrays (gaps, widths, bit positions) feed the next within one
    slice, and splitting them would pass a dozen arrays between functions."""
    import numpy as np

    n_blocks = int(block_ptr[-1])
    last = np.empty(n_blocks, dtype=np.int32)
    bits = np.empty(2 * n_blocks, dtype=np.uint8)
    sizes = np.empty(n_blocks, dtype=np.int64)
    pieces: list[npt.NDArray[np.uint8]] = []
    for first, stop in _term_chunks(ptr):
        lo, hi = int(ptr[first]), int(ptr[stop])
        b0, b1 = int(block_ptr[first]), int(block_ptr[stop])
        chunk_docs = np.asarray(docs[lo:hi], dtype=np.int64)
        previous = np.empty_like(chunk_docs)
        previous[1:] = chunk_docs[:-1]
        owned = ptr[first:stop][ptr[first + 1 : stop + 1] > ptr[first:stop]]
        previous[owned - lo] = -1  # each term's first posting
        gaps = (chunk_docs - previous - 1).astype(np.uint64)
        freqs = (np.asarray(tfs[lo:hi], dtype=np.int64) - 1).astype(np.uint64)
        if len(gaps) and (int(gaps.max()) >= 1 << 31 or int(chunk_docs.min()) < 0):
            raise ValueError("postings are not ascending paragraph numbers")
        if len(freqs) and int(freqs.max()) >= 1 << 32:
            raise ValueError("a term frequency is out of range")
        block = np.arange(b0, b1, dtype=np.int64)
        # Each block's first posting (local to the chunk) and its length.
        term_of_block = np.repeat(np.arange(first, stop), np.diff(block_ptr[first : stop + 1]))
        starts = ptr[term_of_block] - lo + (block - block_ptr[term_of_block]) * BLOCK_SIZE
        ends = np.minimum(starts + BLOCK_SIZE, ptr[term_of_block + 1] - lo)
        lengths = ends - starts
        last[b0:b1] = chunk_docs[ends - 1]
        wd = bit_widths(np.maximum.reduceat(gaps, starts)).astype(np.int64)
        wt = bit_widths(np.maximum.reduceat(freqs, starts)).astype(np.int64)
        bits[2 * b0 : 2 * b1 : 2], bits[2 * b0 + 1 : 2 * b1 : 2] = wd, wt
        size = (lengths * (wd + wt) + 7) // 8
        sizes[b0:b1] = size
        base = np.zeros(len(size), dtype=np.int64)
        np.cumsum(size[:-1], out=base[1:])
        within = np.arange(hi - lo, dtype=np.int64) - np.repeat(starts, lengths)
        out = np.zeros(int(size.sum()) + PADDING, dtype=np.float64)
        doc_bits = np.repeat(base * 8, lengths) + within * np.repeat(wd, lengths)
        _pack(doc_bits, gaps, out)
        tf_bits = np.repeat(base * 8 + lengths * wd, lengths) + within * np.repeat(wt, lengths)
        _pack(tf_bits, freqs, out)
        pieces.append(out[: len(out) - PADDING].astype(np.uint8))
    pieces.append(np.zeros(PADDING, dtype=np.uint8))
    offsets = np.zeros(n_blocks + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return {
        "block_last": last,
        "block_bits": bits,
        "offsets": offsets,
        "postings_data": np.concatenate(pieces),
    }


def _extract(data: npt.NDArray[np.uint8], positions: Any, widths: Any) -> npt.NDArray[np.int64]:
    """The ``widths``-bit values at bit ``positions`` of ``data`` (numpy's decoder)."""
    import numpy as np

    byte = positions >> 3
    word = np.zeros(len(positions), dtype=np.uint64)
    for lane in range(_LANES):
        word |= data[byte + lane].astype(np.uint64) << np.uint64(8 * lane)
    masks = (np.uint64(1) << widths.astype(np.uint64)) - np.uint64(1)
    values: npt.NDArray[np.int64] = ((word >> (positions & 7).astype(np.uint64)) & masks).astype(
        np.int64
    )
    return values


def decode(
    arrays: dict[str, Any], term: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Term ``term``'s paragraphs and term frequencies, decoded whole in numpy (the path when
    the compiled loop is missing); IndexDamagedError when a block does not decode to what the
    arrays say of it."""
    import numpy as np

    ptr, block_ptr = arrays["postings_ptr"], arrays["block_ptr"]
    lo, hi = int(ptr[term]), int(ptr[term + 1])
    b0, b1 = int(block_ptr[term]), int(block_ptr[term + 1])
    count = hi - lo
    if count <= 0 or b1 - b0 != -(-count // BLOCK_SIZE):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    data = np.asarray(arrays["postings_data"])
    offsets = np.asarray(arrays["block_offset"][b0 : b1 + 1], dtype=np.int64)
    bits = np.asarray(arrays["block_bits"][2 * b0 : 2 * b1], dtype=np.int64)
    wd, wt = bits[0::2], bits[1::2]
    lengths = np.minimum(BLOCK_SIZE, count - np.arange(b1 - b0, dtype=np.int64) * BLOCK_SIZE)
    sizes = (lengths * (wd + wt) + 7) // 8
    if (
        (wd > 32).any()
        or (wt > 32).any()
        or offsets[0] < 0
        or not np.array_equal(np.diff(offsets), sizes)
        or int(offsets[-1]) + PADDING > len(data)
    ):
        raise IndexDamagedError("The saved index is damaged (a term's postings).")
    within = np.arange(count, dtype=np.int64) - np.repeat(
        np.arange(b1 - b0, dtype=np.int64) * BLOCK_SIZE, lengths
    )
    base = offsets[:-1] * 8
    gaps = _extract(data, np.repeat(base, lengths) + within * np.repeat(wd, lengths),
                    np.repeat(wd, lengths))  # fmt: skip
    tf_bits = np.repeat(base + lengths * wd, lengths) + within * np.repeat(wt, lengths)
    tfs = _extract(data, tf_bits, np.repeat(wt, lengths)) + 1
    docs = np.cumsum(gaps + 1) - 1
    ends = np.cumsum(lengths) - 1
    if not np.array_equal(docs[ends], np.asarray(arrays["block_last"][b0:b1], dtype=np.int64)):
        raise IndexDamagedError("The saved index is damaged (a term's postings).")
    return docs, tfs
