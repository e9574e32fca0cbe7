"""The ``template`` object of a Cloud API send, built from an approved template and its values.

Seed point 15: an approved template is sent by filling its variables. 360Dialog forwards the send
to Meta, which answers 132000 when the number of values does not match the variables, 132005/
132018 for values it cannot place, 131008 for a missing header file. ``check_values`` finds those
before anything is sent, in the user's words; ``build_template_message`` refuses to build a send
that would fail so (``TemplateValuesError``).

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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.errors import UserFacingError
from core.i18n import t
from core.templates.rules import (
    TemplateVariables,
    Violation,
    fill,
    is_named,
    template_variables,
)

__all__ = [
    "CurrencyParam",
    "DateTimeParam",
    "LocationParam",
    "MediaParam",
    "PreparedTemplate",
    "TemplateValues",
    "TemplateValuesError",
    "build_template_message",
    "check_values",
    "summary_text",
]

TEXT_VALUE_LENGTH = 1024
"""Meta's limit for one body value (and for the filled body as a whole)."""
HEADER_TEXT_LENGTH = 60
"""A filled text header, like the template's own header text, fits in 60 characters."""
WHITESPACE_RUN = re.compile(r"[\n\t]| {5,}")
"""Meta refuses values with new lines, tabs or more than 4 spaces in a row (132018)."""
MEDIA_KINDS = {"IMAGE": "image", "DOCUMENT": "document", "VIDEO": "video"}


@dataclass(frozen=True)
class MediaParam:
    """The file of a media header: an uploaded media ``id`` or a public ``link`` (one of them)."""

    kind: Literal["image", "document", "video"]
    id: str | None = None
    link: str | None = None
    filename: str | None = None  # documents only: the name the customer sees

    def to_parameter(self) -> dict[str, Any]:
        media: dict[str, Any] = {"id": self.id} if self.id else {"link": self.link}
        if self.kind == "document" and self.filename:
            media["filename"] = self.filename
        return {"type": self.kind, self.kind: media}


@dataclass(frozen=True)
class LocationParam:
    """The place shown by a LOCATION header."""

    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None

    def to_parameter(self) -> dict[str, Any]:
        location: dict[str, Any] = {"latitude": self.latitude, "longitude": self.longitude}
        if self.name:
            location["name"] = self.name
        if self.address:
            location["address"] = self.address
        return {"type": "location", "location": location}


@dataclass(frozen=True)
class CurrencyParam:
    """An amount WhatsApp may format for the customer's locale; ``fallback_value`` is shown
    where it does not."""

    fallback_value: str
    code: str
    amount_1000: int

    def to_parameter(self) -> dict[str, Any]:
        currency = {"fallback_value": self.fallback_value, "code": self.code}
        return {"type": "currency", "currency": {**currency, "amount_1000": self.amount_1000}}


@dataclass(frozen=True)
class DateTimeParam:
    """A date; WhatsApp shows ``fallback_value`` (Meta no longer localises the other fields)."""

    fallback_value: str
    parts: Mapping[str, Any] = field(default_factory=dict)  # day_of_month, year, calendar…

    def to_parameter(self) -> dict[str, Any]:
        return {
            "type": "date_time",
            "date_time": {"fallback_value": self.fallback_value, **self.parts},
        }


BodyValue = str | CurrencyParam | DateTimeParam
ButtonValue = str | Mapping[str, Any]


@dataclass(frozen=True)
class TemplateValues:
    """What fills a template's variables.

    ``header`` and ``body``: a list in variable order (``{{1}}``, ``{{2}}``…) or, for NAMED
    templates, a mapping name → value. ``buttons``: by button index (its position among the
    template's buttons): a URL button's suffix for its ``{{1}}``, a quick reply's payload, a
    copy-code button's code, an OTP button's code, a flow token (or the whole ``action`` of a
    FLOW, CATALOG or MPM button as a mapping). ``header_media``: the file or place of a media or
    location header.
    """

    header: Sequence[str] | Mapping[str, str] = field(default_factory=list)
    body: Sequence[BodyValue] | Mapping[str, BodyValue] = field(default_factory=list)
    buttons: Mapping[int, ButtonValue] = field(default_factory=dict)
    header_media: MediaParam | LocationParam | None = None


class TemplateValuesError(UserFacingError):
    """The values cannot fill the template; ``violations`` says where."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        super().__init__("templates.values.invalid", count=len(violations))

    def message(self, language: str | None = None) -> str:
        lines = [t(self.key, language, **self.values)]
        lines += [f"- {violation.message(language)}" for violation in self.violations]
        return "\n".join(lines)


# --- reading the template -----------------------------------------------------------------------


def _kind(component: Mapping[str, Any]) -> str:
    return str(component.get("type") or "").upper()


def _component(template: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    components = template.get("components")
    if not isinstance(components, list):
        return None
    return next((c for c in components if isinstance(c, Mapping) and _kind(c) == kind), None)


def _buttons(template: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    component = _component(template, "BUTTONS")
    raw = component.get("buttons") if component else None
    return [b for b in raw if isinstance(b, Mapping)] if isinstance(raw, list) else []


def _header_format(template: Mapping[str, Any]) -> str | None:
    header = _component(template, "HEADER")
    if header is None:
        return None
    return str(header.get("format") or "").upper() or ("TEXT" if header.get("text") else None)


def _by_name(values: Sequence[Any] | Mapping[str, Any], names: list[str]) -> dict[str, Any]:
    """Values keyed by variable name; a list fills the variables in order."""
    if isinstance(values, Mapping):
        return {str(key): value for key, value in values.items()}
    return {
        names[position] if position < len(names) else f"#{position + 1}": value
        for position, value in enumerate(values)
    }


def _as_text(value: object) -> str:
    if isinstance(value, str):
        return value
    fallback = getattr(value, "fallback_value", None)
    return str(fallback) if fallback is not None else ""


def _language_code(template: Mapping[str, Any]) -> str:
    language = template.get("language")
    if isinstance(language, Mapping):
        return str(language.get("code") or "")
    return str(language or "")


# --- checking the values ------------------------------------------------------------------------

BUTTONS_NEEDING_VALUE = frozenset({"COPY_CODE", "OTP", "MPM"})
BUTTONS_TAKING_VALUE = frozenset({"QUICK_REPLY", "COPY_CODE", "OTP", "FLOW", "CATALOG", "MPM"})


def _check_text_values(
    part: str, names: list[str], values: Sequence[Any] | Mapping[str, Any], limit: int
) -> list[Violation]:
    given = _by_name(values, names)
    found = []
    for name in names:
        variable = "{{" + name + "}}"
        where = f"values.{part}.{name}"
        if name not in given or given[name] is None:
            found.append(Violation("value_missing", where, {"part": part, "variable": variable}))
            continue
        text = _as_text(given[name])
        if not text.strip():
            found.append(Violation("value_empty", where, {"part": part, "variable": variable}))
        elif len(text) > limit:
            found.append(
                Violation(
                    "value_too_long",
                    where,
                    {"part": part, "variable": variable, "limit": limit, "length": len(text)},
                )
            )
        elif WHITESPACE_RUN.search(text):
            found.append(Violation("value_whitespace", where, {"part": part, "variable": variable}))
    for name in given:
        if name not in names:
            shown = name if name.startswith("#") else "{{" + name + "}}"
            found.append(
                Violation("value_extra", f"values.{part}.{name}", {"part": part, "variable": shown})
            )
    return found


def _check_header_media(header_format: str | None, values: TemplateValues) -> list[Violation]:
    media = values.header_media
    if header_format in MEDIA_KINDS:
        wanted = MEDIA_KINDS[header_format]
        if not isinstance(media, MediaParam):
            return [Violation("media_missing", "values.header_media", {"media": wanted})]
        if media.kind != wanted:
            return [
                Violation(
                    "media_kind", "values.header_media", {"media": wanted, "given": media.kind}
                )
            ]
        if bool(media.id) == bool(media.link):
            return [Violation("media_source", "values.header_media", {"media": wanted})]
        return []
    if header_format == "LOCATION":
        if isinstance(media, LocationParam):
            return []
        return [Violation("media_missing", "values.header_media", {"media": "location"})]
    if media is not None:
        return [Violation("media_extra", "values.header_media", {})]
    return []


def _check_button_values(
    buttons: list[Mapping[str, Any]], url_variables: dict[int, list[str]], values: TemplateValues
) -> list[Violation]:
    found = []
    for index, button in enumerate(buttons):
        kind = _kind(button)
        value = values.buttons.get(index)
        where = f"values.buttons[{index}]"
        label = {"button": index + 1, "label": str(button.get("text") or "")}
        needed = index in url_variables or kind in BUTTONS_NEEDING_VALUE
        if value is None:
            if needed:
                found.append(Violation("button_value_missing", where, label))
        elif index not in url_variables and kind not in BUTTONS_TAKING_VALUE:
            found.append(Violation("button_value_extra", where, label))
        elif isinstance(value, str) and not value.strip():
            found.append(Violation("button_value_empty", where, label))
    for index in values.buttons:
        if not isinstance(index, int) or not 0 <= index < len(buttons):
            found.append(
                Violation(
                    "button_value_extra",
                    f"values.buttons[{index}]",
                    {"button": index + 1 if isinstance(index, int) else index, "label": ""},
                )
            )
    return found


def check_values(template: Mapping[str, Any], values: TemplateValues) -> list[Violation]:
    """Every reason ``values`` cannot fill ``template`` (empty: it can be sent)."""
    return PreparedTemplate.of(template).check(values)


# --- building the send --------------------------------------------------------------------------


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
    given = _by_name(values, names)
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
    header_format: str | None
    buttons: list[Mapping[str, Any]]
    body: str

    @classmethod
    def of(cls, template: Mapping[str, Any]) -> PreparedTemplate:
        body = _component(template, "BODY")
        return cls(
            name=str(template.get("name") or ""),
            language=_language_code(template),
            variables=template_variables(template),
            named=is_named(template),
            header_format=_header_format(template),
            buttons=_buttons(template),
            body=str(body.get("text") or "") if body else "",
        )

    def check(self, values: TemplateValues) -> list[Violation]:
        """See :func:`check_values`."""
        variables = self.variables
        found = _check_text_values("header", variables.header, values.header, HEADER_TEXT_LENGTH)
        found += _check_text_values("body", variables.body, values.body, TEXT_VALUE_LENGTH)
        found += _check_header_media(self.header_format, values)
        found += _check_button_values(self.buttons, variables.buttons, values)
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
                components.append(_button_component(_kind(button), index, values.buttons[index]))
        return {
            "name": self.name,
            "language": {"policy": "deterministic", "code": self.language},
            "components": components,
        }

    def summary(self, values: TemplateValues) -> str:
        """See :func:`summary_text`."""
        given = _by_name(values.body, self.variables.body)
        return fill(self.body, {name: _as_text(value) for name, value in given.items()})
