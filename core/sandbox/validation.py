"""Validation of send bodies, with the error codes Meta answers.

Meta distinguishes a malformed request (100 "Invalid parameter"), a missing parameter inside the
message object (131008) and a value outside its limits (131009)
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/). The limits are the
documented ones: text ≤ 4096, caption ≤ 1024
(https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages), reply buttons: body
≤ 1024, header/footer ≤ 60, 1–3 buttons with titles ≤ 20 and ids ≤ 256
(https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-reply-buttons-messages),
lists: body ≤ 4096, button ≤ 20, ≤ 10 sections and ≤ 10 rows, section/row title ≤ 24, row
description ≤ 72, row id ≤ 200
(https://developers.facebook.com/docs/whatsapp/cloud-api/messages/interactive-list-messages).

On-premise has the same message objects without ``messaging_product``; its "missing" errors all
map to 1008, so for that generation a missing top-level field is reported as 131008 too.
"""

from __future__ import annotations

import re
from typing import Any

from core.sandbox.errors import ApiError
from core.sandbox.state import Generation

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
MESSAGE_TYPES = (
    "text",
    *MEDIA_TYPES,
    "location",
    "contacts",
    "interactive",
    "reaction",
    "template",
)
INTERACTIVE_TYPES = (
    "button",
    "list",
    "cta_url",
    "flow",
    "product",
    "product_list",
    "catalog_message",
    "location_request_message",
)
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _missing(path: str) -> ApiError:
    return ApiError(131008, f"The parameter {path} is required.")


def _invalid(details: str) -> ApiError:
    return ApiError(131009, details)


def _object(parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        raise _missing(path)
    if not isinstance(value, dict):
        raise _invalid(f"Param {path} must be a JSON object.")
    return value


def _text(parent: dict[str, Any], key: str, path: str, limit: int, required: bool = True) -> str:
    value = parent.get(key)
    if value is None or value == "":
        if required:
            raise _missing(path)
        return ""
    if not isinstance(value, str):
        raise _invalid(f"Param {path} must be a string.")
    if len(value) > limit:
        raise _invalid(f"Param {path} must be at most {limit} characters long.")
    return value


def validate_message(body: Any, generation: Generation) -> dict[str, Any]:
    """Check a ``POST /messages`` (or ``/v1/messages``) body; return it when it is acceptable."""
    if not isinstance(body, dict):
        raise ApiError(100, "The request body must be a JSON object.")
    top_missing = _missing if generation == "onprem" else _top_missing
    if generation == "cloud":
        product = body.get("messaging_product")
        if product is None:
            raise top_missing("messaging_product")
        if product != "whatsapp":
            raise ApiError(
                100, f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".'
            )
    recipient_type = body.get("recipient_type", "individual")
    if recipient_type not in ("individual", "group"):
        raise ApiError(
            100,
            f'Param recipient_type must be one of {{INDIVIDUAL, GROUP}} - got "{recipient_type}".',
        )
    to = body.get("to")
    if not to:
        raise top_missing("to")
    if not isinstance(to, str) or not re.fullmatch(r"\+?[\d\s\-()]{5,20}", to):
        raise _invalid(f"Param to must be a valid phone number - got {to!r}.")
    kind = body.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise ApiError(100, f"Param type must be one of {{{', '.join(MESSAGE_TYPES).upper()}}}.")
    context = body.get("context")
    if context is not None and (not isinstance(context, dict) or not context.get("message_id")):
        raise _missing("context['message_id']")
    CHECKS[kind](body)
    return body


def _top_missing(name: str) -> ApiError:
    return ApiError(100, f"The parameter {name} is required.")


def _check_text(body: dict[str, Any]) -> None:
    text = _object(body, "text", "text")
    _text(text, "body", "text['body']", 4096)
    if "preview_url" in text and not isinstance(text["preview_url"], bool):
        raise _invalid("Param text['preview_url'] must be a boolean.")


def _check_media(body: dict[str, Any]) -> None:
    kind = body["type"]
    media = _object(body, kind, kind)
    has_id, has_link = bool(media.get("id")), bool(media.get("link"))
    if not has_id and not has_link:
        raise _missing(f"{kind}['id'] or {kind}['link']")
    if has_id and has_link:
        raise _invalid(f"Param {kind} must contain either id or link, not both.")
    if has_link and not URL.match(str(media["link"])):
        raise _invalid(f"Param {kind}['link'] must be a valid http(s) URL.")
    if "caption" in media:
        if kind in ("audio", "sticker"):
            raise _invalid(f"Param {kind}['caption'] is not allowed for {kind} messages.")
        _text(media, "caption", f"{kind}['caption']", 1024, required=False)
    if "filename" in media and kind != "document":
        raise _invalid(f"Param {kind}['filename'] is only allowed for documents.")


def _check_location(body: dict[str, Any]) -> None:
    location = _object(body, "location", "location")
    for axis, bound in (("latitude", 90), ("longitude", 180)):
        if location.get(axis) in (None, ""):
            raise _missing(f"location['{axis}']")
        try:
            value = float(location[axis])
        except (TypeError, ValueError):
            raise _invalid(f"Param location['{axis}'] must be a number.") from None
        if not -bound <= value <= bound:
            raise _invalid(f"Param location['{axis}'] is out of range.")


def _check_contacts(body: dict[str, Any]) -> None:
    contacts = body.get("contacts")
    if not contacts:
        raise _missing("contacts")
    if not isinstance(contacts, list) or len(contacts) > 257:
        raise _invalid("Param contacts must be a list of contact objects.")
    for index, contact in enumerate(contacts):
        if not isinstance(contact, dict):
            raise _invalid(f"Param contacts[{index}] must be a JSON object.")
        name = _object(contact, "name", f"contacts[{index}]['name']")
        _text(name, "formatted_name", f"contacts[{index}]['name']['formatted_name']", 1024)


def _check_reaction(body: dict[str, Any]) -> None:
    reaction = _object(body, "reaction", "reaction")
    _text(reaction, "message_id", "reaction['message_id']", 512)
    if "emoji" in reaction and not isinstance(reaction["emoji"], str):
        raise _invalid("Param reaction['emoji'] must be a string.")


def _check_template(body: dict[str, Any]) -> None:
    template = _object(body, "template", "template")
    _text(template, "name", "template['name']", 512)
    language = _object(template, "language", "template['language']")
    _text(language, "code", "template['language']['code']", 15)
    components = template.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise _invalid("Param template['components'] must be a list of objects.")
    for index, component in enumerate(components):
        if str(component.get("type", "")).lower() not in ("header", "body", "button", "footer"):
            raise _invalid(f"Param template['components'][{index}]['type'] is not valid.")
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise _invalid(f"Param template['components'][{index}]['parameters'] must be a list.")


def _check_interactive(body: dict[str, Any]) -> None:
    interactive = _object(body, "interactive", "interactive")
    kind = interactive.get("type")
    if not kind:
        raise _missing("interactive['type']")
    if kind not in INTERACTIVE_TYPES:
        raise _invalid(f"Param interactive['type'] must be one of {', '.join(INTERACTIVE_TYPES)}.")
    action = _object(interactive, "action", "interactive['action']")
    header = interactive.get("header")
    if isinstance(header, dict) and header.get("type") == "text":
        _text(header, "text", "interactive['header']['text']", 60)
    footer = interactive.get("footer")
    if isinstance(footer, dict):
        _text(footer, "text", "interactive['footer']['text']", 60)
    if kind == "button":
        body_object = _object(interactive, "body", "interactive['body']")
        _text(body_object, "text", "interactive['body']['text']", 1024)
        _check_buttons(action)
    elif kind == "list":
        body_object = _object(interactive, "body", "interactive['body']")
        _text(body_object, "text", "interactive['body']['text']", 4096)
        _check_list(action)


def _check_buttons(action: dict[str, Any]) -> None:
    buttons = action.get("buttons")
    if not buttons:
        raise _missing("interactive['action']['buttons']")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise _invalid("Param interactive['action']['buttons'] must have between 1 and 3 items.")
    ids, titles = set(), set()
    for index, button in enumerate(buttons):
        path = f"interactive['action']['buttons'][{index}]"
        if not isinstance(button, dict) or button.get("type") != "reply":
            raise _invalid(f"Param {path}['type'] must be 'reply'.")
        reply = _object(button, "reply", f"{path}['reply']")
        button_id = _text(reply, "id", f"{path}['reply']['id']", 256)
        title = _text(reply, "title", f"{path}['reply']['title']", 20)
        if button_id in ids or title in titles:
            raise _invalid("Buttons must have unique ids and titles.")
        ids.add(button_id)
        titles.add(title)


def _check_list(action: dict[str, Any]) -> None:
    _text(action, "button", "interactive['action']['button']", 20)
    sections = action.get("sections")
    if not sections:
        raise _missing("interactive['action']['sections']")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        raise _invalid("Param interactive['action']['sections'] must have between 1 and 10 items.")
    row_ids: set[str] = set()
    for s_index, section in enumerate(sections):
        path = f"interactive['action']['sections'][{s_index}]"
        if not isinstance(section, dict):
            raise _invalid(f"Param {path} must be a JSON object.")
        _text(section, "title", f"{path}['title']", 24, required=len(sections) > 1)
        rows = section.get("rows")
        if not rows or not isinstance(rows, list):
            raise _missing(f"{path}['rows']")
        for r_index, row in enumerate(rows):
            row_path = f"{path}['rows'][{r_index}]"
            if not isinstance(row, dict):
                raise _invalid(f"Param {row_path} must be a JSON object.")
            row_id = _text(row, "id", f"{row_path}['id']", 200)
            _text(row, "title", f"{row_path}['title']", 24)
            _text(row, "description", f"{row_path}['description']", 72, required=False)
            if row_id in row_ids:
                raise _invalid("Rows must have unique ids.")
            row_ids.add(row_id)
    if len(row_ids) > 10:
        raise _invalid("A list message can have at most 10 rows in total.")


CHECKS = {
    "text": _check_text,
    **dict.fromkeys(MEDIA_TYPES, _check_media),
    "location": _check_location,
    "contacts": _check_contacts,
    "interactive": _check_interactive,
    "reaction": _check_reaction,
    "template": _check_template,
}
