"""Every error body in the shared payloads maps to the right exception family."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from core.d360.errors import (
    AccountProblem,
    AuthenticationError,
    ConnectionFailed,
    D360Error,
    InvalidRequest,
    MediaError,
    PairRateLimited,
    PermissionDenied,
    RateLimited,
    ServiceUnavailable,
    TemplateError,
    Undeliverable,
    UnexpectedResponse,
    WabaDisabled,
    WindowClosed,
    class_for_code,
    error_from_response,
    error_from_webhook,
)
from core.failures import describe_error
from tests.d360.helpers import all_json, load
from tests.reference import requires_payloads

# Error bodies of API calls: file -> (HTTP status the body came with, expected class).
# HTTP statuses come from the file name or the folder README (chatwoot's Graph error is handled
# as a 400; its 360Dialog one says http_code 400).
RESPONSE_ERRORS: dict[str, tuple[int, type[D360Error]]] = {
    "meta-openapi/phone_number_get_response_400__invalid_fields.json": (400, InvalidRequest),
    "meta-openapi/phone_number_get_response_400__invalid_phone_id.json": (400, InvalidRequest),
    "meta-openapi/phone_number_get_response_400__invalid_version.json": (400, InvalidRequest),
    "meta-openapi/phone_number_get_response_401__expired_token.json": (401, AuthenticationError),
    "meta-openapi/phone_number_get_response_401__invalid_token.json": (401, AuthenticationError),
    "meta-openapi/phone_number_get_response_401__missing_token.json": (401, AuthenticationError),
    "meta-openapi/phone_number_get_response_403__insufficient_permissions.json": (
        403,
        PermissionDenied,
    ),
    "meta-openapi/phone_number_get_response_403__missing_permissions.json": (403, PermissionDenied),
    "meta-openapi/phone_number_get_response_403__not_linked_to_waba.json": (403, PermissionDenied),
    "meta-openapi/phone_number_get_response_404__deleted_phone.json": (404, AccountProblem),
    "meta-openapi/phone_number_get_response_404__phone_not_found.json": (404, AccountProblem),
    "meta-openapi/phone_number_get_response_404__waba_not_found.json": (404, AccountProblem),
    "meta-openapi/phone_number_get_response_422__phone_in_review.json": (422, InvalidRequest),
    "meta-openapi/phone_number_get_response_422__phone_not_registered.json": (422, InvalidRequest),
    "meta-openapi/phone_number_get_response_422__temporarily_unavailable.json": (
        422,
        InvalidRequest,
    ),
    "meta-openapi/phone_number_get_response_429__business_rate_limit.json": (429, RateLimited),
    "meta-openapi/phone_number_get_response_429__rate_limit_exceeded.json": (429, RateLimited),
    "meta-openapi/phone_number_get_response_429__user_rate_limit.json": (429, RateLimited),
    "meta-openapi/phone_number_get_response_500__database_error.json": (500, ServiceUnavailable),
    "meta-openapi/phone_number_get_response_500__internal_error.json": (500, ServiceUnavailable),
    "meta-openapi/phone_number_get_response_500__service_unavailable.json": (
        500,
        ServiceUnavailable,
    ),
    "chatwoot/responses/cloud_error_response.json": (400, InvalidRequest),
    "chatwoot/responses/d360_error_response_from_code_comment.json": (400, InvalidRequest),
    "d360-docs/gateway_error__internal_server_error_http500.json": (500, ServiceUnavailable),
    "d360-docs/gateway_error__invalid_api_key_http401.json": (401, AuthenticationError),
    "d360-docs/gateway_error__path_blocked_http403.json": (403, PermissionDenied),
    "d360-docs/gateway_error__usage_limit_http400.json": (400, RateLimited),
    "d360-docs/gateway_error__waba_disabled_http400.json": (400, WabaDisabled),
    "rapidpro/onprem_api_response__generic_failure_400.json": (400, InvalidRequest),
}

# Error answers inside courier's exchanges: (file, index among its mocked answers) -> class.
EXCHANGE_ERRORS: dict[tuple[str, int], type[D360Error]] = {
    ("courier/d360cloud_api_exchange__error.json", 0): PermissionDenied,  # 250012, HTTP 403
    ("courier/d360cloud_api_exchange__error_channel_contact_pair_limit_hit.json", 0): (
        PairRateLimited
    ),
    ("courier/d360cloud_api_exchange__error_connection.json", 0): ServiceUnavailable,  # 500 text
    ("courier/d360cloud_api_exchange__error_connection.json", 2): InvalidRequest,  # 131009
    ("courier/d360cloud_api_exchange__error_http_429.json", 0): RateLimited,  # 613
    ("courier/d360cloud_api_exchange__error_retryable.json", 0): MediaError,  # 131053
    ("courier/d360cloud_api_exchange__error_throttled.json", 0): RateLimited,  # 130429
    ("courier/onprem_api_exchange__error.json", 0): PermissionDenied,  # 102, HTTP 403
    (
        "courier/onprem_api_exchange__error_field.json",
        0,
    ): PermissionDenied,  # 232 (2xx range) in a 200
    ("courier/onprem_api_exchange__rate_limit_engaged.json", 0): RateLimited,  # 429, no code
    ("courier/onprem_api_exchange__media_upload_error.json", 1): AuthenticationError,  # 1005
    ("courier/onprem_api_exchange__whatsapp_contact_error.json", 0): Undeliverable,  # 1006
    ("courier/onprem_api_exchange__try_messaging_again_after_whatsapp_contact_check.json", 0): (
        Undeliverable
    ),
}

# ``errors`` items inside webhooks: (file, JSON pointer to the array) -> class of its first item.
WEBHOOK_ERRORS: dict[str, type[D360Error]] = {
    "courier/cloud_webhook__error_errors.json": AuthenticationError,  # 0
    "courier/cloud_webhook__error_msg.json": InvalidRequest,  # 131051 unsupported type
    "courier/cloud_webhook__error_status.json": MediaError,  # 131014 link failed
    "meta-docs/cloud_webhook__errors_rate_limit_130429.json": RateLimited,
    "meta-docs/status_failed_receiver_incapable_1026_legacy_shape.json": Undeliverable,
    "meta-openapi/webhook_post_payload__unsupported_message.json": InvalidRequest,
    "chatwoot/cloud_inbound_image_media_download_error.json": MediaError,  # 400
    "chatwoot/d360_inbound_unsupported.json": InvalidRequest,
    "chatwoot/d360_status_failed.json": D360Error,  # code 123 is a test fixture's invention
    "chatwoot/d360_status_deleted_unsupported.json": D360Error,
}

ERROR_NAME = re.compile(r"error|_4\d\d|_5\d\d|failure|rate_limit|pair_limit")


def _exchange_error_answers() -> list[tuple[str, int]]:
    found = []
    for rel in all_json():
        if "_exchange__" not in rel:
            continue
        for index, answer in enumerate(load(rel)["mock_responses_in_order_per_url"]):
            body = answer["body"]
            failed = answer["http_status"] >= 400 or (isinstance(body, dict) and "errors" in body)
            if failed:
                found.append((rel, index))
    return found


def _webhook_error_arrays(value: Any) -> list[dict[str, Any]]:
    """Every ``errors`` array item anywhere in a webhook body."""
    found: list[dict[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "errors" and isinstance(item, list):
                found.extend(x for x in item if isinstance(x, dict))
            else:
                found.extend(_webhook_error_arrays(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_webhook_error_arrays(item))
    return found


@requires_payloads
def test_every_error_file_has_a_row() -> None:
    named = {
        rel
        for rel in all_json()
        if ERROR_NAME.search(rel.rsplit("/", 1)[-1])
        and "_exchange__" not in rel
        and "request" not in rel
    }
    known = set(RESPONSE_ERRORS) | set(WEBHOOK_ERRORS)
    assert named <= known, sorted(named - known)
    assert set(_exchange_error_answers()) == set(EXCHANGE_ERRORS)
    with_errors = {
        rel
        for rel in all_json()
        if "_exchange__" not in rel
        and rel not in RESPONSE_ERRORS
        and _webhook_error_arrays(load(rel))
    }
    assert with_errors == set(WEBHOOK_ERRORS)


@pytest.mark.parametrize(
    ("relative", "status", "expected"),
    [(rel, status, cls) for rel, (status, cls) in RESPONSE_ERRORS.items()],
)
def test_response_error_files(relative: str, status: int, expected: type[D360Error]) -> None:
    body = load(relative)
    for form in (body, json.dumps(body), json.dumps(body).encode()):
        error = error_from_response(status, form)
        assert type(error) is expected
        assert error.http_status == status
        assert describe_error(error, "es") and describe_error(error, "en")
        assert not describe_error(error, "en").startswith("d360.")


@pytest.mark.parametrize(("relative", "index"), sorted(EXCHANGE_ERRORS))
def test_exchange_error_answers(relative: str, index: int) -> None:
    answer = load(relative)["mock_responses_in_order_per_url"][index]
    error = error_from_response(answer["http_status"], answer["body"])
    assert type(error) is EXCHANGE_ERRORS[(relative, index)]


@pytest.mark.parametrize("relative", sorted(WEBHOOK_ERRORS))
def test_webhook_errors(relative: str) -> None:
    items = _webhook_error_arrays(load(relative))
    assert items
    error = error_from_webhook(items[0])
    assert type(error) is WEBHOOK_ERRORS[relative]
    assert error.http_status is None


def test_transient_families() -> None:
    assert RateLimited("x").is_transient and PairRateLimited("x").is_transient
    assert ServiceUnavailable("x").is_transient and ConnectionFailed("x").is_transient
    for cls in (
        AuthenticationError,
        PermissionDenied,
        WindowClosed,
        Undeliverable,
        InvalidRequest,
        TemplateError,
        MediaError,
        AccountProblem,
        WabaDisabled,
        UnexpectedResponse,
    ):
        assert not cls("x").is_transient, cls
    assert PairRateLimited("x").retry_after == 6.0


def test_graph_fields_are_kept() -> None:
    body = {
        "error": {
            "message": "(#131009) Parameter value is not valid",
            "type": "OAuthException",
            "code": 131009,
            "error_data": {"messaging_product": "whatsapp", "details": "to is not a number"},
            "error_subcode": 2494010,
            "fbtrace_id": "Az8or2yhqkZfEZ-_4Qn_Bam",
        }
    }
    error = error_from_response(400, body)
    assert isinstance(error, InvalidRequest)
    assert (error.code, error.title, error.details) == (
        131009,
        "Parameter value is not valid",
        "to is not a number",
    )
    assert error.raw == body
    assert "131009" in str(error)


def test_graph_is_transient_flag_is_honoured() -> None:
    error = error_from_response(
        422, load("meta-openapi/phone_number_get_response_429__user_rate_limit.json")
    )
    assert error.is_transient
    odd = error_from_response(400, {"error": {"message": "x", "code": 100, "is_transient": True}})
    assert isinstance(odd, InvalidRequest) and odd.is_transient


def test_retry_after_from_header_and_gateway_wording() -> None:
    error = error_from_response(429, "slow down", headers={"Retry-After": "30"})
    assert isinstance(error, RateLimited) and error.retry_after == 30.0
    gateway = {
        "meta": {
            "httpCode": 400,
            "developerMessage": "You have exceeded the limit of 1 request every 5 seconds.",
            "success": False,
        }
    }
    assert error_from_response(400, gateway).retry_after == 5.0


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (502, b"<html>Bad Gateway</html>", ServiceUnavailable),
        (503, None, ServiceUnavailable),
        (404, "", InvalidRequest),
        (401, b"", AuthenticationError),
        (418, "[]", InvalidRequest),
        (302, "moved", D360Error),
        (400, {"error": "Invalid api_key"}, AuthenticationError),
        (409, {"error": "Destination already exists"}, InvalidRequest),
        (400, {"errors": [{"code": 2001, "title": "Template missing"}]}, TemplateError),
        (400, {"errors": [{"code": 470, "title": "Re-engagement"}]}, WindowClosed),
        (
            200,
            {"meta": {"http_code": 500, "developer_message": "boom", "success": False}},
            (ServiceUnavailable),
        ),
    ],
)
def test_odd_bodies(status: int, body: Any, expected: type[D360Error]) -> None:
    assert type(error_from_response(status, body)) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (131047, WindowClosed),
        (470, WindowClosed),
        (131056, PairRateLimited),
        (130429, RateLimited),
        (131026, Undeliverable),
        (132000, TemplateError),
        (132016, TemplateError),
        (2014, TemplateError),
        (131052, MediaError),
        (131057, ServiceUnavailable),
        (131000, ServiceUnavailable),
        (250, PermissionDenied),
        (368, PermissionDenied),
        (1015, RateLimited),
        (1026, Undeliverable),
        (999999, None),
        (None, None),
    ],
)
def test_code_table(code: int | None, expected: type[D360Error] | None) -> None:
    assert class_for_code(code) is expected


def test_errors_survive_pickling() -> None:
    import pickle

    error = error_from_response(403, {"error": {"message": "(#131056) pair", "code": 131056}})
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is PairRateLimited
    assert (copy.code, copy.title, copy.http_status, copy.retry_after, copy.is_transient) == (
        131056,
        "pair",
        403,
        6.0,
        True,
    )
    assert str(copy) == str(error)


def test_metas_words_for_the_user_are_kept() -> None:
    """When Meta refuses a template at creation, ``error_user_title`` / ``error_user_msg`` say
    what to fix (Meta's GraphAPIError: https://developers.facebook.com/docs/graph-api/guides/error-handling)."""
    error = error_from_response(
        400,
        {
            "error": {
                "message": "Invalid parameter",
                "type": "OAuthException",
                "code": 100,
                "error_subcode": 2494102,
                "is_transient": False,
                "error_user_title": "Uploaded Media Handle Is Invalid",
                "error_user_msg": "Check the handle provided for the uploaded media in the request.",
                "fbtrace_id": "A1",
            }
        },
    )
    assert type(error) is InvalidRequest and error.code == 100
    assert error.user_title == "Uploaded Media Handle Is Invalid"
    assert error.user_message == "Check the handle provided for the uploaded media in the request."
    plain = error_from_response(
        400, {"error": {"message": "(#100) Invalid parameter", "code": 100}}
    )
    assert plain.user_title is None and plain.user_message is None
