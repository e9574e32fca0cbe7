"""Rules about a template's buttons: how many of each kind, their order, labels, numbers and
addresses."""

from __future__ import annotations

from collections.abc import Iterable

from core.phones import InvalidPhoneNumber, to_e164
from core.templates.anatomy import VARIABLE, is_web_address, kind_of, text_of
from core.templates.rules.draft import Draft, button_field, button_values
from core.templates.violations import Violation

BUTTONS_NEEDING_TEXT = frozenset({"QUICK_REPLY", "URL", "PHONE_NUMBER"})


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
    found = []
    for index, button in enumerate(draft.buttons):
        if kind_of(button) != "PHONE_NUMBER":
            continue
        number = str(button.get("phone_number") or "")
        try:
            to_e164(number)
        except InvalidPhoneNumber:
            found.append(
                Violation(
                    "button_phone_number",
                    button_field(index, "phone_number"),
                    button_values(index, button, number=number),
                )
            )
    return found


def check_button_urls(draft: Draft) -> list[Violation]:
    """An http(s) address; a variable only as its very end (``https://shop.example/o/{{1}}``)."""
    found = []
    for index, button in enumerate(draft.buttons):
        if kind_of(button) != "URL":
            continue
        url = text_of(button.get("url")).strip()
        matches = list(VARIABLE.finditer(url))
        fixed = url[: matches[-1].start()] if matches else url
        if len(matches) > 1 or (matches and matches[-1].end() != len(url)):
            found.append(
                Violation(
                    "button_url_variable",
                    button_field(index, "url"),
                    button_values(index, button, url=url),
                )
            )
        elif not is_web_address(fixed + ("x" if matches else "")):
            found.append(
                Violation(
                    "button_url",
                    button_field(index, "url"),
                    button_values(index, button, url=url),
                )
            )
    return found
