"""Private notes in a thread: a note as the thread shows it (distinct from any message: the
customer never receives it) and the form that adds one. Self-contained:
``note_form(actor, conversation_id)``; ``note_bubble(note)`` for the thread's timeline."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import notes
from core.i18n import t
from core.models import ConversationNote
from pages._widgets.flash import Words, act, show_flash
from pages._widgets.labels import plain, when

FLASH = "note_flash"


def note_bubble(note: ConversationNote) -> None:
    """A note in the thread: boxed, marked private, with its author and time."""
    with st.container(border=True):
        st.caption(
            f":material/lock: {t('inbox_pages.private_note')} · {plain(note.author)} · "
            f"{when(note.created_at)}"
        )
        st.markdown(plain(note.text))


def note_form(actor: Actor, conversation_id: int) -> None:
    """Write a note for the team; members who only read see nothing to write."""
    if not actor.can(Permission.REPLY_CONVERSATIONS):
        return
    with st.form(f"note_{conversation_id}", clear_on_submit=True):
        text = st.text_area(
            t("inbox_pages.note"),
            max_chars=notes.MAX_NOTE_LENGTH,
            help=t("inbox_pages.note_help"),
            key=f"note_text_{conversation_id}",
        )
        add = st.form_submit_button(t("inbox_pages.add_note"), icon=":material/lock:")
    if add:
        act(
            FLASH,
            lambda session: notes.add_note(session, actor, conversation_id, text),
            Words("inbox_pages.note_added"),
        )
    show_flash(FLASH)
