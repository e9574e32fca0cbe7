"""Template sends: every template-send body in the payloads, rebuilt from its template and values,
plus the checks that stop a send Meta would refuse (132000 and friends) before it leaves.

For each send the test names the template it fills: the one from a payload listing where one
exists (chatwoot's 360Dialog listing and stored templates, Meta's listing example), else the
smallest template with the variables the send fills. Components are compared after reading
``index`` as a string and ``sub_type`` in lower case: Meta's schema says string and lower case,
its own examples print ``0`` and ``CATALOG``.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.errors import UserFacingError
from core.templates.messages import build_template_message, check_values, summary_text
from core.templates.values import (
    CurrencyParam,
    DateTimeParam,
    LocationParam,
    MediaParam,
    TemplateValues,
    TemplateValuesError,
)
from tests.d360.helpers import all_json, load


def listed(relative: str, name: str, language: str) -> dict[str, Any]:
    data = load(relative)
    items = data["waba_templates"] if isinstance(data, dict) and "waba_templates" in data else data
    items = data["data"] if isinstance(data, dict) and "data" in data else items
    return next(i for i in items if i["name"] == name and i["language"] == language)


def body_template(name: str, language: str, body: str, **more: Any) -> dict[str, Any]:
    components: list[dict[str, Any]] = more.pop("components", [])
    return {
        "name": name,
        "language": language,
        "components": [{"type": "BODY", "text": body}, *components],
        **more,
    }


SHIPPING = listed(
    "chatwoot/templates/d360_templates_list.json", "sample_shipping_confirmation", "en_US"
)
REVIVE = body_template("revive_issue", "en_US", "Hi {{1}}, still having trouble with {{2}}?")
META_SAMPLE_BODY = "Hello {{1}}, you owe {{2}} since {{3}}."
CURRENCY = CurrencyParam(fallback_value="$100.99", code="USD", amount_1000=100990)
DATE = DateTimeParam(
    fallback_value="February 25, 1977",
    parts={
        "calendar": "GREGORIAN",
        "day_of_month": 25,
        "day_of_week": 5,
        "hour": 15,
        "minute": 33,
        "month": 2,
        "year": 1977,
    },
)
META_VALUES = ["text-string", CURRENCY, DATE]
IMAGE_HEADER = {"type": "HEADER", "format": "IMAGE"}
META_IMAGE = MediaParam("image", link="http(s)://the-image-url")


def quick_replies(*labels: str) -> dict[str, Any]:
    return {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": x} for x in labels]}


# file -> (template, values, what to compare: "template" (whole object) or "components")
SENDS: dict[str, tuple[dict[str, Any], TemplateValues, str]] = {
    "courier/d360cloud_api_exchange__template_send.json": (
        REVIVE,
        TemplateValues(body=["Chef", "tomorrow"]),
        "template",
    ),
    "courier/d360cloud_api_exchange__template_send_with_attachment.json": (
        {**REVIVE, "components": [IMAGE_HEADER, *REVIVE["components"]]},
        TemplateValues(
            body=["Chef", "tomorrow"],
            header_media=MediaParam("image", link="https://foo.bar/image.jpg"),
        ),
        "template",
    ),
    # On-Premise: the same object; D360Client.send_message adds the namespace.
    "courier/onprem_api_exchange__template_send.json": (
        {**REVIVE, "language": "en"},
        TemplateValues(body=["Chef", "tomorrow"]),
        "template",
    ),
    "courier/onprem_api_exchange__template_send_no_variables.json": (
        body_template("revive_issue", "en", "Are you still having trouble?"),
        TemplateValues(),
        "template",
    ),
    "meta-openapi/messages_post_request__send_test_message.json": (
        listed(
            "meta-openapi/templates_get_response_200__example_response.json", "hello_world", "en_US"
        ),
        TemplateValues(),
        "template",
    ),
    "meta-openapi/messages_post_request__send_message_template_text.json": (
        body_template("template-name", "language-and-locale-code", META_SAMPLE_BODY),
        TemplateValues(body=META_VALUES),
        "template",
    ),
    "meta-openapi/messages_post_request__send_sample_text_message.json": (
        body_template("template-name", "language-and-locale-code", META_SAMPLE_BODY),
        TemplateValues(body=META_VALUES),
        "template",
    ),
    "meta-openapi/messages_post_request__send_sample_shipping_confirmation_template.json": (
        body_template("template-name", "language-and-locale-code", META_SAMPLE_BODY),
        TemplateValues(body=META_VALUES),
        "template",
    ),
    "meta-openapi/messages_post_request__send_message_template_media.json": (
        {
            "name": "template-name",
            "language": "language-and-locale-code",
            "components": [IMAGE_HEADER, {"type": "BODY", "text": META_SAMPLE_BODY}],
        },
        TemplateValues(body=META_VALUES, header_media=META_IMAGE),
        "template",
    ),
    "meta-openapi/messages_post_request__send_message_template_interactive.json": (
        {
            "name": "template-name",
            "language": "language-and-locale-code",
            "components": [
                IMAGE_HEADER,
                {"type": "BODY", "text": META_SAMPLE_BODY},
                quick_replies("Yes", "No"),
            ],
        },
        TemplateValues(
            body=META_VALUES,
            header_media=META_IMAGE,
            buttons={0: "aGlzIHRoaXMgaXMgY29v", 1: "9rwnB8RbYmPF5t2Mn09x4h"},
        ),
        "template",
    ),
    "meta-openapi/messages_post_request__send_catalog_template_message.json": (
        body_template(
            "intro_catalog_offer",
            "en_US",
            "Use code {{1}} to get {{2}} off orders above {{3}}.",
            components=[{"type": "BUTTONS", "buttons": [{"type": "CATALOG", "text": "View"}]}],
        ),
        TemplateValues(body=["100", "400", "3"], buttons={0: "2lc20305pt"}),
        "template",
    ),
    "meta-openapi/messages_post_request__send_flow_template_message.json": (
        body_template(
            "<TEMPLATE_NAME>",
            "en_US",
            "Check out this new offer",
            components=[{"type": "BUTTONS", "buttons": [{"type": "FLOW", "text": "Open"}]}],
        ),
        TemplateValues(
            buttons={
                0: {
                    "flow_action_data": {"<CUSTOM_KEY>": "<CUSTOM_VALUE>"},
                    "flow_token": "<FLOW_TOKEN>",
                }
            }
        ),
        "template",
    ),
    "chatwoot/outbound/cloud_template_named_params.json": (
        listed(
            "chatwoot/templates/stored_message_templates_factory.json",
            "ticket_status_updated",
            "en_US",
        ),
        TemplateValues(body={"last_name": "Dale", "ticket_id": "2332"}),
        "template",
    ),
    "chatwoot/outbound/d360_template_body_param.json": (
        SHIPPING,
        TemplateValues(body=["3"]),
        "template",
    ),
    "chatwoot/outbound/d360_template_rich_text_param.json": (
        SHIPPING,
        TemplateValues(body=["*Bold text* and _italic text_"]),
        "template",
    ),
    # Chatwoot silently drops blank values; we refuse them (value_empty) and send the rest.
    "chatwoot/outbound/d360_template_blank_values_dropped.json": (
        SHIPPING,
        TemplateValues(body=["valid_value"]),
        "template",
    ),
    "chatwoot/outbound/d360_template_arabic_no_params.json": (
        listed("chatwoot/templates/d360_templates_list.json", "customer_yes_no", "ar"),
        TemplateValues(),
        "template",
    ),
    # Chatwoot's specs send a header image and a URL button for a template whose listing has
    # neither; the shape is rebuilt against the template they imply.
    "chatwoot/outbound/d360_template_header_image.json": (
        {**SHIPPING, "components": [IMAGE_HEADER, *SHIPPING["components"]]},
        TemplateValues(
            body=["3"], header_media=MediaParam("image", link="https://example.com/image.jpg")
        ),
        "components",
    ),
    "chatwoot/outbound/d360_template_url_button.json": (
        {
            **SHIPPING,
            "components": [
                *SHIPPING["components"],
                {
                    "type": "BUTTONS",
                    "buttons": [{"type": "URL", "text": "Track", "url": "https://r.example/{{1}}"}],
                },
            ],
        },
        TemplateValues(body=["3"], buttons={0: "https://track.example.com/123"}),
        "components",
    ),
}

NOT_PRODUCED = {
    "meta-openapi/messages_post_request__send_sample_issue_resolution_template.json": (
        "Meta's sample gives its quick replies a boolean `text` parameter; its own schema says a "
        "quick reply takes a `payload` parameter, which is what we send (checked below)."
    ),
    "chatwoot/outbound/d360_template_footer_param.json": (
        "Footer parameters: a footer has no variables (Meta), so there is nothing to fill."
    ),
    "chatwoot/outbound/d360_template_empty_components.json": (
        "No values for a template with {{1}}: exactly the 132000 that check_values catches."
    ),
    "chatwoot/outbound/cloud_template_positional.json": (
        "A unit-test artefact: `{type: text}` passed straight through as a component is not a "
        "Cloud API template component."
    ),
}


def _template_sends() -> set[str]:
    found = set()
    for rel in all_json():
        data = load(rel)
        bodies = data.get("expected_request_bodies", [data]) if isinstance(data, dict) else []
        if any(isinstance(b, dict) and b.get("type") == "template" for b in bodies):
            found.add(rel)
    return found


def _sent_template(relative: str) -> dict[str, Any]:
    data = load(relative)
    body = data["expected_request_bodies"][0] if "expected_request_bodies" in data else data
    return copy.deepcopy(body["template"])


def _normalised(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for component in components:
        component = dict(component)
        if "index" in component:
            component["index"] = str(component["index"])
        if "sub_type" in component:
            component["sub_type"] = str(component["sub_type"]).lower()
        out.append(component)
    return out


def test_every_template_send_in_the_payloads_is_covered() -> None:
    assert _template_sends() == set(SENDS) | set(NOT_PRODUCED)


@pytest.mark.parametrize("relative", sorted(SENDS))
def test_builder_produces_each_send_in_the_payloads(relative: str) -> None:
    template, values, compare = SENDS[relative]
    assert check_values(template, values) == []
    built = build_template_message(template, values)
    expected = _sent_template(relative)
    assert _normalised(built["components"]) == _normalised(expected.get("components", []))
    if compare == "template":
        expected.pop("namespace", None)  # On-Premise: added by D360Client.send_message
        expected["language"].setdefault("policy", "deterministic")
        expected.setdefault("components", [])
        assert {**built, "components": expected["components"]} == expected


def test_issue_resolution_sample_shape() -> None:
    expected = _sent_template(
        "meta-openapi/messages_post_request__send_sample_issue_resolution_template.json"
    )
    template = body_template(
        "sample_issue_resolution",
        "en_US",
        "Hi {{1}}, were we able to solve the issue you were facing?",
        components=[quick_replies("Yes", "No")],
    )
    built = build_template_message(
        template, TemplateValues(body=["*Mr. Jones*"], buttons={0: "yes", 1: "no"})
    )
    assert built["language"] == expected["language"]
    assert built["components"][0] == expected["components"][0]
    for ours, theirs in zip(built["components"][1:], expected["components"][1:], strict=True):
        assert (ours["type"], ours["sub_type"], ours["index"]) == (
            theirs["type"],
            theirs["sub_type"],
            str(theirs["index"]),
        )
        assert ours["parameters"][0]["type"] == "payload"


def test_sending_no_values_to_a_template_with_variables_is_refused() -> None:
    problems = check_values(SHIPPING, TemplateValues())
    assert [(v.rule, v.field, v.values) for v in problems] == [
        ("value_missing", "values.body.1", {"part": "body", "variable": "{{1}}"})
    ]
    with pytest.raises(TemplateValuesError) as caught:
        build_template_message(SHIPPING, TemplateValues())
    assert isinstance(caught.value, UserFacingError)
    assert caught.value.violations == problems
    assert caught.value.message("es") == (
        "La plantilla aún no se puede enviar; corrige 1 problema(s):\n"
        "- Cuerpo: rellena el valor de {{1}}."
    )


# --- the values, one concern at a time ---------------------------------------------------------

ORDER = {
    "name": "order_update_2",
    "language": "es",
    "components": [
        {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}"},
        {"type": "BODY", "text": "Hola {{1}}, tu pedido llega el {{2}}."},
        {"type": "FOOTER", "text": "Tienda Ejemplo"},
        {
            "type": "BUTTONS",
            "buttons": [
                {"type": "QUICK_REPLY", "text": "Gracias"},
                {"type": "URL", "text": "Ver", "url": "https://tienda.example.com/p/{{1}}"},
                {"type": "PHONE_NUMBER", "text": "Llamar", "phone_number": "+34612345678"},
            ],
        },
    ],
}
ORDER_VALUES = TemplateValues(header=["A-1"], body=["Ana", "lunes"], buttons={1: "A-1"})


def test_header_body_and_url_suffix() -> None:
    assert build_template_message(ORDER, ORDER_VALUES) == {
        "name": "order_update_2",
        "language": {"policy": "deterministic", "code": "es"},
        "components": [
            {"type": "header", "parameters": [{"type": "text", "text": "A-1"}]},
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "lunes"}],
            },
            {
                "type": "button",
                "sub_type": "url",
                "index": "1",
                "parameters": [{"type": "text", "text": "A-1"}],
            },
        ],
    }


def test_quick_reply_payloads_when_given() -> None:
    values = TemplateValues(header=["A-1"], body=["Ana", "lunes"], buttons={0: "THANKS", 1: "A-1"})
    built = build_template_message(ORDER, values)
    assert built["components"][2] == {
        "type": "button",
        "sub_type": "quick_reply",
        "index": "0",
        "parameters": [{"type": "payload", "payload": "THANKS"}],
    }


NAMED = listed(
    "chatwoot/templates/cloud_templates_ui_fixture.json", "event_invitation_static", "en"
)


def test_named_parameters_carry_their_names() -> None:
    values = TemplateValues(body={"location": "Dubai", "event_name": "F1"})
    built = build_template_message(NAMED, values)
    assert built["components"] == [
        {
            "type": "body",
            "parameters": [
                {"type": "text", "text": "F1", "parameter_name": "event_name"},
                {"type": "text", "text": "Dubai", "parameter_name": "location"},
            ],
        }
    ]
    assert summary_text(NAMED, values) == (
        "You're invited to F1 at Dubai, Join us for an amazing experience!"
    )


def test_named_parameters_missing_and_extra() -> None:
    problems = check_values(NAMED, TemplateValues(body={"event_name": "F1", "place": "Dubai"}))
    assert [(v.rule, v.field) for v in problems] == [
        ("value_missing", "values.body.location"),
        ("value_extra", "values.body.place"),
    ]


def media_template(kind: str) -> dict[str, Any]:
    return body_template(
        "receipt", "en_US", "Your receipt, {{1}}.", components=[{"type": "HEADER", "format": kind}]
    )


def test_media_header_by_id_and_by_link() -> None:
    by_id = build_template_message(
        media_template("IMAGE"),
        TemplateValues(body=["Ana"], header_media=MediaParam("image", id="1234567890")),
    )
    assert by_id["components"][0] == {
        "type": "header",
        "parameters": [{"type": "image", "image": {"id": "1234567890"}}],
    }
    document = build_template_message(
        media_template("DOCUMENT"),
        TemplateValues(
            body=["Ana"],
            header_media=MediaParam(
                "document", link="https://files.example.com/r.pdf", filename="recibo.pdf"
            ),
        ),
    )
    assert document["components"][0]["parameters"] == [
        {
            "type": "document",
            "document": {"link": "https://files.example.com/r.pdf", "filename": "recibo.pdf"},
        }
    ]
    video = build_template_message(
        media_template("VIDEO"),
        TemplateValues(body=["Ana"], header_media=MediaParam("video", id="42")),
    )
    assert video["components"][0]["parameters"] == [{"type": "video", "video": {"id": "42"}}]


def test_location_header() -> None:
    built = build_template_message(
        media_template("LOCATION"),
        TemplateValues(
            body=["Ana"], header_media=LocationParam(40.4, -3.7, "Tienda", "Gran Vía 1")
        ),
    )
    assert built["components"][0]["parameters"] == [
        {
            "type": "location",
            "location": {
                "latitude": 40.4,
                "longitude": -3.7,
                "name": "Tienda",
                "address": "Gran Vía 1",
            },
        }
    ]


@pytest.mark.parametrize(
    ("kind", "media", "rule"),
    [
        ("IMAGE", None, "media_missing"),
        ("IMAGE", MediaParam("video", id="1"), "media_kind"),
        ("IMAGE", MediaParam("image"), "media_source"),
        ("IMAGE", MediaParam("image", id="1", link="https://x.example/a.jpg"), "media_source"),
        ("LOCATION", None, "media_missing"),
        ("TEXT", MediaParam("image", id="1"), "media_extra"),
    ],
)
def test_media_header_problems(kind: str, media: MediaParam | None, rule: str) -> None:
    template = media_template(kind)
    if kind == "TEXT":
        template["components"][1]["text"] = "Recibo"
    problems = check_values(template, TemplateValues(body=["Ana"], header_media=media))
    assert [(v.rule, v.field) for v in problems] == [(rule, "values.header_media")]


def test_missing_extra_and_empty_values() -> None:
    problems = check_values(
        ORDER, TemplateValues(header=[], body=["Ana", " ", "sobra"], buttons={2: "x", 5: "y"})
    )
    assert [(v.rule, v.field) for v in problems] == [
        ("value_missing", "values.header.1"),
        ("value_empty", "values.body.2"),
        ("value_extra", "values.body.#3"),
        ("button_value_missing", "values.buttons[1]"),
        ("button_value_extra", "values.buttons[2]"),
        ("button_value_extra", "values.buttons[5]"),
    ]
    for problem in problems:
        for language in ("es", "en"):
            assert not problem.message(language).startswith("templates.")


def test_values_meta_would_refuse() -> None:
    too_long = check_values(
        ORDER, TemplateValues(header=["x" * 61], body=["Ana", "x" * 1025], buttons={1: "A"})
    )
    assert [(v.rule, v.field) for v in too_long] == [
        ("value_too_long", "values.header.1"),
        ("value_too_long", "values.body.2"),
    ]
    whitespace = check_values(
        ORDER, TemplateValues(header=["A"], body=["Ana\nLuis", "a     b"], buttons={1: "A"})
    )
    assert [v.rule for v in whitespace] == ["value_whitespace", "value_whitespace"]
    filled = check_values(
        ORDER, TemplateValues(header=["A"], body=["x" * 1000, "y" * 20], buttons={1: "A"})
    )
    assert [(v.rule, v.values["limit"]) for v in filled] == [("body_too_long", 1024)]


def test_button_values_follow_the_button_type() -> None:
    template = body_template(
        "coupon",
        "es",
        "Tu código: {{1}}",
        category="MARKETING",
        components=[{"type": "BUTTONS", "buttons": [{"type": "COPY_CODE", "example": ["X"]}]}],
    )
    assert [v.rule for v in check_values(template, TemplateValues(body=["X1"]))] == [
        "button_value_missing"
    ]
    built = build_template_message(template, TemplateValues(body=["X1"], buttons={0: "X1"}))
    assert built["components"][1] == {
        "type": "button",
        "sub_type": "copy_code",
        "index": "0",
        "parameters": [{"type": "coupon_code", "coupon_code": "X1"}],
    }
    otp = body_template(
        "login_code",
        "es",
        "*{{1}}* es tu código.",
        components=[{"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]}],
    )
    built = build_template_message(otp, TemplateValues(body=["123456"], buttons={0: "123456"}))
    assert built["components"][1]["sub_type"] == "url"
    assert built["components"][1]["parameters"] == [{"type": "text", "text": "123456"}]


def test_summary_text_fills_the_body() -> None:
    assert summary_text(ORDER, ORDER_VALUES) == "Hola Ana, tu pedido llega el lunes."
    assert (
        summary_text(ORDER, TemplateValues(body=["Ana"])) == "Hola Ana, tu pedido llega el {{2}}."
    )
    meta = body_template("t", "en", META_SAMPLE_BODY)
    assert summary_text(meta, TemplateValues(body=META_VALUES)) == (
        "Hello text-string, you owe $100.99 since February 25, 1977."
    )


def _samples(body: dict[str, Any]) -> list[str] | dict[str, str]:
    example = body.get("example", {})
    if "body_text_named_params" in example:
        return {e["param_name"]: e["example"] for e in example["body_text_named_params"]}
    return example.get("body_text", [[]])[0]


MEDIA_KINDS = {"IMAGE": "image", "VIDEO": "video", "DOCUMENT": "document"}


@pytest.mark.parametrize(
    "item",
    load("chatwoot/templates/cloud_templates_ui_fixture.json"),
    ids=lambda item: item["name"],
)
def test_every_listed_template_can_be_sent_with_its_samples(item: dict[str, Any]) -> None:
    body = next(c for c in item["components"] if c["type"] == "BODY")
    header = next((c for c in item["components"] if c["type"] == "HEADER"), {})
    kind = MEDIA_KINDS.get(header.get("format", ""))
    buttons = next((c["buttons"] for c in item["components"] if c["type"] == "BUTTONS"), [])
    values = TemplateValues(
        body=_samples(body),
        header_media=MediaParam(kind, id="1") if kind else None,  # type: ignore[arg-type]
        buttons={i: b["example"][0] for i, b in enumerate(buttons) if b["type"] == "COPY_CODE"},
    )
    assert check_values(item, values) == []
    built = build_template_message(item, values)
    assert built["name"] == item["name"]
    assert "{{" not in summary_text(item, values)
