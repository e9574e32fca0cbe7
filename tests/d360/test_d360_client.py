"""D360Client against httpx.MockTransport: every send body in the payloads, courier's exchanges
replayed, and each endpoint of both generations (paths, headers, bodies, paging, media)."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core.d360.client import DEFAULT_BASE_URL, D360Client, SendResult
from core.d360.errors import (
    AuthenticationError,
    ConnectionFailed,
    D360Error,
    InvalidRequest,
    MediaError,
    PairRateLimited,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    Undeliverable,
    UnexpectedResponse,
)
from tests.d360.helpers import Recorder, all_json, load, make_client
from tests.reference import requires_payloads

KEY = "secret-key-123456"
OK = {
    "messaging_product": "whatsapp",
    "contacts": [{"input": "1", "wa_id": "1"}],
    "messages": [{"id": "wamid.OK"}],
}


def _generation_of(relative: str) -> str:
    name = relative.rsplit("/", 1)[-1]
    return "onprem" if name.startswith(("onprem_", "d360_")) else "cloud"


def _send_requests() -> list[tuple[str, int, str]]:
    """(file, index in file, generation) for every message body a sender must produce."""
    found = []
    for rel in all_json():
        name = rel.rsplit("/", 1)[-1]
        if name.startswith("messages_post_request__") and "typing_indicator" not in name:
            found.append((rel, 0, "cloud"))
        elif rel.startswith("d360-docs/") and name.endswith("send_text__request.json"):
            found.append((rel, 0, _generation_of(rel)))
        elif rel.startswith("d360-docs/") and name.startswith("cloud_send_media"):
            found.append((rel, 0, "cloud"))
        elif name == "cloud_send__interactive_list_request.json" or "/outbound/" in rel:
            found.append((rel, 0, _generation_of(rel)))
        elif "_api_exchange__" in name:
            bodies = load(rel)["expected_request_bodies"]
            for index, body in enumerate(bodies):
                if "blocking" not in body:  # On-Premise contact checks are not messages
                    found.append((rel, index, "onprem" if name.startswith("onprem") else "cloud"))
    return found


SEND_REQUESTS = _send_requests()


def _body(relative: str, index: int) -> dict[str, Any]:
    data = load(relative)
    return data["expected_request_bodies"][index] if "expected_request_bodies" in data else data


@requires_payloads
def test_send_request_discovery() -> None:
    files = {rel for rel, _, _ in SEND_REQUESTS}
    assert len([f for f in files if f.startswith("meta-openapi/")]) == 49
    assert len([f for f in files if "/outbound/" in f]) == 20
    assert len(SEND_REQUESTS) >= 95


@requires_payloads
@pytest.mark.parametrize(("relative", "index", "generation"), SEND_REQUESTS)
def test_every_send_body_reaches_360dialog_unchanged(
    relative: str, index: int, generation: str
) -> None:
    payload = _body(relative, index)
    before = json.dumps(payload, sort_keys=True)
    answer = OK if generation == "cloud" else {"messages": [{"id": "gBEG"}]}
    recorder = Recorder(httpx.Response(201, json=answer))
    with make_client(recorder, generation) as client:
        result = client.send_message(payload)
    request = recorder.last
    assert request.method == "POST"
    assert request.url.path == ("/messages" if generation == "cloud" else "/v1/messages")
    assert request.headers["D360-API-KEY"] == KEY
    assert request.headers["content-type"] == "application/json"
    sent = recorder.last_json()
    if generation == "cloud":
        assert sent == {**payload, "messaging_product": "whatsapp"}
    else:
        assert sent == payload
        assert "messaging_product" not in sent
    assert json.dumps(payload, sort_keys=True) == before, "the caller's payload was modified"
    assert result.message_id in ("wamid.OK", "gBEG")


def test_generation_adapts_the_body() -> None:
    cloud_text = {
        "messaging_product": "whatsapp",
        "to": "34600000000",
        "type": "text",
        "text": {"body": "https://x.es", "preview_url": True},
    }
    recorder = Recorder(httpx.Response(201, json={"messages": [{"id": "gBEG"}]}))
    with make_client(recorder, "onprem") as client:
        client.send_message(cloud_text)
    assert recorder.last_json() == {
        "to": "34600000000",
        "type": "text",
        "preview_url": True,
        "text": {"body": "https://x.es"},
    }
    onprem_text = recorder.last_json()
    recorder = Recorder(httpx.Response(200, json=OK))
    with make_client(recorder, "cloud") as client:
        client.send_message(onprem_text)
    assert recorder.last_json() == cloud_text


def test_onprem_template_namespace() -> None:
    template = {
        "to": "1",
        "type": "template",
        "template": {"name": "revive_issue", "language": {"code": "en"}},
    }
    recorder = Recorder(*(httpx.Response(201, json={"messages": [{"id": "x"}]}),) * 2)
    with make_client(recorder, "onprem") as client:
        client.send_message(template, namespace="waba_namespace")
        assert recorder.last_json()["template"]["namespace"] == "waba_namespace"
        with_own = {**template, "template": {**template["template"], "namespace": "own"}}
        client.send_message(with_own, namespace="waba_namespace")
        assert recorder.last_json()["template"]["namespace"] == "own"


# --- responses ----------------------------------------------------------------------------

SEND_RESPONSES = [
    rel
    for rel in all_json()
    if rel.rsplit("/", 1)[-1].startswith(
        ("messages_post_response_200__", "phone_number_post_response")
    )
    and "typing_indicator" not in rel
] + [
    "meta-docs/cloud_send__interactive_list_response.json",
    "meta-docs/onprem_send_media__response.json",
    "chatwoot/responses/send_success_response.json",
]


@pytest.mark.parametrize("relative", SEND_RESPONSES)
def test_every_send_response_parses(relative: str) -> None:
    body = load(relative)
    result = SendResult.from_response(body)
    assert result.message_id == body["messages"][0]["id"]
    if body.get("contacts"):
        assert result.input == body["contacts"][0]["input"]
        assert result.wa_id == body["contacts"][0]["wa_id"].strip()


def test_send_response_without_id_is_unexpected() -> None:
    for body in ({"messages": []}, {"success": True}, [], None):
        with pytest.raises(UnexpectedResponse):
            SendResult.from_response(body)


# --- courier's exchanges replayed ---------------------------------------------------------

OUTCOMES: dict[str, list[Any]] = {
    # file -> outcome of each /messages or /v1/media answer, in order:
    # a class (raised), or a dict of SendResult fields / {"media_id": ...}
    "courier/d360cloud_api_exchange__error.json": [PermissionDenied],
    "courier/d360cloud_api_exchange__error_channel_contact_pair_limit_hit.json": [PairRateLimited],
    "courier/d360cloud_api_exchange__error_connection.json": [
        ServiceUnavailable,
        UnexpectedResponse,
        InvalidRequest,
    ],
    "courier/d360cloud_api_exchange__error_http_429.json": [RateLimited],
    "courier/d360cloud_api_exchange__error_retryable.json": [MediaError],
    "courier/d360cloud_api_exchange__error_throttled.json": [RateLimited],
    "courier/d360cloud_api_exchange__interactive_button_message_send.json": [{}],
    "courier/d360cloud_api_exchange__interactive_button_message_send_with_image_attachment.json": [
        {}
    ],
    "courier/d360cloud_api_exchange__interactive_list_message_send.json": [{}],
    "courier/d360cloud_api_exchange__interactive_with_form.json": [{}],
    "courier/d360cloud_api_exchange__interactive_with_location_request.json": [{}],
    "courier/d360cloud_api_exchange__interactive_with_url_button.json": [{}],
    "courier/d360cloud_api_exchange__link_sending.json": [{}],
    "courier/d360cloud_api_exchange__plain_send.json": [{}],
    "courier/d360cloud_api_exchange__plain_send_with_user_id_in_response.json": [
        {"user_id": "US.1234", "wa_id": None, "input": "250788123123"}
    ],
    "courier/d360cloud_api_exchange__template_send.json": [{}],
    "courier/d360cloud_api_exchange__template_send_with_attachment.json": [{}],
    "courier/onprem_api_exchange__document_upload_ok.json": [
        {"media_id": "25c484d1-1283-4b94-988d-7276bdec4ef3"},
        {},
    ],
    "courier/onprem_api_exchange__error.json": [PermissionDenied],
    "courier/onprem_api_exchange__error_field.json": [PermissionDenied],
    "courier/onprem_api_exchange__interactive_button_message_send.json": [{}],
    "courier/onprem_api_exchange__interactive_list_message_send.json": [{}],
    "courier/onprem_api_exchange__link_sending.json": [{}],
    "courier/onprem_api_exchange__media_upload_error.json": [AuthenticationError, {}],
    "courier/onprem_api_exchange__media_upload_ok.json": [
        {"media_id": "36c484d1-1283-4b94-988d-7276bdec4de2"},
        {},
    ],
    "courier/onprem_api_exchange__no_message_id.json": [UnexpectedResponse],
    "courier/onprem_api_exchange__plain_send.json": [{}],
    "courier/onprem_api_exchange__rate_limit_engaged.json": [RateLimited],
    "courier/onprem_api_exchange__template_send.json": [{}],
    "courier/onprem_api_exchange__template_send_no_variables.json": [{}],
    "courier/onprem_api_exchange__try_messaging_again_after_whatsapp_contact_check.json": [
        Undeliverable,
        {},
    ],
    "courier/onprem_api_exchange__update_urn_with_wa_id_returned.json": [
        {"wa_id": "551187654321", "input": "5511987654321"}
    ],
    "courier/onprem_api_exchange__whatsapp_contact_error.json": [Undeliverable],
}


@requires_payloads
def test_outcome_table_is_complete() -> None:
    assert sorted(OUTCOMES) == [rel for rel in all_json() if "_api_exchange__" in rel]


@pytest.mark.parametrize("relative", sorted(OUTCOMES))
def test_courier_exchange(relative: str) -> None:
    exchange = load(relative)
    generation = "onprem" if "/onprem_" in relative else "cloud"
    bodies = [b for b in exchange["expected_request_bodies"] if "blocking" not in b]
    answers = [
        a
        for a in exchange["mock_responses_in_order_per_url"]
        if a["url_pattern"].endswith(("/messages", "/v1/media"))
    ]
    outcomes = OUTCOMES[relative]
    assert len(answers) == len(outcomes)
    default_body = {"to": "250788123123", "type": "text", "text": {"body": "Error"}}
    sends = 0
    for answer, outcome in zip(answers, outcomes, strict=True):
        body = answer["body"]
        response = (
            httpx.Response(answer["http_status"], json=body)
            if isinstance(body, dict)
            else httpx.Response(answer["http_status"], text=body)
        )
        recorder = Recorder(response)
        is_media = answer["url_pattern"].endswith("/v1/media")
        payload = bodies[min(sends, len(bodies) - 1)] if bodies else default_body
        with make_client(recorder, generation) as client:

            def call(
                client: D360Client = client,
                is_media: bool = is_media,
                payload: dict[str, Any] = payload,
            ) -> Any:
                if is_media:
                    return client.upload_media(b"media bytes", "video/mp4", "video.mp4")
                return client.send_message(payload)

            if isinstance(outcome, type):
                with pytest.raises(outcome) as caught:
                    call()
                assert type(caught.value) is outcome
            elif "media_id" in outcome:
                assert call() == outcome["media_id"]
            else:
                result = call()
                assert result.message_id == "157b5e14568e8"
                for key, value in outcome.items():
                    assert getattr(result, key) == value
        if not answer["url_pattern"].endswith("/v1/media"):
            if exchange["expected_request_paths"]:
                assert recorder.last.url.path == exchange["expected_request_paths"][0]
            sends += 1


# --- endpoints, both generations ----------------------------------------------------------


def test_mark_read_both_generations() -> None:
    recorder = Recorder(httpx.Response(200, json={"success": True}))
    with make_client(recorder) as client:
        client.mark_read(
            "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA", typing_indicator=True
        )
    assert recorder.last.url.path == "/messages"
    assert recorder.last_json() == load(
        "meta-docs/cloud_mark_read_with_typing_indicator__request.json"
    )
    recorder = Recorder(httpx.Response(200, json={"success": True}))
    with make_client(recorder) as client:
        client.mark_read("wamid.X")
    assert recorder.last_json() == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.X",
    }
    recorder = Recorder(httpx.Response(200))
    with make_client(recorder, "onprem") as client:
        client.mark_read("gBEG/1")
    assert recorder.last.method == "PUT"
    assert recorder.last.url.raw_path == b"/v1/messages/gBEG%2F1"
    assert recorder.last_json() == {"status": "read"}


@pytest.mark.parametrize("generation", ["cloud", "onprem"])
def test_webhook_config(generation: str) -> None:
    echo = load("rapidpro/onprem_api_response__set_webhook_200.json")
    recorder = Recorder(httpx.Response(200, json=echo), httpx.Response(200, json=echo))
    with make_client(recorder, generation) as client:
        assert client.set_webhook("https://inbox.example.com/hook", {"X-Secret": "s"}) == echo
        assert recorder.last.url.path == "/v1/configs/webhook"
        assert recorder.last_json() == {
            "url": "https://inbox.example.com/hook",
            "headers": {"X-Secret": "s"},
        }
        assert client.get_webhook() == echo
        assert recorder.last.method == "GET"
    recorder = Recorder(httpx.Response(200, json={}))
    with make_client(recorder, generation) as client:
        client.set_webhook("https://your-webhook-url")
    assert recorder.last_json() == load("d360-docs/sandbox_set_webhook__request.json")


def test_list_templates_query_and_envelope() -> None:
    listing = load("kairon/partner_api_response__get_templates_filtered.json")
    recorder = Recorder(httpx.Response(200, json=listing))
    with make_client(recorder) as client:
        page = client.list_templates(
            limit=50, sort="business_templates.name", filters={"id": "test_id"}
        )
    query = parse_qs(urlsplit(str(recorder.last.url)).query)
    assert recorder.last.url.path == "/v1/configs/templates"
    assert query == {
        "limit": ["50"],
        "offset": ["0"],
        "sort": ["business_templates.name"],
        "filters": ['{"id":"test_id"}'],
    }
    assert (page.count, page.total, page.limit, page.offset) == (1, 1, 50, 0)
    assert page.templates == listing["waba_templates"]


def test_list_templates_without_counts() -> None:
    listing = load("chatwoot/templates/d360_templates_list.json")
    recorder = Recorder(httpx.Response(200, json=listing))
    with make_client(recorder, "onprem") as client:
        page = client.list_templates()
    assert page.count == len(listing["waba_templates"]) and page.total is None
    assert [t["name"] for t in page.templates][:1] == ["sample_shipping_confirmation"]


def test_iter_templates_pages_until_total() -> None:
    templates = [{"name": f"t{i}"} for i in range(7)]
    seen_offsets = []

    def handler(request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        limit, offset = int(query["limit"][0]), int(query["offset"][0])
        seen_offsets.append(offset)
        chunk = templates[offset : offset + limit]
        return httpx.Response(
            200,
            json={
                "count": len(chunk),
                "limit": limit,
                "offset": offset,
                "total": len(templates),
                "waba_templates": chunk,
                "filters": {},
                "sort": ["id"],
            },
        )

    client = D360Client(None, KEY, transport=httpx.MockTransport(handler))
    assert [t["name"] for t in client.iter_templates(page_size=3)] == [t["name"] for t in templates]
    assert seen_offsets == [0, 3, 6]


def test_iter_templates_without_total_stops_on_short_page() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"waba_templates": [{"name": "a"}, {"name": "b"}]}),
        httpx.Response(200, json={"waba_templates": [{"name": "c"}]}),
    )
    with make_client(recorder) as client:
        assert [t["name"] for t in client.iter_templates(page_size=2)] == ["a", "b", "c"]
    assert len(recorder.requests) == 2


def test_create_and_delete_template() -> None:
    body = load(
        "meta-openapi/templates_post_request__create_template_w_text_header_text_body_text_footer_and_2_quick_reply_buttons.json"
    )
    created = load("meta-openapi/templates_post_response_200__example_response.json")
    recorder = Recorder(httpx.Response(201, json=created), httpx.Response(200, json={}))
    with make_client(recorder) as client:
        assert client.create_template(body) == created
        assert recorder.last.url.path == "/v1/configs/templates"
        assert recorder.last_json() == body
        client.delete_template("order confirmation")
    assert recorder.last.method == "DELETE"
    assert recorder.last.url.raw_path == b"/v1/configs/templates/order%20confirmation"


def test_upload_media_cloud_multipart() -> None:
    recorder = Recorder(
        httpx.Response(200, json=load("kairon/d360cloud_api_response__media_upload_200.json"))
    )
    with make_client(recorder) as client:
        assert client.upload_media(b"\x89PNG...", "image/png", "photo.png") == "abc123"
    request = recorder.last
    assert request.url.path == "/media"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    content = request.content
    assert b'name="messaging_product"\r\n\r\nwhatsapp' in content
    assert b'name="file"; filename="photo.png"' in content
    assert b"Content-Type: image/png" in content and b"\x89PNG..." in content


def test_upload_media_onprem_raw_bytes() -> None:
    recorder = Recorder(httpx.Response(201, json={"media": [{"id": "36c4"}]}))
    with make_client(recorder, "onprem") as client:
        assert client.upload_media(b"%PDF", "application/pdf", "a.pdf") == "36c4"
    assert recorder.last.url.path == "/v1/media"
    assert recorder.last.headers["content-type"] == "application/pdf"
    assert recorder.last.content == b"%PDF"


def test_upload_without_id_is_unexpected() -> None:
    recorder = Recorder(httpx.Response(200, json={}))
    with make_client(recorder) as client, pytest.raises(UnexpectedResponse):
        client.upload_media(b"x", "image/png", "x.png")


def test_download_media_cloud_rewrites_lookaside_host() -> None:
    info = {
        "messaging_product": "whatsapp",
        "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3",
        "mime_type": "image/jpeg",
        "sha256": "abc",
        "file_size": "303833",
        "id": "2621233374848975",
    }
    recorder = Recorder(
        httpx.Response(200, json=info),
        httpx.Response(200, content=b"JPEG", headers={"content-type": "image/jpeg"}),
    )
    with make_client(recorder, base_url="https://waba-v2.360dialog.io/") as client:
        media = client.download_media("2621233374848975")
    first, second = recorder.requests
    assert first.url.path == "/2621233374848975" and first.method == "GET"
    assert str(second.url) == (
        "https://waba-v2.360dialog.io/whatsapp_business/attachments/?mid=1&ext=2&hash=3"
    )
    assert second.headers["D360-API-KEY"] == KEY
    assert (media.content, media.mime_type, media.sha256, media.file_size) == (
        b"JPEG",
        "image/jpeg",
        "abc",
        303833,
    )


def test_download_media_never_sends_the_key_elsewhere() -> None:
    info = load("chatwoot/responses/cloud_media_lookup_response.json")
    recorder = Recorder(httpx.Response(200, json=info), httpx.Response(200, content=b"PNG"))
    with make_client(recorder, base_url="http://sandbox.local:8080") as client:
        client.download_media(info["id"])
    assert str(recorder.last.url) == "http://sandbox.local:8080/sample.png"


def test_download_media_onprem() -> None:
    recorder = Recorder(httpx.Response(200, content=b"OGG", headers={"content-type": "audio/ogg"}))
    with make_client(recorder, "onprem") as client:
        media = client.download_media("b1c68f38-8734-4ad3-b4a1-ef0c10d683")
        with pytest.raises(NotImplementedError):
            client.get_media_info("x")
    assert recorder.last.url.path == "/v1/media/b1c68f38-8734-4ad3-b4a1-ef0c10d683"
    assert (media.content, media.mime_type) == (b"OGG", "audio/ogg")


@pytest.mark.parametrize(
    ("generation", "path", "answer"),
    [
        ("cloud", "/health_status", "d360-docs/cloud_health_status__response_template.json"),
        ("onprem", "/v1/health", "rapidpro/onprem_api_response__health_200.json"),
    ],
)
def test_health(generation: str, path: str, answer: str) -> None:
    recorder = Recorder(httpx.Response(200, json=load(answer)))
    with make_client(recorder, generation) as client:
        assert client.health() == load(answer)
    assert recorder.last.url.path == path


def test_delete_media() -> None:
    recorder = Recorder(httpx.Response(200, json={"success": True}), httpx.Response(200))
    with make_client(recorder) as client:
        client.delete_media("123")
    assert (recorder.last.method, recorder.last.url.path) == ("DELETE", "/123")


def test_errors_are_raised_with_family() -> None:
    gateway = load("d360-docs/gateway_error__invalid_api_key_http401.json")
    recorder = Recorder(httpx.Response(401, json=gateway))
    with make_client(recorder) as client, pytest.raises(AuthenticationError):
        client.health()
    recorder = Recorder(httpx.Response(429, text="", headers={"Retry-After": "12"}))
    with make_client(recorder) as client, pytest.raises(RateLimited) as caught:
        client.get_webhook()
    assert caught.value.retry_after == 12.0


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
def test_transport_errors_become_connection_failed(exc: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    client = D360Client(None, KEY, transport=httpx.MockTransport(handler))
    with pytest.raises(ConnectionFailed) as caught:
        client.send_message({"to": "1", "type": "text", "text": {"body": "hi"}})
    assert caught.value.is_transient
    assert KEY not in str(caught.value)


def test_non_json_success_is_unexpected() -> None:
    recorder = Recorder(httpx.Response(200, text="<html>"))
    with make_client(recorder) as client, pytest.raises(UnexpectedResponse):
        client.get_webhook()


def test_key_never_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(
        httpx.Response(200, json=OK),
        httpx.Response(500, text="boom"),
    )
    client = make_client(recorder)
    assert KEY not in repr(client) and "56" in repr(client)
    assert DEFAULT_BASE_URL in repr(D360Client(None, KEY))
    client.send_message({"to": "1", "type": "text", "text": {"body": "hi"}})
    with pytest.raises(D360Error) as caught:
        client.health()
    assert KEY not in caplog.text
    assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert KEY not in repr(vars(client))


def test_constructor_validates() -> None:
    with pytest.raises(ValueError):
        D360Client(None, "")
    with pytest.raises(ValueError):
        D360Client(None, KEY, "v3")  # type: ignore[arg-type]
    own = D360Client("https://waba.360dialog.io/", KEY, "onprem")
    assert own.base_url == "https://waba.360dialog.io"
    own.close()


def test_send_answer_keeps_message_status_and_the_wa_id_whatsapp_knows() -> None:
    """Meta's send response: ``messages[].message_status`` and a ``contacts[].wa_id`` that may
    not match the input (https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages)."""
    from core.d360.answers import SendResult

    held = SendResult.from_response(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+55 11 98765-4321", "wa_id": "551187654321"}],
            "messages": [{"id": "wamid.x", "message_status": "held_for_quality_assessment"}],
        }
    )
    assert held.message_status == "held_for_quality_assessment"
    assert held.reported_wa_id == "551187654321"
    same = SendResult.from_response(
        {
            "contacts": [{"input": "+34 611 000 999", "wa_id": "34611000999"}],
            "messages": [{"id": "a"}],
        }
    )
    assert same.message_status is None and same.reported_wa_id is None


def test_iter_templates_follows_graph_cursors_until_no_next() -> None:
    """Graph pages: ``paging.next`` only while more follow; the ``after`` cursor asks for them
    (https://developers.facebook.com/docs/graph-api/results). Meta's ``id`` becomes
    ``external_id``."""
    pages = {
        None: {
            "data": [{"id": "111", "name": "a"}, {"id": "222", "name": "b"}],
            "paging": {"cursors": {"before": "b0", "after": "c2"}, "next": "https://x/next"},
        },
        "c2": {
            "data": [{"id": "333", "name": "c"}],
            "paging": {"cursors": {"before": "c2", "after": "c3"}},
        },
    }
    afters = []

    def handler(request: httpx.Request) -> httpx.Response:
        after = parse_qs(request.url.query.decode()).get("after", [None])[0]
        afters.append(after)
        return httpx.Response(200, json=pages[after])

    client = D360Client(None, KEY, transport=httpx.MockTransport(handler))
    templates = list(client.iter_templates(page_size=2))
    assert [(t["name"], t["external_id"]) for t in templates] == [
        ("a", "111"),
        ("b", "222"),
        ("c", "333"),
    ]
    assert afters == [None, "c2"]


def test_a_full_page_without_total_asks_for_the_next() -> None:
    recorder = Recorder(
        httpx.Response(
            200,
            json={
                "offset": 0,
                "limit": 2,
                "count": 2,
                "waba_templates": [{"name": "a"}, {"name": "b"}],
            },
        ),
        httpx.Response(200, json={"offset": 2, "limit": 2, "count": 0, "waba_templates": []}),
    )
    with make_client(recorder) as client:
        assert [t["name"] for t in client.iter_templates(page_size=2)] == ["a", "b"]
    offsets = [parse_qs(urlsplit(str(r.url)).query)["offset"] for r in recorder.requests]
    assert offsets == [["0"], ["2"]]
