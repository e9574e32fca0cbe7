"""Websocket sessions relayed to the dashboard: Streamlit's ``/_stcore/stream``.

The browser's handshake goes on as it came: its ``Host`` (Streamlit refuses an ``Origin`` that
does not match it), ``Origin``, cookies (the login cookie, Streamlit's XSRF cookie) and its
``Sec-WebSocket-Protocol`` list, in which Streamlit's client passes the XSRF token and the session
to resume after the protocol's name. The dashboard's choice of protocol is what the browser is
answered. Then each message is passed on as it is, in both directions, with no compression on the
loopback leg (Streamlit's default is none either way) and no pings of the front's own on it (the
dashboard pings and the relay answers).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.types import Message, Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Origin, Subprotocol

from core.runtime.front.forwarding import request_headers

log = logging.getLogger(__name__)

# set by the websocket client from the arguments below, or per connection
_HANDSHAKE = frozenset(
    {
        b"host",
        b"origin",
        b"user-agent",
        b"sec-websocket-key",
        b"sec-websocket-version",
        b"sec-websocket-extensions",
        b"sec-websocket-protocol",
    }
)
OPEN_TIMEOUT = 10.0
GOING_AWAY = 1001
SERVICE_RESTART = 1012
"""Told to the browser when the dashboard's side ended without a code (its process died):
Streamlit's page reconnects, to the restarted dashboard."""
_UNSENDABLE = {1005, 1006, 1015}
"""Close codes that only report what happened and may not be sent (RFC 6455, section 7.4.1)."""


class WebSocketRelay:
    """Relays each websocket to the dashboard at ``127.0.0.1:port``."""

    def __init__(self, port: int) -> None:
        self.port = port

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        try:
            upstream = await self._open(scope)
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            # refused by the dashboard (its origin check), or the dashboard is down: the
            # browser's handshake is refused too, and its page tries again
            log.info("websocket to the dashboard refused: %s", exc)
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "websocket.accept", "subprotocol": upstream.subprotocol})
        to_dashboard = asyncio.ensure_future(_browser_to_dashboard(receive, upstream))
        to_browser = asyncio.ensure_future(_dashboard_to_browser(upstream, send))
        try:
            await asyncio.wait({to_dashboard, to_browser}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            to_dashboard.cancel()
            to_browser.cancel()
            await upstream.close()

    async def _open(self, scope: Scope) -> ClientConnection:
        headers = dict(scope["headers"])
        host = headers.get(b"host", f"127.0.0.1:{self.port}".encode()).decode("latin-1")
        target = scope["raw_path"].decode("latin-1") or scope["path"]
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        origin = headers.get(b"origin")
        # the uri names the browser's host (the Host header the dashboard sees); host and port
        # name where the connection actually goes
        return await connect(
            f"ws://{host}{target}",
            host="127.0.0.1",
            port=self.port,
            origin=Origin(origin.decode("latin-1")) if origin else None,
            subprotocols=[Subprotocol(name) for name in scope.get("subprotocols", [])] or None,
            additional_headers=[
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, value in request_headers(scope, also_drop=_HANDSHAKE)
            ],
            user_agent_header=headers.get(b"user-agent", b"").decode("latin-1") or None,
            compression=None,
            open_timeout=OPEN_TIMEOUT,
            ping_interval=None,
            max_size=None,
            proxy=None,
        )


async def _browser_to_dashboard(receive: Receive, upstream: ClientConnection) -> None:
    with contextlib.suppress(ConnectionClosed):  # the dashboard went away: the other side ends
        while True:
            message: Message = await receive()
            if message["type"] == "websocket.disconnect":
                code = message.get("code", GOING_AWAY)
                await upstream.close(GOING_AWAY if code in _UNSENDABLE else code)
                return
            data = message.get("bytes")
            await upstream.send(data if data is not None else message["text"])


async def _dashboard_to_browser(upstream: ClientConnection, send: Send) -> None:
    # the browser may go away meanwhile (uvicorn then raises an OSError on send)
    with contextlib.suppress(ConnectionClosed, OSError):
        async for data in upstream:
            if isinstance(data, bytes):
                await send({"type": "websocket.send", "bytes": data})
            else:
                await send({"type": "websocket.send", "text": data})
    code = upstream.close_code
    with contextlib.suppress(OSError, RuntimeError):  # the browser is gone already
        await send(
            {
                "type": "websocket.close",
                "code": SERVICE_RESTART if code is None or code in _UNSENDABLE else code,
            }
        )
