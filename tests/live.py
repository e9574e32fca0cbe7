"""Real HTTP for the 360Dialog path: our webhook routes served by uvicorn, and the sandbox.

The product reaches the sandbox only over HTTP, exactly as it reaches 360Dialog.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from core.sandbox import Account, SandboxConfig, SandboxServer
from core.webhooks.routes import middleware, routes

API_KEY = "live-api-key-0001"
NUMBER = "+34600111222"
CUSTOMER = "34611222333"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_routes() -> Iterator[str]:
    """Our HTTP routes (health, webhooks) on a free port, as the server process mounts them."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=routes(), middleware=middleware()),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("webhook routes did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


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
    settings = {"status_delays": (0.05, 0.1, 0.15), "webhook_retry_base": 0.05, **config}
    server = SandboxServer(SandboxConfig(accounts=[Account(API_KEY, NUMBER)], **settings)).start()
    try:
        yield SandboxControl(server)
    finally:
        server.stop()
