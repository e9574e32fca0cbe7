"""The front's HTTP relay over real sockets, against a stand-in for the dashboard: requests pass
through as they came (Host, cookies, redirects) and bodies stream both ways, never held whole."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from core.runtime.front.http_relay import HttpRelay
from tests.live import serve
from tests.waiting import wait_until

MB = 1024 * 1024
UPLOAD_MB = 100  # Streamlit's upload limit here (server.maxUploadSize)


class Dashboard:
    """Stands in for the Streamlit child: says what it received; streams a long answer."""

    def __init__(self) -> None:
        self.received = 0
        self.first_chunk = threading.Event()
        self.client_read_first = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if scope["path"] == "/upload":
            await self.upload(receive, send)
        elif scope["path"] == "/download":
            await self.download(send)
        else:
            await self.echo(scope, send)

    async def upload(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            self.received += len(message.get("body", b""))
            if self.received:
                self.first_chunk.set()
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(self.received).encode()})

    async def download(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * MB, "more_body": True})
        # the rest only once the client has the first part: a relay holding the answer whole
        # would give the client nothing, and this would time out
        assert await asyncio.to_thread(self.client_read_first.wait, 30)
        await send({"type": "http.response.body", "body": b"y" * MB})

    async def echo(self, scope: Scope, send: Send) -> None:
        seen = {name.decode(): value.decode() for name, value in scope["headers"]}
        target = scope["raw_path"] + b"?" + scope["query_string"]
        body = json.dumps({"headers": seen, "target": target.decode()}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [
                    (b"location", b"/"),
                    (b"set-cookie", b"a=1; HttpOnly"),
                    (b"set-cookie", b"b=2; SameSite=Strict"),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def dashboard() -> Dashboard:
    return Dashboard()


@pytest.fixture
def front(dashboard: Dashboard) -> Iterator[str]:
    """The relay on its own port, passing everything to ``dashboard`` on another."""
    with serve(dashboard) as dashboard_url:
        relay = HttpRelay(urlsplit(dashboard_url).port or 0)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                await relay(scope, receive, send)

        with serve(app) as front_url:
            yield front_url


def test_an_upload_reaches_the_dashboard_while_it_is_still_being_sent(front, dashboard) -> None:
    def upload() -> Iterator[bytes]:
        yield b"u" * MB
        # a relay holding the body whole would pass nothing on before the end: this would wait
        wait_until(dashboard.first_chunk.is_set, message="the first megabyte at the dashboard")
        for _ in range(UPLOAD_MB - 1):
            yield b"u" * MB

    answer = httpx.post(f"{front}/upload", content=upload(), timeout=60)
    assert answer.status_code == 200 and int(answer.text) == UPLOAD_MB * MB


def test_a_body_of_known_length_keeps_it(front) -> None:
    answer = httpx.post(f"{front}/upload", content=b"z" * 1000, timeout=10)
    assert answer.status_code == 200 and answer.text == "1000"


def test_an_answer_reaches_the_client_while_the_dashboard_is_still_writing_it(
    front, dashboard
) -> None:
    with httpx.stream("GET", f"{front}/download", timeout=30) as answer:
        parts = answer.iter_bytes()
        first = next(parts)
        assert first.startswith(b"x")
        dashboard.client_read_first.set()
        rest = first + b"".join(parts)
    assert len(rest) == 2 * MB and rest.endswith(b"y")


def test_host_cookies_redirects_and_forwarding_headers_pass_through(front) -> None:
    answer = httpx.get(
        f"{front}/auth/session?ticket=a%2Fb",
        headers={"Host": "whatsapp.example.com", "Cookie": "login=1; other=2"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert answer.headers.get_list("set-cookie") == ["a=1; HttpOnly", "b=2; SameSite=Strict"]
    seen = answer.json()
    assert seen["target"] == "/auth/session?ticket=a%2Fb"
    headers = seen["headers"]
    assert headers["host"] == "whatsapp.example.com"
    assert headers["cookie"] == "login=1; other=2"
    assert headers["x-forwarded-for"] == "127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert "accept-encoding" in headers  # the client's own, and nothing added to them
    assert headers["user-agent"].startswith("python-httpx")
