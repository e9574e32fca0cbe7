"""How much a template may hold, in two layouts an admin chooses between.

``COMPACT_LIMITS`` (the default) is the compact buttons layout: at most 3 quick replies, one
website button and one call button, and a header of text, image, document or video; a stricter
reading of Meta's rules, and the safe choice. ``META_LIMITS`` is everything Meta itself accepts (10
quick replies, 2 website buttons, location headers, more button kinds):
https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COMPACT_LIMITS", "META_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    """How much a template may hold; ``name`` is what the setting stores (``compact``/``meta``)."""

    name: str
    quick_replies: int
    url_buttons: int
    phone_buttons: int
    header_formats: frozenset[str]
    button_types: frozenset[str]
    copy_code_buttons: int = 1
    buttons: int = 10
    name_length: int = 512
    body_length: int = 1024
    header_text_length: int = 60
    footer_length: int = 60
    button_text_length: int = 25
    header_variables: int = 1


COMPACT_LIMITS = Limits(
    name="compact",
    quick_replies=3,
    url_buttons=1,
    phone_buttons=1,
    header_formats=frozenset({"TEXT", "IMAGE", "DOCUMENT", "VIDEO"}),
    button_types=frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE"}),
)
META_LIMITS = Limits(
    name="meta",
    quick_replies=10,
    url_buttons=2,
    phone_buttons=1,
    header_formats=frozenset({"TEXT", "IMAGE", "DOCUMENT", "VIDEO", "LOCATION", "GIF"}),
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
)
