"""What 360Dialog answers to a send and to a template listing, read into small frozen results.

Parsing only: the client (``core.d360.client``) makes the calls and hands back these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.d360.errors import UnexpectedResponse

__all__ = ["SendResult", "TemplatePage"]


@dataclass(frozen=True)
class SendResult:
    """What 360Dialog answered to a send: the id to match later status webhooks against.

    ``wa_id`` is WhatsApp's id for the recipient, which may differ from what we sent
    (``input``), e.g. a Brazilian number registered before its ninth digit ("WhatsApp ID of the
    message recipient; may not match the input", Meta's send response:
    https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages).
    ``message_status`` is ``accepted``, ``held_for_quality_assessment`` (a paced template's
    message waits for quality signals:
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pacing)
    or ``paused``; On-Premise and older answers carry none, which means accepted.
    """

    message_id: str
    wa_id: str | None = None
    input: str | None = None
    user_id: str | None = None
    message_status: str | None = None

    @classmethod
    def from_response(cls, body: object) -> SendResult:
        """Read a send response of either generation; no message id is an error."""
        data = body if isinstance(body, dict) else {}
        messages = data.get("messages") if isinstance(data.get("messages"), list) else []
        first = messages[0] if messages and isinstance(messages[0], dict) else {}
        message_id = first.get("id")
        if not isinstance(message_id, str) or not message_id:
            raise UnexpectedResponse(
                "the send was accepted but the answer has no message id", raw=body
            )
        contacts = data.get("contacts") if isinstance(data.get("contacts"), list) else []
        contact = contacts[0] if contacts and isinstance(contacts[0], dict) else {}
        status = first.get("message_status")
        return cls(
            message_id=message_id,
            wa_id=_text(contact.get("wa_id")),
            input=_text(contact.get("input")),
            user_id=_text(contact.get("user_id")),
            message_status=status.strip().lower() if isinstance(status, str) else None,
        )

    @property
    def reported_wa_id(self) -> str | None:
        """WhatsApp's ``wa_id`` when it is not the number we sent (compared as digits)."""
        if self.wa_id is None or _digits(self.wa_id) == _digits(self.input or ""):
            return None
        return self.wa_id


@dataclass(frozen=True)
class TemplatePage:
    """One page of a template listing, in either shape 360Dialog answers with.

    - 360Dialog's envelope (``GET /v1/configs/templates``): ``waba_templates`` with ``offset``,
      ``limit``, ``count`` and, not always, ``total``
      (https://docs.360dialog.com/docs/waba-messaging/template-messaging).
    - Meta's Graph listing (``/message_templates``): ``data`` with ``paging.cursors.after`` and
      ``paging.next``, present only while there is a next page
      (https://developers.facebook.com/docs/graph-api/results). Its items' ``id`` is Meta's id, so
      it is also given as ``external_id``, the name 360Dialog's envelope uses for it.
    """

    count: int
    total: int | None
    limit: int | None
    offset: int
    templates: list[dict[str, Any]] = field(default_factory=list)
    after: str | None = None
    """Graph's cursor of the next page; ``None`` when the answer has no next page or no cursors."""
    graph: bool = False

    @classmethod
    def from_response(cls, body: object, *, limit: int, offset: int) -> TemplatePage:
        data = body if isinstance(body, dict) else {}
        raw = data.get("waba_templates")
        graph = raw is None and isinstance(data.get("data"), list)
        if graph:
            raw = data["data"]
        templates = [t for t in raw if isinstance(t, dict)] if isinstance(raw, list) else []
        if graph:
            templates = [{"external_id": t.get("id"), **t} for t in templates]

        def number(key: str, default: int | None) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else default

        paging = data.get("paging") if isinstance(data.get("paging"), dict) else {}
        cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
        return cls(
            count=number("count", len(templates)) or 0,
            total=number("total", None),
            limit=number("limit", limit),
            offset=number("offset", offset) or 0,
            templates=templates,
            after=_text(cursors.get("after")) if paging.get("next") else None,
            graph=graph,
        )

    def has_more(self, asked: int) -> bool:
        """Whether another page follows this one.

        Graph says so with ``paging.next``; the envelope with ``total`` when it has one, and
        otherwise by a full page (as many as ``asked``: a shorter or empty page is the last)."""
        if self.graph:
            return self.after is not None and bool(self.templates)
        if not self.templates:
            return False
        if self.total is not None:
            return self.offset + len(self.templates) < self.total
        return len(self.templates) >= asked


def _text(value: object) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())
