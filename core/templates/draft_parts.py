"""What every kind of the builder's form builds the same way: a text's samples of its variables
and a media header with its uploaded sample file.

Shared by ``drafts`` (the template's own header and body) and ``card_drafts`` (each carousel
card's header and body), so a card's body is written exactly as the template's is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.templates.anatomy import ordered_variables

__all__ = ["Sample", "media_header", "sample_of", "with_examples"]

Sample = Callable[[str], Callable[[str], str]]
"""The samples the form holds under a key prefix: ``sample("tb_body_ex_")("1")``."""


def sample_of(state: Mapping[str, Any], for_preview: bool) -> Sample:
    """The form's samples; ``for_preview`` shows a variable without one as ``{{1}}``."""

    def under(prefix: str) -> Callable[[str], str]:
        def value(name: str) -> str:
            given = state.get(f"{prefix}{name}", "")
            return given or ("{{" + name + "}}" if for_preview else "")

        return value

    return under


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


def with_examples(
    component: dict[str, Any], part: str, named: bool, sample: Callable[[str], str]
) -> dict[str, Any]:
    """A text header or a body with the samples of its variables, if it has any."""
    names = ordered_variables(component["text"])
    if names:
        values = [sample(name) for name in names]
        component["example"] = _example(part, names, values, named)
    return component


def media_header(header_format: str, handle: str | None) -> dict[str, Any]:
    """A media header; its uploaded sample file (``header_handle``) once there is one."""
    header: dict[str, Any] = {"type": "HEADER", "format": header_format}
    if handle:
        header["example"] = {"header_handle": [handle]}
    return header
