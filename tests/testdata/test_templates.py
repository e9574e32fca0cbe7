"""Every template of ``templates/`` through the product's template rules, with what must come out.

One row per file: the rules it breaks under the compact buttons layout an admin can choose, as
``(rule, field)``. Under Meta's rules, the default, every one of them is valid, as Meta documents
them. A file without a row fails ``test_every_file_has_a_row``.
"""

from __future__ import annotations

import pytest

from core.templates.limits import COMPACT_LIMITS
from core.templates.rules import validate_template
from tests.testdata import load, names

FIRST_BUTTON_TYPE = ("button_type_unknown", "components.BUTTONS.buttons[0].type")

BROKEN_UNDER_COMPACT_LIMITS: dict[str, list[tuple[str, str]]] = {
    "body_only": [],
    "text_header_quick_replies": [],
    "image_header_url_button": [],
    "document_header_phone_and_url": [],
    "video_header": [],
    "location_header": [("header_format", "components.HEADER.format")],
    "named_params": [],
    "coupon_copy_code": [],
    "authentication_copy_code": [FIRST_BUTTON_TYPE],  # an OTP button
    "catalog": [FIRST_BUTTON_TYPE],
    "multi_product": [FIRST_BUTTON_TYPE],
}


def test_every_file_has_a_row() -> None:
    assert sorted(BROKEN_UNDER_COMPACT_LIMITS) == names("templates")


@pytest.mark.parametrize("name", sorted(BROKEN_UNDER_COMPACT_LIMITS))
def test_each_template_under_both_limits(name: str) -> None:
    template = load(f"templates/{name}.json")
    assert validate_template(template) == []
    found = [(each.rule, each.field) for each in validate_template(template, COMPACT_LIMITS)]
    assert found == BROKEN_UNDER_COMPACT_LIMITS[name]
