"""Meta's Resumable Upload on the Cloud generation, and the check of a template's media samples.

The three calls, as 360Dialog lists them with the key in ``D360-API-KEY``
(https://docs.360dialog.com/docs/messaging-api/api-reference/media-uploads), after Meta's guide
(https://developers.facebook.com/docs/graph-api/guides/upload):

* ``POST /uploads?file_name=…&file_length=…&file_type=…`` opens a session: ``{"id": "upload:…"}``.
* ``POST /upload:…`` with header ``file_offset`` and the file's bytes from there: ``{"h": …}``, the
  handle, once the file is whole.
* ``GET /upload:…``: ``{"id", "file_offset"}``, the bytes received so far, to resume after a cut.

Bytes are kept as they arrive, so a connection cut midway leaves the session at the byte where it
was cut, which is what lets a client resume instead of starting over.

A template is reviewed from the sample of each media header (``example.header_handle``, the
template's own and each carousel card's). Meta refuses at creation a sample that is not a handle
its Resumable Upload gave: a ``/media`` id, an unknown value, an upload not complete. The refusal
is Graph error 100 with subcode 2494102, whose words Meta lists as "Check the handle provided for
the uploaded media in the request."
(https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/errors).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.sandbox import ids
from core.sandbox.errors import ApiError
from core.sandbox.http import authenticate, ok, sandbox_of
from core.sandbox.media import MAX_BYTES
from core.sandbox.state import Account, UploadSession

PREFIX = "upload:"
FILE_TYPES = ("application/pdf", "image/jpeg", "image/jpg", "image/png", "video/mp4")
"""The file types Meta's guide lists as valid for ``file_type``."""
MEDIA_FORMATS = ("IMAGE", "VIDEO", "DOCUMENT", "GIF")
HANDLE_LIFETIME = 30 * 24 * 3600
REFUSED_TITLE = "Uploaded Media Handle Is Invalid"
REFUSED_MESSAGE = "Check the handle provided for the uploaded media in the request."


async def start(request: Request) -> Response:
    account = authenticate(request, "cloud")
    query = request.query_params
    name, length, file_type = (query.get(key) for key in ("file_name", "file_length", "file_type"))
    if not (name and length and file_type):
        # 360Dialog answers a request it cannot pass on with its own {"error": "…"} body
        return JSONResponse({"error": "file_name, file_length and file_type are required"}, 400)
    if not length.isdigit() or not 0 < int(length) <= MAX_BYTES:
        raise ApiError(100, f"Param file_length must be a number of bytes up to {MAX_BYTES}.")
    if file_type not in FILE_TYPES:
        raise ApiError(100, f"Param file_type must be one of {{{', '.join(FILE_TYPES)}}}.")
    session = UploadSession(PREFIX + ids.url_token(), name, int(length), file_type)
    with sandbox_of(request).state.lock:
        account.uploads[session.id] = session
    return ok({"id": session.id})


async def receive(request: Request) -> Response:
    account = authenticate(request, "cloud")
    sandbox = sandbox_of(request)
    session = _session(account, request.path_params["session_id"])
    offset = request.headers.get("file_offset", "0").strip()
    with sandbox.state.lock:
        if not offset.isdigit() or int(offset) != len(session.data):
            raise ApiError(
                100,
                f"file_offset must be {len(session.data)}, the bytes uploaded so far "
                f"(got {offset!r}); ask GET /{session.id} where to resume.",
            )
    try:
        async for chunk in request.stream():
            with sandbox.state.lock:
                if len(session.data) + len(chunk) > session.file_length:
                    raise ApiError(
                        100, f"The file is longer than file_length ({session.file_length})."
                    )
                session.data.extend(chunk)
    except ClientDisconnect:
        return Response(status_code=400)  # no one reads this: the cut keeps what arrived
    with sandbox.state.lock:
        if session.handle is None and len(session.data) == session.file_length:
            session.handle = _handle(account, session, sandbox.clock.now())
    return ok({"h": session.handle} if session.handle else _progress(session))


async def progress(request: Request) -> JSONResponse:
    account = authenticate(request, "cloud")
    return ok(_progress(_session(account, request.path_params["session_id"])))


def check_samples(account: Account, body: Any) -> None:
    """Refuse, as Meta does at creation, a media sample that is not a handle of a whole upload."""
    if account.generation != "cloud" or not isinstance(body, Mapping):
        return
    for sample in _samples(body.get("components")):
        problem = _sample_problem(account, sample)
        if problem:
            raise ApiError(
                100,
                problem,
                subcode=2494102,
                user_title=REFUSED_TITLE,
                user_msg=REFUSED_MESSAGE,
            )


def _sample_problem(account: Account, sample: object) -> str | None:
    if not isinstance(sample, str) or not sample:
        return "example.header_handle must hold handles of uploaded sample files."
    if sample in account.media:
        return (
            f"{sample} is a media id; a template sample needs a handle from the Resumable Upload."
        )
    session = account.uploads.get(sample)
    if session is not None and len(session.data) < session.file_length:
        return (
            f"{sample} is an upload not complete ({len(session.data)} of {session.file_length} "
            "bytes): a sample needs the handle of a whole file."
        )
    if session is not None:
        return f"{sample} is an upload session; a sample needs the handle (h) it answered."
    if not any(upload.handle == sample for upload in account.uploads.values()):
        return f"{sample[:40]} is not a handle of a file uploaded for this number."
    return None


def _samples(components: object) -> Iterator[object]:
    """Each value of ``example.header_handle`` of a media header, the template's and each card's."""
    for component in components if isinstance(components, list) else []:
        if not isinstance(component, Mapping):
            continue
        kind, header_format = (str(component.get(key, "")).upper() for key in ("type", "format"))
        if kind == "HEADER" and header_format in MEDIA_FORMATS:
            example = component.get("example")
            handles = example.get("header_handle") if isinstance(example, Mapping) else None
            yield from handles if isinstance(handles, list) else []
        for card in component.get("cards") or []:
            if isinstance(card, Mapping):
                yield from _samples(card.get("components"))


def _session(account: Account, session_id: str) -> UploadSession:
    session = account.uploads.get(PREFIX + session_id)
    if session is None:
        raise ApiError(
            100,
            f"Unsupported request. Object with ID '{PREFIX}{session_id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            subcode=33,
        )
    return session


def _progress(session: UploadSession) -> dict[str, Any]:
    return {"id": session.id, "file_offset": len(session.data)}


def _handle(account: Account, session: UploadSession, now: float) -> str:
    """Shaped like Meta's (the ``profile_picture_handle`` example of Meta's OpenAPI description,
    https://github.com/facebook/openapi): version, name and type in base64, a token, its expiry,
    the app and the user it was made for, a signature."""

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    expires = int(now) + HANDLE_LIFETIME
    return (
        f"4:{b64(session.file_name)}:{b64(session.file_type)}:{ids.url_token()}:e:{expires}"
        f":{account.waba_id}:{account.phone_number_id}:{ids.url_token()[:16]}"
    )


ROUTES = [
    Route("/uploads", start, methods=["POST"]),
    Route(f"/{PREFIX}{{session_id}}", receive, methods=["POST"]),
    Route(f"/{PREFIX}{{session_id}}", progress, methods=["GET"]),
]
