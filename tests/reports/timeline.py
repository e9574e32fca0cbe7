"""A store filled through the product's own paths at chosen moments: customers write (webhook
bodies, stored and processed as 360Dialog's would be), the team and the automatic senders answer
(the send queue, its clock set to the moment)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlmodel import Session

from core.access.auth import CLI_ACTOR, Actor
from core.conversations import assignment, contacts, lifecycle
from core.db import session_scope
from core.models import AuditEntry, Channel, Conversation, Message
from core.outbox import queue
from core.webhooks import processor, receiver
from tests.store_helpers import WEBHOOK_SECRET
from tests.webhook_bodies import messages_webhook


class Timeline:
    def __init__(self, engine: Engine, channel: Channel, monkeypatch: pytest.MonkeyPatch) -> None:
        self.engine, self.channel, self.monkeypatch = engine, channel, monkeypatch
        self.ids = 0

    def _id(self) -> str:
        self.ids += 1
        return f"wamid.timeline.{self.ids}"

    def customer(
        self,
        number: str,
        at: datetime,
        *,
        kind: str = "text",
        quoting: str | None = None,
    ) -> str:
        """A customer's message (``kind``: text, reaction or button) delivered and processed."""
        wamid = self._id()
        message: dict[str, Any] = {
            "from": number,
            "id": wamid,
            "timestamp": str(int(at.timestamp())),
            "type": kind,
        }
        if kind == "text":
            message["text"] = {"body": "hola"}
        elif kind == "reaction":
            message["reaction"] = {"message_id": quoting, "emoji": "👍"}
        elif kind == "button":
            message["button"] = {"payload": "Sí", "text": "Sí"}
            message["context"] = {"from": self.channel.number.lstrip("+"), "id": quoting}
        body = messages_webhook(
            contacts=[{"profile": {"name": number}, "wa_id": number}], messages=[message]
        )
        raw = json.dumps(body).encode()
        assert (
            receiver.receive(self.engine, self.channel.id, WEBHOOK_SECRET, raw).status_code == 200
        )
        assert processor.process_pending(self.engine) == 1
        return wamid

    def ours(
        self,
        number: str,
        at: datetime,
        *,
        by: int | None = None,
        template: str | None = None,
        status: str | None = None,
        error: tuple[int, str] | None = None,
    ) -> str:
        """A message we send at ``at`` (a team member's when ``by``); then WhatsApp's verdict."""
        self.monkeypatch.setattr(queue, "utcnow", lambda: at)
        wamid = self._id()
        with session_scope(self.engine) as session:
            conversation = self.conversation(session, number)
            [message_id] = queue.enqueue_many(
                session,
                self.channel,
                [
                    queue.Outgoing(
                        conversation.id,
                        number,
                        "template" if template else "text",
                        {"name": template} if template else {"body": "ok"},
                        "ok",
                        sent_by_user_id=by,
                        template_name=template,
                    )
                ],
            )
            values: dict[str, Any] = {"wa_message_id": wamid, "status": status or "sent"}
            if error:
                values.update(error_code=error[0], error_title=error[1])
            session.connection().execute(
                update(Message.__table__).where(Message.__table__.c.id == message_id).values(values)
            )
        return wamid

    def status(self, number: str, at: datetime, by: Actor, status: str) -> None:
        """A team member moves the conversation on at ``at`` (resolves it, reopens it); the
        audit log says it happened then, as it would have."""
        self.monkeypatch.setattr(lifecycle, "utcnow", lambda: at)
        with session_scope(self.engine) as session:
            conversation = self.conversation(session, number)
            assert conversation.id is not None
            lifecycle.set_status(session, by, conversation.id, status)
            session.flush()
            log = AuditEntry.__table__.c  # type: ignore[attr-defined]
            session.connection().execute(
                update(AuditEntry.__table__)  # type: ignore[arg-type]
                .where(log.id == select(func.max(log.id)).scalar_subquery())
                .values(at=at)
            )

    def assign(self, number: str, username: str) -> None:
        with session_scope(self.engine) as session:
            conversation = self.conversation(session, number)
            assert conversation.id is not None
            assignment.assign(session, CLI_ACTOR, conversation.id, username)

    def conversation(self, session: Session, number: str) -> Conversation:
        channel = session.get(Channel, self.channel.id)
        assert channel is not None
        contact, _ = contacts.find_or_create_contact(session, channel, number)
        return contacts.find_or_create_conversation(session, channel, contact)
