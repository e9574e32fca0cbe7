"""Authentication templates: submitted without body text, Meta writes it
(https://docs.360dialog.com/docs/resources/authentication-messages/copy-code-authentication-templates;
Meta's OpenAPI example "create authentication template w/ OTP copy code button")."""

from __future__ import annotations

from typing import Any

from tests.testdata import load

from .conftest import CLOUD_NUMBER, CUSTOMER, Api, Receiver
from .test_cloud_api import graph_code


def _listed(api: Api, name: str) -> dict[str, Any]:
    listing = api.http.get("/v1/configs/templates").json()["waba_templates"]
    return next(t for t in listing if t["name"] == name)


def test_copy_code_template_without_body_text_is_approved_with_metas_text(cloud: Api) -> None:
    cloud.control("PUT", "/review", json={"policy": "rules", "delay_seconds": 0})
    template = load("templates/authentication_copy_code.json")
    created = cloud.http.post("/v1/configs/templates", json=template)
    assert created.status_code == 200, created.text
    cloud.idle()
    listed = _listed(cloud, template["name"])
    assert listed["status"] == "APPROVED"
    body, footer = listed["components"][0], listed["components"][1]
    assert body["text"] == (
        "{{1}} is your verification code. For your security, do not share this code."
    )
    assert footer["text"] == "This code expires in 10 minutes."


def test_the_code_is_the_body_parameter_when_sent(cloud: Api, receiver: Receiver) -> None:
    template = load("templates/authentication_copy_code.json")
    cloud.http.post("/v1/configs/templates", json=template).raise_for_status()
    cloud.control(
        "POST",
        f"/accounts/{CLOUD_NUMBER}/templates/{template['name']}/status",
        json={"status": "APPROVED"},
    ).raise_for_status()
    code = {"type": "text", "text": "482913"}
    message = {
        "to": CUSTOMER,
        "type": "template",
        "template": {
            "name": template["name"],
            "language": {"code": template["language"]},
            "components": [
                {"type": "body", "parameters": [code]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [code]},
            ],
        },
    }
    assert cloud.send(message).status_code == 200
    without_code = {**message, "template": {**message["template"], "components": []}}
    assert graph_code(cloud.send(without_code)) == 132000
