"""The template builder's form: the kind of template, name, category, language, then the parts that
kind has (header, body, footer, buttons, an offer, cards, a verification code's settings).

Plain widgets (no ``st.form``) so every change reruns the page: the variables found in a text get
their example inputs at once. The widgets' keys are those ``core.templates.drafts`` reads
(``tb_name``, ``tb_body_ex_<variable>``, ``tb_qr_<n>``…) to build the body 360Dialog takes.
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.i18n import t
from core.templates.anatomy import ordered_variables
from core.templates.drafts import FIXED_CATEGORIES, HEADER_FORMATS, KINDS, OFFER_HEADER_FORMATS
from core.templates.limits import Limits
from core.templates.vocabulary import CATEGORIES, LANGUAGES
from pages._templates.card_fields import carousel_fields
from pages._templates.examples import example_input, examples_row
from pages._templates.kind_fields import authentication_fields, coupon_code_field, offer_fields
from pages._templates.sample_upload import HEADER_SAMPLE, sample_field
from pages._widgets.labels import category_label, in_this_language, language_label


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


def header_fields(
    actor: Actor, channel_id: int, limits: Limits, header_formats: tuple[str, ...]
) -> None:
    st.subheader(t("template_pages.builder.header"))
    if st.session_state.get("tb_header_format") not in header_formats:
        st.session_state["tb_header_format"] = "NONE"
    formats = {code: t(f"template_pages.builder.header.{code}") for code in header_formats}
    header_format = st.radio(
        t("template_pages.builder.header_format"),
        header_formats,
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
        label = t("template_pages.builder.header_file")
        sample_field(actor, channel_id, header_format, HEADER_SAMPLE, label)


def body_fields() -> None:
    st.subheader(t("template_pages.builder.body"))
    st.text_area(
        t("template_pages.builder.body_text"),
        key="tb_body",
        height=140,
        help=t("template_pages.builder.body_help"),
        placeholder=t("template_pages.builder.body_placeholder"),
    )
    examples_row(st.session_state.get("tb_body", ""), "tb_body_ex_")


def footer_field(limits: Limits) -> None:
    st.subheader(t("template_pages.builder.footer"))
    st.text_input(
        t("template_pages.builder.footer_text"), key="tb_footer", max_chars=limits.footer_length
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


def url_button_fields(limits: Limits) -> None:
    if not st.toggle(t("template_pages.builder.url_button"), key="tb_url_on"):
        return
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


def phone_button_fields(limits: Limits) -> None:
    if not st.toggle(t("template_pages.builder.phone_button"), key="tb_phone_on"):
        return
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


def buttons_fields(limits: Limits, kind: str) -> None:
    """Quick replies, a coupon's code, then the website and call buttons; an offer has only its
    code and a website button."""
    st.subheader(t("template_pages.builder.buttons"))
    if kind != "offer":
        quick_reply_fields(limits)
    if kind in ("coupon", "offer"):
        coupon_code_field()
    st.markdown(f"**{t('template_pages.builder.call_to_action')}**")
    url_button_fields(limits)
    if kind != "offer":
        phone_button_fields(limits)


def identity_fields() -> str:
    """Kind, name, category and language; returns the kind. A kind Meta files under one
    category fixes it."""
    kinds = {kind: t(f"template_pages.builder.type.{kind}") for kind in KINDS}
    kind = st.radio(
        t("template_pages.builder.type"),
        KINDS,
        format_func=kinds.__getitem__,
        key="tb_type",
        horizontal=True,
    )
    st.text_input(
        t("template_pages.builder.name"),
        key="tb_name",
        placeholder="summer_offer_2",
        help=t("template_pages.builder.name_help"),
    )
    fixed = FIXED_CATEGORIES.get(kind)
    if fixed is not None:
        st.session_state["tb_category"] = fixed
    category_column, language_column = st.columns(2)
    category_column.selectbox(
        t("template_pages.category"),
        list(CATEGORIES),
        format_func=in_this_language(category_label),
        key="tb_category",
        disabled=fixed is not None,
        help=t("template_pages.builder.category_fixed") if fixed else None,
    )
    language_column.selectbox(
        t("template_pages.language"),
        list(LANGUAGES),
        format_func=language_label,
        key="tb_language",
        help=t("template_pages.language_help"),
    )
    return kind


def template_fields(actor: Actor, channel_id: int, limits: Limits) -> None:
    """Every field of the template the chosen kind has."""
    kind = identity_fields()
    if kind == "authentication":
        authentication_fields(limits)
        return
    if kind in ("media", "coupon"):
        header_fields(actor, channel_id, limits, HEADER_FORMATS)
    elif kind == "offer":
        header_fields(actor, channel_id, limits, OFFER_HEADER_FORMATS)
        offer_fields()
    body_fields()
    if kind == "carousel":
        carousel_fields(actor, channel_id, limits)
        return
    if kind in ("media", "coupon"):
        footer_field(limits)
    if kind != "standard":
        buttons_fields(limits, kind)
