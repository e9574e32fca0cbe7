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
"""

from __future__ import annotations

import hmac
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.access import sessions, sso
from core.config import get_settings
from core.db import session_scope
from core.i18n import preferred_language, t
from core.models import utcnow

COOKIE_NAME = "whatsapp_1980tic_session"
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
    """HTTPS as the browser sees it: this request's scheme, or ``PUBLIC_URL`` behind a proxy that
    ends TLS (there is no trusted-proxy setting, so ``X-Forwarded-Proto`` is not believed)."""
    public_url = get_settings().public_url or ""
    return request.url.scheme == "https" or public_url.startswith("https://")


def _exchange(ticket: str) -> sessions.Issued | None:
    with session_scope() as session:
        return sessions.exchange(session, ticket)


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
    """``GET /auth/session?ticket=…``: the ticket for the cookie, then home."""
    issued = await run_in_threadpool(_exchange, request.query_params.get("ticket", ""))
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


def routes() -> list[BaseRoute]:
    return [
        Route(SESSION_PATH, open_session, methods=["GET"]),
        Route(LOGOUT_PATH, close_session, methods=["GET"]),
    ]
