"""``citebot ask``, ``repl``, ``index`` and ``discord``: the commands that answer from a corpus.

Each is ``cmd_NAME(context) -> exit code``; :func:`configure_parser` defines only the arguments
that apply to it (``index --help`` has no ``--top-k``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, TextIO

from retrieval import Conversation, LeftOut, QuestionError, answer_in

from .context import EXIT_BAD_QUESTION, EXIT_OK, Context
from .opening import open_engine, open_live
from .options import add_answer_options, add_corpus_options

if TYPE_CHECKING:
    from config import CorpusConfig


def configure_parser(parser: argparse.ArgumentParser, name: str) -> None:
    if name == "ask":
        parser.add_argument("question", help="the question, or - to read one question per line")
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object per question"
        )
        parser.add_argument(
            "--conversation",
            action="store_true",
            help="with -: the lines are one conversation, so a line may follow up on earlier ones",
        )
    add_corpus_options(parser)
    if name in {"ask", "repl", "discord"}:
        add_answer_options(parser)
    if name == "index":
        parser.add_argument(
            "--rebuild", action="store_true", help="rebuild even when the saved index is fresh"
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="check every checksum of the saved index (rebuilt if any fails)",
        )
        parser.add_argument(
            "--all", action="store_true", help="every corpus of the configuration file, in turn"
        )


def _questions(stream: TextIO) -> Iterable[str]:
    """Every line, blank ones included, so output line i always answers input line i."""
    for line in stream:
        yield line.rstrip("\r\n")


def cmd_ask(context: Context) -> int:
    from .jsonout import answer_to_json, error_to_json
    from .render_text import render_answer

    args, out, err = context.args, context.stdout, context.stderr
    live = open_live(context.corpus(), context.settings, err, follow=False)  # fresh: just opened
    batch = args.question == "-"
    questions = _questions(context.stdin) if batch else [args.question]
    color = not args.json and context.color()
    width = None
    if not args.json and out.isatty():
        import shutil

        width = shutil.get_terminal_size().columns - 1
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


def cmd_repl(context: Context) -> int:
    from .repl import Repl, default_history_path

    corpus = context.corpus()
    engine = open_live(corpus, context.settings, context.stderr)
    stdin, out = context.stdin, context.stdout
    interactive = stdin.isatty() and out.isatty()
    repl = Repl(
        engine,
        read=input if interactive else _plain_reader(stdin, out),
        out=out,
        color=context.color(),
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


def cmd_index(context: Context) -> int:
    args = context.args
    if args.all:
        corpora = list(context.loaded.corpora)
        if args.corpus is not None:
            context.warn("--all indexes every configured corpus; --corpus is ignored.")
    else:
        corpora = [context.corpus()]
    for n, corpus in enumerate(corpora):
        if n:
            context.stdout.write("\n")
        _index_one(context, corpus, named=context.loaded.from_file)
        context.stdout.flush()
    return EXIT_OK


def _index_one(context: Context, corpus: CorpusConfig, *, named: bool) -> None:
    started = time.perf_counter()
    args = context.args
    engine, report = open_engine(
        corpus, context.settings, context.stderr, rebuild=args.rebuild, verify=args.verify
    )
    elapsed = time.perf_counter() - started
    saved = engine.path if engine.path and engine.path.exists() else None
    size = f" ({saved.stat().st_size / 1024 / 1024:,.1f} MB)" if saved else ""
    name = f"name:        {corpus.name}\n" if named else ""
    sources = engine.sources()
    formats = Counter(s.format for s in sources)
    pages = sum(s.pages for s in sources)
    skipped = [w for w in engine.warnings if w.skipped]
    context.stdout.write(
        f"{name}"
        f"corpus:      {corpus.folder}\n"
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
    context.stdout.write(left_out_report(engine.left_out()))


LEFT_OUT_SHOWN = 20
"""Files left out by a glob listed one by one before "and N more"."""


def left_out_report(left_out: Sequence[LeftOut]) -> str:
    """``citebot index``'s account of the files it did not index: each one an include/exclude
    glob left out (with the glob), then files no reader reads, counted by suffix."""
    from .highlight import display_line

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


def example_corpus_warning(context: Context) -> str | None:
    """The warning for a bot about to answer a public server from the example news article."""
    from config import DEFAULT_CORPUS

    try:
        folder = context.corpus().folder
        example = folder.resolve() == DEFAULT_CORPUS.resolve()
    except Exception:  # no default corpus: the command reports that itself
        return None
    if not example:
        return None
    return (
        f"answering from the example corpus ({DEFAULT_CORPUS}, one news article). Set your "
        "own documents with CITEBOT_CORPUS=/path/to/docs (environment or .env), or "
        "[corpora.NAME] tables in citebot.toml."
    )


def cmd_discord(context: Context) -> int:
    """The bot over the configuration file's corpora (each opened on its first question), or
    over the one corpus of the environment settings."""
    from . import discord_app
    from .opening import registry

    warning = example_corpus_warning(context)
    if warning:
        context.warn(warning)
    settings = context.loaded.validated()  # in full: the Discord settings are needed
    if context.loaded.from_file and getattr(context.args, "corpus", None) is None:
        corpora = registry(context.loaded.corpora, settings, context.stderr)
        return discord_app.run(settings, corpora)
    corpus = context.corpus()
    # One corpus: its folder is the settings' corpus, which the feedback store records.
    settings = settings.model_copy(update={"corpus": corpus.folder})
    return discord_app.run(settings, open_live(corpus, settings, context.stderr))


COMMANDS: dict[str, Callable[[Context], int]] = {
    "ask": cmd_ask,
    "repl": cmd_repl,
    "index": cmd_index,
    "discord": cmd_discord,
}


def run(context: Context) -> int:
    return COMMANDS[context.args.command](context)
