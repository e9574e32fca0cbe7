"""Real HTTP for the 360Dialog path: servers on free ports, our webhook routes, and the sandbox.

The product reaches the sandbox only over HTTP, exactly as it reaches 360Dialog. The ``live``
fixture in ``tests/conftest.py`` puts these together: a channel connected to a fresh sandbox.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

import httpx
import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.types import ASGIApp

from core.access.auth import SYSTEM_ACTOR
from core.channels.connect import connect_channel
from core.db import session_scope
from core.sandbox import Account, SandboxConfig, SandboxServer
from core.webhooks.routes import middleware, routes
from tests.waiting import wait_until

API_KEY = "live-api-key-0001"
NUMBER = "+34600111222"
CUSTOMER = "34611222333"


def free_port() -> int:
    """A port nobody listens on right now (for a process we start, or to find nobody there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """An ASGI app in this process, served by uvicorn on a daemon thread; yields its base URL.

    Port 0 lets the system pick the port while binding, so no other test can take it first."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started or not thread.is_alive(), message="uvicorn starting")
    assert server.started, "uvicorn stopped before it served"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


def serve_routes() -> AbstractContextManager[str]:
    """Our HTTP routes (health, webhooks), as the server process mounts them."""
    return serve(Starlette(routes=routes(), middleware=middleware()))


@dataclass
class SandboxControl:
    """The sandbox's control API, as a test plays the customer and 360Dialog's switches."""

    server: SandboxServer
    number: str = NUMBER.lstrip("+")

    @property
    def url(self) -> str:
        return f"{self.server.base_url}/sandbox/api"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def customer_writes(self, customer: str = CUSTOMER, **message: Any) -> Any:
        message.setdefault("name", "Marta")
        return self.call("POST", f"/accounts/{self.number}/customers/{customer}/messages", message)

    def conversation(self, customer: str = CUSTOMER) -> Any:
        return self.call("GET", f"/accounts/{self.number}/customers/{customer}/messages")

    def sent(self) -> list[dict[str, Any]]:
        return self.call("GET", f"/accounts/{self.number}/sent")

    def idle(self, timeout: float = 20) -> None:
        result = self.call("POST", "/idle", {"timeout": timeout})
        assert result["idle"], result

    def faults(self, **faults: Any) -> None:
        self.call("PUT", "/faults", faults)

    def advance_clock(self, seconds: float) -> None:
        self.call("POST", "/clock", {"advance_seconds": seconds})


@contextmanager
def sandbox(**config: Any) -> Iterator[SandboxControl]:
    """A sandbox with one Cloud number (``API_KEY``, ``NUMBER``); statuses and webhook retries
    come quickly so tests do not wait for them. ``config`` overrides any ``SandboxConfig`` field."""
    settings = {"status_delays": (0.05, 0.1, 0.15), "webhook_retry_base": 0.05, **config}
    with SandboxServer(SandboxConfig(accounts=[Account(API_KEY, NUMBER)], **settings)) as server:
        yield SandboxControl(server)


class LiveChannel(NamedTuple):
    """What the ``live`` fixture yields: the sandbox's controls and our channel's id."""

    control: SandboxControl
    channel_id: int


@contextmanager
def live_channel(engine: Engine, **config: Any) -> Iterator[LiveChannel]:
    """A channel connected to a fresh sandbox as an admin connects one, its webhook pointing at
    our routes over real HTTP."""
    with serve_routes() as public_url, sandbox(**config) as control:
        with session_scope(engine) as session:
            channel = connect_channel(
                session,
                SYSTEM_ACTOR,
                number=NUMBER,
                api_key=API_KEY,
                name="Tienda",
                base_url=control.server.base_url,
                public_url=public_url,
            ).channel
        yield LiveChannel(control, channel.id)
