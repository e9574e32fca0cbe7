"""The real server process for benchmarks, on SQLite or PostgreSQL, with a connected channel."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from core.webhooks import landing

PROJECT_DIR = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
WEBHOOK_SECRET = "bench-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Store:
    """Where a benchmark's server keeps its data."""

    data_dir: Path
    database_url: str

    def env(self) -> dict[str, str]:
        return {**os.environ, "DATA_DIR": str(self.data_dir), "DATABASE_URL": self.database_url}


@contextmanager
def fresh_store(kind: str) -> Iterator[Store]:
    """An empty SQLite file, or a fresh schema on the benchmark PostgreSQL."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{kind}-") as folder:
        data_dir = Path(folder)
        if kind == "sqlite":
            yield Store(data_dir, f"sqlite:///{data_dir / 'whatsapp.db'}")
            return
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            yield Store(data_dir, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            admin.dispose()


StoreRunner = Callable[[Store, str], str]
"""Runs Python code against a store and returns what it printed (:func:`in_store`, or a test's
runner in its own process, whose settings already name the store)."""


def in_store(store: Store, code: str) -> str:
    """Run Python against ``store`` in a child process (the settings are read from the env)."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=store.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def prepare_channel(store: Store, run: StoreRunner = in_store) -> int:
    """Migrate and connect one channel directly (its 360Dialog is never called by the receiver)."""
    code = f"""
from core import crypto
from core.db import migrate, session_scope
from core.models import Channel
migrate()
with session_scope() as s:
    c = Channel(name="bench", number="+15550783881", phone_number_id="106540352242922",
                base_url="http://127.0.0.1:9", api_key_encrypted=crypto.encrypt("k"), api_key_hint="k",
                webhook_secret_hash=crypto.fingerprint({WEBHOOK_SECRET!r}))
    s.add(c); s.flush(); print(c.id)
"""
    return int(run(store, code))


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    port: int


def serve_command(port: int) -> list[str]:
    """``python -m core serve``: the front, its dashboard child and its worker child."""
    return [sys.executable, "-m", "core", "serve", "--host", "127.0.0.1", "--port", str(port)]


def single_process_command(port: int) -> list[str]:
    """``streamlit run server.py`` alone: dashboard and webhooks in one process (and its worker)."""
    return [
        sys.executable, "-m", "streamlit", "run", str(PROJECT_DIR / "server.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip


def start_server(
    store: Store,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    command: Callable[[int], list[str]] = serve_command,
) -> Server:
    port = port or free_port()
    env = {**store.env(), "BENCH_ROUTES": "1", **(extra_env or {})}
    process = subprocess.Popen(
        command(port),
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_DEBUG") else subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, process, port)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def stop_server(server: Server, hard: bool = False) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGKILL if hard else signal.SIGTERM)
        try:
            server.process.wait(20)
        except subprocess.TimeoutExpired:  # still sending what it had taken: the figures are in
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(20)


def unprocessed(database_url: str) -> int:
    """Webhook bodies the server accepted and has yet to process: pending in ``webhook_events``,
    and on SQLite still in the landing file (``core.webhooks.landing``)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            pending = connection.execute(
                text("SELECT count(*) FROM webhook_events WHERE state = 'pending'")
            ).scalar_one()
        return pending + landing.waiting(engine)
    finally:
        engine.dispose()
