"""Every failure 360Dialog or WhatsApp can report, as one exception class per family.

Callers decide what to do by asking the exception, never by comparing codes:
``err.is_transient`` (retry later) and ``err.retry_after`` (how long to wait, when known). An
error carries WhatsApp's code, its family's ``kind``, the provider's title and details, and no
words for people: those are chosen where the error is shown, in the reader's language
(``core.failures.describe_error``). Three error envelopes exist and all end up here:

- Graph (Cloud API): ``{"error": {"message", "code", "error_data": {"details"}, ...}}``
- On-Premise: ``{"errors": [{"code", "title", "details"}]}``
- 360Dialog's own gateway: ``{"meta": {"httpCode"|"http_code", "developerMessage"|...}}``

A code decides the class when we know it; otherwise the gateway's wording, then the HTTP status.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

__all__ = [
    "AccountProblem",
    "AuthenticationError",
    "CloudApiOnly",
    "ConnectionFailed",
    "D360Error",
    "InvalidRequest",
    "MarketingLimited",
    "MarketingStopped",
    "MediaError",
    "PairRateLimited",
    "PermissionDenied",
    "RateLimited",
    "ServiceUnavailable",
    "TemplateError",
    "UnexpectedResponse",
    "Undeliverable",
    "WabaDisabled",
    "WindowClosed",
    "class_for_code",
    "error_from_response",
    "error_from_webhook",
]


class D360Error(Exception):
    """A failure reported by 360Dialog/WhatsApp (or on the way to them).

    ``code`` is WhatsApp's numeric code when the body carried one (``None`` for gateway errors and
    unreadable bodies); ``title`` the provider's short text; ``details`` its longer explanation;
    ``http_status`` the HTTP status of the response (``None`` for webhook errors).
    ``user_title`` and ``user_message`` are what Meta wrote for the person using the API
    (Graph's ``error_user_title`` / ``error_user_msg``): when Meta refuses a template they name
    what to fix, which neither the code nor the family can.
    """

    kind: ClassVar[str] = "unknown"
    """Names the family: kept with a stored failure, and what its words are looked up by."""
    transient: ClassVar[bool] = False
    """Whether trying the same request again later can succeed."""
    default_retry_after: ClassVar[float | None] = None

    def __init__(
        self,
        title: str = "",
        *,
        code: int | None = None,
        details: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
        is_transient: bool | None = None,
        user_title: str | None = None,
        user_message: str | None = None,
        raw: Any = None,
    ) -> None:
        self.code = code
        self.title = title or ""
        self.details = details or None
        self.http_status = http_status
        self.retry_after = retry_after if retry_after is not None else self.default_retry_after
        # Graph may flag an error transient on its own (``"is_transient": true``); we trust that
        # over the family default, but never let it make a transient family permanent.
        self.is_transient: bool = self.transient or bool(is_transient)
        self.user_title = user_title or None
        self.user_message = user_message or None
        self.raw = raw
        super().__init__(self._summary())

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep every attribute when pickled (e.g. handed to a worker process); the default
        # would rebuild the exception from its message alone.
        return (type(self), (self.title,), self.__dict__.copy())

    def _summary(self) -> str:
        parts = []
        if self.code is not None:
            parts.append(f"[{self.code}]")
        if self.http_status is not None:
            parts.append(f"(HTTP {self.http_status})")
        parts.append(self.title or self.kind)
        text = " ".join(parts)
        return f"{text}: {self.details}" if self.details else text

    def __str__(self) -> str:
        return self._summary()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, title={self.title!r}, "
            f"http_status={self.http_status!r}, is_transient={self.is_transient!r})"
        )


class AuthenticationError(D360Error):
    """The API key is wrong, expired or revoked: nothing will work until it is replaced."""

    kind = "authentication"


class PermissionDenied(D360Error):
    """The key is valid but may not do this (blocked path, policy block, locked account)."""

    kind = "permission"


class RateLimited(D360Error):
    """Too many requests or messages in a short time; slow down and retry."""

    kind = "rate_limited"
    transient = True


class PairRateLimited(RateLimited):
    """Too many messages to the same customer in a short time (about one every 6 seconds)."""

    kind = "pair_rate_limited"
    default_retry_after = 6.0


class WindowClosed(D360Error):
    """More than 24 hours since the customer last wrote: only a template can be sent."""

    kind = "window_closed"


class Undeliverable(D360Error):
    """WhatsApp cannot deliver to this person (not on WhatsApp, blocked, opted out…)."""

    kind = "undeliverable"


class MarketingLimited(Undeliverable):
    """WhatsApp held back a marketing template so as not to overwhelm this customer (131049).

    Meta caps how many marketing templates one person receives from all businesses; the cap
    lifts on its own, so a later try can succeed, but an immediate one fails again
    (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/,
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits).
    Hence transient, with a day as the least wait.
    """

    kind = "marketing_limited"
    transient = True
    default_retry_after = 24 * 3600.0


class MarketingStopped(Undeliverable):
    """The customer told WhatsApp to stop this business's marketing messages (131050): no
    marketing template reaches them until they allow it again in WhatsApp
    (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/)."""

    kind = "stopped_marketing"


class InvalidRequest(D360Error):
    """The request itself is wrong (missing or invalid parameter); retrying won't help."""

    kind = "invalid_request"


class TemplateError(D360Error):
    """The template is missing, not approved, paused, or its parameters don't fit."""

    kind = "template"


class MediaError(D360Error):
    """A file could not be uploaded, downloaded or used."""

    kind = "media"


class ServiceUnavailable(D360Error):
    """WhatsApp or 360Dialog is down or overloaded for a moment; retry later."""

    kind = "service_unavailable"
    transient = True


class ConnectionFailed(D360Error):
    """We could not reach 360Dialog at all (network error, DNS, timeout)."""

    kind = "connection"
    transient = True


class AccountProblem(D360Error):
    """The WhatsApp account or number itself has a problem (payment, registration, deleted)."""

    kind = "account"


class WabaDisabled(AccountProblem):
    """360Dialog has disabled the WhatsApp Business API for this account."""

    kind = "waba_disabled"


class UnexpectedResponse(D360Error):
    """A success status whose body lacks what the endpoint promises (e.g. no message id)."""

    kind = "unexpected_response"


class CloudApiOnly(D360Error):
    """The call exists only on the Cloud API generation, and the channel is On-Premise."""

    kind = "cloud_api_only"


def _codes(*items: int | range) -> Iterable[int]:
    for item in items:
        if isinstance(item, range):
            yield from item
        else:
            yield item


# One table, code -> family. Cloud (Graph) and On-Premise codes do not collide in practice; where
# both generations use a number (e.g. 429, 400) the On-Premise meaning is the one listed.
_FAMILIES: dict[type[D360Error], tuple[int | range, ...]] = {
    AuthenticationError: (0, 190, 104, 1005, 1024, 401),
    PermissionDenied: (10, range(200, 300), 368, 130497, 131005, 131031, 1031, 403),
    RateLimited: (4, 17, 32, 613, 80007, 130429, 131048, 133016, 429, 471, 1015, 132069),
    PairRateLimited: (131056,),
    WindowClosed: (131047, 470),
    Undeliverable: (131026, 130472, 1006, 1007, 1013, 1026, 472, 408, 410),
    MarketingLimited: (131049,),
    MarketingStopped: (131050,),
    InvalidRequest: (
        100,
        131008,
        131009,
        131021,
        131030,
        131051,
        135000,
        1001,
        1002,
        1004,
        1008,
        1009,
        1010,
        1021,
        1022,
        1025,
    ),
    TemplateError: (
        132000,
        132001,
        132005,
        132007,
        132008,
        132012,
        132015,
        132016,
        132068,
        range(2000, 2015),
    ),
    MediaError: (131052, 131053, 131014, 400),
    ServiceUnavailable: (1, 2, 3, 131000, 131016, 131057, 1000, 1011, 1014, 1016, 1023, 500),
    AccountProblem: (803, 131042, 131045, 133010, 402, 430, 432, 433),
}
_BY_CODE: dict[int, type[D360Error]] = {
    code: family for family, items in _FAMILIES.items() for code in _codes(*items)
}

# 360Dialog's gateway errors carry no code, only a sentence
# (https://docs.360dialog.com/docs/support/api-error-message-list).
_GATEWAY_WORDING: tuple[tuple[re.Pattern[str], type[D360Error]], ...] = (
    (re.compile(r"invalid api[_ ]?key|token expired", re.I), AuthenticationError),
    (re.compile(r"has been disabled|api disabled", re.I), WabaDisabled),
    (
        re.compile(r"exceeded the (endpoint )?(rate )?limit|usage limit|rate limit", re.I),
        RateLimited,
    ),
    (re.compile(r"lack of payment", re.I), AccountProblem),
    (re.compile(r"is blocked|permission denied", re.I), PermissionDenied),
    (re.compile(r"internal server error|not available", re.I), ServiceUnavailable),
)


def class_for_code(code: int | None) -> type[D360Error] | None:
    """The family of a WhatsApp/On-Premise error code, or ``None`` when we don't know it."""
    return _BY_CODE.get(code) if code is not None else None


def family_for_kind(kind: str) -> type[D360Error] | None:
    """The family whose ``kind`` this is (what a stored failure names), or ``None``."""
    return _BY_KIND.get(kind)


def _with_subfamilies(family: type[D360Error]) -> list[type[D360Error]]:
    return [family] + [each for sub in family.__subclasses__() for each in _with_subfamilies(sub)]


_BY_KIND = {family.kind: family for family in _with_subfamilies(D360Error)}


def _class_for_status(status: int | None) -> type[D360Error]:
    if status is None:
        return D360Error
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDenied
    if status == 429:
        return RateLimited
    if status in (408, 425) or 500 <= status <= 599:
        return ServiceUnavailable
    if 400 <= status <= 499:
        return InvalidRequest
    return D360Error


def _resolve(code: int | None, wording: str | None, status: int | None) -> type[D360Error]:
    family = class_for_code(code)
    if family is not None:
        return family
    if wording:
        for pattern, cls in _GATEWAY_WORDING:
            if pattern.search(wording):
                return cls
    return _class_for_status(status)


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return json.dumps(value, ensure_ascii=False)


_CODE_PREFIX = re.compile(r"^\(#\d+\)\s*")
_EVERY_SECONDS = re.compile(r"every\s+(\d+(?:\.\d+)?)\s+seconds?", re.I)


def _retry_after_header(headers: Mapping[str, str] | None) -> float | None:
    if not headers:
        return None
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def _decode(body: bytes | str | dict | list | None) -> tuple[Any, str | None]:
    """The parsed JSON body (or ``None``) and the raw text when it was not JSON."""
    if body is None or isinstance(body, dict | list):
        return body, None
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text), None
    except ValueError:
        return None, text


def error_from_response(
    status_code: int,
    body: bytes | str | dict | None,
    *,
    headers: Mapping[str, str] | None = None,
) -> D360Error:
    """Turn an unsuccessful HTTP answer from 360Dialog into the right exception (not raised).

    Accepts the three JSON envelopes and anything else (HTML error pages, empty bodies). A 2xx
    status may be passed too: On-Premise sometimes answers 200 with an ``errors`` array.
    """
    data, text = _decode(body)
    retry_after = _retry_after_header(headers)
    status = status_code

    if isinstance(data, dict) and "error" in data:
        err = data["error"]
        if isinstance(err, dict):
            code = _as_int(err.get("code"))
            message = _as_text(err.get("message")) or ""
            error_data = err.get("error_data") if isinstance(err.get("error_data"), dict) else {}
            details = _as_text(error_data.get("details")) or _as_text(err.get("error_user_msg"))
            cls = _resolve(code, message, status)
            return cls(
                _CODE_PREFIX.sub("", message) or _as_text(err.get("error_user_title")) or "",
                code=code,
                details=details,
                http_status=status,
                retry_after=retry_after,
                is_transient=err.get("is_transient") is True,
                user_title=_as_text(err.get("error_user_title")),
                user_message=_as_text(err.get("error_user_msg")),
                raw=data,
            )
        # 360Dialog's own gateway also answers ``{"error": "sentence"}`` (its Messaging API
        # reference, e.g. the multi-webhook endpoints): the sentence is all there is to go by.
        message = _as_text(err) or ""
        cls = _resolve(None, message, status)
        return cls(
            message,
            http_status=status,
            retry_after=retry_after or _usage_limit_wait(cls, message),
            raw=data,
        )

    if isinstance(data, dict) and isinstance(data.get("errors"), list) and data["errors"]:
        first = data["errors"][0] if isinstance(data["errors"][0], dict) else {}
        return _from_error_object(first, http_status=status, retry_after=retry_after, raw=data)

    if isinstance(data, dict) and isinstance(data.get("meta"), dict):
        meta = data["meta"]
        message = _as_text(meta.get("developerMessage") or meta.get("developer_message")) or ""
        inner = _as_int(meta.get("httpCode") if "httpCode" in meta else meta.get("http_code"))
        # The real status wins: the documented invalid-key answer is a 401 saying httpCode 404.
        effective = status if status >= 400 else inner
        cls = _resolve(None, message, effective)
        return cls(
            message,
            http_status=status,
            retry_after=retry_after or _usage_limit_wait(cls, message),
            raw=data,
        )

    snippet = (text or "").strip()[:200] or None
    return _class_for_status(status)(
        snippet or f"HTTP {status}", http_status=status, retry_after=retry_after, raw=data or text
    )


def _usage_limit_wait(cls: type[D360Error], sentence: str) -> float | None:
    """Seconds named by 360Dialog's usage limit, "You have exceeded the limit of 1 request every
    5 seconds" (https://docs.360dialog.com/docs/useful/api-error-message-list)."""
    if not issubclass(cls, RateLimited):
        return None
    match = _EVERY_SECONDS.search(sentence)
    return float(match.group(1)) if match else None


def _from_error_object(
    obj: Mapping[str, Any],
    *,
    http_status: int | None = None,
    retry_after: float | None = None,
    raw: Any = None,
) -> D360Error:
    code = _as_int(obj.get("code"))
    title = _as_text(obj.get("title")) or _as_text(obj.get("message")) or ""
    error_data = obj.get("error_data") if isinstance(obj.get("error_data"), dict) else {}
    details = _as_text(obj.get("details")) or _as_text(error_data.get("details"))
    if details is None:
        message = _as_text(obj.get("message"))
        details = message if message and message != title else None
    cls = _resolve(code, title, http_status)
    return cls(
        title,
        code=code,
        details=details,
        http_status=http_status,
        retry_after=retry_after,
        raw=raw if raw is not None else dict(obj),
    )


def error_from_webhook(error_obj: Mapping[str, Any]) -> D360Error:
    """The exception matching one item of an ``errors`` array inside a webhook.

    Used for failed statuses (``statuses[].errors``), unsupported inbound messages
    (``messages[].errors``) and out-of-band errors (``value.errors`` / On-Premise ``errors``).
    """
    if not isinstance(error_obj, Mapping):
        return D360Error(_as_text(error_obj) or "", raw=error_obj)
    return _from_error_object(error_obj)
