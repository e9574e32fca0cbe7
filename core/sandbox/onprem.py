"""Routes of the on-premise generation: the retired On-Premises API that 360Dialog served as
``/v1/...`` on ``waba.360dialog.io`` (https://docs.360dialog.com/docs/whatsapp-api/the-basics).

Same message objects as Cloud minus ``messaging_product``; answers carry a ``meta`` block and
errors come as ``{"errors": [...]}``; media are raw bytes in and out, as Meta documented them
(https://developers.facebook.com/docs/whatsapp/on-premises/reference/messages and
.../reference/media).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.sandbox import media, outbound
from core.sandbox.errors import ApiError, onprem_meta
from core.sandbox.http import authenticate, ok, read_json, sandbox_of
from core.sandbox.state import Account, Media


async def post_message(request: Request) -> JSONResponse:
    account = authenticate(request, "onprem")
    message = outbound.send(sandbox_of(request), account, await read_json(request))
    return ok({"messages": [{"id": message.id}], "meta": onprem_meta()}, status_code=201)


async def mark_read(request: Request) -> JSONResponse:
    account = authenticate(request, "onprem")
    body = await read_json(request)
    if not isinstance(body, dict) or body.get("status") != "read":
        raise ApiError(131009, 'The only supported status is "read".')
    outbound.mark_read(sandbox_of(request), account, request.path_params["message_id"])
    return ok({"meta": onprem_meta()})


async def upload_media(request: Request) -> JSONResponse:
    account = authenticate(request, "onprem")
    sandbox = sandbox_of(request)
    mime = request.headers.get("content-type", "")
    data = await request.body()
    with sandbox.state.lock:
        item = media.store(account, data, mime, sandbox.clock.now())
    return ok({"media": [{"id": item.id}], "meta": onprem_meta()}, status_code=201)


async def get_media(request: Request) -> Response:
    account = authenticate(request, "onprem")
    item = _find(account, request.path_params["media_id"])
    return Response(item.data, media_type=item.mime_type)


async def delete_media(request: Request) -> JSONResponse:
    account = authenticate(request, "onprem")
    with sandbox_of(request).state.lock:
        item = _find(account, request.path_params["media_id"])
        del account.media[item.id]
    return ok({"meta": onprem_meta()})


def _find(account: Account, media_id: str) -> Media:
    try:
        return media.find(account, media_id)
    except ApiError:
        raise ApiError(100, f"Media {media_id} not found.", http_status=404) from None


async def health(request: Request) -> JSONResponse:
    authenticate(request, "onprem")
    return ok({"health": {"gateway_status": "connected"}, "meta": onprem_meta()})


ROUTES = [
    Route("/v1/messages", post_message, methods=["POST"]),
    Route("/v1/messages/{message_id}", mark_read, methods=["PUT"]),
    Route("/v1/media", upload_media, methods=["POST"]),
    Route("/v1/media/{media_id}", get_media, methods=["GET"]),
    Route("/v1/media/{media_id}", delete_media, methods=["DELETE"]),
    Route("/v1/health", health, methods=["GET"]),
]
