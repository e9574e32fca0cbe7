"""Templates as 360Dialog has them, their status history, and the workspace's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.models.columns import created_column, json_column, when_column


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
    components: list[dict[str, Any]] | None = json_column()
    is_draft: bool = Field(default=False)
    remote_modified_at: datetime | None = when_column()
    synced_at: datetime | None = when_column()
    created_at: datetime = created_column()


class TemplateStatusChange(SQLModel, table=True):
    __tablename__ = "template_status_changes"

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="templates.id", index=True)
    status: str = Field(max_length=40)
    reason: str | None = Field(default=None, max_length=200)
    changed_at: datetime = created_column()


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
    created_at: datetime = created_column()
