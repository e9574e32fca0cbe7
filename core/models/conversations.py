"""Contacts, conversations, messages and their media."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.models.columns import choice_type, created_column, json_column, when_column
from core.models.inbox import ConversationStatus


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
    labels: list[str] | None = json_column()
    attributes: dict[str, str] | None = json_column()
    """Custom attributes the team keeps (``{"plan": "gold"}``); canned replies can use them."""
    opted_out: bool = Field(default=False)
    opted_out_at: datetime | None = when_column()
    greeted_at: datetime | None = when_column()
    created_at: datetime = created_column()
    last_inbound_at: datetime | None = when_column()


class Conversation(SQLModel, table=True):
    """One thread per channel and contact; its last inbound time opens the 24-hour window."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("channel_id", "contact_id", name="uq_conversations_channel_contact"),
        # conversation list: newest first, per channel or across channels
        Index("ix_conversations_last_message", "last_message_at"),
        Index("ix_conversations_channel_last_message", "channel_id", "last_message_at"),
        # the inbox views: by status; mine or one member's (also their open count for limits)
        Index("ix_conversations_status_last_message", "status", "last_message_at"),
        Index("ix_conversations_assignee_last_message", "assignee_id", "last_message_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    contact_id: int = Field(foreign_key="contacts.id")
    last_message_at: datetime | None = when_column()
    last_inbound_at: datetime | None = when_column()
    last_message_preview: str = Field(default="", max_length=200)
    unread_count: int = Field(default=0)
    status: ConversationStatus = Field(
        default=ConversationStatus.OPEN, sa_type=choice_type(ConversationStatus)
    )
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    snoozed_until: datetime | None = when_column()
    away_sent_at: datetime | None = when_column()
    """When the away message went out; cleared on resolve, so it is sent once per conversation."""


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
        # template performance: a period's template messages by status and error, from the
        # index alone
        Index(
            "ix_messages_template_created",
            "created_at",
            "channel_id",
            "template_name",
            "status",
            "error_code",
            sqlite_where=text("template_name IS NOT NULL"),
            postgresql_where=text("template_name IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    conversation_id: int = Field(foreign_key="conversations.id")
    wa_message_id: str | None = Field(default=None, max_length=128)
    direction: str = Field(max_length=3)  # "in" | "out"
    type: str = Field(max_length=32)
    text: str = Field(default="", sa_type=Text)
    content: dict[str, Any] | None = json_column()
    reply_to_wa_id: str | None = Field(default=None, max_length=128)
    template_name: str | None = Field(default=None, max_length=512)
    status: MessageStatus = Field(sa_type=choice_type(MessageStatus))
    error_code: int | None = None
    error_title: str | None = Field(default=None, sa_type=Text)
    error_details: str | None = Field(default=None, sa_type=Text)
    sent_by_user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = created_column()
    status_at: datetime | None = when_column()


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
    next_attempt_at: datetime | None = when_column()
    created_at: datetime = created_column()
