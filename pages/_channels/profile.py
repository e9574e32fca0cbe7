"""The business profile on the channels page (admins): what customers see in WhatsApp."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.channels import profile
from core.channels.connect import ChannelInfo
from core.channels.profile import BusinessProfile, Photo
from core.errors import UserFacingError
from core.i18n import t
from pages._widgets.flash import Words, act, say_refusal, show_flash
from pages._widgets.session import store

FLASH = "business_profile_flash"


def current_profile(actor: Actor, channel_id: int) -> BusinessProfile | None:
    """Read from 360Dialog when the part is opened; a refusal is said, not raised."""
    try:
        with store() as session:
            return profile.read_profile(session, actor, channel_id)
    except UserFacingError as refusal:
        say_refusal(refusal)
        return None


def vertical_label(code: str) -> str:
    return t(f"channels.profile.vertical.{code}") if code else t("channels.profile.no_vertical")


def profile_form(actor: Actor, info: ChannelInfo, shown: BusinessProfile) -> None:
    key = f"profile_{info.id}"
    with st.form(key):
        about = st.text_input(
            t("channels.profile.about"),
            value=shown.about,
            max_chars=profile.TEXT_LIMITS["about"],
            key=f"{key}_about",
        )
        description = st.text_area(
            t("channels.profile.description"),
            value=shown.description,
            max_chars=profile.TEXT_LIMITS["description"],
            key=f"{key}_description",
        )
        address = st.text_input(
            t("channels.profile.address"), value=shown.address, key=f"{key}_address"
        )
        email = st.text_input(t("channels.profile.email"), value=shown.email, key=f"{key}_email")
        websites = st.text_input(
            t("channels.profile.websites"),
            value=" ".join(shown.websites),
            help=t("channels.profile.websites_help", limit=profile.MAX_WEBSITES),
            key=f"{key}_websites",
        )
        options = ["", *profile.VERTICALS]
        vertical = st.selectbox(
            t("channels.profile.vertical"),
            options,
            index=options.index(shown.vertical) if shown.vertical in options else 0,
            format_func=vertical_label,
            key=f"{key}_vertical",
        )
        photo = st.file_uploader(
            t("channels.profile.photo"), type=["jpg", "jpeg", "png"], key=f"{key}_photo"
        )
        save = st.form_submit_button(t("channels.profile.save"))
    if not save:
        return
    fields = {"about": about, "description": description, "address": address, "email": email}
    changes: dict[str, object] = {k: v for k, v in fields.items() if v != getattr(shown, k)}
    if websites.split() != list(shown.websites):
        changes["websites"] = websites
    if vertical and vertical != shown.vertical:
        changes["vertical"] = vertical
    picture = Photo(photo.getvalue(), photo.type, photo.name) if photo is not None else None
    act(
        FLASH,
        lambda session: profile.update_profile(session, actor, info.id, changes, photo=picture),
        Words("channels.profile.saved"),
        rerun=True,
    )
    show_flash(FLASH)


def profile_part(actor: Actor, info: ChannelInfo) -> None:
    """Cloud numbers only; read from 360Dialog when the admin opens it."""
    if info.generation != "cloud":
        return
    show_flash(FLASH)
    if not st.toggle(t("channels.profile.title"), key=f"profile_open_{info.id}"):
        return
    shown = current_profile(actor, info.id)
    if shown is None:
        return
    if shown.profile_picture_url:
        st.image(shown.profile_picture_url, width=96)
    profile_form(actor, info, shown)
