"""Every kind of template Meta accepts, judged as Meta judges it.

``testdata/template_rules/approved/`` holds our copies of the examples Meta publishes for each kind
(its README names the page of each); every one passes under Meta's rules. Then one table of
templates each kind accepts and one of templates that break each kind's rules, with the exact rule
and field reported, and the check that every rule of the validator has a template that breaks it
(here or in ``test_template_rules.py``).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from core.i18n import LANGUAGES as UI_LANGUAGES
from core.templates.limits import COMPACT_LIMITS, META_LIMITS
from core.templates.preview import render_preview
from core.templates.rules import RULES, Draft, validate_template
from core.templates.rules.authentication import (
    check_authentication_parts,
    check_code_expiration,
    check_otp_buttons,
)
from core.templates.rules.buttons import check_buttons_total
from core.templates.rules.carousel import (
    check_card_bodies,
    check_card_buttons,
    check_card_media_example,
    check_card_variable_examples,
    check_carousel_cards,
    check_carousel_parts,
)
from core.templates.rules.offers import (
    check_copy_code_example,
    check_offer_code,
    check_offer_parts,
    check_offer_text,
)
from core.templates.rules.parts import check_product_header
from tests.test_template_rules import BROKEN

APPROVED = Path(__file__).parent / "testdata" / "template_rules" / "approved"
APPROVED_FILES = sorted(path.name for path in APPROVED.glob("*.json"))


def example(name: str) -> dict[str, Any]:
    """A fresh copy of one of Meta's examples (``approved/<name>.json``)."""
    return json.loads((APPROVED / f"{name}.json").read_text(encoding="utf-8"))


# --- Meta's examples: all accepted --------------------------------------------------------------


def test_every_example_is_named_in_the_readme() -> None:
    readme = (APPROVED / "README.md").read_text(encoding="utf-8")
    assert len(APPROVED_FILES) >= 15
    assert [name for name in APPROVED_FILES if f"`{name}`" not in readme] == []


@pytest.mark.parametrize("name", APPROVED_FILES)
def test_meta_examples_pass_under_meta_rules(name: str) -> None:
    template = example(name.removesuffix(".json"))
    assert validate_template(template, META_LIMITS) == []
    assert "{{" not in render_preview(template["components"]).body  # the samples fill it


def test_meta_rules_are_the_default() -> None:
    carousel = example("carousel_media_cards")
    assert validate_template(carousel) == validate_template(carousel, META_LIMITS) == []
    assert validate_template(carousel, COMPACT_LIMITS) != []


# --- what each kind accepts ---------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def part(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in template["components"] if c["type"].upper() == kind)


def buttons(template: dict[str, Any]) -> list[dict[str, Any]]:
    return part(template, "BUTTONS")["buttons"]


def card(template: dict[str, Any], number: int, kind: str) -> dict[str, Any]:
    cards = part(template, "CAROUSEL")["cards"]
    return next(c for c in cards[number]["components"] if c["type"].upper() == kind)


def cards(template: dict[str, Any]) -> list[dict[str, Any]]:
    return part(template, "CAROUSEL")["cards"]


def otp(template: dict[str, Any]) -> dict[str, Any]:
    return buttons(template)[0]


def changed(name: str, mutation: Mutation) -> dict[str, Any]:
    template = example(name)
    mutation(template)
    return template


def no_card_bodies(template: dict[str, Any]) -> None:
    for each in cards(template):
        each["components"] = [c for c in each["components"] if c["type"].upper() != "BODY"]


def video_cards(template: dict[str, Any]) -> None:
    for number in range(len(cards(template))):
        card(template, number, "HEADER")["format"] = "VIDEO"
        card(template, number, "BUTTONS")["buttons"][0] = {
            "type": "PHONE_NUMBER",
            "text": "Call us",
            "phone_number": "15550051310",
        }


def ten_buttons(template: dict[str, Any]) -> None:
    part(template, "BUTTONS")["buttons"] = [
        *({"type": "QUICK_REPLY", "text": f"Option {n}"} for n in range(6)),
        {"type": "URL", "text": "Shop", "url": "https://shop.example.com/"},
        {"type": "URL", "text": "Track", "url": "https://shop.example.com/track"},
        {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "15550051310"},
        {"type": "COPY_CODE", "example": "250FF"},
    ]


ACCEPTED: dict[str, Callable[[], dict[str, Any]]] = {
    "authentication without expiry or security note": lambda: changed(
        "authentication_copy_code",
        lambda t: t.__setitem__("components", [part(t, "BODY"), part(t, "BUTTONS")]),
    ),
    "one-tap with supported_apps": lambda: changed(
        "authentication_one_tap",
        lambda t: otp(t).update(
            supported_apps=[
                {"package_name": "com.example.shop", "signature_hash": "K8a/AINcGX7"},
                {"package_name": "com.example.shop_beta", "signature_hash": "AbC+12/xyZ="},
            ],
            package_name=None,
            signature_hash=None,
        ),
    ),
    "code valid for 90 minutes": lambda: changed(
        "authentication_copy_code", lambda t: part(t, "FOOTER").update(code_expiration_minutes=90)
    ),
    "coupon code as a one-item list": lambda: changed(
        "coupon_code", lambda t: buttons(t)[1].update(example=["FALL2023SALE25"])
    ),
    "limited-time offer without expiry needs no code": lambda: changed(
        "limited_time_offer",
        lambda t: (
            part(t, "LIMITED_TIME_OFFER")["limited_time_offer"].update(has_expiration=False),
            buttons(t).pop(0),
        ),
    ),
    "limited-time offer without header": lambda: changed(
        "limited_time_offer",
        lambda t: t.__setitem__(
            "components", [c for c in t["components"] if c is not part(t, "HEADER")]
        ),
    ),
    "carousel of video cards with call buttons": lambda: changed(
        "carousel_media_cards", video_cards
    ),
    "carousel cards without body": lambda: changed("carousel_media_cards", no_card_bodies),
    "carousel of ten cards": lambda: changed(
        "carousel_media_cards",
        lambda t: part(t, "CAROUSEL").__setitem__("cards", [copy.deepcopy(cards(t)[0])] * 10),
    ),
    "product cards with website buttons": lambda: changed(
        "carousel_product_cards",
        lambda t: [
            each["components"][1].__setitem__(
                "buttons", [{"type": "URL", "text": "Buy now", "url": "https://shop.example.com/"}]
            )
            for each in cards(t)
        ],
    ),
    "a single sample written as text": lambda: changed(
        "carousel_product_cards", lambda t: part(t, "BODY").update(example={"body_text": "Pablo"})
    ),
    "ten buttons of every kind Meta allows together": lambda: changed("coupon_code", ten_buttons),
    "a call button in Meta's 555 range": lambda: changed(
        "image_header_call_to_action",
        lambda t: buttons(t)[0].update(phone_number="+15550051310"),
    ),
}


@pytest.mark.parametrize("kind", ACCEPTED)
def test_each_kind_accepts_what_meta_accepts(kind: str) -> None:
    assert validate_template(ACCEPTED[kind](), META_LIMITS) == []


def test_compact_layout_keeps_to_the_classic_parts() -> None:
    refused = {
        name: [v.rule for v in validate_template(example(name), COMPACT_LIMITS)]
        for name in ("authentication_copy_code", "limited_time_offer", "carousel_media_cards")
    }
    assert refused == {
        "authentication_copy_code": ["button_type_unknown"],
        "limited_time_offer": ["component_unknown"],
        "carousel_media_cards": ["component_unknown"],
    }


# --- what each kind refuses ---------------------------------------------------------------------

AUTH_FIELD = "components.BUTTONS.buttons[0]"
CARD = "components.CAROUSEL.cards"

KIND_BROKEN: list[tuple[Callable[[Draft], Any], str, tuple[str, ...], str, Mutation]] = [
    # Authentication: Meta writes the text; one OTP button; expiry 1-90 minutes; apps for one-tap
    # and zero-tap (see core/templates/rules/authentication.py for each page).
    (
        check_authentication_parts,
        "auth_part",
        ("components[0].type",),
        "authentication_copy_code",
        lambda t: t["components"].insert(0, {"type": "HEADER", "format": "TEXT", "text": "Code"}),
    ),
    (
        check_authentication_parts,
        "auth_custom_text",
        ("components.BODY.text",),
        "authentication_copy_code",
        lambda t: part(t, "BODY").update(text="Here is your code, keep it secret."),
    ),
    (
        check_authentication_parts,
        "auth_custom_text",
        ("components.FOOTER.text",),
        "authentication_copy_code",
        lambda t: part(t, "FOOTER").update(text="Valid for a while"),
    ),
    (
        check_authentication_parts,
        "auth_otp_button",
        ("components.BUTTONS.buttons",),
        "authentication_copy_code",
        lambda t: t.__setitem__("components", t["components"][:2]),
    ),
    (
        check_authentication_parts,
        "auth_otp_button",
        ("components.BUTTONS.buttons",),
        "authentication_copy_code",
        lambda t: buttons(t).append({"type": "OTP", "otp_type": "COPY_CODE"}),
    ),
    (
        check_authentication_parts,
        "otp_button_category",
        ("components.BUTTONS.buttons[2].type",),
        "coupon_code",
        lambda t: buttons(t).append({"type": "OTP", "otp_type": "COPY_CODE"}),
    ),
    (
        check_code_expiration,
        "code_expiration",
        ("components.FOOTER.code_expiration_minutes",),
        "authentication_copy_code",
        lambda t: part(t, "FOOTER").update(code_expiration_minutes=91),
    ),
    (
        check_code_expiration,
        "code_expiration",
        ("components.FOOTER.code_expiration_minutes",),
        "authentication_copy_code",
        lambda t: part(t, "FOOTER").update(code_expiration_minutes=0),
    ),
    (
        check_code_expiration,
        "code_expiration",
        ("components.FOOTER.code_expiration_minutes",),
        "authentication_copy_code",
        lambda t: part(t, "FOOTER").update(code_expiration_minutes="10"),
    ),
    (
        check_otp_buttons,
        "otp_type",
        (f"{AUTH_FIELD}.otp_type",),
        "authentication_copy_code",
        lambda t: otp(t).update(otp_type="SMS"),
    ),
    (
        check_otp_buttons,
        "otp_app_missing",
        (f"{AUTH_FIELD}.supported_apps",),
        "authentication_one_tap",
        lambda t: (otp(t).pop("package_name"), otp(t).pop("signature_hash")),
    ),
    (
        check_otp_buttons,
        "otp_apps_count",
        (f"{AUTH_FIELD}.supported_apps",),
        "authentication_zero_tap",
        lambda t: otp(t).update(supported_apps=otp(t)["supported_apps"] * 6),
    ),
    (
        check_otp_buttons,
        "otp_package_name",
        (f"{AUTH_FIELD}.package_name",),
        "authentication_one_tap",
        lambda t: otp(t).update(package_name="luckyshrub"),
    ),
    (
        check_otp_buttons,
        "otp_package_name",
        (f"{AUTH_FIELD}.package_name",),
        "authentication_zero_tap",
        lambda t: otp(t)["supported_apps"][0].update(package_name="com.1example.shop"),
    ),
    (
        check_otp_buttons,
        "otp_signature_hash",
        (f"{AUTH_FIELD}.signature_hash",),
        "authentication_zero_tap",
        lambda t: otp(t)["supported_apps"][0].update(signature_hash="K8a/AINcGX"),
    ),
    (
        check_otp_buttons,
        "otp_zero_tap_terms",
        (f"{AUTH_FIELD}.zero_tap_terms_accepted",),
        "authentication_zero_tap",
        lambda t: otp(t).update(zero_tap_terms_accepted=False),
    ),
    (
        check_otp_buttons,
        "otp_autofill_text_length",
        (f"{AUTH_FIELD}.autofill_text",),
        "authentication_one_tap",
        lambda t: otp(t).update(autofill_text="Fill in the code for me now"),
    ),
    # Coupon codes: one copy-code button whose sample code has 1 to 15 characters.
    (
        check_copy_code_example,
        "copy_code_example",
        ("components.BUTTONS.buttons[1].example",),
        "coupon_code",
        lambda t: buttons(t)[1].pop("example"),
    ),
    (
        check_copy_code_example,
        "copy_code_example",
        ("components.BUTTONS.buttons[1].example",),
        "coupon_code",
        lambda t: buttons(t)[1].update(example=["FALL2023SALE25OF"]),
    ),
    # Limited-time offers: marketing, no footer, image or video header, short texts, a code to
    # count down to.
    (
        check_offer_text,
        "offer_text_empty",
        ("components.LIMITED_TIME_OFFER.limited_time_offer.text",),
        "limited_time_offer",
        lambda t: part(t, "LIMITED_TIME_OFFER")["limited_time_offer"].pop("text"),
    ),
    (
        check_offer_text,
        "offer_text_length",
        ("components.LIMITED_TIME_OFFER.limited_time_offer.text",),
        "limited_time_offer",
        lambda t: part(t, "LIMITED_TIME_OFFER")["limited_time_offer"].update(
            text="Expiring offer!!!"
        ),
    ),
    (
        check_offer_parts,
        "offer_category",
        ("category",),
        "limited_time_offer",
        lambda t: t.update(category="UTILITY"),
    ),
    (
        check_offer_parts,
        "offer_footer",
        ("components.FOOTER",),
        "limited_time_offer",
        lambda t: t["components"].append({"type": "FOOTER", "text": "Terms apply"}),
    ),
    (
        check_offer_parts,
        "offer_header_format",
        ("components.HEADER.format",),
        "limited_time_offer",
        lambda t: part(t, "HEADER").update(format="DOCUMENT"),
    ),
    (
        check_offer_parts,
        "offer_body_length",
        ("components.BODY.text",),
        "limited_time_offer",
        lambda t: part(t, "BODY").update(
            text="Good news, {{1}}! Use code {{2}} to get 25% off " + "sunny " * 92 + "trips!"
        ),
    ),
    (
        check_offer_code,
        "offer_needs_copy_code",
        ("components.BUTTONS.buttons",),
        "limited_time_offer",
        lambda t: buttons(t).pop(0),
    ),
    # Carousels: 2-10 cards of one header format, same parts and buttons on every card.
    (
        check_carousel_parts,
        "carousel_extra_part",
        ("components.FOOTER",),
        "carousel_media_cards",
        lambda t: t["components"].append({"type": "FOOTER", "text": "Fresh every day"}),
    ),
    (
        check_carousel_parts,
        "carousel_category",
        ("category",),
        "carousel_media_cards",
        lambda t: t.update(category="UTILITY"),
    ),
    (
        check_carousel_cards,
        "carousel_cards_count",
        (CARD,),
        "carousel_media_cards",
        lambda t: cards(t).pop(),
    ),
    (
        check_carousel_cards,
        "carousel_cards_count",
        (CARD,),
        "carousel_media_cards",
        lambda t: part(t, "CAROUSEL").__setitem__("cards", [copy.deepcopy(cards(t)[0])] * 11),
    ),
    (
        check_carousel_cards,
        "card_header_format",
        (f"{CARD}[0].HEADER.format", f"{CARD}[1].HEADER.format"),
        "carousel_media_cards",
        lambda t: [card(t, n, "HEADER").update(format="DOCUMENT") for n in (0, 1)],
    ),
    (
        check_carousel_cards,
        "cards_header_mixed",
        (CARD,),
        "carousel_media_cards",
        lambda t: card(t, 1, "HEADER").update(format="VIDEO"),
    ),
    (
        check_card_media_example,
        "card_media_example",
        (f"{CARD}[0].HEADER.example",),
        "carousel_media_cards",
        lambda t: card(t, 0, "HEADER").pop("example"),
    ),
    (
        check_card_bodies,
        "card_body_length",
        (f"{CARD}[1].BODY.text",),
        "carousel_media_cards",
        lambda t: card(t, 1, "BODY").update(
            text="Exotic fruit. Use code {{1}} to get {{2}} off all " + "exotic " * 16 + "produce."
        ),
    ),
    (
        check_card_bodies,
        "cards_body_mixed",
        (CARD,),
        "carousel_media_cards",
        lambda t: cards(t)[1]["components"].pop(1),
    ),
    (
        check_card_variable_examples,
        "card_variable_examples",
        (f"{CARD}[0].BODY.example",),
        "carousel_media_cards",
        lambda t: card(t, 0, "BODY").pop("example"),
    ),
    (
        check_card_variable_examples,
        "card_variable_examples",
        (f"{CARD}[1].BUTTONS.buttons[1].example",),
        "carousel_media_cards",
        lambda t: card(t, 1, "BUTTONS")["buttons"][1].pop("example"),
    ),
    (
        check_card_buttons,
        "card_buttons_count",
        (f"{CARD}[0].BUTTONS.buttons", f"{CARD}[1].BUTTONS.buttons"),
        "carousel_media_cards",
        lambda t: [
            card(t, n, "BUTTONS")["buttons"].insert(0, {"type": "QUICK_REPLY", "text": "Later"})
            for n in (0, 1)
        ],
    ),
    (
        check_card_buttons,
        "card_buttons_count",
        (f"{CARD}[0].BUTTONS.buttons", f"{CARD}[1].BUTTONS.buttons"),
        "carousel_product_cards",
        lambda t: [
            card(t, n, "BUTTONS")["buttons"].append({"type": "SPM", "text": "View"}) for n in (0, 1)
        ],
    ),
    (
        check_card_buttons,
        "card_button_type",
        (f"{CARD}[0].BUTTONS.buttons[0].type", f"{CARD}[1].BUTTONS.buttons[0].type"),
        "carousel_product_cards",
        lambda t: [
            card(t, n, "BUTTONS").update(buttons=[{"type": "QUICK_REPLY", "text": "More"}])
            for n in (0, 1)
        ],
    ),
    (
        check_card_buttons,
        "card_button_text",
        (f"{CARD}[0].BUTTONS.buttons[0]",),
        "carousel_media_cards",
        lambda t: card(t, 0, "BUTTONS")["buttons"][0].update(text=" "),
    ),
    (
        check_card_buttons,
        "card_button_url",
        (f"{CARD}[1].BUTTONS.buttons[1]",),
        "carousel_media_cards",
        lambda t: card(t, 1, "BUTTONS")["buttons"][1].update(url="luckyshrub.com/shop?p={{1}}"),
    ),
    (
        check_card_buttons,
        "card_button_phone",
        (f"{CARD}[0].BUTTONS.buttons[0]",),
        "carousel_media_cards",
        lambda t: (
            video_cards(t),
            card(t, 0, "BUTTONS")["buttons"][0].update(phone_number="call us"),
        ),
    ),
    (
        check_card_buttons,
        "cards_buttons_mixed",
        (CARD,),
        "carousel_media_cards",
        lambda t: card(t, 1, "BUTTONS")["buttons"].reverse(),
    ),
    # Single-product templates: a PRODUCT header and a "View" (SPM) button go together.
    (
        check_product_header,
        "product_header_button",
        ("components.HEADER.format",),
        "single_product",
        lambda t: part(t, "BUTTONS").update(
            buttons=[{"type": "URL", "text": "Buy now", "url": "https://shop.example.com/"}]
        ),
    ),
    (
        check_product_header,
        "product_button_header",
        ("components.BUTTONS.buttons[0].type",),
        "catalog",
        lambda t: part(t, "BUTTONS").update(buttons=[{"type": "SPM", "text": "View"}]),
    ),
    # Up to 10 buttons in all, whatever their kinds.
    (
        check_buttons_total,
        "buttons_total",
        ("components.BUTTONS.buttons",),
        "coupon_code",
        lambda t: (
            ten_buttons(t),
            buttons(t).insert(0, {"type": "QUICK_REPLY", "text": "One more"}),
        ),
    ),
]


def _broken(name: str, mutation: Mutation) -> dict[str, Any]:
    template = example(name)
    mutation(template)
    return template


@pytest.mark.parametrize(
    ("check", "rule", "fields", "name", "mutation"),
    KIND_BROKEN,
    ids=[f"{row[1]}-{n}" for n, row in enumerate(KIND_BROKEN)],
)
def test_each_kind_refuses_what_meta_refuses(
    check: Callable[[Draft], Any], rule: str, fields: tuple[str, ...], name: str, mutation: Mutation
) -> None:
    template = _broken(name, mutation)
    expected = [(rule, field) for field in fields]
    assert [(v.rule, v.field) for v in validate_template(template, META_LIMITS)] == expected
    assert [(v.rule, v.field) for v in check(Draft(template, META_LIMITS))] == expected


def test_every_rule_has_a_breaking_template() -> None:
    assert {row[0] for row in BROKEN} | {row[0] for row in KIND_BROKEN} == set(RULES)


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_kind_violation_says_what_is_wrong_in_words(language: str) -> None:
    for _, rule, _, name, mutation in KIND_BROKEN:
        for violation in validate_template(_broken(name, mutation), META_LIMITS):
            text = violation.message(language)
            assert not text.startswith("templates."), f"no text for {rule}"
            assert not re.search(r"(?<!\{)\{[a-z_0-9]+\}(?!\})", text), f"unfilled in {text!r}"


def test_a_card_problem_names_the_card_and_the_button() -> None:
    template = _broken(
        "carousel_media_cards",
        lambda t: card(t, 1, "BUTTONS")["buttons"][1].update(url="luckyshrub.com/shop?p={{1}}"),
    )
    (violation,) = validate_template(template)
    assert violation.message("es") == (
        "Carrusel, tarjeta 2, botón 2 («Buy now»): escribe una dirección web que empiece por "
        "https:// o http://, con como mucho una variable, {{1}}, justo al final."
    )


def test_a_listed_authentication_template_is_not_judged_as_a_submission() -> None:
    # Meta lists an authentication template with its own text and the OTP button turned into a
    # website button: https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates
    listed = {
        "name": "authentication_code_copy_code_button",
        "category": "AUTHENTICATION",
        "language": "en_US",
        "components": [
            {
                "type": "BODY",
                "text": "*{{1}}* is your verification code. For your security, do not share "
                "this code.",
            },
            {"type": "FOOTER", "text": "This code expires in 10 minutes."},
            {
                "type": "BUTTONS",
                "buttons": [
                    {
                        "type": "URL",
                        "text": "Copy code",
                        "url": "https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}",
                    }
                ],
            },
        ],
    }
    assert validate_template(listed, for_listing=True) == []
    assert {v.rule for v in validate_template(listed)} >= {"auth_custom_text", "auth_otp_button"}
