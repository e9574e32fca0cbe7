"""A template as the customer's WhatsApp will show it, for the builder, the send form and campaigns.

``render_preview`` fills each variable with the value given, else the sample Meta reviewed it from
(``example``), else leaves the placeholder (``{{1}}``) so the reader sees what is still open. It
returns plain text in ``Preview``: escaping and drawing the bubble is the page's job.

The kinds whose text Meta writes itself are described rather than worded: an authentication
template's ``Authentication`` (its security note, its expiry) and a limited-time offer's ``Offer``
banner, so the page says them in the reader's language. A carousel's cards are previews of their own
(``cards``), shown under the body as WhatsApp shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.templates.anatomy import (
    VARIABLE,
    buttons_of,
    cards_of,
    component_of,
    components_of,
    examples_of,
    fill,
    header_format_of,
    is_web_address,
    kind_of,
    template_variables,
    text_of,
    variables_of,
)
from core.templates.rules.offers import coupon_code
from core.templates.values import TemplateValues, by_name, value_text

__all__ = ["Authentication", "Offer", "Preview", "PreviewButton", "render_preview"]


@dataclass(frozen=True)
class PreviewButton:
    """A button as the bubble shows it; ``target`` is the filled URL, the phone number or the
    code a copy-code button copies."""

    kind: str
    text: str
    target: str | None = None


@dataclass(frozen=True)
class Authentication:
    """What an authentication template adds to Meta's own text: a security note, an expiry."""

    security_recommendation: bool
    code_expiration_minutes: int | None


@dataclass(frozen=True)
class Offer:
    """A limited-time offer's banner: its text and whether it counts down to an expiry."""

    text: str
    has_expiration: bool


@dataclass(frozen=True)
class Preview:
    """What the WhatsApp bubble shows. ``header`` is the text of a text header; a media or
    location header has ``header_format`` and no text."""

    header: str | None
    body: str
    footer: str | None
    buttons: tuple[PreviewButton, ...] = ()
    header_format: str | None = None
    cards: tuple[Preview, ...] = ()
    offer: Offer | None = None
    authentication: Authentication | None = None


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
    buttons = tuple(
        _preview_button(button, button_values.get(index))
        for index, button in enumerate(buttons_of(template))
    )
    return Preview(
        header=header_text,
        body=fill(text_of(body.get("text")), body_values) if body else "",
        footer=(text_of(footer.get("text")) or None) if footer else None,
        buttons=buttons,
        header_format=header_format,
        cards=tuple(render_preview(components_of(card)) for card in cards_of(template)),
        offer=_offer(template),
        authentication=_authentication(template),
    )


def _preview_button(button: Mapping[str, Any], value: object) -> PreviewButton:
    kind = kind_of(button)
    target = None
    if kind == "URL":
        target = _preview_url(button, value)
    elif kind == "PHONE_NUMBER":
        target = str(button.get("phone_number") or "")
    elif kind == "COPY_CODE":
        target = coupon_code(button)
    return PreviewButton(kind, text_of(button.get("text")), target)


def _offer(template: Mapping[str, Any]) -> Offer | None:
    part = component_of(template, "LIMITED_TIME_OFFER")
    details = part.get("limited_time_offer") if part else None
    if not isinstance(details, Mapping):
        return None
    return Offer(text_of(details.get("text")), details.get("has_expiration") is True)


def _authentication(template: Mapping[str, Any]) -> Authentication | None:
    """Meta's settings of an authentication template (one with a one-time-password button)."""
    if not any(kind_of(button) == "OTP" for button in buttons_of(template)):
        return None
    body = component_of(template, "BODY") or {}
    footer = component_of(template, "FOOTER") or {}
    minutes = footer.get("code_expiration_minutes")
    return Authentication(
        security_recommendation=body.get("add_security_recommendation") is True,
        code_expiration_minutes=minutes if isinstance(minutes, int) else None,
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
