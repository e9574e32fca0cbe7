"""The front: ``python -m core serve``'s process on the public port.

It answers ``POST /webhooks/360dialog/{channel}`` (``core.webhooks.routes``' intake, unchanged),
``GET /healthz`` and the HTTP API (``/api/v1``, ``core.api``) on its own event loop, which nothing else busies: a webhook's answer no
longer waits for a dashboard rerun holding the interpreter lock. Every other request is relayed
to the dashboard, ``streamlit run server.py`` on a loopback port, a child the front restarts if
it dies. The front also starts the background worker child and, in demo mode, the sandbox, so
each runs once however often the dashboard restarts. Children end with the front: on SIGTERM or
SIGINT it stops them, and if it is killed they notice (``core.runtime.children``).
"""

from __future__ import annotations

import asyncio
import gc
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpcore
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Router
from starlette.types import ASGIApp, Receive, Scope, Send

from core.access.headers import SecurityHeaders
from core.api import routes as api_routes
from core.config import PROJECT_DIR, get_settings
from core.runtime.background import background_work
from core.runtime.children import ChildProcess
from core.runtime.front.http_relay import HttpRelay
from core.runtime.front.ws_relay import WebSocketRelay
from core.webhooks.routes import WebhookIntake, routes, store_problem

DASHBOARD_HEALTH = b"/_stcore/health"
PROBE_SECONDS = 2.0
MAX_WEBSOCKET_MESSAGE = 200 * 1024 * 1024
"""Streamlit's own limit (``server.maxMessageSize``, 200 MB); it still applies behind the front."""
DASHBOARD_NICENESS = 10
"""The dashboard yields the processor to the front when both want it: a webhook's answer takes
the front well under a millisecond, a rerun takes the dashboard tens, so the tabs barely notice,
while 360Dialog's answers no longer wait behind the reruns of a hundred open tabs (Linux's
scheduler gives a process at niceness 10 about a tenth of the share of one at 0; at 5, a third,
left webhooks waiting behind tabs on a 2-core machine)."""
SHUTDOWN_SECONDS = 5
"""How long open connections (tabs' websockets, uploads) get to finish when the front stops."""


def loopback_port(avoid: int) -> int:
    """A port free on the loopback interface now, for the dashboard child, and never ``avoid``:
    the front's own port is not bound yet when the child's is chosen, so the system may offer
    that very number, and the child then fails to start again and again."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != avoid:
            return port


def dashboard_command(port: int) -> list[str]:
    """``streamlit run server.py`` on ``127.0.0.1:port``: reachable from this machine only."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_DIR / "server.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


def local_url(host: str, port: int) -> str:
    """Where this machine reaches the front (the demo sandbox posts its webhooks there)."""
    reachable = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    return f"http://{reachable}:{port}"


class Front:
    """The front's ASGI application: its own routes, else the dashboard through the relays."""

    def __init__(self, host: str, port: int, dashboard_port: int) -> None:
        self.host = host
        self.port = port
        self.dashboard_port = dashboard_port
        self.http = HttpRelay(dashboard_port)
        self.websocket = WebSocketRelay(dashboard_port)
        router = Router(
            routes(self.health) + api_routes.routes(),
            redirect_slashes=False,
            default=self.relay,
            lifespan=self.lifespan,
        )
        # the dashboard's answers carry the security headers already; these are the front's own
        self.app: ASGIApp = SecurityHeaders(WebhookIntake(router))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    async def relay(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self.websocket(scope, receive, send)
        else:
            await self.http(scope, receive, send)

    async def health(self, _request: Request) -> JSONResponse:
        """Whether the store answers (webhooks can be stored) and the dashboard child does."""
        store, dashboard = await asyncio.gather(
            asyncio.to_thread(store_problem), self.dashboard_problem()
        )
        answer = {
            "status": "ok" if store is None and dashboard is None else "error",
            "store": store or "ok",
            "dashboard": dashboard or "ok",
        }
        return JSONResponse(answer, status_code=200 if answer["status"] == "ok" else 503)

    async def dashboard_problem(self) -> str | None:
        """Why the dashboard child does not answer its health route, or ``None``."""
        try:
            response = await self.http.pool.request(
                "GET",
                httpcore.URL(
                    scheme=b"http",
                    host=b"127.0.0.1",
                    port=self.dashboard_port,
                    target=DASHBOARD_HEALTH,
                ),
                extensions={"timeout": dict.fromkeys(("connect", "read", "pool"), PROBE_SECONDS)},
            )
        except httpcore.TimeoutException:
            return "not answering"
        except httpcore.NetworkError:
            return "not running"
        return None if response.status == 200 else f"answered {response.status}"

    @asynccontextmanager
    async def lifespan(self, _app: Any) -> AsyncIterator[None]:
        """The dashboard child, then the background work; stopped the other way round."""
        settings = get_settings()
        dashboard = ChildProcess(
            "dashboard", dashboard_command(self.dashboard_port), niceness=DASHBOARD_NICENESS
        ).start()
        try:
            async with background_work(settings.public_url or local_url(self.host, self.port)):
                # Python's full garbage collections walk every object the process holds, the
                # imports alone ~140,000: at 500 API sends a second one came every ~5 s and held
                # the interpreter 130-180 ms, stalling every answer. What exists once the front
                # serves lives as long as it does, so it leaves the collector's generations (a
                # full collection then walks only what came after).
                gc.freeze()
                yield
        finally:
            dashboard.stop()
            await self.http.aclose()


def run(host: str, port: int) -> None:
    """Serve until SIGTERM or SIGINT (uvicorn's handlers), then stop every child."""
    front = Front(host, port, loopback_port(avoid=port))
    uvicorn.Server(
        uvicorn.Config(
            front,
            host=host,
            port=port,
            loop="uvloop",
            http="httptools",
            ws="websockets-sansio",
            ws_max_size=MAX_WEBSOCKET_MESSAGE,
            ws_per_message_deflate=False,
            lifespan="on",
            server_header=False,
            date_header=False,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=SHUTDOWN_SECONDS,
        )
    ).run()
