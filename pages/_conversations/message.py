"""One message of any kind as a chat bubble: text, media, location, contacts, answers, system
notices, quotes, reactions, edits, deletions and the ticks of what the team sent.

Customers' words are untrusted: they are shown with ``st.text`` or escaped before any markdown. A
message whose content has an unexpected shape is shown as unsupported, never as an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit as st

from core.access.auth import Actor, Permission
from core.conversations import media
from core.conversations.threads import ThreadMessage
from core.failures import describe
from core.i18n import t
from core.models import MediaFile, Message, MessageStatus
from pages._conversations.actions import retry_download, retry_message
from pages._widgets.bubble import chat_side
from pages._widgets.labels import plain, when

TICKS = {
    MessageStatus.QUEUED: "🕓",
    MessageStatus.SENDING: "🕓",
    MessageStatus.HELD: ":orange[⏸]",
    MessageStatus.PAUSED: ":orange[⏸]",
    MessageStatus.SENT: "✓",
    MessageStatus.DELIVERED: "✓✓",
    MessageStatus.READ: ":blue[✓✓]",
    MessageStatus.PLAYED: ":blue[✓✓]",
    MessageStatus.FAILED: ":red[✗]",
}
IMAGES = {"image", "sticker"}
SOUNDS = {"audio", "voice"}
MEDIA_TYPES = IMAGES | SOUNDS | {"video", "document"}
TEXT_TYPES = {"text", "button", "order"}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def render_text(text: str) -> None:
    if text:
        st.text(text)


def render_media(actor: Actor, item: ThreadMessage, content: dict[str, Any]) -> None:
    message, file = item.message, item.media
    if file is None:
        st.caption(
            f":material/attach_file: {t('viewer.media.not_stored', type=plain(message.type))}"
        )
    elif file.status == "pending":
        st.caption(f":material/downloading: {t('viewer.media.downloading')}")
    elif file.status == "failed":
        st.warning(t("viewer.media.failed", error=describe(file.last_error_code, file.last_error)))
        st.button(
            t("viewer.media.retry"),
            key=f"viewer_media_retry_{file.id}",
            on_click=retry_download,
            args=(actor, file.id),
        )
    else:
        path = media.file_path(file)
        if path is None or not path.is_file():
            st.warning(t("viewer.media.missing"))
        else:
            show_file(message.type, file, path, content)
    shown_name = file.filename if file is not None else None
    if message.text and message.text != shown_name:
        render_text(message.text)


def show_file(kind: str, file: MediaFile, path: Path, content: dict[str, Any]) -> None:
    mime = (file.mime_type or "").split(";")[0].strip()
    try:
        if kind in IMAGES:
            st.image(str(path), width=160 if kind == "sticker" else 320)
            return
        if kind in SOUNDS:
            st.audio(str(path), format=mime or "audio/ogg")
            return
        if kind == "video":
            st.video(str(path), format=mime or "video/mp4")
            return
    except (OSError, ValueError, TypeError):
        st.caption(t("viewer.media.cannot_show"))
    name = file.filename or _dict(content.get("media")).get("filename") or path.name
    st.download_button(
        t("viewer.media.download", name=name),
        data=path.read_bytes,
        file_name=name,
        mime=mime or None,
        key=f"viewer_media_download_{file.id}",
        on_click="ignore",
        icon=":material/download:",
    )


def render_location(content: dict[str, Any]) -> None:
    place = _dict(content.get("location"))
    latitude, longitude = _number(place.get("latitude")), _number(place.get("longitude"))
    label = plain(place.get("name") or t("viewer.location"))
    if latitude is not None and longitude is not None:
        st.markdown(
            f":material/location_on: [{label}](https://maps.google.com/?q={latitude},{longitude})"
        )
    else:
        st.markdown(f":material/location_on: {label}")
    if place.get("address"):
        st.caption(plain(place["address"]))


def render_contacts(content: dict[str, Any]) -> None:
    for card in _list(content.get("contacts")):
        card = _dict(card)
        name = card.get("name")
        if isinstance(name, dict):  # as we send them: {"formatted_name": ...}
            name = name.get("formatted_name") or name.get("first_name")
        phones = [
            phone if isinstance(phone, str) else _dict(phone).get("phone")
            for phone in _list(card.get("phones"))
        ]
        st.markdown(f":material/contact_phone: **{plain(name or t('viewer.contact.unnamed'))}**")
        numbers = [plain(phone) for phone in phones if phone]
        if numbers:
            st.caption(" · ".join(numbers))


def render_interactive(message: Message, content: dict[str, Any]) -> None:
    answer = _dict(content.get("interactive"))
    render_text(str(answer.get("title") or message.text or ""))
    if answer.get("description"):
        st.caption(plain(answer["description"]))
    if isinstance(answer.get("flow_response"), dict):
        st.caption(t("viewer.interactive.form"))
        st.json(answer["flow_response"], expanded=False)


def render_system(message: Message, content: dict[str, Any]) -> None:
    change = _dict(content.get("system"))
    body = message.text or change.get("body")
    st.caption(
        f":material/info: {plain(body)}"
        if body
        else t("viewer.system.changed", kind=plain(change.get("kind") or "?"))
    )


def render_unsupported(message: Message) -> None:
    st.caption(f":material/help: {t('viewer.unsupported', type=plain(message.type))}")
    if message.error_title:
        st.caption(plain(message.error_title))
    render_text(message.text)


def render_body(actor: Actor, item: ThreadMessage, content: dict[str, Any]) -> None:
    message = item.message
    kind = message.type
    if message.template_name:
        st.caption(
            f":material/description: {t('viewer.template', name=plain(message.template_name))}"
        )
        render_text(message.text)
    elif kind in TEXT_TYPES:
        render_text(message.text)
    elif kind in MEDIA_TYPES:
        render_media(actor, item, content)
    elif kind == "location":
        render_location(content)
    elif kind == "contacts":
        render_contacts(content)
    elif kind == "interactive":
        render_interactive(message, content)
    elif kind == "system":
        render_system(message, content)
    else:
        render_unsupported(message)


def render_referral(content: dict[str, Any]) -> None:
    referral = _dict(content.get("referral"))
    if not referral:
        return
    parts = [referral.get("headline"), referral.get("body")]
    summary = " · ".join(plain(part) for part in parts if part) or plain(
        referral.get("source_type") or "?"
    )
    line = f":material/campaign: {t('viewer.referral', summary=summary)}"
    url = referral.get("source_url")
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        line += f" · [{t('viewer.referral.link')}]({url.replace(')', '%29')})"
    st.caption(line)


def render_footer(message: Message, content: dict[str, Any]) -> None:
    parts = [when(message.created_at)]
    if _list(content.get("edits")):
        parts.append(t("viewer.edited"))
    if message.status == MessageStatus.DELETED or content.get("deleted"):
        parts.append(f":material/delete: {t('viewer.deleted')}")
    if message.direction == "out" and message.status in TICKS:
        parts.append(f"{TICKS[message.status]} {t(f'viewer.status.{message.status.value}')}")
    st.caption(" · ".join(part for part in parts if part))


def render_message(actor: Actor, item: ThreadMessage) -> None:
    message = item.message
    content = _dict(message.content)
    inbound = message.direction == "in"
    with (
        chat_side(inbound, message.id),
        st.chat_message(
            "customer" if inbound else "business",
            avatar=":material/person:" if inbound else ":material/support_agent:",
        ),
    ):
        if item.quoted is not None:
            quoted = item.quoted.text or f"[{item.quoted.type}]"
            st.markdown(f"> {plain(quoted)}")
        elif message.reply_to_wa_id:
            st.caption(f":material/reply: {t('viewer.quote_missing')}")
        if content.get("forwarded"):
            st.caption(f":material/forward: {t('viewer.forwarded')}")
        render_referral(content)
        try:
            render_body(actor, item, content)
        except (AttributeError, KeyError, TypeError, ValueError):  # an unexpected content shape
            render_unsupported(message)
        if item.reactions:
            st.markdown(" ".join(plain(emoji) for emoji in item.reactions))
        render_footer(message, content)
        if message.status in (MessageStatus.HELD, MessageStatus.PAUSED):  # accepted, not sent
            st.caption(t(f"viewer.{message.status.value}"))
        if message.direction == "out" and message.status == MessageStatus.FAILED:
            st.error(t("viewer.failed", reason=describe(message.error_code, message.error_title)))
            if actor.can(Permission.REPLY_CONVERSATIONS):
                st.button(
                    t("viewer.retry"),
                    key=f"viewer_retry_{message.id}",
                    icon=":material/refresh:",
                    on_click=retry_message,
                    args=(actor, message.id),
                )
