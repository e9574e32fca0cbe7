"""Template rules: no approved template in the payloads is refused, and each rule catches the
template that breaks it (exact ``rule`` and ``field``).

Which payload templates count as accepted by 360Dialog/Meta (see each folder's README):

- Submitted (full rules): Meta's own documented create/edit requests in ``meta-openapi/``
  (``templates_post_request__*``, ``template_by_id_post_request__edit_template``). Three flow
  examples carry a ``<TEMPLATE_NAME>`` placeholder that a real request replaces; we replace it too.
- Listed (``for_listing=True``): items with ``status`` APPROVED/approved in Meta's listing examples
  (``templates_get_response_200``, ``template_by_id_get_response_200``), chatwoot's 360Dialog
  listing and stored factory, chatwoot's UI fixture (13 APPROVED templates), and kairon's 360Dialog
  listing (no ``status``, but it is what 360Dialog listed). 360Dialog's listings of older
  templates have no ``example`` and keep legacy categories (``SHIPPING_UPDATE``), and chatwoot's
  hand-made fixture has bodies that start or end with a variable, which Meta refuses at creation:
  that is why listings skip ``SUBMISSION_ONLY``; the test shows those are the only rules they
  would break.

The kinds beyond the classic four parts (authentication, offers, carousels…) and Meta's examples
of each are in ``test_template_kinds.py``.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from core.i18n import LANGUAGES as UI_LANGUAGES
from core.templates.anatomy import TemplateVariables, template_variables, variables_of
from core.templates.limits import COMPACT_LIMITS, META_LIMITS, Limits
from core.templates.preview import Preview, PreviewButton, render_preview
from core.templates.rules import SUBMISSION_ONLY, Draft, validate_template
from core.templates.rules.buttons import (
    check_button_phone_numbers,
    check_button_text,
    check_button_types,
    check_button_url_length,
    check_button_urls,
    check_buttons_grouped,
    check_buttons_total,
    check_copy_code_count,
    check_phone_button_count,
    check_quick_reply_count,
    check_url_button_count,
)
from core.templates.rules.parts import (
    check_body_length,
    check_body_required,
    check_body_text,
    check_category,
    check_category_current,
    check_component_types,
    check_footer_length,
    check_footer_variables,
    check_header_format,
    check_header_media_example,
    check_header_text,
    check_header_variables,
    check_language,
    check_name_format,
    check_name_length,
)
from core.templates.rules.placement import check_body_variable_edges, check_variables_ratio
from core.templates.rules.variables import (
    check_parameter_format,
    check_variable_examples,
    check_variable_format,
    check_variable_malformed,
    check_variables_adjacent,
    check_variables_sequential,
)
from core.templates.vocabulary import CATEGORIES, LANGUAGES
from tests.d360.helpers import all_json, load
from tests.reference import payload_or, requires_payloads

# --- the payloads: nothing approved is refused ---------------------------------------------------

SUBMITTED_FILES = sorted(
    rel
    for rel in all_json()
    if rel.startswith("meta-openapi/templates_post_request__")
    or rel == "meta-openapi/template_by_id_post_request__edit_template.json"
)
LISTING_FILES = [
    "meta-openapi/templates_get_response_200__example_response.json",
    "meta-openapi/template_by_id_get_response_200__example_response.json",
    "chatwoot/templates/d360_templates_list.json",
    "chatwoot/templates/stored_message_templates_factory.json",
    "chatwoot/templates/cloud_templates_ui_fixture.json",
    "kairon/partner_api_response__get_templates_filtered.json",
]
SUBMISSION_ONLY_RULE_IDS = {
    "category_legacy",
    "variable_examples",
    "header_media_example",
    "card_media_example",
    "card_variable_examples",
    "copy_code_example",
    "auth_part",
    "auth_custom_text",
    "auth_otp_button",
    "otp_button_category",
    "body_starts_with_variable",
    "body_ends_with_variable",
    "variables_ratio",
}
"""The rule ids of ``SUBMISSION_ONLY``: what a listing may lack or may have been approved with."""


def _templates_in(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return data
    for key in ("waba_templates", "data"):
        if isinstance(data.get(key), list):
            return data[key]
    return [data]


def _is_definition(item: Any) -> bool:
    """A template definition (not a send): named components of a known kind, no ``parameters``."""
    if not isinstance(item, dict) or not isinstance(item.get("components"), list):
        return False
    components = [c for c in item["components"] if isinstance(c, dict)]
    kinds = {str(c.get("type", "")).upper() for c in components}
    return bool(kinds & {"HEADER", "BODY", "FOOTER", "BUTTONS"}) and not any(
        "parameters" in c for c in components
    )


def _walk(data: Any) -> Iterator[Any]:
    yield data
    children = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    for child in children:
        yield from _walk(child)


def _cases(files: list[str]) -> list[tuple[str, int]]:
    return [(rel, i) for rel in files for i in range(len(_templates_in(payload_or(rel, []))))]


@requires_payloads
def test_every_template_definition_in_the_payloads_is_classified() -> None:
    holding = {rel for rel in all_json() if any(_is_definition(x) for x in _walk(load(rel)))}
    assert holding == set(SUBMITTED_FILES) | set(LISTING_FILES)
    assert len(SUBMITTED_FILES) == 12


@requires_payloads
@pytest.mark.parametrize(("relative", "index"), _cases(SUBMITTED_FILES))
def test_meta_documented_submissions_pass_under_meta_limits(relative: str, index: int) -> None:
    template = copy.deepcopy(_templates_in(load(relative))[index])
    if template["name"] == "<TEMPLATE_NAME>":  # the documentation's placeholder
        template["name"] = "check_out_this_offer"
    assert validate_template(template, META_LIMITS) == []


@requires_payloads
@pytest.mark.parametrize(("relative", "index"), _cases(LISTING_FILES))
def test_listed_templates_pass_under_meta_limits(relative: str, index: int) -> None:
    template = _templates_in(load(relative))[index]
    assert str(template.get("status", "approved")).upper() == "APPROVED"
    # Chatwoot's fixture calls +2112121212: digits with a +, as Meta checks a call button's number
    # (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components),
    # so it passes although no real South Sudan number is that short.
    assert validate_template(template, META_LIMITS, for_listing=True) == []


@requires_payloads
@pytest.mark.parametrize(("relative", "index"), _cases(LISTING_FILES))
def test_listings_only_lack_what_a_submission_carries(relative: str, index: int) -> None:
    template = _templates_in(load(relative))[index]
    listing = validate_template(template, META_LIMITS, for_listing=True)
    extra = [v for v in validate_template(template, META_LIMITS) if v not in listing]
    assert {v.rule for v in extra} <= SUBMISSION_ONLY_RULE_IDS


def test_360dialog_listings_without_examples_need_the_listing_mode() -> None:
    shipping = _templates_in(load("chatwoot/templates/d360_templates_list.json"))[2]
    assert [v.rule for v in validate_template(shipping, META_LIMITS)] == [
        "category_legacy",
        "variable_examples",
    ]
    assert validate_template(shipping, META_LIMITS, for_listing=True) == []


# --- one template per component kind that is valid -----------------------------------------------


def valid() -> dict[str, Any]:
    """A template that passes every rule under both layouts (Meta's and compact buttons)."""
    return {
        "name": "order_update_2",
        "category": "UTILITY",
        "language": "es",
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Pedido {{1}}",
                "example": {"header_text": ["A-100"]},
            },
            {
                "type": "BODY",
                "text": "Hola {{1}}, tu pedido llega el {{2}} por la mañana.",
                "example": {"body_text": [["Ana", "lunes"]]},
            },
            {"type": "FOOTER", "text": "Tienda Ejemplo"},
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Gracias"},
                    {
                        "type": "URL",
                        "text": "Ver pedido",
                        "url": "https://tienda.example.com/pedidos/{{1}}",
                        "example": ["A-100"],
                    },
                    {"type": "PHONE_NUMBER", "text": "Llamar", "phone_number": "+34612345678"},
                ],
            },
        ],
    }


def component(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return next(c for c in template["components"] if c["type"].upper() == kind)


def buttons(template: dict[str, Any]) -> list[dict[str, Any]]:
    return component(template, "BUTTONS")["buttons"]


def drop(template: dict[str, Any], kind: str) -> None:
    template["components"] = [c for c in template["components"] if c["type"].upper() != kind]


def media_header(kind: str) -> dict[str, Any]:
    return {"type": "HEADER", "format": kind, "example": {"header_handle": ["4::aW1hZ2U=:AR"]}}


def test_the_base_template_is_valid_under_both_limits() -> None:
    assert validate_template(valid()) == []
    assert validate_template(valid(), META_LIMITS) == []


def _with_header(header: dict[str, Any] | None) -> dict[str, Any]:
    template = valid()
    drop(template, "HEADER")
    if header:
        template["components"].insert(0, header)
    return template


VALID_KINDS = {
    "body only (standard template)": (
        lambda: {
            "name": "welcome",
            "category": "MARKETING",
            "language": "en_US",
            "components": [{"type": "BODY", "text": "Welcome to our shop!"}],
        },
        COMPACT_LIMITS,
    ),
    "text header without variable": (
        lambda: _with_header({"type": "HEADER", "format": "TEXT", "text": "Tu pedido"}),
        COMPACT_LIMITS,
    ),
    "image header": (lambda: _with_header(media_header("IMAGE")), COMPACT_LIMITS),
    "document header": (lambda: _with_header(media_header("DOCUMENT")), COMPACT_LIMITS),
    "video header": (lambda: _with_header(media_header("VIDEO")), COMPACT_LIMITS),
    "location header (Meta)": (
        lambda: _with_header({"type": "HEADER", "format": "LOCATION"}),
        META_LIMITS,
    ),
    "no header, no footer, no buttons": (
        lambda: {
            "name": "reminder",
            "category": "UTILITY",
            "language": "es_MX",
            "components": [
                {
                    "type": "BODY",
                    "text": "Recuerda tu cita del {{1}} en la tienda.",
                    "example": {"body_text": [["lunes"]]},
                }
            ],
        },
        COMPACT_LIMITS,
    ),
    "three quick replies": (
        lambda: {
            **valid(),
            "components": [
                component(valid(), "BODY"),
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "QUICK_REPLY", "text": t} for t in ("Sí", "No", "Luego")],
                },
            ],
        },
        COMPACT_LIMITS,
    ),
    "copy code button": (
        lambda: {
            **valid(),
            "category": "MARKETING",
            "components": [
                component(valid(), "BODY"),
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "COPY_CODE", "example": ["SAVE10"]}],
                },
            ],
        },
        COMPACT_LIMITS,
    ),
    "named variables": (
        lambda: {
            "name": "named_greeting",
            "category": "MARKETING",
            "language": "es",
            "parameter_format": "NAMED",
            "components": [
                {
                    "type": "header",
                    "format": "TEXT",
                    "text": "Hola {{first_name}}",
                    "example": {
                        "header_text_named_params": [{"param_name": "first_name", "example": "Ana"}]
                    },
                },
                {
                    "type": "body",
                    "text": "Tu código es {{code}} y caduca el {{day}} a medianoche.",
                    "example": {
                        "body_text_named_params": [
                            {"param_name": "code", "example": "X1"},
                            {"param_name": "day", "example": "lunes"},
                        ]
                    },
                },
            ],
        },
        COMPACT_LIMITS,
    ),
    "lowercase component types": (
        lambda: {
            **valid(),
            "components": [{**c, "type": c["type"].lower()} for c in valid()["components"]],
        },
        COMPACT_LIMITS,
    ),
}


@pytest.mark.parametrize("kind", VALID_KINDS)
def test_valid_template_per_component_kind(kind: str) -> None:
    build, limits = VALID_KINDS[kind]
    assert validate_template(build(), limits) == []


# --- one broken template per rule -------------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def set_(path: str, value: Any) -> Mutation:
    """Set ``KIND.key`` on a component, ``BUTTONS.i.key`` on a button, or a top-level key."""

    def mutate(template: dict[str, Any]) -> None:
        parts = path.split(".")
        if len(parts) == 1:
            template[parts[0]] = value
        elif parts[0] == "BUTTONS" and len(parts) == 3:
            buttons(template)[int(parts[1])][parts[2]] = value
        else:
            target = component(template, parts[0])
            if value is None:
                target.pop(parts[1], None)
            else:
                target[parts[1]] = value

    return mutate


def set_buttons(*items: dict[str, Any]) -> Mutation:
    def mutate(template: dict[str, Any]) -> None:
        component(template, "BUTTONS")["buttons"] = list(items)

    return mutate


def steps(*mutations: Mutation) -> Mutation:
    def mutate(template: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(template)

    return mutate


def qr(text: str = "Ok") -> dict[str, Any]:
    return {"type": "QUICK_REPLY", "text": text}


def url(address: str = "https://tienda.example.com/", text: str = "Web") -> dict[str, Any]:
    return {"type": "URL", "text": text, "url": address}


def phone(number: str = "+34612345678") -> dict[str, Any]:
    return {"type": "PHONE_NUMBER", "text": "Llamar", "phone_number": number}


BUTTONS_FIELD = "components.BUTTONS.buttons"
BROKEN: list[tuple[Callable[[Draft], Any], str, str, Mutation, Limits]] = [
    (check_name_format, "name_format", "name", set_("name", "Order Update"), COMPACT_LIMITS),
    (check_name_format, "name_format", "name", set_("name", "pedido_año"), COMPACT_LIMITS),
    (check_name_format, "name_format", "name", set_("name", ""), COMPACT_LIMITS),
    (check_name_length, "name_length", "name", set_("name", "a" * 513), COMPACT_LIMITS),
    (check_category, "category_invalid", "category", set_("category", "PROMO"), COMPACT_LIMITS),
    (
        check_category_current,
        "category_legacy",
        "category",
        set_("category", "TRANSACTIONAL"),
        META_LIMITS,
    ),
    (check_language, "language_unknown", "language", set_("language", "es-ES"), META_LIMITS),
    (
        check_component_types,
        "component_unknown",
        "components[4].type",
        lambda t: t["components"].append({"type": "CAROUSEL"}),
        COMPACT_LIMITS,
    ),
    (
        check_component_types,
        "component_duplicate",
        "components.FOOTER",
        lambda t: t["components"].insert(3, {"type": "FOOTER", "text": "Otra"}),
        COMPACT_LIMITS,
    ),
    (check_body_required, "body_required", "components", lambda t: drop(t, "BODY"), COMPACT_LIMITS),
    (
        check_body_text,
        "body_empty",
        "components.BODY.text",
        steps(set_("BODY.text", "  "), set_("BODY.example", None)),
        COMPACT_LIMITS,
    ),
    (
        check_body_length,
        "body_length",
        "components.BODY.text",
        steps(set_("BODY.text", "x" * 1025), set_("BODY.example", None)),
        META_LIMITS,
    ),
    (
        check_header_format,
        "header_format",
        "components.HEADER.format",
        lambda t: t["components"].__setitem__(0, {"type": "HEADER", "format": "LOCATION"}),
        COMPACT_LIMITS,
    ),
    (
        check_header_format,
        "header_format",
        "components.HEADER.format",
        lambda t: t["components"].__setitem__(0, {"type": "HEADER", "format": "AUDIO"}),
        META_LIMITS,
    ),
    (
        check_header_text,
        "header_empty",
        "components.HEADER.text",
        steps(set_("HEADER.text", ""), set_("HEADER.example", None)),
        COMPACT_LIMITS,
    ),
    (
        check_header_text,
        "header_length",
        "components.HEADER.text",
        steps(set_("HEADER.text", "x" * 61), set_("HEADER.example", None)),
        COMPACT_LIMITS,
    ),
    (
        check_header_variables,
        "header_variables",
        "components.HEADER.text",
        steps(
            set_("HEADER.text", "{{1}} y {{2}}"),
            set_("HEADER.example", {"header_text": ["a", "b"]}),
        ),
        META_LIMITS,
    ),
    (
        check_header_media_example,
        "header_media_example",
        "components.HEADER.example",
        lambda t: t["components"].__setitem__(0, {"type": "HEADER", "format": "IMAGE"}),
        COMPACT_LIMITS,
    ),
    (
        check_footer_length,
        "footer_length",
        "components.FOOTER.text",
        set_("FOOTER.text", "x" * 61),
        COMPACT_LIMITS,
    ),
    (
        check_footer_variables,
        "footer_variables",
        "components.FOOTER.text",
        set_("FOOTER.text", "Hasta pronto, {{1}}"),
        COMPACT_LIMITS,
    ),
    (
        check_variable_format,
        "variable_format",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, llega el {{dia}} por la tarde."),
        COMPACT_LIMITS,
    ),
    (
        check_variable_format,
        "variable_format",
        "components.BODY.text",
        steps(
            set_("parameter_format", "NAMED"),
            set_("HEADER.text", "Pedido"),
            set_("HEADER.example", None),
            set_("BODY.text", "Hola {{Nombre}}, gracias por tu compra."),
            set_(
                "BODY.example",
                {"body_text_named_params": [{"param_name": "Nombre", "example": "Ana"}]},
            ),
        ),
        COMPACT_LIMITS,
    ),
    (
        check_variables_sequential,
        "variables_sequential",
        "components.BODY.text",
        set_("BODY.text", "Hola {{2}}, llega el {{1}} por la tarde."),
        COMPACT_LIMITS,
    ),
    (
        check_variables_sequential,
        "variables_sequential",
        "components.BODY.text",
        set_("BODY.text", "Hola {{0}}, llega el {{1}} por la tarde."),
        COMPACT_LIMITS,
    ),
    (
        check_variables_sequential,
        "variables_sequential",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, llega el {{3}} por la tarde."),
        COMPACT_LIMITS,
    ),
    (
        check_variables_sequential,
        "variables_sequential",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, {{1}} llega el {{2}} por la tarde, gracias."),
        COMPACT_LIMITS,
    ),
    (
        check_variables_sequential,
        "variables_sequential",
        "components.HEADER.text",
        set_("HEADER.text", "Pedido {{2}}"),
        COMPACT_LIMITS,
    ),
    (
        check_variables_adjacent,
        "variables_adjacent",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}} {{2}}, tu pedido llega pronto."),
        COMPACT_LIMITS,
    ),
    (
        check_variable_examples,
        "variable_examples",
        "components.BODY.example",
        set_("BODY.example", None),
        COMPACT_LIMITS,
    ),
    (
        check_variable_examples,
        "variable_examples",
        "components.BODY.example",
        set_("BODY.example", {"body_text": [["Ana"]]}),
        COMPACT_LIMITS,
    ),
    (
        check_variable_examples,
        "variable_examples",
        "components.HEADER.example",
        set_("HEADER.example", {"header_text": [""]}),
        COMPACT_LIMITS,
    ),
    (
        check_variable_examples,
        "variable_examples",
        "components.BUTTONS.buttons[1].example",
        set_("BUTTONS.1.example", []),
        COMPACT_LIMITS,
    ),
    (
        check_variable_examples,
        "variable_examples",
        "components.BODY.example",
        steps(
            set_("parameter_format", "NAMED"),
            set_("HEADER.text", "Pedido"),
            set_("HEADER.example", None),
            set_("BODY.text", "Hola {{name}}, llega el {{day}} por la tarde."),
            set_(
                "BODY.example",
                {"body_text_named_params": [{"param_name": "name", "example": "Ana"}]},
            ),
        ),
        COMPACT_LIMITS,
    ),
    (
        check_buttons_total,
        "buttons_total",
        BUTTONS_FIELD,
        set_buttons(*[qr(f"Opción {i}") for i in range(10)], url()),
        META_LIMITS,
    ),
    (
        check_quick_reply_count,
        "quick_reply_count",
        BUTTONS_FIELD,
        set_buttons(qr("A"), qr("B"), qr("C"), qr("D")),
        COMPACT_LIMITS,
    ),
    (
        check_url_button_count,
        "url_button_count",
        BUTTONS_FIELD,
        set_buttons(url(), url()),
        COMPACT_LIMITS,
    ),
    (
        check_url_button_count,
        "url_button_count",
        BUTTONS_FIELD,
        set_buttons(url(), url(), url()),
        META_LIMITS,
    ),
    (
        check_phone_button_count,
        "phone_button_count",
        BUTTONS_FIELD,
        set_buttons(phone(), phone("+34912345678")),
        META_LIMITS,
    ),
    (
        check_copy_code_count,
        "copy_code_count",
        BUTTONS_FIELD,
        set_buttons(*[{"type": "COPY_CODE", "example": ["X"]}] * 2),
        META_LIMITS,
    ),
    (
        check_buttons_grouped,
        "buttons_interleaved",
        BUTTONS_FIELD,
        set_buttons(qr("Sí"), url(), qr("No")),
        COMPACT_LIMITS,
    ),
    (
        check_button_types,
        "button_type_unknown",
        "components.BUTTONS.buttons[0].type",
        set_buttons({"type": "FLOW", "text": "Abrir"}),
        COMPACT_LIMITS,
    ),
    (
        check_button_text,
        "button_text_empty",
        "components.BUTTONS.buttons[0].text",
        set_("BUTTONS.0.text", " "),
        COMPACT_LIMITS,
    ),
    (
        check_button_text,
        "button_text_length",
        "components.BUTTONS.buttons[2].text",
        set_("BUTTONS.2.text", "Llámanos cuando quieras, ya"),
        COMPACT_LIMITS,
    ),
    # Meta checks a call button's number as digits with an optional leading +, at most 20
    # characters, not against a numbering plan (its own samples use its 555 test range):
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components
    (
        check_button_phone_numbers,
        "button_phone_number",
        "components.BUTTONS.buttons[2].phone_number",
        set_("BUTTONS.2.phone_number", "+34 612 345 678"),
        COMPACT_LIMITS,
    ),
    (
        check_button_phone_numbers,
        "button_phone_number",
        "components.BUTTONS.buttons[2].phone_number",
        set_("BUTTONS.2.phone_number", "+" + "3" * 20),
        META_LIMITS,
    ),
    (
        check_button_phone_numbers,
        "button_phone_number",
        "components.BUTTONS.buttons[2].phone_number",
        set_("BUTTONS.2.phone_number", None),
        COMPACT_LIMITS,
    ),
    (
        check_button_urls,
        "button_url",
        "components.BUTTONS.buttons[1].url",
        steps(set_("BUTTONS.1.url", "ftp://tienda.example.com/x"), set_("BUTTONS.1.example", None)),
        COMPACT_LIMITS,
    ),
    (
        check_button_urls,
        "button_url",
        "components.BUTTONS.buttons[1].url",
        set_("BUTTONS.1.url", "www.tienda.example.com/{{1}}"),
        COMPACT_LIMITS,
    ),
    (
        check_button_urls,
        "button_url_variable",
        "components.BUTTONS.buttons[1].url",
        set_("BUTTONS.1.url", "https://tienda.example.com/{{1}}/seguimiento"),
        COMPACT_LIMITS,
    ),
    (
        check_button_urls,
        "button_url_variable",
        "components.BUTTONS.buttons[1].url",
        set_("BUTTONS.1.url", "https://tienda.example.com/{{1}}{{2}}"),
        COMPACT_LIMITS,
    ),
    (
        check_button_url_length,
        "button_url_length",
        "components.BUTTONS.buttons[1].url",
        set_("BUTTONS.1.url", "https://tienda.example.com/" + "p" * 2000 + "/{{1}}"),
        META_LIMITS,
    ),
    (
        check_parameter_format,
        "parameter_format",
        "parameter_format",
        set_("parameter_format", "NUMBERED"),
        META_LIMITS,
    ),
    # Mismatched braces and anything but a number or a name inside them: common rejection reasons,
    # https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
    (
        check_variable_malformed,
        "variable_malformed",
        "components.BODY.text",
        set_("BODY.text", "Hola {{ 1 }}, tu pedido llega el {{2}} por la mañana."),
        META_LIMITS,
    ),
    (
        check_variable_malformed,
        "variable_malformed",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, tu pedido {{2} llega el {{2}} por la mañana."),
        META_LIMITS,
    ),
    (
        check_variable_malformed,
        "variable_malformed",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, tu pedido {2}} llega el {{2}} por la mañana."),
        META_LIMITS,
    ),
    (
        check_variable_malformed,
        "variable_malformed",
        "components.HEADER.text",
        set_("HEADER.text", "Pedido {{}} {{1}} listo"),
        META_LIMITS,
    ),
    (
        check_variable_malformed,
        "variable_malformed",
        "components.BUTTONS.buttons[1].url",
        set_("BUTTONS.1.url", "https://tienda.example.com/pedidos/{{1}"),
        META_LIMITS,
    ),
    # A body that starts or ends with a variable (punctuation after it still counts as the end):
    # https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
    (
        check_body_variable_edges,
        "body_starts_with_variable",
        "components.BODY.text",
        set_("BODY.text", "{{1}}, tu pedido llega el {{2}} por la mañana."),
        COMPACT_LIMITS,
    ),
    (
        check_body_variable_edges,
        "body_starts_with_variable",
        "components.BODY.text",
        set_("BODY.text", "¡{{1}}! Tu pedido llega el {{2}} por la mañana."),
        META_LIMITS,
    ),
    (
        check_body_variable_edges,
        "body_ends_with_variable",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, tu pedido llega el {{2}}"),
        META_LIMITS,
    ),
    (
        check_body_variable_edges,
        "body_ends_with_variable",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, tu pedido llega el {{2}}."),
        META_LIMITS,
    ),
    (
        check_body_variable_edges,
        "body_ends_with_variable",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, tu pedido llega el {{2}} !!"),
        COMPACT_LIMITS,
    ),
    (
        check_variables_ratio,
        "variables_ratio",
        "components.BODY.text",
        set_("BODY.text", "Hola {{1}}, llega {{2}} hoy."),
        META_LIMITS,
    ),
]


def _broken(mutation: Mutation) -> dict[str, Any]:
    template = valid()
    mutation(template)
    return template


@pytest.mark.parametrize(
    ("check", "rule", "field", "mutation", "limits"),
    BROKEN,
    ids=[f"{row[1]}-{n}" for n, row in enumerate(BROKEN)],
)
def test_each_rule_catches_the_template_that_breaks_it(
    check: Callable[[Draft], Any], rule: str, field: str, mutation: Mutation, limits: Limits
) -> None:
    template = _broken(mutation)
    assert [(v.rule, v.field) for v in validate_template(template, limits)] == [(rule, field)]
    assert [(v.rule, v.field) for v in check(Draft(template, limits))] == [(rule, field)]


@pytest.mark.parametrize("language", UI_LANGUAGES)
def test_every_violation_says_what_is_wrong_in_words(language: str) -> None:
    for _, rule, _, mutation, limits in BROKEN:
        (violation,) = validate_template(_broken(mutation), limits)
        text = violation.message(language)
        assert not text.startswith("templates."), f"no text for {rule}"
        assert not re.search(r"(?<!\{)\{[a-z_0-9]+\}(?!\})", text), f"unfilled value in {text!r}"


def test_messages_name_the_field_and_the_rule() -> None:
    (violation,) = validate_template(_broken(set_("BUTTONS.2.phone_number", "612-345-678")))
    assert violation.values == {
        "button": 3,
        "label": "Llamar",
        "number": "612-345-678",
        "limit": 20,
    }
    assert violation.message("es") == (
        "Botón 3 («Llamar»): «612-345-678» no es un número de teléfono que WhatsApp acepte. "
        "Escribe solo cifras, con + delante si quieres, como máximo 20 caracteres, "
        "por ejemplo +34612345678."
    )
    (ending,) = validate_template(
        _broken(set_("BODY.text", "Hola {{1}}, tu pedido llega el {{2}}."))
    )
    assert ending.message("en") == (
        "Body: the text ends with the variable {{2}} (a full stop or other punctuation after it "
        "does not count). WhatsApp refuses a message that ends with a variable; add some words "
        "after it."
    )
    (adjacent,) = validate_template(
        _broken(set_("BODY.text", "Hola {{1}}{{2}}, tu pedido llega pronto."))
    )
    assert adjacent.message("en") == (
        "Body: two variables are next to each other (like {{1}}{{2}}). Put some text between them."
    )


def test_several_broken_rules_are_all_reported() -> None:
    template = _broken(steps(set_("name", "Mi Plantilla"), set_("FOOTER.text", "{{1}}")))
    assert [v.rule for v in validate_template(template)] == ["name_format", "footer_variables"]


def test_listing_mode_skips_only_submission_rules() -> None:
    template = _broken(
        steps(
            set_("category", "ACCOUNT_UPDATE"),
            set_("BODY.example", None),
            lambda t: t["components"].__setitem__(0, {"type": "HEADER", "format": "VIDEO"}),
        )
    )
    assert [v.rule for v in validate_template(template)] == [
        "category_legacy",
        "header_media_example",
        "variable_examples",
    ]
    assert validate_template(template, for_listing=True) == []
    assert {rule.__name__ for rule in SUBMISSION_ONLY} == {
        "check_category_current",
        "check_variable_examples",
        "check_header_media_example",
        "check_card_media_example",
        "check_card_variable_examples",
        "check_copy_code_example",
        "check_authentication_parts",
        "check_body_variable_edges",
        "check_variables_ratio",
    }


def test_authentication_body_text_is_written_by_meta() -> None:
    # Since May 2023 an authentication template carries a one-time-password button:
    # https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/authentication-templates
    template = {
        "name": "login_code",
        "category": "AUTHENTICATION",
        "language": "es",
        "components": [
            {"type": "BODY", "add_security_recommendation": True},
            {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
        ],
    }
    assert validate_template(template) == []
    assert [v.rule for v in validate_template({**template, "category": "UTILITY"})] == [
        "otp_button_category",
        "body_empty",
    ]


def test_not_a_template_at_all() -> None:
    assert [v.rule for v in validate_template([])] == ["body_required"]  # type: ignore[arg-type]


def test_compact_and_meta_limits_differ_where_compact_is_stricter() -> None:
    four_replies = _broken(set_buttons(qr("A"), qr("B"), qr("C"), qr("D")))
    two_urls = _broken(set_buttons(url(), url("https://tienda.example.com/b")))
    location = _broken(
        lambda t: t["components"].__setitem__(0, {"type": "HEADER", "format": "LOCATION"})
    )
    for template in (four_replies, two_urls, location):
        assert validate_template(template, COMPACT_LIMITS) != []
        assert validate_template(template, META_LIMITS) == []
    assert (
        COMPACT_LIMITS.quick_replies,
        COMPACT_LIMITS.url_buttons,
        COMPACT_LIMITS.phone_buttons,
    ) == (
        3,
        1,
        1,
    )
    assert (META_LIMITS.quick_replies, META_LIMITS.url_buttons, META_LIMITS.phone_buttons) == (
        10,
        2,
        1,
    )


def test_meta_limits_on_quick_replies() -> None:
    eleven = _broken(set_buttons(*[qr(f"Opción {i}") for i in range(11)]))
    assert [v.rule for v in validate_template(eleven, META_LIMITS)] == [
        "buttons_total",
        "quick_reply_count",
    ]
    ten = _broken(set_buttons(*[qr(f"Opción {i}") for i in range(10)]))
    assert validate_template(ten, META_LIMITS) == []


def test_languages_and_categories() -> None:
    wanted = [
        "af",
        "sq",
        "ar",
        "az",
        "bn",
        "bg",
        "ca",
        "zh_CN",
        "zh_HK",
        "zh_TW",
        "hr",
        "cs",
        "da",
        "nl",
        "en",
        "en_GB",
        "en_US",
        "et",
        "fil",
        "fi",
        "fr",
        "ka",
        "de",
        "el",
        "gu",
        "ha",
        "he",
        "hi",
        "hu",
        "id",
        "ga",
        "it",
        "ja",
        "kn",
        "kk",
        "rw_RW",
        "ko",
        "ky_KG",
        "lo",
        "lv",
        "lt",
        "mk",
        "ms",
        "ml",
        "mr",
        "nb",
        "fa",
        "pl",
        "pt_BR",
        "pt_PT",
        "pa",
        "ro",
        "ru",
        "sr",
        "sk",
        "sl",
        "es",
        "es_AR",
        "es_ES",
        "es_MX",
        "sw",
        "sv",
        "ta",
        "te",
        "th",
        "tr",
        "uk",
        "ur",
        "uz",
        "vi",
        "zu",
    ]
    assert set(LANGUAGES) == set(wanted)
    assert all(LANGUAGES[code] for code in wanted)
    assert CATEGORIES == ("MARKETING", "UTILITY", "AUTHENTICATION")
    assert validate_template({**valid(), "category": "marketing"}) == []


# --- reading variables and previewing ---------------------------------------------------------------


def test_variables_of() -> None:
    assert variables_of("Hola {{1}}, tu {{2}} y otra vez {{1}}") == ["1", "2"]
    assert variables_of("Hi {{first_name}}, code {{ code }}") == ["first_name", "code"]
    assert variables_of("Sin variables {x} {{}}") == []
    assert variables_of(None) == []


def test_template_variables_per_component() -> None:
    assert template_variables(valid()) == TemplateVariables(
        header=["1"], body=["1", "2"], buttons={1: ["1"]}
    )
    named = VALID_KINDS["named variables"][0]()
    assert template_variables(named) == TemplateVariables(
        header=["first_name"], body=["code", "day"], buttons={}
    )
    media = _with_header(media_header("IMAGE"))
    assert template_variables(media).header == []


def test_preview_uses_the_examples_then_the_values() -> None:
    preview = render_preview(valid()["components"])
    assert preview == Preview(
        header="Pedido A-100",
        body="Hola Ana, tu pedido llega el lunes por la mañana.",
        footer="Tienda Ejemplo",
        buttons=(
            PreviewButton("QUICK_REPLY", "Gracias"),
            PreviewButton("URL", "Ver pedido", "https://tienda.example.com/pedidos/A-100"),
            PreviewButton("PHONE_NUMBER", "Llamar", "+34612345678"),
        ),
        header_format="TEXT",
    )
    from core.templates.values import TemplateValues

    filled = render_preview(
        valid()["components"],
        TemplateValues(header=["B-7"], body=["Luis", ""], buttons={1: "B-7"}),
    )
    assert filled.header == "Pedido B-7"
    # an empty value keeps the sample
    assert filled.body == "Hola Luis, tu pedido llega el lunes por la mañana."
    assert filled.buttons[1].target == "https://tienda.example.com/pedidos/B-7"


def test_preview_without_examples_keeps_the_placeholders() -> None:
    components = [
        {"type": "HEADER", "format": "IMAGE"},
        {"type": "BODY", "text": "Hola {{1}}"},
        {"type": "BUTTONS", "buttons": [url("https://x.example.com/{{1}}")]},
    ]
    preview = render_preview(components)
    assert (preview.header, preview.header_format, preview.body, preview.footer) == (
        None,
        "IMAGE",
        "Hola {{1}}",
        None,
    )
    assert preview.buttons[0].target == "https://x.example.com/{{1}}"


def test_preview_of_named_and_listed_templates() -> None:
    for item in _templates_in(load("chatwoot/templates/cloud_templates_ui_fixture.json")):
        preview = render_preview(item["components"])
        assert "{{" not in preview.body, item["name"]
    greet = render_preview(VALID_KINDS["named variables"][0]()["components"])
    assert (greet.header, greet.body) == (
        "Hola Ana",
        "Tu código es X1 y caduca el lunes a medianoche.",
    )
    tuscan = _templates_in(
        load(
            "meta-openapi/templates_post_request__create_template_w_image_header_text_body_text_footer_and_2_call_to_action_buttons.json"
        )
    )[0]
    shop = render_preview(tuscan["components"]).buttons[1]
    assert shop.target == "https://damp-sea-63235.herokuapp.com/shop?promo=summer2023"
