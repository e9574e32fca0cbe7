"""Routes of the Cloud generation, as on ``https://waba-v2.360dialog.io``.

Bodies are Meta's Cloud API bodies (360Dialog proxies them), without the phone-number id and Graph
version in the path and with ``D360-API-KEY`` instead of a bearer token: 360Dialog's messaging API
reference (https://docs.360dialog.com/docs/messaging-api/api-reference/messages and
.../api-reference/media), Meta's mark-as-read
(https://developers.facebook.com/docs/whatsapp/cloud-api/guides/mark-message-as-read) and
360Dialog's health status (https://docs.360dialog.com/docs/messaging/health-status); the phone
number's own fields (``number.py``) and the business profile (``profile.py``).
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.sandbox import health, media, number, outbound, profile, uploads
from core.sandbox.errors import ApiError
from core.sandbox.http import authenticate, ok, read_json, sandbox_of


async def post_message(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    sandbox = sandbox_of(request)
    body = await read_json(request)
    if isinstance(body, dict) and body.get("status") == "read":
        if body.get("messaging_product") != "whatsapp":
            raise ApiError(100, "The parameter messaging_product is required.")
        outbound.mark_read(sandbox, account, body.get("message_id"))
        return ok({"success": True})
    message = outbound.send(sandbox, account, body)
    return ok(outbound.answer(body, message))


async def upload_media(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    sandbox = sandbox_of(request)
    try:
        form = await request.form()
    except Exception:  # python-multipart raises several types for a malformed body
        raise ApiError(100, "The request must be multipart/form-data.") from None
    if form.get("messaging_product") != "whatsapp":
        raise ApiError(100, "The parameter messaging_product is required.")
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(100, "The parameter file is required.")
    data = await upload.read()
    mime = str(form.get("type") or upload.content_type or "application/octet-stream")
    with sandbox.state.lock:
        item = media.store(account, data, mime, sandbox.clock.now(), upload.filename)
    return ok({"id": item.id})


async def get_media(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    sandbox = sandbox_of(request)
    item = media.find(account, str(request.path_params["media_id"]))
    return ok(media.describe(item, sandbox.clock.now()))


async def delete_media(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    with sandbox_of(request).state.lock:
        item = media.find(account, str(request.path_params["media_id"]))
        del account.media[item.id]
    return ok({"success": True})


async def download(request: Request) -> Response:
    """The lookaside URL after the client swapped the host for the 360Dialog base URL."""
    account = authenticate(request, "cloud")
    query = dict(request.query_params)
    item = media.resolve_download(account, query, sandbox_of(request).clock.now())
    return Response(item.data, media_type=item.mime_type)


async def health_status(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    with sandbox_of(request).state.lock:
        return ok(health.body(account))


async def phone_number(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    with sandbox_of(request).state.lock:
        return ok(number.node(account, request.query_params.get("fields")))


async def get_profile(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    with sandbox_of(request).state.lock:
        return ok(profile.read(account, request.query_params.get("fields")))


async def update_profile(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    body = await read_json(request)
    with sandbox_of(request).state.lock:
        profile.update(account, body)
    return ok({"success": True})


ROUTES = [
    Route("/", phone_number, methods=["GET"]),
    Route("/whatsapp_business_profile", get_profile, methods=["GET"]),
    Route("/whatsapp_business_profile", update_profile, methods=["POST"]),
    Route("/messages", post_message, methods=["POST"]),
    Route("/media", upload_media, methods=["POST"]),
    Route("/health_status", health_status, methods=["GET"]),
    Route(media.ATTACHMENTS_PATH, download, methods=["GET"]),
    Route("/{media_id:int}", get_media, methods=["GET"]),
    Route("/{media_id:int}", delete_media, methods=["DELETE"]),
    *uploads.ROUTES,
]
