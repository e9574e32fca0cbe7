"""The template builder's form ↔ the body 360Dialog takes, without Streamlit: what the widgets
describe becomes a template that passes the rules, and a stored draft comes back into the same
widgets."""

from __future__ import annotations

from typing import Any

import pytest

from core.templates.drafts import DEFAULTS, NOT_WIDGETS, body_from_form, form_from_body
from core.templates.rules import validate_template
from tests.testdata import load


def form(**values: Any) -> dict[str, Any]:
    """The builder's state as a fresh page has it, with ``values`` typed in."""
    return {**DEFAULTS, **NOT_WIDGETS, **values}


# Meta refuses a body that ends with a variable:
# https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
MEDIA_FORM = form(
    tb_name=" pedido_listo ",
    tb_category="UTILITY",
    tb_language="es",
    tb_type="media",
    tb_header_format="TEXT",
    tb_header_text="Pedido {{1}}",
    tb_header_ex_1="A-12",
    tb_body="Hola {{1}}, tu pedido llega el {{2}} por la mañana.",
    tb_body_ex_1="Ana",
    tb_body_ex_2="lunes",
    tb_footer="Tienda 1980",
    tb_qr_count=2,
    tb_qr_0="Gracias",
    tb_qr_1="Cambiar fecha",
    tb_url_on=True,
    tb_url_text="Ver pedido",
    tb_url="https://tienda.example.com/pedidos/{{1}}",
    tb_url_example="A-12",
    tb_phone_on=True,
    tb_phone_text="Llamar",
    tb_phone_number="+34612345678",
)

MEDIA_BODY = {
    "name": "pedido_listo",
    "category": "UTILITY",
    "language": "es",
    "components": [
        {
            "type": "HEADER",
            "format": "TEXT",
            "text": "Pedido {{1}}",
            "example": {"header_text": ["A-12"]},
        },
        {
            "type": "BODY",
            "text": "Hola {{1}}, tu pedido llega el {{2}} por la mañana.",
            "example": {"body_text": [["Ana", "lunes"]]},
        },
        {"type": "FOOTER", "text": "Tienda 1980"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Gracias"},
                {"type": "QUICK_REPLY", "text": "Cambiar fecha"},
                {
                    "type": "URL",
                    "text": "Ver pedido",
                    "url": "https://tienda.example.com/pedidos/{{1}}",
                    "example": ["A-12"],
                },
                {"type": "PHONE_NUMBER", "text": "Llamar", "phone_number": "+34612345678"},
            ],
        },
    ],
}


def test_a_media_form_becomes_the_body_360dialog_takes() -> None:
    body = body_from_form(MEDIA_FORM)
    assert body == MEDIA_BODY
    assert validate_template(body) == []


def test_a_standard_template_has_only_a_body() -> None:
    state = {**MEDIA_FORM, "tb_type": "standard"}
    assert body_from_form(state)["components"] == [MEDIA_BODY["components"][1]]


def test_named_variables_make_a_named_template() -> None:
    state = form(
        tb_name="saludo",
        tb_body="Hola {{first_name}}, tu código es {{code}} y vale un día.",
        tb_body_ex_first_name="Ana",
        tb_body_ex_code="X1",
    )
    body = body_from_form(state)
    assert body["parameter_format"] == "NAMED"
    assert body["components"] == [
        {
            "type": "BODY",
            "text": "Hola {{first_name}}, tu código es {{code}} y vale un día.",
            "example": {
                "body_text_named_params": [
                    {"param_name": "first_name", "example": "Ana"},
                    {"param_name": "code", "example": "X1"},
                ]
            },
        }
    ]
    assert validate_template(body) == []


def test_examples_follow_the_variable_numbers_not_their_order_in_the_text() -> None:
    state = form(tb_body="El {{2}} llega {{1}}.", tb_body_ex_1="Ana", tb_body_ex_2="pedido")
    [body] = body_from_form(state)["components"]
    assert body["example"] == {"body_text": [["Ana", "pedido"]]}


def test_the_preview_keeps_a_variable_without_an_example() -> None:
    state = form(tb_body="Hola {{1}} y {{2}}", tb_body_ex_1="Ana")
    assert body_from_form(state)["components"][0]["example"] == {"body_text": [["Ana", ""]]}
    preview = body_from_form(state, for_preview=True)["components"][0]
    assert preview["example"] == {"body_text": [["Ana", "{{2}}"]]}


def test_a_media_header_carries_its_uploaded_sample() -> None:
    state = form(tb_type="media", tb_header_format="IMAGE", tb_body="Hola")
    assert body_from_form(state)["components"][0] == {"type": "HEADER", "format": "IMAGE"}
    uploaded = {**state, "tb_header_handle": "4::aW1hZ2U=:AR"}
    assert body_from_form(uploaded)["components"][0] == {
        "type": "HEADER",
        "format": "IMAGE",
        "example": {"header_handle": ["4::aW1hZ2U=:AR"]},
    }
    assert form_from_body(body_from_form(uploaded))["tb_header_handle"] == "4::aW1hZ2U=:AR"


def test_a_stored_draft_comes_back_into_the_same_widgets() -> None:
    values = form_from_body(MEDIA_BODY)
    assert {key: values[key] for key in MEDIA_FORM} == {**MEDIA_FORM, "tb_name": "pedido_listo"}
    assert body_from_form(values) == MEDIA_BODY


def test_what_the_form_cannot_show_falls_back_to_its_defaults() -> None:
    values = form_from_body(
        {
            "name": "aviso",
            "category": "SHIPPING_UPDATE",
            "language": "xx",
            "components": [
                {"type": "header", "format": "LOCATION"},
                {"type": "body", "text": "Hola"},
                {
                    "type": "BUTTONS",
                    "buttons": [
                        {"type": "URL", "text": "Uno", "url": "https://a.example.com"},
                        {"type": "URL", "text": "Dos", "url": "https://b.example.com"},
                    ],
                },
            ],
        }
    )
    assert (values["tb_category"], values["tb_language"]) == ("MARKETING", "es")
    assert (values["tb_type"], values["tb_header_format"], values["tb_body"]) == (
        "media",
        "NONE",
        "Hola",
    )
    assert (values["tb_url_text"], values["tb_qr_count"], values["tb_phone_on"]) == (
        "Uno",
        0,
        False,
    )


# --- The kinds Meta defines beyond header, body, footer and buttons -----------------------------

HANDLE = "4::aW1hZ2UvcG5n:ARYytyb0kLp5htbBB8vWlc:e:1681000441:634974688087057:100089620928913:AR"
"""A sample handle shaped as the Resumable Upload gives them."""


def upper_types(value: Any) -> Any:
    """Meta's examples write ``type``, ``format`` and ``category`` in either case; the form writes
    them as 360Dialog's own examples do, in upper case."""
    if isinstance(value, dict):
        return {
            key: str(item).upper() if key in ("type", "format", "category") else upper_types(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [upper_types(item) for item in value]
    return value


@pytest.mark.parametrize(
    ("example", "kind"),
    [
        ("authentication_copy_code", "authentication"),
        ("coupon_code", "coupon"),
        ("limited_time_offer", "offer"),
        ("carousel_media_cards", "carousel"),
        ("text_header_quick_replies", "media"),
    ],
)
def test_metas_example_of_each_kind_goes_through_the_form_unchanged(
    example: str, kind: str
) -> None:
    """Each of Meta's examples (``testdata/template_rules/approved``, sources in its README) is
    loaded into the form as its kind and built back into the same body."""
    body = load(f"template_rules/approved/{example}.json")
    values = form_from_body(body)
    assert values["tb_type"] == kind
    rebuilt = body_from_form(values)
    assert rebuilt == upper_types(body)
    assert validate_template(rebuilt) == []


def test_a_coupon_is_a_marketing_template_with_its_copy_code_button() -> None:
    """Coupon code templates: a copy-code button with the sample code, after the quick replies
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/coupon-templates)."""
    state = form(
        tb_name="cupon_otono",
        tb_category="UTILITY",  # chosen before; a coupon is marketing whatever was chosen
        tb_type="coupon",
        tb_body="Usa el código {{1}} y ahorra en toda la tienda.",
        tb_body_ex_1="OTONO25",
        tb_qr_count=1,
        tb_qr_0="No me interesa",
        tb_coupon_code="OTONO25",
    )
    body = body_from_form(state)
    assert body["category"] == "MARKETING"
    assert body["components"][-1] == {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "No me interesa"},
            {"type": "COPY_CODE", "example": "OTONO25"},
        ],
    }
    assert validate_template(body) == []
    assert [v.rule for v in validate_template(body_from_form({**state, "tb_coupon_code": ""}))] == [
        "copy_code_example"
    ]


def test_an_offer_has_its_banner_before_the_body_and_no_footer_or_quick_replies() -> None:
    """Limited-time offers: header, the offer part, body, copy-code and website buttons; no footer
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/limited-time-offer-templates)."""
    state = form(
        tb_name="oferta_caribe",
        tb_type="offer",
        tb_header_format="IMAGE",
        tb_header_handle=HANDLE,
        tb_offer_text="¡Oferta final!",
        tb_offer_expires=True,
        tb_body="Hola {{1}}, usa el código {{2}} para un 25% menos.",
        tb_body_ex_1="Pablo",
        tb_body_ex_2="CARIBE25",
        tb_coupon_code="CARIBE25",
        tb_footer="never sent with an offer",
        tb_qr_count=1,
        tb_qr_0="never sent with an offer",
        tb_url_on=True,
        tb_url_text="Reservar",
        tb_url="https://viajes.example.com/ofertas",
    )
    body = body_from_form(state)
    assert [c["type"] for c in body["components"]] == [
        "HEADER",
        "LIMITED_TIME_OFFER",
        "BODY",
        "BUTTONS",
    ]
    assert body["components"][1]["limited_time_offer"] == {
        "text": "¡Oferta final!",
        "has_expiration": True,
    }
    assert [b["type"] for b in body["components"][-1]["buttons"]] == ["COPY_CODE", "URL"]
    assert validate_template(body) == []
    without_code = body_from_form({**state, "tb_offer_expires": False, "tb_coupon_code": ""})
    assert [b["type"] for b in without_code["components"][-1]["buttons"]] == ["URL"]
    assert validate_template(without_code) == []
    text_header = body_from_form({**state, "tb_header_format": "TEXT", "tb_header_text": "Hola"})
    assert text_header["components"][0]["type"] == "LIMITED_TIME_OFFER"


def carousel_form(**values: Any) -> dict[str, Any]:
    """A carousel of two image cards, each with its uploaded sample, text and two buttons."""
    state = form(
        tb_name="frutas_verano",
        tb_type="carousel",
        tb_body="Llega el verano: usa el código {{1}} en tu próximo pedido.",
        tb_body_ex_1="VERANO15",
        tb_card_count=2,
        tb_card_format="IMAGE",
        tb_card_qr_on=True,
        tb_card_url_on=True,
    )
    for card, fruit in enumerate(("limones", "mangos")):
        state.update(
            {
                f"tb_card_{card}_handle": f"{HANDLE}{card}",
                f"tb_card_{card}_body": f"{fruit.title()} de temporada para {{{{1}}}} y su familia.",
                f"tb_card_{card}_ex_1": "Ana",
                f"tb_card_{card}_qr": "Más como este",
                f"tb_card_{card}_url_text": "Comprar",
                f"tb_card_{card}_url": "https://tienda.example.com/{{1}}",
                f"tb_card_{card}_url_example": fruit,
            }
        )
    return {**state, **values}


def test_a_carousel_is_its_body_then_every_card_with_its_own_sample() -> None:
    """Media card carousels: the body, then 2 to 10 cards, each an image header with its own
    handle, a body with samples and the same buttons
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/media-card-carousel-templates)."""
    body = body_from_form(carousel_form())
    assert body["category"] == "MARKETING"
    assert [c["type"] for c in body["components"]] == ["BODY", "CAROUSEL"]
    first, second = body["components"][1]["cards"]
    assert first["components"] == [
        {"type": "HEADER", "format": "IMAGE", "example": {"header_handle": [f"{HANDLE}0"]}},
        {
            "type": "BODY",
            "text": "Limones de temporada para {{1}} y su familia.",
            "example": {"body_text": [["Ana"]]},
        },
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Más como este"},
                {
                    "type": "URL",
                    "text": "Comprar",
                    "url": "https://tienda.example.com/{{1}}",
                    "example": ["limones"],
                },
            ],
        },
    ]
    assert second["components"][0]["example"] == {"header_handle": [f"{HANDLE}1"]}
    assert validate_template(body) == []
    assert body_from_form(form_from_body(body)) == body


def test_a_carousel_names_the_card_without_a_sample_and_a_count_meta_refuses() -> None:
    missing = carousel_form(tb_card_1_handle=None)
    assert [(v.rule, v.field) for v in validate_template(body_from_form(missing))] == [
        ("card_media_example", "components.CAROUSEL.cards[1].HEADER.example")
    ]
    one_card = body_from_form(carousel_form(tb_card_count=1))
    assert [v.rule for v in validate_template(one_card)] == ["carousel_cards_count"]
    video = body_from_form(carousel_form(tb_card_format="VIDEO"))
    assert {card["components"][0]["format"] for card in video["components"][1]["cards"]} == {
        "VIDEO"
    }


def test_an_authentication_template_carries_only_metas_settings() -> None:
    """Copy-code authentication templates: the body's security note, the footer's expiry, one OTP
    button; Meta writes the text
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates)."""
    state = form(tb_name="codigo_acceso", tb_type="authentication", tb_body="ignored")
    body = body_from_form(state)
    assert body["category"] == "AUTHENTICATION"
    assert body["components"] == [
        {"type": "BODY", "add_security_recommendation": True},
        {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
    ]
    assert validate_template(body) == []
    chosen = body_from_form(
        {
            **state,
            "tb_security": False,
            "tb_expiry_on": True,
            "tb_expiry_minutes": 10,
            "tb_otp_text": "Copiar código",
        }
    )
    assert chosen["components"] == [
        {"type": "BODY", "add_security_recommendation": False},
        {"type": "FOOTER", "code_expiration_minutes": 10},
        {
            "type": "BUTTONS",
            "buttons": [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copiar código"}],
        },
    ]
    assert validate_template(chosen) == []
    assert form_from_body(chosen)["tb_otp_text"] == "Copiar código"
    too_long = body_from_form({**state, "tb_expiry_on": True, "tb_expiry_minutes": 120})
    assert [v.rule for v in validate_template(too_long)] == ["code_expiration"]


def test_fields_of_another_kind_stay_out_of_the_body() -> None:
    """Switching kind keeps what was typed (switching back finds it) but builds only this kind."""
    state = carousel_form(tb_type="media", tb_coupon_code="X", tb_offer_text="Oferta")
    body = body_from_form(state)
    assert [c["type"] for c in body["components"]] == ["BODY"]
    assert "parameter_format" not in body
