"""Cloud generation: authentication, health, webhook configuration, sending and validation."""

from __future__ import annotations

import base64
import re

import httpx
import pytest

from core.sandbox import SandboxServer

from .conftest import CLOUD_KEY, CLOUD_NUMBER, CUSTOMER, Api, Receiver, make_config

WAMID = re.compile(r"^wamid\.[A-Za-z0-9+/=_-]+$")
INVALID_KEY_BODY = {
    "meta": {
        "httpCode": 404,
        "developerMessage": "Invalid api_key or token expired",
        "success": False,
    }
}


def graph_code(response: httpx.Response) -> int:
    body = response.json()
    assert body["error"]["type"] == "OAuthException"
    assert body["error"]["error_data"]["messaging_product"] == "whatsapp"
    assert body["error"]["message"].startswith(f"(#{body['error']['code']}) ")
    assert body["error"]["fbtrace_id"]
    return body["error"]["code"]


def test_wrong_or_missing_key_gets_the_gateway_error(server: SandboxServer) -> None:
    for headers in ({"D360-API-KEY": "nope"}, {}):
        response = httpx.post(server.base_url + "/messages", headers=headers, json={})
        assert response.status_code == 401
        assert response.json() == INVALID_KEY_BODY


@pytest.mark.parametrize("header", ["D360-API-KEY", "d360-api-key", "D360-Api-Key"])
def test_key_header_in_any_case(server: SandboxServer, header: str) -> None:
    response = httpx.get(server.base_url + "/health_status", headers={header: CLOUD_KEY})
    assert response.status_code == 200
    health = response.json()
    assert health["health_status"]["can_send_message"] == "AVAILABLE"
    kinds = [e["entity_type"] for e in health["health_status"]["entities"]]
    assert kinds == ["PHONE_NUMBER", "WABA", "BUSINESS", "APP"]
    assert health["id"] == health["health_status"]["entities"][0]["id"]


def test_webhook_config_round_trip_and_custom_headers(cloud: Api, receiver: Receiver) -> None:
    set_response = cloud.set_webhook(receiver.url, {"X-Secret": "s3cret"})
    assert set_response.json() == {"url": receiver.url, "headers": {"X-Secret": "s3cret"}}
    assert cloud.http.get("/v1/configs/webhook").json() == set_response.json()
    cloud.customer_says(type="text", text="hola")
    cloud.idle()
    assert receiver.received[0].headers["X-Secret"] == "s3cret"
    assert receiver.received[0].headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com:8443/whatsapp",
        "https://my_hooks.example.com/whatsapp",
        "http://hooks.example.com/whatsapp",
        "ftp://hooks.example.com/x",
    ],
)
def test_strict_mode_rejects_what_360dialog_rejects(url: str) -> None:
    with SandboxServer(make_config(strict_webhook_urls=True)) as strict:
        api = Api(strict.base_url, CLOUD_KEY, CLOUD_NUMBER)
        response = api.set_webhook(url)
        assert response.status_code == 400
        assert response.json()["meta"]["success"] is False
        assert api.set_webhook("https://hooks.example.com/whatsapp").status_code == 200


def test_lenient_mode_accepts_local_receivers(cloud: Api) -> None:
    assert cloud.set_webhook("http://127.0.0.1:9/hook").status_code == 200
    assert cloud.set_webhook("http://my_host:8080/hook").status_code == 200
    assert cloud.set_webhook("not a url").status_code == 400


SENDABLE = {
    "text": {"type": "text", "text": {"body": "Hola 👋", "preview_url": False}},
    "image_link": {"type": "image", "image": {"link": "https://example.com/a.jpg", "caption": "c"}},
    "document_link": {
        "type": "document",
        "document": {"link": "https://example.com/a.pdf", "filename": "a.pdf"},
    },
    "audio_link": {"type": "audio", "audio": {"link": "https://example.com/a.ogg"}},
    "video_link": {"type": "video", "video": {"link": "https://example.com/a.mp4"}},
    "sticker_link": {"type": "sticker", "sticker": {"link": "https://example.com/a.webp"}},
    "location": {
        "type": "location",
        "location": {"latitude": 40.4, "longitude": -3.7, "name": "Sol", "address": "Madrid"},
    },
    "contacts": {
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Ana Ruiz"}, "phones": [{"phone": "+34611"}]}],
    },
    "buttons": {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "¿Confirmas?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "yes", "title": "Sí"}},
                    {"type": "reply", "reply": {"id": "no", "title": "No"}},
                ]
            },
        },
    },
    "list": {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Elige"},
            "action": {
                "button": "Opciones",
                "sections": [
                    {"title": "A", "rows": [{"id": "a1", "title": "Uno", "description": "1"}]}
                ],
            },
        },
    },
}


@pytest.mark.parametrize("kind", sorted(SENDABLE))
def test_every_message_type_is_accepted(cloud: Api, kind: str) -> None:
    cloud.customer_says(type="text", text="hola")
    response = cloud.send({"recipient_type": "individual", "to": "+" + CUSTOMER, **SENDABLE[kind]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+" + CUSTOMER, "wa_id": CUSTOMER}]
    assert WAMID.match(body["messages"][0]["id"])
    raw = base64.b64decode(body["messages"][0]["id"].removeprefix("wamid."))
    assert CUSTOMER.encode() in raw


def test_media_by_id_and_reaction_and_mark_read(cloud: Api) -> None:
    inbound = cloud.customer_says(type="text", text="hola")
    upload = cloud.http.post(
        "/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("a.png", b"\x89PNG fake", "image/png")},
    )
    media_id = upload.json()["id"]
    by_id = cloud.send({"to": CUSTOMER, "type": "image", "image": {"id": media_id}})
    assert by_id.status_code == 200, by_id.text
    unknown = cloud.send({"to": CUSTOMER, "type": "image", "image": {"id": "123456"}})
    assert graph_code(unknown) == 100
    reaction = cloud.send(
        {
            "to": CUSTOMER,
            "type": "reaction",
            "reaction": {"message_id": inbound["id"], "emoji": "👍"},
        }
    )
    assert reaction.status_code == 200
    read = cloud.http.post(
        "/messages",
        json={"messaging_product": "whatsapp", "status": "read", "message_id": inbound["id"]},
    )
    assert read.status_code == 200
    assert read.json() == {"success": True}
    conversation = cloud.control("GET", f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}/messages")
    assert conversation.json()["messages"][0]["read_by_business"] is True
    bogus = cloud.http.post(
        "/messages",
        json={"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"},
    )
    assert graph_code(bogus) == 100


def _buttons(count: int, title: str = "Ok") -> dict:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": f"b{i}", "title": f"{title}{i}"}}
                    for i in range(count)
                ]
            },
        },
    }


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"to": CUSTOMER, "type": "text", "text": {"body": "x"}, "messaging_product": None}, 100),
        ({"to": CUSTOMER, "type": "text", "text": {"body": "x"}, "messaging_product": "sms"}, 100),
        ({"type": "text", "text": {"body": "x"}}, 100),
        ({"to": CUSTOMER, "type": "carrier_pigeon"}, 100),
        ({"to": CUSTOMER, "type": "text", "text": {}}, 131008),
        ({"to": CUSTOMER, "type": "image", "image": {}}, 131008),
        ({"to": CUSTOMER, "type": "location", "location": {"latitude": 1}}, 131008),
        ({"to": CUSTOMER, "type": "text", "text": {"body": "x" * 4097}}, 131009),
        ({"to": CUSTOMER, **_buttons(4)}, 131009),
        ({"to": CUSTOMER, **_buttons(2, title="A title much longer than twenty")}, 131009),
        ({"to": CUSTOMER, "type": "image", "image": {"link": "not-a-url"}}, 131009),
        (
            {"to": CUSTOMER, "type": "location", "location": {"latitude": 91, "longitude": 0}},
            131009,
        ),
    ],
)
def test_validation_errors_use_meta_codes(cloud: Api, body: dict, code: int) -> None:
    payload = {"messaging_product": "whatsapp", **body}
    if payload["messaging_product"] is None:
        del payload["messaging_product"]
    response = cloud.http.post("/messages", json=payload)
    assert response.status_code == 400
    assert graph_code(response) == code


def test_text_of_exactly_4096_characters_is_fine(cloud: Api) -> None:
    assert cloud.text(CUSTOMER, "x" * 4096).status_code == 200


def test_invalid_json_is_error_100(cloud: Api) -> None:
    response = cloud.http.post("/messages", content=b"{not json")
    assert response.status_code == 400
    assert graph_code(response) == 100


def test_onprem_key_cannot_use_cloud_paths(server: SandboxServer) -> None:
    response = httpx.post(
        server.base_url + "/messages", headers={"D360-API-KEY": "onprem-key"}, json={}
    )
    assert response.status_code == 404
    assert response.json()["meta"]["success"] is False
