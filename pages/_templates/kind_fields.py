"""The builder's fields of the kinds Meta defines beyond header, body, footer and buttons: a coupon
code, a limited-time offer, and an authentication template's settings.

What each field means and its limits are Meta's: coupon codes
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/coupon-templates),
limited-time offers
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/limited-time-offer-templates)
and copy-code authentication templates
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates).
"""

from __future__ import annotations

import streamlit as st

from core.i18n import t
from core.templates.limits import Limits
from core.templates.rules.offers import COUPON_CODE_LENGTH, OFFER_TEXT_LENGTH


def coupon_code_field() -> None:
    """The code the copy-code button copies, as WhatsApp's reviewers read it."""
    st.text_input(
        t("template_pages.builder.coupon_code"),
        key="tb_coupon_code",
        max_chars=COUPON_CODE_LENGTH,
        placeholder="OTONO25",
        help=t("template_pages.builder.coupon_code_help", limit=COUPON_CODE_LENGTH),
    )


def offer_fields() -> None:
    """The offer's banner text and whether it counts down to its expiry."""
    st.subheader(t("template_pages.builder.offer"))
    st.text_input(
        t("template_pages.builder.offer_text"),
        key="tb_offer_text",
        max_chars=OFFER_TEXT_LENGTH,
        help=t("template_pages.builder.offer_text_help", limit=OFFER_TEXT_LENGTH),
    )
    st.toggle(
        t("template_pages.builder.offer_expires"),
        key="tb_offer_expires",
        help=t("template_pages.builder.offer_expires_help"),
    )


def authentication_fields(limits: Limits) -> None:
    """What a business chooses of an authentication template; Meta writes its text. The minutes
    have no bounds in the widget, so a draft holding a value Meta refuses loads and the rules say
    why (1 to 90)."""
    st.subheader(t("template_pages.builder.otp"))
    st.caption(t("template_pages.builder.otp_intro"))
    st.text_input(
        t("template_pages.builder.otp_text"),
        key="tb_otp_text",
        max_chars=limits.button_text_length,
        help=t("template_pages.builder.otp_text_help"),
    )
    st.checkbox(t("template_pages.builder.security"), key="tb_security")
    expiry_column, minutes_column = st.columns(2, vertical_alignment="bottom")
    expires = expiry_column.toggle(t("template_pages.builder.expiry_on"), key="tb_expiry_on")
    if expires:
        minutes_column.number_input(
            t("template_pages.builder.expiry_minutes"),
            key="tb_expiry_minutes",
            step=1,
        )
