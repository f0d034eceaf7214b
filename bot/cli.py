"""The ``citebot`` command. Every error a user can cause becomes one polite line here, in one place.

Exit codes: 0 done (an answer or an honest "not found"); 1 a question could not be searched
(in batch mode: at least one line); 2 bad usage, a bad setting, an unusable corpus, or output
that cannot be written (a full disk, a closed pipe or stdout; only a closed pipe says nothing);
3 an unexpected failure (the traceback goes to the log file, not the screen).

Start-up time is most of a one-shot ``citebot ask``, so this module imports only argparse at
the top: a subcommand's module (and with it the library, numpy, pydantic) is imported when
that subcommand runs, and only its own arguments are defined. ``citebot ask`` never imports
Discord, the evaluation or the feedback modules (``tests/test_cli.py`` checks).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import io
import logging
import os
import sys
from collections.abc import Callable, Collection, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

from .context import EXIT_INTERNAL, EXIT_USAGE, Context, UsageError

if TYPE_CHECKING:
    from config.loaded import Loaded

log = logging.getLogger("citebot")


def _terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing shutil (and with it bz2 and
    lzma): argparse makes a help formatter for every argument it adds, to check its metavar,
    and the formatter asks shutil for the width, which cost a one-shot question a few ms."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        size = os.get_terminal_size(sys.__stdout__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80
    return size.columns or 80


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter (descriptions kept as written), as wide as the terminal."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:  # fmt: skip
        if width is None:
            width = _terminal_columns() - 2  # as argparse sets it
        super().__init__(prog, indent_increment, max_help_position, width)


class _Parser(argparse.ArgumentParser):
    """argparse that exits with 2 and one line of advice instead of its full usage dump, and
    writes to the streams it is given (so the CLI runs in-process in the tests)."""

    def __init__(self, *args: Any, out: TextIO | None = None, err: TextIO | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)
        self.out = out
        self.err = err

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Sub-commands' parsers are this class too, writing to the same streams."""

        def parser_class(**options: Any) -> _Parser:
            return _Parser(out=self.out, err=self.err, **options)

        kwargs.setdefault("parser_class", parser_class)
        return super().add_subparsers(**kwargs)

    def _print_message(self, message: str, file: Any = None) -> None:
        if message:
            stream = self.err if file is sys.stderr or file is None else self.out
            (stream or file or sys.stderr).write(message)

    def print_help(self, file: Any = None) -> None:
        self._print_message(self.format_help(), self.out or sys.stdout)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"citebot: {message} (see `{self.prog} --help`)\n")


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from retrieval import installed_version  # quicker than importlib.metadata

        number = installed_version("citebot")
        if number == "?":  # run from a checkout that was never installed
            number = "(not installed)"
        parser._print_message(f"citebot {number}\n", sys.stdout)
        parser.exit()


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


# name: (summary, examples, module that runs it)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "ask": (
        "answer one question, or one per line from stdin (-)",
        _examples(
            'citebot ask "How do I reset my password?"',
            "citebot ask --corpus ~/docs --json - < questions.txt",
        ),
        "bot.commands",
    ),
    "repl": (
        "ask questions interactively (:help inside for its commands)",
        _examples("citebot repl", "citebot repl --corpus python"),
        "bot.commands",
    ),
    "index": (
        "build (or check) the saved index and report on the corpus",
        _examples("citebot index --corpus ~/docs", "citebot index --all --rebuild"),
        "bot.commands",
    ),
    "eval": (
        "measure answer quality on a question set",
        _examples(
            "citebot eval tests/data/seed_questions.jsonl --failures 3",
            "citebot eval squad.json --format squad --curve",
        ),
        "bot.eval_cmd",
    ),
    "discord": (
        "run the Discord bot",
        _examples("CITEBOT_DISCORD_TOKEN=... citebot discord --corpus ~/docs"),
        "bot.commands",
    ),
    "feedback": (
        "export or count the 👍/👎 votes on Discord answers",
        _examples(
            "citebot feedback stats",
            "citebot feedback export --out cases.jsonl && citebot eval cases.jsonl",
        ),
        "bot.feedback_cmd",
    ),
}


def build_parser(
    commands: Collection[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> argparse.ArgumentParser:
    """The parser, with the arguments of ``commands`` only (None: every command's, as a test
    wants), so a one-shot question imports nothing it does not use. When the command line
    names a command, only its sub-parser is made (the others matter only to ``--help``)."""

    parser = _Parser(
        prog="citebot",
        description="Answers questions about a folder of documents with quoted, cited sentences.",
        epilog=_examples('citebot ask "What changed in version 2?"', "citebot repl")
        + "\n\nRun `citebot COMMAND --help` for a command's options.",
        out=out,
        err=err,
    )
    parser.add_argument("--version", action=_Version)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, examples, module) in COMMANDS.items():
        if commands and name not in commands:
            continue
        sub = subparsers.add_parser(name, help=summary, description=summary, epilog=examples)
        if commands is None or name in commands:
            import_module(module).configure_parser(sub, name)
    return parser


def _command_in(argv: Sequence[str]) -> list[str]:
    """The subcommand named on the command line (the first word that is not an option), if
    any: the only one whose arguments need defining."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return [first] if first in COMMANDS else []


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Command-line flags as settings (they win over the environment, .env and the file)."""
    overrides: dict[str, Any] = {}
    for flag in ("top_k", "index_dir", "min_confidence"):
        if getattr(args, flag, None) is not None:
            overrides[flag] = getattr(args, flag)
    return overrides


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


def _output_failed(error: OSError, out: TextIO, err: TextIO) -> int:
    """One line for output that cannot be written (none for a closed pipe); the real stdout is
    pointed at /dev/null so that the interpreter's last flush does not fail again (Python's
    documented remedy)."""
    if out is sys.stdout:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if error.errno != errno.EPIPE:  # a reader that stopped reading (`| head`) is no news to
        err.write(f"citebot: cannot write the output ({error.strerror or error}).\n")
    return EXIT_USAGE  # the user: silent, as Unix tools are; the exit code still tells


def main(
    argv: Sequence[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``citebot ARGV``; returns the exit code. The streams default to the process's."""
    global _collector_paused
    if argv is None and gc.isenabled():  # the process itself, not a test calling in
        gc.disable()  # until the command starts: see _start_collecting
        _collector_paused = True
    try:
        return _main(argv, stdin, stdout, stderr)
    finally:
        _start_collecting()


def _start_collecting() -> None:
    """Start-up allocates a few hundred thousand objects that live as long as the process
    (modules, classes, functions, patterns, the settings, a saved index's header) and no
    garbage cycles to speak of; the cyclic collector's passes over them cost a one-shot
    question about 10 ms of CPU (30+ collections). So :func:`main` keeps it off until the
    command starts, then freezes what start-up made (later collections skip those objects,
    which also spares a long-running REPL or bot) and turns it back on."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


_collector_paused = False
"""Whether :func:`main` turned the cyclic collector off (it is then turned on once)."""


def _main(
    argv: Sequence[str] | None,
    stdin: TextIO | None,
    stdout: TextIO | None,
    stderr: TextIO | None,
) -> int:
    if stdin is None and stdout is None and stderr is None:
        _forgiving_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    err = cast(TextIO, _QuietErrors(stderr or sys.stderr))
    if sys.stderr is None:  # started with stderr closed (`2>&-`): argparse writes there
        sys.stderr = err
    out = stdout or sys.stdout
    parser = build_parser(_command_in(argv), out=out, err=err)
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    if out is None:  # started with stdout closed (`>&-`): nowhere for the answer to go
        err.write("citebot: standard output is closed: there is nowhere to write the answer.\n")
        return EXIT_USAGE
    try:
        status = _guarded(args, stdin or sys.stdin, out, err)
        out.flush()
    except OSError as error:
        if error.errno not in _OUTPUT_ERRNOS:
            raise
        return _output_failed(error, out, err)
    return status


def _guarded(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """The command; an interrupt, or any failure that is no user's mistake, is one line."""
    try:
        return _run(args, stdin, out, err)
    except KeyboardInterrupt:
        err.write("\n")
        return 130
    except OSError as error:
        if error.errno in _OUTPUT_ERRNOS:
            raise  # the answer could not be written: main says so
        err.write(f"citebot: sorry, something went wrong inside citebot{_log_traceback(args)}.\n")
        return EXIT_INTERNAL
    except Exception:
        err.write(f"citebot: sorry, something went wrong inside citebot{_log_traceback(args)}.\n")
        return EXIT_INTERNAL


def _run(args: argparse.Namespace, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Load the settings and run the subcommand; every error meant for the user is one line."""
    from config.loaded import SettingsError
    from retrieval import CitebotError

    try:
        loaded = _load_settings(args)
    except SettingsError as error:
        for line in error.lines:
            err.write(f"citebot: {line}\n")
        return EXIT_USAGE
    context = Context(args, loaded, stdin, out, err)
    run: Callable[[Context], int] = import_module(COMMANDS[args.command][2]).run
    _start_collecting()
    try:
        return run(context)
    except (CitebotError, UsageError) as error:
        err.write(f"citebot: {error}\n")
        return EXIT_USAGE


def _load_settings(args: argparse.Namespace) -> Loaded:
    """Only ``citebot discord`` reads the Discord settings, so only it always validates in
    full; the other commands reuse the last validation's snapshot while nothing it came from
    changed (:mod:`config.snapshot`), which spares them importing pydantic."""
    overrides, config_file = _overrides(args), getattr(args, "config", None)
    if args.command == "discord":
        from config.loading import load

        return load(overrides, config_file=config_file)
    from config.snapshot import load_quick

    return load_quick(overrides, config_file=config_file)


def _log_traceback(args: argparse.Namespace) -> str:
    """Write the current exception's traceback to the log file; ' (details in FILE)'."""
    from config.paths import state_dir

    path = state_dir() / "citebot.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        log.addHandler(handler)
        log.exception("unexpected error running %s", args.command)
    except OSError:
        return ""
    return f" (details in {path})"


if __name__ == "__main__":
    sys.exit(main())
