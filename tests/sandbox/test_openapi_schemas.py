"""What the sandbox emits validates against Meta's OpenAPI (no schema is copied by hand).

The spec file is optional reference material (``tests/reference.py``, ``D360_SPEC``); without it
these tests skip. It is loaded with pyyaml and ``$ref``s are resolved by a ``referencing``
registry over the loaded document. One correction is applied, mechanically: the file was produced by merging
per-product specs, and names that clashed were renamed ``X_1``, ``X_2`` … without updating the
references. In the webhook section (the schemas from ``WebhookPayload`` on), ``TextMessage``
still points at the *send* schema while the webhook one is ``TextMessage_2``. Within that section
a reference to ``X`` is therefore redirected to the section's own ``X_n`` when one exists.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.reference import SPEC, requires_spec

from .conftest import CLOUD_NUMBER, CUSTOMER, Api, Receiver, approved_template

pytestmark = requires_spec
URI = "urn:meta-business-messaging-api"
PREFIX = "#/components/schemas/"


def _redirect_webhook_refs(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    names = list(schemas)
    section = names[names.index("WebhookPayload") :]
    renamed: dict[str, str] = {}
    for name in section:
        match = re.fullmatch(r"(.+)_(\d+)", name)
        if match and match.group(1) in schemas:
            renamed[match.group(1)] = name

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str) and node["$ref"].startswith(PREFIX):
                target = node["$ref"][len(PREFIX) :]
                return {**node, "$ref": PREFIX + renamed.get(target, target)}
            return {key: fix(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fix(item) for item in node]
        return node

    for name in section:
        schemas[name] = fix(schemas[name])
    return document


@pytest.fixture(scope="module")
def validate() -> Any:
    document = _redirect_webhook_refs(copy.deepcopy(yaml.safe_load(SPEC.read_text())))
    registry = Registry().with_resource(URI, Resource.from_contents(document, DRAFT7))
    paths = document["paths"]

    def check(instance: Any, schema_name: str | None = None, *, response_of: tuple = ()) -> None:
        if schema_name:
            schema: dict[str, Any] = {"$ref": f"{URI}{PREFIX}{schema_name}"}
        else:
            path, method = response_of
            assert paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
            pointer = f"/paths/{_escape(path)}/{method}/responses/200/content/application~1json"
            schema = {"$ref": f"{URI}#{pointer}/schema"}
        jsonschema.Draft7Validator(schema, registry=registry).validate(instance)

    return check


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1").replace("{", "%7B").replace("}", "%7D")


def test_webhook_bodies_validate(cloud: Api, receiver: Receiver, validate: Any) -> None:
    approved_template(
        cloud,
        "encuesta",
        "¿Todo bien, {{1}}?",
        body_extra={"example": {"body_text": [["Ana"]]}},
        components=[{"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Sí"}]}],
    )
    cloud.customer_says(type="text", text="hola")
    for spec in (
        {"type": "image", "caption": "foto"},
        {"type": "document", "filename": "f.pdf"},
        {"type": "audio", "voice": True},
        {"type": "video"},
        {"type": "sticker"},
        {
            "type": "location",
            "location": {"latitude": 1, "longitude": 2, "name": "n", "address": "a"},
        },
        {"type": "contacts", "contact_name": "Ana Ruiz", "contact_phone": "+34611000099"},
    ):
        cloud.customer_says(**spec)
    text_id = cloud.text(CUSTOMER).json()["messages"][0]["id"]
    cloud.customer_says(type="reaction", message_id=text_id, emoji="👍")
    buttons = cloud.send(
        {
            "to": CUSTOMER,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "?"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Sí"}}]},
            },
        }
    ).json()["messages"][0]["id"]
    cloud.customer_says(type="button_reply", reply_to=buttons, id="y")
    rows = [{"id": "r", "title": "Uno", "description": "d"}]
    listing = cloud.send(
        {
            "to": CUSTOMER,
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "?"},
                "action": {"button": "Ver", "sections": [{"rows": rows}]},
            },
        }
    ).json()["messages"][0]["id"]
    cloud.customer_says(type="list_reply", reply_to=listing, id="r")
    template = {"name": "encuesta", "language": {"code": "es"}}
    template["components"] = [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}]}]
    sent = cloud.send({"to": CUSTOMER, "type": "template", "template": template})
    cloud.customer_says(type="button", reply_to=sent.json()["messages"][0]["id"], text="Sí")
    cloud.text("34699000111")  # outside the window: a failed status
    cloud.idle()
    bodies = [b for b in receiver.bodies() if b["entry"][0]["changes"][0]["field"] == "messages"]
    kinds = {
        m["type"] for b in bodies for m in b["entry"][0]["changes"][0]["value"].get("messages", [])
    }
    assert kinds == {
        "text", "image", "document", "audio", "video", "sticker", "location", "contacts",
        "reaction", "interactive", "button",
    }  # fmt: skip
    statuses = {s["status"] for s in receiver.statuses()}
    assert statuses == {"sent", "delivered", "read", "failed"}
    for body in bodies:
        validate(body, "WebhookPayload")


def test_responses_and_errors_validate(cloud: Api, validate: Any) -> None:
    cloud.customer_says(type="text", text="hola")
    inbound_id = cloud.control(
        "GET", f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}/messages"
    ).json()["messages"][0]["id"]
    sent = cloud.text(CUSTOMER)
    validate(sent.json(), "MessageResponsePayload")
    validate(sent.json(), response_of=("/{Version}/{Phone-Number-ID}/messages", "post"))
    read = cloud.http.post(
        "/messages",
        json={"messaging_product": "whatsapp", "status": "read", "message_id": inbound_id},
    )
    validate(read.json(), "MarkMessageResponsePayload")
    upload = cloud.http.post(
        "/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("a.png", b"png", "image/png")},
    )
    validate(upload.json(), response_of=("/{Version}/{Phone-Number-ID}/media", "post"))
    media_id = upload.json()["id"]
    validate(cloud.http.get(f"/{media_id}").json(), response_of=("/{Version}/{Media-ID}", "get"))
    deleted = cloud.http.delete(f"/{media_id}")
    validate(deleted.json(), response_of=("/{Version}/{Media-ID}", "delete"))
    errors: list[httpx.Response] = [
        cloud.text(CUSTOMER, "x" * 5000),
        cloud.send({"to": CUSTOMER, "type": "text", "text": {}}),
        cloud.http.post("/messages", json={"to": CUSTOMER}),
        cloud.send(
            {
                "to": CUSTOMER,
                "type": "template",
                "template": {"name": "x", "language": {"code": "es"}},
            }
        ),
        cloud.http.get(f"/{media_id}"),
    ]
    for response in errors:
        assert response.status_code >= 400
        validate(response.json(), "GraphAPIError")
        validate(response.json(), "ErrorResponse")


def test_the_redirect_is_needed(validate: Any) -> None:
    """Guard: the spec's webhook messages really are the webhook schemas after the redirect."""
    message = {
        "from": "1",
        "id": "wamid.x",
        "timestamp": "1",
        "type": "text",
        "text": {"body": "b"},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
        "contacts": [{"profile": {"name": "n"}, "wa_id": "1"}],
        "messages": [message],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    validate(body, "WebhookPayload")
    with pytest.raises(jsonschema.ValidationError):
        validate(
            {**body, "entry": [{"id": "1", "changes": [{"field": "nope", "value": value}]}]},
            "WebhookPayload",
        )


def test_phone_number_and_business_profile_answers_validate(cloud: Api, validate: Any) -> None:
    fields = "quality_rating,name_status,verified_name"
    node = cloud.http.get("/", params={"fields": fields}).json()
    validate(node, response_of=("/{Version}/{Phone-Number-ID}", "get"))
    changed = cloud.http.post(
        "/whatsapp_business_profile",
        json={"messaging_product": "whatsapp", "about": "Hola", "vertical": "RETAIL"},
    )
    validate(
        changed.json(),
        response_of=("/{Version}/{Phone-Number-ID}/whatsapp_business_profile", "post"),
    )
    profile = cloud.http.get("/whatsapp_business_profile").json()
    validate(profile, response_of=("/{Version}/{Phone-Number-ID}/whatsapp_business_profile", "get"))
    refused = cloud.http.post(
        "/whatsapp_business_profile", json={"messaging_product": "whatsapp", "about": "x" * 200}
    )
    validate(refused.json(), "GraphAPIError")
