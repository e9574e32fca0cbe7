"""Rules about authentication templates: the one-time-password button and the few settings Meta
lets a business choose.

Meta writes an authentication template's text itself ("<code> is your verification code.", an
optional security note and an optional expiry warning); the business only chooses
``add_security_recommendation`` (body), ``code_expiration_minutes`` (footer) and how the code
reaches its app (one ``OTP`` button: copy code, one-tap autofill or zero-tap):
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/authentication-templates

A listing shows an approved authentication template with Meta's text and its button turned into a
website button, so the rules about its parts only judge a submission.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from core.templates.anatomy import kind_of, text_of
from core.templates.rules.draft import Draft, button_field, button_values, part_field
from core.templates.violations import Violation
from core.templates.vocabulary import OTP_TYPES

AUTHENTICATION_PARTS = frozenset({"BODY", "FOOTER", "BUTTONS"})
CODE_EXPIRATION_MINUTES = range(1, 91)
"""``code_expiration_minutes``: 1 to 90 (Meta's copy-code page,
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates).
"""
SUPPORTED_APPS = 5
AUTOFILL_TEXT_LENGTH = 25
APP_PACKAGE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$")
APP_PACKAGE_LENGTH = 224
SIGNATURE_HASH = re.compile(r"^[A-Za-z0-9+/=]{11}$")
"""The app's package name (at least two dot-separated segments, each starting with a letter; at
most 224 characters) and its 11-character signing-key hash, at most 5 apps, for one-tap and
zero-tap buttons:
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/zero-tap-authentication-templates
"""


def _otp_buttons(draft: Draft) -> list[tuple[int, Mapping[str, Any]]]:
    return [(i, button) for i, button in enumerate(draft.buttons) if kind_of(button) == "OTP"]


def check_authentication_parts(draft: Draft) -> list[Violation]:
    """An authentication template has only a body and footer without text of its own and exactly
    one ``OTP`` button; an ``OTP`` button belongs to no other category."""
    if draft.category != "AUTHENTICATION":
        return [
            Violation("otp_button_category", button_field(index, "type"), {"button": index + 1})
            for index, _ in _otp_buttons(draft)
        ]
    found = []
    for position, component in enumerate(draft.components):
        kind = kind_of(component)
        if kind not in AUTHENTICATION_PARTS:
            found.append(
                Violation("auth_part", f"components[{position}].type", {"part": kind.lower()})
            )
        elif kind in ("BODY", "FOOTER") and text_of(component.get("text")).strip():
            found.append(
                Violation("auth_custom_text", part_field(kind, "text"), {"part": kind.lower()})
            )
    if len(draft.buttons) != 1 or len(_otp_buttons(draft)) != 1:
        found.append(Violation("auth_otp_button", "components.BUTTONS.buttons", {}))
    return found


def check_code_expiration(draft: Draft) -> list[Violation]:
    """``code_expiration_minutes``, when given, is a whole number of minutes from 1 to 90."""
    footer = draft.first("FOOTER")
    if footer is None or "code_expiration_minutes" not in footer:
        return []
    minutes = footer.get("code_expiration_minutes")
    whole = isinstance(minutes, int) and not isinstance(minutes, bool)
    if whole and minutes in CODE_EXPIRATION_MINUTES:
        return []
    return [
        Violation(
            "code_expiration",
            part_field("footer", "code_expiration_minutes"),
            {"minutes": str(minutes)},
        )
    ]


def _apps(button: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The apps a one-tap or zero-tap code goes to: ``supported_apps``, or the single
    ``package_name``/``signature_hash`` pair Meta's older form puts on the button itself."""
    listed = button.get("supported_apps")
    if isinstance(listed, list):
        return [app if isinstance(app, Mapping) else {} for app in listed]
    if button.get("package_name") or button.get("signature_hash"):
        return [button]
    return []


def _app_problems(index: int, button: Mapping[str, Any]) -> list[Violation]:
    apps = _apps(button)
    if not apps:
        return [Violation("otp_app_missing", button_field(index, "supported_apps"), {})]
    found = []
    if len(apps) > SUPPORTED_APPS:
        found.append(
            Violation(
                "otp_apps_count",
                button_field(index, "supported_apps"),
                {"count": len(apps), "limit": SUPPORTED_APPS},
            )
        )
    for app in apps:
        package = text_of(app.get("package_name"))
        # Meta's own sample percent-encodes the hash's "/" ("K8a%2FAINcGX7").
        signature = unquote(text_of(app.get("signature_hash")))
        if not APP_PACKAGE.match(package) or len(package) > APP_PACKAGE_LENGTH:
            found.append(
                Violation(
                    "otp_package_name", button_field(index, "package_name"), {"name": package}
                )
            )
        if not SIGNATURE_HASH.match(signature):
            found.append(
                Violation(
                    "otp_signature_hash",
                    button_field(index, "signature_hash"),
                    {"hash": text_of(app.get("signature_hash"))},
                )
            )
    return found


def check_otp_buttons(draft: Draft) -> list[Violation]:
    """A known ``otp_type``; one-tap and zero-tap name the app the code goes to, zero-tap needs
    its terms accepted, and the autofill label fits in 25 characters."""
    found: list[Violation] = []
    for index, button in _otp_buttons(draft):
        otp_type = str(button.get("otp_type") or "").upper()
        if otp_type not in OTP_TYPES:
            found.append(Violation("otp_type", button_field(index, "otp_type"), {"kind": otp_type}))
            continue
        if otp_type != "COPY_CODE":
            found.extend(_app_problems(index, button))
        if otp_type == "ZERO_TAP" and button.get("zero_tap_terms_accepted") is not True:
            found.append(
                Violation("otp_zero_tap_terms", button_field(index, "zero_tap_terms_accepted"), {})
            )
        autofill = text_of(button.get("autofill_text"))
        if len(autofill) > AUTOFILL_TEXT_LENGTH:
            found.append(
                Violation(
                    "otp_autofill_text_length",
                    button_field(index, "autofill_text"),
                    button_values(index, button, limit=AUTOFILL_TEXT_LENGTH, length=len(autofill)),
                )
            )
    return found
