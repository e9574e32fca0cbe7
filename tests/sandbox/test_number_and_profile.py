"""The number's own fields, the business profile and template reinstatement, as 360Dialog's
Cloud base and Meta answer them."""

from __future__ import annotations

import pytest

from tests.sandbox.conftest import CLOUD_NUMBER, Api, Receiver, approved_template

FIELDS = "quality_rating,name_status,whatsapp_business_manager_messaging_limit"


def test_the_phone_number_node_answers_the_fields_asked(cloud: Api) -> None:
    """Meta's phone-number node (its OpenAPI examples ``phone_number_get_response_200``)."""
    answer = cloud.http.get("/", params={"fields": FIELDS}).json()
    assert answer == {
        "id": answer["id"],
        "quality_rating": "GREEN",
        "name_status": "APPROVED",
        "whatsapp_business_manager_messaging_limit": "TIER_250",
    }
    default = cloud.http.get("/").json()
    assert set(default) == {"id", "display_phone_number", "verified_name", "quality_rating"}
    wrong = cloud.http.get("/", params={"fields": "colour"})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == 100


def test_standing_changes_send_metas_webhooks(cloud: Api, receiver: Receiver) -> None:
    """phone_number_quality_update and phone_number_name_update, Meta's webhook references."""
    standing = f"/accounts/{CLOUD_NUMBER}/standing"
    changed = cloud.control(
        "PATCH", standing, json={"whatsapp_business_manager_messaging_limit": "TIER_2K"}
    )
    assert changed.json()["whatsapp_business_manager_messaging_limit"] == "TIER_2K"
    cloud.control("PATCH", standing, json={"quality_rating": "RED", "name_status": "DECLINED"})
    cloud.idle()
    changes = [
        change
        for body in receiver.bodies()
        for entry in body["entry"]
        for change in entry["changes"]
    ]
    assert [(c["field"], c["value"].get("event") or c["value"]["decision"]) for c in changes] == [
        ("phone_number_quality_update", "UPGRADE"),
        ("phone_number_quality_update", "FLAGGED"),
        ("phone_number_name_update", "REJECTED"),
    ]
    upgrade = changes[0]["value"]
    assert (upgrade["old_limit"], upgrade["max_daily_conversations_per_business"]) == (
        "TIER_250",
        "TIER_2K",
    )
    refused = cloud.control("PATCH", standing, json={"quality_rating": "PURPLE"})
    assert refused.status_code == 400


def test_business_profile_is_read_and_changed_field_by_field(cloud: Api) -> None:
    """https://docs.360dialog.com/docs/waba-management/set-whatsapp-profile-information"""
    change = {
        "messaging_product": "whatsapp",
        "about": "Abiertos de 9 a 21",
        "websites": ["https://tienda.example.com"],
        "vertical": "RETAIL",
    }
    assert cloud.http.post("/whatsapp_business_profile", json=change).json() == {"success": True}
    cloud.http.post(
        "/whatsapp_business_profile",
        json={"messaging_product": "whatsapp", "email": "hola@tienda.example.com"},
    ).raise_for_status()
    (found,) = cloud.http.get("/whatsapp_business_profile").json()["data"]
    assert found == {
        "about": "Abiertos de 9 a 21",
        "email": "hola@tienda.example.com",
        "websites": ["https://tienda.example.com"],
        "vertical": "RETAIL",
        "messaging_product": "whatsapp",
    }


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"about": "a" * 140}, "Param about must be at most 139 characters long."),
        ({"description": "d" * 513}, "Param description must be at most 512 characters long."),
        ({"email": "not-an-address"}, "Param email must be a valid email address."),
        (
            {"websites": ["https://a.example", "https://b.example", "https://c.example"]},
            "at most 2",
        ),
        ({"websites": ["tienda.example.com"]}, "http:// or https://"),
        ({"vertical": "SPACESHIPS"}, "Param vertical must be one of"),
        ({"profile_picture_handle": "4:bm9wZQ==:x"}, "Check the handle provided"),
    ],
)
def test_business_profile_refuses_what_meta_refuses(cloud: Api, change, words: str) -> None:
    response = cloud.http.post(
        "/whatsapp_business_profile", json={"messaging_product": "whatsapp", **change}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 100
    assert words in error["error_data"]["details"]
    assert cloud.http.get("/whatsapp_business_profile").json()["data"] == [
        {"messaging_product": "whatsapp"}
    ]


def test_a_reinstated_template_is_approved_again(cloud: Api, receiver: Receiver) -> None:
    """Template pausing: REINSTATED is the event, APPROVED the status it leaves
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pausing)."""
    approved_template(cloud, "aviso", "Tu pedido está listo")
    status = f"/accounts/{CLOUD_NUMBER}/templates/aviso/status"
    cloud.control("POST", status, json={"status": "PAUSED"}).raise_for_status()
    (paused,) = cloud.control("POST", status, json={"status": "REINSTATED"}).json()
    assert paused["status"] == "APPROVED"
    cloud.idle()
    events = [
        change["value"]["event"]
        for body in receiver.bodies()
        for entry in body["entry"]
        for change in entry["changes"]
        if change["field"] == "message_template_status_update"
    ]
    assert events[-2:] == ["PAUSED", "REINSTATED"]
