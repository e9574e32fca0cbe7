"""The template builder's form: name, category, language, then header, body, footer and buttons.

Plain widgets (no ``st.form``) so every change reruns the page: the variables found in a text get
their example inputs at once. The widgets' keys are those ``core.templates.drafts`` reads
(``tb_name``, ``tb_body_ex_<variable>``, ``tb_qr_<n>``…) to build the body 360Dialog takes.
"""

from __future__ import annotations

import streamlit as st
from sqlmodel import Session
from streamlit.delta_generator import DeltaGenerator

from core.access.auth import Actor
from core.i18n import t
from core.templates.anatomy import ordered_variables
from core.templates.drafts import HEADER_FORMATS
from core.templates.limits import Limits
from core.templates.samples import upload_sample
from core.templates.vocabulary import CATEGORIES, LANGUAGES
from pages._widgets.flash import act, show_flash
from pages._widgets.labels import category_label, in_this_language, language_label

TYPES = ("standard", "media")
MEDIA_FILE_TYPES = {
    "IMAGE": ["jpg", "jpeg", "png"],
    "DOCUMENT": ["pdf"],
    "VIDEO": ["mp4", "3gp"],
}
UPLOAD_FLASH = "tb_header_upload_error"  # why the sample file was refused, until another is chosen


def add_quick_reply() -> None:
    count = st.session_state.get("tb_qr_count", 0)
    st.session_state[f"tb_qr_{count}"] = ""
    st.session_state["tb_qr_count"] = count + 1


def remove_quick_reply(index: int) -> None:
    count = st.session_state.get("tb_qr_count", 0)
    for later in range(index, count - 1):
        st.session_state[f"tb_qr_{later}"] = st.session_state.get(f"tb_qr_{later + 1}", "")
    st.session_state.pop(f"tb_qr_{count - 1}", None)
    st.session_state["tb_qr_count"] = max(0, count - 1)


def upload_header_example(actor: Actor, channel_id: int, header_format: str) -> None:
    """Upload the chosen sample file once; its handle is the template's ``header_handle``.

    A refused upload is not retried at every rerun: choosing the file again retries it."""
    upload = st.session_state.get("tb_header_file")
    if upload is None:
        return
    marker = (upload.file_id, header_format, channel_id)
    if st.session_state.get("tb_header_upload") != marker:
        st.session_state["tb_header_upload"] = marker
        st.session_state["tb_header_handle"] = None

        def keep_handle(session: Session) -> None:
            st.session_state["tb_header_handle"] = upload_sample(
                session,
                actor,
                channel_id,
                upload.getvalue(),
                upload.name,
                upload.type or "application/octet-stream",
            )

        act(UPLOAD_FLASH, keep_handle)
    show_flash(UPLOAD_FLASH, keep=True)


def example_input(name: str, key: str, column: DeltaGenerator | None = None) -> None:
    """The sample value of one variable, which WhatsApp's reviewers read in its place."""
    label = t("template_pages.builder.example_for", variable="{{" + name + "}}")
    (column if column is not None else st).text_input(label, key=key)


def header_fields(actor: Actor, channel_id: int, limits: Limits) -> None:
    st.subheader(t("template_pages.builder.header"))
    formats = {code: t(f"template_pages.builder.header.{code}") for code in HEADER_FORMATS}
    header_format = st.radio(
        t("template_pages.builder.header_format"),
        HEADER_FORMATS,
        format_func=formats.__getitem__,
        key="tb_header_format",
        horizontal=True,
    )
    if header_format == "TEXT":
        st.text_input(
            t("template_pages.builder.header_text"),
            key="tb_header_text",
            max_chars=limits.header_text_length,
            help=t("template_pages.builder.header_text_help"),
        )
        for name in ordered_variables(st.session_state.get("tb_header_text", "")):
            example_input(name, f"tb_header_ex_{name}")
    elif header_format != "NONE":
        st.file_uploader(
            t("template_pages.builder.header_file"),
            type=MEDIA_FILE_TYPES.get(header_format),
            key="tb_header_file",
            help=t("template_pages.builder.header_file_help"),
        )
        upload_header_example(actor, channel_id, header_format)
        if st.session_state.get("tb_header_handle"):
            st.caption(f":material/check_circle: {t('template_pages.builder.header_ready')}")


def body_fields() -> None:
    st.subheader(t("template_pages.builder.body"))
    st.text_area(
        t("template_pages.builder.body_text"),
        key="tb_body",
        height=140,
        help=t("template_pages.builder.body_help"),
        placeholder=t("template_pages.builder.body_placeholder"),
    )
    body_variables = ordered_variables(st.session_state.get("tb_body", ""))
    if body_variables:
        st.caption(t("template_pages.builder.examples_intro"))
        example_columns = st.columns(min(len(body_variables), 3))
        for position, name in enumerate(body_variables):
            example_input(
                name, f"tb_body_ex_{name}", example_columns[position % len(example_columns)]
            )


def quick_reply_fields(limits: Limits) -> None:
    st.markdown(f"**{t('template_pages.builder.quick_replies', limit=limits.quick_replies)}**")
    count = st.session_state.get("tb_qr_count", 0)
    for index in range(count):
        text_column, remove_column = st.columns([5, 1], vertical_alignment="bottom")
        text_column.text_input(
            t("template_pages.builder.quick_reply", number=index + 1),
            key=f"tb_qr_{index}",
            max_chars=limits.button_text_length,
        )
        remove_column.button(
            t("template_pages.builder.remove"),
            key=f"tb_qr_remove_{index}",
            on_click=remove_quick_reply,
            args=(index,),
        )
    st.button(
        t("template_pages.builder.add_quick_reply"),
        key="tb_qr_add",
        icon=":material/add:",
        on_click=add_quick_reply,
        disabled=count >= limits.quick_replies,
    )


def call_to_action_fields(limits: Limits) -> None:
    st.markdown(f"**{t('template_pages.builder.call_to_action')}**")
    if st.toggle(t("template_pages.builder.url_button"), key="tb_url_on"):
        url_text, url_address = st.columns(2)
        url_text.text_input(
            t("template_pages.builder.button_text"),
            key="tb_url_text",
            max_chars=limits.button_text_length,
        )
        url_address.text_input(
            t("template_pages.builder.url"),
            key="tb_url",
            placeholder="https://shop.example.com/order/{{1}}",
            help=t("template_pages.builder.url_help"),
        )
        if "{{" in st.session_state.get("tb_url", ""):
            st.text_input(
                t("template_pages.builder.url_example"),
                key="tb_url_example",
                placeholder="https://shop.example.com/order/A-12",
            )
    if st.toggle(t("template_pages.builder.phone_button"), key="tb_phone_on"):
        phone_text, phone_number = st.columns(2)
        phone_text.text_input(
            t("template_pages.builder.button_text"),
            key="tb_phone_text",
            max_chars=limits.button_text_length,
        )
        phone_number.text_input(
            t("template_pages.builder.phone_number"),
            key="tb_phone_number",
            placeholder="+34612345678",
        )


def template_fields(actor: Actor, channel_id: int, limits: Limits) -> None:
    """Every field of the template; a media template also has a header, footer and buttons."""
    st.text_input(
        t("template_pages.builder.name"),
        key="tb_name",
        placeholder="summer_offer_2",
        help=t("template_pages.builder.name_help"),
    )
    category_column, language_column = st.columns(2)
    category_column.selectbox(
        t("template_pages.category"),
        list(CATEGORIES),
        format_func=in_this_language(category_label),
        key="tb_category",
    )
    language_column.selectbox(
        t("template_pages.language"),
        list(LANGUAGES),
        format_func=language_label,
        key="tb_language",
        help=t("template_pages.language_help"),
    )
    types = {kind: t(f"template_pages.builder.type.{kind}") for kind in TYPES}
    template_type = st.radio(
        t("template_pages.builder.type"),
        TYPES,
        format_func=types.__getitem__,
        key="tb_type",
        horizontal=True,
    )
    is_media = template_type == "media"
    if is_media:
        header_fields(actor, channel_id, limits)
    body_fields()
    if is_media:
        st.subheader(t("template_pages.builder.footer"))
        st.text_input(
            t("template_pages.builder.footer_text"), key="tb_footer", max_chars=limits.footer_length
        )
        st.subheader(t("template_pages.builder.buttons"))
        quick_reply_fields(limits)
        call_to_action_fields(limits)
