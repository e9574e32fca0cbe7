"""The web as the sandbox's WhatsApp sees it when it fetches a media ``link`` the business sent.

WhatsApp downloads a link itself, after accepting the send, and reports a link it could not use
as a ``failed`` status (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/):

* the server answered an error: 131014, titled with the URL and the answer, as 360Dialog
  delivered it in courier's published webhook (``"Request for url https://URL.jpg failed with
  error: 404 (Not Found)"``);
* the server answered something that is not media (a web page instead of the picture): 131053,
  "Media upload error".

The sandbox does not go on the network: every link works unless a test said otherwise through the
control API (``PUT /sandbox/api/web``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from core.sandbox.media import SUPPORTED, base_mime


@dataclass(frozen=True)
class LinkAnswer:
    """How one URL answers: an HTTP status and, for a success, what it serves."""

    status: int = 200
    content_type: str | None = None

    def failure(self, url: str) -> tuple[int, str, str] | None:
        """(code, title, details) of the failed status this answer leads to, or None."""
        if self.status >= 400:
            try:
                reason = HTTPStatus(self.status).phrase
            except ValueError:
                reason = "Error"
            title = f"Request for url {url} failed with error: {self.status} ({reason})"
            return 131014, title, title
        if self.content_type and base_mime(self.content_type) not in SUPPORTED:
            details = (
                f"Downloading media from weblink failed: {self.content_type} is not a "
                "supported media type."
            )
            return 131053, "Media upload error", details
        return None


class Web:
    """The answers tests have set for particular URLs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, LinkAnswer] = {}

    def set(self, spec: dict[str, Any]) -> None:
        """``{"url", "status"?, "content_type"?}``; status 200 and no content type: a working link."""
        url = spec.get("url")
        if not isinstance(url, str) or not url:
            raise ValueError("'url' is required")
        status = int(spec.get("status", 200))
        if not 100 <= status <= 599:
            raise ValueError("'status' must be an HTTP status")
        content_type = spec.get("content_type")
        with self._lock:
            self._answers[url] = LinkAnswer(status, str(content_type) if content_type else None)

    def failure(self, url: str) -> tuple[int, str, str] | None:
        with self._lock:
            answer = self._answers.get(url)
        return answer.failure(url) if answer else None

    def public(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {
                url: {"status": a.status, "content_type": a.content_type}
                for url, a in self._answers.items()
            }

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
