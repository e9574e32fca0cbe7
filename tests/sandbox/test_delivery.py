"""Webhook delivery: retries with backoff, 302 not followed, and the injectable faults."""

from __future__ import annotations

from core.sandbox import SandboxServer

from .conftest import CLOUD_KEY, CLOUD_NUMBER, CUSTOMER, Api, Receiver, make_config


def _deliveries(api: Api, **query: str) -> list[dict]:
    return api.control("GET", "/deliveries", params=query).json()


def test_retries_until_the_receiver_answers_2xx(cloud: Api, receiver: Receiver) -> None:
    receiver.fail_next = 2
    cloud.customer_says(type="text", text="hola")
    cloud.idle()
    assert len(receiver.messages()) == 1
    [delivery] = _deliveries(cloud, kind="message")
    assert delivery["state"] == "delivered"
    outcomes = [(a["outcome"], a["status_code"]) for a in delivery["attempts"]]
    assert outcomes == [("http_error", 500), ("http_error", 500), ("delivered", 200)]
    # Backoff grows: each wait is at least the policy's delay for that attempt (0.02 s, then
    # 0.04 s here). The gaps themselves also hold the failed attempt's own round trip, so on a
    # busy machine a later gap may be the shorter one; comparing gaps would test the machine.
    times = [a["at"] for a in delivery["attempts"]]
    base = make_config().webhook_retry_base
    assert times[1] - times[0] >= base and times[2] - times[1] >= 2 * base, times


def test_redirects_are_not_followed(cloud: Api, receiver: Receiver) -> None:
    receiver.fail_next, receiver.fail_status = 1, 302
    cloud.customer_says(type="text", text="hola")
    cloud.idle()
    [delivery] = _deliveries(cloud, kind="message")
    assert delivery["attempts"][0]["outcome"] == "redirect"
    assert delivery["attempts"][0]["status_code"] == 302
    assert delivery["state"] == "delivered"
    assert [r.path for r in receiver.received] == ["/hook"]


def test_gives_up_after_the_configured_attempts(receiver: Receiver) -> None:
    with SandboxServer(make_config(webhook_max_attempts=3)) as server:
        api = Api(server.base_url, CLOUD_KEY, CLOUD_NUMBER)
        api.set_webhook(receiver.url)
        receiver.fail_next = 10
        api.customer_says(type="text", text="hola")
        api.idle()
        [delivery] = _deliveries(api)
        assert delivery["state"] == "abandoned"
        assert len(delivery["attempts"]) == 3
        assert receiver.messages() == []


def test_injected_dropped_deliveries_are_retried(cloud: Api, receiver: Receiver) -> None:
    cloud.control("PUT", "/faults", json={"fail_next_deliveries": 2, "fail_mode": "drop"})
    cloud.customer_says(type="text", text="hola")
    cloud.idle()
    assert len(receiver.messages()) == 1  # never reached the receiver before the retry
    [delivery] = _deliveries(cloud)
    outcomes = [a["outcome"] for a in delivery["attempts"]]
    assert outcomes == ["injected_drop", "injected_drop", "delivered"]
    assert cloud.control("GET", "/faults").json()["fail_next_deliveries"] == 0


def test_injected_errors_reach_the_receiver_twice(cloud: Api, receiver: Receiver) -> None:
    cloud.control("PUT", "/faults", json={"fail_next_deliveries": 1, "fail_mode": "error"})
    sent = cloud.customer_says(type="text", text="hola")
    cloud.idle()
    assert [m["id"] for m in receiver.messages()] == [sent["id"], sent["id"]]


def test_duplicates(cloud: Api, receiver: Receiver) -> None:
    cloud.control("PUT", "/faults", json={"duplicates": True})
    sent = cloud.customer_says(type="text", text="hola")
    cloud.idle()
    assert [m["id"] for m in receiver.messages()] == [sent["id"], sent["id"]]
    assert len(_deliveries(cloud)) == 2


def test_reordered_statuses(cloud: Api, receiver: Receiver) -> None:
    cloud.control("PUT", "/faults", json={"reorder": True})
    cloud.customer_says(type="text", text="hola")
    wamid = cloud.text(CUSTOMER).json()["messages"][0]["id"]
    cloud.idle()
    order = [s["status"] for s in receiver.statuses() if s["id"] == wamid]
    assert sorted(order) == ["delivered", "read", "sent"]
    assert order != ["sent", "delivered", "read"]
    sent = cloud.control("GET", f"/accounts/{CLOUD_NUMBER}/sent").json()
    assert sent[0]["status"] == "read"  # the stored state never moves backwards


def test_no_webhook_configured_means_nothing_is_sent(server: SandboxServer) -> None:
    api = Api(server.base_url, CLOUD_KEY, CLOUD_NUMBER)
    api.customer_says(type="text", text="hola")
    api.idle()
    assert [d["state"] for d in _deliveries(api)] == ["no_webhook"]


def test_bad_fault_settings_are_refused(cloud: Api) -> None:
    assert cloud.control("PUT", "/faults", json={"fail_mode": "explode"}).status_code == 400


def test_reset_forgets_history_but_keeps_accounts(cloud: Api, receiver: Receiver) -> None:
    cloud.customer_says(type="text", text="hola")
    cloud.control("PUT", "/faults", json={"duplicates": True})
    cloud.idle()
    assert cloud.control("POST", "/reset").json() == {"reset": True}
    assert _deliveries(cloud) == []
    assert cloud.control("GET", "/faults").json()["duplicates"] is False
    conversation = cloud.control("GET", f"/accounts/{CLOUD_NUMBER}/customers/{CUSTOMER}/messages")
    assert conversation.json()["messages"] == []
    assert cloud.http.get("/v1/configs/webhook").json()["url"] == receiver.url
