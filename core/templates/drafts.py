"""The template builder's form and the template body it describes, both ways.

The builder's form is a flat mapping of its widgets' values (``tb_name``, ``tb_body``, one
``tb_body_ex_<variable>`` per sample, ``tb_qr_<n>`` per quick reply…). ``body_from_form`` turns it
into the body 360Dialog takes to create a template (nothing is checked here: ``rules`` validates),
and ``form_from_body`` turns a stored draft back into widget values so it can be edited. Kept out of
the page so both directions can be tested without Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.templates.anatomy import examples_of, is_named, kind_of, ordered_variables
from core.templates.vocabulary import CATEGORIES, LANGUAGES

__all__ = ["DEFAULTS", "HEADER_FORMATS", "NOT_WIDGETS", "body_from_form", "form_from_body"]

HEADER_FORMATS = ("NONE", "TEXT", "IMAGE", "DOCUMENT", "VIDEO")
DEFAULTS: dict[str, Any] = {
    "tb_name": "",
    "tb_category": "MARKETING",
    "tb_language": "es",
    "tb_type": "standard",
    "tb_header_format": "NONE",
    "tb_header_text": "",
    "tb_body": "",
    "tb_footer": "",
    "tb_url_on": False,
    "tb_url_text": "",
    "tb_url": "",
    "tb_url_example": "",
    "tb_phone_on": False,
    "tb_phone_text": "",
    "tb_phone_number": "",
}
"""The form's widgets and the value each starts with."""
NOT_WIDGETS = {
    "tb_qr_count": 0,
    "tb_header_handle": None,
    "tb_header_upload": None,
    "tb_header_upload_error": None,
}
"""Form state that no widget edits: how many quick replies, the uploaded sample's handle."""


def _example(part: str, names: list[str], values: list[str], named: bool) -> dict[str, Any]:
    """A header's or body's ``example`` as Meta takes it: named samples by name, positional ones
    as a list (the body's as one row)."""
    if named:
        return {
            f"{part}_text_named_params": [
                {"param_name": name, "example": value}
                for name, value in zip(names, values, strict=True)
            ]
        }
    return {f"{part}_text": [values] if part == "body" else values}


Sample = Callable[[str, str], str]
"""The sample the form holds for a variable: ``sample("body", "1")``."""


def body_from_form(state: Mapping[str, Any], *, for_preview: bool = False) -> dict[str, Any]:
    """The template body as the widgets describe it (nothing checked here: core validates).

    ``for_preview`` keeps a variable without an example as ``{{1}}`` in the bubble instead of
    filling it with nothing."""

    def sample(part: str, name: str) -> str:
        value = state.get(f"tb_{part}_ex_{name}", "")
        return value or ("{{" + name + "}}" if for_preview else "")

    media = state.get("tb_type") == "media"
    header_format = state.get("tb_header_format", "NONE") if media else "NONE"
    body_text = state.get("tb_body", "")
    header_text = state.get("tb_header_text", "") if header_format == "TEXT" else ""
    named = is_named(
        {
            "components": [
                {"type": "HEADER", "text": header_text},
                {"type": "BODY", "text": body_text},
            ]
        }
    )
    components: list[dict[str, Any]] = []
    if header_format == "TEXT":
        header = {"type": "HEADER", "format": "TEXT", "text": header_text}
        components.append(_with_examples(header, "header", named, sample))
    elif header_format != "NONE":
        components.append(_media_header(header_format, state.get("tb_header_handle")))
    body = {"type": "BODY", "text": body_text}
    components.append(_with_examples(body, "body", named, sample))
    if media and state.get("tb_footer", "").strip():
        components.append({"type": "FOOTER", "text": state["tb_footer"]})
    buttons = _buttons_from_form(state) if media else []
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    template: dict[str, Any] = {
        "name": state.get("tb_name", "").strip(),
        "category": state.get("tb_category", ""),
        "language": state.get("tb_language", ""),
        "components": components,
    }
    if named:
        template["parameter_format"] = "NAMED"
    return template


def _with_examples(
    component: dict[str, Any], part: str, named: bool, sample: Sample
) -> dict[str, Any]:
    """A text header or the body with the samples of its variables, if it has any."""
    names = ordered_variables(component["text"])
    if names:
        values = [sample(part, name) for name in names]
        component["example"] = _example(part, names, values, named)
    return component


def _media_header(header_format: str, handle: str | None) -> dict[str, Any]:
    """A media header; its uploaded sample file (``header_handle``) once there is one."""
    header: dict[str, Any] = {"type": "HEADER", "format": header_format}
    if handle:
        header["example"] = {"header_handle": [handle]}
    return header


def _buttons_from_form(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Quick replies first, then the website and call buttons (Meta refuses them interleaved)."""
    buttons: list[dict[str, Any]] = [
        {"type": "QUICK_REPLY", "text": state.get(f"tb_qr_{index}", "")}
        for index in range(state.get("tb_qr_count", 0))
    ]
    if state.get("tb_url_on"):
        url = state.get("tb_url", "")
        button: dict[str, Any] = {"type": "URL", "text": state.get("tb_url_text", ""), "url": url}
        if "{{" in url:
            button["example"] = [state.get("tb_url_example", "")]
        buttons.append(button)
    if state.get("tb_phone_on"):
        buttons.append(
            {
                "type": "PHONE_NUMBER",
                "text": state.get("tb_phone_text", ""),
                "phone_number": state.get("tb_phone_number", ""),
            }
        )
    return buttons


def form_from_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """The widget values that show ``body`` (a draft being loaded) in the form."""
    values: dict[str, Any] = {**DEFAULTS, **NOT_WIDGETS}
    values["tb_name"] = str(body.get("name") or "")
    category = str(body.get("category") or "")
    values["tb_category"] = category if category in CATEGORIES else CATEGORIES[0]
    language = str(body.get("language") or "")
    values["tb_language"] = language if language in LANGUAGES else DEFAULTS["tb_language"]
    components = [c for c in body.get("components") or [] if isinstance(c, Mapping)]
    by_kind = {kind_of(c): c for c in components}
    values["tb_type"] = "media" if set(by_kind) - {"BODY"} else "standard"
    body_part = by_kind.get("BODY", {})
    values["tb_body"] = str(body_part.get("text") or "")
    for name, sample in examples_of(body_part, "body").items():
        values[f"tb_body_ex_{name}"] = sample
    header = by_kind.get("HEADER")
    if header is not None:
        values.update(_header_fields(header))
    if "FOOTER" in by_kind:
        values["tb_footer"] = str(by_kind["FOOTER"].get("text") or "")
    values.update(_button_fields(by_kind.get("BUTTONS", {}).get("buttons") or []))
    return values


def _header_fields(header: Mapping[str, Any]) -> dict[str, Any]:
    """The header's widgets: its format, and its text and samples or its sample file's handle."""
    header_format = str(header.get("format") or "TEXT").upper()
    fields: dict[str, Any] = {
        "tb_header_format": header_format if header_format in HEADER_FORMATS else "NONE"
    }
    if header_format == "TEXT":
        fields["tb_header_text"] = str(header.get("text") or "")
        for name, sample in examples_of(header, "header").items():
            fields[f"tb_header_ex_{name}"] = sample
    else:
        example = header.get("example")
        handles = example.get("header_handle") if isinstance(example, Mapping) else None
        fields["tb_header_handle"] = handles[0] if isinstance(handles, list) and handles else None
    return fields


def _button_fields(buttons: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The buttons' widgets: every quick reply, and the first website and call button (the form
    has room for one of each)."""
    fields: dict[str, Any] = {"tb_url_on": False, "tb_phone_on": False}
    quick_replies = 0
    for button in buttons:
        kind = kind_of(button)
        if kind == "QUICK_REPLY":
            fields[f"tb_qr_{quick_replies}"] = str(button.get("text") or "")
            quick_replies += 1
        elif kind == "URL" and not fields["tb_url_on"]:
            example = button.get("example")
            sample = example[0] if isinstance(example, list) and example else example
            fields.update(
                tb_url_on=True,
                tb_url_text=str(button.get("text") or ""),
                tb_url=str(button.get("url") or ""),
                tb_url_example=str(sample or ""),
            )
        elif kind == "PHONE_NUMBER" and not fields["tb_phone_on"]:
            fields.update(
                tb_phone_on=True,
                tb_phone_text=str(button.get("text") or ""),
                tb_phone_number=str(button.get("phone_number") or ""),
            )
    fields["tb_qr_count"] = quick_replies
    return fields
