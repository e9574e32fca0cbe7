"""HTTP routes served next to the dashboard by the same Starlette server."""

from __future__ import annotations

import os

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core import receiver
from core.background import wake_processor
from core.channels import WEBHOOK_PATH, WEBHOOK_SECRET_HEADER
from core.db import get_engine


async def health(_request: Request) -> JSONResponse:
    """Liveness and store reachability, for load balancers and ``make run``."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001  (reported, not raised: this is the health probe)
        return JSONResponse({"status": "error", "store": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok"})


async def webhook(request: Request) -> JSONResponse:
    """360Dialog's POST: authenticated by the channel's secret header, stored, then 200."""
    try:
        channel_id = int(request.path_params["channel_id"])
    except ValueError:
        return JSONResponse({"error": "unknown channel"}, status_code=404)
    body = await request.body()
    receipt = await receiver.receive_async(
        get_engine(), channel_id, request.headers.get(WEBHOOK_SECRET_HEADER), body
    )
    if receipt.status_code == 200:
        wake_processor()
        return JSONResponse({"status": "stored"})
    return JSONResponse({"error": receipt.reason}, status_code=receipt.status_code)


async def bare(_request: Request) -> Response:
    """``BENCH_ROUTES=1`` only: answers 200 and does nothing, the benchmark's baseline."""
    return Response(b'{"status":"ok"}', media_type="application/json")


def routes() -> list[BaseRoute]:
    if os.environ.get("BENCH_ROUTES") == "1":
        return [Route("/bench/bare", bare, methods=["POST"]), *_routes()]
    return _routes()


def _routes() -> list[BaseRoute]:
    return [
        Route("/healthz", health, methods=["GET"]),
        Route(WEBHOOK_PATH, webhook, methods=["POST"]),
    ]
