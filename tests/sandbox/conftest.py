"""Fixtures: a real sandbox on a free port and a local webhook receiver, both over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from core.sandbox import Account, SandboxConfig, SandboxServer

CLOUD_KEY = "cloud-key"
ONPREM_KEY = "onprem-key"
CLOUD_NUMBER = "34600000001"
ONPREM_NUMBER = "34600000002"
CUSTOMER = "34611222333"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Receiver:
    """A webhook endpoint that records every POST and can be told to fail."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 500
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [r.body for r in self.received]

    def statuses(self) -> list[dict[str, Any]]:
        """Every status object received, flattening both generations' shapes."""
        found = []
        for body in self.bodies():
            if "entry" in body:
                for entry in body["entry"]:
                    for change in entry["changes"]:
                        found.extend(change["value"].get("statuses", []))
            else:
                found.extend(body.get("statuses", []))
        return found

    def messages(self) -> list[dict[str, Any]]:
        found = []
        for body in self.bodies():
            if "entry" in body:
                for entry in body["entry"]:
                    for change in entry["changes"]:
                        found.extend(change["value"].get("messages", []))
            else:
                found.extend(body.get("messages", []))
        return found


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            with receiver.lock:
                failing = receiver.fail_next > 0
                if failing:
                    receiver.fail_next -= 1
                else:
                    receiver.received.append(
                        Received(self.path, dict(self.headers.items()), json.loads(raw))
                    )
            status = receiver.fail_status if failing else 200
            self.send_response(status)
            if status == 302:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


def make_config(**overrides: Any) -> SandboxConfig:
    settings: dict[str, Any] = {
        "accounts": [
            Account(CLOUD_KEY, "+" + CLOUD_NUMBER),
            Account(ONPREM_KEY, "+" + ONPREM_NUMBER, generation="onprem"),
        ],
        "status_delays": (0.0, 0.01, 0.02),
        "review_delay": 0.05,
        "webhook_retry_base": 0.02,
        "webhook_retry_max_delay": 0.1,
        "webhook_timeout": 2.0,
        "random_seed": 7,
    }
    settings.update(overrides)
    return SandboxConfig(**settings)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(make_config()) as running:
        yield running


class Api:
    """A thin client speaking to the sandbox as the product would, plus control helpers."""

    def __init__(self, base_url: str, key: str, number: str) -> None:
        self.base_url = base_url
        self.number = number
        self.http = httpx.Client(base_url=base_url, headers={"D360-API-KEY": key}, timeout=10)

    def send(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.post("/messages", json={"messaging_product": "whatsapp", **body})

    def text(self, to: str, body: str = "hello") -> httpx.Response:
        return self.send({"to": to, "type": "text", "text": {"body": body}})

    def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, "/sandbox/api" + path, **kwargs)

    def customer_says(self, customer: str = CUSTOMER, **spec: Any) -> dict[str, Any]:
        spec.setdefault("name", "Lucía García")
        response = self.control(
            "POST", f"/accounts/{self.number}/customers/{customer}/messages", json=spec
        )
        assert response.status_code == 201, response.text
        return response.json()

    def idle(self) -> None:
        response = self.control("POST", "/idle", json={"timeout": 10})
        assert response.json()["idle"], response.text

    def set_webhook(self, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post("/v1/configs/webhook", json={"url": url, "headers": headers or {}})

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock", json={"advance_seconds": seconds}).raise_for_status()


@pytest.fixture
def cloud(server: SandboxServer, receiver: Receiver) -> Iterator[Api]:
    api = Api(server.base_url, CLOUD_KEY, CLOUD_NUMBER)
    api.set_webhook(receiver.url).raise_for_status()
    yield api
    api.http.close()


@pytest.fixture
def onprem(server: SandboxServer, receiver: Receiver) -> Iterator[Api]:
    api = Api(server.base_url, ONPREM_KEY, ONPREM_NUMBER)
    api.set_webhook(receiver.url).raise_for_status()
    yield api
    api.http.close()


def approved_template(api: Api, name: str, body_text: str, **extra: Any) -> dict[str, Any]:
    """Create a template through the API and force it to APPROVED through the control API."""
    components = [{"type": "BODY", "text": body_text, **extra.pop("body_extra", {})}]
    components += extra.pop("components", [])
    response = api.http.post(
        "/v1/configs/templates",
        json={"name": name, "category": "MARKETING", "language": "es", "components": components},
    )
    assert response.status_code == 200, response.text
    forced = api.control(
        "POST", f"/accounts/{api.number}/templates/{name}/status", json={"status": "APPROVED"}
    )
    assert forced.status_code == 200, forced.text
    return response.json()
