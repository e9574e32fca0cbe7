"""Rules about where a body's variables sit and how many its text can carry.

Meta refuses at creation a body that starts or ends with a variable and one with "too many
variable parameters relative to the message length" (common rejection reasons,
https://developers.facebook.com/docs/whatsapp/message-templates/guidelines). A variable can stand
for many words, so Meta wants fixed text around each one.
"""

from __future__ import annotations

import unicodedata

from core.templates.anatomy import VARIABLE, text_of
from core.templates.rules.draft import Draft, part_field
from core.templates.violations import Violation

FIXED_WORDS_PER_VARIABLE = 2
"""Meta publishes no number for its ratio. Providers who measured it found that a body needs at
least ``2 × variables + 1`` words of fixed text (``3 × variables + 1`` words counting the
variables): Syniverse,
https://sdcsupport.syniverse.com/hc/en-us/articles/30569685832471-How-to-avoid-too-many-parameters-rejection-in-WhatsApp-Templates
and Maqsam,
https://support.maqsam.com/portal/en/kb/articles/creating-whatsapp-templates-with-variables
(``Hi {{1}}, gate {{2}}. Thank you.`` is refused there)."""


def _is_filler(character: str) -> bool:
    """Spaces and punctuation: what Meta does not count as text next to a variable at an edge
    ("a variable followed only by punctuation" still ends the body)."""
    if character in "{}":  # the braces of the variable itself
        return False
    return character.isspace() or unicodedata.category(character).startswith("P")


def _trimmed(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_filler(text[start]):
        start += 1
    while end > start and _is_filler(text[end - 1]):
        end -= 1
    return text[start:end]


def check_body_variable_edges(draft: Draft) -> list[Violation]:
    """The body neither starts nor ends with a variable (punctuation around it does not count)."""
    body = draft.first("BODY")
    text = _trimmed(text_of(body.get("text")) if body else "")
    matches = list(VARIABLE.finditer(text))
    if not matches:
        return []
    found = []
    if matches[0].start() == 0:
        found.append(
            Violation(
                "body_starts_with_variable",
                part_field("body", "text"),
                {"variable": matches[0].group(0)},
            )
        )
    if matches[-1].end() == len(text):
        found.append(
            Violation(
                "body_ends_with_variable",
                part_field("body", "text"),
                {"variable": matches[-1].group(0)},
            )
        )
    return found


def fixed_words(text: str) -> int:
    """Words of ``text`` that are not variables: runs between spaces with a letter or a digit."""
    return sum(1 for word in VARIABLE.sub(" ", text).split() if any(ch.isalnum() for ch in word))


def check_variables_ratio(draft: Draft) -> list[Violation]:
    """At least ``FIXED_WORDS_PER_VARIABLE`` words of fixed text per variable in the body, plus
    one."""
    body = draft.first("BODY")
    text = text_of(body.get("text")) if body else ""
    count = len(VARIABLE.findall(text))
    needed = FIXED_WORDS_PER_VARIABLE * count + 1
    words = fixed_words(text)
    if not count or words >= needed:
        return []
    return [
        Violation(
            "variables_ratio",
            part_field("body", "text"),
            {"count": count, "words": words, "needed": needed},
        )
    ]
