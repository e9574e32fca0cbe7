"""Campaigns and their recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, json_column, when_column


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
    held_reason: str | None = Field(default=None, max_length=40)
    """Why a running campaign holds itself: its template's status (``PAUSED``, ``DISABLED``…)
    while Meta does not let it be sent; cleared when the template is approved again."""
    mapping: dict[str, Any] | None = json_column()
    start_at: datetime | None = when_column()
    started_at: datetime | None = when_column()
    finished_at: datetime | None = when_column()
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = created_column()
    retry_delays: list[float] | None = json_column()
    """Hours after a 131049 (Meta's per-user marketing limit) to try each person again, in turn;
    after the last they are given up. None: the installation's default."""
    send_from: str | None = Field(default=None, max_length=5)  # "09:00", recipient's local time
    send_until: str | None = Field(default=None, max_length=5)  # "20:00"; None: any time
    retarget_of: int | None = Field(default=None, foreign_key="campaigns.id")


class CampaignRecipient(SQLModel, table=True):
    """One person of a campaign; unique per campaign, so nobody is sent twice."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "wa_id", name="uq_campaign_recipients_wa_id"),
        # the runner's queue and the live counts
        Index("ix_campaign_recipients_state", "campaign_id", "state", "id"),
        # the runner's due retries and sending windows
        Index("ix_campaign_recipients_due", "campaign_id", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaigns.id")
    wa_id: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    values: dict[str, Any] | None = json_column()
    state: str = Field(
        default="pending", max_length=16
    )  # pending|queued|retry|skipped|cancelled|given_up
    skip_reason: str | None = Field(default=None, max_length=64)
    message_id: int | None = Field(default=None, foreign_key="messages.id", index=True)
    queued_at: datetime | None = when_column()
    attempts: int = Field(default=0)  # sends so far; a 131049 retry is another attempt
    due_at: datetime | None = when_column()
    """Not before: a retry's time after 131049, or the start of the person's sending window."""
