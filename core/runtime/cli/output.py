"""What every command shares: its answer in words or JSON, and its one-line refusal."""

from __future__ import annotations

import argparse
import json
from typing import Any

Commands = argparse._SubParsersAction  # what ``add_subparsers`` returns: each group adds to it


class CliError(Exception):
    """Ends the command with one line on stderr and exit status 1."""


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, default=str) if args.json else text)
