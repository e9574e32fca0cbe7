"""What the dashboard is told about a request that came through the front.

Everything the browser sent goes on unchanged (``Host`` included: Streamlit's websocket compares
the page's ``Origin`` with it, and the login cookie's routes build their redirects from it),
except the hop-by-hop headers of this one connection (RFC 9110, section 7.6.1). The front adds
``X-Forwarded-For`` and ``X-Forwarded-Proto``, replacing any the client sent: uvicorn already
believed those only from a proxy on this machine (its ``forwarded_allow_ips``), so the front's
view of the client is the one to pass on, and the dashboard's uvicorn believes it from loopback.
"""

from __future__ import annotations

from starlette.types import Scope

Headers = list[tuple[bytes, bytes]]

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
_REPLACED = frozenset({b"x-forwarded-for", b"x-forwarded-proto"})
_SECURE_SCHEMES = frozenset({"https", "wss"})


def request_headers(scope: Scope, also_drop: frozenset[bytes] = frozenset()) -> Headers:
    """The request's end-to-end headers plus the front's ``X-Forwarded-*``."""
    dropped = HOP_BY_HOP | _REPLACED | also_drop
    headers = [(name, value) for name, value in scope["headers"] if name not in dropped]
    client = scope.get("client")
    if client:
        headers.append((b"x-forwarded-for", client[0].encode("latin-1")))
    proto = b"https" if scope.get("scheme") in _SECURE_SCHEMES else b"http"
    headers.append((b"x-forwarded-proto", proto))
    return headers


def response_headers(headers: Headers) -> Headers:
    """The dashboard's answer headers the front passes back (its own framing aside)."""
    return [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP]
