"""The lean keep-alive transport against a real local HTTP/1.1 server: connections kept and
reused, not reused once the server closed them while idle, failures as httpx's exceptions."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from core.d360 import transport
from core.d360.client import D360Client
from core.d360.errors import ConnectionFailed
from core.d360.transport import KeepAliveTransport, transport_for
from tests.live import free_port

OK = {"messages": [{"id": "wamid.OK"}]}


class Server(ThreadingHTTPServer):
    """Answers every POST with ``OK``; counts connections; ``idle_seconds`` closes idle ones."""

    daemon_threads = True
    block_on_close = False
    connections = 0
    idle_seconds = 5.0
    close_after_answer = False
    framing = "length"  # how the answer's end is told: "length", "chunked" or "close"
    delay = 0.0
    bodies: list[bytes]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out has gone: writing to it fails, as expected


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        self.server.connections += 1
        self.timeout = self.server.idle_seconds
        super().setup()

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.server.delay)  # a slow 360Dialog is what some tests are about
        body = json.dumps(OK).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.server.framing == "length":
            self.send_header("Content-Length", str(len(body)))
        elif self.server.framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            chunks = [body[: len(body) // 2], body[len(body) // 2 :], b""]
            body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks)
        if self.server.close_after_answer or self.server.framing == "close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.bodies = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def client_of(server: Server, timeout: float = 5.0) -> D360Client:
    return D360Client(f"http://127.0.0.1:{server.server_address[1]}", "key", timeout=timeout)


def send(client: D360Client, text: str = "hola") -> str:
    return client.send_message({"to": "1", "type": "text", "text": {"body": text}}).message_id


def test_requests_share_one_kept_alive_connection(server: Server) -> None:
    with client_of(server) as client:
        assert [send(client, f"m{n}") for n in range(5)] == ["wamid.OK"] * 5
    assert server.connections == 1
    assert [json.loads(body)["text"]["body"] for body in server.bodies] == [
        f"m{n}" for n in range(5)
    ]


def test_threads_get_a_connection_each_and_keep_them(server: Server) -> None:
    server.delay = 0.05  # so the four requests of a round overlap
    with client_of(server) as client:
        for _ in range(3):
            threads = [threading.Thread(target=send, args=(client,)) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    assert len(server.bodies) == 12
    assert server.connections <= 4


def test_a_connection_the_server_closed_while_idle_is_not_used(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "TRUSTED_IDLE_SECONDS", 0.2)
    server.idle_seconds = 0.1
    with client_of(server) as client:
        send(client)
        time.sleep(0.4)  # idle past the server's timeout and the transport's trust: under test
        assert send(client) == "wamid.OK"
    assert server.connections == 2
    assert len(server.bodies) == 2  # the second send went out once, on a new connection


def test_an_answer_that_closes_the_connection_is_not_reused(server: Server) -> None:
    server.close_after_answer = True
    with client_of(server) as client:
        send(client)
        send(client)
    assert server.connections == 2


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_answers_in_chunks_or_until_the_connection_closes(server: Server, framing: str) -> None:
    server.framing = framing
    with client_of(server) as client:
        assert [send(client), send(client)] == ["wamid.OK", "wamid.OK"]
    assert server.connections == (1 if framing == "chunked" else 2)


def test_a_slow_answer_times_out(server: Server) -> None:
    server.delay = 1.0
    with client_of(server, timeout=0.2) as client, pytest.raises(ConnectionFailed) as caught:
        send(client)
    assert "timed out" in str(caught.value)


def test_nobody_listening_is_a_connect_error() -> None:
    transport = KeepAliveTransport()
    request = httpx.Request("GET", f"http://127.0.0.1:{free_port()}/", extensions={})
    with pytest.raises(httpx.ConnectError):
        transport.handle_request(request)


def test_a_proxy_in_the_environment_goes_through_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert isinstance(transport_for("https://waba-v2.360dialog.io"), httpx.HTTPTransport)
    monkeypatch.setenv("NO_PROXY", "360dialog.io")
    assert isinstance(transport_for("https://waba-v2.360dialog.io"), KeepAliveTransport)
