"""On-premise generation: /v1 paths, flat webhooks, 470 outside the window, its error bodies."""

from __future__ import annotations

import httpx

from .conftest import CUSTOMER, ONPREM_NUMBER, Api, Receiver

META = {"api_status": "stable", "version": "2.35.4"}


def test_send_statuses_and_read(onprem: Api, receiver: Receiver) -> None:
    inbound = onprem.customer_says(type="text", text="hola")
    response = onprem.http.post(
        "/v1/messages", json={"to": CUSTOMER, "type": "text", "text": {"body": "¡Hola!"}}
    )
    assert response.status_code == 201
    message_id = response.json()["messages"][0]["id"]
    assert message_id.startswith("gBEG") and response.json()["meta"] == META
    onprem.idle()
    statuses = [s for s in receiver.statuses() if s["id"] == message_id]
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert all(set(b) == {"statuses"} for b in receiver.bodies()[1:])
    assert statuses[0]["recipient_id"] == CUSTOMER and statuses[0]["type"] == "message"
    assert statuses[0]["pricing"]["pricing_model"] == "CBP"
    read = onprem.http.put(f"/v1/messages/{inbound['id']}", json={"status": "read"})
    assert read.status_code == 200
    assert read.json() == {"meta": META}


def test_outside_window_fails_with_470(onprem: Api, receiver: Receiver) -> None:
    response = onprem.http.post(
        "/v1/messages", json={"to": CUSTOMER, "type": "text", "text": {"body": "hi"}}
    )
    assert response.status_code == 201
    onprem.idle()
    [failed] = receiver.statuses()
    assert failed["status"] == "failed"
    assert failed["errors"][0]["code"] == 470
    assert "24 hours" in failed["errors"][0]["title"]


def test_error_bodies(onprem: Api, server) -> None:
    missing = onprem.http.post("/v1/messages", json={"type": "text", "text": {"body": "x"}})
    assert missing.status_code == 400
    error = missing.json()["errors"][0]
    assert error["code"] == 1008 and error["title"] == "Required parameter is missing"
    assert error["details"]
    too_long = onprem.http.post(
        "/v1/messages", json={"to": CUSTOMER, "type": "text", "text": {"body": "x" * 5000}}
    )
    assert too_long.json()["errors"][0]["code"] == 1009
    unauthorised = httpx.post(server.base_url + "/v1/messages", headers={"D360-API-KEY": "x"})
    assert unauthorised.status_code == 401
    assert unauthorised.json()["meta"]["developerMessage"] == "Invalid api_key or token expired"
    cloud_only = onprem.http.post("/messages", json={})
    assert cloud_only.status_code == 404


def test_templates_need_a_namespace(onprem: Api) -> None:
    created = onprem.http.post(
        "/v1/configs/templates",
        json={
            "name": "aviso",
            "category": "UTILITY",
            "language": "es",
            "components": [{"type": "BODY", "text": "Tu pedido está listo."}],
        },
    )
    namespace = created.json()["namespace"]
    assert created.json()["status"] == "submitted"
    onprem.idle()
    listed = onprem.http.get("/v1/configs/templates").json()["waba_templates"][0]
    assert listed["status"] == "approved"  # 360Dialog's on-premise listings are lowercase
    template = {"name": "aviso", "language": {"policy": "deterministic", "code": "es"}}
    no_namespace = onprem.http.post(
        "/v1/messages", json={"to": CUSTOMER, "type": "template", "template": template}
    )
    assert no_namespace.json()["errors"][0]["code"] == 1008
    ok = onprem.http.post(
        "/v1/messages",
        json={"to": CUSTOMER, "type": "template", "template": {**template, "namespace": namespace}},
    )
    assert ok.status_code == 201


def test_raw_media_round_trip(onprem: Api) -> None:
    upload = onprem.http.post(
        "/v1/media", content=b"\xff\xd8\xff jpeg", headers={"Content-Type": "image/jpeg"}
    )
    assert upload.status_code == 201
    media_id = upload.json()["media"][0]["id"]
    assert len(media_id) == 36
    download = onprem.http.get(f"/v1/media/{media_id}")
    assert download.content == b"\xff\xd8\xff jpeg"
    assert download.headers["content-type"] == "image/jpeg"
    assert onprem.http.delete(f"/v1/media/{media_id}").status_code == 200
    assert onprem.http.get(f"/v1/media/{media_id}").status_code == 404


def test_inbound_media_downloadable(onprem: Api, receiver: Receiver) -> None:
    onprem.customer_says(type="document", filename="f.pdf")
    onprem.idle()
    [message] = receiver.messages()
    download = onprem.http.get(f"/v1/media/{message['document']['id']}")
    assert download.content.startswith(b"%PDF")


def test_health_and_webhook_config(onprem: Api, receiver: Receiver) -> None:
    health = onprem.http.get("/v1/health").json()
    assert health["meta"] == META and health["health"]["gateway_status"] == "connected"
    assert onprem.http.get("/v1/configs/webhook").json()["url"] == receiver.url
    account = onprem.control("GET", f"/accounts/{ONPREM_NUMBER}").json()
    assert account["generation"] == "onprem"
