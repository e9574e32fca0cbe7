"""The lean keep-alive transport against a real local HTTP/1.1 server, in clear and over TLS
(360Dialog is only reachable over HTTPS): connections kept and reused, not reused once the server
closed them while idle, answers in every framing and gzipped, certificates verified, failures as
httpx's exceptions.

Over TLS the server's certificate comes from a test authority the client trusts the way an
operator would make it trust a private one: ``SSL_CERT_FILE`` names its bundle.
"""

from __future__ import annotations

import gzip
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from core.d360 import transport
from core.d360.client import D360Client
from core.d360.errors import ConnectionFailed
from core.d360.transport import KeepAliveTransport, transport_for
from tests.d360.certificates import CertificateAuthority
from tests.live import free_port

OK = {"messages": [{"id": "wamid.OK"}]}


class Server(ThreadingHTTPServer):
    """Answers every POST with ``OK``; counts connections; ``idle_seconds`` closes a connection
    that stays idle that long after an answer (a new connection's first request may take as long
    as a busy machine needs to send it).

    With ``tls`` each connection is secured in its own thread; ``connections`` then counts
    completed handshakes, so a reused connection is one handshake, not one per request.
    """

    daemon_threads = True
    block_on_close = False
    connections = 0
    idle_seconds = 5.0
    close_after_answer = False
    framing = "length"  # how the answer's end is told: "length", "chunked" or "close"
    gzipped = False
    delay = 0.0
    bodies: list[bytes]
    tls: ssl.SSLContext | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://localhost:{self.server_address[1]}"

    def finish_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        with self.tls.wrap_socket(request, server_side=True) as secured:
            super().finish_request(secured, client_address)
            secured.unwrap()  # close_notify, as TLS servers close; raises if the client has gone

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that timed out or refused the certificate has gone, as expected


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        self.server.connections += 1
        super().setup()

    def handle_one_request(self) -> None:
        super().handle_one_request()
        self.connection.settimeout(self.server.idle_seconds)

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        self.server.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.server.delay)  # a slow 360Dialog is what some tests are about
        body = json.dumps(OK).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.server.gzipped:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
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


@contextmanager
def serving(tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.bodies = []
    httpd.tls = tls
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


def certified(authority: CertificateAuthority, hostname: str, folder: Path) -> ssl.SSLContext:
    """A server's TLS context presenting a certificate ``authority`` issued for ``hostname``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*authority.issue(hostname, folder))
    return context


@pytest.fixture
def authority() -> CertificateAuthority:
    return CertificateAuthority()


@pytest.fixture
def trusted(
    authority: CertificateAuthority, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> CertificateAuthority:
    """``authority``, trusted through ``SSL_CERT_FILE`` as an operator would configure it."""
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.write_bundle(tmp_path / "ca.pem")))
    return authority


@pytest.fixture
def untrusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the public authorities the client trusts by default."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)


@pytest.fixture(params=["http", "https"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    """The server in clear, then over TLS with a "localhost" certificate the client trusts."""
    tls = None
    if request.param == "https":
        authority = request.getfixturevalue("trusted")
        tls = certified(authority, "localhost", tmp_path)
    with serving(tls) as httpd:
        yield httpd


def client_of(server: Server, timeout: float = 5.0) -> D360Client:
    return D360Client(server.base_url, "key", timeout=timeout)


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


def test_a_reused_connection_the_server_just_closed_fails_once_and_is_not_sent_again(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reused without a check (idle less than ``TRUSTED_IDLE_SECONDS``), a connection the
    server has closed fails the request. The transport never sends it again itself: a request
    that got no answer may have been received, and the sender decides about another attempt
    (the failure is transient). The next request opens a new connection."""
    monkeypatch.setattr(transport, "TRUSTED_IDLE_SECONDS", 60.0)
    server.idle_seconds = 0.1
    with client_of(server) as client:
        send(client, "first")
        time.sleep(0.4)  # the server has closed the idle connection by now
        with pytest.raises(ConnectionFailed) as caught:
            send(client, "lost")
        assert caught.value.is_transient
        assert send(client, "next") == "wamid.OK"
    assert server.connections == 2
    assert [json.loads(body)["text"]["body"] for body in server.bodies] == ["first", "next"]


@pytest.mark.parametrize("gzipped", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_answers_in_every_framing_plain_or_gzipped(
    server: Server, framing: str, gzipped: bool
) -> None:
    server.framing, server.gzipped = framing, gzipped
    with client_of(server) as client:
        assert [send(client), send(client)] == ["wamid.OK", "wamid.OK"]
    assert server.connections == (2 if framing == "close" else 1)


def test_a_slow_answer_times_out(server: Server) -> None:
    server.delay = 1.0
    with client_of(server, timeout=0.2) as client, pytest.raises(ConnectionFailed) as caught:
        send(client)
    assert "timed out" in str(caught.value)


def test_a_certificate_from_an_unknown_authority_is_refused(
    authority: CertificateAuthority, untrusted: None, tmp_path: Path
) -> None:
    with serving(certified(authority, "localhost", tmp_path)) as server:
        with client_of(server) as client, pytest.raises(ConnectionFailed) as caught:
            send(client)
        assert server.bodies == []
    refusal = caught.value.__cause__.__cause__  # ConnectError, then what ssl raised
    assert isinstance(refusal, ssl.SSLCertVerificationError)
    assert "self-signed certificate in certificate chain" in refusal.verify_message


def test_a_certificate_for_another_name_is_refused(
    trusted: CertificateAuthority, tmp_path: Path
) -> None:
    with serving(certified(trusted, "other.example", tmp_path)) as server:
        with client_of(server) as client, pytest.raises(ConnectionFailed) as caught:
            send(client)
        assert server.bodies == []
    refusal = caught.value.__cause__.__cause__
    assert isinstance(refusal, ssl.SSLCertVerificationError)
    assert "Hostname mismatch" in refusal.verify_message


def test_an_ssl_context_given_to_the_transport_is_the_one_used(
    authority: CertificateAuthority, untrusted: None, tmp_path: Path
) -> None:
    context = ssl.create_default_context(cafile=authority.write_bundle(tmp_path / "ca.pem"))
    with serving(certified(authority, "localhost", tmp_path)) as server:
        lean = KeepAliveTransport(ssl_context=context)
        try:
            with D360Client(server.base_url, "key", transport=lean) as client:
                assert send(client) == "wamid.OK"
        finally:
            lean.close()


def test_a_server_that_never_finishes_the_handshake_is_a_connect_timeout() -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never answers a hello
        url = f"https://localhost:{silent.getsockname()[1]}"
        with (
            D360Client(url, "key", timeout=0.2) as client,
            pytest.raises(ConnectionFailed) as caught,
        ):
            send(client)
    assert "ConnectTimeout" in str(caught.value)


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
