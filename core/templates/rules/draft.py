"""``Draft``: a template as every rule reads it, and the field paths the rules report.

Each rule module takes a ``Draft`` so the reading (which component is the header, which buttons
there are, whether variables are named) is done the same way for all of them, by ``anatomy``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.templates.anatomy import (
    buttons_of,
    cards_of,
    component_of,
    components_of,
    header_format_of,
    is_named,
    text_of,
)
from core.templates.limits import META_LIMITS, Limits
from core.templates.violations import Violation

__all__ = ["Draft", "Rule", "button_field", "button_values", "card_field", "part_field"]


@dataclass(frozen=True)
class Draft:
    """A template as the rules read it: component types normalised to upper case."""

    template: Mapping[str, Any]
    limits: Limits = META_LIMITS
    for_listing: bool = False

    @property
    def components(self) -> list[Mapping[str, Any]]:
        return components_of(self.template)

    def first(self, kind: str) -> Mapping[str, Any] | None:
        return component_of(self.template, kind)

    def accepted(self, kind: str) -> Mapping[str, Any] | None:
        """The first component of ``kind`` if the layout accepts that kind: the rules about a
        carousel or an offer stay silent under a layout without them, where ``component_unknown``
        already says the part cannot be used."""
        return self.first(kind) if kind in self.limits.component_kinds else None

    @property
    def buttons(self) -> list[Mapping[str, Any]]:
        return buttons_of(self.template)

    @property
    def cards(self) -> list[Mapping[str, Any]]:
        return cards_of(self.template) if self.accepted("CAROUSEL") else []

    @property
    def category(self) -> str:
        return str(self.template.get("category") or "").upper()

    @property
    def named(self) -> bool:
        return is_named(self.template)

    def text_parts(self) -> list[tuple[str, str]]:
        """(part, text) of the header (text headers only) and the body: where variables live."""
        parts = []
        header = self.first("HEADER")
        if header and header_format_of(header) == "TEXT":
            parts.append(("header", text_of(header.get("text"))))
        body = self.first("BODY")
        if body:
            parts.append(("body", text_of(body.get("text"))))
        return parts


Rule = Callable[[Draft], list[Violation]]


def part_field(part: str, leaf: str) -> str:
    """Where a rule points in a part: ``components.BODY.text``."""
    return f"components.{part.upper()}.{leaf}"


def button_field(index: int, leaf: str) -> str:
    """Where a rule points in a button: ``components.BUTTONS.buttons[1].url``."""
    return f"components.BUTTONS.buttons[{index}].{leaf}"


def card_field(card: int, leaf: str) -> str:
    """Where a rule points in a carousel card: ``components.CAROUSEL.cards[0].BODY.text``."""
    return f"components.CAROUSEL.cards[{card}].{leaf}"


def button_values(index: int, button: Mapping[str, Any], **extra: object) -> dict[str, Any]:
    """A violation's values naming a button as the user sees it: its number and label."""
    return {"button": index + 1, "label": text_of(button.get("text")), **extra}
