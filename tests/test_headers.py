"""The security headers middleware: on every HTTP answer, HSTS only under HTTPS, a route's own
header left alone, and a policy that lets exactly the product's inline scripts run."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from core import config
from core.access import headers


def app() -> Starlette:
    async def plain(_request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("ok")

    async def framed(_request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("ok", headers={"X-Frame-Options": "DENY"})

    return Starlette(
        routes=[Route("/", plain), Route("/framed", framed)],
        middleware=[Middleware(headers.SecurityHeaders)],
    )


@pytest.fixture
def public_url(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def set_(url: str | None) -> None:
        if url is None:
            monkeypatch.delenv("PUBLIC_URL", raising=False)
        else:
            monkeypatch.setenv("PUBLIC_URL", url)
        config.get_settings.cache_clear()

    yield set_
    config.get_settings.cache_clear()


def test_every_answer_says_how_a_browser_may_use_it(public_url) -> None:
    public_url(None)
    answer = TestClient(app()).get("/")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "'unsafe-eval'" not in policy and "object-src 'none'" in policy
    assert answer.headers["x-frame-options"] == "SAMEORIGIN"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"
    assert "strict-transport-security" not in answer.headers
    assert TestClient(app()).get("/missing").headers["x-content-type-options"] == "nosniff"


def test_strict_transport_security_only_under_https(public_url) -> None:
    public_url(None)
    direct = TestClient(app(), base_url="https://dashboard.example").get("/")
    assert direct.headers["strict-transport-security"] == "max-age=31536000"
    public_url("https://dashboard.example")  # a proxy in front ends TLS
    proxied = TestClient(app()).get("/")
    assert "strict-transport-security" in proxied.headers


def test_a_route_that_sets_its_own_header_keeps_it(public_url) -> None:
    public_url(None)
    assert TestClient(app()).get("/framed").headers["x-frame-options"] == "DENY"


def test_the_policy_lets_the_pages_inline_scripts_run_by_hash() -> None:
    policy = headers.content_security_policy()
    assert headers.script_hash(headers.REDIRECT_SCRIPT) in policy
    for script in headers.inline_scripts(headers.STREAMLIT_INDEX.read_text(encoding="utf-8")):
        assert headers.script_hash(script) in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_hashes_are_the_browsers_sha256() -> None:
    # https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy/script-src
    assert headers.script_hash("doSomething();") == (
        "'sha256-RFWPLDbv2BY+rCkDzsE+0fr8ylGr2R2faWMhq4lfEQc='"
    )
