"""Rules about the variables of a template's header and body (and a URL button's suffix): how
they are written, their order, and the sample value Meta reviews each one from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from core.templates.anatomy import VARIABLE, kind_of, text_of, variables_of
from core.templates.rules.draft import Draft, button_field, button_values, part_field
from core.templates.violations import Violation

ADJACENT_VARIABLES = re.compile(r"\{\{\s*[A-Za-z0-9_]+\s*\}\}\s*\{\{")
NAMED_VARIABLE = re.compile(r"^[a-z_][a-z0-9_]*$")


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
    if part == "body":  # body_text is one row of samples: [["Mark", "FALL25"]]
        samples = samples[0] if isinstance(samples, list) and samples else []
        if not isinstance(samples, list):
            return 0
    if not isinstance(samples, list):
        return 0
    return sum(1 for sample in samples if str(sample).strip())


def check_variable_examples(draft: Draft) -> list[Violation]:
    """Every variable needs a sample value for Meta's review (``example``)."""
    found = []
    named = draft.named
    for part, text in draft.text_parts():
        names = variables_of(text)
        if not names:
            continue
        component = draft.first(part.upper())
        assert component is not None
        provided = _example_count(component, part, named)
        missing = (
            [n for n in names if n not in provided]
            if isinstance(provided, set)
            else names[provided:]
        )
        if missing:
            found.append(
                Violation(
                    "variable_examples",
                    part_field(part, "example"),
                    {"part": part, "variables": ", ".join("{{" + n + "}}" for n in missing)},
                )
            )
    for index, button in enumerate(draft.buttons):
        if kind_of(button) != "URL" or not variables_of(text_of(button.get("url"))):
            continue
        example = button.get("example")
        samples = example if isinstance(example, list) else [example]
        if not any(isinstance(s, str) and s.strip() for s in samples):
            found.append(
                Violation(
                    "variable_examples",
                    button_field(index, "example"),
                    button_values(index, button, part="button", variables="{{1}}"),
                )
            )
    return found
