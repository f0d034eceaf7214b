"""Command-line argument types, written once for every subcommand: each error names the flag
and what it accepts (``argument --top-k: must be from 1 to 100, not 0``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from retrieval import MAX_TOP_K


def whole_number(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None


def top_k(value: str) -> int:
    """--top-k is checked here so that its error names the flag, not CITEBOT_TOP_K."""
    try:
        number = int(value)
    except ValueError:
        message = f"must be a whole number from 1 to {MAX_TOP_K}, not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_TOP_K}, not {number}")
    return number


def positive(value: str) -> int:
    number = whole_number(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {number}")
    return number


def share(value: str) -> float:
    """A number from 0 to 1 (a confidence threshold)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 0 to 1, not {value!r}") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be from 0 to 1, not {value}")
    return number


def _corpus_arg(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("must be a corpus name or a folder, not empty")
    return value


def add_corpus_options(parser: argparse.ArgumentParser, *, index_dir: bool = True) -> None:
    """--corpus and --config (every command that answers from documents), --index-dir."""
    parser.add_argument(
        "--corpus",
        type=_corpus_arg,
        metavar="NAME|FOLDER",
        help="a corpus named in citebot.toml, or a folder of documents "
        "(default: the default corpus, else CITEBOT_CORPUS)",
    )
    parser.add_argument(
        "--config",
        type=_path,
        metavar="FILE",
        help="the configuration file (default: CITEBOT_CONFIG, else ./citebot.toml if present)",
    )
    if index_dir:
        parser.add_argument(
            "--index-dir",
            type=_path,
            help="folder for saved indexes (default: CITEBOT_INDEX_DIR, else ~/.cache/citebot)",
        )


def add_answer_options(parser: argparse.ArgumentParser, *, with_top_k: bool = True) -> None:
    """--top-k and --min-confidence: for the commands that answer questions."""
    if with_top_k:
        parser.add_argument(
            "--top-k", type=top_k, help="paragraphs to retrieve (default: CITEBOT_TOP_K)"
        )
    parser.add_argument(
        "--min-confidence",
        type=share,
        metavar="0..1",
        help="abstain below this confidence, over documentation with sections below 0.9 of it "
        "(default: CITEBOT_MIN_CONFIDENCE; 0 = always answer)",
    )


def _path(value: str) -> Path:
    return Path(value).expanduser()
