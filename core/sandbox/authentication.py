"""Authentication templates: Meta writes their text, the business only chooses the add-ons.

An authentication template is submitted without body text: its BODY may only ask for the
security recommendation (``add_security_recommendation``) and its FOOTER for the expiry warning
(``code_expiration_minutes``), and Meta fills in the preset wording: "<VERIFICATION_CODE> is your
verification code.", "For your security, do not share this code.", "This code expires in
<NUM_MINUTES> minutes." (https://docs.360dialog.com/docs/resources/authentication-messages/copy-code-authentication-templates;
Meta's OpenAPI example "create authentication template w/ OTP copy code button" has a BODY with no
``text`` at all). The code is the body's one variable, sent as a body parameter like any other.
"""

from __future__ import annotations

from typing import Any

CATEGORY = "AUTHENTICATION"
PRESET_BODY = "{{1}} is your verification code."
SECURITY_RECOMMENDATION = "For your security, do not share this code."
EXPIRY_WARNING = "This code expires in {minutes} minutes."


def with_preset_text(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The components as Meta stores them: the BODY (and, with an expiry, the FOOTER) carrying
    Meta's wording, whatever text the submission had."""
    written = []
    for component in components:
        kind = str(component.get("type", "")).upper()
        if kind == "BODY":
            text = PRESET_BODY
            if component.get("add_security_recommendation"):
                text = f"{text} {SECURITY_RECOMMENDATION}"
            component = {**component, "text": text}
        elif kind == "FOOTER" and component.get("code_expiration_minutes"):
            minutes = component["code_expiration_minutes"]
            component = {**component, "text": EXPIRY_WARNING.format(minutes=minutes)}
        written.append(component)
    return written
