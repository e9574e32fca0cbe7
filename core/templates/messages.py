"""The ``template`` object of a Cloud API send, built from an approved template and its values.

An approved template is sent by filling its variables (Meta's guide:
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates).
``check_values`` finds every value Meta would refuse before anything is sent, in the user's words
(the checks live in ``values``); ``build_template_message`` refuses to build a send that would fail
so (``TemplateValuesError``).

``template`` is an item as 360Dialog lists it (``name``, ``language``, ``components``,
``parameter_format``?). What goes out (``template`` of ``POST /messages``, Meta's schema)::

    {"name", "language": {"policy": "deterministic", "code"}, "components": [
        {"type": "header", "parameters": [{"type": "text" | "image" | "document" | "video", ...}]},
        {"type": "body", "parameters": [{"type": "text", "text", "parameter_name"?}, ...]},
        {"type": "button", "sub_type": "url" | "quick_reply" | ..., "index": "0",
         "parameters": [...]}]}

On-Premise sends also need the template's ``namespace``; ``D360Client.send_message`` adds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.templates.anatomy import (
    TemplateVariables,
    buttons_of,
    component_of,
    fill,
    header_format_of,
    is_named,
    kind_of,
    template_variables,
    text_of,
)
from core.templates.values import (
    HEADER_TEXT_LENGTH,
    TEXT_VALUE_LENGTH,
    BodyValue,
    ButtonValue,
    TemplateValues,
    TemplateValuesError,
    by_name,
    check_button_values,
    check_header_media,
    check_text_values,
    value_text,
)
from core.templates.violations import Violation

__all__ = ["PreparedTemplate", "build_template_message", "check_values", "summary_text"]


def _language_code(template: Mapping[str, Any]) -> str:
    language = template.get("language")
    if isinstance(language, Mapping):
        return str(language.get("code") or "")
    return str(language or "")


def check_values(template: Mapping[str, Any], values: TemplateValues) -> list[Violation]:
    """Every reason ``values`` cannot fill ``template`` (empty: it can be sent)."""
    return PreparedTemplate.of(template).check(values)


def _parameter(value: BodyValue, name: str | None) -> dict[str, Any]:
    parameter = {"type": "text", "text": value} if isinstance(value, str) else value.to_parameter()
    if name is not None:
        parameter["parameter_name"] = name
    return parameter


def _text_component(
    part: str, names: list[str], values: Sequence[Any] | Mapping[str, Any], named: bool
) -> dict[str, Any] | None:
    if not names:
        return None
    given = by_name(values, names)
    parameters = [_parameter(given[name], name if named else None) for name in names]
    return {"type": part, "parameters": parameters}


def _action(value: ButtonValue, key: str) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {key: value}


def _button_component(kind: str, index: int, value: ButtonValue) -> dict[str, Any]:
    """One button's parameters; the sub_type follows the template's button type."""
    if kind in ("URL", "OTP"):  # Meta sends an OTP code through the button's URL parameter
        sub_type, parameter = "url", {"type": "text", "text": value}
    elif kind == "QUICK_REPLY":
        sub_type, parameter = "quick_reply", {"type": "payload", "payload": value}
    elif kind == "COPY_CODE":
        sub_type, parameter = "copy_code", {"type": "coupon_code", "coupon_code": value}
    elif kind == "FLOW":
        sub_type, parameter = "flow", {"type": "action", "action": _action(value, "flow_token")}
    elif kind == "CATALOG":
        action = _action(value, "thumbnail_product_retailer_id")
        sub_type, parameter = "catalog", {"type": "action", "action": action}
    else:  # MPM
        action = _action(value, "thumbnail_product_retailer_id")
        sub_type, parameter = "mpm", {"type": "action", "action": action}
    return {"type": "button", "sub_type": sub_type, "index": str(index), "parameters": [parameter]}


def build_template_message(
    template: Mapping[str, Any], values: TemplateValues | None = None
) -> dict[str, Any]:
    """The ``template`` object of ``POST /messages`` for ``template`` filled with ``values``.

    Raises ``TemplateValuesError`` when ``check_values`` finds a problem, so a send that Meta
    would refuse (132000 and friends) never leaves.
    """
    return PreparedTemplate.of(template).build(values or TemplateValues())


def summary_text(template: Mapping[str, Any], values: TemplateValues | None = None) -> str:
    """The body as the customer reads it (stored as the message's text); a variable without a
    value stays as ``{{n}}``."""
    return PreparedTemplate.of(template).summary(values or TemplateValues())


@dataclass(frozen=True)
class PreparedTemplate:
    """A template read once for many sends: a campaign fills the same template for thousands of
    recipients, and reading its components again for each cost more than filling them."""

    name: str
    language: str
    variables: TemplateVariables
    named: bool
    header_format: str
    buttons: list[Mapping[str, Any]]
    body: str

    @classmethod
    def of(cls, template: Mapping[str, Any]) -> PreparedTemplate:
        body = component_of(template, "BODY")
        header = component_of(template, "HEADER")
        return cls(
            name=str(template.get("name") or ""),
            language=_language_code(template),
            variables=template_variables(template),
            named=is_named(template),
            header_format=header_format_of(header) if header else "",
            buttons=buttons_of(template),
            body=text_of(body.get("text")) if body else "",
        )

    def check(self, values: TemplateValues) -> list[Violation]:
        """See :func:`check_values`."""
        variables = self.variables
        found = check_text_values("header", variables.header, values.header, HEADER_TEXT_LENGTH)
        found += check_text_values("body", variables.body, values.body, TEXT_VALUE_LENGTH)
        found += check_header_media(self.header_format, values)
        found += check_button_values(self.buttons, variables.buttons, values)
        if not found:
            body = self.summary(values)
            if len(body) > TEXT_VALUE_LENGTH:
                found.append(
                    Violation(
                        "body_too_long",
                        "values.body",
                        {"limit": TEXT_VALUE_LENGTH, "length": len(body)},
                    )
                )
        return found

    def build(self, values: TemplateValues) -> dict[str, Any]:
        """See :func:`build_template_message`."""
        problems = self.check(values)
        if problems:
            raise TemplateValuesError(problems)
        components: list[dict[str, Any]] = []
        if values.header_media is not None:
            media = values.header_media.to_parameter()
            components.append({"type": "header", "parameters": [media]})
        for part, names, given in (
            ("header", self.variables.header, values.header),
            ("body", self.variables.body, values.body),
        ):
            component = _text_component(part, names, given, self.named)
            if component:
                components.append(component)
        for index, button in enumerate(self.buttons):
            if index in values.buttons:
                components.append(_button_component(kind_of(button), index, values.buttons[index]))
        return {
            "name": self.name,
            "language": {"policy": "deterministic", "code": self.language},
            "components": components,
        }

    def summary(self, values: TemplateValues) -> str:
        """See :func:`summary_text`."""
        given = by_name(values.body, self.variables.body)
        return fill(self.body, {name: value_text(value) for name, value in given.items()})
