"""D360Client's Resumable Upload against a fake 360Dialog: the three calls as documented, the
handle of a whole file, a cut resumed from the offset 360Dialog reports, and what is not resumed."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from core.d360.client import UPLOAD_RESUMES, D360Client
from core.d360.errors import CloudApiOnly, ConnectionFailed, InvalidRequest, UnexpectedResponse
from tests.d360.helpers import Recorder, make_client

KEY = "secret-key-123456"
FILE = bytes(range(200))


class Uploads:
    """360Dialog's upload calls, keeping the bytes that arrived; ``cuts`` lists, per bytes request,
    how many of its bytes arrive before the connection drops (``None``: all, and an answer)."""

    def __init__(self, *cuts: int | None, session_id: str = "upload:abc") -> None:
        self.cuts = list(cuts)
        self.session_id = session_id
        self.received = b""
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["D360-API-KEY"] == KEY
        if request.url.path == "/uploads":
            return httpx.Response(200, json={"id": self.session_id})
        if request.method == "GET":
            return httpx.Response(200, json={"id": "upload:abc", "file_offset": len(self.received)})
        assert int(request.headers["file_offset"]) == len(self.received)
        cut = self.cuts.pop(0) if self.cuts else None
        self.received += request.content[:cut]
        if cut is not None:
            raise httpx.RemoteProtocolError("connection closed by peer", request=request)
        return httpx.Response(200, json={"h": "4:aGFuZGxl:aW1hZ2UvcG5n:token"})

    def kinds(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def client(fake: Uploads) -> D360Client:
    return D360Client("https://waba-v2.360dialog.io", KEY, transport=httpx.MockTransport(fake))


def test_the_three_calls_as_360dialog_documents_them() -> None:
    fake = Uploads()
    with client(fake) as d360:
        session_id = d360.start_upload("otoño.png", len(FILE), "image/png")
        assert session_id == "upload:abc"
        assert d360.upload_offset(session_id) == 0
        answer = d360.upload_bytes(session_id, FILE, 0)
    start, offset, upload = fake.requests
    assert (start.method, start.url.path) == ("POST", "/uploads")
    assert parse_qs(urlsplit(str(start.url)).query) == {
        "file_name": ["otoño.png"],
        "file_length": ["200"],
        "file_type": ["image/png"],
    }
    assert (offset.method, offset.url.path) == ("GET", "/upload:abc")
    assert (upload.method, upload.url.path) == ("POST", "/upload:abc")
    assert upload.headers["file_offset"] == "0" and upload.content == FILE
    assert answer == {"h": "4:aGFuZGxl:aW1hZ2UvcG5n:token"}


def test_a_session_id_without_metas_prefix_gets_it() -> None:
    with client(Uploads(session_id="abc")) as d360:
        assert d360.start_upload("a.png", 1, "image/png") == "upload:abc"


def test_a_sample_comes_back_as_its_handle() -> None:
    fake = Uploads()
    with client(fake) as d360:
        assert d360.upload_sample(FILE, "image/png", "a.png") == "4:aGFuZGxl:aW1hZ2UvcG5n:token"
    assert fake.kinds() == ["POST /uploads", "POST /upload:abc"]
    assert fake.received == FILE


def test_a_cut_upload_resumes_from_the_offset_360dialog_reports() -> None:
    fake = Uploads(70, 50)
    with client(fake) as d360:
        handle = d360.upload_sample(FILE, "image/png", "a.png")
    assert handle.startswith("4:") and fake.received == FILE
    assert fake.kinds() == [
        "POST /uploads",
        *["POST /upload:abc", "GET /upload:abc"] * 2,
        "POST /upload:abc",
    ]
    sent = [r for r in fake.requests if r.method == "POST" and r.url.path != "/uploads"]
    assert [r.headers["file_offset"] for r in sent] == ["0", "70", "120"]
    assert [len(r.content) for r in sent] == [200, 130, 80]


def test_an_upload_cut_again_and_again_gives_up() -> None:
    fake = Uploads(*[1] * (UPLOAD_RESUMES + 1))
    with client(fake) as d360, pytest.raises(ConnectionFailed):
        d360.upload_sample(FILE, "image/png", "a.png")
    assert fake.kinds().count("GET /upload:abc") == UPLOAD_RESUMES


def test_a_refusal_is_not_resumed() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"id": "upload:abc"}),
        httpx.Response(400, json={"error": {"message": "(#100) Invalid parameter", "code": 100}}),
    )
    with make_client(recorder) as d360, pytest.raises(InvalidRequest):
        d360.upload_sample(FILE, "image/png", "a.png")
    assert len(recorder.requests) == 2


def test_an_answer_without_a_handle_or_progress_is_unexpected() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"id": "upload:abc"}),
        httpx.Response(200, json={"id": "upload:abc", "file_offset": 0}),
    )
    with make_client(recorder) as d360, pytest.raises(UnexpectedResponse):
        d360.upload_sample(FILE, "image/png", "a.png")


def test_a_partial_answer_goes_on_from_where_it_got() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"id": "upload:abc"}),
        httpx.Response(200, json={"id": "upload:abc", "file_offset": 120}),
        httpx.Response(200, json={"h": "4:done"}),
    )
    with make_client(recorder) as d360:
        assert d360.upload_sample(FILE, "image/png", "a.png") == "4:done"
    assert recorder.last.headers["file_offset"] == "120" and recorder.last.content == FILE[120:]


def test_on_premise_has_no_resumable_upload() -> None:
    recorder = Recorder()
    with make_client(recorder, "onprem") as d360, pytest.raises(CloudApiOnly) as refused:
        d360.upload_sample(FILE, "image/png", "a.png")
    assert refused.value.kind == "cloud_api_only" and not refused.value.is_transient
    assert recorder.requests == []
