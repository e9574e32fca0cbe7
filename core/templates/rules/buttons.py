"""Rules about a template's buttons: how many of each kind, their order, labels, numbers and
addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable

from core.templates.anatomy import VARIABLE, is_web_address, kind_of, text_of
from core.templates.rules.draft import Draft, button_field, button_values
from core.templates.violations import Violation

BUTTONS_NEEDING_TEXT = frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER"})
PHONE_NUMBER = re.compile(r"^\+?[0-9]+$")


def check_buttons_total(draft: Draft) -> list[Violation]:
    count = len(draft.buttons)
    if count <= draft.limits.buttons:
        return []
    return [
        Violation(
            "buttons_total",
            "components.BUTTONS.buttons",
            {"limit": draft.limits.buttons, "count": count},
        )
    ]


def _count_rule(draft: Draft, rule: str, kinds: Iterable[str], limit: int) -> list[Violation]:
    count = sum(1 for button in draft.buttons if kind_of(button) in set(kinds))
    if count <= limit:
        return []
    return [Violation(rule, "components.BUTTONS.buttons", {"limit": limit, "count": count})]


def check_quick_reply_count(draft: Draft) -> list[Violation]:
    """At most 3 quick replies in the compact buttons layout (Meta: 10)."""
    return _count_rule(draft, "quick_reply_count", ["QUICK_REPLY"], draft.limits.quick_replies)


def check_url_button_count(draft: Draft) -> list[Violation]:
    """At most one URL button in the compact buttons layout (Meta: 2)."""
    return _count_rule(draft, "url_button_count", ["URL"], draft.limits.url_buttons)


def check_phone_button_count(draft: Draft) -> list[Violation]:
    """At most one phone-number button."""
    return _count_rule(draft, "phone_button_count", ["PHONE_NUMBER"], draft.limits.phone_buttons)


def check_copy_code_count(draft: Draft) -> list[Violation]:
    return _count_rule(draft, "copy_code_count", ["COPY_CODE"], draft.limits.copy_code_buttons)


def check_buttons_grouped(draft: Draft) -> list[Violation]:
    """Quick replies all before or all after the other buttons, never mixed (Meta refuses)."""
    kinds = [kind_of(button) == "QUICK_REPLY" for button in draft.buttons]
    switches = sum(1 for before, after in zip(kinds, kinds[1:], strict=False) if before != after)
    if switches <= 1:
        return []
    return [Violation("buttons_interleaved", "components.BUTTONS.buttons", {})]


def check_button_types(draft: Draft) -> list[Violation]:
    return [
        Violation(
            "button_type_unknown",
            button_field(index, "type"),
            button_values(index, button, kind=kind_of(button)),
        )
        for index, button in enumerate(draft.buttons)
        if kind_of(button) not in draft.limits.button_types
    ]


def check_button_text(draft: Draft) -> list[Violation]:
    """Quick replies and call-to-action buttons need a label of at most 25 characters."""
    found = []
    limit = draft.limits.button_text_length
    for index, button in enumerate(draft.buttons):
        text = text_of(button.get("text"))
        if not text.strip() and kind_of(button) in BUTTONS_NEEDING_TEXT:
            found.append(
                Violation("button_text_empty", button_field(index, "text"), {"button": index + 1})
            )
        elif len(text) > limit:
            found.append(
                Violation(
                    "button_text_length",
                    button_field(index, "text"),
                    button_values(index, button, limit=limit, length=len(text)),
                )
            )
    return found


def check_button_phone_numbers(draft: Draft) -> list[Violation]:
    """Digits with an optional leading +, at most 20 characters: what Meta checks of a call
    button's number (no numbering-plan check: Meta's own samples use its 555 test range)
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components
    """
    found = []
    limit = draft.limits.phone_length
    for index, button in enumerate(draft.buttons):
        if kind_of(button) != "PHONE_NUMBER":
            continue
        number = str(button.get("phone_number") or "")
        if not PHONE_NUMBER.match(number) or len(number) > limit:
            found.append(
                Violation(
                    "button_phone_number",
                    button_field(index, "phone_number"),
                    button_values(index, button, number=number, limit=limit),
                )
            )
    return found


def url_problem(url: str) -> str | None:
    """What is wrong with a website button's address, as a rule id, or ``None``: an http(s)
    address, with a variable only as its very end (``https://shop.example/o/{{1}}``)."""
    matches = list(VARIABLE.finditer(url))
    if len(matches) > 1 or (matches and matches[-1].end() != len(url)):
        return "button_url_variable"
    fixed = url[: matches[-1].start()] + "x" if matches else url
    return None if is_web_address(fixed) else "button_url"


def check_button_urls(draft: Draft) -> list[Violation]:
    found = []
    for index, button in enumerate(draft.buttons):
        if kind_of(button) != "URL":
            continue
        url = text_of(button.get("url")).strip()
        if problem := url_problem(url):
            found.append(
                Violation(
                    problem, button_field(index, "url"), button_values(index, button, url=url)
                )
            )
    return found


def check_button_url_length(draft: Draft) -> list[Violation]:
    """At most 2,000 characters, Meta's limit for a website button's address
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/components
    """
    limit = draft.limits.url_length
    return [
        Violation(
            "button_url_length",
            button_field(index, "url"),
            button_values(index, button, limit=limit, length=len(text_of(button.get("url")))),
        )
        for index, button in enumerate(draft.buttons)
        if kind_of(button) == "URL" and len(text_of(button.get("url"))) > limit
    ]
