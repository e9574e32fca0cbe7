"""The report rows recomputed from the stored messages: after upgrading to a version that keeps
them (they start empty), or to check them. ``python -m core reports rebuild``.

It walks every message once, conversation by conversation in time order, with the rules
``core.reports.recording`` applies as messages arrive, and replaces the rows in one transaction.
Run it while the worker is stopped: messages stored meanwhile would be counted twice or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, delete, insert, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.db import session_scope
from core.models import (
    ActivityHour,
    Message,
    ReplyWait,
    ResponseHour,
    TemplateAwaitingReply,
    TemplateHour,
)
from core.reports.recording import (
    BUTTON_PRESSES,
    NOT_A_CONVERSATION_TURN,
    SERVICE_WINDOW,
    TemplateKey,
    add_activity,
    add_responses,
    add_template_counts,
    hour_of,
)
from core.reports.response_times import bucket_of

READ_CHUNK = 20_000


@dataclass
class _Tally:
    activity: dict[tuple[int, datetime, str, int], dict[str, int]] = field(default_factory=dict)
    responses: dict[tuple[int, datetime, int, int], int] = field(default_factory=dict)
    waits: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    """Conversation → (channel, since) for those still waiting at the end."""
    templates: dict[TemplateKey, dict[str, int]] = field(default_factory=dict)
    awaiting: dict[int, tuple[TemplateKey, datetime]] = field(default_factory=dict)
    """Conversation → its last message, a template not replied to (yet), and when it was sent."""
    sent_here: dict[str, TemplateKey] = field(default_factory=dict)
    """The current conversation's template messages by WhatsApp id (what a button press quotes)."""

    def count(
        self, channel_id: int, at: datetime, direction: str, user_id: int, opened: bool
    ) -> None:
        entry = self.activity.setdefault(
            (channel_id, hour_of(at), direction, user_id),
            {"messages": 0, "conversations_opened": 0},
        )
        entry["messages"] += 1
        entry["conversations_opened"] += int(opened)

    def template(self, key: TemplateKey, figure: str) -> None:
        entry = self.templates.setdefault(key, {"replied": 0, "clicks": 0})
        entry[figure] += 1

    def customer(self, conversation_id: int, kind: str, quoting: str | None) -> None:
        """A customer's turn: it replies to an awaiting template; a press is counted on the
        template it quotes."""
        replied = self.awaiting.pop(conversation_id, None)
        if replied is not None:
            self.template(replied[0], "replied")
        if kind in BUTTON_PRESSES and quoting in self.sent_here:
            self.template(self.sent_here[quoting], "clicks")

    def ours(
        self, conversation_id: int, key: TemplateKey | None, wa_id: str | None, at: datetime
    ) -> None:
        if key is None:
            self.awaiting.pop(conversation_id, None)
            return
        self.awaiting[conversation_id] = (key, at)
        if wa_id:
            self.sent_here[wa_id] = key


def rebuild(engine: Engine, actor: Actor) -> dict[str, int]:
    """Replace every report row with what the messages say; returns what was counted."""
    require(actor, Permission.MANAGE_CHANNELS)
    tally = _Tally()
    messages = Message.__table__.c  # type: ignore[attr-defined]
    last_inbound: datetime | None = None
    current: int | None = None
    counted = 0
    with engine.connect() as connection:
        rows = connection.execution_options(yield_per=READ_CHUNK).execute(
            select(
                messages.channel_id,
                messages.conversation_id,
                messages.direction,
                messages.type,
                messages.sent_by_user_id,
                messages.created_at,
                messages.template_name,
                messages.wa_message_id,
                messages.reply_to_wa_id,
            ).order_by(messages.conversation_id, messages.created_at, messages.id)
        )
        for channel_id, conversation_id, direction, kind, user_id, at, name, wa_id, quoting in rows:
            counted += 1
            if conversation_id != current:
                current, last_inbound = conversation_id, None
                tally.sent_here.clear()
            if direction == "in":
                turn = kind not in NOT_A_CONVERSATION_TURN
                opened = turn and (last_inbound is None or at - last_inbound >= SERVICE_WINDOW)
                tally.count(channel_id, at, "in", 0, opened)
                if turn:
                    last_inbound = at
                    tally.waits.setdefault(conversation_id, (channel_id, at))
                    tally.customer(conversation_id, kind, quoting)
                continue
            tally.count(channel_id, at, "out", user_id or 0, False)
            tally.ours(
                conversation_id, (channel_id, hour_of(at), name) if name else None, wa_id, at
            )
            wait = tally.waits.pop(conversation_id, None) if user_id is not None else None
            if wait is not None:
                key = (channel_id, hour_of(at), user_id, bucket_of((at - wait[1]).total_seconds()))
                tally.responses[key] = tally.responses.get(key, 0) + 1
    with session_scope(engine) as session:
        for table in (ActivityHour, ResponseHour, ReplyWait, TemplateHour, TemplateAwaitingReply):
            session.connection().execute(delete(table.__table__))  # type: ignore[arg-type]
        add_activity(session, tally.activity)
        add_responses(session, tally.responses)
        add_template_counts(session, tally.templates)
        if tally.awaiting:
            session.connection().execute(
                insert(TemplateAwaitingReply.__table__),  # type: ignore[arg-type]
                [
                    {
                        "conversation_id": c,
                        "channel_id": channel,
                        "template_name": name,
                        "sent_at": at,
                    }
                    for c, ((channel, _, name), at) in sorted(tally.awaiting.items())
                ],
            )
        if tally.waits:
            session.connection().execute(
                insert(ReplyWait.__table__),  # type: ignore[arg-type]
                [
                    {"conversation_id": c, "channel_id": channel, "since": since}
                    for c, (channel, since) in sorted(tally.waits.items())
                ],
            )
        audit.record(session, actor, "reports.rebuild", "reports", messages=counted)
    return {"messages": counted, "waiting": len(tally.waits)}
