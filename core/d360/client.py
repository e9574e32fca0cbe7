"""The HTTP layer to 360Dialog: ``D360Client``, one method per endpoint, for both generations.

It only speaks HTTP: it builds the request the chosen generation expects, sends it with
the channel's ``D360-API-KEY``, and returns parsed JSON or a small frozen result. It decides
nothing about conversations, windows or retries; every failure is raised as a
``core.d360.errors.D360Error`` subclass so callers can ask ``err.is_transient``. One exception:
360Dialog allows configuration calls (``/v1/configs/…``) only "1 request every N seconds"; when
it says so and N is short, the call waits N seconds and asks once more (``CONFIG_WAIT_LIMIT``),
since the person who clicked is waiting for it anyway.

- ``cloud`` (default, ``https://waba-v2.360dialog.io``): Meta's Cloud API bodies proxied by
  360Dialog — ``/messages``, ``/media``, ``/{media-id}``, ``/health_status``, the number's node
  (``/``) and ``/whatsapp_business_profile``, and Meta's
  Resumable Upload (``/uploads``, ``/upload:…``) for the sample files templates are reviewed with.
- ``onprem`` (legacy, ``https://waba.360dialog.io``): ``/v1/messages``, ``/v1/media``,
  ``/v1/health``; no ``messaging_product``; templates need a ``namespace``.

Both use ``/v1/configs/webhook`` and ``/v1/configs/templates``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import httpx

from core.d360.answers import SendResult, TemplatePage
from core.d360.errors import (
    CloudApiOnly,
    ConnectionFailed,
    D360Error,
    RateLimited,
    UnexpectedResponse,
    error_from_response,
)
from core.d360.transport import transport_for

__all__ = [
    "DEFAULT_BASE_URL",
    "LOOKASIDE_HOST",
    "ONPREM_BASE_URL",
    "D360Client",
    "MediaContent",
    "SendResult",
    "TemplatePage",
]

DEFAULT_BASE_URL = "https://waba-v2.360dialog.io"
ONPREM_BASE_URL = "https://waba.360dialog.io"
LOOKASIDE_HOST = "https://lookaside.fbsbx.com"
"""Meta's media host; 360Dialog serves the same paths on its own host, behind the API key."""

API_KEY_HEADER = "D360-API-KEY"
UPLOAD_PREFIX = "upload:"
PROFILE_PATH = "/whatsapp_business_profile"
UPLOAD_RESUMES = 3
"""Cuts an upload of a sample survives before its failure is the caller's."""

CONFIG_WAIT_LIMIT = 10.0
"""Longest wait (seconds) for 360Dialog's usage limit on a configuration call before asking
again; a longer one is the caller's, with the wait in the error's ``retry_after``
(https://docs.360dialog.com/docs/useful/api-error-message-list)."""

Generation = Literal["cloud", "onprem"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MediaContent:
    content: bytes = field(repr=False)
    mime_type: str | None
    sha256: str | None = None
    file_size: int | None = None


class _Secret:
    """Holds the API key so that no repr, ``vars()`` dump or log line can show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"'…{self._value[-2:]}'" if len(self._value) > 8 else "'…'"

    __str__ = __repr__


class D360Client:
    """A 360Dialog channel (one phone number, one API key), over an httpx transport.

    By default a lean keep-alive transport (``core.d360.transport``; every send is a request and
    httpx's own client cost more than the rest of a send). Pass ``transport`` to share one or to
    inject a ``MockTransport`` in tests; a transport we are given is not closed by us. Use as a
    context manager to close the one we create. Safe to share between threads.
    """

    def __init__(
        self,
        base_url: str | None,
        api_key: str,
        generation: Generation = "cloud",
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        if generation not in ("cloud", "onprem"):
            raise ValueError(f"generation must be 'cloud' or 'onprem', not {generation!r}")
        if not api_key:
            raise ValueError("an API key is required")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.generation: Generation = generation
        self.timeout = timeout
        self._api_key = _Secret(api_key)
        self._owns_transport = transport is None
        self._transport = transport or transport_for(self.base_url)
        # parsed once: every send goes there, and parsing a URL is a third of building a request
        self._messages_url = httpx.URL(self._url("/messages" if self.is_cloud else "/v1/messages"))

    def __repr__(self) -> str:
        return (
            f"D360Client(base_url={self.base_url!r}, generation={self.generation!r}, "
            f"api_key={self._api_key!r})"
        )

    # --- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        if self._owns_transport:
            self._transport.close()

    def __enter__(self) -> D360Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- plumbing -------------------------------------------------------------------------

    @property
    def is_cloud(self) -> bool:
        return self.generation == "cloud"

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        data: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request with the key; raise the matching ``D360Error`` on any failure.

        Only the method and path are logged: never headers (the key), never bodies (customer
        data).
        """
        all_headers = {API_KEY_HEADER: self._api_key.reveal(), "Accept": "application/json"}
        all_headers.update(headers or {})
        request = httpx.Request(
            method,
            url,
            json=json_body,
            content=content,
            files=files,
            data=data,
            params=params,
            headers=all_headers,
            extensions={"timeout": httpx.Timeout(self.timeout).as_dict()},
        )
        path = request.url.path
        try:
            response = self._transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            log.warning("360Dialog %s %s timed out", method, path)
            raise ConnectionFailed(
                f"timed out after {self.timeout:g}s ({type(exc).__name__})"
            ) from exc
        except httpx.TransportError as exc:
            log.warning("360Dialog %s %s failed: %s", method, path, type(exc).__name__)
            raise ConnectionFailed(f"could not reach 360Dialog ({type(exc).__name__})") from exc
        log.debug("360Dialog %s %s -> %s", method, path, response.status_code)
        if not response.is_success:
            raise error_from_response(
                response.status_code, response.content, headers=response.headers
            )
        return response

    _sleep = staticmethod(time.sleep)

    def _configure(self, method: str, path: str, **kwargs: Any) -> Any:
        """A configuration call's JSON answer, asked once more after 360Dialog's usage-limit
        wait when that wait is short."""
        try:
            return self._json(self._request(method, self._url(path), **kwargs))
        except RateLimited as exc:
            if exc.retry_after is None or exc.retry_after > CONFIG_WAIT_LIMIT:
                raise
            log.info(
                "360Dialog %s %s: usage limit, asking again in %gs", method, path, exc.retry_after
            )
            self._sleep(exc.retry_after)
        return self._json(self._request(method, self._url(path), **kwargs))

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError as exc:
            raise UnexpectedResponse(
                "360Dialog answered with something that is not JSON",
                http_status=response.status_code,
                raw=response.text[:200],
            ) from exc

    # --- messages -------------------------------------------------------------------------

    def _message_body(self, payload: Mapping[str, Any], namespace: str | None) -> dict[str, Any]:
        """The payload adapted to the generation; a nested object is copied before it changes,
        so the caller's payload never does, without a deep copy of every send."""
        body = dict(payload)
        text = body.get("text") if isinstance(body.get("text"), Mapping) else None
        if self.is_cloud:
            body["messaging_product"] = "whatsapp"
            # Cloud wants the link-preview flag inside ``text``.
            if text is not None and "preview_url" in body:
                body["text"] = {**text, "preview_url": body.pop("preview_url")}
            return body
        body.pop("messaging_product", None)
        # On-Premise wants it at the top level, beside ``text``.
        if text is not None and "preview_url" in text:
            body["text"] = {key: value for key, value in text.items() if key != "preview_url"}
            body["preview_url"] = text["preview_url"]
        template = body.get("template")
        if isinstance(template, Mapping) and namespace and not template.get("namespace"):
            body["template"] = {**template, "namespace": namespace}
        return body

    def send_message(
        self, payload: Mapping[str, Any], *, namespace: str | None = None
    ) -> SendResult:
        """Send one message (any type) and return its id.

        ``payload`` is a Meta-shaped message (``to``, ``type``, ``<type>: {...}``); it is adapted
        to the generation and never modified. ``namespace`` fills an On-Premise template's
        required namespace when the payload has none.
        """
        body = self._message_body(payload, namespace)
        response = self._request("POST", self._messages_url, json_body=body)
        data = self._json(response)
        # On-Premise can answer 2xx and still carry an ``errors`` array: a failed send.
        if isinstance(data, dict) and data.get("errors"):
            raise error_from_response(response.status_code, data, headers=response.headers)
        return SendResult.from_response(data)

    def mark_read(self, message_id: str, *, typing_indicator: bool = False) -> None:
        """Tell the customer we read their message (blue ticks).

        ``typing_indicator`` (Cloud only) also shows "typing…" until we reply or 25 s pass.
        """
        if self.is_cloud:
            body: dict[str, Any] = {
                "messaging_product": "whatsapp",
                "status": "read",
                "message_id": message_id,
            }
            if typing_indicator:
                body["typing_indicator"] = {"type": "text"}
            self._request("POST", self._messages_url, json_body=body)
        else:
            url = self._url(f"/v1/messages/{quote(message_id, safe='')}")
            self._request("PUT", url, json_body={"status": "read"})

    # --- webhook configuration ------------------------------------------------------------

    def get_webhook(self) -> dict[str, Any]:
        """The URL (and custom headers) 360Dialog posts this number's events to."""
        return self._configure("GET", "/v1/configs/webhook")

    def set_webhook(self, url: str, headers: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Point this number's events at ``url``; ``headers`` are sent with every event (the
        only way to authenticate them: 360Dialog signs nothing)."""
        body: dict[str, Any] = {"url": url}
        if headers:
            body["headers"] = dict(headers)
        return self._configure("POST", "/v1/configs/webhook", json_body=body)

    # --- templates ------------------------------------------------------------------------

    def list_templates(
        self,
        limit: int = 1000,
        offset: int = 0,
        sort: str | list[str] | None = None,
        filters: Mapping[str, Any] | None = None,
        after: str | None = None,
    ) -> TemplatePage:
        """One page of the number's templates (``sort`` like ``business_templates.name``);
        ``after`` is the cursor of a Graph-style answer's next page."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if after:
            params["after"] = after
        if sort:
            params["sort"] = sort if isinstance(sort, str) else ",".join(sort)
        if filters:
            params["filters"] = json.dumps(dict(filters), separators=(",", ":"))
        answer = self._configure("GET", "/v1/configs/templates", params=params)
        return TemplatePage.from_response(answer, limit=limit, offset=offset)

    def iter_template_pages(
        self,
        page_size: int = 250,
        sort: str | list[str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Iterator[TemplatePage]:
        """Every page of the listing, by offset or by Graph's cursor, whichever the answer uses
        (``TemplatePage.has_more`` decides when it ends)."""
        offset, after = 0, None
        while True:
            page = self.list_templates(page_size, offset, sort=sort, filters=filters, after=after)
            yield page
            if not page.has_more(page_size):
                return
            offset, after = offset + len(page.templates), page.after

    def iter_templates(
        self,
        page_size: int = 250,
        sort: str | list[str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every template, page by page."""
        for page in self.iter_template_pages(page_size, sort=sort, filters=filters):
            yield from page.templates

    def create_template(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Submit a template for Meta's review; answers the stored template (status pending)."""
        return self._configure("POST", "/v1/configs/templates", json_body=dict(body))

    def delete_template(self, name: str) -> dict[str, Any]:
        """Delete every language of the template called ``name``."""
        return self._configure("DELETE", f"/v1/configs/templates/{quote(name, safe='')}")

    # --- media ----------------------------------------------------------------------------

    def upload_media(self, content: bytes, mime_type: str, filename: str) -> str:
        """Upload a file to send later by id; returns the media id."""
        if self.is_cloud:
            response = self._request(
                "POST",
                self._url("/media"),
                files={"file": (filename, content, mime_type)},
                data={"messaging_product": "whatsapp"},
            )
            data = self._json(response)
            media_id = data.get("id") if isinstance(data, dict) else None
        else:
            response = self._request(
                "POST",
                self._url("/v1/media"),
                content=content,
                headers={"Content-Type": mime_type},
            )
            data = self._json(response)
            media = data.get("media") if isinstance(data, dict) else None
            first = media[0] if isinstance(media, list) and media else {}
            media_id = first.get("id") if isinstance(first, dict) else None
        if not isinstance(media_id, str) or not media_id:
            raise UnexpectedResponse("the upload was accepted but no media id came back", raw=data)
        return media_id

    def get_media_info(self, media_id: str) -> dict[str, Any]:
        """Cloud only: ``url``, ``mime_type``, ``sha256``, ``file_size`` of an uploaded file."""
        if not self.is_cloud:
            raise NotImplementedError("On-Premise has no media-info endpoint; use download_media")
        return self._json(self._request("GET", self._url(f"/{quote(media_id, safe='')}")))

    def media_download_url(self, url: str) -> str:
        """Where to fetch a Cloud media ``url`` through 360Dialog.

        Meta's ``https://lookaside.fbsbx.com`` host is replaced by our base URL, as 360Dialog
        documents. Any other host is replaced too (keeping path and query), so the API key is
        only ever sent to 360Dialog.
        """
        if url.startswith(LOOKASIDE_HOST):
            return self.base_url + url[len(LOOKASIDE_HOST) :]
        if url.startswith(self.base_url + "/"):
            return url
        parts = urlsplit(url)
        log.warning(
            "media url on unexpected host %s; fetching its path from 360Dialog", parts.netloc
        )
        return f"{self.base_url}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    def download_media(self, media_id: str) -> MediaContent:
        """The bytes of a file a customer sent (or that we uploaded)."""
        if self.is_cloud:
            info = self.get_media_info(media_id)
            url = info.get("url") if isinstance(info, dict) else None
            if not isinstance(url, str) or not url:
                raise UnexpectedResponse("the media info has no url", raw=info)
            response = self._request("GET", self.media_download_url(url))
            size = info.get("file_size")
            return MediaContent(
                content=response.content,
                mime_type=info.get("mime_type") or _content_type(response),
                sha256=info.get("sha256"),
                file_size=int(size)
                if isinstance(size, int | str) and str(size).isdigit()
                else None,
            )
        response = self._request("GET", self._url(f"/v1/media/{quote(media_id, safe='')}"))
        return MediaContent(content=response.content, mime_type=_content_type(response))

    def delete_media(self, media_id: str) -> None:
        path = (
            f"/{quote(media_id, safe='')}"
            if self.is_cloud
            else f"/v1/media/{quote(media_id, safe='')}"
        )
        self._request("DELETE", self._url(path))

    # --- media samples (Meta's Resumable Upload, Cloud only) ---------------------------------
    # https://docs.360dialog.com/docs/messaging-api/api-reference/media-uploads proxies
    # https://developers.facebook.com/docs/graph-api/guides/upload with the API key for the token.

    def start_upload(self, file_name: str, file_length: int, file_type: str) -> str:
        """Open an upload session for a file of ``file_length`` bytes; returns its ``upload:…`` id."""
        self._require_cloud("the Resumable Upload")
        params = {"file_name": file_name, "file_length": file_length, "file_type": file_type}
        data = self._json(self._request("POST", self._url("/uploads"), params=params))
        session_id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(session_id, str) or not session_id:
            raise UnexpectedResponse("the upload session was opened but has no id", raw=data)
        # 360Dialog's reference shows the id with and without Meta's prefix; the path needs it
        return session_id if session_id.startswith(UPLOAD_PREFIX) else UPLOAD_PREFIX + session_id

    def upload_bytes(self, session_id: str, content: bytes, file_offset: int = 0) -> dict[str, Any]:
        """Send ``content``, the file's bytes from ``file_offset`` on; once the file is whole the
        answer carries its handle (``{"h": …}``)."""
        self._require_cloud("the Resumable Upload")
        headers = {"file_offset": str(file_offset), "Content-Type": "application/octet-stream"}
        response = self._request(
            "POST", self._url(f"/{session_id}"), content=content, headers=headers
        )
        data = self._json(response)
        return data if isinstance(data, dict) else {}

    def upload_offset(self, session_id: str) -> int:
        """How many bytes of the session's file 360Dialog has: where to resume after a cut."""
        self._require_cloud("the Resumable Upload")
        data = self._json(self._request("GET", self._url(f"/{session_id}")))
        offset = _offset_in(data)
        if offset is None:
            raise UnexpectedResponse("the upload session answered without its offset", raw=data)
        return offset

    def upload_sample(self, content: bytes, mime_type: str, filename: str) -> str:
        """Upload a template's sample file whole and return its handle (``example.header_handle``).

        A cut midway (a transient failure) is resumed where 360Dialog says the file got to, as
        Meta's guide describes, rather than sent again from the start.
        """
        session_id = self.start_upload(filename, len(content), mime_type)
        offset, cuts = 0, 0
        while True:
            try:
                answer = self.upload_bytes(session_id, content[offset:], offset)
            except D360Error as error:
                cuts += 1
                if not error.is_transient or cuts > UPLOAD_RESUMES:
                    raise
                offset = self.upload_offset(session_id)
                continue
            handle = answer.get("h")
            if isinstance(handle, str) and handle:
                return handle
            reached = _offset_in(answer)
            if reached is None or not offset < reached <= len(content):
                raise UnexpectedResponse("the upload ended without a handle", raw=answer)
            offset = reached

    def _require_cloud(self, feature: str) -> None:
        if not self.is_cloud:
            raise CloudApiOnly(f"{feature} exists only on the Cloud API")

    # --- health ---------------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """Whether the number can send (Cloud ``health_status``) / the API is up (On-Premise)."""
        path = "/health_status" if self.is_cloud else "/v1/health"
        return self._json(self._request("GET", self._url(path)))

    # --- the number's own fields and its business profile (Cloud only) -------------------------
    # 360Dialog drops the phone-number id from Meta's paths, so Meta's phone-number node
    # (GET /{phone-number-id}?fields=...) is the base's root and its business profile is
    # /whatsapp_business_profile
    # (https://docs.360dialog.com/docs/waba-management/set-whatsapp-profile-information).

    def phone_number(self, fields: Sequence[str]) -> dict[str, Any]:
        """The number's fields asked for (quality rating, messaging limit, name status…)."""
        self._require_cloud("the phone number's fields")
        data = self._json(self._request("GET", self._url("/"), params={"fields": ",".join(fields)}))
        return data if isinstance(data, dict) else {}

    def business_profile(self, fields: Sequence[str]) -> dict[str, Any]:
        """The business profile's fields asked for (Meta answers them in ``data[0]``)."""
        self._require_cloud("the business profile")
        params = {"fields": ",".join(fields)}
        data = self._json(self._request("GET", self._url(PROFILE_PATH), params=params))
        return data if isinstance(data, dict) else {}

    def update_business_profile(self, changes: Mapping[str, Any]) -> None:
        """Change the fields given (``profile_picture_handle`` for the photo); others stay."""
        self._require_cloud("the business profile")
        body = {"messaging_product": "whatsapp", **changes}
        self._request("POST", self._url(PROFILE_PATH), json_body=body)


def _offset_in(data: object) -> int | None:
    """The ``file_offset`` of an upload session's answer, when it has a usable one."""
    value = data.get("file_offset") if isinstance(data, dict) else None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _content_type(response: httpx.Response) -> str | None:
    value = response.headers.get("content-type", "").strip()
    return value or None
