"""The customer side: every message type reaches the business in the account's webhook format."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import CLOUD_NUMBER, CUSTOMER, ONPREM_NUMBER, Api, Receiver, approved_template

SPECS: dict[str, dict[str, Any]] = {
    "text": {"type": "text", "text": "Hola, ¿abrís mañana?"},
    "image": {"type": "image", "caption": "foto"},
    "document": {"type": "document", "filename": "factura.pdf", "caption": "factura"},
    "voice": {"type": "audio", "voice": True},
    "audio_file": {"type": "audio", "voice": False, "mime_type": "audio/mpeg"},
    "video": {"type": "video"},
    "sticker": {"type": "sticker"},
    "location": {
        "type": "location",
        "location": {"latitude": 40.4168, "longitude": -3.7038, "name": "Sol", "address": "Madrid"},
    },
    "contacts": {
        "type": "contacts",
        "contact_name": "Marta López",
        "contact_phone": "+34 611 000 099",
    },
}


def _first_message(receiver: Receiver) -> tuple[dict, dict]:
    """(contacts[0], messages[0]) of the first webhook, whatever its generation."""
    body = receiver.bodies()[0]
    if "entry" in body:
        value = body["entry"][0]["changes"][0]["value"]
        assert value["metadata"]["display_phone_number"] == CLOUD_NUMBER
        assert value["messaging_product"] == "whatsapp"
    else:
        assert set(body) == {"contacts", "messages"}
        value = body
    return value["contacts"][0], value["messages"][0]


def _check(message: dict, kind: str, onprem: bool) -> None:
    wire = {"voice": "voice" if onprem else "audio", "audio_file": "audio"}.get(kind, kind)
    assert message["type"] == wire
    content = message[wire]
    if kind == "text":
        assert content == {"body": "Hola, ¿abrís mañana?"}
    elif kind == "location":
        assert content == {
            "latitude": 40.4168,
            "longitude": -3.7038,
            "name": "Sol",
            "address": "Madrid",
        }
    elif kind == "contacts":
        assert content[0]["name"]["formatted_name"] == "Marta López"
        assert content[0]["phones"][0]["wa_id"] == "34611000099"
    else:
        assert {"id", "mime_type", "sha256"} <= set(content)
    if kind == "voice" and not onprem:
        assert content["voice"] is True
    if kind == "voice":
        assert content["mime_type"] == "audio/ogg; codecs=opus"
    if kind == "document":
        assert content["filename"] == "factura.pdf" and content["caption"] == "factura"


@pytest.mark.parametrize("kind", sorted(SPECS))
@pytest.mark.parametrize("generation", ["cloud", "onprem"])
def test_customer_messages_become_webhooks(
    request: pytest.FixtureRequest, receiver: Receiver, generation: str, kind: str
) -> None:
    api: Api = request.getfixturevalue(generation)
    sent = api.customer_says(**SPECS[kind])
    api.idle()
    contact, message = _first_message(receiver)
    assert contact == {"profile": {"name": "Lucía García"}, "wa_id": CUSTOMER}
    assert message["from"] == CUSTOMER
    assert message["id"] == sent["id"]
    assert message["timestamp"].isdigit()
    if generation == "cloud":
        assert message["id"].startswith("wamid.")
    _check(message, kind, generation == "onprem")


def test_replies_reactions_and_buttons(cloud: Api, receiver: Receiver) -> None:
    cloud.customer_says(type="text", text="hola")
    text_id = cloud.text(CUSTOMER, "¿Algo más?").json()["messages"][0]["id"]
    buttons = cloud.send(
        {
            "to": CUSTOMER,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "¿Confirmas?"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Sí"}}]},
            },
        }
    ).json()["messages"][0]["id"]
    listing = cloud.send(
        {
            "to": CUSTOMER,
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "Elige"},
                "action": {
                    "button": "Ver",
                    "sections": [{"rows": [{"id": "r1", "title": "Uno", "description": "El 1"}]}],
                },
            },
        }
    ).json()["messages"][0]["id"]
    approved_template(
        cloud,
        "encuesta",
        "¿Te gustó el servicio, {{1}}?",
        body_extra={"example": {"body_text": [["Ana"]]}},
        components=[
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Sí"},
                    {"type": "QUICK_REPLY", "text": "No"},
                ],
            }
        ],
    )
    template_id = cloud.send(
        {
            "to": CUSTOMER,
            "type": "template",
            "template": {
                "name": "encuesta",
                "language": {"code": "es"},
                "components": [
                    {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]},
                    {
                        "type": "button",
                        "sub_type": "quick_reply",
                        "index": "1",
                        "parameters": [{"type": "payload", "payload": "survey-no"}],
                    },
                ],
            },
        }
    ).json()["messages"][0]["id"]
    cloud.idle()
    receiver.received.clear()

    cloud.customer_says(type="text", text="citando", reply_to=text_id)
    cloud.customer_says(type="reaction", message_id=text_id, emoji="❤️")
    cloud.customer_says(type="button_reply", reply_to=buttons, id="yes")
    cloud.customer_says(type="list_reply", reply_to=listing, id="r1")
    cloud.customer_says(type="button", reply_to=template_id, text="No")
    cloud.idle()
    quoted, reaction, button_reply, list_reply, quick_reply = receiver.messages()
    assert quoted["context"] == {"from": CLOUD_NUMBER, "id": text_id}
    assert reaction["reaction"] == {"message_id": text_id, "emoji": "❤️"}
    assert button_reply["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "yes", "title": "Sí"},
    }
    assert button_reply["context"]["id"] == buttons
    assert list_reply["interactive"]["list_reply"] == {
        "id": "r1",
        "title": "Uno",
        "description": "El 1",
    }
    assert quick_reply["type"] == "button"
    assert quick_reply["button"] == {"payload": "survey-no", "text": "No"}
    assert quick_reply["context"] == {"from": CLOUD_NUMBER, "id": template_id}
    bad = cloud.control(
        "POST",
        f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}/messages",
        json={"type": "button_reply", "reply_to": buttons, "id": "maybe"},
    )
    assert bad.status_code == 400


def test_inbound_opens_window_and_conversation_lists_both_directions(cloud: Api) -> None:
    cloud.customer_says(type="text", text="hola")
    cloud.text(CUSTOMER, "¡Hola!")
    cloud.idle()
    conversation = cloud.control(
        "GET", f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}/messages"
    ).json()
    assert conversation["window_open"] is True
    assert conversation["name"] == "Lucía García"
    directions = [(m["direction"], m["status"]) for m in conversation["messages"]]
    assert directions == [("inbound", "received"), ("outbound", "read")]


def test_onprem_customer_sees_replies_in_flat_format(onprem: Api, receiver: Receiver) -> None:
    onprem.customer_says(type="text", text="hola")
    onprem.idle()
    body = receiver.bodies()[0]
    assert "object" not in body and "entry" not in body
    assert body["messages"][0]["id"][:4] == "ABEG"
    assert ONPREM_NUMBER  # the flat body carries no business metadata, as on-premise did
