"""The template builder's form ↔ the body 360Dialog takes, without Streamlit: what the widgets
describe becomes a template that passes the rules, and a stored draft comes back into the same
widgets."""

from __future__ import annotations

from typing import Any

from core.templates.drafts import DEFAULTS, NOT_WIDGETS, body_from_form, form_from_body
from core.templates.rules import validate_template


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
