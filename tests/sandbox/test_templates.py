"""Templates: creation, review with its webhook, listing, deletion, and the send-time checks."""

from __future__ import annotations

import json

import pytest

from .conftest import CLOUD_NUMBER, CUSTOMER, Api, Receiver, approved_template
from .test_cloud_api import graph_code


def _create(api: Api, name: str, text: str, example: dict | None = None, **extra: object):
    body: dict = {"type": "BODY", "text": text}
    if example is not None:
        body["example"] = example
    return api.http.post(
        "/v1/configs/templates",
        json={
            "name": name,
            "category": extra.get("category", "UTILITY"),
            "language": extra.get("language", "en_US"),
            "components": [body],
        },
    )


def _template_events(receiver: Receiver) -> list[dict]:
    events = []
    for body in receiver.bodies():
        for entry in body.get("entry", []):
            for change in entry["changes"]:
                if change["field"] == "message_template_status_update":
                    assert isinstance(entry["time"], int)
                    events.append(change["value"])
    return events


def _listed(api: Api, **query: str) -> dict:
    response = api.http.get("/v1/configs/templates", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_submission_echo_then_pending_then_approved(cloud: Api, receiver: Receiver) -> None:
    created = _create(
        cloud, "order_ready", "Hi {{1}}, your order is ready.", {"body_text": [["Ana"]]}
    )
    assert created.status_code == 200
    echo = created.json()
    assert echo["status"] == "submitted"
    assert echo["rejected_reason"] == "NONE"
    assert echo["namespace"] and echo["name"] == "order_ready" and echo["id"].isdigit()
    assert _listed(cloud)["waba_templates"][0]["status"] == "PENDING"
    cloud.idle()
    listed = _listed(cloud)["waba_templates"][0]
    assert listed["status"] == "APPROVED"
    assert listed["rejected_reason"] == "NONE"
    for key in ("id", "name", "language", "category", "components", "namespace", "quality_score"):
        assert key in listed
    assert listed["created_at"].endswith("Z") and listed["modified_at"].endswith("Z")
    [event] = _template_events(receiver)
    assert event == {
        "event": "APPROVED",
        "message_template_id": int(echo["id"]),
        "message_template_name": "order_ready",
        "message_template_language": "en_US",
        "reason": "NONE",
        "message_template_category": "UTILITY",
    }


@pytest.mark.parametrize(
    ("text", "example"),
    [
        ("Hola {{1}}{{2}} gracias por tu compra.", {"body_text": [["Ana", "Ruiz"]]}),
        ("Hola {{1}}, gracias por tu compra.", None),
        ("Hola {{1}} y {{3}}, gracias.", {"body_text": [["a", "b"]]}),
    ],
)
def test_rule_breaking_templates_are_rejected(
    cloud: Api, receiver: Receiver, text: str, example: dict | None
) -> None:
    assert _create(cloud, "bad_one", text, example).status_code == 200
    cloud.idle()
    listed = _listed(cloud)["waba_templates"][0]
    assert listed["status"] == "REJECTED"
    assert listed["rejected_reason"] == "INVALID_FORMAT"
    [event] = _template_events(receiver)
    assert event["event"] == "REJECTED"
    assert event["reason"] == "INVALID_FORMAT"
    assert event["rejection_info"]["reason"] == "INVALID_FORMAT"
    assert event["rejection_info"]["recommendation"]


def test_review_policies(cloud: Api) -> None:
    cloud.control("PUT", "/review", json={"policy": "reject", "delay_seconds": 0.01})
    _create(cloud, "fine_but_rejected", "Your code is ready.")
    cloud.control("PUT", "/review", json={"policy": "approve"})
    _create(cloud, "bad_but_approved", "{{1}}{{2}}")
    cloud.idle()
    statuses = {t["name"]: t["status"] for t in _listed(cloud)["waba_templates"]}
    assert statuses == {"fine_but_rejected": "REJECTED", "bad_but_approved": "APPROVED"}
    assert cloud.control("PUT", "/review", json={"policy": "maybe"}).status_code == 400


def test_submission_errors(cloud: Api) -> None:
    bad_name = cloud.http.post(
        "/v1/configs/templates",
        json={"name": "Bad Name", "category": "UTILITY", "language": "en", "components": []},
    )
    assert graph_code(bad_name) == 100
    no_body = cloud.http.post(
        "/v1/configs/templates",
        json={"name": "ok", "category": "UTILITY", "language": "en", "components": []},
    )
    assert graph_code(no_body) == 100
    assert _create(cloud, "twice", "Hello there.").status_code == 200
    duplicate = _create(cloud, "twice", "Hello there.")
    assert graph_code(duplicate) == 100
    assert duplicate.json()["error"]["error_subcode"] == 2388024


def test_listing_paging_sort_and_filters(cloud: Api) -> None:
    # reviews take a minute here, so every template is still pending when filtered by status
    cloud.control("PUT", "/review", json={"policy": "approve", "delay_seconds": 60})
    for name, language in [("b_second", "en"), ("a_first", "es"), ("c_third", "en")]:
        _create(cloud, name, "Hello there.", language=language)
    page = _listed(cloud, limit="2", offset="0", sort="business_templates.name")
    assert [t["name"] for t in page["waba_templates"]] == ["a_first", "b_second"]
    assert {k: page[k] for k in ("count", "limit", "offset", "sort", "total", "filters")} == {
        "count": 2,
        "limit": 2,
        "offset": 0,
        "sort": ["business_templates.name"],
        "total": 3,
        "filters": {},
    }
    second = _listed(cloud, limit="2", offset="2", sort="business_templates.name")
    assert [t["name"] for t in second["waba_templates"]] == ["c_third"]
    descending = _listed(cloud, sort="-name")
    assert [t["name"] for t in descending["waba_templates"]] == ["c_third", "b_second", "a_first"]
    filtered = _listed(cloud, filters=json.dumps({"language": "en"}), sort="name")
    assert filtered["total"] == 2
    assert filtered["filters"] == {"language": "en"}
    by_status = _listed(cloud, filters=json.dumps({"status": "approved"}))
    assert by_status["total"] == 0
    assert cloud.http.get("/v1/configs/templates", params={"filters": "{nope"}).status_code == 400


def test_delete_by_name(cloud: Api) -> None:
    _create(cloud, "short_lived", "Hello there.", language="en")
    _create(cloud, "short_lived", "Hola.", language="es")
    deleted = cloud.http.delete("/v1/configs/templates/short_lived")
    assert deleted.status_code == 200
    assert _listed(cloud)["total"] == 0
    assert cloud.http.delete("/v1/configs/templates/short_lived").status_code == 404


def _template_message(name: str, language: str = "es", params: list[str] | None = None) -> dict:
    template: dict = {"name": name, "language": {"code": language, "policy": "deterministic"}}
    if params is not None:
        template["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": p} for p in params]}
        ]
    return {"to": CUSTOMER, "type": "template", "template": template}


def test_template_send_checks(cloud: Api, receiver: Receiver) -> None:
    approved_template(
        cloud,
        "cita",
        "Hola {{1}}, tu cita es el {{2}}.",
        body_extra={"example": {"body_text": [["A", "B"]]}},
    )
    ok = cloud.send(_template_message("cita", params=["Ana", "lunes"]))
    assert ok.status_code == 200, ok.text
    assert graph_code(cloud.send(_template_message("cita", params=["Ana"]))) == 132000
    missing = cloud.send(_template_message("nope", params=[]))
    assert missing.status_code == 404 and graph_code(missing) == 132001
    assert graph_code(cloud.send(_template_message("cita", "en_US", ["a", "b"]))) == 132001
    _create(cloud, "pending_one", "Hello there.", language="es")
    assert graph_code(cloud.send(_template_message("pending_one"))) == 132001
    for status, code in (("PAUSED", 132015), ("DISABLED", 132016)):
        forced = cloud.control(
            "POST", f"/accounts/{CLOUD_NUMBER}/templates/cita/status", json={"status": status}
        )
        assert forced.json()[0]["status"] == status
        assert graph_code(cloud.send(_template_message("cita", params=["a", "b"]))) == code
    cloud.idle()
    events = [
        e["event"] for e in _template_events(receiver) if e["message_template_name"] == "cita"
    ]
    assert events == ["APPROVED", "PAUSED", "DISABLED"]
    # a template needs no open window: the accepted send above was delivered, not failed
    statuses = [
        s["status"] for s in receiver.statuses() if s["id"] == ok.json()["messages"][0]["id"]
    ]
    assert statuses == ["sent", "delivered", "read"]
    sent = [s for s in receiver.statuses() if s["status"] == "sent"][0]
    assert sent["pricing"]["category"] == "marketing"


def test_an_authentication_body_has_no_text_of_its_own(cloud: Api) -> None:
    """Meta writes an authentication template's text; the body only carries
    ``add_security_recommendation`` (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates)."""
    components = [
        {"type": "BODY", "add_security_recommendation": True},
        {"type": "FOOTER", "code_expiration_minutes": 10},
        {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
    ]
    template = {"name": "login_code", "language": "en_US", "components": components}
    created = cloud.http.post(
        "/v1/configs/templates", json={**template, "category": "AUTHENTICATION"}
    )
    assert created.status_code == 200, created.text
    refused = cloud.http.post(
        "/v1/configs/templates", json={**template, "name": "promo", "category": "MARKETING"}
    )
    assert refused.status_code == 400 and "BODY text is required" in refused.text
    cloud.idle()
    assert _listed(cloud)["waba_templates"][0]["status"] == "APPROVED"
