"""What happens after a send: status webhooks, the 24-hour window, undeliverable numbers, limits."""

from __future__ import annotations

from .conftest import CLOUD_NUMBER, CUSTOMER, Api, Receiver
from .test_cloud_api import graph_code


def _value(body: dict) -> dict:
    assert body["object"] == "whatsapp_business_account"
    change = body["entry"][0]["changes"][0]
    assert change["field"] == "messages"
    return change["value"]


def test_sent_delivered_read_with_conversation_and_pricing(cloud: Api, receiver: Receiver) -> None:
    cloud.customer_says(type="text", text="hola")
    wamid = cloud.text(CUSTOMER).json()["messages"][0]["id"]
    cloud.idle()
    statuses = [s for s in receiver.statuses() if s["id"] == wamid]
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    sent, delivered, read = statuses
    for status in statuses:
        assert status["recipient_id"] == CUSTOMER
        assert status["timestamp"].isdigit()
    assert sent["conversation"]["origin"] == {"type": "service"}
    assert sent["conversation"]["expiration_timestamp"].isdigit()
    assert delivered["conversation"]["id"] == sent["conversation"]["id"]
    assert "expiration_timestamp" not in delivered["conversation"]
    assert sent["pricing"] == {"billable": True, "pricing_model": "CBP", "category": "service"}
    assert "conversation" not in read and "pricing" not in read
    value = _value(receiver.bodies()[-1])
    assert value["metadata"]["display_phone_number"] == CLOUD_NUMBER
    sent_log = cloud.control("GET", f"/accounts/{CLOUD_NUMBER}/sent").json()
    assert sent_log[0]["status"] == "read"
    assert [s["status"] for s in sent_log[0]["statuses"]] == ["sent", "delivered", "read"]


def test_customer_reads_when_auto_read_is_off(cloud: Api, receiver: Receiver) -> None:
    cloud.control("PUT", "/settings", json={"auto_read": False})
    cloud.customer_says(type="text", text="hola")
    wamid = cloud.text(CUSTOMER).json()["messages"][0]["id"]
    cloud.idle()
    assert [s["status"] for s in receiver.statuses()] == ["sent", "delivered"]
    read = cloud.control("POST", f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}/read")
    assert read.json() == {"read": [wamid]}
    cloud.idle()
    assert [s["status"] for s in receiver.statuses()] == ["sent", "delivered", "read"]


def test_free_form_outside_the_window_fails_by_webhook_with_131047(
    cloud: Api, receiver: Receiver
) -> None:
    never_wrote = cloud.text("34699000111")
    assert never_wrote.status_code == 200
    cloud.customer_says(type="text", text="hola")
    cloud.advance(23 * 3600)
    assert cloud.text(CUSTOMER, "still open").status_code == 200
    cloud.advance(2 * 3600)  # 25 h after the customer's last message
    late = cloud.text(CUSTOMER, "too late")
    assert late.status_code == 200
    cloud.idle()
    by_id = {}
    for status in receiver.statuses():
        by_id.setdefault(status["id"], []).append(status)
    first = by_id[never_wrote.json()["messages"][0]["id"]]
    last = by_id[late.json()["messages"][0]["id"]]
    for failed in (first, last):
        assert [s["status"] for s in failed] == ["failed"]
        error = failed[0]["errors"][0]
        assert error["code"] == 131047
        assert error["title"] == "Re-engagement message"
        assert "24 hours" in error["error_data"]["details"]
    windows = cloud.control("GET", f"/accounts/{CLOUD_NUMBER}/customers").json()
    assert {c["wa_id"]: c["window_open"] for c in windows}[CUSTOMER] is False


def test_not_on_whatsapp_fails_with_131026(cloud: Api, receiver: Receiver) -> None:
    patched = cloud.control(
        "PATCH", f"/accounts/{CLOUD_NUMBER}", json={"not_on_whatsapp": ["+34699999999"]}
    )
    assert patched.json()["not_on_whatsapp"] == ["+34699999999"]
    cloud.customer_says(customer="34699999999", type="text", text="hi")
    response = cloud.text("34699999999")
    assert response.status_code == 200
    cloud.idle()
    failed = [s for s in receiver.statuses() if s["status"] == "failed"]
    assert failed[0]["errors"][0]["code"] == 131026


def test_throughput_limit_answers_130429(cloud: Api) -> None:
    cloud.control("PATCH", f"/accounts/{CLOUD_NUMBER}", json={"throughput_mps": 5})
    responses = [cloud.text(f"3461100{i:04d}") for i in range(20)]
    accepted = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert len(accepted) == 5
    assert all(r.status_code == 429 and graph_code(r) == 130429 for r in refused)


def test_pair_limit_answers_131056_and_refills_with_time(cloud: Api) -> None:
    cloud.control(
        "PATCH",
        f"/accounts/{CLOUD_NUMBER}",
        json={"pair_burst": 3, "pair_refill_seconds": 6},
    )
    cloud.customer_says(type="text", text="hola")
    assert [cloud.text(CUSTOMER).status_code for _ in range(3)] == [200, 200, 200]
    refused = cloud.text(CUSTOMER)
    assert refused.status_code == 429
    assert graph_code(refused) == 131056
    assert cloud.text("34611999888").status_code == 200  # other customers are unaffected
    cloud.advance(6)
    assert cloud.text(CUSTOMER).status_code == 200
    assert graph_code(cloud.text(CUSTOMER)) == 131056
