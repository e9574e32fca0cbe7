"""API and webhooks (admins): tokens for other systems, subscribed URLs, and the delivery log."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Generic, TypeVar

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.api import tokens
from core.hooks import subscriptions
from core.hooks.events import EVENTS
from core.i18n import t
from pages._widgets.flash import Flash, Words, act, show_flash
from pages._widgets.labels import viewer_timezone, when
from pages._widgets.pager import current_page, pager_controls
from pages._widgets.session import page_guard, store

FLASH = "api_flash"
LOG = "hook_log"  # pager key
Item = TypeVar("Item")


def shown_once(words: Words, secret_key: str, secret: str) -> Flash:
    """The success, and a token or secret that is said only now."""
    return Flash(said=(words,), note=Words(secret_key, secret=secret))


def table(rows: list[dict[str, object]]) -> None:
    """Rows as a table the width of the page, without pandas' row numbers."""
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


@dataclass(frozen=True)
class OneAction(Generic[Item]):
    """A button under a table that does one thing to the row chosen above it: its words (keys of
    the list and of the button), the button's widget key, what it does and what it says."""

    which: str
    button: str
    key: str
    action: Callable[[Session, Item], object]
    said: Callable[[Item], Words]


def act_on_one(items: Sequence[Item], label: Callable[[Item], str], does: OneAction[Item]) -> Item:
    """Choose one of ``items`` and press the button that does ``does`` to it (redrawing the page,
    whose table shows the change). Returns the one chosen."""
    chosen = st.selectbox(t(does.which), items, format_func=label)
    if st.button(t(does.button), key=does.key):
        act(FLASH, lambda session: does.action(session, chosen), does.said(chosen), rerun=True)
    return chosen


def token_form(actor: Actor) -> None:
    with st.form("add_token", clear_on_submit=True):
        name = st.text_input(t("api_page.token_name"))
        # worded now: Streamlit may call format_func after the run, in another language
        labels = {scope: t(f"api_page.scope.{scope}") for scope in tokens.SCOPES}
        scopes = st.multiselect(t("api_page.scopes"), list(labels), format_func=labels.__getitem__)
        expires = st.date_input(t("api_page.expires"), value=None)
        submitted = st.form_submit_button(t("api_page.add_token"), type="primary")
    if not submitted:
        return
    expires_at = datetime.combine(expires, time.min, viewer_timezone()) if expires else None
    act(
        FLASH,
        lambda session: tokens.create_token(session, actor, name, scopes, expires_at),
        lambda made: shown_once(
            Words("api_page.token_added", name=made[0].name), "api_page.token_once", made[1]
        ),
    )
    show_flash(FLASH)


def token_list(actor: Actor) -> None:
    with store() as session:
        found = tokens.list_tokens(session, actor)
    if not found:
        st.info(t("api_page.no_tokens"))
        return
    table(
        [
            {
                "id": token.id,
                t("api_page.token_name"): token.name,
                t("api_page.prefix"): f"{token.prefix}…",
                t("api_page.scopes"): token.scopes,
                t("api_page.state"): t(f"api_page.state.{tokens.token_state(token)}"),
                t("api_page.expires"): when(token.expires_at),
                t("api_page.last_used"): when(token.last_used_at),
            }
            for token in found
        ]
    )
    active = [token for token in found if tokens.token_state(token) == "active"]
    if not active:
        return
    act_on_one(
        active,
        lambda token: f"{token.id} · {token.name}",
        OneAction(
            "api_page.revoke_which",
            "api_page.revoke",
            "revoke_token",
            lambda session, token: tokens.revoke_token(session, actor, token.id),
            lambda token: Words("api_page.revoked", name=token.name),
        ),
    )


def hook_form(actor: Actor) -> None:
    with st.form("add_hook", clear_on_submit=True):
        url = st.text_input(t("api_page.hook_url"), placeholder="https://crm.example/whatsapp")
        labels = {name: t(f"api_page.event.{name}") for name in EVENTS}  # worded now, as above
        events = st.multiselect(t("api_page.events"), list(labels), format_func=labels.__getitem__)
        submitted = st.form_submit_button(t("api_page.add_hook"), type="primary")
    if not submitted:
        return
    act(
        FLASH,
        lambda session: subscriptions.create_subscription(session, actor, url, events),
        lambda made: shown_once(
            Words("api_page.hook_added", url=made[0].url), "api_page.secret_once", made[1]
        ),
    )
    show_flash(FLASH)


def hook_list(actor: Actor) -> int | None:
    """The subscriptions, one to delete; returns the one whose log to show (``None``: all)."""
    with store() as session:
        found = subscriptions.list_subscriptions(session, actor)
    if not found:
        st.info(t("api_page.no_hooks"))
        return None
    table(
        [
            {
                "id": hook.id,
                t("api_page.hook_url"): hook.url,
                t("api_page.events"): ", ".join(hook.events or []),
                t("api_page.created"): when(hook.created_at),
            }
            for hook in found
        ]
    )
    chosen = act_on_one(
        found,
        lambda hook: f"{hook.id} · {hook.url}",
        OneAction(
            "api_page.hook_which",
            "api_page.delete_hook",
            "delete_hook",
            lambda session, hook: subscriptions.delete_subscription(session, actor, hook.id),
            lambda hook: Words("api_page.hook_deleted", url=hook.url),
        ),
    )
    return chosen.id


def delivery_log(actor: Actor, subscription_id: int | None) -> None:
    st.subheader(t("api_page.log"))
    with store() as session:
        page = subscriptions.delivery_log(session, actor, subscription_id, current_page(LOG))
    if not page.items:
        st.info(t("api_page.no_deliveries"))
        return
    table(
        [
            {
                "id": item.id,
                t("api_page.event"): item.event,
                t("api_page.state"): t(f"api_page.delivery.{item.state}"),
                t("api_page.attempts"): item.attempts,
                t("api_page.answer"): item.last_status or item.last_error or "",
                t("api_page.created"): when(item.created_at),
                t("api_page.delivered"): when(item.delivered_at),
            }
            for item in page.items
        ]
    )
    pager_controls(LOG, page.has_next)
    act_on_one(
        page.items,
        lambda delivery: f"{delivery.id} · {delivery.event}",
        OneAction(
            "api_page.again_which",
            "api_page.send_again",
            "send_again",
            lambda session, delivery: subscriptions.send_again(session, actor, delivery.id),
            lambda delivery: Words("api_page.queued_again", id=delivery.id),
        ),
    )


def render(actor: Actor) -> None:
    st.title(t("api_page.title"))
    st.caption(t("api_page.intro"))
    show_flash(FLASH)
    tokens_tab, hooks_tab = st.tabs([t("api_page.tokens"), t("api_page.hooks")])
    with tokens_tab:
        token_form(actor)
        token_list(actor)
    with hooks_tab:
        hook_form(actor)
        delivery_log(actor, hook_list(actor))


render(page_guard(Permission.MANAGE_USERS))
