"""The Starlette application serving one :class:`Sandbox` (both generations, control API, page)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from core.sandbox import chatter, cloud, configs, control, onprem, page
from core.sandbox.engine import Sandbox
from core.sandbox.http import EXCEPTION_HANDLERS


def create_app(sandbox: Sandbox) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sandbox.start()
        if sandbox.config.chatter_seconds:
            chatter.start(sandbox, sandbox.config.chatter_seconds)
        try:
            yield
        finally:
            await sandbox.stop()

    app = Starlette(
        # the provider's API first: it takes the traffic, and a request is matched route by route
        routes=[
            *cloud.ROUTES,
            *onprem.ROUTES,
            *configs.ROUTES,
            *control.ROUTES,
            *page.ROUTES,
        ],
        exception_handlers={
            **EXCEPTION_HANDLERS,
            control.ControlError: control.control_error_handler,
        },
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
