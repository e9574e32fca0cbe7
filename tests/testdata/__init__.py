"""Fixture files we wrote ourselves, in the shapes WhatsApp and 360Dialog publish.

``README.md`` says which public page each shape follows. The ``test_*.py`` beside the folders
feed every file to the product and state what must come out: adding a case is adding a file and
a row. Unlike the reference corpus (``tests/reference.py``), these are part of the repository, so
they run on every clone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load(relative: str) -> Any:
    """One fixture, parsed (``"webhooks/text.json"``)."""
    return json.loads((HERE / relative).read_text(encoding="utf-8"))


def names(folder: str) -> list[str]:
    """The fixtures of one folder (``webhooks``, ``templates``, ``errors``), without ``.json``."""
    return sorted(path.stem for path in (HERE / folder).glob("*.json"))
