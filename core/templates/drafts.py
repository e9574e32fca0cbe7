"""The template builder's form and the template body it describes, both ways.

The builder's form is a flat mapping of its widgets' values (``tb_name``, ``tb_body``, one
``tb_body_ex_<variable>`` per sample, ``tb_qr_<n>`` per quick reply, ``tb_card_<n>_body`` per
carousel card…). ``body_from_form`` turns it into the body 360Dialog takes to create a template
(nothing is checked here: ``rules`` validates), and ``form_from_body`` turns a stored draft back
into widget values so it can be edited. Kept out of the page so both directions can be tested
without Streamlit.

The form's ``tb_type`` is the kind of template, each built as Meta's page for it shows:

- ``standard``: a body; ``media``: header, body, footer and buttons
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components);
- ``coupon``: a media template whose buttons include a copy-code button with its sample code
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/coupon-templates);
- ``offer``: a limited-time offer: an optional image or video header, the offer's text and whether
  it shows its expiry, the body, a copy-code and a website button, no footer
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/limited-time-offer-templates);
- ``carousel``: a body above 2 to 10 cards (``core.templates.card_drafts``);
- ``authentication``: Meta writes the text; the business chooses the copy-code button's label, the
  security note and the code's expiry
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.templates.anatomy import buttons_of, component_of, examples_of, is_named, kind_of
from core.templates.card_drafts import CARD_DEFAULTS, carousel_from_form, fields_of_carousel
from core.templates.draft_parts import Sample, media_header, sample_of, with_examples
from core.templates.rules.offers import coupon_code
from core.templates.vocabulary import CATEGORIES, LANGUAGES

__all__ = [
    "DEFAULTS",
    "FIXED_CATEGORIES",
    "HEADER_FORMATS",
    "KINDS",
    "NOT_WIDGETS",
    "OFFER_HEADER_FORMATS",
    "body_from_form",
    "form_from_body",
]

KINDS = ("standard", "media", "coupon", "offer", "carousel", "authentication")
"""The kinds of template the builder composes, in the order it offers them."""
HEADER_FORMATS = ("NONE", "TEXT", "IMAGE", "DOCUMENT", "VIDEO")
OFFER_HEADER_FORMATS = ("NONE", "IMAGE", "VIDEO")
"""A limited-time offer's header is an image, a video or none (Meta's offer page)."""
FIXED_CATEGORIES = {
    "coupon": "MARKETING",
    "offer": "MARKETING",
    "carousel": "MARKETING",
    "authentication": "AUTHENTICATION",
}
"""The category Meta requires of a kind: coupon codes, offers and carousels are marketing."""
WITH_HEADER = frozenset({"media", "coupon", "offer"})
WITH_FOOTER = frozenset({"media", "coupon"})
DEFAULTS: dict[str, Any] = {
    "tb_name": "",
    "tb_category": "MARKETING",
    "tb_language": "es",
    "tb_type": "standard",
    "tb_header_format": "NONE",
    "tb_header_text": "",
    "tb_body": "",
    "tb_footer": "",
    "tb_url_on": False,
    "tb_url_text": "",
    "tb_url": "",
    "tb_url_example": "",
    "tb_phone_on": False,
    "tb_phone_text": "",
    "tb_phone_number": "",
    "tb_coupon_code": "",
    "tb_offer_text": "",
    "tb_offer_expires": True,
    "tb_otp_text": "",
    "tb_security": True,
    "tb_expiry_on": False,
    "tb_expiry_minutes": 10,
    **CARD_DEFAULTS,
}
"""The form's widgets and the value each starts with (a card's own widgets come and go with it)."""
NOT_WIDGETS = {
    "tb_qr_count": 0,
    "tb_header_handle": None,
    "tb_header_upload": None,
    "tb_header_upload_error": None,
}
"""Form state that no widget edits: how many quick replies, the uploaded sample's handle (a
carousel card's handle is ``card_key(n, "handle")``)."""


def body_from_form(state: Mapping[str, Any], *, for_preview: bool = False) -> dict[str, Any]:
    """The template body as the widgets describe it (nothing checked here: core validates).

    ``for_preview`` keeps a variable without an example as ``{{1}}`` in the bubble instead of
    filling it with nothing."""
    kind = state.get("tb_type") if state.get("tb_type") in KINDS else "standard"
    body_text = state.get("tb_body", "")
    header_format = _header_format(state, kind)
    header_text = state.get("tb_header_text", "") if header_format == "TEXT" else ""
    named = is_named(
        {
            "components": [
                {"type": "HEADER", "text": header_text},
                {"type": "BODY", "text": body_text},
            ]
        }
    )
    if kind == "authentication":
        components = _authentication_parts(state)
    else:
        sample = sample_of(state, for_preview)
        components = _header(state, header_format, header_text, named, sample)
        if kind == "offer":
            components.append(_offer_part(state))
        body = {"type": "BODY", "text": body_text}
        components.append(with_examples(body, "body", named, sample("tb_body_ex_")))
        if kind in WITH_FOOTER and state.get("tb_footer", "").strip():
            components.append({"type": "FOOTER", "text": state["tb_footer"]})
        if kind == "carousel":
            components.append(carousel_from_form(state, named, sample))
        buttons = _buttons_from_form(state, kind)
        if buttons:
            components.append({"type": "BUTTONS", "buttons": buttons})
    template: dict[str, Any] = {
        "name": state.get("tb_name", "").strip(),
        "category": FIXED_CATEGORIES.get(kind, state.get("tb_category", "")),
        "language": state.get("tb_language", ""),
        "components": components,
    }
    if named and kind != "authentication":
        template["parameter_format"] = "NAMED"
    return template


def _header_format(state: Mapping[str, Any], kind: str) -> str:
    chosen = state.get("tb_header_format", "NONE") if kind in WITH_HEADER else "NONE"
    allowed = OFFER_HEADER_FORMATS if kind == "offer" else HEADER_FORMATS
    return chosen if chosen in allowed else "NONE"


def _header(
    state: Mapping[str, Any], header_format: str, text: str, named: bool, sample: Sample
) -> list[dict[str, Any]]:
    """The header as a one-part list (empty without a header): text with its samples, or media
    with its uploaded sample file."""
    if header_format == "TEXT":
        header = {"type": "HEADER", "format": "TEXT", "text": text}
        return [with_examples(header, "header", named, sample("tb_header_ex_"))]
    if header_format != "NONE":
        return [media_header(header_format, state.get("tb_header_handle"))]
    return []


def _offer_part(state: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "type": "LIMITED_TIME_OFFER",
        "limited_time_offer": {
            "text": state.get("tb_offer_text", ""),
            "has_expiration": bool(state.get("tb_offer_expires")),
        },
    }


def _authentication_parts(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Body and footer carry only Meta's settings (Meta writes their text); one copy-code button,
    whose label, left empty, is Meta's own in the template's language."""
    parts: list[dict[str, Any]] = [
        {"type": "BODY", "add_security_recommendation": bool(state.get("tb_security"))}
    ]
    if state.get("tb_expiry_on"):
        minutes = state.get("tb_expiry_minutes")
        parts.append({"type": "FOOTER", "code_expiration_minutes": minutes})
    button: dict[str, Any] = {"type": "OTP", "otp_type": "COPY_CODE"}
    if str(state.get("tb_otp_text", "")).strip():
        button["text"] = state["tb_otp_text"]
    parts.append({"type": "BUTTONS", "buttons": [button]})
    return parts


def _buttons_from_form(state: Mapping[str, Any], kind: str) -> list[dict[str, Any]]:
    """Quick replies first, then the copy-code, website and call buttons (Meta refuses quick
    replies interleaved with the others). An offer has only its copy-code and website buttons,
    and its copy-code button only when the offer expires or a code is given."""
    if kind not in ("media", "coupon", "offer"):
        return []
    buttons: list[dict[str, Any]] = []
    if kind != "offer":
        buttons += [
            {"type": "QUICK_REPLY", "text": state.get(f"tb_qr_{index}", "")}
            for index in range(state.get("tb_qr_count", 0))
        ]
    code = str(state.get("tb_coupon_code", "")).strip()
    offer_code = kind == "offer" and (code or state.get("tb_offer_expires"))
    if kind == "coupon" or offer_code:
        buttons.append({"type": "COPY_CODE", "example": code})
    if state.get("tb_url_on"):
        url = state.get("tb_url", "")
        button: dict[str, Any] = {"type": "URL", "text": state.get("tb_url_text", ""), "url": url}
        if "{{" in url:
            button["example"] = [state.get("tb_url_example", "")]
        buttons.append(button)
    if state.get("tb_phone_on") and kind != "offer":
        buttons.append(
            {
                "type": "PHONE_NUMBER",
                "text": state.get("tb_phone_text", ""),
                "phone_number": state.get("tb_phone_number", ""),
            }
        )
    return buttons


def kind_of_body(body: Mapping[str, Any]) -> str:
    """Which of the builder's kinds ``body`` is: its category, then its distinctive part."""
    if str(body.get("category") or "").upper() == "AUTHENTICATION":
        return "authentication"
    if component_of(body, "CAROUSEL") is not None:
        return "carousel"
    if component_of(body, "LIMITED_TIME_OFFER") is not None:
        return "offer"
    if any(kind_of(button) == "COPY_CODE" for button in buttons_of(body)):
        return "coupon"
    components = [c for c in body.get("components") or [] if isinstance(c, Mapping)]
    return "media" if {kind_of(c) for c in components} - {"BODY"} else "standard"


def form_from_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """The widget values that show ``body`` (a draft being loaded) in the form."""
    values: dict[str, Any] = {**DEFAULTS, **NOT_WIDGETS}
    values["tb_name"] = str(body.get("name") or "")
    category = str(body.get("category") or "").upper()
    values["tb_category"] = category if category in CATEGORIES else CATEGORIES[0]
    language = str(body.get("language") or "")
    values["tb_language"] = language if language in LANGUAGES else DEFAULTS["tb_language"]
    values["tb_type"] = kind = kind_of_body(body)
    if kind == "authentication":
        values.update(_authentication_fields(body))
        return values
    body_part = component_of(body, "BODY") or {}
    values["tb_body"] = str(body_part.get("text") or "")
    for name, sample in examples_of(body_part, "body").items():
        values[f"tb_body_ex_{name}"] = sample
    header = component_of(body, "HEADER")
    if header is not None:
        values.update(_header_fields(header))
    footer = component_of(body, "FOOTER")
    if footer is not None:
        values["tb_footer"] = str(footer.get("text") or "")
    offer = component_of(body, "LIMITED_TIME_OFFER")
    if offer is not None:
        values.update(_offer_fields(offer))
    values.update(_button_fields(buttons_of(body)))
    values.update(fields_of_carousel(body))
    return values


def _authentication_fields(body: Mapping[str, Any]) -> dict[str, Any]:
    body_part = component_of(body, "BODY") or {}
    footer = component_of(body, "FOOTER") or {}
    minutes = footer.get("code_expiration_minutes")
    otp = next((b for b in buttons_of(body) if kind_of(b) == "OTP"), {})
    return {
        "tb_security": body_part.get("add_security_recommendation") is True,
        "tb_expiry_on": minutes is not None,
        "tb_expiry_minutes": minutes if isinstance(minutes, int) else DEFAULTS["tb_expiry_minutes"],
        "tb_otp_text": str(otp.get("text") or ""),
    }


def _offer_fields(offer: Mapping[str, Any]) -> dict[str, Any]:
    details = offer.get("limited_time_offer")
    details = details if isinstance(details, Mapping) else {}
    return {
        "tb_offer_text": str(details.get("text") or ""),
        "tb_offer_expires": details.get("has_expiration") is True,
    }


def _header_fields(header: Mapping[str, Any]) -> dict[str, Any]:
    """The header's widgets: its format, and its text and samples or its sample file's handle."""
    header_format = str(header.get("format") or "TEXT").upper()
    fields: dict[str, Any] = {
        "tb_header_format": header_format if header_format in HEADER_FORMATS else "NONE"
    }
    if header_format == "TEXT":
        fields["tb_header_text"] = str(header.get("text") or "")
        for name, sample in examples_of(header, "header").items():
            fields[f"tb_header_ex_{name}"] = sample
    else:
        example = header.get("example")
        handles = example.get("header_handle") if isinstance(example, Mapping) else None
        fields["tb_header_handle"] = handles[0] if isinstance(handles, list) and handles else None
    return fields


def _button_fields(buttons: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The buttons' widgets: every quick reply, the coupon code, and the first website and call
    button (the form has room for one of each)."""
    fields: dict[str, Any] = {"tb_url_on": False, "tb_phone_on": False}
    quick_replies = 0
    for button in buttons:
        kind = kind_of(button)
        if kind == "QUICK_REPLY":
            fields[f"tb_qr_{quick_replies}"] = str(button.get("text") or "")
            quick_replies += 1
        elif kind == "COPY_CODE":
            fields["tb_coupon_code"] = coupon_code(button)
        elif kind == "URL" and not fields["tb_url_on"]:
            example = button.get("example")
            sample = example[0] if isinstance(example, list) and example else example
            fields.update(
                tb_url_on=True,
                tb_url_text=str(button.get("text") or ""),
                tb_url=str(button.get("url") or ""),
                tb_url_example=str(sample or ""),
            )
        elif kind == "PHONE_NUMBER" and not fields["tb_phone_on"]:
            fields.update(
                tb_phone_on=True,
                tb_phone_text=str(button.get("text") or ""),
                tb_phone_number=str(button.get("phone_number") or ""),
            )
    fields["tb_qr_count"] = quick_replies
    return fields
