"""HTTP plumbing shared by both generations' routes: authentication, JSON bodies, error rendering.

Every provider-facing route calls :func:`authenticate` first: 360Dialog authorises each request by
its ``D360-API-KEY`` header, on both hosts (https://docs.360dialog.com/docs/integration/the-basics).
It remembers the account's generation on the request so that an :class:`ApiError` raised anywhere
below is rendered in that generation's envelope by the app-wide exception handlers, and lets
360Dialog's gateway refuse the call first (``gateway.py``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from core.sandbox.engine import Sandbox
from core.sandbox.errors import (
    ApiError,
    GatewayError,
    gateway_body,
    graph_body,
    invalid_api_key,
    onprem_body,
)
from core.sandbox.state import Account, Generation


def sandbox_of(request: Request) -> Sandbox:
    return request.app.state.sandbox


def authenticate(request: Request, generation: Generation | None = None) -> Account:
    """The account owning the request's ``D360-API-KEY`` (header names are case-insensitive).

    ``generation`` restricts a route to one generation: the Cloud host has no ``/v1/messages``
    and the on-premise host no ``/messages``, so the other generation's key gets a 404.
    """
    sandbox = sandbox_of(request)
    account = sandbox.state.by_key(request.headers.get("d360-api-key"))
    if account is None:
        raise invalid_api_key()
    request.state.generation = account.generation
    if generation is not None and account.generation != generation:
        raise GatewayError(404, f"This endpoint is not available for {account.generation} numbers.")
    sandbox.gateway.admit(account, request.url.path)
    return account


async def read_json(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(100, "The request body is not valid JSON.") from None


def ok(body: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code)


async def api_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    generation = getattr(request.state, "generation", "cloud")
    body = onprem_body(exc) if generation == "onprem" else graph_body(exc)
    return JSONResponse(body, status_code=exc.http_status)


async def gateway_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return JSONResponse(gateway_body(exc), status_code=exc.http_status)


EXCEPTION_HANDLERS = {ApiError: api_error_handler, GatewayError: gateway_error_handler}
