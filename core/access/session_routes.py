"""The HTTP routes that set and clear the login cookie (``core.access.sessions`` keeps the rows).

Streamlit talks to the browser over a websocket and cannot set a cookie; a script in the page
could, but not an HttpOnly one. So the login form sends the browser to ``/auth/session`` with a
one-time ticket, and this route answers with ``Set-Cookie`` and a redirect home.

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Lax`` and ``Secure`` under HTTPS.
Lax rather than Strict: Strict drops the cookie when a user follows a link to the dashboard from
another site (a chat, an email), who would then see the login form although logged in; Lax still
keeps it off cross-site POSTs, frames, fetches and websockets, which is where a forged request
would come from. Logout is a GET (the page navigates to it) and so asks for a check value only a
page holding the cookie can compute.

A ticket opens a session only in the browser that logged in (login CSRF: else anyone could send a
victim a ticket URL of their own and have the victim work, unknowingly, in the sender's account).
:class:`LoginBinding` gives each browser a random "login binding" cookie with the page's HTML;
the login form reads it (Streamlit hands the websocket's cookies to the script) and the ticket is
issued to it; ``/auth/session`` finds the ticket only together with the same cookie. It is
SameSite=Strict: it has to reach only the dashboard's own pages and its own redirect to
``/auth/session``, never a request another site starts.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.access import sessions, sso
from core.access.headers import seen_over_https
from core.config import get_settings
from core.db import session_scope
from core.i18n import preferred_language, t
from core.models import utcnow

COOKIE_NAME = "whatsapp_1980tic_session"
BINDING_COOKIE_NAME = "whatsapp_1980tic_login_binding"
SESSION_PATH = "/auth/session"
# st.App tries the routes it is given before Streamlit's own ``/auth/logout`` (the one st.login's
# identity providers use, which this product does not), so this one answers.
LOGOUT_PATH = "/auth/logout"
HOME = "/"


def session_url(ticket: str) -> str:
    return f"{SESSION_PATH}?ticket={ticket}"


def logout_url(token: str) -> str:
    return f"{LOGOUT_PATH}?check={sessions.logout_check(token)}"


def _secure(request: Request) -> bool:
    return seen_over_https(request.url.scheme)


def _exchange(ticket: str, binding: str | None) -> sessions.Issued | None:
    with session_scope() as session:
        return sessions.exchange(session, ticket, binding)


def _end(token: str | None) -> None:
    with session_scope() as session:
        sessions.end_by_token(session, token)


def _refusal(request: Request, key: str, status: int) -> HTMLResponse:
    """A short page in the browser's language with a way back to the login form."""
    language = preferred_language(
        request.headers.get("accept-language"), get_settings().default_language
    )
    body = (
        f'<!doctype html><html lang="{language}"><meta charset="utf-8">'
        f"<title>1980TIC WhatsApp</title><p>{escape(t(key, language))}</p>"
        f'<p><a href="{HOME}">{escape(t("sessions.back_to_login", language))}</a></p></html>'
    )
    return HTMLResponse(body, status_code=status)


async def open_session(request: Request) -> Response:
    """``GET /auth/session?ticket=…``: the ticket for the cookie, then home (only in the browser
    the ticket was issued to)."""
    issued = await run_in_threadpool(
        _exchange, request.query_params.get("ticket", ""), request.cookies.get(BINDING_COOKIE_NAME)
    )
    if issued is None:
        return _refusal(request, "sessions.ticket_refused", 400)
    response = RedirectResponse(HOME, status_code=303)
    sso.forget_identity(request, response)  # a single sign-on's work is done: this cookie rules
    response.set_cookie(
        COOKIE_NAME,
        issued.token,
        max_age=max(int((issued.expires_at - utcnow()).total_seconds()), 0),
        path="/",
        secure=_secure(request),
        httponly=True,
        samesite="lax",
    )
    return response


async def close_session(request: Request) -> Response:
    """``GET /auth/logout?check=…``: ends the session the cookie names, clears it, then home."""
    token = request.cookies.get(COOKIE_NAME)
    check = request.query_params.get("check", "")
    if token and not hmac.compare_digest(check, sessions.logout_check(token)):
        return _refusal(request, "sessions.logout_refused", 403)
    await run_in_threadpool(_end, token)
    response = RedirectResponse(HOME, status_code=303)
    sso.forget_identity(request, response)  # also Streamlit's st.logout, which lands here
    response.delete_cookie(
        COOKIE_NAME, path="/", secure=_secure(request), httponly=True, samesite="lax"
    )
    return response


class LoginBinding:
    """ASGI middleware: a browser's first page (an HTML answer to a GET) sets its random login
    binding cookie; requests that present one pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or BINDING_COOKIE_NAME in Request(scope).cookies
        ):
            await self.app(scope, receive, send)
            return
        cookie = _binding_cookie(_secure(Request(scope)))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _binding_cookie(secure: bool) -> str:
    """A new binding, for as long as the browser runs (no ``Max-Age``)."""
    response = Response()
    response.set_cookie(
        BINDING_COOKIE_NAME,
        secrets.token_urlsafe(32),
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    return response.headers["set-cookie"]


def middleware() -> list[Middleware]:
    """Placed outside Streamlit's own middleware, so it sees the page's HTML answer."""
    return [Middleware(LoginBinding)]


def routes() -> list[BaseRoute]:
    return [
        Route(SESSION_PATH, open_session, methods=["GET"]),
        Route(LOGOUT_PATH, close_session, methods=["GET"]),
    ]
