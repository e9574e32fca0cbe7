"""Canned replies in the composer: ``/shortcut`` typed alone becomes the reply's text, filled for
the contact; or pick one from the list. Self-contained: ``canned_picker(actor, conversation_id,
composer_key)`` writes the chosen text into the composer's ``st.session_state`` entry."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import canned
from core.errors import UserFacingError
from core.i18n import t
from pages._widgets.session import store


def expand_shortcut(actor: Actor, conversation_id: int, composer_key: str) -> bool:
    """When the composer holds only ``/shortcut``, put the canned reply there instead, for the
    agent to read before sending (called by the composer's callback); whether it did."""
    value = st.session_state.get(composer_key)
    typed = getattr(value, "text", value) or ""  # the viewer's chat input holds text and files
    try:
        with store() as session:
            filled = canned.expand(session, actor, conversation_id, typed)
    except UserFacingError:  # the conversation is gone or another's: sending it says so
        return False
    if filled is None:
        return False
    st.session_state[composer_key] = filled.text
    st.session_state[missing_key(composer_key)] = filled.missing
    return True


def missing_key(composer_key: str) -> str:
    """Where the fields the last canned reply could not fill are kept until it is sent."""
    return f"{composer_key}_missing"


def canned_picker(actor: Actor, conversation_id: int, composer_key: str) -> None:
    """A list of the team's canned replies; choosing one fills the composer."""
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        return
    with store() as session:
        replies = {reply.shortcut: reply.text for reply in canned.list_replies(session, actor)}
    if not replies:
        return

    def choose() -> None:
        shortcut = st.session_state.get(f"{composer_key}_canned")
        if shortcut:
            st.session_state[composer_key] = f"/{shortcut}"
            expand_shortcut(actor, conversation_id, composer_key)
            st.session_state[f"{composer_key}_canned"] = None  # the same one may be picked again

    st.selectbox(
        t("inbox_pages.canned_pick"),
        list(replies),
        index=None,
        format_func=lambda shortcut: f"/{shortcut} · {replies[shortcut][:50]}",
        placeholder=t("inbox_pages.canned_placeholder"),
        key=f"{composer_key}_canned",
        on_change=choose,
    )
    missing = st.session_state.get(missing_key(composer_key))
    if missing:
        st.warning(
            t("inbox_pages.canned_missing", fields=", ".join(missing)), icon=":material/edit:"
        )
