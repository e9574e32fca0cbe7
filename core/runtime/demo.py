"""Demo mode (``make run``): the built-in 360Dialog sandbox plus a channel connected to it.

The sandbox keeps its state in memory, so at every start the demo channel is connected (first run)
or re-registered (later runs) against the fresh sandbox; the store in ``data/`` keeps the history.
Simulated customers write in every ``CHATTER_SECONDS`` so the dashboard opens on a live channel.
"""

from __future__ import annotations

import logging

from sqlmodel import select

from core.access.auth import SYSTEM_ACTOR
from core.channels.connect import change_connection, connect_channel
from core.config import Settings
from core.crypto import derive_key, master_key
from core.db import session_scope
from core.models import Channel
from core.sandbox import Account, SandboxConfig, SandboxServer

log = logging.getLogger(__name__)

DEMO_NUMBER = "+34600000001"
CHATTER_SECONDS = 45.0


def demo_api_key() -> str:
    """Stable across restarts (the stored channel keeps working), unique per installation."""
    return "demo-" + derive_key(master_key(), "demo-api-key").hex()[:24]


def dashboard_url() -> str:
    from streamlit import config

    return f"http://127.0.0.1:{config.get_option('server.port')}"


def start_demo(settings: Settings, public_url: str | None = None) -> SandboxServer:
    """Start the sandbox on ``SANDBOX_PORT`` and make sure the demo channel talks to it."""
    api_key = demo_api_key()
    server = SandboxServer(
        SandboxConfig(
            accounts=[Account(api_key, DEMO_NUMBER)],
            chatter_seconds=CHATTER_SECONDS,
            review_delay=20,
        ),
        port=settings.sandbox_port,
    ).start()
    webhook_base = public_url or settings.public_url or dashboard_url()
    with session_scope() as session:
        existing = session.exec(
            select(Channel).where(Channel.number == DEMO_NUMBER, Channel.active == True)  # noqa: E712
        ).first()
        if existing is None:
            connect_channel(
                session,
                SYSTEM_ACTOR,
                number=DEMO_NUMBER,
                api_key=api_key,
                name="Demo",
                base_url=server.base_url,
                public_url=webhook_base,
            )
        else:
            change_connection(
                session,
                SYSTEM_ACTOR,
                existing.id,
                api_key=api_key,
                base_url=server.base_url,
                public_url=webhook_base,
            )
    log.info("demo sandbox at %s; customer page %s", server.base_url, server.page_url)
    return server
