"""What each API endpoint does, as plain functions over a session: the core functions the pages
and the CLI call, with the token's actor. No sending rule lives here: the 24-hour window, the
template checks, opt-outs and the outbox are core's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session

from core.api.errors import ApiError, bad_request
from core.api.tokens import TokenHolder
from core.campaigns import audience, runner
from core.conversations import feed
from core.conversations.replies import TextReply, reply_texts
from core.conversations.window import window_of
from core.errors import UserFacingError
from core.hooks import subscriptions
from core.models import Message
from core.outbox.queue import Queued, queued_under
from core.paging import CursorPage
from core.templates import library
from core.templates.sending import send_template_to_number, upload_header_media
from core.templates.values import MediaParam, TemplateValues


@dataclass(frozen=True)
class Call:
    """One request as the actions read it."""

    holder: TokenHolder
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None
    body: bytes = b""
    content_type: str = ""
    idempotency_key: str | None = None

    @property
    def actor(self):  # type: ignore[no-untyped-def]
        return self.holder.actor

    def field(self, name: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
        data = self.json if isinstance(self.json, dict) else {}
        value = data.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            raise bad_request(f"'{name}' is missing or has the wrong type")
        return value

    @property
    def limit(self) -> int:
        try:
            return int(self.query.get("limit", "50"))
        except ValueError as exc:
            raise bad_request("'limit' must be a whole number") from exc


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


def message_json(message: Message) -> dict[str, Any]:
    error = (
        {"code": message.error_code, "title": message.error_title}
        if message.error_code or message.error_title
        else None
    )
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "type": message.type,
        "text": message.text,
        "status": message.status,
        "wamid": message.wa_message_id,
        "error": error,
        "created_at": _iso(message.created_at),
    }


def _job_key(call: Call) -> str | None:
    """The outbox's idempotency key for a request's ``Idempotency-Key``: per token, so two
    clients choosing the same key never see each other's message."""
    if not call.idempotency_key:
        return None
    digest = hashlib.sha256(call.idempotency_key.encode()).hexdigest()[:40]
    return f"api:{call.holder.token_id}:{digest}"


Answer = tuple[int, dict[str, Any]]


def _accepted(queued: Queued) -> Answer:
    return 202, {"id": queued.message_id, "status": queued.status}


def already_sent(session: Session, call: Call) -> Answer | None:
    """The answer to a retried request: the message it queued already (same token, same
    ``Idempotency-Key``), whatever its body says now."""
    key = _job_key(call)
    queued = queued_under(session, [key]).get(key) if key else None
    return None if queued is None else _accepted(queued)


def sends_text(call: Call) -> bool:
    """A ``POST /messages`` without a template: a text, written together with the other texts
    of its batch (:func:`send_texts`)."""
    return not isinstance(call.json, dict) or call.json.get("template") is None


def send_message(session: Session, call: Call) -> Answer:
    """``POST /messages``: a text inside the window, or an approved template."""
    if sends_text(call):
        [answer] = send_texts(session, [call])
        if isinstance(answer, Exception):
            raise answer
        return answer
    existing = already_sent(session, call)
    if existing is not None:
        return existing
    channel_id, to, _, template = _send_fields(call)
    assert template is not None
    if not isinstance(template.get("name"), str) or not isinstance(template.get("language"), str):
        raise bad_request("'template' needs 'name' and 'language'")
    message = send_template_to_number(
        session,
        call.actor,
        channel_id,
        to,
        template["name"],
        template["language"],
        template_values(template),
        idempotency_key=_job_key(call),
    )
    return 202, {"id": message.id, "status": message.status}


def send_texts(session: Session, calls: list[Call]) -> list[Answer | Exception]:
    """Text sends, many at once (``core.api.batching``): each answered as alone, the queueing
    set-wise (``core.conversations.replies``). A retried request gets the message its key
    queued before anything else is looked at, as a template send does."""
    keys = [_job_key(call) for call in calls]
    taken = queued_under(session, [key for key in keys if key])
    answers: dict[int, Answer | Exception] = {}
    texts: list[tuple[int, int, str, str]] = []  # request, channel, number, text
    for index, (call, key) in enumerate(zip(calls, keys, strict=True)):
        try:
            if key in taken:
                answers[index] = _accepted(taken[key])
            else:
                channel_id, to, text, _ = _send_fields(call)
                assert text is not None
                texts.append((index, channel_id, to, text))
        except ApiError as refusal:
            answers[index] = refusal
    replies: dict[int, TextReply] = {}
    for (index, _, _, text), thread in zip(texts, _threads(session, texts), strict=True):
        if isinstance(thread, UserFacingError):
            answers[index] = thread
        else:
            replies[index] = TextReply(
                calls[index].actor, thread, text, idempotency_key=keys[index]
            )
    for index, outcome in zip(replies, reply_texts(session, list(replies.values())), strict=True):
        answers[index] = _accepted(outcome) if isinstance(outcome, Queued) else outcome
    return [answers[index] for index in range(len(calls))]


def _threads(
    session: Session, texts: list[tuple[int, int, str, str]]
) -> list[int | UserFacingError]:
    """Each text's conversation (or the refusal), the numbers of a channel looked up at once."""
    numbers: dict[int, list[str]] = {}
    for _, channel_id, to, _ in texts:
        numbers.setdefault(channel_id, []).append(to)
    found = {
        channel_id: feed.conversations_with(session, channel_id, wanted)
        for channel_id, wanted in numbers.items()
    }
    return [found[channel_id][to] for _, channel_id, to, _ in texts]


@dataclass(frozen=True)
class SetWise:
    """An endpoint's requests that are written together (``core.api.batching``): those
    ``takes`` says, by ``write_many``; the endpoint's action writes the others one by one."""

    takes: Callable[[Call], bool]
    write_many: Callable[[Session, list[Call]], list[Answer | Exception]]


TEXT_SENDS = SetWise(sends_text, send_texts)


def _send_fields(call: Call) -> tuple[int, str, str | None, dict[str, Any] | None]:
    """A send's channel, number, and either its text or its template."""
    channel_id = call.field("channel_id", int)
    to = call.field("to", str)
    text = call.field("text", str, required=False)
    template = call.field("template", dict, required=False)
    if (text is None) == (template is None):
        raise bad_request("give either 'text' or 'template'")
    return channel_id, to, text, template


def template_values(template: dict[str, Any]) -> TemplateValues:
    """The values of a template send, as the API takes them: ``body`` and text ``header`` as
    lists (or mappings for named variables), ``buttons`` by index, a media ``header`` as
    ``{"type": "image", "link": URL}`` or ``{"type": ..., "id": MEDIA_ID}`` (``POST /media``)."""
    header = template.get("header")
    media = None
    if isinstance(header, dict) and "type" in header:
        kind = header.get("type")
        if kind not in {"image", "video", "document"} or not (
            header.get("link") or header.get("id")
        ):
            raise bad_request(
                'a media \'header\' is {"type": image|video|document, "link" or "id"}'
            )
        media = MediaParam(
            kind=kind, id=header.get("id"), link=header.get("link"), filename=header.get("filename")
        )
        header = None
    buttons = template.get("buttons") or {}
    if isinstance(buttons, list):
        buttons = dict(enumerate(buttons))
    try:
        buttons = {int(index): value for index, value in buttons.items()}
    except (AttributeError, ValueError) as exc:
        raise bad_request("'buttons' is a list, or an object by button index") from exc
    return TemplateValues(
        header=header or [], body=template.get("body") or [], buttons=buttons, header_media=media
    )


def upload_media(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    """``POST /media?channel_id=&filename=``: a header file uploaded to 360Dialog; its id."""
    try:
        channel_id = int(call.query["channel_id"])
    except (KeyError, ValueError) as exc:
        raise bad_request("'channel_id' is required in the query") from exc
    if not call.body:
        raise bad_request("the request's body is the file")
    media = upload_header_media(
        session,
        call.actor,
        channel_id,
        call.body,
        call.query.get("filename", "file"),
        call.content_type or "application/octet-stream",
    )
    return 201, {"id": media.id, "type": media.kind}


def get_message(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    return 200, message_json(feed.message(session, call.actor, call.path["id"]))


def _page(page: CursorPage[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "next_cursor": page.next_cursor}


def list_conversations(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    page = feed.conversations(session, call.actor, call.query.get("cursor"), call.limit)
    items = [
        {
            "id": conversation.id,
            "channel_id": conversation.channel_id,
            "wa_id": contact.wa_id,
            "name": contact.profile_name,
            "last_message_at": _iso(conversation.last_message_at),
            "preview": conversation.last_message_preview,
            "unread": conversation.unread_count,
            "window_closes_at": _iso(window_of(conversation).closes_at),
        }
        for conversation, contact in page.items
    ]
    return 200, _page(page, items)


def list_messages(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    page = feed.messages(session, call.actor, call.path["id"], call.query.get("cursor"), call.limit)
    return 200, _page(page, [message_json(message) for message in page.items])


def list_templates(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    """Templates with their status; ``cursor`` is the next page's number, handed out opaque."""
    try:
        page_number = int(call.query.get("cursor") or 1)
    except ValueError as exc:
        raise ApiError(400, "invalid_cursor", "This cursor was not given by this API.") from exc
    channel = call.query.get("channel_id")
    page = library.list_templates(
        session,
        call.actor,
        library.TemplateFilter(channel_id=int(channel) if channel and channel.isdigit() else None),
        sort="name",
        page=page_number,
        page_size=call.limit,
    )
    items = [
        {**library.template_record(template), "components": template.components}
        for template in page.items
    ]
    return 200, {"items": items, "next_cursor": str(page_number + 1) if page.has_next else None}


def create_campaign(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    """``POST /campaigns``: a workspace template to a JSON audience, started now or at
    ``start_at``; each recipient ``{"number", "name"?, "header"?, "body"?, "buttons"?}``."""
    import pandas as pd  # as in core.campaigns.audience: loaded only where audiences are read

    name = call.field("name", str)
    workspace_template_id = call.field("workspace_template_id", int)
    people = call.field("audience", list)
    if not people or not all(isinstance(person, dict) for person in people):
        raise bad_request("'audience' is a list of objects with a 'number'")
    if len(people) > audience.MAX_AUDIENCE:
        raise bad_request(f"an audience has at most {audience.MAX_AUDIENCE} recipients")
    rows, mapping = _audience_rows(people)
    planned = audience.plan(
        session, call.actor, workspace_template_id, pd.DataFrame(rows, dtype=str), mapping
    )
    start_at = call.field("start_at", str, required=False)
    campaign = runner.create(
        session,
        call.actor,
        name=name,
        workspace_template_id=workspace_template_id,
        planned=planned,
        mapping=mapping,
    )
    assert campaign.id is not None
    runner.start(session, call.actor, campaign.id, _when(start_at))
    return 201, {
        "id": campaign.id,
        "state": campaign.state,
        "recipients": len(planned.sendable),
        "skipped": planned.skipped_by_reason(),
    }


def _when(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError as exc:
        raise bad_request("'start_at' is an ISO time with its offset") from exc
    if when.tzinfo is None:
        raise bad_request("'start_at' needs its offset, e.g. 2026-12-24T09:00:00+01:00")
    return when


def _audience_rows(people: list[dict[str, Any]]) -> tuple[list[dict[str, str]], audience.Mapping]:
    """JSON recipients as the table ``core.campaigns.audience`` plans from, and its mapping."""
    widest = {"header": 0, "body": 0}
    buttons: set[int] = set()
    rows = []
    for person in people:
        row = {"number": str(person.get("number", "")), "name": str(person.get("name") or "")}
        for part in ("header", "body"):
            values = person.get(part) or []
            widest[part] = max(widest[part], len(values))
            row |= {f"{part}.{i}": str(value) for i, value in enumerate(values, 1)}
        for index, value in (person.get("buttons") or {}).items():
            buttons.add(int(index))
            row[f"button.{index}"] = str(value)
        rows.append(row)
    mapping = audience.Mapping(
        number_column="number",
        name_column="name",
        header=[audience.Source(column=f"header.{i}") for i in range(1, widest["header"] + 1)],
        body=[audience.Source(column=f"body.{i}") for i in range(1, widest["body"] + 1)],
        buttons={i: audience.Source(column=f"button.{i}") for i in sorted(buttons)},
    )
    return rows, mapping


def hook_json(subscription: Any) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "events": subscription.events,
        "created_at": _iso(subscription.created_at),
    }


def create_webhook(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    url = call.field("url", str)
    events = call.field("events", list)
    subscription, secret = subscriptions.create_subscription(session, call.actor, url, events)
    return 201, hook_json(subscription) | {"secret": secret}


def list_webhooks(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    found = subscriptions.list_subscriptions(session, call.actor)
    return 200, {"items": [hook_json(s) for s in found], "next_cursor": None}


def get_webhook(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    return 200, hook_json(subscriptions.get_subscription(session, call.actor, call.path["id"]))


def delete_webhook(session: Session, call: Call) -> tuple[int, dict[str, Any]]:
    subscriptions.delete_subscription(session, call.actor, call.path["id"])
    return 200, {"id": call.path["id"], "deleted": True}
