"""Reading a template: its parts (header, body, footer, buttons) and the variables they hold.

The validator, the send builder, the preview and the builder's form all need the same reading of a
template, so it lives here once. A template is a mapping as 360Dialog lists or takes it::

    {"name", "category", "language", "parameter_format"?, "components": [
        {"type": "HEADER" | "BODY" | "FOOTER" | "BUTTONS", "format", "text", "example",
         "buttons": [{"type", "text", "url", "phone_number", "example"}]},
        {"type": "CAROUSEL", "cards": [{"components": [HEADER, BODY, BUTTONS]}]},
        {"type": "LIMITED_TIME_OFFER", "limited_time_offer": {"text", "has_expiration"}}]}

(Meta's description of the parts:
https://developers.facebook.com/docs/whatsapp/business-management-api/message-templates/components)

Every reader here tolerates a malformed or partial template (a part that is missing, not a mapping
or of the wrong type reads as absent), because listings of older templates leave parts out and the
validator must be able to read what it is about to refuse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "VARIABLE",
    "TemplateVariables",
    "buttons_of",
    "cards_of",
    "component_of",
    "components_of",
    "examples_of",
    "fill",
    "header_format_of",
    "is_named",
    "is_web_address",
    "sample_handles",
    "sample_row",
    "kind_of",
    "ordered_variables",
    "template_variables",
    "text_of",
    "variables_of",
]

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
"""A placeholder: ``{{1}}`` (positional) or ``{{first_name}}`` (named)."""


def variables_of(text: str | None) -> list[str]:
    """Distinct placeholders of a text (``"1"``, ``"first_name"``), in order of first appearance."""
    return list(dict.fromkeys(VARIABLE.findall(text or "")))


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{{name}}`` replaced by its value; unknown ones stay as written, so a
    reader still sees which variable has no value yet."""
    return VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def kind_of(component: Mapping[str, Any]) -> str:
    """A component's or button's ``type`` in upper case: listings write ``body`` as often as
    ``BODY``."""
    return str(component.get("type") or "").upper()


def text_of(value: object) -> str:
    """A text field, or ``""`` when it is missing or not text."""
    return value if isinstance(value, str) else ""


def components_of(template: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = template.get("components")
    return [c for c in raw if isinstance(c, Mapping)] if isinstance(raw, list) else []


def component_of(template: Mapping[str, Any], kind: str) -> Mapping[str, Any] | None:
    """The first component of ``kind`` (``"HEADER"``, ``"BODY"``…), if the template has one."""
    return next((c for c in components_of(template) if kind_of(c) == kind), None)


def buttons_of(template: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The template's buttons in order: a send names a button by its position in this list."""
    component = component_of(template, "BUTTONS")
    raw = component.get("buttons") if component else None
    return [b for b in raw if isinstance(b, Mapping)] if isinstance(raw, list) else []


def cards_of(template: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The carousel's cards in order, each read like a template (its own ``components``): a send
    names a card by its position, so a card that is not a mapping stays as an empty one."""
    carousel = component_of(template, "CAROUSEL")
    raw = carousel.get("cards") if carousel else None
    if not isinstance(raw, list):
        return []
    return [card if isinstance(card, Mapping) else {} for card in raw]


def header_format_of(header: Mapping[str, Any]) -> str:
    """A header's format; a header with text and no format is a text header (listings of older
    templates leave ``format`` out)."""
    declared = str(header.get("format") or "").upper()
    return declared or ("TEXT" if header.get("text") else "")


def sample_handles(header: Mapping[str, Any]) -> list[str]:
    """The sample files a media header was (or will be) reviewed from: the handles of
    ``example.header_handle`` that are not blank."""
    example = header.get("example")
    handles = example.get("header_handle") if isinstance(example, Mapping) else None
    if not isinstance(handles, list):
        return []
    return [handle for handle in handles if isinstance(handle, str) and handle.strip()]


def is_named(template: Mapping[str, Any]) -> bool:
    """Whether variables are ``{{names}}``: declared ``NAMED``, or (listings that leave out
    ``parameter_format``) every variable of the header and body is a name. Mixed variables read
    as positional, Meta's default, so the named ones are reported."""
    declared = str(template.get("parameter_format") or "").upper()
    if declared:
        return declared == "NAMED"
    texts = [
        text_of(c.get("text")) for c in components_of(template) if kind_of(c) in ("HEADER", "BODY")
    ]
    names = [name for text in texts for name in variables_of(text)]
    return bool(names) and not any(name.isdigit() for name in names)


@dataclass(frozen=True)
class TemplateVariables:
    """The placeholders a template has, per component; ``buttons`` maps a button's index (its
    position among the template's buttons, as a send names it) to the variables of its URL."""

    header: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    buttons: dict[int, list[str]] = field(default_factory=dict)


def ordered_variables(text: str | None) -> list[str]:
    """Distinct placeholders of a text in the order a send gives their values: positional ones
    by number (``{{2}} … {{1}}`` → ``1, 2``), names in the order they appear."""
    names = variables_of(text)
    if names and all(name.isdigit() for name in names):
        return sorted(names, key=int)
    return names


def template_variables(template: Mapping[str, Any]) -> TemplateVariables:
    """Which values a send of ``template`` needs: header, body and URL-button variables."""
    header = component_of(template, "HEADER")
    body = component_of(template, "BODY")
    header_names = (
        ordered_variables(text_of(header.get("text")))
        if header and header_format_of(header) == "TEXT"
        else []
    )
    buttons = {
        index: variables_of(text_of(button.get("url")))
        for index, button in enumerate(buttons_of(template))
        if kind_of(button) == "URL" and variables_of(text_of(button.get("url")))
    }
    return TemplateVariables(
        header=header_names,
        body=ordered_variables(text_of(body.get("text"))) if body else [],
        buttons=buttons,
    )


def examples_of(component: Mapping[str, Any], part: str) -> dict[str, str]:
    """Sample values of a header or body by variable name (``"1"`` or ``"first_name"``): Meta
    reviews a template from them, and the preview shows them until real values are given."""
    example = component.get("example")
    if not isinstance(example, Mapping):
        return {}
    named = example.get(f"{part}_text_named_params")
    if isinstance(named, list):
        return {
            str(entry.get("param_name")): str(entry.get("example"))
            for entry in named
            if isinstance(entry, Mapping)
        }
    samples = sample_row(example.get(f"{part}_text"))
    return {str(position): str(sample) for position, sample in enumerate(samples, start=1)}


def sample_row(samples: object) -> list[object]:
    """The sample values of a header's or body's ``example``, in variable order. Meta writes
    ``body_text`` as one row of samples (``[["Mark", "FALL25"]]``), ``header_text`` as a flat list,
    and a single sample may be a plain string (product carousels:
    https://developers.facebook.com/documentation/business-messaging/whatsapp/catalogs/product-card-carousel-template-messages).
    """
    if isinstance(samples, str):
        return [samples]
    if not isinstance(samples, list):
        return []
    if samples and isinstance(samples[0], list):
        return list(samples[0])
    return samples


def is_web_address(url: str) -> bool:
    """An http(s) address with a host and no spaces: what a URL button may open."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url
