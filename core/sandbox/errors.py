"""Error bodies in the three envelopes a 360Dialog client meets.

* Graph (Cloud generation): ``{"error": {"message": "(#131009) …", "type": "OAuthException", …}}``,
  codes and titles from https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/.
* On-premise: ``{"errors": [{"code", "title", "details"}], "meta": {…}}``, codes from
  https://developers.facebook.com/docs/whatsapp/on-premises/errors.
* 360Dialog's own gateway (both generations, e.g. a wrong API key):
  ``{"meta": {"httpCode", "developerMessage", "success": false}}``, worded as on
  https://docs.360dialog.com/docs/useful/api-error-message-list.

Everything inside the sandbox raises :class:`ApiError` with the *Cloud* code; the route layer of
each generation renders it, so a rule is written once and both generations report it faithfully.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.sandbox import ids

ONPREM_VERSION = "2.35.4"
CLOUD_ERRORS_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
# the address on-premise failed statuses carried
ONPREM_ERRORS_HREF = "https://developers.facebook.com/docs/whatsapp/api/errors/"


@dataclass(frozen=True)
class ErrorKind:
    """One entry of Meta's error catalogue, with its on-premise counterpart (``None`` for the
    codes Meta introduced for the Cloud API only: the sandbox produces those on Cloud numbers)."""

    title: str
    http_status: int
    onprem_code: int | None = None
    onprem_title: str | None = None


CATALOGUE: dict[int, ErrorKind] = {
    100: ErrorKind("Invalid parameter", 400, 1009, "Parameter value is not valid"),
    130429: ErrorKind("Rate limit hit", 429, 1015, "Too many requests"),
    131000: ErrorKind("Something went wrong", 500, 1000, "Generic error"),
    131008: ErrorKind("Required parameter is missing", 400, 1008, "Required parameter is missing"),
    131009: ErrorKind("Parameter value is not valid", 400, 1009, "Parameter value is not valid"),
    131014: ErrorKind("Request for url failed", 400),
    131026: ErrorKind("Message undeliverable", 400, 1013, "User is not valid"),
    131047: ErrorKind("Re-engagement message", 400, 470, "Re-engagement message"),
    131049: ErrorKind(
        "This message was not delivered to maintain healthy ecosystem engagement.", 400
    ),
    131050: ErrorKind("User stopped marketing messages", 400),
    131051: ErrorKind("Message type unknown", 400, 1026, "Receiver Incapable"),
    131053: ErrorKind("Media upload error", 400, 1014, "Internal error"),
    131056: ErrorKind(
        "(Business Account, Consumer Account) pair rate limit hit", 429, 1015, "Too many requests"
    ),
    132000: ErrorKind(
        "Number of parameters does not match the expected number of params",
        400,
        2000,
        "Template Param Count Mismatch",
    ),
    132001: ErrorKind(
        "Template name does not exist in the translation", 404, 2001, "Template missing"
    ),
    132012: ErrorKind(
        "Parameter format does not match format in the created template",
        400,
        2012,
        "Template Parameter Format Mismatch",
    ),
    132015: ErrorKind("Template is Paused", 400, 2001, "Template missing"),
    132016: ErrorKind("Template is Disabled", 400, 2001, "Template missing"),
}

# Long descriptions Meta puts in failed-status webhooks (error_data.details).
ASYNC_DETAILS = {
    131047: (
        "Message failed to send because more than 24 hours have passed since the customer last "
        "replied to this number."
    ),
    131026: "Message Undeliverable.",
    131049: (
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
    ),
    131050: (
        "Unable to deliver the message. This recipient has chosen to stop receiving marketing "
        "messages on WhatsApp from your business."
    ),
    131051: "Message type is currently not supported.",
}


class ApiError(Exception):
    """A synchronous API failure, identified by its Cloud error code."""

    def __init__(
        self,
        code: int,
        details: str,
        *,
        http_status: int | None = None,
        subcode: int | None = None,
        title: str | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
    ) -> None:
        super().__init__(f"({code}) {details}")
        self.code = code
        self.details = details
        self.kind = CATALOGUE[code]
        self.http_status = http_status or self.kind.http_status
        self.subcode = subcode
        self.title = title or self.kind.title
        # what Meta writes for the person using the API (GraphAPIError in Meta's OpenAPI)
        self.user_title = user_title
        self.user_msg = user_msg


class GatewayError(Exception):
    """A failure decided by 360Dialog's gateway before Meta is involved (auth, unknown path).

    ``plain`` renders it as ``{"error": "sentence"}``, the shape 360Dialog's Messaging API
    reference gives its own endpoints' errors (e.g. the multi-webhook ones), instead of the
    ``meta`` envelope of its error list.
    """

    def __init__(
        self,
        http_status: int,
        developer_message: str,
        body_code: int | None = None,
        *,
        plain: bool = False,
    ):
        super().__init__(developer_message)
        self.http_status = http_status
        self.developer_message = developer_message
        # 360Dialog answers a wrong key with HTTP 401 but "httpCode": 404 in the body.
        self.body_code = body_code if body_code is not None else http_status
        self.plain = plain


def invalid_api_key() -> GatewayError:
    """What 360Dialog answers to a missing or unknown ``D360-API-KEY``."""
    return GatewayError(401, "Invalid api_key or token expired", body_code=404)


def graph_body(error: ApiError) -> dict[str, Any]:
    """The Graph API error envelope Meta returns (and 360Dialog passes through) on Cloud."""
    body: dict[str, Any] = {
        "message": f"(#{error.code}) {error.title}",
        "type": "OAuthException",
        "code": error.code,
        "error_data": {"messaging_product": "whatsapp", "details": error.details},
        "fbtrace_id": ids.fbtrace_id(),
    }
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    if error.user_title or error.user_msg:
        body.update(
            is_transient=False, error_user_title=error.user_title, error_user_msg=error.user_msg
        )
    return {"error": body}


def onprem_meta() -> dict[str, str]:
    """The ``meta`` block every on-premise response carries."""
    return {"api_status": "stable", "version": ONPREM_VERSION}


def onprem_body(error: ApiError) -> dict[str, Any]:
    """The on-premise error envelope for the same failure."""
    return {
        "errors": [
            {
                "code": error.kind.onprem_code,
                "title": error.kind.onprem_title,
                "details": error.details,
            }
        ],
        "meta": onprem_meta(),
    }


def gateway_body(error: GatewayError) -> dict[str, Any]:
    """360Dialog's own envelope, identical in both generations."""
    if error.plain:
        return {"error": error.developer_message}
    return {
        "meta": {
            "httpCode": error.body_code,
            "developerMessage": error.developer_message,
            "success": False,
        }
    }


def cloud_status_error(
    code: int, details: str | None = None, title: str | None = None
) -> dict[str, Any]:
    """The ``errors[]`` item of a Cloud ``failed`` status webhook (Meta's v16+ shape); also the
    shape of an inbound message's and of a value's ``errors``."""
    kind = CATALOGUE[code]
    return {
        "code": code,
        "title": title or kind.title,
        "message": title or kind.title,
        "error_data": {"details": details or ASYNC_DETAILS.get(code, kind.title)},
        "href": CLOUD_ERRORS_HREF,
    }


def onprem_status_error(code: int) -> dict[str, Any]:
    """The ``errors[]`` item of an on-premise ``failed`` status (legacy: code, title, href)."""
    kind = CATALOGUE[code]
    if kind.onprem_code is None:
        raise ValueError(f"{code} is a Cloud API error; on-premise numbers never report it")
    title = ASYNC_DETAILS[code] if kind.onprem_code == 470 else kind.onprem_title
    return {"code": kind.onprem_code, "title": title, "href": ONPREM_ERRORS_HREF}
