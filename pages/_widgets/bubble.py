"""A template as the customer's WhatsApp shows it: one bubble for the builder, campaigns and the
template sender.

Every text in it comes from users (template authors, campaign columns, agents), so each is
HTML-escaped before any markup is added; only then do WhatsApp's *bold*, _italic_ and ~strike~
become tags.
"""

from __future__ import annotations

import html
import re

import streamlit as st

from core.i18n import t
from core.templates.preview import Preview

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
_STRIKE = re.compile(r"~([^~\n]+)~")
MEDIA_ICONS = {"IMAGE": "🖼️", "DOCUMENT": "📄", "VIDEO": "🎬", "LOCATION": "📍", "GIF": "🎞️"}
BUTTON_ICONS = {"QUICK_REPLY": "↩", "URL": "↗", "PHONE_NUMBER": "📞"}
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


def whatsapp_text(text: str) -> str:
    """Escaped text with WhatsApp's *bold*, _italic_ and ~strike~ and its line breaks."""
    escaped = html.escape(text)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    return escaped.replace("\n", "<br>")


def bubble_html(preview: Preview, media_label: str, empty_label: str) -> str:
    """The bubble's markup; ``media_label`` names a media header, ``empty_label`` an empty body."""
    parts = []
    if preview.header_format and preview.header_format != "TEXT":
        icon = MEDIA_ICONS.get(preview.header_format, "📎")
        parts.append(f'<div style="{_MEDIA_BOX}">{icon}&nbsp;{html.escape(media_label)}</div>')
    if preview.header:
        parts.append(
            f'<div style="font-weight:700;margin-bottom:4px">{whatsapp_text(preview.header)}</div>'
        )
    body = whatsapp_text(preview.body) if preview.body.strip() else html.escape(empty_label)
    parts.append(f'<div style="white-space:normal;word-wrap:break-word">{body}</div>')
    if preview.footer:
        parts.append(
            '<div style="color:#667781;font-size:13px;margin-top:4px">'
            f"{html.escape(preview.footer)}</div>"
        )
    parts.append('<div style="color:#667781;font-size:11px;text-align:right">12:00</div>')
    buttons = "".join(
        f'<div style="{_BUTTON}" title="{html.escape(button.target or "")}">'
        f"{BUTTON_ICONS.get(button.kind, '')}&nbsp;{html.escape(button.text)}</div>"
        for button in preview.buttons
    )
    return (
        f'<div class="template-preview" style="{_PAGE}"><div style="max-width:330px">'
        f'<div style="{_BALLOON}">{"".join(parts)}</div>{buttons}</div></div>'
    )


def show_bubble(preview: Preview) -> None:
    """Draw ``preview`` as the customer's WhatsApp will show it."""
    media_label = (
        t(f"template_pages.builder.header.{preview.header_format}")
        if preview.header_format and preview.header_format != "TEXT"
        else ""
    )
    st.html(bubble_html(preview, media_label, t("template_pages.builder.preview_empty")))
