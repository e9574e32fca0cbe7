"""A media sample chosen in the builder, uploaded once to 360Dialog; its handle kept for the body.

Used for the template's media header (``tb_header_…``) and for each carousel card
(``tb_card_<n>_…``): both are reviewed from a sample file named by a Resumable Upload handle in
``example.header_handle`` (``core.templates.samples``).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor
from core.i18n import t
from core.templates.samples import upload_sample
from pages._widgets.flash import act, show_flash

MEDIA_FILE_TYPES = {
    "IMAGE": ["jpg", "jpeg", "png"],
    "DOCUMENT": ["pdf"],
    "VIDEO": ["mp4", "3gp"],
}


@dataclass(frozen=True)
class SampleKeys:
    """Where one sample lives in the form: the uploader, the upload done, its handle, its error."""

    file: str
    upload: str
    handle: str
    error: str


HEADER_SAMPLE = SampleKeys(
    "tb_header_file", "tb_header_upload", "tb_header_handle", "tb_header_upload_error"
)


def card_sample(card: int) -> SampleKeys:
    prefix = f"tb_card_{card}_"
    return SampleKeys(
        f"{prefix}file", f"{prefix}upload", f"{prefix}handle", f"{prefix}upload_error"
    )


def upload_once(actor: Actor, channel_id: int, media: str, keys: SampleKeys) -> None:
    """Upload the chosen file once; its handle goes to ``keys.handle``.

    A refused upload is not retried at every rerun: choosing the file again retries it."""
    upload = st.session_state.get(keys.file)
    if upload is not None:
        marker = (upload.file_id, media, channel_id)
        if st.session_state.get(keys.upload) != marker:
            st.session_state[keys.upload] = marker
            st.session_state[keys.handle] = None

            def keep_handle(session: Session) -> None:
                st.session_state[keys.handle] = upload_sample(
                    session,
                    actor,
                    channel_id,
                    upload.getvalue(),
                    upload.name,
                    upload.type or "application/octet-stream",
                )

            act(keys.error, keep_handle)
    show_flash(keys.error, keep=True)


def sample_field(actor: Actor, channel_id: int, media: str, keys: SampleKeys, label: str) -> None:
    """The file chooser of a media sample, its upload, and a word once it is uploaded."""
    st.file_uploader(
        label,
        type=MEDIA_FILE_TYPES.get(media),
        key=keys.file,
        help=t("template_pages.builder.header_file_help"),
    )
    upload_once(actor, channel_id, media, keys)
    if st.session_state.get(keys.handle):
        st.caption(f":material/check_circle: {t('template_pages.builder.header_ready')}")
