"""The interactive prompt: ask questions, inspect sources and scores, with line editing.

Input and output are injected, so tests drive the REPL with a scripted list of lines and assert
the whole transcript; on a real terminal ``input()`` gets GNU readline's editing and a history
file that survives restarts.
"""

from __future__ import annotations

import contextlib
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from config.paths import state_dir
from retrieval import Answer, CitebotError, Conversation, Engine, answer_in
from retrieval.answering import command_typo

from .display import width as display_width
from .display import wrap as wrap_display
from .live import LiveEngine
from .markup import quote_resolver
from .render_text import render_answer, render_source, render_sources, render_why

PROMPT = "> "
HELP = """Ask a question in plain words, e.g.  What did the city council pass?
Answers quote the documents word for word; [n] points to the paragraph quoted.
Commands:
  :sources   the documents and their paragraph counts
  :why       the scores behind the last answer
  :source n  citation [n] of the last answer whole, with the code, list or table it
             introduces
  :new       start a new conversation (follow-ups like "what did he say?" lean on the
             last few questions until then)
  :help      this text
  :quit      leave (Ctrl-D works too; Ctrl-C clears the line, twice leaves)"""

LEAVE_HINT = "(Line dropped. Press Ctrl-C again, Ctrl-D or type :quit to leave.)"


def fit(text: str, width: int | None) -> str:
    """Every line of ``text`` wrapped to ``width`` columns (None: as it is), continuation lines
    indented under the line's own indent plus two, so a long file name or title stays readable
    in an 80-column terminal. Columns are display columns (a Chinese character takes two);
    a word is cut only when it is wider than a whole line."""
    if width is None:
        return text
    lines: list[str] = []
    for line in text.splitlines() or [""]:
        if display_width(line) <= width:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        if line.isascii():
            lines += textwrap.wrap(
                line.strip(),
                width,
                initial_indent=indent,
                subsequent_indent=indent + "  ",
                break_long_words=True,  # only a word wider than a whole line
                break_on_hyphens=False,
            ) or [line]
            continue
        pieces = wrap_display(line.strip(), max(1, width - len(indent) - 2))
        lines += [indent + pieces[0], *(f"{indent}  {piece}" for piece in pieces[1:])]
    return "\n".join(lines)


def default_history_path() -> Path:
    return state_dir() / "history"


class _History:
    """GNU readline history kept in a file; a no-op where readline is unavailable."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._readline = None
        if path is None:
            return
        try:
            import readline
        except ImportError:  # Windows without pyreadline: plain input() still works
            return
        self._readline = readline
        with contextlib.suppress(OSError):
            readline.read_history_file(path)
        readline.set_history_length(1000)

    def save(self) -> None:
        if self._readline is None or self.path is None:
            return
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._readline.write_history_file(self.path)


class Repl:
    def __init__(
        self,
        engine: Engine | LiveEngine,
        *,
        read: Callable[[str], str] = input,
        out: TextIO,
        color: bool = False,
        fit_terminal: bool = False,
        history: Path | None = None,
    ) -> None:
        self.live = engine if isinstance(engine, LiveEngine) else LiveEngine(engine)
        self.read = read
        self.out = out
        self.color = color
        self.fit_terminal = fit_terminal
        self.history = _History(history)
        self.last: Answer | None = None
        self.conversation = Conversation()
        """The session is one conversation: follow-ups are resolved against its last turns."""

    @property
    def engine(self) -> Engine:
        """The engine to answer with now (re-opened if the corpus changed on disk)."""
        return self.live.get()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    @property
    def width(self) -> int | None:
        """The terminal's width less one column (None off a terminal: lines as they are)."""
        return shutil.get_terminal_size().columns - 1 if self.fit_terminal else None

    def tell(self, text: str) -> None:
        """Say plain text (not an answer, which renders itself to the width), wrapped."""
        self.say(fit(text, self.width))

    def run(self) -> int:
        sources = self.engine.sources()
        self.tell(
            f"citebot: {len(sources)} document(s), {len(self.engine.passages)} paragraph(s). "
            "Ask a question, or :help."
        )
        try:
            self.loop()
        finally:
            self.history.save()
        self.say("Bye.")
        return 0

    def loop(self) -> None:
        """Read and handle lines until the user leaves. Ctrl-C drops the line being typed (or
        stops the answer being made) and leaves only when pressed again at once, as in Python's
        and Node's prompts: one stray Ctrl-C to clear a half-typed question must not end the
        session and its conversation."""
        interrupted = False
        while True:
            try:
                line = self.read(PROMPT)
            except EOFError:
                self.say("")
                return
            except KeyboardInterrupt:
                self.say("")
                if interrupted:
                    return
                interrupted = True
                self.tell(LEAVE_HINT)
                continue
            interrupted = False
            before = self.last
            try:
                if not self.handle(line):
                    return
            except KeyboardInterrupt:
                self.say("")
                if self.last is before:
                    self.tell("Stopped; nothing was answered. Ask again, or :quit.")
                else:  # made and remembered; only showing it was cut short
                    self.tell(
                        "Stopped showing the answer; it is kept (:why, :source n, follow-ups)."
                    )

    def handle(self, line: str) -> bool:
        """Act on one input line; False means the user asked to leave."""
        command = line.strip()
        if not command:
            return True
        if command.startswith(":"):
            try:
                return self.command(command[1:].strip().lower())
            except CitebotError as error:  # the corpus folder is gone, say
                self.tell(str(error))
                return True
        meant = command_typo(command)
        if meant is not None:  # "clear:new" is a mistyped command, not a follow-up question
            self.tell(f"That looks like the command :{meant} (nothing was asked). Type :{meant}.")
            return True
        try:
            self.last = self.live.run(lambda engine: answer_in(engine, self.conversation, line))
        except CitebotError as error:
            self.tell(str(error))
            return True
        self.say(render_answer(self.last, color=self.color, width=self.width))
        return True

    def command(self, name: str) -> bool:
        if name in {"quit", "q", "exit"}:
            return False
        if name in {"help", "h", "?"}:
            self.tell(HELP)
        elif name == "new":
            self.conversation.clear()
            self.tell("New conversation: the next question stands on its own.")
        elif name == "sources":
            self.tell(render_sources(self.engine.sources()))
        elif name == "why":
            if self.last is None:
                self.tell("Nothing to explain yet: ask a question first.")
            else:
                idf = {t: self.engine.index.idf(t) for t in self.last.query_terms}
                self.tell(render_why(self.last, idf))
        elif name.split()[:1] == ["source"]:
            self.tell(self.source(name.split()[1:]))
        else:
            self.tell(f"Unknown command :{name}. Try :help.")
        return True

    def source(self, args: list[str]) -> str:
        """``:source n``: the last answer's citation [n] whole, with its whole block."""
        if self.last is None:
            return "Nothing to show yet: ask a question first."
        shown = self.last.citations if self.last.answered else self.last.related
        if not shown:
            return "The last answer cites nothing."
        numbers = ", ".join(str(c.n) for c in shown)
        if len(args) != 1 or not args[0].isdigit():
            return f"Which citation? Use :source n, with n one of {numbers}."
        n = int(args[0])
        citation = next((c for c in shown if c.n == n), None)
        if citation is None:
            return f"There is no citation [{n}]; the last answer has {numbers}."
        quoted = next((b.start for b in self.last.blocks if b.citation == n), None)
        try:  # the block the answer quoted (a named content tab), else the stored one
            block = self.engine.following_block(citation.passage, n, quoted)
        except (KeyError, OSError):  # the corpus changed since: show the paragraph alone
            block = None
        return render_source(
            citation.passage, block, n, quote_resolver(citation, self.last.source_url)
        )
