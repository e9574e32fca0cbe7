"""How ``D360Client`` reaches 360Dialog: a lean HTTP/1.1 transport on kept-alive connections.

At WhatsApp's top pace (1,000 sends a second) every send is one small JSON request to the same
host. httpx's own transport (httpcore's pool, h11) spends about twice this one's CPU on each, in
clear and over TLS, which on two cores leaves a campaign at that pace almost no margin
(``bench.campaign``: 0.96 of the pace against 0.98); the standard library's ``http.client`` was
no better (headers parsed by the email package, two writes per request). This transport writes
each request in one piece and reads the answer with ``httptools`` (the C parser uvicorn uses),
while keeping httpx's request and response types: the client builds and reads them as before,
and tests still inject an ``httpx.MockTransport``.

- Idle connections are kept per host. One idle for a while is reused only if the server has not
  closed it meanwhile (its socket is not readable), so a request does not go out on a connection
  that is already gone; servers close idle connections after seconds (uvicorn 5, nginx 75), so
  one used a moment ago is taken without asking the kernel, which a thread pays for with the GIL.
- Timeouts come from the request (``extensions["timeout"]``, as httpx sets them): ``connect`` to
  open a connection, ``read`` for each wait on the server after that.
- Failures are httpx's exceptions: ``TimeoutException`` for timeouts, other ``TransportError``s
  for the rest, so the client maps them as it always did.
- TLS (360Dialog is only reachable over HTTPS): the certificate and the host name are always
  verified, against the authorities ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` name when the transport
  is made (the convention httpx and OpenSSL follow), else certifi's bundle, or against the
  ``ssl_context`` given.
- A request goes out once. If the connection fails after it was written (the server closed an
  idle connection just then, or reset it), the request fails with a transport error and is not
  sent again here: the server may have received it. The caller decides (the client raises
  ``ConnectionFailed``, which is transient, and the sender tries again later).
- A proxy named in the environment (``HTTPS_PROXY`` and friends, which httpx honours) is left to
  httpx's own transport.
- Not for ``HEAD`` requests or ``Expect: 100-continue`` (the client sends neither).
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import httptools
import httpx

__all__ = ["KeepAliveTransport", "transport_for"]

Origin = tuple[str, str, int]

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_IDLE_PER_HOST = 32
"""More than the sender's threads, so steady sending never opens a connection."""
TRUSTED_IDLE_SECONDS = 1.0
"""An idle connection younger than this is reused unchecked (see the module's notes)."""
READ_SIZE = 65536


def transport_for(base_url: str) -> httpx.BaseTransport:
    """The transport for a channel's 360Dialog: this one, or httpx's own behind a proxy."""
    url = httpx.URL(base_url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if proxy and not urllib.request.proxy_bypass(url.host):
        return httpx.HTTPTransport(proxy=proxy)
    return KeepAliveTransport()


class KeepAliveTransport(httpx.BaseTransport):
    """Connections kept open per host, shared by threads one request at a time."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self._ssl_context = ssl_context or httpx.create_ssl_context()
        self._idle: dict[Origin, list[tuple[socket.socket, float]]] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin = _origin(request.url)
        timeouts = request.extensions.get("timeout", {})
        connection = self._take(origin) or self._open(origin, timeouts.get("connect"))
        try:
            answer = _exchange(connection, request, timeouts.get("read"))
        except BaseException:
            connection.close()
            raise
        if answer.keep_alive:
            self._give_back(origin, connection)
        else:
            connection.close()
        return answer.response(request)

    def close(self) -> None:
        with self._lock:
            idle = [connection for pool in self._idle.values() for connection, _ in pool]
            self._idle.clear()
        for connection in idle:
            connection.close()

    def _take(self, origin: Origin) -> socket.socket | None:
        """The most recently used idle connection the server has not closed since."""
        while True:
            with self._lock:
                pool = self._idle.get(origin)
                connection, idle_since = pool.pop() if pool else (None, 0.0)
            if connection is None:
                return None
            recent = time.monotonic() - idle_since < TRUSTED_IDLE_SECONDS
            if recent or not _closed_by_server(connection):
                return connection
            connection.close()

    def _give_back(self, origin: Origin, connection: socket.socket) -> None:
        with self._lock:
            pool = self._idle.setdefault(origin, [])
            if len(pool) < MAX_IDLE_PER_HOST:
                pool.append((connection, time.monotonic()))
                return
        connection.close()

    def _open(self, origin: Origin, timeout: float | None) -> socket.socket:
        scheme, host, port = origin
        with _raised_as(httpx.ConnectTimeout, httpx.ConnectError):
            connection = socket.create_connection((host, port), timeout=timeout)
            try:
                connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if scheme == "https":
                    connection = self._ssl_context.wrap_socket(connection, server_hostname=host)
            except BaseException:
                connection.close()
                raise
        return connection


class _Answer:
    """The answer being read: ``httptools`` calls these as it parses."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.reason = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.headers_done = self.complete = False
        self.status_code = 0
        self.keep_alive = False

    def on_status(self, reason: bytes) -> None:
        self.reason += reason

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        # read now: the parser forgets them once the message is complete
        self.status_code = self.parser.get_status_code()
        self.keep_alive = self.parser.should_keep_alive()
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True

    def ends_with_connection(self) -> bool:
        """Whether the body runs until the server closes (neither a length nor chunks)."""
        names = {name.lower() for name, _ in self.headers}
        return self.headers_done and not names & {b"content-length", b"transfer-encoding"}

    def response(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            self.status_code,
            headers=self.headers,
            content=b"".join(self.body),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": self.reason},
        )


def _origin(url: httpx.URL) -> Origin:
    return url.scheme, url.host, url.port or DEFAULT_PORTS[url.scheme]


def _exchange(connection: socket.socket, request: httpx.Request, timeout: float | None) -> _Answer:
    """Write the request (head and body in one piece) and read its whole answer."""
    head = b"%s %s HTTP/1.1\r\n%s\r\n" % (
        request.method.encode("ascii"),
        request.url.raw_path,
        b"".join(b"%s: %s\r\n" % header for header in request.headers.raw),
    )
    answer = _Answer()
    with _raised_as(httpx.ReadTimeout, httpx.ReadError):
        connection.settimeout(timeout)
        connection.sendall(head + request.read())
        while not answer.complete:
            data = connection.recv(READ_SIZE)
            if not data:
                if not answer.ends_with_connection():
                    raise httpx.RemoteProtocolError("the server closed the connection mid-answer")
                break
            answer.parser.feed_data(data)
    answer.keep_alive = answer.keep_alive and answer.complete
    return answer


def _closed_by_server(connection: socket.socket) -> bool:
    """An idle connection with something to read has been closed (or spoken on) by the server."""
    poller = select.poll()
    poller.register(connection, select.POLLIN)
    return bool(poller.poll(0))


@contextmanager
def _raised_as(
    on_timeout: type[httpx.TimeoutException], on_error: type[httpx.TransportError]
) -> Iterator[None]:
    """Network and parsing failures as the httpx exceptions callers expect."""
    try:
        yield
    except TimeoutError as exc:
        raise on_timeout(str(exc) or "timed out") from exc
    except httptools.HttpParserError as exc:
        raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from exc
    except OSError as exc:
        raise on_error(str(exc) or type(exc).__name__) from exc
