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


NOTE = "private_note_"  # key prefix of a note's box in the thread, which its look applies to
_LOOK = f"""<style>
[class*="st-key-{NOTE}"] {{
  width: 86%; margin: 0 auto; background: rgba(255, 193, 7, 0.16);
  border-color: rgba(255, 160, 0, 0.6); border-style: dashed;
}}
</style>"""
"""Centred between the customer's side and ours, amber and dashed like a sticky note: a note is
never mistaken for a message (it reads in the light and the dark theme)."""


def notes_look() -> None:
    """The look of :func:`note_bubble`, once per run of a page that draws a thread."""
    st.html(_LOOK)


def note_bubble(note: ConversationNote) -> None:
    """A note in the thread: boxed, marked private, with its author and time."""
    with st.container(border=True, key=f"{NOTE}{note.id}"):
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
            rerun=True,  # the thread above shows the note
        )
    show_flash(FLASH, keep=True)  # until the next action: live reruns come any second
