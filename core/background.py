"""Background work started by the server's lifespan (demo sandbox now; sender and sync later)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core.config import get_settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def background_work() -> AsyncIterator[dict[str, Any]]:
    """Start what the process runs besides serving pages; stop it on shutdown."""
    state: dict[str, Any] = {}
    settings = get_settings()
    if settings.demo:
        log.info("demo mode: the built-in 360Dialog sandbox is started by the channel setup")
    yield state
