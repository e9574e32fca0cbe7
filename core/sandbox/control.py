"""The control API under ``/sandbox/api``: the parts of the world that are not the business.

Tests, the customer page and the demo chatter use it to create numbers, speak as customers, move
the clock, inject faults, force template decisions, inspect webhook deliveries and wait until all
background work is done. It has no authentication: the sandbox binds to 127.0.0.1 by default and
must not be exposed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.sandbox import health, inbound, number, outbound, payloads, review, statuses, templates
from core.sandbox.engine import Sandbox
from core.sandbox.errors import CATALOGUE, ApiError
from core.sandbox.http import read_json, sandbox_of
from core.sandbox.state import PRICING_MODELS, Account, Message, digits

ACCOUNT_FIELDS = (
    "api_key",
    "number",
    "generation",
    "throughput_mps",
    "phone_number_id",
    "waba_id",
    "display_phone_number",
    "namespace",
    "pair_burst",
    "pair_refill_seconds",
    "not_on_whatsapp",
    "sample_templates",
    "pricing_model",
    "config_calls_every_seconds",
    "marketing_limit_share",
)
# Fields that may change on a live account, with the conversion each value goes through.
TUNABLE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "throughput_mps": float,
    "pair_burst": int,
    "pair_refill_seconds": float,
    "not_on_whatsapp": lambda numbers: {digits(n) for n in numbers},
    "display_phone_number": str,
    "registered_as": lambda pairs: {digits(k): digits(v) for k, v in dict(pairs).items()},
    "template_listing": lambda shape: templates.listing_shape(str(shape)),
    "pricing_model": lambda model: _one_of(str(model), PRICING_MODELS),
    "config_calls_every_seconds": lambda seconds: max(0.0, float(seconds)),
    "marketing_limit_share": lambda share: min(1.0, max(0.0, float(share))),
}
CUSTOMER_FLAGS = ("stopped_marketing", "marketing_limited")
"""What a customer did in WhatsApp that the business only learns from failed sends."""


def _one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"must be one of {allowed}")
    return value


class ControlError(Exception):
    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


async def control_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ControlError)
    return JSONResponse({"error": str(exc)}, status_code=exc.status_code)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await read_json(request)
    except Exception:
        raise ControlError("the body must be JSON") from None
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _account(request: Request) -> Account:
    try:
        return sandbox_of(request).state.by_number(request.path_params["number"])
    except KeyError:
        raise ControlError("no such account", 404) from None


def _customer(request: Request) -> str:
    return digits(request.path_params["customer"])


# -- accounts --------------------------------------------------------------------------------
async def list_accounts(request: Request) -> JSONResponse:
    return JSONResponse([a.public() for a in sandbox_of(request).state.accounts()])


async def create_account(request: Request) -> JSONResponse:
    body = await _body(request)
    unknown = set(body) - set(ACCOUNT_FIELDS)
    if unknown:
        raise ControlError(f"unknown fields: {sorted(unknown)}")
    try:
        body["not_on_whatsapp"] = set(body.get("not_on_whatsapp", []))
        account = sandbox_of(request).add_account(Account(**body))
    except (TypeError, ValueError) as exc:
        raise ControlError(str(exc)) from None
    except ApiError as exc:  # a sample template Meta would refuse
        raise ControlError(exc.details) from None
    return JSONResponse(account.public(), status_code=201)


async def get_account(request: Request) -> JSONResponse:
    return JSONResponse(_account(request).public())


async def update_account(request: Request) -> JSONResponse:
    account = _account(request)
    body = await _body(request)
    unknown = set(body) - set(TUNABLE_FIELDS)
    if unknown:
        raise ControlError(f"these fields cannot be changed: {sorted(unknown)}")
    try:
        changes = {key: TUNABLE_FIELDS[key](value) for key, value in body.items()}
    except (TypeError, ValueError) as exc:
        raise ControlError(str(exc)) from None
    with sandbox_of(request).state.lock:
        for key, value in changes.items():
            setattr(account, key, value)
    return JSONResponse(account.public())


# -- customers -------------------------------------------------------------------------------
async def list_customers(request: Request) -> JSONResponse:
    account = _account(request)
    now = sandbox_of(request).clock.now()
    return JSONResponse(
        [
            {
                "wa_id": c.wa_id,
                "name": c.name,
                "last_inbound_at": c.last_inbound_at,
                "window_open": c.window_open(now),
                "auto_read": c.auto_read,
            }
            for c in account.contacts.values()
        ]
    )


async def update_customer(request: Request) -> JSONResponse:
    account = _account(request)
    body = await _body(request)
    with sandbox_of(request).state.lock:
        contact = account.contact(_customer(request), body.get("name"))
        if "auto_read" in body:
            contact.auto_read = None if body["auto_read"] is None else bool(body["auto_read"])
        for flag in CUSTOMER_FLAGS:
            if flag in body:
                setattr(contact, flag, bool(body[flag]))
    return JSONResponse(
        {
            "wa_id": contact.wa_id,
            "name": contact.name,
            "auto_read": contact.auto_read,
            **{flag: getattr(contact, flag) for flag in CUSTOMER_FLAGS},
        }
    )


async def customer_sends(request: Request) -> JSONResponse:
    account = _account(request)
    body = await _body(request)
    try:
        message = inbound.receive(sandbox_of(request), account, _customer(request), body)
    except inbound.CustomerInputError as exc:
        raise ControlError(str(exc)) from None
    return JSONResponse(message.public(), status_code=201)


async def customer_reads(request: Request) -> JSONResponse:
    account = _account(request)
    read = statuses.customer_reads(sandbox_of(request), account, _customer(request))
    return JSONResponse({"read": read})


async def conversation(request: Request) -> JSONResponse:
    account = _account(request)
    customer = _customer(request)
    messages = [m for m in account.messages.values() if m.customer == customer]
    contact = account.contacts.get(customer)
    now = sandbox_of(request).clock.now()
    return JSONResponse(
        {
            "customer": customer,
            "name": contact.name if contact else None,
            "window_open": bool(contact and contact.window_open(now)),
            "messages": [
                _with_quick_replies(account, m) for m in sorted(messages, key=lambda m: m.timestamp)
            ],
        }
    )


def _with_quick_replies(account: Account, message: Message) -> dict[str, Any]:
    """A message for the page, with the quick-reply buttons a template shows on the phone."""
    public = message.public()
    if message.template:
        template = account.templates.get((message.template["name"], message.template["language"]))
        public["quick_replies"] = templates.quick_reply_labels(template) if template else []
    return public


async def sent(request: Request) -> JSONResponse:
    account = _account(request)
    return JSONResponse(
        [m.public() for m in account.messages.values() if m.direction == "outbound"]
    )


async def media_bytes(request: Request) -> Response:
    item = _account(request).media.get(request.path_params["media_id"])
    if item is None:
        raise ControlError("no such media", 404)
    return Response(item.data, media_type=item.mime_type)


async def set_health(request: Request) -> JSONResponse:
    """One entity of the number's ``health_status`` (LIMITED or BLOCKED, with its reasons)."""
    account = _account(request)
    body = await _body(request)
    try:
        with sandbox_of(request).state.lock:
            health.set_entity(account, request.path_params["entity_type"].upper(), body)
            return JSONResponse(health.body(account))
    except ValueError as exc:
        raise ControlError(str(exc)) from None


async def set_standing(request: Request) -> JSONResponse:
    """Quality rating, messaging limit or display name status change, announced by the webhooks
    Meta sends for each (``number.py``)."""
    account = _account(request)
    body = await _body(request)
    sandbox = sandbox_of(request)
    try:
        with sandbox.state.lock:
            news = number.change(account, body, sandbox.clock.now())
            answer = number.standing(account)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    for field, webhook in news:
        sandbox.emit(account, webhook, f"number:{field}")
    return JSONResponse(answer)


async def report_error(request: Request) -> JSONResponse:
    """WhatsApp reports an error about the number itself (``value.errors``), e.g. 130429."""
    account = _account(request)
    body = await _body(request)
    code = body.get("code")
    if code not in CATALOGUE:
        raise ControlError(f"code must be one of {sorted(CATALOGUE)}")
    try:
        webhook = payloads.value_errors(account, code, body.get("details"))
    except ValueError as exc:  # a Cloud-only code on an on-premise number
        raise ControlError(str(exc)) from None
    sandbox_of(request).emit(account, webhook, "errors")
    return JSONResponse(webhook, status_code=201)


# -- templates -------------------------------------------------------------------------------
async def list_templates(request: Request) -> JSONResponse:
    account = _account(request)
    return JSONResponse(
        [
            {**templates.public(t, "cloud"), "recommendation": t.recommendation}
            for t in account.templates.values()
        ]
    )


async def force_template_status(request: Request) -> JSONResponse:
    """Decide a review (or pause, disable…) now; emits the status webhook."""
    account = _account(request)
    body = await _body(request)
    name = request.path_params["name"]
    matches = [
        t
        for t in account.templates.values()
        if t.name == name and body.get("language") in (None, t.language)
    ]
    if not matches:
        raise ControlError("no such template", 404)
    sandbox = sandbox_of(request)
    reason = body.get("reason") or (
        "INVALID_FORMAT" if body.get("status") == "REJECTED" else "NONE"
    )
    try:
        for template in matches:
            review.set_status(
                sandbox,
                account,
                template,
                str(body.get("status", "")).upper(),
                reason,
                body.get("recommendation", ""),
            )
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    return JSONResponse([templates.public(t, account.generation) for t in matches])


async def template_pacing(request: Request) -> JSONResponse:
    """Meta starts or stops pacing a template: ``{"message_status": "held_for_quality_assessment"
    | "paused" | "accepted"}`` answers its next sends so; back to ``accepted`` lets the messages
    it held go (template pacing:
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing)."""
    account = _account(request)
    body = await _body(request)
    status = body.get("message_status")
    if status not in ("accepted", *outbound.PACED):
        raise ControlError(f"message_status must be accepted or one of {outbound.PACED}")
    name = request.path_params["name"]
    matches = [
        t
        for t in account.templates.values()
        if t.name == name and body.get("language") in (None, t.language)
    ]
    if not matches:
        raise ControlError("no such template", 404)
    released = 0
    for template in matches:
        with sandbox_of(request).state.lock:
            template.pacing = status
        if status == "accepted":
            released += outbound.release(sandbox_of(request), account, template)
    return JSONResponse({"message_status": status, "released": released})


# -- sandbox-wide switches -------------------------------------------------------------------
async def _switch(
    request: Request, change: Callable[[dict[str, Any]], object], public: Callable[[], Any]
) -> JSONResponse:
    """A sandbox-wide switch: GET reads it, PUT changes it (a value it refuses is a 400)."""
    if request.method == "PUT":
        body = await _body(request)
        try:
            change(body)
        except (TypeError, ValueError) as exc:
            raise ControlError(str(exc)) from None
    return JSONResponse(public())


async def faults(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    return await _switch(request, sandbox.faults.update, sandbox.faults.public)


async def web(request: Request) -> JSONResponse:
    """How media links answer when WhatsApp fetches them (``web.py``)."""
    sandbox = sandbox_of(request)
    return await _switch(request, sandbox.web.set, sandbox.web.public)


async def gateway(request: Request) -> JSONResponse:
    """Refusals 360Dialog's gateway gives the next provider calls (``gateway.py``)."""
    gate = sandbox_of(request).gateway
    return await _switch(
        request, lambda body: gate.refuse_next(list(body.get("refuse_next") or [])), gate.public
    )


async def clock(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    if request.method == "POST":
        body = await _body(request)
        try:
            sandbox.clock.advance(float(body.get("advance_seconds", 0)))
        except (TypeError, ValueError) as exc:
            raise ControlError(str(exc)) from None
    return JSONResponse({"now": sandbox.clock.now()})


async def review_settings(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    if request.method == "PUT":
        try:
            sandbox.review.update(await _body(request))
        except (TypeError, ValueError) as exc:
            raise ControlError(str(exc)) from None
    return JSONResponse({"policy": sandbox.review.policy, "delay_seconds": sandbox.review.delay})


async def settings(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    if request.method == "PUT":
        body = await _body(request)
        if "auto_read" in body:
            sandbox.auto_read = bool(body["auto_read"])
    return JSONResponse(_settings(sandbox))


def _settings(sandbox: Sandbox) -> dict[str, Any]:
    return {
        "auto_read": sandbox.auto_read,
        "strict_webhook_urls": sandbox.config.strict_webhook_urls,
        "status_delays": list(sandbox.config.status_delays),
    }


async def deliveries(request: Request) -> JSONResponse:
    sandbox = sandbox_of(request)
    query = request.query_params
    items = list(sandbox.dispatcher.deliveries)
    if query.get("account"):
        items = [d for d in items if d.account == digits(query["account"])]
    if query.get("kind"):
        items = [d for d in items if d.kind.startswith(query["kind"])]
    if query.get("state"):
        items = [d for d in items if d.state == query["state"]]
    return JSONResponse([d.public() for d in items])


async def idle(request: Request) -> JSONResponse:
    """Wait until no status, review or delivery is outstanding (or ``timeout`` passes)."""
    body = await _body(request)
    try:
        timeout = float(body.get("timeout", 10))
    except (TypeError, ValueError):
        raise ControlError("timeout must be a number of seconds") from None
    scheduler = sandbox_of(request).scheduler
    done = await scheduler.wait_idle(timeout)
    return JSONResponse({"idle": done, "pending": scheduler.pending})


async def reset(request: Request) -> JSONResponse:
    sandbox_of(request).reset()
    return JSONResponse({"reset": True})


PREFIX = "/sandbox/api"
ACCOUNT = PREFIX + "/accounts/{number}"
CUSTOMER = ACCOUNT + "/customers/{customer}"
ROUTES = [
    Route(PREFIX + "/accounts", list_accounts, methods=["GET"]),
    Route(PREFIX + "/accounts", create_account, methods=["POST"]),
    Route(ACCOUNT, get_account, methods=["GET"]),
    Route(ACCOUNT, update_account, methods=["PATCH"]),
    Route(ACCOUNT + "/customers", list_customers, methods=["GET"]),
    Route(CUSTOMER, update_customer, methods=["PATCH"]),
    Route(CUSTOMER + "/messages", customer_sends, methods=["POST"]),
    Route(CUSTOMER + "/messages", conversation, methods=["GET"]),
    Route(CUSTOMER + "/read", customer_reads, methods=["POST"]),
    Route(ACCOUNT + "/sent", sent, methods=["GET"]),
    Route(ACCOUNT + "/media/{media_id}", media_bytes, methods=["GET"]),
    Route(ACCOUNT + "/health/{entity_type}", set_health, methods=["PUT"]),
    Route(ACCOUNT + "/standing", set_standing, methods=["PATCH"]),
    Route(ACCOUNT + "/errors", report_error, methods=["POST"]),
    Route(ACCOUNT + "/templates", list_templates, methods=["GET"]),
    Route(ACCOUNT + "/templates/{name}/status", force_template_status, methods=["POST"]),
    Route(ACCOUNT + "/templates/{name}/pacing", template_pacing, methods=["POST"]),
    Route(PREFIX + "/faults", faults, methods=["GET", "PUT"]),
    Route(PREFIX + "/web", web, methods=["GET", "PUT"]),
    Route(PREFIX + "/gateway", gateway, methods=["GET", "PUT"]),
    Route(PREFIX + "/clock", clock, methods=["GET", "POST"]),
    Route(PREFIX + "/review", review_settings, methods=["GET", "PUT"]),
    Route(PREFIX + "/settings", settings, methods=["GET", "PUT"]),
    Route(PREFIX + "/deliveries", deliveries, methods=["GET"]),
    Route(PREFIX + "/idle", idle, methods=["POST"]),
    Route(PREFIX + "/reset", reset, methods=["POST"]),
]
