"""The optional reference material: a corpus of real WhatsApp/360Dialog payloads that others
published, and Meta's OpenAPI description of the WhatsApp Business Platform.

Neither is part of the repository (the bodies we wrote ourselves are in ``tests/testdata``).
``D360_PAYLOADS`` names the corpus folder and ``D360_SPEC`` the OpenAPI file; their defaults,
``../shared/d360/payloads`` and ``../shared/d360/spec/meta-business-messaging-api_v23.0.yaml``,
and any relative value are read from the repository root, so a checkout with ``shared/`` beside it
needs no setting. Without them the tests that read them skip and say where they looked;
``.ci/run`` sets both so CI runs every test.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


def _configured(variable: str, default: str) -> Path:
    return (REPOSITORY / (os.environ.get(variable) or default)).resolve()


def _missing(path: Path, found: bool, what: str, variable: str) -> str | None:
    return None if found else f"{what} not found at {path} (set {variable} to where it is)"


PAYLOADS = _configured("D360_PAYLOADS", "../shared/d360/payloads")
SPEC = _configured("D360_SPEC", "../shared/d360/spec/meta-business-messaging-api_v23.0.yaml")
PAYLOADS_MISSING = _missing(PAYLOADS, PAYLOADS.is_dir(), "the payload corpus", "D360_PAYLOADS")
SPEC_MISSING = _missing(SPEC, SPEC.is_file(), "Meta's OpenAPI file", "D360_SPEC")

requires_payloads = pytest.mark.skipif(PAYLOADS_MISSING is not None, reason=str(PAYLOADS_MISSING))
"""For tests about the corpus as a whole (a table that must name every file of it)."""
requires_spec = pytest.mark.skipif(SPEC_MISSING is not None, reason=str(SPEC_MISSING))


def payload(relative: str) -> Any:
    """One corpus file, parsed. Without the corpus the test asking skips; a module reading one
    while it is imported skips as a whole."""
    if PAYLOADS_MISSING:
        pytest.skip(PAYLOADS_MISSING, allow_module_level=True)
    return json.loads((PAYLOADS / relative).read_text(encoding="utf-8"))


def payload_or(relative: str, default: Any) -> Any:
    """One corpus file, parsed, or ``default`` without the corpus: for a module that parametrizes
    over a file's content while it is imported, so only those tests have nothing to run."""
    return default if PAYLOADS_MISSING else payload(relative)


def payload_files() -> list[str]:
    """Every JSON file of the corpus, relative to it; none without the corpus (so a test
    parametrized over them has nothing to run, and pytest says so)."""
    if PAYLOADS_MISSING:
        return []
    return sorted(path.relative_to(PAYLOADS).as_posix() for path in PAYLOADS.rglob("*.json"))


def describe() -> list[str]:
    """What ``pytest`` prints in its header: which reference material this run reads."""
    return [
        f"reference payloads: {PAYLOADS_MISSING or PAYLOADS}",
        f"reference OpenAPI: {SPEC_MISSING or SPEC}",
    ]
