"""The builder's carousel: its cards in the form (``tb_card_<n>_…``) ↔ the ``CAROUSEL`` part.

A media card carousel is a body followed by 2 to 10 cards; every card has the same parts: an image
or video header reviewed from its own uploaded sample (``example.header_handle``), a body of its own
with samples of its variables, and the same buttons (a quick reply, a website button, or both) in
the same order. Meta's page, whose example ``tests/testdata/template_rules/approved`` keeps:
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/media-card-carousel-templates

So the form holds what all cards share once (``tb_card_count``, ``tb_card_format``,
``tb_card_qr_on``, ``tb_card_url_on``) and each card's own texts under ``card_key(n, …)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.templates.anatomy import (
    buttons_of,
    cards_of,
    component_of,
    examples_of,
    header_format_of,
    kind_of,
    sample_handles,
)
from core.templates.draft_parts import Sample, media_header, with_examples

__all__ = [
    "CARD_DEFAULTS",
    "CARD_FORMATS",
    "MOST_CARDS",
    "card_key",
    "carousel_from_form",
    "fields_of_carousel",
]

CARD_FORMATS = ("IMAGE", "VIDEO")
MOST_CARDS = 10
CARD_DEFAULTS: dict[str, Any] = {
    "tb_card_count": 2,
    "tb_card_format": "IMAGE",
    "tb_card_qr_on": True,
    "tb_card_url_on": False,
}
"""What every card shares: how many, their header format and which buttons they have."""


def card_key(card: int, leaf: str) -> str:
    """The form key of one card's field: ``card_key(0, "body")`` → ``tb_card_0_body``."""
    return f"tb_card_{card}_{leaf}"


def carousel_from_form(state: Mapping[str, Any], named: bool, sample: Sample) -> dict[str, Any]:
    """The ``CAROUSEL`` part: each card's header (with its uploaded sample), body and buttons."""
    header_format = state.get("tb_card_format", "IMAGE")
    count = int(state.get("tb_card_count") or 0)
    cards = []
    for card in range(count):
        components = [media_header(header_format, state.get(card_key(card, "handle")))]
        text = state.get(card_key(card, "body"), "")
        if text.strip():
            body = {"type": "BODY", "text": text}
            components.append(with_examples(body, "body", named, sample(card_key(card, "ex_"))))
        buttons = _card_buttons(state, card)
        if buttons:
            components.append({"type": "BUTTONS", "buttons": buttons})
        cards.append({"components": components})
    return {"type": "CAROUSEL", "cards": cards}


def _card_buttons(state: Mapping[str, Any], card: int) -> list[dict[str, Any]]:
    buttons: list[dict[str, Any]] = []
    if state.get("tb_card_qr_on"):
        buttons.append({"type": "QUICK_REPLY", "text": state.get(card_key(card, "qr"), "")})
    if state.get("tb_card_url_on"):
        url = state.get(card_key(card, "url"), "")
        button: dict[str, Any] = {
            "type": "URL",
            "text": state.get(card_key(card, "url_text"), ""),
            "url": url,
        }
        if "{{" in url:
            button["example"] = [state.get(card_key(card, "url_example"), "")]
        buttons.append(button)
    return buttons


def fields_of_carousel(body: Mapping[str, Any]) -> dict[str, Any]:
    """The widget values that show ``body``'s cards (nothing when it has no carousel). What all
    cards share is read from the first; the rules say when another card differs."""
    cards = cards_of(body)
    if component_of(body, "CAROUSEL") is None:
        return {}
    first = cards[0] if cards else {}
    first_header = component_of(first, "HEADER")
    header_format = header_format_of(first_header) if first_header else ""
    first_buttons = {kind_of(button) for button in buttons_of(first)}
    fields: dict[str, Any] = {
        "tb_card_count": len(cards),
        "tb_card_format": header_format if header_format in CARD_FORMATS else "IMAGE",
        "tb_card_qr_on": "QUICK_REPLY" in first_buttons,
        "tb_card_url_on": "URL" in first_buttons,
    }
    for card, content in enumerate(cards):
        fields.update(_card_fields(card, content))
    return fields


def _card_fields(card: int, content: Mapping[str, Any]) -> dict[str, Any]:
    header = component_of(content, "HEADER")
    handles = sample_handles(header) if header else []
    body = component_of(content, "BODY") or {}
    fields: dict[str, Any] = {
        card_key(card, "handle"): handles[0] if handles else None,
        card_key(card, "body"): str(body.get("text") or ""),
    }
    for name, value in examples_of(body, "body").items():
        fields[card_key(card, f"ex_{name}")] = value
    for button in buttons_of(content):
        if kind_of(button) == "QUICK_REPLY":
            fields[card_key(card, "qr")] = str(button.get("text") or "")
        elif kind_of(button) == "URL":
            example = button.get("example")
            sample = example[0] if isinstance(example, list) and example else example
            fields[card_key(card, "url_text")] = str(button.get("text") or "")
            fields[card_key(card, "url")] = str(button.get("url") or "")
            fields[card_key(card, "url_example")] = str(sample or "")
    return fields
