"""Rules about offers: coupon codes (the copy-code button) and limited-time offers.

A copy-code button copies a coupon code the template was reviewed with: its ``example``, at most
15 characters (coupon code templates,
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/coupon-templates).

A limited-time offer adds a ``LIMITED_TIME_OFFER`` part (an offer text of at most 16 characters and
``has_expiration``) to a marketing template with no footer, a body of at most 600 characters and
an optional image or video header (limited-time offer templates,
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/limited-time-offer-templates).
An offer that shows its expiry counts down to the code the copy-code button carries, so it needs
one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.templates.anatomy import header_format_of, kind_of, text_of
from core.templates.rules.draft import Draft, button_field, button_values, part_field
from core.templates.violations import Violation

COUPON_CODE_LENGTH = 15
OFFER_TEXT_LENGTH = 16
OFFER_BODY_LENGTH = 600
OFFER_HEADER_FORMATS = ("IMAGE", "VIDEO")
OFFER_FIELD = "components.LIMITED_TIME_OFFER.limited_time_offer"


def coupon_code(button: Mapping[str, Any]) -> str:
    """A copy-code button's sample code: Meta's samples write it as a string or a one-item list."""
    example = button.get("example")
    sample = example[0] if isinstance(example, list) and example else example
    return sample.strip() if isinstance(sample, str) else ""


def check_copy_code_example(draft: Draft) -> list[Violation]:
    """A copy-code button carries a sample code of 1 to 15 characters."""
    found = []
    for index, button in enumerate(draft.buttons):
        if kind_of(button) != "COPY_CODE":
            continue
        code = coupon_code(button)
        if not code or len(code) > COUPON_CODE_LENGTH:
            found.append(
                Violation(
                    "copy_code_example",
                    button_field(index, "example"),
                    button_values(index, button, code=code, limit=COUPON_CODE_LENGTH),
                )
            )
    return found


def _offer(draft: Draft) -> Mapping[str, Any] | None:
    component = draft.accepted("LIMITED_TIME_OFFER")
    if component is None:
        return None
    offer = component.get("limited_time_offer")
    return offer if isinstance(offer, Mapping) else {}


def check_offer_text(draft: Draft) -> list[Violation]:
    """The offer's own text is required and at most 16 characters long."""
    offer = _offer(draft)
    if offer is None:
        return []
    text = text_of(offer.get("text"))
    if not text.strip():
        return [Violation("offer_text_empty", f"{OFFER_FIELD}.text", {})]
    if len(text) > OFFER_TEXT_LENGTH:
        return [
            Violation(
                "offer_text_length",
                f"{OFFER_FIELD}.text",
                {"limit": OFFER_TEXT_LENGTH, "length": len(text)},
            )
        ]
    return []


def check_offer_parts(draft: Draft) -> list[Violation]:
    """A limited-time offer is a marketing template without footer, whose header (if any) is an
    image or a video and whose body is at most 600 characters long."""
    if _offer(draft) is None:
        return []
    found = []
    if draft.category != "MARKETING":
        found.append(Violation("offer_category", "category", {"category": draft.category}))
    if draft.first("FOOTER") is not None:
        found.append(Violation("offer_footer", "components.FOOTER", {}))
    header = draft.first("HEADER")
    if header is not None and header_format_of(header) not in OFFER_HEADER_FORMATS:
        found.append(
            Violation(
                "offer_header_format",
                part_field("header", "format"),
                {"format": header_format_of(header)},
            )
        )
    body = draft.first("BODY")
    length = len(text_of(body.get("text"))) if body else 0
    if length > OFFER_BODY_LENGTH:
        found.append(
            Violation(
                "offer_body_length",
                part_field("body", "text"),
                {"limit": OFFER_BODY_LENGTH, "length": length},
            )
        )
    return found


def check_offer_code(draft: Draft) -> list[Violation]:
    """An offer that shows when it expires needs a copy-code button."""
    offer = _offer(draft)
    if offer is None or offer.get("has_expiration") is not True:
        return []
    if any(kind_of(button) == "COPY_CODE" for button in draft.buttons):
        return []
    return [Violation("offer_needs_copy_code", "components.BUTTONS.buttons", {})]
