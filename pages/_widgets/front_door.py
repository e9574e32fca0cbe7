"""The login form's steps beyond the password: waits after failed logins (and, below, the second
factor and single sign-on). The rules are in ``core.access.login``; this draws them."""

from __future__ import annotations

import streamlit as st

from core.access import addresses, login
from core.config import get_settings
from pages._widgets.session import store


def client_address() -> str:
    """This tab's client, as ``TRUSTED_PROXIES`` lets the server believe it."""
    return addresses.client_address(
        st.context.ip_address,
        st.context.headers.get("X-Forwarded-For"),
        get_settings().trusted_proxies,
    )


def still_waiting(username: str) -> bool:
    """Say so and stop here when this name or address must wait (before any password check)."""
    with store() as session:
        refused = login.refusal(session, username, client_address())
    if refused is not None:
        st.error(refused.message())
    return refused is not None


def password_failed(username: str) -> None:
    with store() as session:
        said = login.failed(session, username, client_address())
    st.error(said.message())


def signed_in_ticket(username: str) -> str:
    with store() as session:
        return login.succeed(session, username, st.context.headers.get("User-Agent", ""))
