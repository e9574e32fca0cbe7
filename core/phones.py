"""Phone numbers: E.164 for people, digits-only ``wa_id`` for WhatsApp, one contact per person.

WhatsApp identifies a person by ``wa_id`` (their number's digits, no ``+``). In some countries
the same person shows up under two ``wa_id`` forms, and a naive inbox then splits them into two
contacts:

- Brazil: mobiles gained a 9th digit (``55 41 9 8888-7777``); WhatsApp accounts created before
  still report ``554188887777`` while people type ``5541988887777``.
- Argentina: mobiles are dialled internationally as ``54 9 …``; WhatsApp reports ``549…`` but
  numbers are often written ``54…`` without the 9.
- Mexico: mobiles used ``52 1 …`` until 2019; WhatsApp may still report ``521…``.

``equivalent_wa_ids`` lists every form of one person's number and ``canonical_wa_id`` picks one
of them as a stable key for matching. The canonical form is a key, not something to send to:
reply to the ``wa_id`` WhatsApp last reported for the contact.
"""

from __future__ import annotations

import phonenumbers

from core.i18n import t

__all__ = [
    "InvalidPhoneNumber",
    "canonical_wa_id",
    "equivalent_wa_ids",
    "to_e164",
    "wa_id_of",
]


class InvalidPhoneNumber(ValueError):
    """A phone number we cannot use; ``reason`` names why (``user_message`` says it in words)."""

    def __init__(self, number: str, reason: str, explanation: str) -> None:
        self.number = number
        self.reason = reason
        super().__init__(f"{number!r} is not a valid phone number: {explanation}")

    def user_message(self, language: str | None = None) -> str:
        return t(f"d360.phone.{self.reason}", language, number=self.number)


_PARSE_REASONS = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: (
        "no_country",
        "the country code is missing or unknown (start with + and the country code)",
    ),
    phonenumbers.NumberParseException.NOT_A_NUMBER: (
        "not_a_number",
        "it does not look like a number",
    ),
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: ("too_short", "it is too short"),
    phonenumbers.NumberParseException.TOO_SHORT_NSN: ("too_short", "it is too short"),
    phonenumbers.NumberParseException.TOO_LONG: ("too_long", "it is too long"),
}


def to_e164(number: str, default_region: str | None = None) -> str:
    """``+<country><number>`` for a number typed by a person or received from WhatsApp.

    Without ``default_region`` a number without ``+`` is read as international, the way WhatsApp
    writes ``wa_id`` (``"34612345678"`` → ``+34612345678``); with it (``"ES"``) a national number
    like ``"612 34 56 78"`` works too. Raises ``InvalidPhoneNumber`` for anything that is not a
    valid number of its country.
    """
    raw = number if isinstance(number, str) else str(number)
    text = raw.strip()
    if not text:
        raise InvalidPhoneNumber(raw, "empty", "it is empty")
    if text.startswith("00"):
        text = "+" + text[2:]
    elif not text.startswith("+") and default_region is None:
        text = "+" + text
    try:
        parsed = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        reason, explanation = _PARSE_REASONS.get(
            exc.error_type, ("not_a_number", "it does not look like a number")
        )
        raise InvalidPhoneNumber(raw, reason, explanation) from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber(raw, "wrong_length", "it has the wrong number of digits")
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber(raw, "invalid", "no such number exists in its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def wa_id_of(number: str, default_region: str | None = None) -> str:
    """The digits WhatsApp uses for ``number`` (E.164 without ``+``).

    A number that is already all digits is taken as a ``wa_id`` as-is (WhatsApp's own ids are
    not always "valid" by today's numbering plan, e.g. Brazilian mobiles without the 9) — unless
    a ``default_region`` is given and the digits are a valid national number there (a
    spreadsheet's "611000101" with region ES is +34 611 000 101). Anything else is validated
    through ``to_e164``.
    """
    text = (number or "").strip()
    digits = text[1:] if text.startswith("+") else text
    if default_region and not text.startswith("+"):
        try:
            return to_e164(text, default_region).lstrip("+")
        except InvalidPhoneNumber:
            pass
    if digits.isdigit() and 7 <= len(digits) <= 15 and not digits.startswith("0"):
        return digits
    return to_e164(text, default_region).lstrip("+")


def _brazil_forms(wa_id: str) -> tuple[str, ...]:
    # 55 + 2-digit area (11..99) + 8-digit subscriber, or 9 + 8 digits for mobiles.
    area, subscriber = wa_id[2:4], wa_id[4:]
    if area[0] == "0":
        return (wa_id,)
    if len(subscriber) == 9 and subscriber[0] == "9":
        return (wa_id, f"55{area}{subscriber[1:]}")
    if len(subscriber) == 8 and subscriber[0] in "6789":  # old mobile range; landlines are 2-5
        return (f"55{area}9{subscriber}", wa_id)
    return (wa_id,)


def _argentina_forms(wa_id: str) -> tuple[str, ...]:
    # Mobiles: 54 9 + 10-digit national number (area + subscriber); written without the 9 too.
    if len(wa_id) == 13 and wa_id[2] == "9":
        return (wa_id, "54" + wa_id[3:])
    if len(wa_id) == 12 and wa_id[2] != "9":
        return ("549" + wa_id[2:], wa_id)
    return (wa_id,)


def _mexico_forms(wa_id: str) -> tuple[str, ...]:
    # Since 2019 mobiles are 52 + 10 digits; WhatsApp may still report 52 1 + 10 digits.
    if len(wa_id) == 13 and wa_id[2] == "1":
        return ("52" + wa_id[3:], wa_id)
    if len(wa_id) == 12:
        return (wa_id, "521" + wa_id[2:])
    return (wa_id,)


def equivalent_wa_ids(wa_id: str) -> tuple[str, ...]:
    """Every ``wa_id`` under which this person may appear, canonical form first.

    Only digits are considered (a ``+`` is dropped); anything else is returned unchanged as the
    only form, so BSUIDs like ``US.1234`` pass through safely.
    """
    text = (wa_id or "").strip()
    digits = text[1:] if text.startswith("+") else text
    if not digits.isdigit():
        return (text,)
    if digits.startswith("55") and len(digits) in (12, 13):
        return _brazil_forms(digits)
    if digits.startswith("54") and len(digits) in (12, 13):
        return _argentina_forms(digits)
    if digits.startswith("52") and len(digits) in (12, 13):
        return _mexico_forms(digits)
    return (digits,)


def canonical_wa_id(wa_id: str) -> str:
    """One stable key per person: Brazil with the 9, Argentina with ``549``, Mexico ``52``+10."""
    return equivalent_wa_ids(wa_id)[0]
