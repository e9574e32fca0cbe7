"""Shared helpers for the 360Dialog tests: the reference payloads and a recording transport.

The payloads are the optional corpus beside the checkout (``tests/reference.py`` says where, and
what happens without it): a test reading one skips without it, and a test parametrized over them
has nothing to run.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from core.d360.client import D360Client
from tests import testdata
from tests.reference import PAYLOADS
from tests.reference import payload as load
from tests.reference import payload_files as all_json

__all__ = [
    "PAYLOADS",
    "WEBHOOK_BODIES",
    "WEBHOOK_FILES",
    "Recorder",
    "all_json",
    "load",
    "make_client",
]


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

WEBHOOK_BODIES: list[Any] = [
    *(testdata.load(f"webhooks/{name}.json") for name in testdata.names("webhooks")),
    *(load(relative) for relative in WEBHOOK_FILES),
]
"""Every webhook body there is: ours, then the corpus's when it is there."""


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
