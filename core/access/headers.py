"""Security headers on every answer of the server: an ASGI middleware, so the dashboard's
``st.App`` and any process in front of it (which imports it) send the same ones.

The Content-Security-Policy allows what Streamlit's page loads and nothing else: its own scripts,
styles, fonts, images and websocket from this origin; the inline styles its components write
(emotion inserts ``<style>`` elements, so there is no way around ``'unsafe-inline'`` for styles);
and, by hash, the inline scripts the page carries: the one in Streamlit's ``index.html`` and
:data:`REDIRECT_SCRIPT`, which sends the browser to the login cookie's routes. Any other script,
injected or not, does not run. Charts need no ``'unsafe-eval'``: Streamlit draws Vega charts with
Vega's expression interpreter. Nothing is fetched from another origin either (a page icon named
``:material/...:`` would be, from Google's font servers: the dashboard's icon is an emoji, drawn as
a ``data:`` image). Frames: only this origin may frame the dashboard (clickjacking),
and the dashboard frames only this origin (Streamlit's components).

References: https://developer.mozilla.org/docs/Web/HTTP/Headers/Content-Security-Policy,
https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

import streamlit
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.config import get_settings

REDIRECT_SCRIPT = "location.replace(document.currentScript.dataset.href)"
"""The one inline script the product writes: its target is a ``data-href`` attribute, so the
script's text (and its hash in the policy) never changes."""

STREAMLIT_INDEX = Path(streamlit.__file__).parent / "static" / "index.html"
ONE_YEAR = 365 * 24 * 3600


def script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def inline_scripts(html: str) -> list[str]:
    """The text of each ``<script>`` without ``src`` in a page."""
    return re.findall(r"<script>(.*?)</script>", html, re.S)


@cache
def content_security_policy() -> str:
    scripts = [REDIRECT_SCRIPT, *inline_scripts(STREAMLIT_INDEX.read_text(encoding="utf-8"))]
    directives = {
        "default-src": "'self'",
        # 'wasm-unsafe-eval' compiles WebAssembly only (no JavaScript eval): Streamlit's protobuf
        # decoder probes it for 64-bit numbers, and its map and Plotly charts use it
        "script-src": " ".join(
            ["'self'", "'wasm-unsafe-eval'", *(script_hash(source) for source in scripts)]
        ),
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "media-src": "'self' blob:",
        "worker-src": "'self' blob:",
        "frame-src": "'self'",
        "frame-ancestors": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def headers_for(https: bool) -> list[tuple[str, str]]:
    headers = [
        ("content-security-policy", content_security_policy()),
        ("x-frame-options", "SAMEORIGIN"),  # frame-ancestors for browsers that predate it
        ("referrer-policy", "same-origin"),  # login tickets ride in URLs: never to other sites
        ("x-content-type-options", "nosniff"),
        ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
    ]
    if https:
        headers.append(("strict-transport-security", f"max-age={ONE_YEAR}"))
    return headers


def seen_over_https(scheme: str) -> bool:
    """HTTPS as the browser sees it: this request's ``scheme``, or ``PUBLIC_URL`` behind a proxy
    that ends TLS (``X-Forwarded-Proto`` is not believed: ``TRUSTED_PROXIES`` only vouches for
    client addresses)."""
    return scheme == "https" or (get_settings().public_url or "").startswith("https://")


class SecurityHeaders:
    """Adds the headers to every HTTP answer that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = headers_for(seen_over_https(scope.get("scheme", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in added:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
