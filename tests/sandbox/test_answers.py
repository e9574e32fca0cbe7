"""Every answer the sandbox gives on request, each as 360Dialog or Meta documents it.

Meta's error codes: https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/;
pricing: https://developers.facebook.com/docs/whatsapp/pricing; health status:
https://docs.360dialog.com/docs/messaging/health-status; 360Dialog's gateway errors:
https://docs.360dialog.com/docs/useful/api-error-message-list.
"""

from __future__ import annotations

from typing import Any

from .conftest import CLOUD_NUMBER, CUSTOMER, ONPREM_NUMBER, Api, Receiver, approved_template
from .test_cloud_api import graph_code
from .test_uploads import _handle

CUSTOMER_PATH = f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}"


def _marketing_send(api: Api, name: str = "promo") -> str:
    approved_template(api, name, "Ofertas de hoy")
    response = api.send(
        {"to": CUSTOMER, "type": "template", "template": {"name": name, "language": {"code": "es"}}}
    )
    assert response.status_code == 200, response.text
    return response.json()["messages"][0]["id"]


def _statuses_of(receiver: Receiver, wamid: str) -> list[dict[str, Any]]:
    return [s for s in receiver.statuses() if s["id"] == wamid]


def test_meta_131050_when_the_customer_stopped_marketing_messages(
    cloud: Api, receiver: Receiver
) -> None:
    cloud.control("PATCH", CUSTOMER_PATH, json={"stopped_marketing": True}).raise_for_status()
    wamid = _marketing_send(cloud)
    cloud.idle()
    (failed,) = _statuses_of(receiver, wamid)
    assert failed["status"] == "failed"
    assert failed["errors"][0]["code"] == 131050
    assert "stop receiving marketing messages" in failed["errors"][0]["error_data"]["details"]


def test_meta_131049_per_user_marketing_limit_arrives_as_a_failed_status(
    cloud: Api, receiver: Receiver
) -> None:
    cloud.control("PATCH", CUSTOMER_PATH, json={"marketing_limited": True}).raise_for_status()
    wamid = _marketing_send(cloud)
    cloud.idle()
    (failed,) = _statuses_of(receiver, wamid)
    assert failed["errors"][0]["code"] == 131049
    assert "healthy ecosystem engagement" in failed["errors"][0]["title"]


def test_meta_131049_for_the_accounts_share_of_marketing_sends(
    cloud: Api, receiver: Receiver
) -> None:
    """Meta's per-user marketing limit depends on what other businesses sent the person, so a
    business meets it as a share of its marketing sends (per-user-limits page)."""
    account = f"/accounts/{CLOUD_NUMBER}"
    cloud.control("PATCH", account, json={"marketing_limit_share": 1}).raise_for_status()
    refused = _marketing_send(cloud)
    cloud.control("PATCH", account, json={"marketing_limit_share": 0}).raise_for_status()
    delivered = _marketing_send(cloud, "promo_dos")
    cloud.idle()
    (failed,) = _statuses_of(receiver, refused)
    assert failed["errors"][0]["code"] == 131049
    assert [s["status"] for s in _statuses_of(receiver, delivered)][:2] == ["sent", "delivered"]


def test_the_marketing_limits_spare_other_messages(cloud: Api, receiver: Receiver) -> None:
    cloud.control("PATCH", CUSTOMER_PATH, json={"stopped_marketing": True, "marketing_limited": 1})
    cloud.customer_says(type="text", text="hola")
    wamid = cloud.text(CUSTOMER).json()["messages"][0]["id"]
    cloud.idle()
    assert [s["status"] for s in _statuses_of(receiver, wamid)] == ["sent", "delivered", "read"]


def test_meta_131014_a_media_link_that_answers_404(cloud: Api, receiver: Receiver) -> None:
    url = "https://files.example.com/missing.jpg"
    cloud.control("PUT", "/web", json={"url": url, "status": 404}).raise_for_status()
    cloud.customer_says(type="text", text="hola")
    wamid = cloud.send({"to": CUSTOMER, "type": "image", "image": {"link": url}}).json()
    cloud.idle()
    (failed,) = _statuses_of(receiver, wamid["messages"][0]["id"])
    assert failed["errors"][0]["code"] == 131014
    # as 360Dialog delivered it in courier's published webhook
    assert (
        failed["errors"][0]["title"] == f"Request for url {url} failed with error: 404 (Not Found)"
    )


def test_meta_131053_a_media_link_that_serves_no_media(cloud: Api, receiver: Receiver) -> None:
    url = "https://files.example.com/page.pdf"
    cloud.control("PUT", "/web", json={"url": url, "content_type": "text/html"})
    cloud.customer_says(type="text", text="hola")
    body = {"to": CUSTOMER, "type": "document", "document": {"link": url, "filename": "a.pdf"}}
    wamid = cloud.send(body).json()["messages"][0]["id"]
    cloud.idle()
    (failed,) = _statuses_of(receiver, wamid)
    assert failed["errors"][0]["code"] == 131053
    assert "text/html" in failed["errors"][0]["error_data"]["details"]


def test_meta_131051_unsupported_message_as_in_metas_openapi_example(
    cloud: Api, receiver: Receiver
) -> None:
    cloud.customer_says(type="unsupported")
    cloud.idle()
    (message,) = receiver.messages()
    assert message["type"] == "unsupported"
    assert "unsupported" not in message
    assert message["errors"] == [
        {
            "code": 131051,
            "title": "Message type unknown",
            "message": "Message type unknown",
            "error_data": {"details": "Message type is currently not supported."},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }
    ]


def test_unsupported_messages_are_a_cloud_api_webhook(onprem: Api) -> None:
    response = onprem.control(
        "POST",
        f"/accounts/{ONPREM_NUMBER}/customers/{CUSTOMER}/messages",
        json={"type": "unsupported"},
    )
    assert response.status_code == 400


def test_meta_errors_webhook_value_level_130429(cloud: Api, receiver: Receiver) -> None:
    answer = cloud.control("POST", f"/accounts/{CLOUD_NUMBER}/errors", json={"code": 130429})
    assert answer.status_code == 201, answer.text
    cloud.idle()
    (body,) = receiver.bodies()
    value = body["entry"][0]["changes"][0]["value"]
    assert value["metadata"]["display_phone_number"] == CLOUD_NUMBER
    assert value["errors"][0]["code"] == 130429
    assert value["errors"][0]["title"] == "Rate limit hit"
    assert "messages" not in value and "statuses" not in value


def test_meta_pricing_per_message_pmp_with_type_and_no_conversation(
    cloud: Api, receiver: Receiver
) -> None:
    cloud.control("PATCH", f"/accounts/{CLOUD_NUMBER}", json={"pricing_model": "PMP"})
    wamid = _marketing_send(cloud)
    cloud.customer_says(type="text", text="hola")
    reply = cloud.text(CUSTOMER).json()["messages"][0]["id"]
    cloud.idle()
    sent = _statuses_of(receiver, wamid)[0]
    assert sent["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "type": "regular",
        "category": "marketing",
    }
    assert "conversation" not in sent
    reply_sent = _statuses_of(receiver, reply)[0]
    assert reply_sent["pricing"]["type"] == "free_customer_service"
    assert reply_sent["pricing"]["category"] == "service"


def test_pricing_model_must_be_one_meta_has(cloud: Api) -> None:
    response = cloud.control("PATCH", f"/accounts/{CLOUD_NUMBER}", json={"pricing_model": "X"})
    assert response.status_code == 400


def test_360dialog_usage_limit_one_configuration_call_every_n_seconds(cloud: Api) -> None:
    cloud.control("PATCH", f"/accounts/{CLOUD_NUMBER}", json={"config_calls_every_seconds": 5})
    assert cloud.http.get("/v1/configs/webhook").status_code == 200
    refused = cloud.http.get("/v1/configs/templates")
    assert refused.status_code == 400
    assert refused.json() == {
        "meta": {
            "httpCode": 400,
            "developerMessage": "You have exceeded the limit of 1 request every 5 seconds. "
            "Try again later.",
            "success": False,
        }
    }
    cloud.customer_says(type="text", text="hola")
    assert cloud.text(CUSTOMER).status_code == 200  # messages are not configuration calls
    cloud.advance(5)
    assert cloud.http.get("/v1/configs/templates").status_code == 200


def test_360dialog_gateway_error_bodies_are_plain_sentences(cloud: Api) -> None:
    refusal = {"status": 409, "error": "Webhook already exists", "path": "/v1/configs/"}
    queued = cloud.control("PUT", "/gateway", json={"refuse_next": [refusal]})
    assert queued.json() == {"refuse_next": [refusal]}
    cloud.customer_says(type="text", text="hola")
    assert cloud.text(CUSTOMER).status_code == 200  # not under the refusal's path
    refused = cloud.http.get("/v1/configs/webhook")
    assert (refused.status_code, refused.json()) == (409, {"error": "Webhook already exists"})
    assert cloud.http.get("/v1/configs/webhook").status_code == 200  # one refusal, one call


def test_360dialog_health_status_limited_and_blocked_with_reasons(cloud: Api) -> None:
    # the reasons of Meta's OpenAPI examples
    cloud.control(
        "PUT",
        f"/accounts/{CLOUD_NUMBER}/health/business",
        json={
            "can_send_message": "LIMITED",
            "errors": [
                {
                    "error_code": 141010,
                    "error_description": "The Business has not passed business verification.",
                    "possible_solution": "Visit business settings and start or resolve the "
                    "business verification request.",
                }
            ],
        },
    ).raise_for_status()
    health = cloud.http.get("/health_status").json()["health_status"]
    assert health["can_send_message"] == "LIMITED"
    business = next(e for e in health["entities"] if e["entity_type"] == "BUSINESS")
    assert business["errors"][0]["error_code"] == 141010
    blocked = cloud.control(
        "PUT",
        f"/accounts/{CLOUD_NUMBER}/health/WABA",
        json={
            "can_send_message": "BLOCKED",
            "errors": [
                {
                    "error_code": 141006,
                    "error_description": "There is an error with the payment method.",
                }
            ],
        },
    )
    assert blocked.json()["health_status"]["can_send_message"] == "BLOCKED"
    cloud.control(
        "PUT", f"/accounts/{CLOUD_NUMBER}/health/WABA", json={"can_send_message": "AVAILABLE"}
    )
    assert cloud.http.get("/health_status").json()["health_status"]["can_send_message"] == "LIMITED"
    wrong = cloud.control(
        "PUT", f"/accounts/{CLOUD_NUMBER}/health/WABA", json={"can_send_message": "MAYBE"}
    )
    assert wrong.status_code == 400


def test_meta_132012_a_media_header_filled_with_text(cloud: Api) -> None:
    approved_template(
        cloud,
        "with_picture",
        "Mira esto",
        components=[
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [_handle(cloud)]}}
        ],
    )
    response = cloud.send(
        {
            "to": CUSTOMER,
            "type": "template",
            "template": {
                "name": "with_picture",
                "language": {"code": "es"},
                "components": [
                    {"type": "header", "parameters": [{"type": "text", "text": "not a picture"}]}
                ],
            },
        }
    )
    assert response.status_code == 400
    assert graph_code(response) == 132012


def test_meta_132012_named_parameters_for_a_positional_template(cloud: Api) -> None:
    approved_template(
        cloud, "numbered", "Hola {{1}}", body_extra={"example": {"body_text": [["Ana"]]}}
    )
    response = cloud.send(
        {
            "to": CUSTOMER,
            "type": "template",
            "template": {
                "name": "numbered",
                "language": {"code": "es"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [{"type": "text", "parameter_name": "name", "text": "Ana"}],
                    }
                ],
            },
        }
    )
    assert graph_code(response) == 132012
