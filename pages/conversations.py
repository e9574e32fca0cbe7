"""Conversations: the list, one thread with every kind of message, the 24-hour window, replies.

The list and the open thread are fragments that rerun every 2 seconds on their own, so new messages
and delivery ticks appear without reloading; each rerun makes a few indexed queries in ``core``.
Customers' words are untrusted: they are shown with ``st.text`` or escaped before any markdown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import streamlit as st

from core.access.auth import Permission, PermissionDenied
from core.channels.registry import list_channels
from core.conversations import media, threads
from core.conversations.threads import (
    ConversationFilter,
    ConversationRow,
    Thread,
    ThreadMessage,
    Window,
)
from core.errors import UserFacingError
from core.failures import describe
from core.i18n import t
from core.models import MediaFile, Message, MessageStatus, utcnow
from core.templates import library as templates
from pages.common import (
    current_actor,
    current_page,
    fixed_language_t,
    page_guard,
    pager_controls,
    plain,
    store,
    viewer_timezone,
)
from pages.template_form import template_form

LIST = "viewer_list"  # pager key: the page number lives in ``viewer_list_page``
OPEN = "viewer_open"  # id of the conversation shown on the right
LIMIT = "viewer_limit"  # how many of its latest messages are shown
FLASH = "viewer_flash"  # (conversation id, error) of the last refused action
LIST_PAGE_SIZE = 20
MESSAGES_PER_STEP = 50
REFRESH_SECONDS = 2
QUOTABLE = 10  # recent customer messages offered to reply to
NO_QUOTE = ""  # the reply-to choice of a plain message (None would read as "nothing chosen")

TICKS = {
    MessageStatus.QUEUED: "🕓",
    MessageStatus.SENDING: "🕓",
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


# --- small helpers ---------------------------------------------------------------------------


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


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    zone = viewer_timezone()
    local = moment.astimezone(zone)
    today = utcnow().astimezone(zone).date()
    return local.strftime(
        t("viewer.time_today" if local.date() == today else "viewer.time_other_day")
    )


def window_text(window: Window) -> str:
    """The window in words: "Window open: closes in 5 h 12 min" or "Window closed"."""
    if not window.is_open():
        return t("viewer.window.closed")
    hours, minutes = divmod(int(window.remaining().total_seconds() // 60), 60)
    left = (
        t("viewer.duration.hours", hours=hours, minutes=minutes)
        if hours
        else t("viewer.duration.minutes", minutes=minutes)
    )
    return t("viewer.window.open", left=left)


def window_badge(window: Window) -> str:
    color = "green" if window.is_open() else "gray"
    return f":{color}-badge[:material/schedule: {window_text(window)}]"


# --- actions (callbacks run before the next rerun draws the result) ----------------------------


def _flash(conversation_id: int, error: UserFacingError | None) -> None:
    st.session_state[FLASH] = (conversation_id, error) if error else None


def _act(conversation_id: int, action: Callable[[Any, Any], object]) -> bool:
    """Run a core action for the acting user; keep its refusal to show in the thread."""
    actor = current_actor()
    if actor is None:
        return False
    try:
        with store() as session:
            action(session, actor)
    except UserFacingError as exc:
        _flash(conversation_id, exc)
        return False
    except PermissionDenied:
        _flash(conversation_id, UserFacingError("viewer.error.not_allowed"))
        return False
    except LookupError:
        _flash(conversation_id, UserFacingError("viewer.error.media_not_found"))
        return False
    _flash(conversation_id, None)
    return True


def composer_key(conversation_id: int) -> str:
    return f"viewer_composer_{conversation_id}"


def reply_to_key(conversation_id: int) -> str:
    return f"viewer_reply_to_{conversation_id}"


def _send(conversation_id: int) -> None:
    """The composer's text, or its files (the text then becomes the first file's caption)."""
    value = st.session_state.get(composer_key(conversation_id))
    text = getattr(value, "text", value) or ""
    files = list(getattr(value, "files", None) or [])
    quoted = st.session_state.get(reply_to_key(conversation_id)) or None

    def reply(session, actor) -> None:  # type: ignore[no-untyped-def]
        if not files:
            threads.reply_text(session, actor, conversation_id, text, reply_to_wa_id=quoted)
        for index, upload in enumerate(files):
            threads.reply_attachment(
                session,
                actor,
                conversation_id,
                content=upload.getvalue(),
                filename=upload.name,
                mime_type=upload.type or "application/octet-stream",
                caption=text if index == 0 else "",
                reply_to_wa_id=quoted,
            )

    sent = _act(conversation_id, reply)
    if sent:
        st.session_state[reply_to_key(conversation_id)] = NO_QUOTE


def _retry_message(conversation_id: int, message_id: int) -> None:
    _act(
        conversation_id,
        lambda session, actor: threads.retry_message(session, actor, message_id),
    )


def _retry_download(conversation_id: int, media_id: int) -> None:
    _act(conversation_id, lambda session, actor: media.retry(session, actor, media_id))


def _show_older() -> None:
    st.session_state[LIMIT] = st.session_state.get(LIMIT, MESSAGES_PER_STEP) + MESSAGES_PER_STEP


def _first_page() -> None:
    st.session_state[f"{LIST}_page"] = 1


def open_conversation(conversation_id: int) -> None:
    st.session_state[OPEN] = conversation_id
    st.session_state[LIMIT] = MESSAGES_PER_STEP
    st.session_state[FLASH] = None
    st.rerun()  # the whole page: the thread beside the list changes too


# --- one message -----------------------------------------------------------------------------


def render_text(text: str) -> None:
    if text:
        st.text(text)


def render_media(item: ThreadMessage, content: dict[str, Any]) -> None:
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
            on_click=_retry_download,
            args=(message.conversation_id, file.id),
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


def render_unsupported(message: Message) -> None:
    st.caption(f":material/help: {t('viewer.unsupported', type=plain(message.type))}")
    if message.error_title:
        st.caption(plain(message.error_title))
    render_text(message.text)


def render_body(item: ThreadMessage, content: dict[str, Any]) -> None:
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
        render_media(item, content)
    elif kind == "location":
        render_location(content)
    elif kind == "contacts":
        render_contacts(content)
    elif kind == "interactive":
        render_interactive(message, content)
    elif kind == "system":
        change = _dict(content.get("system"))
        body = message.text or change.get("body")
        st.caption(
            f":material/info: {plain(body)}"
            if body
            else t("viewer.system.changed", kind=plain(change.get("kind") or "?"))
        )
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


def render_message(item: ThreadMessage, can_reply: bool) -> None:
    message = item.message
    content = _dict(message.content)
    inbound = message.direction == "in"
    with st.chat_message(
        "customer" if inbound else "business",
        avatar=":material/person:" if inbound else ":material/support_agent:",
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
            render_body(item, content)
        except (AttributeError, KeyError, TypeError, ValueError):  # an unexpected content shape
            render_unsupported(message)
        if item.reactions:
            st.markdown(" ".join(plain(emoji) for emoji in item.reactions))
        render_footer(message, content)
        if message.direction == "out" and message.status == MessageStatus.FAILED:
            st.error(t("viewer.failed", reason=describe(message.error_code, message.error_title)))
            if can_reply:
                st.button(
                    t("viewer.retry"),
                    key=f"viewer_retry_{message.id}",
                    icon=":material/refresh:",
                    on_click=_retry_message,
                    args=(message.conversation_id, message.id),
                )


# --- the thread and the list -----------------------------------------------------------------


def render_composer(thread: Thread, can_reply: bool) -> None:
    conversation_id = thread.conversation.id
    if not can_reply:
        st.caption(f":material/visibility: {t('viewer.composer.read_only')}")
        return
    if not thread.window.is_open():
        st.info(t("viewer.composer.closed"), icon=":material/lock_clock:")
        render_template_sender(thread)
        return
    with st.expander(t("viewer.composer.template"), icon=":material/article:"):
        render_template_sender(thread)
    recent = [
        item.message
        for item in reversed(thread.messages)
        if item.message.direction == "in"
        and item.message.type != "system"
        and item.message.status != MessageStatus.DELETED
        and item.message.wa_message_id
        and not item.message.wa_message_id.startswith("noid:")
    ][:QUOTABLE]
    labels = {
        m.wa_message_id: f"{when(m.created_at)} · {(m.text or f'[{m.type}]')[:60]}" for m in recent
    }
    translate = fixed_language_t()
    st.selectbox(
        t("viewer.composer.reply_to"),
        [NO_QUOTE, *labels],
        format_func=lambda wa_id: labels.get(wa_id) or translate("viewer.composer.no_quote"),
        key=reply_to_key(conversation_id),
    )
    st.chat_input(
        t("viewer.composer.placeholder"),
        key=composer_key(conversation_id),
        max_chars=threads.MAX_TEXT_LENGTH,
        accept_file="multiple",
        on_submit=_send,
        args=(conversation_id,),
    )


def render_template_sender(thread: Thread) -> None:
    """An approved workspace template, filled and previewed; allowed in or out of the window."""
    actor = page_guard(Permission.REPLY_CONVERSATIONS)
    conversation_id = thread.conversation.id
    filled = template_form(actor, thread.channel.id, key=f"viewer_tpl_{conversation_id}")
    if filled is not None and st.button(
        t("viewer.composer.send_template"), key=f"viewer_tpl_send_{conversation_id}", type="primary"
    ):
        _act(
            conversation_id,
            lambda session, actor: templates.send_template(
                session, actor, conversation_id, filled.workspace.id, filled.values
            ),
        )


@st.fragment(run_every=REFRESH_SECONDS)
def thread_view(conversation_id: int) -> None:
    actor = page_guard(Permission.VIEW_CONVERSATIONS)
    try:
        with store() as session:
            thread = threads.get_thread(
                session,
                actor,
                conversation_id,
                limit=st.session_state.get(LIMIT, MESSAGES_PER_STEP),
            )
            if thread.conversation.unread_count:
                threads.mark_read(session, actor, conversation_id)
    except UserFacingError as exc:
        st.session_state.pop(OPEN, None)
        st.error(exc.message())
        return
    contact = thread.contact
    number = f"+{contact.wa_id}"
    st.subheader(plain(contact.profile_name or number))
    st.caption(f"{plain(number)} · {plain(thread.channel.name)} ({plain(thread.channel.number)})")
    st.markdown(window_badge(thread.window))
    can_reply = actor.can(Permission.REPLY_CONVERSATIONS)
    with st.container(height=560, autoscroll=True):
        if thread.has_older:
            st.button(t("viewer.older"), key="viewer_older", on_click=_show_older)
        for item in thread.messages:
            render_message(item, can_reply)
    flash = st.session_state.get(FLASH)
    if flash and flash[0] == conversation_id:
        st.error(flash[1].message())
    render_composer(thread, can_reply)


def render_row(row: ConversationRow, selected: bool) -> None:
    with st.container(border=True):
        badge = f" :red-badge[{t('viewer.unread', count=row.unread)}]" if row.unread else ""
        st.markdown(f"**{plain(row.contact_name)}**{badge}")
        number = f"+{row.wa_id}"
        details = [plain(number)] if number != row.contact_name else []
        details += [plain(row.channel_name), when(row.last_message_at)]
        st.caption(" · ".join(part for part in details if part))
        if row.preview:
            st.caption(plain(row.preview))
        st.markdown(window_badge(row.window))
        if st.button(
            t("viewer.open"),
            key=f"viewer_open_{row.id}",
            type="primary" if selected else "secondary",
            icon=":material/chat:",
        ):
            open_conversation(row.id)


@st.fragment(run_every=REFRESH_SECONDS)
def conversation_list(filters: ConversationFilter) -> None:
    actor = page_guard(Permission.VIEW_CONVERSATIONS)
    with store() as session:
        page = threads.list_conversations(
            session, actor, filters, page=current_page(LIST), page_size=LIST_PAGE_SIZE
        )
    if not page.items:
        st.info(t("viewer.empty"))
    for row in page.items:
        render_row(row, selected=row.id == st.session_state.get(OPEN))
    pager_controls(LIST, page.has_next)


def filter_controls() -> ConversationFilter:
    with store() as session:
        channels = list_channels(session, actor)
    names = {channel.id: f"{channel.name} ({channel.number})" for channel in channels}
    translate = fixed_language_t()
    search = st.text_input(
        t("viewer.search"),
        placeholder=t("viewer.search_placeholder"),
        key="viewer_search",
        on_change=_first_page,
    )
    channel_id = st.selectbox(
        t("viewer.channel"),
        [None, *names],
        format_func=lambda option: names.get(option) or translate("viewer.all_channels"),
        key="viewer_channel",
        on_change=_first_page,
    )
    unread_col, open_col = st.columns(2)
    unread_only = unread_col.toggle(
        t("viewer.unread_only"), key="viewer_unread", on_change=_first_page
    )
    open_only = open_col.toggle(t("viewer.open_only"), key="viewer_window", on_change=_first_page)
    return ConversationFilter(
        search=search, unread_only=unread_only, open_window_only=open_only, channel_id=channel_id
    )


actor = page_guard(Permission.VIEW_CONVERSATIONS)
st.title(t("viewer.title"))
list_column, thread_column = st.columns([2, 3], gap="large")
with list_column:
    chosen_filters = filter_controls()
with thread_column:  # drawn before the list so that opening a thread has cleared its unread count
    if st.session_state.get(OPEN) is None:
        st.info(t("viewer.pick"), icon=":material/forum:")
    else:
        thread_view(st.session_state[OPEN])
with list_column:
    conversation_list(chosen_filters)
