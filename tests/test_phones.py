"""E.164 normalisation and the one-contact-per-person rule for Brazil, Argentina and Mexico."""

from __future__ import annotations

import pytest

from core.d360.events import parse_webhook
from core.phones import (
    InvalidPhoneNumber,
    canonical_wa_id,
    equivalent_wa_ids,
    to_e164,
    wa_id_of,
)
from tests.d360.helpers import load


@pytest.mark.parametrize(
    ("number", "region", "expected"),
    [
        ("+34 612 34 56 78", None, "+34612345678"),
        ("34612345678", None, "+34612345678"),
        ("0034 612 345 678", None, "+34612345678"),
        ("612 34 56 78", "ES", "+34612345678"),
        ("+1 (650) 555-1234", None, "+16505551234"),
        ("250788123123", None, "+250788123123"),
        ("+54 9 11 2345-6789", None, "+5491123456789"),
        ("+55 41 98888-7777", None, "+5541988887777"),
    ],
)
def test_to_e164(number: str, region: str | None, expected: str) -> None:
    assert to_e164(number, region) == expected


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello", "not_a_number"),
        ("5678", "wrong_length"),
        ("+2423423243", "wrong_length"),
        ("+34 123", "wrong_length"),
        ("+999 612345678", "no_country"),
        ("+34 1234567890123456789", "too_long"),
        ("+1 123 456 7890", "invalid"),
    ],
)
def test_to_e164_rejects_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumber) as caught:
        to_e164(number)
    assert isinstance(caught.value, ValueError)
    assert caught.value.reason == reason
    assert repr(number) in str(caught.value)
    assert caught.value.user_message("es") and not caught.value.user_message("en").startswith(
        "d360"
    )


def test_national_number_without_region_asks_for_country() -> None:
    with pytest.raises(InvalidPhoneNumber):
        to_e164("612 34 56 78 9")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("+34 612 34 56 78", "34612345678"),
        ("34612345678", "34612345678"),
        ("554188887777", "554188887777"),  # WhatsApp's own id, kept although "invalid" today
        ("+5491123456789", "5491123456789"),
    ],
)
def test_wa_id_of(number: str, expected: str) -> None:
    assert wa_id_of(number) == expected


def test_wa_id_of_rejects_garbage() -> None:
    with pytest.raises(InvalidPhoneNumber):
        wa_id_of("bla")


def _sender(relative: str) -> str:
    message = parse_webhook(load(relative)).messages[0]
    assert message.wa_id is not None
    return message.wa_id


def test_brazil_ninth_digit_is_one_contact() -> None:
    with_9 = _sender("chatwoot/d360_inbound_text_brazil_with_9.json")
    without_9 = _sender("chatwoot/d360_inbound_text_brazil_without_9.json")
    assert (with_9, without_9) == ("5541988887777", "554188887777")
    assert canonical_wa_id(with_9) == canonical_wa_id(without_9) == "5541988887777"
    assert (
        set(equivalent_wa_ids(with_9))
        == set(equivalent_wa_ids(without_9))
        == {
            with_9,
            without_9,
        }
    )


def test_argentina_549_is_one_contact() -> None:
    with_9 = _sender("chatwoot/d360_inbound_text_argentina_with_9.json")
    without_9 = _sender("chatwoot/d360_inbound_text_argentina_without_9.json")
    assert (with_9, without_9) == ("5491123456789", "541123456789")
    assert canonical_wa_id(with_9) == canonical_wa_id(without_9) == "5491123456789"
    assert equivalent_wa_ids(without_9) == ("5491123456789", "541123456789")


def test_courier_wa_id_returned_for_brazil_matches_what_was_sent() -> None:
    assert canonical_wa_id("5511987654321") == canonical_wa_id("551187654321")


@pytest.mark.parametrize(
    "wa_id",
    [
        "554133334444",  # Brazilian landline: no ninth digit to add
        "34612345678",
        "16505551234",
        "250788123123",
        "US.1234",
        "IN.ENT.9081726354",
    ],
)
def test_other_numbers_have_one_form(wa_id: str) -> None:
    assert equivalent_wa_ids(wa_id) == (wa_id,)
    assert canonical_wa_id(wa_id) == wa_id


def test_mexico_521() -> None:
    assert canonical_wa_id("5215512345678") == canonical_wa_id("525512345678") == "525512345678"


def test_plus_is_ignored() -> None:
    assert canonical_wa_id("+554188887777") == "5541988887777"


def test_bare_national_digits_take_the_given_country() -> None:
    assert wa_id_of("611000101", "ES") == "34611000101"
    assert wa_id_of("34611000101", "ES") == "34611000101"
    assert wa_id_of("611000101") == "611000101"  # no country: WhatsApp's own id, as given
