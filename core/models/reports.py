"""What the reports read instead of the messages: hourly counts kept as messages are stored, and
the conversations waiting for the team's answer.

Reading a month of a million messages on every page view is what these rows spare: the webhook
processor and the send queue add to them in the transaction that stores the messages, once per
batch (``core.reports.recording``). ``slot`` spreads one hour's counts over a few rows, so
concurrent batches on PostgreSQL seldom wait for each other's commit on the same row; readers add
the slots up.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.columns import UTCDateTime


class ActivityHour(SQLModel, table=True):
    """Messages per channel, hour (UTC), direction and sender."""

    __tablename__ = "report_activity_hours"
    __table_args__ = (
        UniqueConstraint(
            "channel_id", "hour", "direction", "user_id", "slot", name="uq_report_activity_hours"
        ),
        # the overview and the reports: a period's hours, every channel or one
        Index("ix_report_activity_hours_hour", "hour"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    hour: datetime = Field(sa_type=UTCDateTime)
    direction: str = Field(max_length=3)  # "in" | "out"
    user_id: int = Field(default=0)
    """The team member who sent (``messages.sent_by_user_id``); 0 for the customer, automatic
    messages (greetings, campaigns) and the WhatsApp Business app."""
    slot: int = Field(default=0)
    messages: int = Field(default=0)
    conversations_opened: int = Field(default=0)
    """Customer messages that opened a conversation: the first, or the first after 24 hours
    without one (a new customer service window)."""


class ResponseHour(SQLModel, table=True):
    """First responses answered in an hour, per channel, responder and time bucket
    (``core.reports.buckets``): percentiles of any period come from these counts."""

    __tablename__ = "report_response_hours"
    __table_args__ = (
        UniqueConstraint(
            "channel_id", "hour", "user_id", "bucket", "slot", name="uq_report_response_hours"
        ),
        Index("ix_report_response_hours_hour", "hour"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    hour: datetime = Field(sa_type=UTCDateTime)
    user_id: int = Field(default=0)
    bucket: int
    slot: int = Field(default=0)
    answers: int = Field(default=0)


class ReplyWait(SQLModel, table=True):
    """A conversation whose customer wrote and the team has not answered yet, since when."""

    __tablename__ = "report_reply_waits"
    __table_args__ = (
        # the overview: how many wait and the oldest, every channel or one
        Index("ix_report_reply_waits_channel_since", "channel_id", "since"),
    )

    conversation_id: int = Field(foreign_key="conversations.id", primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    since: datetime = Field(sa_type=UTCDateTime)


class ResolutionHour(SQLModel, table=True):
    """Conversations resolved in an hour, per channel, resolver and time bucket (how long each
    was open: ``core.reports.response_times`` buckets), like :class:`ResponseHour`."""

    __tablename__ = "report_resolution_hours"
    __table_args__ = (
        UniqueConstraint(
            "channel_id", "hour", "user_id", "bucket", "slot", name="uq_report_resolution_hours"
        ),
        Index("ix_report_resolution_hours_hour", "hour"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    hour: datetime = Field(sa_type=UTCDateTime)
    user_id: int = Field(default=0)
    """Who resolved it; 0 for the command line."""
    bucket: int
    slot: int = Field(default=0)
    resolutions: int = Field(default=0)


class ConversationOpening(SQLModel, table=True):
    """A conversation open (not resolved) since when: its customer's first message since the
    last resolve, or the moment the team reopened it. Resolving it ends the stretch."""

    __tablename__ = "report_conversation_openings"

    conversation_id: int = Field(foreign_key="conversations.id", primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    since: datetime = Field(sa_type=UTCDateTime)


class TemplateHour(SQLModel, table=True):
    """Replies to and button presses on template messages, per channel, template and the hour
    the template was sent (so a period's templates carry their replies, whenever they came)."""

    __tablename__ = "report_template_hours"
    __table_args__ = (
        UniqueConstraint(
            "channel_id", "hour", "template_name", "slot", name="uq_report_template_hours"
        ),
        Index("ix_report_template_hours_hour", "hour"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    hour: datetime = Field(sa_type=UTCDateTime)
    template_name: str = Field(max_length=512)
    slot: int = Field(default=0)
    replied: int = Field(default=0)
    clicks: int = Field(default=0)


class TemplateAwaitingReply(SQLModel, table=True):
    """A conversation whose last message is a template of ours the customer has not answered:
    their next message replies to it; another message of ours first means it was not."""

    __tablename__ = "report_template_awaiting"

    conversation_id: int = Field(foreign_key="conversations.id", primary_key=True)
    channel_id: int = Field(foreign_key="channels.id")
    template_name: str = Field(max_length=512)
    sent_at: datetime = Field(sa_type=UTCDateTime)
