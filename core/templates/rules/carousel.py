"""Rules about carousel templates: a marketing body followed by 2 to 10 cards that scroll sideways.

Every card has a media header (image or video, reviewed from a sample file like any media header)
or, in a product carousel, a product header; a media card may add a body of at most 160
characters and up to two buttons (quick reply, website or call), a product card one "View" (SPM)
or website button. All cards have the same parts: the same header format, a body on every card or
on none, and the same buttons in the same order. A carousel template has no header, footer or
buttons of its own. Media card carousels:
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/media-card-carousel-templates
and product card carousels:
https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/product-card-carousel-template-messages
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.templates.anatomy import (
    buttons_of,
    component_of,
    header_format_of,
    kind_of,
    sample_handles,
    text_of,
)
from core.templates.limits import Limits
from core.templates.rules.buttons import BUTTONS_NEEDING_TEXT, PHONE_NUMBER, url_problem
from core.templates.rules.draft import Draft, card_field
from core.templates.rules.variables import missing_examples, url_example_missing
from core.templates.violations import Violation

CARDS = range(2, 11)
CARD_BODY_LENGTH = 160
CARD_BUTTONS = {"IMAGE": 2, "VIDEO": 2, "PRODUCT": 1}
"""How many buttons a card may have, by its header format."""
MEDIA_CARD_FORMATS = frozenset({"IMAGE", "VIDEO"})
CARD_BUTTON_TYPES = {
    "IMAGE": frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER"}),
    "VIDEO": frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER"}),
    "PRODUCT": frozenset({"SPM", "URL"}),
}
"""Which buttons a card may have, by its header format."""
CAROUSEL_FIELD = "components.CAROUSEL.cards"


def _header_format(card: Mapping[str, Any]) -> str:
    header = component_of(card, "HEADER")
    return header_format_of(header) if header else ""


def check_carousel_cards(draft: Draft) -> list[Violation]:
    """2 to 10 cards, each with an image, video or product header, all of the same format."""
    if draft.accepted("CAROUSEL") is None:
        return []
    cards = draft.cards
    found = []
    if len(cards) not in CARDS:
        found.append(
            Violation(
                "carousel_cards_count",
                CAROUSEL_FIELD,
                {"count": len(cards), "least": CARDS.start, "most": CARDS.stop - 1},
            )
        )
    formats = [_header_format(card) for card in cards]
    for number, header_format in enumerate(formats):
        if header_format not in CARD_BUTTON_TYPES:
            found.append(
                Violation(
                    "card_header_format",
                    card_field(number, "HEADER.format"),
                    {"card": number + 1, "format": header_format},
                )
            )
    if len(set(formats)) > 1:
        found.append(Violation("cards_header_mixed", CAROUSEL_FIELD, {}))
    return found


def check_carousel_parts(draft: Draft) -> list[Violation]:
    """A carousel is a marketing template whose only other part is its body."""
    if draft.accepted("CAROUSEL") is None:
        return []
    found = [
        Violation("carousel_extra_part", f"components.{kind}", {"part": kind.lower()})
        for kind in ("HEADER", "FOOTER", "BUTTONS")
        if draft.first(kind) is not None
    ]
    if draft.category != "MARKETING":
        found.append(Violation("carousel_category", "category", {"category": draft.category}))
    return found


def check_card_media_example(draft: Draft) -> list[Violation]:
    """Each media card carries a sample file (``example.header_handle``) for Meta's review."""
    found = []
    for number, card in enumerate(draft.cards):
        header = component_of(card, "HEADER")
        if header is None or header_format_of(header) not in MEDIA_CARD_FORMATS:
            continue
        if not sample_handles(header):
            found.append(
                Violation(
                    "card_media_example",
                    card_field(number, "HEADER.example"),
                    {"card": number + 1},
                )
            )
    return found


def check_card_bodies(draft: Draft) -> list[Violation]:
    """A card's body is at most 160 characters; a body on every card or on none."""
    found = []
    bodies = [component_of(card, "BODY") for card in draft.cards]
    for number, body in enumerate(bodies):
        if body is None:
            continue
        text = text_of(body.get("text"))
        if len(text) > CARD_BODY_LENGTH:
            found.append(
                Violation(
                    "card_body_length",
                    card_field(number, "BODY.text"),
                    {"card": number + 1, "limit": CARD_BODY_LENGTH, "length": len(text)},
                )
            )
    if len({body is None for body in bodies}) > 1:
        found.append(Violation("cards_body_mixed", CAROUSEL_FIELD, {}))
    return found


def check_card_variable_examples(draft: Draft) -> list[Violation]:
    """Every variable of a card (in its body or a website address) has a sample for Meta's
    review."""
    found = []
    for number, card in enumerate(draft.cards):
        body = component_of(card, "BODY")
        if body is not None and (missing := missing_examples(body, "body", draft.named)):
            found.append(
                Violation(
                    "card_variable_examples",
                    card_field(number, "BODY.example"),
                    {"card": number + 1, "variables": ", ".join("{{" + n + "}}" for n in missing)},
                )
            )
        found.extend(
            Violation(
                "card_variable_examples",
                card_field(number, f"BUTTONS.buttons[{index}].example"),
                {"card": number + 1, "variables": "{{1}}"},
            )
            for index, button in enumerate(buttons_of(card))
            if url_example_missing(button)
        )
    return found


def _button_problem(button: Mapping[str, Any], limits: Limits) -> str | None:
    """The rule a card's button breaks, as the same button would outside a card."""
    kind = kind_of(button)
    text = text_of(button.get("text"))
    if (kind in BUTTONS_NEEDING_TEXT and not text.strip()) or len(text) > limits.button_text_length:
        return "card_button_text"
    if kind == "URL" and url_problem(text_of(button.get("url")).strip()):
        return "card_button_url"
    number = str(button.get("phone_number") or "")
    if kind == "PHONE_NUMBER" and (
        not PHONE_NUMBER.match(number) or len(number) > limits.phone_length
    ):
        return "card_button_phone"
    return None


def _card_button_problems(draft: Draft, number: int, card: Mapping[str, Any]) -> list[Violation]:
    found = []
    buttons = buttons_of(card)
    allowed = CARD_BUTTON_TYPES.get(_header_format(card), frozenset())
    limit = CARD_BUTTONS.get(_header_format(card), max(CARD_BUTTONS.values()))
    if len(buttons) > limit:
        found.append(
            Violation(
                "card_buttons_count",
                card_field(number, "BUTTONS.buttons"),
                {"card": number + 1, "count": len(buttons), "limit": limit},
            )
        )
    for index, button in enumerate(buttons):
        where = card_field(number, f"BUTTONS.buttons[{index}]")
        values = {
            "card": number + 1,
            "button": index + 1,
            "label": text_of(button.get("text")),
            "limit": draft.limits.button_text_length,
        }
        if allowed and kind_of(button) not in allowed:
            found.append(
                Violation("card_button_type", f"{where}.type", {**values, "kind": kind_of(button)})
            )
        elif problem := _button_problem(button, draft.limits):
            found.append(Violation(problem, where, values))
    return found


def check_card_buttons(draft: Draft) -> list[Violation]:
    """At most two buttons per media card and one per product card, of the kinds its header
    allows, valid and the same kinds in the same order on every card."""
    found = [
        violation
        for number, card in enumerate(draft.cards)
        for violation in _card_button_problems(draft, number, card)
    ]
    layouts = {tuple(kind_of(button) for button in buttons_of(card)) for card in draft.cards}
    if len(layouts) > 1:
        found.append(Violation("cards_buttons_mixed", CAROUSEL_FIELD, {}))
    return found
