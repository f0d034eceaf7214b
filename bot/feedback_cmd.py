"""``citebot feedback export`` and ``citebot feedback stats``: what Discord users voted.

Wired into ``bot.cli`` as ``configure_parser(parser, "feedback")`` and ``run(context)``.
Problems with the database (missing, locked, damaged, not citebot's) or the output file are a
:class:`~bot.feedback.FeedbackError` (or :class:`~bot.files.OutputFileError`), which the CLI
prints as one line with exit code 2, like every other unusable input.

``export`` writes JSONL that ``citebot eval`` reads as it is (see :func:`bot.feedback.eval_case`
for what each vote becomes), to stdout or, with ``--out``, to a file written whole or not at all
(a temporary file renamed into place), so an interrupted export never leaves half a test set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .context import Context
from .feedback import FeedbackError, FeedbackStore, export_cases
from .files import write_atomically

if TYPE_CHECKING:
    from config import AnySettings


def configure_parser(parser: argparse.ArgumentParser, name: str = "feedback") -> None:
    """``feedback export`` and ``feedback stats``, with their own arguments."""
    parser.description = "The votes Discord users gave citebot's answers (CITEBOT_FEEDBACK_DB)."
    actions = parser.add_subparsers(dest="feedback_action", required=True)
    export = actions.add_parser(
        "export",
        help="write the 👎 cases as JSONL for `citebot eval`",
        description="Write the answers voted 👎 as `citebot eval` JSONL cases (latest vote per "
        "person per answer). 👎 on an answer: the case fails if citebot cites those paragraphs "
        'again ("answerable": null, "not_cited"); 👎 on "no answer": the case expects an '
        'answer. Each carries "review": true, for a person to add the right answer.',
    )
    export.add_argument(
        "--out", type=Path, metavar="FILE", help="write to FILE (default: standard output)"
    )
    export.add_argument(
        "--all",
        action="store_true",
        help="also the 👍 cases: the cited paragraph expected again, or the abstention",
    )
    _common(export)
    export.add_argument(
        "--corpus",
        type=Path,
        help="only answers given from this documents folder (default: every folder)",
    )
    stats = actions.add_parser("stats", help="count answers and votes")
    _common(stats)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        metavar="FILE",
        help="the feedback database (default: CITEBOT_FEEDBACK_DB)",
    )


def _open(args: argparse.Namespace, settings: AnySettings) -> FeedbackStore:
    path = args.db or settings.feedback_db
    if path is None:
        raise FeedbackError(
            "feedback is switched off (CITEBOT_FEEDBACK_DB is empty): pass --db FILE."
        )
    return FeedbackStore(path, create=False, timeout=5.0)


def export(context: Context) -> int:
    args, settings, out, err = context.args, context.settings, context.stdout, context.stderr
    corpus = str(args.corpus.expanduser().resolve()) if args.corpus else None
    with _open(args, settings) as store:
        cases = export_cases(store, include_up=args.all, corpus=corpus)
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)
    down = sum(1 for c in cases if c.get("review"))
    summary = f"{len(cases)} case(s), {down} from 👎"
    if not cases:
        kind = "votes" if args.all else "👎 votes"
        err.write(f"citebot feedback: no {kind} yet{' for ' + corpus if corpus else ''}; ")
        err.write("nothing written.\n")
        return 0
    if args.out is None:
        out.write(text)
    else:
        write_atomically(args.out, text)
    where = "" if args.out is None else f" to {args.out}"
    corpora = sorted({c["feedback"]["corpus"] for c in cases})
    err.write(f"citebot feedback: wrote {summary}{where}.\n")
    target = args.out or "FILE"
    for folder in corpora:
        err.write(f"  citebot eval {target} --corpus {folder}\n")
    if len(corpora) > 1:
        err.write("  (answers from several folders: export each with --corpus DIR)\n")
    return 0


def stats(context: Context) -> int:
    with _open(context.args, context.settings) as store:
        numbers = store.stats()
    rows: list[tuple[str, Any]] = [
        ("database", store.path),
        ("answers recorded", f"{numbers.answers:,}"),
        ("answers voted on", f"{numbers.voted_answers:,}"),
        ("votes up", f"{numbers.up:,}"),
        ("votes down", f"{numbers.down:,}"),
        ("people who voted", f"{numbers.voters:,}"),
        ("answers voted down", f"{numbers.answers_with_down:,}"),
    ]
    width = max(len(label) for label, _ in rows)
    context.stdout.write("".join(f"{label:<{width}}  {value}\n" for label, value in rows))
    return 0


def run(context: Context) -> int:
    if context.args.feedback_action == "export":
        return export(context)
    return stats(context)
