"""A template as the customer's WhatsApp will show it, for the builder, the send form and campaigns.

``render_preview`` fills each variable with the value given, else the sample Meta reviewed it from
(``example``), else leaves the placeholder (``{{1}}``) so the reader sees what is still open. It
returns plain text in ``Preview``: escaping and drawing the bubble is the page's job.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.templates.anatomy import (
    VARIABLE,
    buttons_of,
    component_of,
    examples_of,
    fill,
    header_format_of,
    is_web_address,
    kind_of,
    template_variables,
    text_of,
    variables_of,
)
from core.templates.values import TemplateValues, by_name, value_text

__all__ = ["Preview", "PreviewButton", "render_preview"]


@dataclass(frozen=True)
class PreviewButton:
    """A button as the bubble shows it; ``target`` is the filled URL or the phone number."""

    kind: str
    text: str
    target: str | None = None


@dataclass(frozen=True)
class Preview:
    """What the WhatsApp bubble shows. ``header`` is the text of a text header; a media or
    location header has ``header_format`` and no text."""

    header: str | None
    body: str
    footer: str | None
    buttons: tuple[PreviewButton, ...] = ()
    header_format: str | None = None


def _given(values: Sequence[Any] | Mapping[str, Any] | None, names: list[str]) -> dict[str, str]:
    """Filled values by variable name as they read in text; an empty one is left out, so the
    sample shows instead."""
    shown = {name: value_text(value) for name, value in by_name(values, names).items()}
    return {name: text for name, text in shown.items() if text.strip()}


def render_preview(
    components: Sequence[Mapping[str, Any]], values: TemplateValues | None = None
) -> Preview:
    """The template as the customer will see it: filled values, else the samples of ``example``,
    else the placeholder itself."""
    template = {"components": list(components)}
    names = template_variables(template)
    header = component_of(template, "HEADER")
    body = component_of(template, "BODY")
    footer = component_of(template, "FOOTER")

    header_text = None
    header_format = header_format_of(header) if header else None
    if header and header_format == "TEXT":
        filled = {
            **examples_of(header, "header"),
            **_given(getattr(values, "header", None), names.header),
        }
        header_text = fill(text_of(header.get("text")), filled)
    body_values = {
        **(examples_of(body, "body") if body else {}),
        **_given(getattr(values, "body", None), names.body),
    }
    button_values = getattr(values, "buttons", None) or {}
    buttons = []
    for index, button in enumerate(buttons_of(template)):
        kind = kind_of(button)
        target = None
        if kind == "URL":
            target = _preview_url(button, button_values.get(index))
        elif kind == "PHONE_NUMBER":
            target = str(button.get("phone_number") or "")
        buttons.append(PreviewButton(kind, text_of(button.get("text")), target))
    return Preview(
        header=header_text,
        body=fill(text_of(body.get("text")), body_values) if body else "",
        footer=(text_of(footer.get("text")) or None) if footer else None,
        buttons=tuple(buttons),
        header_format=header_format,
    )


def _preview_url(button: Mapping[str, Any], value: object) -> str:
    url = text_of(button.get("url"))
    if not variables_of(url):
        return url
    if isinstance(value, str) and value.strip():
        return VARIABLE.sub(lambda _: value, url, count=1)
    example = button.get("example")
    sample = example[0] if isinstance(example, list) and example else example
    if isinstance(sample, str) and sample.strip():
        # Meta's samples are either the whole address or just the part that replaces {{1}}.
        return sample if is_web_address(sample) else VARIABLE.sub(lambda _: sample, url, count=1)
    return url
