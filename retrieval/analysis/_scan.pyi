"""Types of the compiled tokenizer loop (retrieval/analysis/_scan.c)."""

from collections.abc import Callable

def token_ids(text: str, table: dict[str, int], /) -> tuple[list[int | str], int] | None: ...
def sentence_ids(
    text: str,
    spans: list[tuple[int, int]],
    table: Table,
    number: Callable[[str], int],
    chunk_ids: Callable[[str], list[int]],
    tokens: bytearray,
    rows: bytearray,
    /,
) -> int: ...
def postings(
    ids: bytes | bytearray, lengths: bytes, terms: int, /
) -> tuple[bytes, bytes, bytes, bytes]: ...

class Table:
    """ASCII token → term id (negative: a stopword), for :func:`sentence_ids`."""

    def __init__(self) -> None: ...
    def __len__(self) -> int: ...

def split_ascii(
    text: str, abbreviations: frozenset[str], number_abbreviations: frozenset[str], /
) -> list[tuple[int, int]] | None: ...
