"""HTTP served next to the dashboard by the same Starlette server: health and 360Dialog webhooks.

The webhook intake is a plain ASGI middleware rather than a Starlette route: it answers before
Streamlit's own middleware (path security, sessions, gzip, exception pages), none of which a
machine-to-machine POST needs, and that stack costs more per request than storing the body does.
At thousands of webhooks per second that difference is the receiver's throughput.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from core.channels.registry import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER
from core.db import get_engine
from core.webhooks import receiver

log = logging.getLogger(__name__)

WEBHOOK_PREFIX = WEBHOOK_PATH.removesuffix("{channel_id}")
_SECRET_HEADER = WEBHOOK_SECRET_HEADER.lower().encode()
Endpoint = Callable[[Request], Awaitable[Response]]


def store_problem() -> str | None:
    """Why the store cannot be reached, or ``None`` when it answers."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001  (reported, not raised: this is the health probe)
        return str(exc)
    return None


async def health(_request: Request) -> JSONResponse:
    """Liveness and store reachability, for load balancers and ``make run``."""
    problem = store_problem()
    if problem is not None:
        return JSONResponse({"status": "error", "store": problem}, status_code=503)
    return JSONResponse({"status": "ok"})


class WebhookIntake:
    """ASGI middleware answering ``POST /webhooks/360dialog/{channel_id}`` itself.

    Authenticated by the channel's secret header, stored durably (group commit), then 200; every
    other request goes on to the wrapped application untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WEBHOOK_PREFIX):
            await self.app(scope, receive, send)
            return
        status, answer = await self._answer(scope, receive)
        await _send_json(send, status, answer)

    async def _answer(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, str]]:
        try:
            channel_id = int(scope["path"][len(WEBHOOK_PREFIX) :])
        except ValueError:
            return 404, {"error": "unknown channel"}
        if scope["method"] != "POST":
            return 405, {"error": "method not allowed: 360Dialog posts webhooks"}
        body = await _read_body(receive, receiver.MAX_BODY_BYTES)
        if body is None:
            return 413, {"error": "body too large"}
        secret = next(
            (value.decode("latin-1") for name, value in scope["headers"] if name == _SECRET_HEADER),
            None,
        )
        try:
            receipt = await receiver.receive_async(get_engine(), channel_id, secret, body)
        except Exception:  # noqa: BLE001  (not stored: 360Dialog must retry, so no 200)
            log.exception("a webhook body could not be stored")
            return 503, {"error": "store unavailable; retry later"}
        if receipt.status_code != 200:
            return receipt.status_code, {"error": receipt.reason}
        return 200, {"status": "stored"}


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or ``None`` as soon as it grows past ``limit`` (never held whole)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _send_json(send: Send, status: int, answer: dict[str, Any]) -> None:
    payload = json.dumps(answer).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def bare(_request: Request) -> Response:
    """``BENCH_ROUTES=1`` only: answers 200 and does nothing, the benchmark's baseline."""
    return Response(b'{"status":"ok"}', media_type="application/json")


def routes(health_endpoint: Endpoint = health) -> list[BaseRoute]:
    """Starlette routes mounted beside the dashboard's (or the front's, with its own health)."""
    served = [Route("/healthz", health_endpoint, methods=["GET"])]
    if os.environ.get("BENCH_ROUTES") == "1":
        served.append(Route("/bench/bare", bare, methods=["POST"]))
    return served


def middleware() -> list[Middleware]:
    """ASGI middleware placed outside Streamlit's (the webhook intake)."""
    return [Middleware(WebhookIntake)]
