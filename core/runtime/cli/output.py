"""What every command shares: its answer in words or JSON (a list's one line a row), its one-line
refusal, and the times it is given."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

Commands = argparse._SubParsersAction  # what ``add_subparsers`` returns: each group adds to it


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)


def emit_rows(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    line: Callable[[dict[str, Any]], str],
    empty: str,
) -> None:
    """A listing's answer: the rows as JSON, or one ``line`` a row (``empty`` when none)."""
    emit(args, rows, "\n".join(line(row) for row in rows) or empty)


def aware_time(text: str, option: str, example: str) -> datetime:
    """The ISO time given to ``option``, with its offset: without one it would be read in the
    server's timezone, which need not be the one of whoever typed it."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} takes an ISO time like {example}, not {text!r}") from None
    if when.tzinfo is None:
        raise CliError(f"{option} needs its offset, like {example}")
    return when
