"""What an agent does in the open thread, run as widget callbacks before the next rerun draws it.

A refusal is kept at ``FLASH`` and said under the thread on every rerun until the next action
succeeds or another conversation is opened; so are the team inbox widgets' outcomes, each where
its widget is (the live watch reruns the page whenever the channel moves, a flash said once
would be gone within a second).
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor
from core.conversations import media, threads
from core.errors import UserFacingError
from core.templates.sending import send_template
from core.templates.values import TemplateValues
from pages._conversations.assignment import FLASH as TRIAGE_FLASH
from pages._conversations.canned import expand_shortcut, missing_key
from pages._conversations.notes import FLASH as NOTE_FLASH
from pages._conversations.profile import FLASH as PROFILE_FLASH
from pages._widgets.flash import act

OPEN = "viewer_open"  # id of the conversation shown on the right
LIMIT = "viewer_limit"  # how many of its latest messages are shown
FLASH = "viewer_flash"  # why the last action in the open thread was refused
MESSAGES_PER_STEP = 50
NO_QUOTE = ""  # the reply-to choice of a plain message (None would read as "nothing chosen")


def composer_key(conversation_id: int) -> str:
    return f"viewer_composer_{conversation_id}"


def reply_to_key(conversation_id: int) -> str:
    return f"viewer_reply_to_{conversation_id}"


def send_reply(actor: Actor, conversation_id: int) -> None:
    """The composer's text, or its files (the text then becomes the first file's caption).
    A ``/shortcut`` typed alone is not sent: its canned reply takes its place in the composer,
    for the agent to read (and complete) before sending it."""
    value = st.session_state.get(composer_key(conversation_id))
    text = getattr(value, "text", value) or ""
    files = list(getattr(value, "files", None) or [])
    if not files and expand_shortcut(actor, conversation_id, composer_key(conversation_id)):
        return
    quoted = st.session_state.get(reply_to_key(conversation_id)) or None

    def reply(session: Session) -> None:
        if not files:
            threads.reply_text(session, actor, conversation_id, text, reply_to_wa_id=quoted)
        for index, upload in enumerate(files):
            threads.reply_attachment(
                session,
                actor,
                conversation_id,
                content=upload.getvalue(),
                filename=upload.name,
                mime_type=upload.type or "application/octet-stream",
                caption=text if index == 0 else "",
                reply_to_wa_id=quoted,
            )

    if act(FLASH, reply):
        st.session_state[reply_to_key(conversation_id)] = NO_QUOTE
        st.session_state.pop(missing_key(composer_key(conversation_id)), None)


def send_filled_template(
    actor: Actor, conversation_id: int, workspace_id: int, values: TemplateValues
) -> None:
    act(
        FLASH,
        lambda session: send_template(session, actor, conversation_id, workspace_id, values),
    )


def retry_message(actor: Actor, message_id: int) -> None:
    act(FLASH, lambda session: threads.retry_message(session, actor, message_id))


def retry_download(actor: Actor, media_id: int) -> None:
    def retry(session: Session) -> None:
        try:
            media.retry(session, actor, media_id)
        except LookupError as gone:
            raise UserFacingError("viewer.error.media_not_found") from gone

    act(FLASH, retry)


def show_older() -> None:
    st.session_state[LIMIT] = st.session_state.get(LIMIT, MESSAGES_PER_STEP) + MESSAGES_PER_STEP


def open_conversation(conversation_id: int) -> None:
    st.session_state[OPEN] = conversation_id
    st.session_state[LIMIT] = MESSAGES_PER_STEP
    for said_about_the_last_one in (FLASH, TRIAGE_FLASH, NOTE_FLASH, PROFILE_FLASH):
        st.session_state.pop(said_about_the_last_one, None)
    st.rerun()  # the whole page: the thread beside the list changes too
