from typing import Any

def top_k(
    ptr: Any,
    docs: Any,
    tfs: Any,
    tf_size: int,
    doc_len: Any,
    len_size: int,
    idf: Any,
    max_tf_part: Any,
    block_ptr: Any,
    block_max: Any,
    block_size: int,
    query: Any,
    k: int,
    k1: float,
    b: float,
    avgdl: float,
    out_docs: Any,
    out_scores: Any,
    /,
) -> int: ...
