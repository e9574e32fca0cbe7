"""Real product processes: ``python -m core serve`` / ``worker`` on a test's data dir and store.

Shared by the tests that run several processes (scale-out, a PostgreSQL restart under load) and by
the browser journeys. The ``processes`` fixture is registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import nullcontext, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from tests.live import free_port
from tests.waiting import wait_until
from tests.webhook_bodies import messages_webhook

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Store(Protocol):
    """Where a process keeps its data (``core.config.Settings`` is one)."""

    data_dir: Path
    database_url: str


def environment(store: Store, **env: str) -> dict[str, str]:
    """This process's environment pointed at ``store``, never in demo mode (``env`` may
    override anything, even the store)."""
    variables = {
        **os.environ,
        "DATA_DIR": str(store.data_dir),
        "DATABASE_URL": store.database_url,
        **env,
    }
    variables.pop("DEMO", None)
    return variables


def in_this_process(_store: object, code: str) -> str:
    """``bench.server.in_store`` without a child process, for a test whose settings already name
    the store: what ``code`` printed."""
    printed = io.StringIO()
    with redirect_stdout(printed):
        exec(code, {})  # noqa: S102  (the benchmark's own preparation code)
    return printed.getvalue().strip()


def spawn(store: Store, *args: str, log: Path | None = None, **env: str) -> subprocess.Popen[bytes]:
    """``python -m core *args`` on ``store``, with ``env`` added to :func:`environment`.

    Its output goes to ``log`` when given (the child keeps the file open). A session of its own
    lets :func:`stop` end the children it starts too (the server's worker)."""
    with log.open("wb") if log else nullcontext(subprocess.DEVNULL) as output:
        return subprocess.Popen(
            [sys.executable, "-m", "core", *args],
            cwd=PROJECT_DIR,
            env=environment(store, **env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@dataclass
class Server:
    """A ``python -m core serve`` process and where it answers."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path | None = None

    def serving(self) -> bool:
        """True once ``/healthz`` answers 200; a process that died fails the test with its log."""
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-2000:] if self.log else "(no log kept)"
            raise AssertionError(f"the server at {self.url} exited: {tail}")
        return healthy(self.url)


def spawn_server(
    store: Store, *, port: int | None = None, log: Path | None = None, **env: str
) -> Server:
    """A server on ``port`` (a free one by default); it is not serving yet, see ``serving``."""
    port = port or free_port()
    process = spawn(store, "serve", "--host", "127.0.0.1", "--port", str(port), log=log, **env)
    return Server(f"http://127.0.0.1:{port}", process, log)


def wait_until_serving(*servers: Server, timeout: float = 60) -> None:
    """Until every server answers ``/healthz``; one that died fails at once, with its log."""
    wait_until(
        lambda: all(server.serving() for server in servers),
        timeout=timeout,
        message=f"{', '.join(server.url for server in servers)} answering /healthz",
        interval=0.2,
    )


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to each process's session, as an operator stops them; SIGKILL when stuck."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def processes(app_settings) -> Iterator[list[subprocess.Popen[bytes]]]:  # type: ignore[no-untyped-def]
    """Processes a test started (append them), stopped at the end. Requesting ``app_settings``
    stops them before their store is taken away."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    stop(started)


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def inbound_body(index: int) -> dict[str, Any]:
    """A Cloud API webhook with one text message, id ``wamid.scale.<index>``, from its own number."""
    return messages_webhook(
        contacts=[{"profile": {"name": f"C{index}"}, "wa_id": f"3462200{index:04d}"}],
        messages=[
            {
                "from": f"3462200{index:04d}",
                "id": f"wamid.scale.{index}",
                "timestamp": "1795558139",
                "type": "text",
                "text": {"body": f"hola {index}"},
            }
        ],
    )
