"""What a template must satisfy before it goes to WhatsApp for approval, one named rule at a time.

A template is the body 360Dialog takes to create one (``POST /v1/configs/templates``:
https://docs.360dialog.com/docs/waba-messaging/template-messaging; its parts are read by
``anatomy``). ``validate_template`` runs every function of ``RULES`` over it and returns the
``Violation`` list (empty when the template may be submitted). Each rule is a small ``check_*``
function with a stable ``rule`` id, so a page can point at the ``field`` it concerns and say in the
user's language what is wrong (``Violation.message``). How much a template may hold comes from
``Limits``: everything Meta accepts by default, or the stricter compact buttons layout.

The rules judge a template as Meta does when it is created: each rule's docstring or module names
the public page of Meta's (or 360Dialog's) that it follows.

Templates read back from a listing were approved already, but listings leave out what only the
submission needed: 360Dialog's listings of older templates carry no ``example`` at all and keep
pre-2023 categories such as ``SHIPPING_UPDATE``. ``for_listing=True`` skips those
submission-only rules (``SUBMISSION_ONLY``) so an approved template is never reported as broken.
The same goes for what Meta only checks at creation (a body starting or ending with a variable,
too many variables for the text) and for authentication templates, which a listing shows with
Meta's own text and a website button in place of the one-time-password button.

Modules: ``draft`` (the template as every rule reads it), ``parts`` (name, category, language,
header, body, footer), ``variables`` (how variables are written and their samples),
``placement`` (where a body's variables sit, how many it holds), ``buttons``, ``authentication``,
``offers`` (coupon codes, limited-time offers), ``carousel``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.templates.limits import META_LIMITS, Limits
from core.templates.rules.authentication import (
    check_authentication_parts,
    check_code_expiration,
    check_otp_buttons,
)
from core.templates.rules.buttons import (
    check_button_phone_numbers,
    check_button_text,
    check_button_types,
    check_button_url_length,
    check_button_urls,
    check_buttons_grouped,
    check_buttons_total,
    check_copy_code_count,
    check_phone_button_count,
    check_quick_reply_count,
    check_url_button_count,
)
from core.templates.rules.carousel import (
    check_card_bodies,
    check_card_buttons,
    check_card_media_example,
    check_card_variable_examples,
    check_carousel_cards,
    check_carousel_parts,
)
from core.templates.rules.draft import Draft, Rule
from core.templates.rules.offers import (
    check_copy_code_example,
    check_offer_code,
    check_offer_parts,
    check_offer_text,
)
from core.templates.rules.parts import (
    check_body_length,
    check_body_required,
    check_body_text,
    check_category,
    check_category_current,
    check_component_types,
    check_footer_length,
    check_footer_variables,
    check_header_format,
    check_header_media_example,
    check_header_text,
    check_header_variables,
    check_language,
    check_name_format,
    check_name_length,
    check_product_header,
)
from core.templates.rules.placement import check_body_variable_edges, check_variables_ratio
from core.templates.rules.variables import (
    check_parameter_format,
    check_variable_examples,
    check_variable_format,
    check_variable_malformed,
    check_variables_adjacent,
    check_variables_sequential,
)
from core.templates.violations import Violation

__all__ = ["RULES", "SUBMISSION_ONLY", "Draft", "Rule", "validate_template"]

RULES: tuple[Rule, ...] = (
    check_name_format,
    check_name_length,
    check_category,
    check_category_current,
    check_language,
    check_parameter_format,
    check_component_types,
    check_authentication_parts,
    check_header_format,
    check_header_text,
    check_header_variables,
    check_header_media_example,
    check_product_header,
    check_offer_text,
    check_offer_parts,
    check_body_required,
    check_body_text,
    check_body_length,
    check_body_variable_edges,
    check_variables_ratio,
    check_footer_length,
    check_footer_variables,
    check_code_expiration,
    check_variable_malformed,
    check_variable_format,
    check_variables_sequential,
    check_variables_adjacent,
    check_variable_examples,
    check_carousel_parts,
    check_carousel_cards,
    check_card_media_example,
    check_card_bodies,
    check_card_variable_examples,
    check_card_buttons,
    check_buttons_total,
    check_quick_reply_count,
    check_url_button_count,
    check_phone_button_count,
    check_copy_code_count,
    check_buttons_grouped,
    check_button_types,
    check_button_text,
    check_button_phone_numbers,
    check_button_urls,
    check_button_url_length,
    check_copy_code_example,
    check_offer_code,
    check_otp_buttons,
)
"""Every rule, in the order a form shows its fields."""

SUBMISSION_ONLY: frozenset[Rule] = frozenset(
    {
        check_category_current,
        check_variable_examples,
        check_header_media_example,
        check_card_media_example,
        check_card_variable_examples,
        check_copy_code_example,
        check_authentication_parts,
        check_body_variable_edges,
        check_variables_ratio,
    }
)
"""Rules about what only a submission carries or what Meta only checks at creation: listings of
approved templates often leave out ``example`` (360Dialog's listings of older templates have
none), keep legacy categories, show an authentication template with Meta's own text and a website
button, and keep templates approved before Meta checked where variables sit."""


def validate_template(
    body: Mapping[str, Any], limits: Limits = META_LIMITS, *, for_listing: bool = False
) -> list[Violation]:
    """Every rule ``body`` breaks (empty: it may be submitted).

    ``for_listing`` reads a template 360Dialog listed (already reviewed): the rules of
    ``SUBMISSION_ONLY`` are skipped.
    """
    if not isinstance(body, Mapping):
        return [Violation("body_required", "components", {})]
    draft = Draft(body, limits, for_listing)
    rules = [rule for rule in RULES if not (for_listing and rule in SUBMISSION_ONLY)]
    return [violation for rule in rules for violation in rule(draft)]
