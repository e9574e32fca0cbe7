"""The builder's carousel: what every card shares, then each card's sample, text and buttons.

Meta requires the same parts on every card (the same header format, a body on each, the same
buttons in the same order), so the shared choices are made once above the cards and each card
only holds its own file and words:
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/media-card-carousel-templates
"""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.i18n import t
from core.templates.card_drafts import CARD_FORMATS, MOST_CARDS, card_key
from core.templates.limits import Limits
from core.templates.rules.carousel import CARD_BODY_LENGTH
from pages._templates.examples import examples_row
from pages._templates.sample_upload import card_sample, sample_field


def shared_card_fields() -> int:
    """How many cards, their header format and their buttons; returns how many cards."""
    count_column, format_column = st.columns(2)
    count = count_column.number_input(
        t("template_pages.builder.card_count"),
        key="tb_card_count",
        min_value=1,
        max_value=max(MOST_CARDS, int(st.session_state.get("tb_card_count") or 0)),
        step=1,
        help=t("template_pages.builder.card_count_help", most=MOST_CARDS),
    )
    formats = {code: t(f"template_pages.builder.header.{code}") for code in CARD_FORMATS}
    format_column.radio(
        t("template_pages.builder.card_format"),
        CARD_FORMATS,
        format_func=formats.__getitem__,
        key="tb_card_format",
        horizontal=True,
    )
    quick_reply_column, url_column = st.columns(2)
    quick_reply_column.toggle(t("template_pages.builder.card_qr"), key="tb_card_qr_on")
    url_column.toggle(t("template_pages.builder.card_url"), key="tb_card_url_on")
    return int(count)


def card_buttons(card: int, limits: Limits) -> None:
    if st.session_state.get("tb_card_qr_on"):
        st.text_input(
            t("template_pages.builder.card_qr_text"),
            key=card_key(card, "qr"),
            max_chars=limits.button_text_length,
        )
    if not st.session_state.get("tb_card_url_on"):
        return
    text_column, url_column = st.columns(2)
    text_column.text_input(
        t("template_pages.builder.button_text"),
        key=card_key(card, "url_text"),
        max_chars=limits.button_text_length,
    )
    url_column.text_input(
        t("template_pages.builder.url"),
        key=card_key(card, "url"),
        placeholder="https://shop.example.com/item/{{1}}",
        help=t("template_pages.builder.url_help"),
    )
    if "{{" in st.session_state.get(card_key(card, "url"), ""):
        st.text_input(t("template_pages.builder.url_example"), key=card_key(card, "url_example"))


def card_fields(actor: Actor, channel_id: int, limits: Limits, card: int) -> None:
    """One card: its sample file (uploaded at once), its text and examples, its buttons."""
    number = card + 1
    with st.container(border=True):
        st.markdown(f"**{t('template_pages.builder.card', number=number)}**")
        media = st.session_state.get("tb_card_format", "IMAGE")
        label = t("template_pages.builder.card_file", number=number)
        sample_field(actor, channel_id, media, card_sample(card), label)
        st.text_area(
            t("template_pages.builder.card_body", number=number),
            key=card_key(card, "body"),
            height=80,
            help=t(
                "template_pages.builder.card_body_help",
                limit=CARD_BODY_LENGTH,
                v1="{{1}}",
                v2="{{2}}",
            ),
        )
        examples_row(st.session_state.get(card_key(card, "body"), ""), card_key(card, "ex_"))
        card_buttons(card, limits)


def carousel_fields(actor: Actor, channel_id: int, limits: Limits) -> None:
    st.subheader(t("template_pages.builder.cards"))
    st.caption(t("template_pages.builder.cards_intro"))
    for card in range(shared_card_fields()):
        card_fields(actor, channel_id, limits, card)
