"""Headless dashboard tabs in tests (``bench.st_client``): they live on an event loop of their
own, so a tab keeps receiving what the server sends while the test waits with ``wait_until``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import httpx
import pytest

from bench.dashboards import Prepared
from bench.server import WEBHOOK_SECRET
from bench.st_client import StreamlitClient
from bench.webhook_pace import inbound_text_body
from core.channels.registry import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER

T = TypeVar("T")
Call = Callable[[Coroutine[Any, Any, T]], T]


@pytest.fixture
def call() -> Iterator[Call[Any]]:
    """Runs a coroutine on the tabs' event loop (kept in a thread) and returns its result."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    def run(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result(90)

    yield run
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


async def texts_on(tab: StreamlitClient) -> list[str]:
    """What the tab shows, read on its own loop."""
    return tab.texts()


def post_inbound(url: str, prepared: Prepared, conversation_id: int, wamid: str, text: str) -> None:
    """A customer's text for that conversation, as 360Dialog posts it to the server's webhook."""
    body = inbound_text_body(prepared.customers[conversation_id], wamid, text)
    answer = httpx.post(
        url + WEBHOOK_PATH.format(channel_id=prepared.channel_id),
        content=body,
        headers={WEBHOOK_SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200
