"""Channels (admins): connect a WhatsApp number through 360Dialog, configure it, change it safely.

Each channel's settings (name, greeting, pace) are safe to change at any time; a new number, API
key or address is checked with 360Dialog before anything is saved.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.channels import connect, health, registry, validation
from core.channels.connect import ChangeResult, ChannelInfo, ConnectResult
from core.channels.health import ChannelHealth
from core.config import get_settings
from core.d360.client import DEFAULT_BASE_URL
from core.errors import UserFacingError
from core.failures import describe
from core.i18n import t
from pages._channels.health import health_part
from pages._channels.inbox import channel_inbox_settings
from pages._channels.profile import profile_part
from pages._widgets.flash import Flash, Words, act, act_and_redraw, show_flash
from pages._widgets.labels import channel_label, in_this_language, when
from pages._widgets.session import page_guard, store

FLASH = "channels_flash"  # an outcome said at the top, after the rerun that shows the change


def generation_label(generation: str, language: str | None = None) -> str:
    return t(f"channels.generation.{generation}", language)


def connected(result: ConnectResult) -> Flash:
    """The new channel and its webhook URL; where the number sent its events before, if anywhere."""
    channel = result.channel
    words = Words(
        "channels.connected", name=channel.name, number=channel.number, url=channel.webhook_url
    )
    previous = result.previous_webhook_url
    note = Words("channels.previous_webhook", url=previous) if previous else None
    return Flash(said=(words,), note=note)


def changed(result: ChangeResult) -> Flash:
    """Each thing a connection change did, one line each."""
    channel = result.channel
    lines = []
    if result.number_changed:
        lines.append(Words("channels.changed_number", old=result.old_number, new=channel.number))
    if result.key_changed:
        lines.append(Words("channels.changed_key", hint=channel.api_key_hint))
    if result.base_url_changed:
        lines.append(Words("channels.changed_base_url", url=channel.base_url))
    if not (result.number_changed or result.key_changed or result.base_url_changed):
        lines.append(Words("channels.changed_nothing"))
    lines.append(Words("channels.changed_webhook", url=channel.webhook_url))
    return Flash(said=tuple(lines))


def add_channel(actor: Actor, public_url: str | None) -> None:
    """Add channel → WhatsApp → 360Dialog: the number, its 360Dialog API key and a name."""
    st.subheader(t("channels.add"))
    st.caption(t("channels.add_intro"))
    with st.form("add_channel"):
        number = st.text_input(t("channels.number"), key="add_number", placeholder="+34600000000")
        api_key = st.text_input(
            t("channels.api_key"),
            key="add_api_key",
            type="password",
            help=t("channels.api_key_help"),
        )
        name = st.text_input(t("channels.name"), key="add_name", help=t("channels.name_help"))
        with st.expander(t("channels.advanced")):
            base_url = st.text_input(
                t("channels.base_url"), value=DEFAULT_BASE_URL, key="add_base_url"
            )
            generation = st.selectbox(
                t("channels.generation"),
                validation.GENERATIONS,
                format_func=in_this_language(generation_label),
                key="add_generation",
            )
        done = st.form_submit_button(t("channels.done"), type="primary")
    if done:
        act(
            FLASH,
            lambda session: connect.connect_channel(
                session,
                actor,
                number=number,
                api_key=api_key,
                name=name,
                base_url=base_url,
                generation=generation,
                public_url=public_url,
            ),
            connected,
        )
        show_flash(FLASH)


def channel_table(channels: list[ChannelInfo], health: dict[int, ChannelHealth]) -> None:
    st.subheader(t("channels.list"))
    if not channels:
        st.info(t("channels.none"))
        return
    never = t("channels.never")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("channels.name"): info.name,
                    t("channels.number"): info.number,
                    t("channels.api_key"): info.api_key_hint,
                    t("channels.webhook_url"): info.webhook_url or "",
                    t("channels.last_webhook"): when(health[info.id].last_webhook_at, never),
                    t("channels.messages_today"): health[info.id].messages_today_text,
                }
                for info in channels
            ]
        ),
        hide_index=True,
        width="stretch",
    )


def health_lines(info: ChannelInfo, state: ChannelHealth) -> None:
    last_error = (
        describe(state.last_error_code, state.last_error)
        if state.last_error
        else t("channels.no_error")
    )
    st.markdown(
        t(
            "channels.health_line",
            last_webhook=when(state.last_webhook_at, t("channels.never")),
            last_error=last_error,
            messages=state.messages_today_text,
        )
    )
    if state.last_error:
        st.caption(t("channels.last_error_at", at=when(state.last_error_at, t("channels.never"))))
    st.caption(
        t(
            "channels.details",
            hint=info.api_key_hint,
            url=info.webhook_url or "",
            generation=generation_label(info.generation),
            base_url=info.base_url,
        )
    )


def settings_form(actor: Actor, info: ChannelInfo) -> None:
    """Name, greeting and pace: safe to change at any time."""
    with st.form(f"settings_{info.id}"):
        new_name = st.text_input(
            t("channels.name"), value=info.name, key=f"settings_name_{info.id}"
        )
        greeting = st.text_area(
            t("channels.greeting"),
            value=info.greeting_message,
            key=f"settings_greeting_{info.id}",
            max_chars=validation.MAX_GREETING_LENGTH,
        )
        st.caption(t("channels.greeting_help"))
        pace = st.number_input(
            t("channels.throughput"),
            min_value=validation.MIN_THROUGHPUT,
            max_value=validation.MAX_THROUGHPUT,
            value=info.throughput_mps,
            help=t("channels.throughput_help"),
            key=f"settings_pace_{info.id}",
        )
        save = st.form_submit_button(t("channels.save_settings"))
    if save:
        act_and_redraw(
            FLASH,
            lambda session: registry.update_channel_settings(
                session,
                actor,
                info.id,
                name=new_name,
                greeting_message=greeting,
                throughput_mps=int(pace),
            ),
            Words("channels.settings_saved", name=new_name.strip()),
        )


def connection_form(actor: Actor, info: ChannelInfo, public_url: str | None) -> None:
    """Another number, API key or address: checked with 360Dialog before anything is saved."""
    st.markdown(f"**{t('channels.change_title')}**")
    st.warning(t("channels.change_warning"), icon=":material/warning:")
    with st.form(f"connection_{info.id}"):
        number = st.text_input(
            t("channels.number"), value=info.number, key=f"change_number_{info.id}"
        )
        api_key = st.text_input(
            t("channels.new_api_key"), type="password", key=f"change_api_key_{info.id}"
        )
        base_url = st.text_input(
            t("channels.base_url"), value=info.base_url, key=f"change_base_url_{info.id}"
        )
        change = st.form_submit_button(t("channels.change_submit"))
    if change:
        act_and_redraw(
            FLASH,
            lambda session: connect.change_connection(
                session,
                actor,
                info.id,
                number=number,
                api_key=api_key or None,
                base_url=base_url,
                public_url=public_url,
            ),
            changed,
        )


def deactivate_form(actor: Actor, info: ChannelInfo) -> None:
    with st.form(f"deactivate_{info.id}"):
        st.caption(t("channels.deactivate_help"))
        sure = st.checkbox(t("channels.deactivate_confirm"), key=f"deactivate_sure_{info.id}")
        deactivate = st.form_submit_button(t("channels.deactivate"))
    if not deactivate:
        return

    def confirmed_deactivation(session: Session) -> None:
        if not sure:
            raise UserFacingError("channels.deactivate_unconfirmed")
        registry.deactivate_channel(session, actor, info.id)

    act_and_redraw(FLASH, confirmed_deactivation, Words("channels.deactivated", name=info.name))


def render(actor: Actor) -> None:
    st.title(t("channels.title"))
    public_url = get_settings().public_url
    if not public_url:
        st.warning(t("channels.public_url_missing"), icon=":material/warning:")
    show_flash(FLASH)
    with st.container(border=True):
        add_channel(actor, public_url)
    with store() as session:
        channels = registry.list_channels(session, actor)
        states = {info.id: health.channel_health(session, actor, info.id) for info in channels}
    channel_table(channels, states)
    for info in channels:
        with st.expander(channel_label(info), expanded=len(channels) == 1):
            health_lines(info, states[info.id])
            health_part(actor, info)
            profile_part(actor, info)
            settings_form(actor, info)
            channel_inbox_settings(actor, info.id, info.auto_assign)
            connection_form(actor, info, public_url)
            deactivate_form(actor, info)


render(page_guard(Permission.MANAGE_CHANNELS))
