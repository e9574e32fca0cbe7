"""The Resumable Upload over real HTTP (a cut upload resumed included), and templates refused at
creation when a media sample is not the handle of a whole upload."""

from __future__ import annotations

import base64
import re
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from .conftest import Api
from .test_cloud_api import graph_code

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
HANDLE = re.compile(r"^4:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[\w-]+:e:\d+:\d+:\d+:[\w-]+$")


def _start(api: Api, name: str = "otono.png", data: bytes = PNG, kind: str = "image/png") -> str:
    response = api.http.post(
        "/uploads", params={"file_name": name, "file_length": len(data), "file_type": kind}
    )
    assert response.status_code == 200, response.text
    assert list(response.json()) == ["id"]
    return response.json()["id"]


def _send(api: Api, session_id: str, data: bytes, offset: int = 0) -> httpx.Response:
    return api.http.post(f"/{session_id}", content=data, headers={"file_offset": str(offset)})


def _offset(api: Api, session_id: str) -> int:
    answer = api.http.get(f"/{session_id}").json()
    assert answer["id"] == session_id
    return answer["file_offset"]


def _handle(api: Api, data: bytes = PNG) -> str:
    session_id = _start(api, data=data)
    return _send(api, session_id, data).json()["h"]


def _cut_midway(api: Api, session_id: str, data: bytes, sent: int) -> None:
    """Send the head of a request for every byte, only ``sent`` of them, then cut the connection
    once the sandbox holds them (as a dropped network would, after they arrived)."""
    address = urlsplit(api.base_url)
    head = (
        f"POST /{session_id} HTTP/1.1\r\nHost: {address.netloc}\r\n"
        f"D360-API-KEY: {api.http.headers['D360-API-KEY']}\r\nfile_offset: 0\r\n"
        f"Content-Length: {len(data)}\r\n\r\n"
    ).encode()
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(head + data[:sent])
        deadline = time.monotonic() + 5
        while _offset(api, session_id) < sent:
            assert time.monotonic() < deadline, "the sandbox never received the first bytes"
            time.sleep(0.01)


def test_a_file_uploaded_in_one_piece_answers_a_handle(cloud: Api) -> None:
    session_id = _start(cloud)
    assert session_id.startswith("upload:")
    assert _offset(cloud, session_id) == 0
    answer = _send(cloud, session_id, PNG)
    assert answer.status_code == 200 and list(answer.json()) == ["h"]
    handle = answer.json()["h"]
    assert HANDLE.match(handle), handle
    _, name, kind, *_ = handle.split(":")
    assert base64.b64decode(name) == b"otono.png" and base64.b64decode(kind) == b"image/png"
    assert _offset(cloud, session_id) == len(PNG)


def test_a_cut_upload_resumes_from_the_offset_reached(cloud: Api) -> None:
    session_id = _start(cloud)
    _cut_midway(cloud, session_id, PNG, sent=300)
    assert _offset(cloud, session_id) == 300
    again_from_zero = _send(cloud, session_id, PNG, offset=0)
    assert again_from_zero.status_code == 400 and graph_code(again_from_zero) == 100
    assert "file_offset must be 300" in again_from_zero.json()["error"]["error_data"]["details"]
    resumed = _send(cloud, session_id, PNG[300:], offset=300)
    assert resumed.status_code == 200 and HANDLE.match(resumed.json()["h"])


def test_a_chunk_short_of_the_whole_file_answers_the_offset_reached(cloud: Api) -> None:
    session_id = _start(cloud)
    assert _send(cloud, session_id, PNG[:100]).json() == {"id": session_id, "file_offset": 100}
    too_long = _send(cloud, session_id, PNG[100:] + b"extra", offset=100)
    assert graph_code(too_long) == 100
    assert "h" in _send(cloud, session_id, PNG[100:], offset=100).json()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"file_length": 10, "file_type": "image/png"}, 400),
        ({"file_name": "a.png", "file_length": "ten", "file_type": "image/png"}, 400),
        ({"file_name": "a.gif", "file_length": 10, "file_type": "image/gif"}, 400),
    ],
)
def test_a_session_needs_a_name_a_length_and_a_type_meta_takes(
    cloud: Api, query: dict[str, Any], status: int
) -> None:
    response = cloud.http.post("/uploads", params=query)
    assert response.status_code == status
    body = response.json()
    if "file_name" not in query:
        assert isinstance(body["error"], str)  # 360Dialog's own answer, before Meta
    else:
        assert graph_code(response) == 100


def test_unknown_sessions_and_on_premise_numbers(cloud: Api, onprem: Api) -> None:
    assert graph_code(cloud.http.get("/upload:nothing-here")) == 100
    assert graph_code(_send(cloud, "upload:nothing-here", b"x")) == 100
    refused = onprem.http.post(
        "/uploads", params={"file_name": "a.png", "file_length": 3, "file_type": "image/png"}
    )
    assert refused.status_code == 404 and refused.json()["meta"]["success"] is False


def _media_template(name: str, handles: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "category": "MARKETING",
        "language": "es",
        "components": [
            {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": handles}},
            {"type": "BODY", "text": "Nuestro catálogo de otoño ya está aquí."},
        ],
    }


def _carousel(name: str, handles: list[str]) -> dict[str, Any]:
    card = {"components": [{"type": "BODY", "text": "Oferta"}]}
    return {
        "name": name,
        "category": "MARKETING",
        "language": "es",
        "components": [
            {"type": "BODY", "text": "Mira nuestras ofertas."},
            {
                "type": "CAROUSEL",
                "cards": [
                    {
                        "components": [
                            {
                                "type": "HEADER",
                                "format": "IMAGE",
                                "example": {"header_handle": [handle]},
                            },
                            *card["components"],
                        ]
                    }
                    for handle in handles
                ],
            },
        ],
    }


def _status_of(api: Api, name: str) -> str:
    listed = api.http.get("/v1/configs/templates").json()["waba_templates"]
    return next(t["status"] for t in listed if t["name"] == name)


def test_templates_with_handles_of_whole_uploads_are_approved(cloud: Api) -> None:
    created = cloud.http.post(
        "/v1/configs/templates", json=_media_template("otono", [_handle(cloud)])
    )
    assert created.status_code == 200, created.text
    carousel = _carousel("ofertas", [_handle(cloud), _handle(cloud)])
    assert cloud.http.post("/v1/configs/templates", json=carousel).status_code == 200
    cloud.idle()
    assert (_status_of(cloud, "otono"), _status_of(cloud, "ofertas")) == ("APPROVED", "APPROVED")


def _refusal(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400 and graph_code(response) == 100
    error = response.json()["error"]
    assert error["error_subcode"] == 2494102 and error["is_transient"] is False
    assert error["error_user_title"] == "Uploaded Media Handle Is Invalid"
    assert error["error_user_msg"] == (
        "Check the handle provided for the uploaded media in the request."
    )
    return error


def test_a_sample_that_is_not_a_handle_of_a_whole_upload_is_refused_at_creation(
    cloud: Api,
) -> None:
    media_id = cloud.http.post(
        "/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("otono.png", PNG, "image/png")},
    ).json()["id"]
    incomplete = _start(cloud)
    _send(cloud, incomplete, PNG[:10])
    samples = {
        media_id: "is a media id",
        "4:bm9wZQ==:aW1hZ2UvcG5n:made-up:e:1:2:3:x": "not a handle",
        incomplete: "not complete (10 of",
    }
    for sample, words in samples.items():
        error = _refusal(
            cloud.http.post("/v1/configs/templates", json=_media_template("t", [sample]))
        )
        assert words in error["error_data"]["details"]
    _refusal(
        cloud.http.post("/v1/configs/templates", json=_carousel("c", [_handle(cloud), media_id]))
    )
    assert cloud.http.get("/v1/configs/templates").json()["waba_templates"] == []
