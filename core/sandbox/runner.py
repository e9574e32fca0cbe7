"""Run a sandbox inside the current process, on a background thread.

Used by the tests and by the dashboard's demo mode::

    with SandboxServer(SandboxConfig(accounts=[Account("key", "+34600000001")])) as server:
        httpx.post(server.base_url + "/messages", headers={"D360-API-KEY": "key"}, json=...)

Port 0 (the default) picks a free port; :attr:`SandboxServer.base_url` tells which.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import uvicorn

from core.sandbox.engine import Sandbox, SandboxConfig
from core.sandbox.server import create_app

START_TIMEOUT = 10.0


class SandboxServer:
    """uvicorn serving :func:`create_app` on a daemon thread."""

    def __init__(
        self, config: SandboxConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.sandbox = Sandbox(config)
        self.host = host
        self.port = port
        self._server = uvicorn.Server(
            uvicorn.Config(
                create_app(self.sandbox),
                host=host,
                port=port,
                log_level="warning",
                lifespan="on",
                access_log=False,
            )
        )
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def page_url(self) -> str:
        return self.base_url + "/sandbox/"

    def start(self) -> SandboxServer:
        """Start serving; returns once the port is listening."""
        self._thread = threading.Thread(target=self._server.run, name="sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        sockets = [s for server in self._server.servers for s in server.sockets]
        self.port = sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT)
            self._thread = None

    def wait(self) -> None:
        """Block until the server stops (Ctrl-C in the CLI).

        A sleep, not ``Thread.join()``: when Ctrl-C interrupts ``join``, Python 3.11 marks the
        still-running thread as stopped, so :meth:`stop` did not wait for it and the interpreter
        could shut down under the running event loop (a segmentation fault, on a busy machine)."""
        while self._thread is not None and self._thread.is_alive():
            time.sleep(0.2)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
