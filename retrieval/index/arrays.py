"""A saved index's arrays as typed ``memoryview``\\ s, so answering one question needs no numpy.

A one-shot ``citebot ask`` is mostly start-up, and numpy's import alone is about a third of it
(docs/benchmarks.md, "Start-up"). Answering reads a saved index's arrays by element and by
slice, binary-searches them and hands them to the compiled loops (``_topk.c``), which take any
buffer: a ``memoryview`` of the memory-mapped file cast to the array's type does all of that,
with the same bytes, so every score and every answer is the same. numpy stays what builds an
index, what verifies a large one's columns at open, and the fallback without a C compiler
(:func:`use_views` says which); the functions here accept a numpy array as well as a view, so
the readers have one code path.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import sys
from array import array as ArrayOf
from typing import Any

_FORMATS = {
    "|u1": "B",
    "|i1": "b",
    "<u2": "H",
    "<i2": "h",
    "<u4": "I",
    "<i4": "i",
    "<u8": "Q",
    "<i8": "q",
    "<f4": "f",
    "<f8": "d",
}
"""numpy's type strings (``dtype.str``, as the file's table names them) → ``memoryview`` formats
(native; a view is made only on a little-endian machine, where the two agree)."""
_KINDS = {"B": "u", "H": "u", "I": "u", "Q": "u", "b": "i", "h": "i", "i": "i", "q": "i"}
_KINDS |= {"f": "f", "d": "f", "L": "u", "l": "i"}

PYTHON_CHECK_LIMIT = 250_000
"""Elements up to which a column is checked at open in Python (a few ms); past it, numpy is
imported for the pass (its import costs less than the Python loop over a larger column)."""


def itemsize(dtype: str) -> int:
    """Bytes per element of a type string such as ``"<i8"`` (numpy's, for the others)."""
    if dtype in _FORMATS:
        return int(dtype[2:])
    import numpy as np

    return int(np.dtype(dtype).itemsize)


def plain_type(dtype: str) -> bool:
    """Whether ``dtype`` is a plain number type a view can read (no objects, no records)."""
    if dtype in _FORMATS:
        return True
    import numpy as np

    return not np.dtype(dtype).hasobject


def use_views() -> bool:
    """Whether saved arrays are served as memoryviews: when the compiled loops exist (without
    them numpy scores, so it is imported anyway) and the machine is little-endian."""
    from . import bm25

    return getattr(bm25, "_topk", None) is not None and sys.byteorder == "little"


def view(buffer: Any, dtype: str, offset: int, count: int) -> memoryview | None:
    """``count`` elements of type ``dtype`` at ``offset`` of ``buffer`` (a memory map), or None
    for a type a view cannot read (the caller then uses numpy)."""
    fmt = _FORMATS.get(dtype)
    if fmt is None or sys.byteorder != "little":
        return None
    typed: memoryview = memoryview(buffer)[offset : offset + count * int(dtype[2:])].cast(
        fmt  # type: ignore[call-overload]
    )
    return typed


def is_view(array: Any) -> bool:
    return isinstance(array, memoryview)


def kind(array: Any) -> tuple[str, int]:
    """(``"i"``, ``"u"`` or ``"f"``, bytes per element) of a view, an ``array.array`` or a
    numpy array."""
    if isinstance(array, memoryview):
        return _KINDS.get(array.format, "?"), array.itemsize
    if isinstance(array, ArrayOf):
        return _KINDS.get(array.typecode, "?"), array.itemsize
    dtype = array.dtype
    return (str(dtype.kind) if dtype.isnative else "?"), int(dtype.itemsize)


def searchsorted(array: Any, value: Any, side: str = "left", lo: int = 0,
                 hi: int | None = None) -> int:  # fmt: skip
    """numpy's ``searchsorted`` on ``array[lo:hi]`` (ascending), as an index into ``array``."""
    find = bisect.bisect_left if side == "left" else bisect.bisect_right
    return find(array, value, lo, len(array) if hi is None else hi)


def nondecreasing(array: Any) -> bool:
    """Whether every element is ≥ the one before it."""
    if isinstance(array, memoryview) and len(array) <= PYTHON_CHECK_LIMIT:
        return all(map(operator.le, array, itertools.islice(array, 1, None)))
    import numpy as np

    return not bool(np.any(np.diff(np.asarray(array)) < 0))


def largest(array: Any) -> Any:
    """The largest element (the array is not empty)."""
    if isinstance(array, memoryview) and len(array) <= PYTHON_CHECK_LIMIT:
        return max(array)
    import numpy as np

    return np.asarray(array).max().item()


def smallest(array: Any) -> Any:
    """The smallest element (the array is not empty)."""
    if isinstance(array, memoryview) and len(array) <= PYTHON_CHECK_LIMIT:
        return min(array)
    import numpy as np

    return np.asarray(array).min().item()


def total(array: Any) -> int:
    """The sum of an integer array, exactly."""
    if isinstance(array, memoryview) and len(array) <= PYTHON_CHECK_LIMIT:
        return sum(array.tolist())  # a list first: four times quicker than iterating the view
    import numpy as np

    return int(np.asarray(array, dtype=np.int64).sum())


def integer_type(dtype: str) -> bool:
    """Whether ``dtype`` (a type string such as ``"<u4"``) is an integer type."""
    if dtype in _FORMATS:
        return _KINDS[_FORMATS[dtype]] in "iu"
    import numpy as np

    return str(np.dtype(dtype).kind) in "iu"


def format_of(dtype: str) -> str | None:
    """The ``memoryview`` format of a type string, or None (not one a view can read here)."""
    return _FORMATS.get(dtype) if sys.byteorder == "little" else None
