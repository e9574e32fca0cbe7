"""A ``Violation``: one thing wrong with a template or with the values of a send, said in the user's
words.

The validator (``rules``) and the checks of a send's values (``values``) both answer with a list of
them, so a page or the command line shows either the same way: ``rule`` is a stable id (the key of
its sentence, ``templates.rule.<rule>``) and ``field`` a path a form can point at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.i18n import t

__all__ = ["Violation"]

PLACEHOLDER_EXAMPLES = {
    "v1": "{{1}}",
    "v2": "{{2}}",
    "v_named": "{{first_name}}",
    "v_named_es": "{{nombre}}",
}
"""Placeholders a message may show as examples; passed as values so catalogs need no escaping."""
TRANSLATED_VALUES = {
    "part": "templates.part.",
    "media": "templates.media.",
    "given": "templates.media.",
}
"""Values of a violation that are words to translate (``part="body"`` → "Cuerpo"), not data."""


@dataclass(frozen=True)
class Violation:
    """One broken rule: ``rule`` is a stable id, ``field`` a path a form can point at."""

    rule: str
    field: str
    values: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    def message(self, language: str | None = None) -> str:
        """The rule and the field in the user's words (``templates.rule.<rule>``)."""
        values = {
            key: t(f"{TRANSLATED_VALUES[key]}{value}", language)
            if key in TRANSLATED_VALUES
            else value
            for key, value in self.values.items()
        }
        return t(f"templates.rule.{self.rule}", language, **PLACEHOLDER_EXAMPLES, **values)
