"""The dashboard's server: the Streamlit dashboard plus HTTP routes (health, 360Dialog webhooks,
the login cookie, the HTTP API).

``python -m core serve`` runs it as the front's child on a loopback port (``core.runtime.front``:
the front answers webhooks itself and runs the background work). ``streamlit run server.py`` runs
it alone, as one process that also receives webhooks and starts the background work. The
lifespan migrates the store before anything is served.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

from core.access import session_routes
from core.access.headers import SecurityHeaders
from core.api import routes as api_routes
from core.db import migrate
from core.runtime.background import background_work
from core.runtime.children import ending_with_supervisor, supervisor_pid
from core.webhooks.routes import middleware, routes


@asynccontextmanager
async def lifespan(_app: Any) -> AsyncIterator[dict[str, Any]]:
    migrate()
    if supervisor_pid():  # the front runs the background work, and this ends with the front
        async with ending_with_supervisor():
            yield {}
        return
    async with background_work() as state:
        yield state


# Pages are chosen by st.navigation in dashboard.py; never by Streamlit's older rule that runs any
# script found in pages/ on its own (which would skip the login gate on a process's first request).
PagesManager.uses_pages_directory = False

app = st.App(
    "dashboard.py",
    routes=routes() + session_routes.routes() + api_routes.routes(),
    # outermost first: the headers go on every answer, webhooks' included
    middleware=[Middleware(SecurityHeaders), *middleware(), *session_routes.middleware()],
    lifespan=lifespan,
)
