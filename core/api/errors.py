"""The API's refusals, all answered as ``{"error": {"code", "message"}}``.

A refusal from core (``UserFacingError``) keeps its wording, in the caller's language
(``Accept-Language``), and its key's last part as the code, so a script can branch on
``window_closed`` while a person reads the sentence (and 360Dialog's or Meta's own words when
they explained a refusal).
"""

from __future__ import annotations

from typing import Any

from core.access.auth import PermissionDenied
from core.errors import UserFacingError
from core.paging import InvalidCursor

NOT_FOUND_KEYS = {
    "conversations.error.not_found",
    "templates.error.not_found",
    "campaigns.error.not_found",
    "api.error.message_not_found",
    "hooks.error.not_found",
    "templates.error.no_channel",
}


class ApiError(Exception):
    """A refusal with its HTTP status, code and message."""

    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message}}


def from_exception(exc: Exception, language: str) -> ApiError | None:
    """The API's answer to an exception core raised, or ``None`` for an unexpected one."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, PermissionDenied):
        return ApiError(403, "forbidden", str(exc))
    if isinstance(exc, InvalidCursor):
        return ApiError(400, "invalid_cursor", "This cursor was not given by this API.")
    if isinstance(exc, UserFacingError):
        status = 404 if exc.key in NOT_FOUND_KEYS else 422
        return ApiError(status, exc.key.rsplit(".", 1)[-1], exc.message(language))
    return None


def bad_request(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)
