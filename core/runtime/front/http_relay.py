"""HTTP requests relayed to the dashboard, their bodies streamed both ways.

An upload (Streamlit takes files up to ``server.maxUploadSize``, 100 MB here) goes on chunk by
chunk as the client sends it, and an answer goes back as the dashboard writes it: the front never
holds a body whole. httpcore (the connection pool under httpx) does the relaying: httpx's own
client adds a cookie jar shared by every request, default headers (``Accept-Encoding``, whose
answer a client that did not ask for it could not read) and URL normalisation, each right for a
client calling an API and wrong for a proxy, which must pass requests through as they came.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpcore
from starlette.types import Receive, Scope, Send

from core.config import get_settings
from core.i18n import preferred_language, t
from core.runtime.front.forwarding import request_headers, response_headers

KEEPALIVE_SECONDS = 4.0
"""Below uvicorn's 5 s keep-alive on the dashboard's side, so the front never reuses a
connection the dashboard is closing."""
MAX_CONNECTIONS = 256
"""Each browser opens up to six connections for a page's files; more than the busiest moment."""
TIMEOUTS = {"connect": 5.0, "read": 120.0, "write": 120.0, "pool": 30.0}


class ClientGone(Exception):
    """The client disconnected while its request body was being relayed."""


class HttpRelay:
    """Relays one request at a time to the dashboard at ``127.0.0.1:port`` (many at once)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.pool = httpcore.AsyncConnectionPool(
            max_connections=MAX_CONNECTIONS, keepalive_expiry=KEEPALIVE_SECONDS
        )

    async def aclose(self) -> None:
        await self.pool.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = scope["raw_path"] or scope["path"].encode()
        if scope["query_string"]:
            target += b"?" + scope["query_string"]
        headers = request_headers(scope)
        request = httpcore.Request(
            scope["method"].encode(),
            httpcore.URL(scheme=b"http", host=b"127.0.0.1", port=self.port, target=target),
            headers=headers + _framing(scope),
            content=_body(receive) if _has_body(scope) else None,
            extensions={"timeout": TIMEOUTS},
        )
        try:
            response = await self.pool.handle_async_request(request)
        except ClientGone:
            return
        except (httpcore.ConnectError, httpcore.RemoteProtocolError, httpcore.ReadError):
            await _unreachable(scope, send)
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": response_headers(response.headers),
                }
            )
            async for chunk in response.aiter_stream():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            await response.aclose()


def _has_body(scope: Scope) -> bool:
    return any(name in (b"content-length", b"transfer-encoding") for name, _ in scope["headers"])


def _framing(scope: Scope) -> list[tuple[bytes, bytes]]:
    """A body of unknown length (the client sent it chunked) goes on chunked; a known length
    keeps its ``Content-Length``, which :func:`request_headers` passed on."""
    names = {name for name, _ in scope["headers"]}
    if b"transfer-encoding" in names and b"content-length" not in names:
        return [(b"transfer-encoding", b"chunked")]
    return []


async def _body(receive: Receive) -> AsyncIterator[bytes]:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _unreachable(scope: Scope, send: Send) -> None:
    """While the dashboard child is down: a short note in the client's language."""
    accept_language = next(
        (value.decode("latin-1") for name, value in scope["headers"] if name == b"accept-language"),
        None,
    )
    language = preferred_language(accept_language, get_settings().default_language)
    note = t("front.dashboard_unavailable", language).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 502,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(note)).encode()),
                (b"retry-after", b"5"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": note})
