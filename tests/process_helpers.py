"""Real product processes on the test store: ``python -m core serve`` / ``worker`` and their webhooks.

Shared by the tests that run several processes (scale-out, a PostgreSQL restart under load). The
``processes`` fixture is registered in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def spawn(app_settings, *args: str, **env: str) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    """``python -m core *args`` on the test's data dir and store (``env`` may override either)."""
    return subprocess.Popen(
        [sys.executable, "-m", "core", *args],
        cwd=PROJECT_DIR,
        env={
            **os.environ,
            "DATA_DIR": str(app_settings.data_dir),
            "DATABASE_URL": app_settings.database_url,
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.fixture
def processes(app_settings) -> Iterator[list[subprocess.Popen[bytes]]]:  # type: ignore[no-untyped-def]
    """Processes a test started (append them); stopped with SIGTERM at the end, killed if stuck."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in started:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("not done in time")


def healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def inbound_body(index: int) -> dict[str, Any]:
    """A Cloud API webhook with one text message, id ``wamid.scale.<index>``, from its own number."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "contacts": [
                                {"profile": {"name": f"C{index}"}, "wa_id": f"3462200{index:04d}"}
                            ],
                            "messages": [
                                {
                                    "from": f"3462200{index:04d}",
                                    "id": f"wamid.scale.{index}",
                                    "timestamp": "1795558139",
                                    "type": "text",
                                    "text": {"body": f"hola {index}"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
