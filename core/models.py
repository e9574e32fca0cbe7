"""The store's tables (SQLModel). Migrations in ``core/migrations`` create them; never ``create_all``.

Conventions: times are timezone-aware UTC; WhatsApp's ids are kept as given (``wa_message_id``) and
unique per channel so that webhook retries and duplicates change nothing; JSON columns keep what
WhatsApp sent so fields we do not use yet are never lost. Every index here serves a query a page or
a worker makes (named next to it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Dialect,
    Enum,
    Index,
    LargeBinary,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use core.models.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


def _when(*, index: bool = False) -> Any:
    """An optional timezone-aware timestamp column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=True, index=index)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _choice(enum: type[StrEnum]) -> Any:
    """An enum stored as its plain string value (no native PostgreSQL enum to migrate)."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


def _json() -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=True))


class Role(StrEnum):
    ADMIN = "admin"
    MARKETER = "marketer"
    MANAGER = "manager"
    AGENT = "agent"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    password_hash: str = Field(max_length=200)
    role: Role = Field(sa_type=_choice(Role))
    active: bool = Field(default=True)
    language: str | None = Field(default=None, max_length=8)
    created_at: datetime = _created()
    last_login_at: datetime | None = _when()


class LoginSession(SQLModel, table=True):
    """A login kept across reloads, tabs and restarts (``core.access.sessions``).

    The browser holds a random token in an HttpOnly cookie; the store keeps only its hash, so a
    copy of this table opens no account. A row starts with a one-time ticket that the server's
    ``/auth/session`` route exchanges for the token; ``ended_at`` is logout, deactivation or a
    password reset, and is never cleared.
    """

    __tablename__ = "login_sessions"
    __table_args__ = (
        # the Users page: a user's active sessions; ending them all on deactivation
        Index("ix_login_sessions_user_id_ended_at", "user_id", "ended_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    ticket_expires_at: datetime | None = _when()
    created_at: datetime = _created()
    last_seen_at: datetime = _created()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    client: str = Field(default="", max_length=200)  # the browser's User-Agent, shortened
    ended_at: datetime | None = _when()


class Channel(SQLModel, table=True):
    """A WhatsApp number connected through 360Dialog."""

    __tablename__ = "channels"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    number: str = Field(max_length=20, index=True)  # E.164, "+5491122334455"
    phone_number_id: str | None = Field(default=None, max_length=64, index=True)
    waba_id: str | None = Field(default=None, max_length=64)
    generation: str = Field(default="cloud", max_length=10)  # "cloud" | "onprem"
    base_url: str = Field(max_length=500)
    api_key_encrypted: bytes = Field(sa_type=LargeBinary)
    api_key_hint: str = Field(max_length=16)  # "••••abcd", the only form ever shown again
    webhook_secret_hash: str = Field(max_length=128)
    webhook_url: str | None = Field(default=None, max_length=500)
    greeting_message: str = Field(default="", sa_type=Text)
    throughput_mps: int = Field(default=80)
    active: bool = Field(default=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    last_webhook_at: datetime | None = _when()
    last_error: str | None = Field(default=None, sa_type=Text)
    """WhatsApp's title of the last error a webhook reported, or a reason (``core.failures``)."""
    last_error_code: int | None = None
    last_error_at: datetime | None = _when()
    sender_lease_holder: str | None = Field(default=None, max_length=64)
    sender_lease_until: datetime | None = _when()


class Contact(SQLModel, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("channel_id", "wa_id", name="uq_contacts_channel_wa_id"),
        # conversation list search by number, campaign audiences by activity
        Index("ix_contacts_channel_last_inbound", "channel_id", "last_inbound_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    wa_id: str = Field(max_length=32)  # canonical digits, one per person (Brazil's 9th digit)
    phone_e164: str | None = Field(default=None, max_length=20)
    user_id: str | None = Field(default=None, max_length=128)  # WhatsApp's BSUID, when sent
    reported_wa_id: str | None = Field(default=None, max_length=32)
    """The number as WhatsApp knows it, when its answer to a send named another ``wa_id`` than
    the one we sent to (e.g. a Brazilian account registered before the ninth digit)."""
    profile_name: str = Field(default="", max_length=200, index=True)
    labels: list[str] | None = _json()
    opted_out: bool = Field(default=False)
    opted_out_at: datetime | None = _when()
    greeted_at: datetime | None = _when()
    created_at: datetime = _created()
    last_inbound_at: datetime | None = _when()


class Conversation(SQLModel, table=True):
    """One thread per channel and contact; its last inbound time opens the 24-hour window."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel_id", "contact_id", name="uq_conversations_channel_contact"),
        # conversation list: newest first, per channel or across channels
        Index("ix_conversations_last_message", "last_message_at"),
        Index("ix_conversations_channel_last_message", "channel_id", "last_message_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    contact_id: int = Field(foreign_key="contacts.id")
    last_message_at: datetime | None = _when()
    last_inbound_at: datetime | None = _when()
    last_message_preview: str = Field(default="", max_length=200)
    unread_count: int = Field(default=0)


class MessageStatus(StrEnum):
    """Life of a message. Outbound: queued → sending → sent → delivered → read, or failed.

    ``held`` and ``paused`` sit between sending and sent: 360Dialog accepted the send but
    WhatsApp holds it (``message_status`` of the send's answer: a paced template's message held
    for quality assessment, or a paused delivery). Only that answer sets them; the message's next
    status webhook (sent, or failed when WhatsApp drops it) moves it on."""

    RECEIVED = "received"
    QUEUED = "queued"
    SENDING = "sending"
    HELD = "held"
    PAUSED = "paused"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"
    DELETED = "deleted"


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "wa_message_id", name="uq_messages_channel_wa_id"),
        # thread view: a conversation's messages in time order, paginated
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        # export and reports per channel over time
        Index("ix_messages_channel_created", "channel_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    conversation_id: int = Field(foreign_key="conversations.id")
    wa_message_id: str | None = Field(default=None, max_length=128)
    direction: str = Field(max_length=3)  # "in" | "out"
    type: str = Field(max_length=32)
    text: str = Field(default="", sa_type=Text)
    content: dict[str, Any] | None = _json()
    reply_to_wa_id: str | None = Field(default=None, max_length=128)
    template_name: str | None = Field(default=None, max_length=512)
    status: MessageStatus = Field(sa_type=_choice(MessageStatus))
    error_code: int | None = None
    error_title: str | None = Field(default=None, sa_type=Text)
    error_details: str | None = Field(default=None, sa_type=Text)
    sent_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _created()
    status_at: datetime | None = _when()


class MediaFile(SQLModel, table=True):
    """A media attachment; downloaded at once because WhatsApp's media ids expire."""

    __tablename__ = "media_files"
    __table_args__ = (Index("ix_media_files_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    wa_media_id: str | None = Field(default=None, max_length=128)
    mime_type: str = Field(default="", max_length=200)
    sha256: str | None = Field(default=None, max_length=128)
    filename: str | None = Field(default=None, max_length=500)
    size_bytes: int | None = None
    path: str | None = Field(default=None, max_length=500)
    status: str = Field(default="pending", max_length=16)  # pending | downloaded | failed
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=Text)
    """WhatsApp's title of the last failure, or a reason (``core.failures``)."""
    last_error_code: int | None = None
    next_attempt_at: datetime | None = _when()
    created_at: datetime = _created()


class RemoteTemplate(SQLModel, table=True):
    """A template as 360Dialog has it, refreshed by sync and status webhooks."""

    __tablename__ = "templates"
    __table_args__ = (
        UniqueConstraint("channel_id", "name", "language", name="uq_templates_channel_name_lang"),
        Index("ix_templates_status", "status"),
        # a status webhook finds its template by Meta's id
        Index("ix_templates_channel_external_id", "channel_id", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    remote_id: str | None = Field(default=None, max_length=64)
    """360Dialog's own id of the template (its listing's ``id``)."""
    external_id: str | None = Field(default=None, max_length=64)
    """Meta's id of the template: status webhooks name the template by it."""
    name: str = Field(max_length=512)
    language: str = Field(max_length=16)
    category: str = Field(default="", max_length=40)
    status: str = Field(default="", max_length=40)
    rejected_reason: str | None = Field(default=None, max_length=200)
    quality: str | None = Field(default=None, max_length=20)
    namespace: str | None = Field(default=None, max_length=100)
    components: list[dict[str, Any]] | None = _json()
    is_draft: bool = Field(default=False)
    remote_modified_at: datetime | None = _when()
    synced_at: datetime | None = _when()
    created_at: datetime = _created()


class TemplateStatusChange(SQLModel, table=True):
    __tablename__ = "template_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="templates.id", index=True)
    status: str = Field(max_length=40)
    reason: str | None = Field(default=None, max_length=200)
    changed_at: datetime = _created()


class WorkspaceTemplate(SQLModel, table=True):
    """A template added to the workspace for sending."""

    __tablename__ = "workspace_templates"
    __table_args__ = (
        UniqueConstraint("channel_id", "name", "language", name="uq_workspace_templates"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    remote_template_id: int | None = Field(default=None, foreign_key="templates.id")
    name: str = Field(max_length=512)
    content: str = Field(sa_type=Text)
    partner_template_id: str = Field(max_length=64)
    category: str = Field(max_length=40)
    language: str = Field(max_length=16)
    flagged_reason: str | None = Field(default=None, max_length=200)
    created_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = _created()


class WebhookEvent(SQLModel, table=True):
    """A webhook body exactly as received, stored before answering 200 (nothing lost)."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        # the processor's queue: oldest pending first
        Index("ix_webhook_events_state", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int | None = Field(default=None, foreign_key="channels.id", index=True)
    received_at: datetime = _created()
    body: bytes = Field(sa_type=LargeBinary)
    state: str = Field(default="pending", max_length=16)  # pending | processed | failed
    attempts: int = Field(default=0)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = _when()
    processed_at: datetime | None = _when()
    problems: str | None = Field(default=None, sa_type=Text)


class OutboundJob(SQLModel, table=True):
    """Something to send to 360Dialog; a row first, so a crash never loses or repeats it."""

    __tablename__ = "outbound_jobs"
    __table_args__ = (
        # the sender's queue: due jobs per state
        Index("ix_outbound_jobs_state_due", "state", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    kind: str = Field(max_length=20)  # message | mark_read | template_submit ...
    payload: dict[str, Any] | None = _json()
    idempotency_key: str = Field(max_length=80, unique=True)
    state: str = Field(default="queued", max_length=16)  # queued | sending | done | failed
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = _when()
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = _when()
    last_error_code: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _created()
    finished_at: datetime | None = _when()


class AuditEntry(SQLModel, table=True):
    """Who did what and when. Append-only."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
        Index("ix_audit_log_actor_at", "actor", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    actor: str = Field(max_length=64)  # username, or "system" / "cli"
    action: str = Field(max_length=64)
    target: str = Field(default="", max_length=200)
    details: dict[str, Any] | None = _json()


class AppSetting(SQLModel, table=True):
    """An installation-wide choice an admin makes in the dashboard (e.g. which template limits)."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = _created()
    updated_by: str = Field(default="", max_length=64)


class Campaign(SQLModel, table=True):
    """One approved template sent to many contacts at the channel's pace."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_state_start", "state", "start_at"),)

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    workspace_template_id: int = Field(foreign_key="workspace_templates.id")
    name: str = Field(max_length=200)
    # draft | scheduled | running | paused | cancelled | done
    state: str = Field(default="draft", max_length=16)
    mapping: dict[str, Any] | None = _json()
    start_at: datetime | None = _when()
    started_at: datetime | None = _when()
    finished_at: datetime | None = _when()
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = _created()


class CampaignRecipient(SQLModel, table=True):
    """One person of a campaign; unique per campaign, so nobody is sent twice."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "wa_id", name="uq_campaign_recipients_wa_id"),
        # the runner's queue and the live counts
        Index("ix_campaign_recipients_state", "campaign_id", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    wa_id: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    values: dict[str, Any] | None = _json()
    state: str = Field(default="pending", max_length=16)  # pending|queued|skipped|cancelled
    skip_reason: str | None = Field(default=None, max_length=64)
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    queued_at: datetime | None = _when()
