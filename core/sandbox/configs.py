"""``/v1/configs/...`` routes, served by 360Dialog itself for both generations.

Webhook configuration: ``POST /v1/configs/webhook {"url", "headers"}`` and ``GET`` to read it
back (https://docs.360dialog.com/docs/waba-messaging/sandbox). 360Dialog refuses URLs with an
explicit ``:port`` or an ``_`` in a host name, and only delivers over HTTPS
(https://docs.360dialog.com/partner/messaging/receiving-messages-via-webhook/multiple-webhooks-per-phone-number);
the sandbox applies those rules when ``strict_webhook_urls`` is on and otherwise accepts any
http(s) URL so local receivers work.

Templates: list, create (then reviewed, see ``review.py``) and delete by name
(https://docs.360dialog.com/partner/get-started/quickstarts/create-a-message-template).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from core.sandbox import review, templates, uploads
from core.sandbox.errors import GatewayError
from core.sandbox.http import authenticate, ok, read_json, sandbox_of


def check_webhook_url(url: object, strict: bool) -> str:
    """The URL if 360Dialog would accept it; a 400 gateway error otherwise."""
    if not isinstance(url, str) or not url:
        raise GatewayError(400, "The field url is required.")
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise GatewayError(400, f"Invalid webhook url: {url}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GatewayError(400, f"Invalid webhook url: {url}")
    if strict:
        if parts.scheme != "https":
            raise GatewayError(400, "The webhook url must use https.")
        if port is not None:
            raise GatewayError(400, "The webhook url must not contain a port.")
        if "_" in parts.hostname:
            raise GatewayError(400, "The webhook url host must not contain underscores.")
    return url


async def set_webhook(request: Request) -> JSONResponse:
    account = authenticate(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise GatewayError(400, "The request body must be a JSON object with a url.")
    url = check_webhook_url(body.get("url"), sandbox_of(request).config.strict_webhook_urls)
    headers = body.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise GatewayError(400, "headers must be an object of string values.")
    with sandbox_of(request).state.lock:
        account.webhook_url = url
        account.webhook_headers = dict(headers)
    return ok({"url": url, "headers": account.webhook_headers})


async def get_webhook(request: Request) -> JSONResponse:
    account = authenticate(request)
    return ok({"url": account.webhook_url, "headers": account.webhook_headers})


async def list_templates(request: Request) -> JSONResponse:
    account = authenticate(request)
    url = str(request.url.replace(query=""))
    return ok(templates.listing(account, dict(request.query_params), url))


async def create_template(request: Request) -> JSONResponse:
    account = authenticate(request)
    sandbox = sandbox_of(request)
    body = await read_json(request)
    with sandbox.state.lock:
        uploads.check_samples(account, body)
        template = templates.create(account, body, sandbox.clock.now())
    review.submit(sandbox, account, template)
    return ok(templates.submitted(template))


async def delete_template(request: Request) -> JSONResponse:
    account = authenticate(request)
    with sandbox_of(request).state.lock:
        templates.delete(account, request.path_params["name"])
    return ok({"success": True})


ROUTES = [
    Route("/v1/configs/webhook", set_webhook, methods=["POST"]),
    Route("/v1/configs/webhook", get_webhook, methods=["GET"]),
    Route("/v1/configs/templates", list_templates, methods=["GET"]),
    Route("/v1/configs/templates", create_template, methods=["POST"]),
    Route("/v1/configs/templates/{name}", delete_template, methods=["DELETE"]),
]
