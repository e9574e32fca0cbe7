"""Rules about the variables of a template's header and body (and a URL button's suffix): how
they are written, their order, and the sample value Meta reviews each one from.

Meta's description of positional (``{{1}}``) and named (``{{first_name}}``, with
``parameter_format: NAMED``) variables:
https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/overview
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.templates.anatomy import (
    VARIABLE,
    component_of,
    kind_of,
    sample_row,
    text_of,
    variables_of,
)
from core.templates.rules.draft import Draft, button_field, button_values, card_field, part_field
from core.templates.violations import Violation

ADJACENT_VARIABLES = re.compile(r"\{\{\s*[A-Za-z0-9_]+\s*\}\}\s*\{\{")
NAMED_VARIABLE = re.compile(r"^[a-z_][a-z0-9_]*$")
WELL_FORMED = re.compile(r"\{\{[A-Za-z0-9_]+\}\}")
BROKEN_PLACEHOLDER = re.compile(
    r"\{\{[^{}]{0,30}\}\}"  # {{ 1 }} or {{}}: spaces or nothing inside
    r"|\{\{[^{}]{0,30}\}?"  # {{1} or {{1: not closed
    r"|\{?[^{}\s]{0,30}\}\}"  # {1}} or 1}}: not opened
)
PARAMETER_FORMATS = ("POSITIONAL", "NAMED")


def malformed_placeholder(text: str) -> str | None:
    """The first piece of ``text`` that looks like a variable but is not one WhatsApp reads
    (``{{ 1 }}``, ``{{1}``, ``{1}}``, ``{{}}``), or ``None``. Meta refuses these ("mismatched
    curly braces"): https://developers.facebook.com/docs/whatsapp/message-templates/guidelines
    """
    found = BROKEN_PLACEHOLDER.search(WELL_FORMED.sub(" ", text))
    return found.group(0) if found else None


def check_parameter_format(draft: Draft) -> list[Violation]:
    """``parameter_format`` is ``POSITIONAL`` (Meta's default when absent) or ``NAMED``."""
    declared = draft.template.get("parameter_format")
    if declared is None or str(declared).upper() in PARAMETER_FORMATS:
        return []
    return [Violation("parameter_format", "parameter_format", {"format": str(declared)})]


def check_variable_malformed(draft: Draft) -> list[Violation]:
    """Every ``{{`` and ``}}`` in the header, the body, a card's body or a website address belongs
    to a well-written variable."""
    texts = [(part_field(part, "text"), {"part": part}, text) for part, text in draft.text_parts()]
    texts += [
        (card_field(number, "BODY.text"), {"part": "card_body"}, text_of(body.get("text")))
        for number, card in enumerate(draft.cards)
        if (body := component_of(card, "BODY"))
    ]
    texts += [
        (button_field(index, "url"), button_values(index, button, part="button"), url)
        for index, button in enumerate(draft.buttons)
        if (url := text_of(button.get("url")))
    ]
    return [
        Violation("variable_malformed", field, {**values, "fragment": fragment})
        for field, values, text in texts
        if (fragment := malformed_placeholder(text))
    ]


def check_variable_format(draft: Draft) -> list[Violation]:
    """``{{1}}`` in a positional template, ``{{lowercase_name}}`` in a NAMED one."""
    found = []
    for part, text in draft.text_parts():
        for name in variables_of(text):
            fits = NAMED_VARIABLE.match(name) if draft.named else name.isdigit()
            if not fits:
                found.append(
                    Violation(
                        "variable_format",
                        part_field(part, "text"),
                        {"part": part, "variable": "{{" + name + "}}"},
                    )
                )
    return found


def check_variables_sequential(draft: Draft) -> list[Violation]:
    """Positional variables run ``{{1}}``, ``{{2}}``… in order, from 1, without gaps or repeats."""
    if draft.named:
        return []
    found = []
    for part, text in draft.text_parts():
        numbers = [name for name in VARIABLE.findall(text) if name.isdigit()]
        expected = [str(n) for n in range(1, len(numbers) + 1)]
        if numbers != expected:
            found.append(
                Violation(
                    "variables_sequential",
                    part_field(part, "text"),
                    {
                        "part": part,
                        "found": ", ".join("{{" + n + "}}" for n in numbers),
                        "expected": ", ".join("{{" + n + "}}" for n in expected),
                    },
                )
            )
    return found


def check_variables_adjacent(draft: Draft) -> list[Violation]:
    """Meta rejects ``{{1}}{{2}}`` with nothing but spaces between (``INVALID_FORMAT``)."""
    return [
        Violation("variables_adjacent", part_field(part, "text"), {"part": part})
        for part, text in draft.text_parts()
        if ADJACENT_VARIABLES.search(text)
    ]


def _example_count(component: Mapping[str, Any], part: str, named: bool) -> int | set[str]:
    """How many samples (positional) or which sample names (named) a component provides."""
    example = component.get("example")
    if not isinstance(example, Mapping):
        return set() if named else 0
    if named:
        entries = example.get(f"{part}_text_named_params")
        if not isinstance(entries, list):
            return set()
        return {
            str(entry.get("param_name"))
            for entry in entries
            if isinstance(entry, Mapping) and str(entry.get("example") or "").strip()
        }
    samples = example.get(f"{part}_text")
    if (
        part == "body"
        and isinstance(samples, list)
        and samples
        and not isinstance(samples[0], list)
    ):
        return 0  # body_text is a row of samples, [["Mark", "FALL25"]], or one sample as text
    return sum(1 for sample in sample_row(samples) if str(sample).strip())


def missing_examples(component: Mapping[str, Any], part: str, named: bool) -> list[str]:
    """The variables of a header's or body's text that have no sample value in its ``example``
    (also used for a carousel card's body)."""
    names = variables_of(text_of(component.get("text")))
    provided = _example_count(component, part, named)
    if isinstance(provided, set):
        return [name for name in names if name not in provided]
    return names[provided:]


def url_example_missing(button: Mapping[str, Any]) -> bool:
    """Whether a website button's address has a variable but no sample for it."""
    if kind_of(button) != "URL" or not variables_of(text_of(button.get("url"))):
        return False
    example = button.get("example")
    samples = example if isinstance(example, list) else [example]
    return not any(isinstance(sample, str) and sample.strip() for sample in samples)


def check_variable_examples(draft: Draft) -> list[Violation]:
    """Every variable needs a sample value for Meta's review (``example``)."""
    found = []
    for part, _ in draft.text_parts():
        component = draft.first(part.upper())
        assert component is not None
        if missing := missing_examples(component, part, draft.named):
            found.append(
                Violation(
                    "variable_examples",
                    part_field(part, "example"),
                    {"part": part, "variables": ", ".join("{{" + n + "}}" for n in missing)},
                )
            )
    found.extend(
        Violation(
            "variable_examples",
            button_field(index, "example"),
            button_values(index, button, part="button", variables="{{1}}"),
        )
        for index, button in enumerate(draft.buttons)
        if url_example_missing(button)
    )
    return found
