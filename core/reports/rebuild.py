"""The report rows recomputed from the stored messages: after upgrading to a version that keeps
them (they start empty), or to check them. ``python -m core reports rebuild``.

It walks every message once, conversation by conversation in time order, with the rules
``core.reports.recording`` applies as messages arrive, and replaces the rows in one transaction.
Resolutions come from the audit log's status changes (``conversation.status``, who and when),
merged into each conversation's messages by time; a conversation with status changes but no
message is left out (nothing of it was ever open to the customer). Run it while the worker is
stopped: messages stored meanwhile would be counted twice or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, Table, delete, insert, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.db import session_scope
from core.models import (
    ActivityHour,
    AuditEntry,
    ConversationOpening,
    ConversationStatus,
    Message,
    ReplyWait,
    ResolutionHour,
    ResponseHour,
    TemplateAwaitingReply,
    TemplateHour,
    User,
)
from core.reports.recording import (
    BUTTON_PRESSES,
    NOT_A_CONVERSATION_TURN,
    SERVICE_WINDOW,
    BucketKey,
    TemplateKey,
    add_activity,
    add_bucket_counts,
    add_template_counts,
    hour_of,
)
from core.reports.response_times import bucket_of

READ_CHUNK = 20_000
STATUS_CHANGE = "conversation.status"
"""The audit action ``core.conversations.lifecycle.set_status`` records."""


@dataclass(frozen=True)
class _StatusChange:
    at: datetime
    previous: str
    status: str
    user_id: int


@dataclass
class _Tally:
    activity: dict[tuple[int, datetime, str, int], dict[str, int]] = field(default_factory=dict)
    responses: dict[BucketKey, int] = field(default_factory=dict)
    waits: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    """Conversation → (channel, since) for those still waiting at the end."""
    templates: dict[TemplateKey, dict[str, int]] = field(default_factory=dict)
    awaiting: dict[int, tuple[TemplateKey, datetime]] = field(default_factory=dict)
    """Conversation → its last message, a template not replied to (yet), and when it was sent."""
    sent_here: dict[str, TemplateKey] = field(default_factory=dict)
    """The current conversation's template messages by WhatsApp id (what a button press quotes)."""
    openings: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    """Conversation → (channel, since) for those open (not resolved) at this point of the walk."""
    resolutions: dict[BucketKey, int] = field(default_factory=dict)
    changes: dict[int, list[_StatusChange]] = field(default_factory=dict)
    """Conversation → its status changes not walked yet, the latest first."""

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

    def status_changes(
        self, conversation_id: int, channel_id: int, before: datetime | None = None
    ) -> None:
        """The conversation's status changes up to ``before`` (all when ``None``), in order: a
        resolve ends the open stretch and counts it; a reopening starts one."""
        changes = self.changes.get(conversation_id)
        resolved = ConversationStatus.RESOLVED.value
        while changes and (before is None or changes[-1].at < before):
            change = changes.pop()
            if change.status == resolved and change.previous != resolved:
                opening = self.openings.pop(conversation_id, None)
                if opening is not None:
                    seconds = (change.at - opening[1]).total_seconds()
                    key = (channel_id, hour_of(change.at), change.user_id, bucket_of(seconds))
                    self.resolutions[key] = self.resolutions.get(key, 0) + 1
            elif change.previous == resolved and change.status != resolved:
                self.openings.setdefault(conversation_id, (channel_id, change.at))

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
        tally.changes = _status_changes(connection)
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
        channel: int | None = None
        for channel_id, conversation_id, direction, kind, user_id, at, name, wa_id, quoting in rows:
            counted += 1
            if conversation_id != current:
                if current is not None and channel is not None:
                    tally.status_changes(current, channel)
                current, last_inbound = conversation_id, None
                tally.sent_here.clear()
            channel = channel_id
            tally.status_changes(conversation_id, channel_id, before=at)
            if direction == "in":
                turn = kind not in NOT_A_CONVERSATION_TURN
                opened = turn and (last_inbound is None or at - last_inbound >= SERVICE_WINDOW)
                tally.count(channel_id, at, "in", 0, opened)
                if turn:
                    last_inbound = at
                    tally.waits.setdefault(conversation_id, (channel_id, at))
                    tally.openings.setdefault(conversation_id, (channel_id, at))
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
        if current is not None and channel is not None:
            tally.status_changes(current, channel)
    with session_scope(engine) as session:
        for table in (
            ActivityHour,
            ResponseHour,
            ReplyWait,
            TemplateHour,
            TemplateAwaitingReply,
            ResolutionHour,
            ConversationOpening,
        ):
            session.connection().execute(delete(table.__table__))  # type: ignore[arg-type]
        add_activity(session, tally.activity)
        add_bucket_counts(session, ResponseHour, tally.responses)
        add_bucket_counts(session, ResolutionHour, tally.resolutions)
        add_template_counts(session, tally.templates)
        connection = session.connection()
        _insert_rows(
            connection,
            TemplateAwaitingReply.__table__,  # type: ignore[arg-type]
            [
                {"conversation_id": c, "channel_id": channel, "template_name": name, "sent_at": at}
                for c, ((channel, _, name), at) in sorted(tally.awaiting.items())
            ],
        )
        for table, since_by_conversation in (
            (ReplyWait.__table__, tally.waits),
            (ConversationOpening.__table__, tally.openings),
        ):
            _insert_rows(
                connection,
                table,  # type: ignore[arg-type]
                [
                    {"conversation_id": c, "channel_id": channel, "since": since}
                    for c, (channel, since) in sorted(since_by_conversation.items())
                ],
            )
        audit.record(session, actor, "reports.rebuild", "reports", messages=counted)
    return {"messages": counted, "waiting": len(tally.waits)}


def _insert_rows(connection: Connection, table: Table, rows: list[dict[str, object]]) -> None:
    if rows:
        connection.execute(insert(table), rows)


def _status_changes(connection: Connection) -> dict[int, list[_StatusChange]]:
    """Every conversation's status changes from the audit log, the latest first, with the
    resolver's user id (0 for the command line or a user since deleted)."""
    users = User.__table__.c  # type: ignore[attr-defined]
    ids = dict(connection.execute(select(users.username, users.id)).all())
    log = AuditEntry.__table__.c  # type: ignore[attr-defined]
    changes: dict[int, list[_StatusChange]] = {}
    for at, actor, target, details in connection.execute(
        select(log.at, log.actor, log.target, log.details)
        .where(log.action == STATUS_CHANGE)
        .order_by(log.at.desc(), log.id.desc())
    ):
        conversation = target.removeprefix("conversation:")
        if not conversation.isdigit() or not details:
            continue
        changes.setdefault(int(conversation), []).append(
            _StatusChange(
                at, details.get("previous", ""), details.get("status", ""), ids.get(actor, 0)
            )
        )
    return changes
