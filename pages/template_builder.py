"""Template builder: compose a template visually, see it as WhatsApp will, submit it for approval.

The form is plain widgets (no ``st.form``) so every change reruns the page: the variables found in
the text get their example inputs, the preview and the rule check follow at once. The page only
assembles the body 360Dialog takes (seed point 12) from the widgets; ``core.templates.library`` validates,
keeps drafts and submits. Users' words go into the preview escaped (``html.escape``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.access import settings as app_settings
from core.access.auth import Permission
from core.channels.registry import list_channels
from core.errors import UserFacingError
from core.i18n import t
from core.templates import library as templates
from core.templates.rules import (
    CATEGORIES,
    LANGUAGES,
    Limits,
    Preview,
    examples_of,
    is_named,
    render_preview,
    template_variables,
)
from pages.common import current_actor, fixed_language_t, page_guard, show_flash, store

TYPES = ("standard", "media")
HEADER_FORMATS = ("NONE", "TEXT", "IMAGE", "DOCUMENT", "VIDEO")
MEDIA_FILE_TYPES = {
    "IMAGE": ["jpg", "jpeg", "png"],
    "DOCUMENT": ["pdf"],
    "VIDEO": ["mp4", "3gp"],
}
FLASH = "tb_flash"
DEFAULTS: dict[str, Any] = {
    "tb_name": "",
    "tb_category": "MARKETING",
    "tb_language": "es",
    "tb_type": "standard",
    "tb_header_format": "NONE",
    "tb_header_text": "",
    "tb_body": "",
    "tb_footer": "",
    "tb_url_on": False,
    "tb_url_text": "",
    "tb_url": "",
    "tb_url_example": "",
    "tb_phone_on": False,
    "tb_phone_text": "",
    "tb_phone_number": "",
}
NOT_WIDGETS = {
    "tb_qr_count": 0,
    "tb_header_handle": None,
    "tb_header_upload": None,
    "tb_header_upload_error": None,
}


# --- the form's values <-> the body 360Dialog takes --------------------------------------------


def _variables(kind: str, text: str) -> list[str]:
    """Variables of a header or body text, in the order their examples are given."""
    component = {"type": kind, "text": text}
    if kind == "HEADER":
        component["format"] = "TEXT"
    found = template_variables({"components": [component]})
    return found.header if kind == "HEADER" else found.body


def _example(part: str, names: list[str], values: list[str], named: bool) -> dict[str, Any]:
    if named:
        return {
            f"{part}_text_named_params": [
                {"param_name": name, "example": value}
                for name, value in zip(names, values, strict=True)
            ]
        }
    return {f"{part}_text": [values] if part == "body" else values}


def body_from_form(state: Mapping[str, Any], *, for_preview: bool = False) -> dict[str, Any]:
    """The template body as the widgets describe it (nothing checked here: core validates).

    ``for_preview`` keeps a variable without an example as ``{{1}}`` in the bubble instead of
    filling it with nothing."""

    def sample(part: str, name: str) -> str:
        value = state.get(f"tb_{part}_ex_{name}", "")
        return value or ("{{" + name + "}}" if for_preview else "")

    media = state.get("tb_type") == "media"
    components: list[dict[str, Any]] = []
    header_format = state.get("tb_header_format", "NONE") if media else "NONE"
    body_text = state.get("tb_body", "")
    header_text = state.get("tb_header_text", "") if header_format == "TEXT" else ""
    names = {"header": _variables("HEADER", header_text), "body": _variables("BODY", body_text)}
    named = is_named(
        {
            "components": [
                {"type": "HEADER", "text": header_text},
                {"type": "BODY", "text": body_text},
            ]
        }
    )
    if header_format == "TEXT":
        header: dict[str, Any] = {"type": "HEADER", "format": "TEXT", "text": header_text}
        if names["header"]:
            values = [sample("header", name) for name in names["header"]]
            header["example"] = _example("header", names["header"], values, named)
        components.append(header)
    elif header_format != "NONE":
        header = {"type": "HEADER", "format": header_format}
        if state.get("tb_header_handle"):
            header["example"] = {"header_handle": [state["tb_header_handle"]]}
        components.append(header)
    body: dict[str, Any] = {"type": "BODY", "text": body_text}
    if names["body"]:
        values = [sample("body", name) for name in names["body"]]
        body["example"] = _example("body", names["body"], values, named)
    components.append(body)
    if media and state.get("tb_footer", "").strip():
        components.append({"type": "FOOTER", "text": state["tb_footer"]})
    buttons: list[dict[str, Any]] = []
    if media:
        for index in range(state.get("tb_qr_count", 0)):
            buttons.append({"type": "QUICK_REPLY", "text": state.get(f"tb_qr_{index}", "")})
        if state.get("tb_url_on"):
            url = state.get("tb_url", "")
            button: dict[str, Any] = {
                "type": "URL",
                "text": state.get("tb_url_text", ""),
                "url": url,
            }
            if "{{" in url:
                button["example"] = [state.get("tb_url_example", "")]
            buttons.append(button)
        if state.get("tb_phone_on"):
            buttons.append(
                {
                    "type": "PHONE_NUMBER",
                    "text": state.get("tb_phone_text", ""),
                    "phone_number": state.get("tb_phone_number", ""),
                }
            )
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})
    template: dict[str, Any] = {
        "name": state.get("tb_name", "").strip(),
        "category": state.get("tb_category", ""),
        "language": state.get("tb_language", ""),
        "components": components,
    }
    if named:
        template["parameter_format"] = "NAMED"
    return template


def form_from_body(body: Mapping[str, Any]) -> dict[str, Any]:
    """The widget values that show ``body`` (a draft being loaded) in the form."""
    values: dict[str, Any] = {**DEFAULTS, **NOT_WIDGETS}
    values["tb_name"] = str(body.get("name") or "")
    category = str(body.get("category") or "")
    values["tb_category"] = category if category in CATEGORIES else CATEGORIES[0]
    language = str(body.get("language") or "")
    values["tb_language"] = language if language in LANGUAGES else DEFAULTS["tb_language"]
    components = [c for c in body.get("components") or [] if isinstance(c, Mapping)]
    by_kind = {str(c.get("type") or "").upper(): c for c in components}
    values["tb_type"] = "media" if set(by_kind) - {"BODY"} else "standard"
    body_part = by_kind.get("BODY", {})
    values["tb_body"] = str(body_part.get("text") or "")
    for name, sample in examples_of(body_part, "body").items():
        values[f"tb_body_ex_{name}"] = sample
    header = by_kind.get("HEADER")
    if header is not None:
        header_format = str(header.get("format") or "TEXT").upper()
        values["tb_header_format"] = header_format if header_format in HEADER_FORMATS else "NONE"
        if header_format == "TEXT":
            values["tb_header_text"] = str(header.get("text") or "")
            for name, sample in examples_of(header, "header").items():
                values[f"tb_header_ex_{name}"] = sample
        else:
            example = header.get("example")
            handles = example.get("header_handle") if isinstance(example, Mapping) else None
            values["tb_header_handle"] = (
                handles[0] if isinstance(handles, list) and handles else None
            )
    if "FOOTER" in by_kind:
        values["tb_footer"] = str(by_kind["FOOTER"].get("text") or "")
    buttons = by_kind.get("BUTTONS", {}).get("buttons") or []
    quick_replies = 0
    for button in buttons:
        kind = str(button.get("type") or "").upper()
        if kind == "QUICK_REPLY":
            values[f"tb_qr_{quick_replies}"] = str(button.get("text") or "")
            quick_replies += 1
        elif kind == "URL" and not values["tb_url_on"]:
            example = button.get("example")
            sample = example[0] if isinstance(example, list) and example else example
            values.update(
                tb_url_on=True,
                tb_url_text=str(button.get("text") or ""),
                tb_url=str(button.get("url") or ""),
                tb_url_example=str(sample or ""),
            )
        elif kind == "PHONE_NUMBER" and not values["tb_phone_on"]:
            values.update(
                tb_phone_on=True,
                tb_phone_text=str(button.get("text") or ""),
                tb_phone_number=str(button.get("phone_number") or ""),
            )
    values["tb_qr_count"] = quick_replies
    return values


# --- the preview: a WhatsApp bubble ------------------------------------------------------------

_BOLD = re.compile(r"\*([^*\n]+)\*")
_ITALIC = re.compile(r"(?<![\w])_([^_\n]+)_(?![\w])")
_STRIKE = re.compile(r"~([^~\n]+)~")
MEDIA_ICONS = {"IMAGE": "🖼️", "DOCUMENT": "📄", "VIDEO": "🎬", "LOCATION": "📍", "GIF": "🎞️"}
BUTTON_ICONS = {"QUICK_REPLY": "↩", "URL": "↗", "PHONE_NUMBER": "📞"}


def whatsapp_text(text: str) -> str:
    """Escaped text with WhatsApp's *bold*, _italic_ and ~strike~ and its line breaks."""
    escaped = html.escape(text)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    return escaped.replace("\n", "<br>")


def bubble_html(preview: Preview, media_label: str, empty_label: str) -> str:
    parts = []
    if preview.header_format and preview.header_format != "TEXT":
        icon = MEDIA_ICONS.get(preview.header_format, "📎")
        parts.append(
            '<div style="background:#cfd8dc;border-radius:6px;height:120px;display:flex;'
            "align-items:center;justify-content:center;font-size:15px;color:#455a64;"
            f'margin-bottom:6px">{icon}&nbsp;{html.escape(media_label)}</div>'
        )
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
        '<div style="background:#ffffff;border-radius:8px;margin-top:3px;padding:8px;'
        'text-align:center;color:#027eb5;font-weight:500" '
        f'title="{html.escape(button.target or "")}">'
        f"{BUTTON_ICONS.get(button.kind, '')}&nbsp;{html.escape(button.text)}</div>"
        for button in preview.buttons
    )
    return (
        '<div class="template-preview" style="background:#efeae2;padding:16px;border-radius:10px;'
        'font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14.2px;color:#111b21">'
        '<div style="max-width:330px">'
        '<div style="background:#ffffff;border-radius:0 8px 8px 8px;padding:6px 8px 4px;'
        'box-shadow:0 1px 0.5px rgba(11,20,26,.13)">'
        f"{''.join(parts)}</div>{buttons}</div></div>"
    )


# --- actions -----------------------------------------------------------------------------------


def _reset_form() -> None:
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(("tb_header_ex_", "tb_body_ex_", "tb_qr_")):
            del st.session_state[key]
    for key, value in {**DEFAULTS, **NOT_WIDGETS}.items():
        st.session_state[key] = value


def _load_draft() -> None:
    actor = current_actor()
    draft_id = st.session_state.get("tb_draft")
    if actor is None or draft_id is None:
        return
    try:
        with store() as session:
            draft = templates.get_template(session, actor, draft_id)
            body = templates.as_body(draft)
    except UserFacingError as exc:
        st.session_state[FLASH] = exc
        return
    _reset_form()
    st.session_state.update(form_from_body(body))
    st.session_state[FLASH] = ("template_pages.builder.loaded", {"name": draft.name})


def _add_quick_reply() -> None:
    count = st.session_state.get("tb_qr_count", 0)
    st.session_state[f"tb_qr_{count}"] = ""
    st.session_state["tb_qr_count"] = count + 1


def _remove_quick_reply(index: int) -> None:
    count = st.session_state.get("tb_qr_count", 0)
    for later in range(index, count - 1):
        st.session_state[f"tb_qr_{later}"] = st.session_state.get(f"tb_qr_{later + 1}", "")
    st.session_state.pop(f"tb_qr_{count - 1}", None)
    st.session_state["tb_qr_count"] = max(0, count - 1)


def _switch_limits() -> None:
    actor = current_actor()
    if actor is None:
        return
    choice = "meta" if st.session_state.get("tb_meta_limits") else "seed"
    with store() as session:
        app_settings.put(session, actor, app_settings.TEMPLATE_LIMITS, choice)


def _upload_header_example(channel_id: int, header_format: str) -> None:
    """Upload the chosen sample file once; its media id is the template's ``header_handle``.

    A refused upload is not retried at every rerun: choosing the file again retries it."""
    upload = st.session_state.get("tb_header_file")
    if upload is None:
        return
    marker = (upload.file_id, header_format, channel_id)
    if st.session_state.get("tb_header_upload") != marker:
        actor = current_actor()
        if actor is None:
            return
        st.session_state["tb_header_upload"] = marker
        st.session_state["tb_header_upload_error"] = None
        try:
            with store() as session:
                uploaded = templates.upload_header_media(
                    session,
                    actor,
                    channel_id,
                    upload.getvalue(),
                    upload.name,
                    upload.type or "application/octet-stream",
                )
        except UserFacingError as exc:
            st.session_state["tb_header_upload_error"] = exc
            st.session_state["tb_header_handle"] = None
        else:
            st.session_state["tb_header_handle"] = uploaded.id
    failure = st.session_state.get("tb_header_upload_error")
    if failure is not None:
        st.error(failure.message(), icon=":material/error:")


# --- the page ----------------------------------------------------------------------------------


def limits_line(limits: Limits) -> str:
    return t(
        f"template_pages.limits.{limits.name}",
        quick_replies=limits.quick_replies,
        urls=limits.url_buttons,
        phones=limits.phone_buttons,
    )


def language_label(code: str) -> str:
    return f"{code} — {LANGUAGES.get(code, code)}"


actor = page_guard(Permission.EDIT_TEMPLATES)
translate = fixed_language_t()
for state_key, default in {**DEFAULTS, **NOT_WIDGETS}.items():
    st.session_state.setdefault(state_key, default)
st.title(t("template_pages.builder.title"))
st.caption(t("template_pages.builder.intro"))

with store() as session:
    channels = list_channels(session, actor)
    limits = templates.active_limits(session)
if not channels:
    st.info(t("template_pages.no_channels"))
    st.stop()
channel_names = {channel.id: f"{channel.name} ({channel.number})" for channel in channels}
if st.session_state.get("tb_channel") not in channel_names:
    st.session_state["tb_channel"] = next(iter(channel_names))

show_flash(st.session_state.pop(FLASH, None))

with st.container(border=True):
    limits_column, toggle_column = st.columns([3, 2])
    limits_column.markdown(limits_line(limits))
    if actor.can(Permission.MANAGE_CHANNELS):
        toggle_column.toggle(
            t("template_pages.limits.use_meta"),
            value=limits.name == "meta",
            key="tb_meta_limits",
            on_change=_switch_limits,
            help=t("template_pages.limits.help"),
        )

channel_id = st.selectbox(
    t("template_pages.channel"),
    list(channel_names),
    format_func=channel_names.__getitem__,
    key="tb_channel",
)

with st.expander(t("template_pages.builder.drafts"), expanded=False):
    with store() as session:
        drafts = templates.list_templates(
            session,
            actor,
            templates.TemplateFilter(channel_id=channel_id, status=templates.DRAFT),
            sort="name",
            page_size=500,
        ).items
    if not drafts:
        st.caption(t("template_pages.builder.no_drafts"))
    else:
        draft_names = {draft.id: f"{draft.name} ({draft.language})" for draft in drafts}
        st.selectbox(
            t("template_pages.builder.draft"),
            list(draft_names),
            format_func=lambda draft_id: draft_names.get(draft_id, str(draft_id)),
            key="tb_draft",
        )
        st.button(t("template_pages.builder.load"), key="tb_load", on_click=_load_draft)
    st.button(t("template_pages.builder.new"), key="tb_new", on_click=_reset_form)

form_column, preview_column = st.columns([3, 2], gap="large")
with form_column:
    st.text_input(
        t("template_pages.builder.name"),
        key="tb_name",
        placeholder="summer_offer_2",
        help=t("template_pages.builder.name_help"),
    )
    category_column, language_column = st.columns(2)
    category_column.selectbox(
        t("template_pages.category"),
        list(CATEGORIES),
        format_func=lambda code: translate(f"template_pages.category.{code}"),
        key="tb_category",
    )
    language_column.selectbox(
        t("template_pages.language"),
        list(LANGUAGES),
        format_func=language_label,
        key="tb_language",
        help=t("template_pages.language_help"),
    )
    template_type = st.radio(
        t("template_pages.builder.type"),
        TYPES,
        format_func=lambda kind: translate(f"template_pages.builder.type.{kind}"),
        key="tb_type",
        horizontal=True,
    )
    is_media = template_type == "media"

    if is_media:
        st.subheader(t("template_pages.builder.header"))
        header_format = st.radio(
            t("template_pages.builder.header_format"),
            HEADER_FORMATS,
            format_func=lambda code: translate(f"template_pages.builder.header.{code}"),
            key="tb_header_format",
            horizontal=True,
        )
        if header_format == "TEXT":
            st.text_input(
                t("template_pages.builder.header_text"),
                key="tb_header_text",
                max_chars=limits.header_text_length,
                help=t("template_pages.builder.header_text_help"),
            )
            for name in _variables("HEADER", st.session_state.get("tb_header_text", "")):
                st.text_input(
                    t("template_pages.builder.example_for", variable="{{" + name + "}}"),
                    key=f"tb_header_ex_{name}",
                )
        elif header_format != "NONE":
            st.file_uploader(
                t("template_pages.builder.header_file"),
                type=MEDIA_FILE_TYPES.get(header_format),
                key="tb_header_file",
                help=t("template_pages.builder.header_file_help"),
            )
            _upload_header_example(channel_id, header_format)
            if st.session_state.get("tb_header_handle"):
                st.caption(f":material/check_circle: {t('template_pages.builder.header_ready')}")

    st.subheader(t("template_pages.builder.body"))
    st.text_area(
        t("template_pages.builder.body_text"),
        key="tb_body",
        height=140,
        help=t("template_pages.builder.body_help"),
        placeholder=t("template_pages.builder.body_placeholder"),
    )
    body_variables = _variables("BODY", st.session_state.get("tb_body", ""))
    if body_variables:
        st.caption(t("template_pages.builder.examples_intro"))
        example_columns = st.columns(min(len(body_variables), 3))
        for position, name in enumerate(body_variables):
            example_columns[position % len(example_columns)].text_input(
                t("template_pages.builder.example_for", variable="{{" + name + "}}"),
                key=f"tb_body_ex_{name}",
            )

    if is_media:
        st.subheader(t("template_pages.builder.footer"))
        st.text_input(
            t("template_pages.builder.footer_text"),
            key="tb_footer",
            max_chars=limits.footer_length,
        )
        st.subheader(t("template_pages.builder.buttons"))
        st.markdown(f"**{t('template_pages.builder.quick_replies', limit=limits.quick_replies)}**")
        count = st.session_state.get("tb_qr_count", 0)
        for index in range(count):
            text_column, remove_column = st.columns([5, 1], vertical_alignment="bottom")
            text_column.text_input(
                t("template_pages.builder.quick_reply", number=index + 1),
                key=f"tb_qr_{index}",
                max_chars=limits.button_text_length,
            )
            remove_column.button(
                t("template_pages.builder.remove"),
                key=f"tb_qr_remove_{index}",
                on_click=_remove_quick_reply,
                args=(index,),
            )
        st.button(
            t("template_pages.builder.add_quick_reply"),
            key="tb_qr_add",
            icon=":material/add:",
            on_click=_add_quick_reply,
            disabled=count >= limits.quick_replies,
        )
        st.markdown(f"**{t('template_pages.builder.call_to_action')}**")
        if st.toggle(t("template_pages.builder.url_button"), key="tb_url_on"):
            url_text, url_address = st.columns(2)
            url_text.text_input(
                t("template_pages.builder.button_text"),
                key="tb_url_text",
                max_chars=limits.button_text_length,
            )
            url_address.text_input(
                t("template_pages.builder.url"),
                key="tb_url",
                placeholder="https://shop.example.com/order/{{1}}",
                help=t("template_pages.builder.url_help"),
            )
            if "{{" in st.session_state.get("tb_url", ""):
                st.text_input(
                    t("template_pages.builder.url_example"),
                    key="tb_url_example",
                    placeholder="https://shop.example.com/order/A-12",
                )
        if st.toggle(t("template_pages.builder.phone_button"), key="tb_phone_on"):
            phone_text, phone_number = st.columns(2)
            phone_text.text_input(
                t("template_pages.builder.button_text"),
                key="tb_phone_text",
                max_chars=limits.button_text_length,
            )
            phone_number.text_input(
                t("template_pages.builder.phone_number"),
                key="tb_phone_number",
                placeholder="+34612345678",
            )

template = body_from_form(st.session_state)
with store() as session:
    violations = templates.validate(session, template)

with preview_column:
    st.subheader(t("template_pages.builder.preview"))
    preview = render_preview(body_from_form(st.session_state, for_preview=True)["components"])
    media_label = (
        translate(f"template_pages.builder.header.{preview.header_format}")
        if preview.header_format and preview.header_format != "TEXT"
        else ""
    )
    st.html(bubble_html(preview, media_label, t("template_pages.builder.preview_empty")))
    st.caption(t("template_pages.builder.preview_help"))

st.subheader(t("template_pages.builder.check"))
if violations:
    st.caption(t("template_pages.builder.violations", count=len(violations)))
    for violation in violations:
        st.error(violation.message(), icon=":material/rule:")
else:
    st.success(t("template_pages.builder.valid"), icon=":material/task_alt:")

save_column, submit_column = st.columns(2)
save = save_column.button(
    t("template_pages.builder.save_draft"),
    key="tb_save",
    icon=":material/save:",
    disabled=not template["name"],
    help=t("template_pages.builder.save_help"),
)
submit = submit_column.button(
    t("template_pages.builder.submit"),
    key="tb_submit",
    type="primary",
    icon=":material/send:",
    disabled=bool(violations),
    help=t("template_pages.builder.submit_blocked") if violations else None,
)
if save:
    try:
        with store() as session:
            templates.save_draft(session, actor, channel_id, template)
    except UserFacingError as exc:
        st.error(exc.message())
    else:
        st.success(t("template_pages.builder.saved", name=template["name"]))
if submit and not violations:
    try:
        with store() as session:
            submitted = templates.submit_template(session, actor, channel_id, template)
            status = submitted.status
    except UserFacingError as exc:
        st.error(exc.message())
    else:
        st.success(
            t(
                "template_pages.builder.submitted",
                name=template["name"],
                status=translate(f"template_pages.state.{status}"),
            ),
            icon=":material/check_circle:",
        )
