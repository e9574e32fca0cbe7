"""Previews of the kinds whose parts go beyond header, body, footer and buttons, read from Meta's
own examples (``testdata/template_rules/approved``, sources in its README): what the bubble is
given to draw, and the bubble's markup with every user text escaped."""

from __future__ import annotations

from core.templates.preview import Authentication, Offer, PreviewButton, render_preview
from pages._widgets.bubble import bubble_html
from tests.testdata import load


def say(key: str, **values: object) -> str:
    """The bubble's words as keys, so a test sees which one was used and with what."""
    return f"[{key}{':' if values else ''}{','.join(str(v) for v in values.values())}]"


def approved(name: str) -> list[dict]:
    return load(f"template_rules/approved/{name}.json")["components"]


def test_authentication_is_previewed_from_metas_settings() -> None:
    preview = render_preview(approved("authentication_copy_code"))
    assert preview.authentication == Authentication(True, 10)
    assert preview.buttons == (PreviewButton("OTP", "Copy Code"),)
    bubble = bubble_html(preview, say)
    assert "[auth_code:123456]" in bubble and "[auth_security]" in bubble
    assert "[auth_expiry:10]" in bubble and "Copy Code" in bubble


def test_a_coupon_shows_whatsapps_copy_button_with_the_code() -> None:
    preview = render_preview(approved("coupon_code"))
    assert preview.buttons[-1] == PreviewButton("COPY_CODE", "", "250FF")
    bubble = bubble_html(preview, say)
    assert "[copy_offer_code]" in bubble and 'title="250FF"' in bubble


def test_an_offer_shows_its_banner_with_the_countdown_and_code() -> None:
    preview = render_preview(approved("limited_time_offer"))
    assert preview.offer == Offer("Expiring offer!", True)
    bubble = bubble_html(preview, say)
    assert "Expiring offer!" in bubble and "[offer_ends]" in bubble
    assert "[offer_code:CARIBE25]" in bubble


def test_a_carousel_shows_each_card_under_the_body() -> None:
    preview = render_preview(approved("carousel_media_cards"))
    assert [card.header_format for card in preview.cards] == ["IMAGE", "IMAGE"]
    assert preview.cards[0].body.startswith("Rare lemons for unique cocktails. Use code 15OFF")
    assert [b.text for b in preview.cards[1].buttons] == ["Send more like this", "Buy now"]
    bubble = bubble_html(preview, say)
    assert bubble.count('class="template-card"') == 2
    assert "Exotic fruit for unique cocktails!" in bubble


def test_users_texts_in_the_new_parts_are_escaped() -> None:
    components = [
        {"type": "LIMITED_TIME_OFFER", "limited_time_offer": {"text": "<b>x</b>"}},
        {"type": "BODY", "text": "Hola"},
        {"type": "BUTTONS", "buttons": [{"type": "COPY_CODE", "example": "<i>"}]},
        {
            "type": "CAROUSEL",
            "cards": [{"components": [{"type": "BODY", "text": "<script>"}]}],
        },
    ]
    bubble = bubble_html(render_preview(components), say)
    assert "<b>x</b>" not in bubble and "&lt;b&gt;x&lt;/b&gt;" in bubble
    assert "<script>" not in bubble and "<i>" not in bubble
