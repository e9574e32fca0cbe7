"""Channels (admins): connect a WhatsApp number through 360Dialog, configure it, change it safely."""

from datetime import datetime

import pandas as pd
import streamlit as st

from core.access.auth import Permission
from core.channels.connect import change_connection, connect_channel
from core.channels.health import channel_health
from core.channels.registry import deactivate_channel, list_channels, update_channel_settings
from core.channels.validation import (
    GENERATIONS,
    MAX_GREETING_LENGTH,
    MAX_THROUGHPUT,
    MIN_THROUGHPUT,
)
from core.config import get_settings
from core.d360.client import DEFAULT_BASE_URL
from core.errors import UserFacingError
from core.failures import describe
from core.i18n import t
from pages.common import fixed_language_t, page_guard, store

actor = page_guard(Permission.MANAGE_CHANNELS)
translate = fixed_language_t()
st.title(t("channels.title"))

public_url = get_settings().public_url
if not public_url:
    st.warning(t("channels.public_url_missing"), icon=":material/warning:")


def generation_label(generation: str) -> str:
    return translate(f"channels.generation.{generation}")


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else t("channels.never")


def say_error(exc: UserFacingError) -> None:
    st.error(exc.message(), icon=":material/error:")


FLASH_KEY = "channels_flash"


def report_and_refresh(text: str) -> None:
    """Say ``text`` after a rerun, so the list above already shows what just changed."""
    st.session_state[FLASH_KEY] = text
    st.rerun()


if FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(FLASH_KEY), icon=":material/check_circle:")


# --- Add channel → WhatsApp → 360Dialog (seed points 1-3) ---------------------------------------

with st.container(border=True):
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
                GENERATIONS,
                format_func=generation_label,
                key="add_generation",
            )
        done = st.form_submit_button(t("channels.done"), type="primary")
    if done:
        try:
            with store() as session:
                result = connect_channel(
                    session,
                    actor,
                    number=number,
                    api_key=api_key,
                    name=name,
                    base_url=base_url,
                    generation=generation,
                    public_url=public_url,
                )
        except UserFacingError as exc:
            say_error(exc)
        else:
            st.success(
                t(
                    "channels.connected",
                    name=result.channel.name,
                    number=result.channel.number,
                    url=result.channel.webhook_url,
                ),
                icon=":material/check_circle:",
            )
            if result.previous_webhook_url:
                st.info(t("channels.previous_webhook", url=result.previous_webhook_url))

# --- The channels ---------------------------------------------------------------------------

with store() as session:
    connected = list_channels(session, actor)
    health = {info.id: channel_health(session, actor, info.id) for info in connected}

st.subheader(t("channels.list"))
if not connected:
    st.info(t("channels.none"))
else:
    st.dataframe(
        pd.DataFrame(
            [
                {
                    t("channels.name"): info.name,
                    t("channels.number"): info.number,
                    t("channels.api_key"): info.api_key_hint,
                    t("channels.webhook_url"): info.webhook_url or "",
                    t("channels.last_webhook"): when(health[info.id].last_webhook_at),
                    t("channels.messages_today"): health[info.id].messages_today_text,
                }
                for info in connected
            ]
        ),
        hide_index=True,
        width="stretch",
    )

for info in connected:
    state = health[info.id]
    with st.expander(f"{info.name} · {info.number}", expanded=len(connected) == 1):
        st.markdown(
            t(
                "channels.health_line",
                last_webhook=when(state.last_webhook_at),
                last_error=(
                    describe(state.last_error_code, state.last_error)
                    if state.last_error
                    else t("channels.no_error")
                ),
                messages=state.messages_today_text,
            )
        )
        if state.last_error:
            st.caption(t("channels.last_error_at", at=when(state.last_error_at)))
        st.caption(
            t(
                "channels.details",
                hint=info.api_key_hint,
                url=info.webhook_url or "",
                generation=generation_label(info.generation),
                base_url=info.base_url,
            )
        )

        # Settings (seed points 5-6): safe to change at any time.
        with st.form(f"settings_{info.id}"):
            new_name = st.text_input(
                t("channels.name"), value=info.name, key=f"settings_name_{info.id}"
            )
            greeting = st.text_area(
                t("channels.greeting"),
                value=info.greeting_message,
                key=f"settings_greeting_{info.id}",
                max_chars=MAX_GREETING_LENGTH,
            )
            st.caption(t("channels.greeting_help"))
            pace = st.number_input(
                t("channels.throughput"),
                min_value=MIN_THROUGHPUT,
                max_value=MAX_THROUGHPUT,
                value=info.throughput_mps,
                help=t("channels.throughput_help"),
                key=f"settings_pace_{info.id}",
            )
            save = st.form_submit_button(t("channels.save_settings"))
        if save:
            try:
                with store() as session:
                    update_channel_settings(
                        session,
                        actor,
                        info.id,
                        name=new_name,
                        greeting_message=greeting,
                        throughput_mps=int(pace),
                    )
            except UserFacingError as exc:
                say_error(exc)
            else:
                report_and_refresh(t("channels.settings_saved", name=new_name.strip()))

        # Number or key (seed point 7): checked with 360Dialog before anything is saved.
        st.markdown(f"**{t('channels.change_title')}**")
        st.warning(t("channels.change_warning"), icon=":material/warning:")
        with st.form(f"connection_{info.id}"):
            change_number = st.text_input(
                t("channels.number"), value=info.number, key=f"change_number_{info.id}"
            )
            change_key = st.text_input(
                t("channels.new_api_key"), type="password", key=f"change_api_key_{info.id}"
            )
            change_base_url = st.text_input(
                t("channels.base_url"), value=info.base_url, key=f"change_base_url_{info.id}"
            )
            change = st.form_submit_button(t("channels.change_submit"))
        if change:
            try:
                with store() as session:
                    changed = change_connection(
                        session,
                        actor,
                        info.id,
                        number=change_number,
                        api_key=change_key or None,
                        base_url=change_base_url,
                        public_url=public_url,
                    )
            except UserFacingError as exc:
                say_error(exc)
            else:
                lines = []
                if changed.number_changed:
                    lines.append(
                        t(
                            "channels.changed_number",
                            old=changed.old_number,
                            new=changed.channel.number,
                        )
                    )
                if changed.key_changed:
                    lines.append(t("channels.changed_key", hint=changed.channel.api_key_hint))
                if changed.base_url_changed:
                    lines.append(t("channels.changed_base_url", url=changed.channel.base_url))
                if not (changed.number_changed or changed.key_changed or changed.base_url_changed):
                    lines.append(t("channels.changed_nothing"))
                lines.append(t("channels.changed_webhook", url=changed.channel.webhook_url))
                report_and_refresh("\n\n".join(lines))

        with st.form(f"deactivate_{info.id}"):
            st.caption(t("channels.deactivate_help"))
            sure = st.checkbox(t("channels.deactivate_confirm"), key=f"deactivate_sure_{info.id}")
            deactivate = st.form_submit_button(t("channels.deactivate"))
        if deactivate:
            if not sure:
                st.error(t("channels.deactivate_unconfirmed"))
            else:
                with store() as session:
                    deactivate_channel(session, actor, info.id)
                report_and_refresh(t("channels.deactivated", name=info.name))
