"""The ``citebot`` command. Every error a user can cause becomes one polite line here, in one place.

Exit codes: 0 done (an answer or an honest "not found"); 1 a question could not be searched
(in batch mode: at least one line); 2 bad usage, a bad setting, an unusable corpus, or output
that cannot be written (a full disk, a closed pipe or stdout); 3 an unexpected failure (the
traceback goes to the log file, not the screen).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import logging
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TextIO, cast

from pydantic import ValidationError

from config import ENV_PREFIX, Settings, describe_errors
from config.settings import state_dir
from retrieval import (
    MAX_TOP_K,
    CitebotError,
    Conversation,
    Engine,
    LeftOut,
    OpenReport,
    QuestionError,
    RebuildReason,
    answer_in,
    open_engine,
)

from . import eval_cmd, feedback_cmd
from .highlight import display_line
from .jsonout import answer_to_json, error_to_json
from .live import LiveEngine
from .progress import ProgressBar
from .render_text import render_answer
from .repl import Repl, default_history_path

EXIT_OK, EXIT_BAD_QUESTION, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
log = logging.getLogger("citebot")


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line of advice instead of its full usage dump."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"citebot: {message} (see `{self.prog} --help`)\n")


def _top_k(value: str) -> int:
    """--top-k is checked here so that its error names the flag, not the variable."""
    try:
        number = int(value)
    except ValueError:
        message = f"must be a whole number from 1 to {MAX_TOP_K}, not {value!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not 1 <= number <= MAX_TOP_K:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_TOP_K}, not {number}")
    return number


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", type=Path, help="folder of .txt/.md documents (default: CITEBOT_CORPUS)"
    )
    parser.add_argument(
        "--top-k", type=_top_k, help=f"paragraphs to retrieve, 1-{MAX_TOP_K} (default: 5)"
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        help="folder for the saved index (default: CITEBOT_INDEX_DIR, else ~/.cache/citebot)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="citebot",
        description="Answers questions about a folder of documents with quoted, cited sentences.",
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    ask = commands.add_parser("ask", help="answer one question, or one per line from stdin (-)")
    ask.add_argument("question", help="the question, or - to read one question per line")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument(
        "--conversation",
        action="store_true",
        help="with -: the lines are one conversation, so a line may follow up on earlier ones",
    )
    _add_engine_options(ask)

    repl = commands.add_parser("repl", help="ask questions interactively")
    _add_engine_options(repl)

    index = commands.add_parser(
        "index", help="build (or check) the saved index and report on the corpus"
    )
    _add_engine_options(index)
    index.add_argument(
        "--rebuild", action="store_true", help="rebuild even when the saved index is fresh"
    )
    index.add_argument(
        "--verify",
        action="store_true",
        help="check every checksum of the saved index (rebuilt if any fails)",
    )

    discord = commands.add_parser("discord", help="run the Discord bot")
    _add_engine_options(discord)

    eval_cmd.add_parser(commands)
    feedback_cmd.add_parser(commands)
    return parser


def _unknown_variables() -> list[str]:
    """CITEBOT_ variables that are no setting: a typo ("CITEBOT_TOPK") would be silently ignored."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(
        v for v in os.environ if v.upper().startswith(ENV_PREFIX) and v.upper() not in known
    )


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "corpus", None) is not None:
        overrides["corpus"] = args.corpus
    if getattr(args, "top_k", None) is not None:
        overrides["top_k"] = args.top_k
    if getattr(args, "index_dir", None) is not None:
        overrides["index_dir"] = args.index_dir
    return Settings(**overrides)


def _open(
    settings: Settings,
    err: TextIO,
    *,
    rebuild: RebuildReason | bool = False,
    detail: str = "",
    verify: bool = False,
) -> tuple[Engine, OpenReport]:
    """The engine for the configured corpus: the saved index when it is sound and fresh, else
    built (with a progress bar on a terminal when that takes a while) and saved for next time.
    A problem saving it is a warning: the answer comes all the same."""
    progress = ProgressBar(err)
    try:
        engine, report = open_engine(
            settings.corpus,
            settings.engine_options(),
            index_dir=settings.index_dir,
            rebuild=rebuild,
            detail=detail,
            save=settings.save_index,
            verify=verify,
            progress=progress,
            follow_links=settings.follow_links,
        )
    finally:
        progress.finish()
    if report.save_problem:
        err.write(f"citebot: warning: {report.save_problem}\n")
    for warning in engine.warnings:
        err.write(f"citebot: warning: {warning}\n")
    return engine, report


def _live_engine(settings: Settings, err: TextIO, *, follow: bool = True) -> LiveEngine:
    """The engine, re-opened when a corpus file changes (``follow``) and rebuilt when the
    saved index turns out damaged or a quote no longer matches its file."""

    def reopen(reason: RebuildReason | None, detail: str) -> Engine:
        if reason is not None:
            err.write(f"citebot: the index is rebuilt: {detail}\n")
        return _open(settings, err, rebuild=reason or False, detail=detail)[0]

    return LiveEngine(_open(settings, err)[0], reopen, follow=follow)


def _questions(stream: TextIO) -> Iterable[str]:
    """Every line, blank ones included, so output line i always answers input line i."""
    for line in stream:
        yield line.rstrip("\r\n")


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    live = _live_engine(settings, err, follow=False)  # fresh: just opened
    batch = args.question == "-"
    questions = _questions(sys.stdin) if batch else [args.question]
    color = not args.json and out.isatty()
    width = shutil.get_terminal_size().columns - 1 if color else None
    conversation = Conversation() if args.conversation else None
    status = EXIT_OK
    for n, question in enumerate(questions):
        if batch and not args.json:
            out.write(("" if n == 0 else "\n") + f"Q: {question}\n")
        try:
            answer = live.run(partial(answer_in, conversation=conversation, question=question))
        except QuestionError as error:
            status = EXIT_BAD_QUESTION
            if args.json:
                record = error_to_json(question, str(error))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            elif batch:
                out.write(f"{error}\n")
            else:
                err.write(f"citebot: {error}\n")
            continue
        if args.json:
            out.write(json.dumps(answer_to_json(answer), ensure_ascii=False) + "\n")
        else:
            out.write(render_answer(answer, color=color, width=width) + "\n")
        out.flush()
    return status


def cmd_repl(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    engine = _live_engine(settings, err)
    interactive = sys.stdin.isatty()
    repl = Repl(
        engine,
        read=input if interactive else _plain_reader(sys.stdin, out),
        out=out,
        color=out.isatty(),
        fit_terminal=out.isatty(),
        history=default_history_path() if interactive else None,
    )
    return repl.run()


def _plain_reader(stream: TextIO, out: TextIO) -> Callable[[str], str]:
    """input() for piped stdin: echo-free, and EOFError at the end like the real thing."""

    def read(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        line = stream.readline()
        if not line:
            raise EOFError
        return line.rstrip("\r\n")

    return read


def cmd_index(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    started = time.perf_counter()
    engine, report = _open(settings, err, rebuild=args.rebuild, verify=args.verify)
    elapsed = time.perf_counter() - started
    saved = engine.path if engine.path and engine.path.exists() else None
    size = f" ({saved.stat().st_size / 1024 / 1024:,.1f} MB)" if saved else ""
    sources = engine.sources()
    formats = Counter(s.format for s in sources)
    pages = sum(s.pages for s in sources)
    skipped = [w for w in engine.warnings if w.skipped]
    out.write(
        f"corpus:      {settings.corpus}\n"
        f"documents:   {engine.document_count:,}\n"
        f"formats:     {', '.join(f'{name} {n:,}' for name, n in sorted(formats.items()))}\n"
        + (f"pages:       {pages:,} (PDF)\n" if pages else "")
        + f"paragraphs:  {len(engine.passages):,}\n"
        f"vocabulary:  {engine.index.vocabulary_size:,} terms\n"
        f"postings:    {engine.index.postings_count:,}\n"
        f"language:    {engine.language.describe()}\n"
        f"analysis:    {engine.analyzer.identity}\n"
        f"skipped:     {len(skipped)} file(s)\n"
        + "".join(f"  {w.source}: {w.message}\n" for w in skipped)
        + f"index:       {report}\n"
        f"saved at:    {saved or '(not saved)'}{size}\n"
        f"time:        {elapsed * 1000:,.0f} ms\n"
    )
    out.write(left_out_report(engine.left_out()))
    return EXIT_OK


LEFT_OUT_SHOWN = 20
"""Files left out by a glob listed one by one before "and N more"."""


def left_out_report(left_out: Sequence[LeftOut]) -> str:
    """``citebot index``'s account of the files it did not index: each one an include/exclude
    glob left out (with the glob), then files no reader reads, counted by suffix."""
    if not left_out:
        return "left out:    0 files\n"
    unsupported = Counter(
        item.reason.removeprefix("unsupported suffix ")
        for item in left_out
        if item.reason.startswith("unsupported suffix")
    )
    chosen = [item for item in left_out if not item.reason.startswith("unsupported suffix")]
    lines = [f"left out:    {len(left_out):,} file(s)"]
    lines.extend(
        f"  {display_line(item.source)}: {item.reason}" for item in chosen[:LEFT_OUT_SHOWN]
    )
    if len(chosen) > LEFT_OUT_SHOWN:
        lines.append(f"  … and {len(chosen) - LEFT_OUT_SHOWN:,} more left out by a glob")
    if unsupported:
        counts = ", ".join(f"{suffix} ({n:,})" for suffix, n in unsupported.most_common())
        lines.append(f"  {unsupported.total():,} not read (unsupported suffix): {counts}")
    return "\n".join(lines) + "\n"


def cmd_discord(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    from . import discord_app

    return discord_app.run(settings, _live_engine(settings, err))


def _eval(args: argparse.Namespace, settings: Settings, out: TextIO, err: TextIO) -> int:
    return eval_cmd.run(args, settings)


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings, TextIO, TextIO], int]] = {
    "ask": cmd_ask,
    "repl": cmd_repl,
    "index": cmd_index,
    "discord": cmd_discord,
    "eval": _eval,
    "feedback": feedback_cmd.run,
}


def _forgiving_streams() -> None:
    """A stray non-UTF-8 byte in input, or an undecodable character on the way out, becomes one
    odd character instead of a crash that loses the rest of a batch."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


_OUTPUT_ERRNOS = frozenset(
    {errno.EPIPE, errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF}
)
"""What writing an answer can fail with: a closed pipe, a full disk, a closed descriptor."""


class _QuietErrors(io.TextIOBase):
    """stderr for messages, when stderr itself may be closed or full: a message that cannot
    be written is dropped, so the answer on stdout still comes and the exit code still says."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if self._stream is not None:
            with contextlib.suppress(OSError, ValueError, AttributeError):
                self._stream.write(text)
                self._stream.flush()
        return len(text)

    def isatty(self) -> bool:
        try:
            return self._stream is not None and self._stream.isatty()
        except (OSError, ValueError):
            return False


def _output_failed(error: OSError, err: TextIO) -> int:
    """One line for output that cannot be written; stdout is pointed at /dev/null so that the
    interpreter's last flush does not fail again (Python's documented remedy)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    reason = "the reader closed it" if error.errno == errno.EPIPE else error.strerror or error
    err.write(f"citebot: cannot write the output ({reason}).\n")
    return EXIT_USAGE


def main(argv: list[str] | None = None) -> int:
    _forgiving_streams()
    err = cast(TextIO, _QuietErrors(sys.stderr))
    if sys.stderr is None:  # started with stderr closed (`2>&-`): argparse writes there
        sys.stderr = err
    args = build_parser().parse_args(argv)
    if sys.stdout is None:  # started with stdout closed (`>&-`): nowhere for the answer to go
        err.write("citebot: standard output is closed: there is nowhere to write the answer.\n")
        return EXIT_USAGE
    out = sys.stdout
    try:
        status = _run(args, out, err)
        out.flush()
    except OSError as error:
        if error.errno not in _OUTPUT_ERRNOS:
            raise
        return _output_failed(error, err)
    return status


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The command, every error it can cause turned into one line and its exit code."""
    for variable in _unknown_variables():
        err.write(f"citebot: warning: {variable} is not a citebot setting; it is ignored.\n")
    try:
        try:
            settings = _settings(args)
        except (UnicodeDecodeError, OSError) as error:
            err.write(f"citebot: cannot read the .env file in {os.getcwd()}: {error}.\n")
            return EXIT_USAGE
        return COMMANDS[args.command](args, settings, out, err)
    except ValidationError as error:
        for line in describe_errors(error):
            err.write(f"citebot: {line}\n")
        return EXIT_USAGE
    except CitebotError as error:
        err.write(f"citebot: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("\n")
        return 130
    except OSError as error:
        if error.errno in _OUTPUT_ERRNOS:
            raise  # the answer could not be written: main says so
        return _internal_error(args, err)
    except Exception:
        return _internal_error(args, err)


def _internal_error(args: argparse.Namespace, err: TextIO) -> int:
    path = state_dir() / "citebot.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        log.addHandler(handler)
        log.exception("unexpected error running %s", args.command)
        where = f" (details in {path})"
    except OSError:
        where = ""
    err.write(f"citebot: sorry, something went wrong inside citebot{where}.\n")
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
