"""Every error answer of ``errors/`` through ``error_from_response``, with what must come out.

One row per file: the HTTP status the answer comes with, the error family the product turns it
into, WhatsApp's code (none in 360Dialog's gateway envelope) and how soon a retry may go. A file
without a row fails ``test_every_file_has_a_row``.
"""

from __future__ import annotations

import json

import pytest

from core.d360.errors import (
    AuthenticationError,
    D360Error,
    InvalidRequest,
    PairRateLimited,
    RateLimited,
    TemplateError,
    WabaDisabled,
    error_from_response,
)
from tests.testdata import load, names

# file -> (HTTP status, family, code, retry_after)
ROWS: dict[str, tuple[int, type[D360Error], int | None, float | None]] = {
    "graph_invalid_parameter": (400, InvalidRequest, 131009, None),
    "graph_rate_limit": (429, RateLimited, 130429, None),
    "graph_pair_rate_limit": (429, PairRateLimited, 131056, 6.0),
    "graph_template_missing": (404, TemplateError, 132001, None),
    "gateway_invalid_api_key": (401, AuthenticationError, None, None),  # body says httpCode 404
    "gateway_waba_disabled": (400, WabaDisabled, None, None),
    "gateway_usage_limit": (400, RateLimited, None, 5.0),  # "1 request every 5 seconds"
    "gateway_plain_sentence": (401, AuthenticationError, None, None),
    "gateway_plain_usage_limit": (400, RateLimited, None, 10.0),
    "onprem_invalid_parameter": (400, InvalidRequest, 1009, None),
    "onprem_rate_limit": (429, RateLimited, 1015, None),
}


def test_every_file_has_a_row() -> None:
    assert sorted(ROWS) == names("errors")


@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_error_answer(name: str) -> None:
    status, family, code, retry_after = ROWS[name]
    body = load(f"errors/{name}.json")
    for form in (body, json.dumps(body).encode()):
        error = error_from_response(status, form)
        assert type(error) is family
        assert (error.http_status, error.code, error.retry_after) == (status, code, retry_after)
