"""Media: Cloud upload, lookup, lookaside download after the host rewrite, delete; inbound media."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

from .conftest import CLOUD_NUMBER, Api, Receiver
from .test_cloud_api import graph_code

LOOKASIDE = "https://lookaside.fbsbx.com"


def _download(api: Api, url: str):
    """What 360Dialog's docs tell clients to do: swap the lookaside host for the base URL."""
    assert url.startswith(LOOKASIDE + "/whatsapp_business/attachments/?")
    return api.http.get(url.replace(LOOKASIDE, api.base_url))


def test_upload_lookup_download_delete(cloud: Api) -> None:
    data = b"%PDF-1.4 invoice"
    upload = cloud.http.post(
        "/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("invoice.pdf", data, "application/pdf")},
    )
    assert upload.status_code == 200
    media_id = upload.json()["id"]
    assert list(upload.json()) == ["id"] and media_id.isdigit()
    info = cloud.http.get(f"/{media_id}").json()
    assert info["messaging_product"] == "whatsapp"
    assert info["id"] == media_id
    assert info["mime_type"] == "application/pdf"
    assert info["sha256"] == hashlib.sha256(data).hexdigest()
    assert info["file_size"] == str(len(data))
    query = parse_qs(urlsplit(info["url"]).query)
    assert set(query) == {"mid", "ext", "hash"} and query["mid"] == [media_id]
    download = _download(cloud, info["url"])
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert cloud.http.delete(f"/{media_id}").json() == {"success": True}
    gone = cloud.http.get(f"/{media_id}")
    assert gone.status_code == 400 and graph_code(gone) == 100
    assert _download(cloud, info["url"]).status_code == 404


def test_upload_errors(cloud: Api) -> None:
    no_product = cloud.http.post("/media", files={"file": ("a.png", b"x", "image/png")})
    assert graph_code(no_product) == 100
    no_file = cloud.http.post("/media", data={"messaging_product": "whatsapp"})
    assert graph_code(no_file) == 100
    exe = cloud.http.post(
        "/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("a.exe", b"MZ", "application/x-msdownload")},
    )
    assert graph_code(exe) == 100


def test_download_needs_the_right_key_and_a_fresh_url(cloud: Api, server) -> None:
    upload = cloud.http.post(
        "/media",
        data={"messaging_product": "whatsapp"},
        files={"file": ("a.png", b"png bytes", "image/png")},
    )
    url = cloud.http.get(f"/{upload.json()['id']}").json()["url"]
    other = Api(server.base_url, "onprem-key", "x")
    assert other.http.get(url.replace(LOOKASIDE, server.base_url)).status_code == 404
    assert cloud.http.get(url.replace(LOOKASIDE, server.base_url) + "x").status_code == 404
    cloud.advance(301)
    assert _download(cloud, url).status_code == 404


def test_customer_media_is_downloadable_like_any_media(cloud: Api, receiver: Receiver) -> None:
    photo = b"\x89PNG\r\n\x1a\n customer photo"
    cloud.customer_says(
        type="image",
        caption="mira",
        mime_type="image/png",
        data_base64=base64.b64encode(photo).decode(),
    )
    cloud.idle()
    [message] = receiver.messages()
    image = message["image"]
    assert image["caption"] == "mira"
    assert image["sha256"] == base64.b64encode(hashlib.sha256(photo).digest()).decode()
    info = cloud.http.get(f"/{image['id']}").json()
    assert _download(cloud, info["url"]).content == photo
    page_copy = cloud.control("GET", f"/accounts/{CLOUD_NUMBER}/media/{image['id']}")
    assert page_copy.content == photo
