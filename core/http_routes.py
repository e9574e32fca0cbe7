"""HTTP routes served next to the dashboard by the same Starlette server."""

from __future__ import annotations

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from core.db import get_engine


async def health(_request: Request) -> JSONResponse:
    """Liveness and store reachability, for load balancers and ``make run``."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001  (reported, not raised: this is the health probe)
        return JSONResponse({"status": "error", "store": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok"})


def routes() -> list[BaseRoute]:
    return [Route("/healthz", health, methods=["GET"])]
