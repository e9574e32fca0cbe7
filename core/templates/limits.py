"""How much a template may hold, in two layouts an admin chooses between.

``META_LIMITS`` (the default) is everything Meta itself accepts: up to 10 buttons (10 quick
replies, 2 website buttons, 1 call button, 1 copy-code button), text, media, location and product
headers, authentication, catalog and product buttons, carousels and limited-time offers
(https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components).
``COMPACT_LIMITS`` is the classic compact buttons layout an admin may choose instead: at most 3
quick replies, one website button and one call button, a header of text, image, document or video,
and only the four classic parts (header, body, footer, buttons).

What does not depend on the layout (a card's text length, an offer code's length…) is a fact of
Meta's that the rule using it keeps, next to the page it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COMPACT_LIMITS", "META_LIMITS", "Limits"]

CLASSIC_PARTS = frozenset({"HEADER", "BODY", "FOOTER", "BUTTONS"})


@dataclass(frozen=True)
class Limits:
    """How much a template may hold; ``name`` is what the setting stores (``meta``/``compact``)."""

    name: str
    quick_replies: int
    url_buttons: int
    phone_buttons: int
    header_formats: frozenset[str]
    button_types: frozenset[str]
    component_kinds: frozenset[str] = CLASSIC_PARTS
    copy_code_buttons: int = 1
    buttons: int = 10
    name_length: int = 512
    body_length: int = 1024
    header_text_length: int = 60
    footer_length: int = 60
    button_text_length: int = 25
    header_variables: int = 1
    url_length: int = 2000
    phone_length: int = 20


META_LIMITS = Limits(
    name="meta",
    quick_replies=10,
    url_buttons=2,
    phone_buttons=1,
    header_formats=frozenset({"TEXT", "IMAGE", "DOCUMENT", "VIDEO", "GIF", "LOCATION", "PRODUCT"}),
    button_types=frozenset(
        {
            "QUICK_REPLY",
            "URL",
            "PHONE_NUMBER",
            "COPY_CODE",
            "OTP",
            "FLOW",
            "MPM",
            "CATALOG",
            "SPM",
            "VOICE_CALL",
            "APP",
        }
    ),
    component_kinds=CLASSIC_PARTS | {"CAROUSEL", "LIMITED_TIME_OFFER"},
)
COMPACT_LIMITS = Limits(
    name="compact",
    quick_replies=3,
    url_buttons=1,
    phone_buttons=1,
    header_formats=frozenset({"TEXT", "IMAGE", "DOCUMENT", "VIDEO"}),
    button_types=frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE"}),
)
