"""The API's endpoints, declared once: the routes are built from these declarations and so is
the OpenAPI document at ``/api/v1/openapi.json`` (https://spec.openapis.org/oas/v3.1.0), so the
two cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core.api import actions
from core.api.tokens import SCOPES
from core.hooks.events import EVENTS

PREFIX = "/api/v1"

Action = Callable[[Session, actions.Call], tuple[int, dict[str, Any]]]


def _object(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


INTEGER = {"type": "integer"}
STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
ERROR = _object(["error"], error=_object(["code", "message"], code=STRING, message=STRING))
MESSAGE = _object(
    ["id", "status"],
    id=INTEGER,
    conversation_id=INTEGER,
    direction={"enum": ["in", "out"]},
    type=STRING,
    text=STRING,
    status=STRING,
    wamid=NULLABLE_STRING,
    error={
        "type": ["object", "null"],
        "properties": {"code": {"type": ["integer", "null"]}, "title": NULLABLE_STRING},
    },
    created_at=STRING,
)
TEMPLATE_VALUES = _object(
    ["name", "language"],
    name=STRING,
    language=STRING,
    body={"type": ["array", "object"], "description": "values of {{1}}, {{2}}… (or by name)"},
    header={
        "description": "text values as a list, or a media header "
        '{"type": "image"|"video"|"document", "link": URL} or {"type": ..., "id": MEDIA_ID}'
    },
    buttons={"type": ["array", "object"], "description": "by button index"},
)
SEND = {
    "oneOf": [
        _object(["channel_id", "to", "text"], channel_id=INTEGER, to=STRING, text=STRING),
        _object(
            ["channel_id", "to", "template"],
            channel_id=INTEGER,
            to=STRING,
            template=TEMPLATE_VALUES,
        ),
    ]
}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return _object(
        ["items", "next_cursor"],
        items={"type": "array", "items": item},
        next_cursor=NULLABLE_STRING,
    )


CONVERSATION = _object(
    ["id"],
    id=INTEGER,
    channel_id=INTEGER,
    wa_id=STRING,
    name=STRING,
    last_message_at=NULLABLE_STRING,
    preview=STRING,
    unread=INTEGER,
    window_closes_at=NULLABLE_STRING,
)
TEMPLATE = _object(
    ["id", "name", "language", "status"],
    id=INTEGER,
    channel_id=INTEGER,
    name=STRING,
    language=STRING,
    category=STRING,
    status=STRING,
    rejected_reason=NULLABLE_STRING,
    components={"type": ["array", "null"]},
)
EVENT_NAMES = {"type": "array", "items": {"enum": list(EVENTS)}}
WEBHOOK = _object(
    ["id", "url", "events"], id=INTEGER, url=STRING, events=EVENT_NAMES, created_at=STRING
)
CAMPAIGN = _object(
    ["name", "workspace_template_id", "audience"],
    name=STRING,
    workspace_template_id=INTEGER,
    start_at={"type": "string", "description": "ISO time with offset; now when absent"},
    audience={
        "type": "array",
        "items": _object(
            ["number"],
            number=STRING,
            name=STRING,
            header={"type": "array"},
            body={"type": "array"},
            buttons={"type": "object"},
        ),
    },
)
CURSOR = [
    {"name": "cursor", "in": "query", "schema": STRING},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}},
]


@dataclass(frozen=True)
class Endpoint:
    """One operation: where, which scope it needs, what it takes and answers, who does it."""

    method: str
    path: str
    scope: str
    action: Action
    summary: str
    status: int
    answer: dict[str, Any]
    request: dict[str, Any] | None = None
    parameters: tuple[dict[str, Any], ...] = ()
    takes_file: bool = False
    writes: bool = False
    """Changes the store: run group-committed (``core.api.batching``). Not the media upload,
    which stores nothing and must not hold a transaction while 360Dialog answers."""
    together: actions.SetWise | None = None
    """The requests of this endpoint written set-wise with the others of their batch."""


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "POST",
        "/messages",
        "send",
        actions.send_message,
        "Queue a text (inside the 24-hour window) or an approved template",
        202,
        _object(["id", "status"], id=INTEGER, status=STRING),
        SEND,
        ({"name": "Idempotency-Key", "in": "header", "schema": STRING},),
        writes=True,
        together=actions.TEXT_SENDS,
    ),
    Endpoint(
        "POST",
        "/media",
        "send",
        actions.upload_media,
        "Upload a template header's file (the body is the file); its media id",
        201,
        _object(["id", "type"], id=STRING, type=STRING),
        None,
        (
            {"name": "channel_id", "in": "query", "required": True, "schema": INTEGER},
            {"name": "filename", "in": "query", "schema": STRING},
        ),
        takes_file=True,
    ),
    Endpoint(
        "GET",
        "/messages/{id}",
        "read",
        actions.get_message,
        "A message and its status",
        200,
        MESSAGE,
    ),
    Endpoint(
        "GET",
        "/conversations",
        "read",
        actions.list_conversations,
        "Conversations, newest first",
        200,
        _list_of(CONVERSATION),
        None,
        tuple(CURSOR),
    ),
    Endpoint(
        "GET",
        "/conversations/{id}/messages",
        "read",
        actions.list_messages,
        "A conversation's messages, oldest first",
        200,
        _list_of(MESSAGE),
        None,
        tuple(CURSOR),
    ),
    Endpoint(
        "GET",
        "/templates",
        "templates",
        actions.list_templates,
        "Templates with their review status",
        200,
        _list_of(TEMPLATE),
        None,
        (*CURSOR, {"name": "channel_id", "in": "query", "schema": INTEGER}),
    ),
    Endpoint(
        "POST",
        "/campaigns",
        "send",
        actions.create_campaign,
        "A campaign of a workspace template to a JSON audience",
        201,
        _object(
            ["id", "state", "recipients", "skipped"],
            id=INTEGER,
            state=STRING,
            recipients=INTEGER,
            skipped={"type": "object"},
        ),
        CAMPAIGN,
        writes=True,
    ),
    Endpoint(
        "POST",
        "/webhooks",
        "read",
        actions.create_webhook,
        "Subscribe a URL to events; the secret signing deliveries is shown only now",
        201,
        _object(["id", "secret"], id=INTEGER, url=STRING, events=EVENT_NAMES, secret=STRING),
        _object(["url", "events"], url=STRING, events=EVENT_NAMES),
        writes=True,
    ),
    Endpoint(
        "GET",
        "/webhooks",
        "read",
        actions.list_webhooks,
        "The subscriptions in force",
        200,
        _list_of(WEBHOOK),
    ),
    Endpoint(
        "GET", "/webhooks/{id}", "read", actions.get_webhook, "One subscription", 200, WEBHOOK
    ),
    Endpoint(
        "DELETE",
        "/webhooks/{id}",
        "read",
        actions.delete_webhook,
        "End a subscription (what waits to be delivered is cancelled)",
        200,
        _object(["id", "deleted"], id=INTEGER, deleted={"type": "boolean"}),
        writes=True,
    ),
)

REFUSALS = {
    "400": "the request is malformed",
    "401": "missing, wrong, expired or revoked token",
    "403": "the token lacks the scope, or its owner the role",
    "404": "not found",
    "422": "refused, with the reason in words (e.g. the 24-hour window closed)",
    "429": "over the token's rate limit; see Retry-After",
}


def _operation(endpoint: Endpoint) -> dict[str, Any]:
    parameters = list(endpoint.parameters)
    if "{id}" in endpoint.path:
        parameters.insert(0, {"name": "id", "in": "path", "required": True, "schema": INTEGER})
    operation: dict[str, Any] = {
        "summary": endpoint.summary,
        "operationId": endpoint.action.__name__,
        "security": [{"token": []}],
        "x-scope": endpoint.scope,
        "responses": {
            str(endpoint.status): {
                "description": "done",
                "content": {"application/json": {"schema": endpoint.answer}},
            },
            **{
                code: {"description": why, "content": {"application/json": {"schema": ERROR}}}
                for code, why in REFUSALS.items()
            },
        },
    }
    if parameters:
        operation["parameters"] = parameters
    if endpoint.request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": endpoint.request}},
        }
    if endpoint.takes_file:
        operation["requestBody"] = {
            "required": True,
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    return operation


def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of :data:`ENDPOINTS`."""
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(PREFIX + endpoint.path, {})[endpoint.method.lower()] = _operation(endpoint)
    scopes = "; ".join(f"`{name}`: {meaning}" for name, meaning in SCOPES.items())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "1980TIC WhatsApp API",
            "version": "1",
            "description": "Send and read this server's WhatsApp messages. "
            f"Authorization: Bearer TOKEN. Scopes: {scopes}.",
        },
        "components": {"securitySchemes": {"token": {"type": "http", "scheme": "bearer"}}},
        "paths": paths,
    }
