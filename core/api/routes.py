"""The API's HTTP side: token, scope and rate limit checked on the event loop, the action run in
a thread with its own transaction, every answer JSON.

Served by the front (``core.runtime.front``), so an answer never waits for a dashboard rerun,
and by ``server.py``'s st.App when it runs alone.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from core.api import actions, schema
from core.api.batching import WriteBatcher
from core.api.errors import ApiError, bad_request, from_exception
from core.api.tokens import TokenCache, TokenHolder
from core.api.usage import RateLimiter, UsageCounter
from core.db import get_engine, session_scope
from core.i18n import LANGUAGES

log = logging.getLogger(__name__)

MAX_JSON_BYTES = 1_000_000
MAX_FILE_BYTES = 100 * 1024 * 1024
"""WhatsApp's largest media (a document) is 100 MB."""


class Api:
    """One process's API: its token cache, rate limiter and usage counts."""

    def __init__(self) -> None:
        self.tokens = TokenCache()
        self.limiter = RateLimiter()
        self.usage = UsageCounter()
        self._writers: dict[int, WriteBatcher] = {}
        self._flushing = False

    def routes(self) -> list[BaseRoute]:
        served: list[BaseRoute] = [
            Route(f"{schema.PREFIX}/openapi.json", self.document, methods=["GET"])
        ]
        for endpoint in schema.ENDPOINTS:
            path = schema.PREFIX + endpoint.path.replace("{id}", "{id:int}")
            served.append(Route(path, self._handler(endpoint), methods=[endpoint.method]))
        return served

    async def document(self, _request: Request) -> JSONResponse:
        return JSONResponse(schema.openapi())

    def _handler(self, endpoint: schema.Endpoint):  # type: ignore[no-untyped-def]
        async def handle(request: Request) -> JSONResponse:
            return await self.answer(endpoint, request)

        handle.__name__ = endpoint.action.__name__
        return handle

    async def answer(self, endpoint: schema.Endpoint, request: Request) -> JSONResponse:
        language = _language(request)
        holder: TokenHolder | None = None
        try:
            holder = await self._authenticate(request)
            if not holder.has(endpoint.scope):
                raise ApiError(403, "forbidden", f"this token lacks the '{endpoint.scope}' scope")
            wait = self.limiter.allow(holder.token_id)
            if wait:
                raise ApiError(
                    429,
                    "rate_limited",
                    "too many requests for this token; slow down",
                    **{"Retry-After": str(max(1, round(wait)))},
                )
            call = await _call(request, endpoint, holder)
            status, payload = await self._run(endpoint, call)
        except Exception as exc:  # noqa: BLE001  (every refusal answered as JSON; the rest logged)
            refusal = from_exception(exc, language)
            if refusal is None:
                log.exception("API %s %s failed", endpoint.method, endpoint.path)
                refusal = ApiError(500, "internal", "something went wrong on our side")
            self._count(holder, refused=True)
            return JSONResponse(refusal.body(), refusal.status, headers=refusal.headers)
        self._count(holder, refused=False)
        return JSONResponse(payload, status)

    async def _run(
        self, endpoint: schema.Endpoint, call: actions.Call
    ) -> tuple[int, dict[str, Any]]:
        """Reads in a thread each; writes group-committed (``core.api.batching``)."""
        engine = get_engine()
        if not endpoint.writes:
            return await asyncio.to_thread(_read, engine, endpoint.action, call)
        writer = self._writers.get(id(engine))
        if writer is None:
            writer = self._writers[id(engine)] = WriteBatcher(engine)
        together = endpoint.together
        try:
            if together is not None and together.takes(call):
                return await writer.run_together(together.write_many, call)
            return await writer.run(lambda session: endpoint.action(session, call))
        except IntegrityError:
            # the same Idempotency-Key raced in another batch: answer with the winner's message
            if not call.idempotency_key:
                raise
            existing = await asyncio.to_thread(_read, engine, actions.already_sent, call)
            if existing is None:
                raise
            return existing

    async def _authenticate(self, request: Request) -> TokenHolder:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthorized", "send 'Authorization: Bearer <token>'")
        engine = get_engine()
        fresh, holder = self.tokens.cached(engine, token.strip())
        if not fresh:
            holder = await asyncio.to_thread(self.tokens.lookup, engine, token.strip())
        if holder is None:
            raise ApiError(401, "unauthorized", "this token is wrong, expired or revoked")
        return holder

    def _count(self, holder: TokenHolder | None, refused: bool) -> None:
        """Count the request; now and then write the counts, off the event loop."""
        if holder is None:
            return
        self.usage.count(holder.token_id, refused)
        if self.usage.due() and not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        try:
            await asyncio.to_thread(self.usage.flush, get_engine())
        except Exception:  # noqa: BLE001  (kept for the next flush; the request is answered)
            log.exception("API usage could not be written; will try again")
        finally:
            self._flushing = False


def _language(request: Request) -> str:
    wanted = request.headers.get("accept-language", "")[:2].lower()
    return wanted if wanted in LANGUAGES else "en"


async def _call(request: Request, endpoint: schema.Endpoint, holder: TokenHolder) -> actions.Call:
    limit = MAX_FILE_BYTES if endpoint.takes_file else MAX_JSON_BYTES
    if int(request.headers.get("content-length") or 0) > limit:
        raise ApiError(413, "too_large", f"the body is over {limit} bytes")
    body = await request.body() if endpoint.method in {"POST", "PUT"} else b""
    data: Any = None
    if body and not endpoint.takes_file:
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise bad_request("the body is not JSON") from exc
    return actions.Call(
        holder=holder,
        path=dict(request.path_params),
        query=dict(request.query_params),
        json=data,
        body=body if endpoint.takes_file else b"",
        content_type=request.headers.get("content-type", ""),
        idempotency_key=request.headers.get("idempotency-key") or None,
    )


def _read(
    engine: Engine, action: Callable[[Session, actions.Call], Any], call: actions.Call
) -> Any:
    with session_scope(engine) as session:
        return action(session, call)


def routes() -> list[BaseRoute]:
    """The API's routes for one server process."""
    return Api().routes()
