"""Rules about a template's identity (name, category, language) and its parts (which components,
the header, the body, the footer)."""

from __future__ import annotations

import re

from core.templates.anatomy import (
    header_format_of,
    kind_of,
    sample_handles,
    text_of,
    variables_of,
)
from core.templates.rules.draft import Draft, button_field, part_field
from core.templates.violations import Violation
from core.templates.vocabulary import CATEGORIES, LANGUAGES, LEGACY_CATEGORIES

MEDIA_FORMATS = frozenset({"IMAGE", "DOCUMENT", "VIDEO", "GIF"})
NAME = re.compile(r"^[a-z0-9_]+$")


def check_name_format(draft: Draft) -> list[Violation]:
    """Meta accepts a name of lowercase letters, digits and underscores only."""
    name = draft.template.get("name")
    if isinstance(name, str) and NAME.match(name):
        return []
    return [Violation("name_format", "name", {"name": name if isinstance(name, str) else ""})]


def check_name_length(draft: Draft) -> list[Violation]:
    name = text_of(draft.template.get("name"))
    if len(name) <= draft.limits.name_length:
        return []
    return [
        Violation("name_length", "name", {"limit": draft.limits.name_length, "length": len(name)})
    ]


def check_category(draft: Draft) -> list[Violation]:
    """One of today's categories; an unknown one is never valid."""
    if draft.category in CATEGORIES or draft.category in LEGACY_CATEGORIES:
        return []
    return [Violation("category_invalid", "category", {"category": draft.category})]


def check_category_current(draft: Draft) -> list[Violation]:
    """Pre-2023 categories are only read back from listings, never submitted."""
    if draft.category not in LEGACY_CATEGORIES:
        return []
    return [Violation("category_legacy", "category", {"category": draft.category})]


def check_language(draft: Draft) -> list[Violation]:
    language = draft.template.get("language")
    if isinstance(language, str) and language in LANGUAGES:
        return []
    return [Violation("language_unknown", "language", {"code": str(language or "")})]


def check_component_types(draft: Draft) -> list[Violation]:
    """Only the parts the layout knows (header, body, footer, buttons; with Meta's rules also a
    carousel and a limited-time offer), each at most once."""
    found: list[Violation] = []
    seen: set[str] = set()
    for position, component in enumerate(draft.components):
        kind = kind_of(component)
        if kind not in draft.limits.component_kinds:
            found.append(
                Violation("component_unknown", f"components[{position}].type", {"kind": kind})
            )
        elif kind in seen:
            found.append(
                Violation("component_duplicate", f"components.{kind}", {"part": kind.lower()})
            )
        seen.add(kind)
    return found


def check_body_required(draft: Draft) -> list[Violation]:
    """Every template has a BODY; the other parts are optional."""
    return [] if draft.first("BODY") else [Violation("body_required", "components", {})]


def check_body_text(draft: Draft) -> list[Violation]:
    """A body needs text, except an authentication template's, whose text Meta writes."""
    body = draft.first("BODY")
    if body is None or text_of(body.get("text")).strip() or draft.category == "AUTHENTICATION":
        return []
    return [Violation("body_empty", part_field("body", "text"), {})]


def check_body_length(draft: Draft) -> list[Violation]:
    body = draft.first("BODY")
    text = text_of(body.get("text")) if body else ""
    if len(text) <= draft.limits.body_length:
        return []
    return [
        Violation(
            "body_length",
            part_field("body", "text"),
            {"limit": draft.limits.body_length, "length": len(text)},
        )
    ]


def check_header_format(draft: Draft) -> list[Violation]:
    """Text, image, document or video (location, GIF and product only under Meta's limits)."""
    header = draft.first("HEADER")
    if header is None:
        return []
    header_format = header_format_of(header)
    if header_format in draft.limits.header_formats:
        return []
    allowed = ", ".join(sorted(draft.limits.header_formats))
    return [
        Violation(
            "header_format",
            part_field("header", "format"),
            {"format": header_format, "allowed": allowed},
        )
    ]


def check_header_text(draft: Draft) -> list[Violation]:
    header = draft.first("HEADER")
    if header is None or header_format_of(header) != "TEXT":
        return []
    text = text_of(header.get("text"))
    if not text.strip():
        return [Violation("header_empty", part_field("header", "text"), {})]
    if len(text) > draft.limits.header_text_length:
        return [
            Violation(
                "header_length",
                part_field("header", "text"),
                {"limit": draft.limits.header_text_length, "length": len(text)},
            )
        ]
    return []


def check_header_variables(draft: Draft) -> list[Violation]:
    """A text header holds at most one variable."""
    header = draft.first("HEADER")
    if header is None or header_format_of(header) != "TEXT":
        return []
    count = len(variables_of(text_of(header.get("text"))))
    if count <= draft.limits.header_variables:
        return []
    return [
        Violation(
            "header_variables",
            part_field("header", "text"),
            {"limit": draft.limits.header_variables, "count": count},
        )
    ]


def check_header_media_example(draft: Draft) -> list[Violation]:
    """Meta reviews a media header from a sample file (``example.header_handle``)."""
    header = draft.first("HEADER")
    if header is None or header_format_of(header) not in MEDIA_FORMATS:
        return []
    if sample_handles(header):
        return []
    return [
        Violation(
            "header_media_example",
            part_field("header", "example"),
            {"format": header_format_of(header)},
        )
    ]


def check_product_header(draft: Draft) -> list[Violation]:
    """A PRODUCT header shows one product of the business's catalog, which its "View" (SPM)
    button opens, so one does not go without the other (single-product message templates,
    https://docs.360dialog.com/docs/resources/templates/single-product-message-templates).
    """
    header = draft.first("HEADER")
    product_header = header is not None and header_format_of(header) == "PRODUCT"
    spm = [index for index, button in enumerate(draft.buttons) if kind_of(button) == "SPM"]
    if product_header and not spm:
        return [Violation("product_header_button", part_field("header", "format"), {})]
    if spm and not product_header:
        return [
            Violation("product_button_header", button_field(index, "type"), {"button": index + 1})
            for index in spm
        ]
    return []


def check_footer_length(draft: Draft) -> list[Violation]:
    footer = draft.first("FOOTER")
    text = text_of(footer.get("text")) if footer else ""
    if len(text) <= draft.limits.footer_length:
        return []
    return [
        Violation(
            "footer_length",
            part_field("footer", "text"),
            {"limit": draft.limits.footer_length, "length": len(text)},
        )
    ]


def check_footer_variables(draft: Draft) -> list[Violation]:
    footer = draft.first("FOOTER")
    if footer is None or not variables_of(text_of(footer.get("text"))):
        return []
    return [Violation("footer_variables", part_field("footer", "text"), {})]
