"""The values that fill a template's variables for one send, and the checks Meta would make of them.

360Dialog forwards a template send to Meta, which answers 132000 when the number of values does not
match the variables, 132005/132018 for values it cannot place and 131008 for a missing header file
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). The ``check_*``
functions here find those before anything is sent and say them in the user's words (``Violation``);
``messages`` runs them on a template and builds the send.

The parameter types follow Meta's ``parameters`` of a template send:
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from core.errors import UserFacingError
from core.i18n import t
from core.templates.anatomy import kind_of, text_of
from core.templates.violations import Violation

__all__ = [
    "BodyValue",
    "ButtonValue",
    "CurrencyParam",
    "DateTimeParam",
    "LocationParam",
    "MediaParam",
    "TemplateValues",
    "TemplateValuesError",
    "by_name",
    "check_button_values",
    "check_header_media",
    "check_text_values",
    "value_text",
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


def value_text(value: object) -> str:
    """How a value reads in text: currencies and dates by their ``fallback_value``. Anything else
    that is not text reads as empty, so the checks report it (``value_empty``) instead of letting
    it reach a send it cannot be part of."""
    if isinstance(value, str):
        return value
    fallback = getattr(value, "fallback_value", None)
    return str(fallback) if fallback is not None else ""


def by_name(values: Sequence[Any] | Mapping[str, Any] | None, names: list[str]) -> dict[str, Any]:
    """Values keyed by variable name; a list fills the variables in order, and a value beyond the
    last variable is kept as ``#<position>`` so it can be reported."""
    if not values:
        return {}
    if isinstance(values, Mapping):
        return {str(key): value for key, value in values.items()}
    return {
        names[position] if position < len(names) else f"#{position + 1}": value
        for position, value in enumerate(values)
    }


# --- the checks ---------------------------------------------------------------------------------

BUTTONS_NEEDING_VALUE = frozenset({"COPY_CODE", "OTP", "MPM"})
BUTTONS_TAKING_VALUE = frozenset({"QUICK_REPLY", "COPY_CODE", "OTP", "FLOW", "CATALOG", "MPM"})


def check_text_values(
    part: str, names: list[str], values: Sequence[Any] | Mapping[str, Any], limit: int
) -> list[Violation]:
    """Each header or body variable has one value Meta can place: not missing, empty, too long or
    holding new lines, tabs or runs of spaces (132000, 132005, 132018); no value is left over."""
    given = by_name(values, names)
    found = []
    for name in names:
        variable = "{{" + name + "}}"
        where = f"values.{part}.{name}"
        if name not in given or given[name] is None:
            found.append(Violation("value_missing", where, {"part": part, "variable": variable}))
            continue
        text = value_text(given[name])
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


def check_header_media(header_format: str, values: TemplateValues) -> list[Violation]:
    """A media header needs exactly one file of its kind, a location header its place; a template
    without one takes none (Meta answers 131008 for a missing header file)."""
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


def check_button_values(
    buttons: list[Mapping[str, Any]], url_variables: dict[int, list[str]], values: TemplateValues
) -> list[Violation]:
    """A value for each button that needs one (a URL's suffix, a code), none for a button that
    takes none, and none for a button the template does not have."""
    found = []
    for index, button in enumerate(buttons):
        kind = kind_of(button)
        value = values.buttons.get(index)
        where = f"values.buttons[{index}]"
        label = {"button": index + 1, "label": text_of(button.get("text"))}
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
