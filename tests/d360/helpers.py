"""Shared helpers for the 360Dialog tests: where the real payloads live and how to read them.

The payloads are the shared reference beside the checkout (``../shared/d360/payloads``). Without
them the tests skip locally; in CI (``CI=true``) a missing folder is a failure, never a silent skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.d360.client import D360Client

PAYLOADS = Path(
    os.environ.get("D360_PAYLOADS", Path(__file__).resolve().parents[3] / "shared/d360/payloads")
)

if not PAYLOADS.is_dir():  # pragma: no cover - only outside the shared workspace
    if os.environ.get("CI", "").lower() == "true":
        raise RuntimeError(f"payload folder {PAYLOADS} not found in CI")
    pytest.skip(f"payload folder {PAYLOADS} not found (set D360_PAYLOADS)", allow_module_level=True)


def load(relative: str) -> Any:
    return json.loads((PAYLOADS / relative).read_text(encoding="utf-8"))


def all_json() -> list[str]:
    """Every JSON file under the payloads folder, as a path relative to it."""
    return sorted(p.relative_to(PAYLOADS).as_posix() for p in PAYLOADS.rglob("*.json"))


def is_webhook_body(relative: str, data: Any) -> bool:
    """Webhook bodies, found by content; request/response/exchange files and template listings
    (named so in each folder's README) are bodies of API calls, not webhooks."""
    name = relative.rsplit("/", 1)[-1]
    if any(word in name for word in ("request", "response", "exchange")):
        return False
    if "/outbound/" in relative or "/templates/" in relative or "/responses/" in relative:
        return False
    if not isinstance(data, dict):
        return False
    return (
        "object" in data
        or "entry" in data
        or bool({"messages", "statuses", "contacts", "errors"} & data.keys())
    )


WEBHOOK_FILES = [rel for rel in all_json() if is_webhook_body(rel, load(rel))]


class Recorder:
    """A MockTransport handler that answers from a queue and remembers every request."""

    def __init__(self, *responses: httpx.Response) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.responses:
            return httpx.Response(500, json={"error": {"message": "no more mocked answers"}})
        return self.responses.pop(0)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> Any:
        return json.loads(self.last.content)


def make_client(
    recorder: Recorder, generation: str = "cloud", base_url: str | None = None
) -> D360Client:
    default = (
        "https://waba-v2.360dialog.io" if generation == "cloud" else "https://waba.360dialog.io"
    )
    return D360Client(
        base_url or default,
        "secret-key-123456",
        generation,  # type: ignore[arg-type]
        transport=httpx.MockTransport(recorder),
    )
