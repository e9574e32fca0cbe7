"""Chat bubbles as WhatsApp draws them: a template as the customer's phone shows it (one bubble
for the builder, campaigns and the template sender), and a thread's sides, the customer's
messages on the left and the team's on the right.

Every text in it comes from users (template authors, campaign columns, agents), so each is
HTML-escaped before any markup is added; only then do WhatsApp's *bold*, _italic_ and ~strike~
become tags. The words WhatsApp itself adds (an authentication code's text, a copy-code button's
label, an offer's countdown) come from ``say`` in the reader's language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.i18n import t
from core.templates.preview import Preview, PreviewButton

Say = Callable[..., str]
"""The bubble's own words: ``say("copy_code")`` → "Copy code"."""

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
_STRIKE = re.compile(r"~([^~\n]+)~")
MEDIA_ICONS = {"IMAGE": "🖼️", "DOCUMENT": "📄", "VIDEO": "🎬", "LOCATION": "📍", "GIF": "🎞️"}
BUTTON_ICONS = {
    "QUICK_REPLY": "↩",
    "URL": "↗",
    "PHONE_NUMBER": "📞",
    "COPY_CODE": "📋",
    "OTP": "📋",
}
SAMPLE_CODE = "123456"
_MEDIA_BOX = (
    "background:#cfd8dc;border-radius:6px;height:120px;display:flex;align-items:center;"
    "justify-content:center;font-size:15px;color:#455a64;margin-bottom:6px"
)
_BUTTON = (
    "background:#ffffff;border-radius:8px;margin-top:3px;padding:8px;text-align:center;"
    "color:#027eb5;font-weight:500"
)
_PAGE = (
    "background:#efeae2;padding:16px;border-radius:10px;"
    "font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14.2px;color:#111b21"
)
_BALLOON = (
    "background:#ffffff;border-radius:0 8px 8px 8px;padding:6px 8px 4px;"
    "box-shadow:0 1px 0.5px rgba(11,20,26,.13)"
)
_OFFER = "background:#f0f2f5;border-radius:6px;padding:6px 8px;margin-bottom:6px"
_CARDS = "display:flex;gap:8px;overflow-x:auto;margin-top:8px;padding-bottom:4px"
_CARD = "flex:0 0 220px"
_SMALL = "color:#667781;font-size:13px"


def whatsapp_text(text: str) -> str:
    """Escaped text with WhatsApp's *bold*, _italic_ and ~strike~ and its line breaks."""
    escaped = html.escape(text)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    return escaped.replace("\n", "<br>")


def _body_and_footer(preview: Preview, say: Say) -> tuple[str, str | None]:
    """The body's markup and the footer's text: an authentication template's are Meta's words."""
    auth = preview.authentication
    if auth is None:
        body = whatsapp_text(preview.body) if preview.body.strip() else html.escape(say("empty"))
        return body, preview.footer
    body = whatsapp_text(say("auth_code", code=SAMPLE_CODE))
    if auth.security_recommendation:
        body += " " + html.escape(say("auth_security"))
    minutes = auth.code_expiration_minutes
    return body, say("auth_expiry", minutes=minutes) if minutes is not None else None


def _offer_banner(preview: Preview, say: Say) -> str:
    offer = preview.offer
    if offer is None:
        return ""
    code = next((b.target for b in preview.buttons if b.kind == "COPY_CODE" and b.target), None)
    lines = [f"<b>🏷️&nbsp;{html.escape(offer.text)}</b>"]
    if offer.has_expiration:
        lines.append(f'<span style="{_SMALL}">⏰&nbsp;{html.escape(say("offer_ends"))}</span>')
    if code:
        lines.append(f'<span style="{_SMALL}">{html.escape(say("offer_code", code=code))}</span>')
    return f'<div style="{_OFFER}">{"<br>".join(lines)}</div>'


def _button_label(button: PreviewButton, say: Say) -> str:
    """A button's label; WhatsApp labels a copy-code button itself (an OTP one unless named)."""
    if button.kind == "COPY_CODE":
        return say("copy_offer_code")
    if button.kind == "OTP" and not button.text.strip():
        return say("copy_code")
    return button.text


def _buttons(preview: Preview, say: Say) -> str:
    return "".join(
        f'<div style="{_BUTTON}" title="{html.escape(button.target or "")}">'
        f"{BUTTON_ICONS.get(button.kind, '')}&nbsp;{html.escape(_button_label(button, say))}</div>"
        for button in preview.buttons
    )


def _balloon(preview: Preview, say: Say) -> str:
    """The message itself: header, offer banner, body, footer, time, then its buttons."""
    parts = []
    if preview.header_format and preview.header_format != "TEXT":
        icon = MEDIA_ICONS.get(preview.header_format, "📎")
        label = say("media", media=preview.header_format)
        parts.append(f'<div style="{_MEDIA_BOX}">{icon}&nbsp;{html.escape(label)}</div>')
    if preview.header:
        parts.append(
            f'<div style="font-weight:700;margin-bottom:4px">{whatsapp_text(preview.header)}</div>'
        )
    parts.append(_offer_banner(preview, say))
    body, footer = _body_and_footer(preview, say)
    parts.append(f'<div style="white-space:normal;word-wrap:break-word">{body}</div>')
    if footer:
        parts.append(f'<div style="{_SMALL};margin-top:4px">{html.escape(footer)}</div>')
    parts.append('<div style="color:#667781;font-size:11px;text-align:right">12:00</div>')
    return f'<div style="{_BALLOON}">{"".join(parts)}</div>{_buttons(preview, say)}'


def bubble_html(preview: Preview, say: Say) -> str:
    """The bubble's markup: the message, then a carousel's cards side by side under it."""
    cards = "".join(
        f'<div class="template-card" style="{_CARD}">{_balloon(card, say)}</div>'
        for card in preview.cards
    )
    carousel = f'<div style="{_CARDS}">{cards}</div>' if cards else ""
    return (
        f'<div class="template-preview" style="{_PAGE}"><div style="max-width:330px">'
        f"{_balloon(preview, say)}</div>{carousel}</div>"
    )


def _say(key: str, **values: object) -> str:
    if key == "media":
        return t(f"template_pages.builder.header.{values['media']}")
    return t(f"template_pages.bubble.{key}", **values)


def show_bubble(preview: Preview) -> None:
    """Draw ``preview`` as the customer's WhatsApp will show it."""
    st.html(bubble_html(preview, _say))


_SIDES = """<style>
[class*="st-key-chat_customer_"], [class*="st-key-chat_team_"] { max-width: 80%; }
[class*="st-key-chat_customer_"] { margin-right: auto; }
[class*="st-key-chat_team_"] { margin-left: auto; }
[class*="st-key-chat_customer_"] [data-testid="stChatMessage"] {
  background: rgba(128, 128, 128, 0.08);
}
[class*="st-key-chat_team_"] [data-testid="stChatMessage"] {
  flex-direction: row-reverse; background: rgba(37, 211, 102, 0.16);
}
</style>"""
"""Tints that read in the light and the dark theme; the team's avatar on its own side."""


def chat_sides() -> None:
    """The look of :func:`chat_side`, once per run of a page that draws a thread."""
    st.html(_SIDES)


def chat_side(from_customer: bool, message_id: int) -> DeltaGenerator:
    """Where one message of a thread goes: the left for the customer's, the right for ours."""
    return st.container(key=f"chat_{'customer' if from_customer else 'team'}_{message_id}")
