"""The store's tables (SQLModel). Migrations in ``core/migrations`` create them; never ``create_all``.

Conventions: times are timezone-aware UTC; WhatsApp's ids are kept as given (``wa_message_id``) and
unique per channel so that webhook retries and duplicates change nothing; JSON columns keep what
WhatsApp sent so fields we do not use yet are never lost. Every index here serves a query a page or
a worker makes (named next to it).

One module per area; this package re-exports every table, so ``from core.models import X`` is
the one way to name one, and importing it registers them all on ``SQLModel.metadata``.
"""

from core.models.access import AppSetting, AuditEntry, LoginSession, Role, User
from core.models.campaigns import Campaign, CampaignRecipient
from core.models.changes import ChannelChange
from core.models.channels import Channel
from core.models.columns import UTCDateTime, utcnow
from core.models.conversations import Contact, Conversation, MediaFile, Message, MessageStatus
from core.models.health import NumberHealthRecord
from core.models.inbox import (
    BusinessHours,
    CannedReply,
    ConversationLabel,
    ConversationNote,
    ConversationStatus,
    Label,
)
from core.models.integrations import ApiToken, ApiUsage, HookDelivery, HookSubscription
from core.models.queues import LandingMark, OutboundJob, WebhookEvent
from core.models.reports import (
    ActivityHour,
    ConversationOpening,
    ReplyWait,
    ResolutionHour,
    ResponseHour,
    TemplateAwaitingReply,
    TemplateHour,
)
from core.models.security import LoginThrottle, RecoveryCode, TwoFactor
from core.models.segments import Segment
from core.models.templates import RemoteTemplate, TemplateStatusChange, WorkspaceTemplate

__all__ = [
    "utcnow",
    "UTCDateTime",
    "Role",
    "User",
    "LoginSession",
    "AuditEntry",
    "AppSetting",
    "Channel",
    "ChannelChange",
    "Contact",
    "Conversation",
    "MessageStatus",
    "Message",
    "MediaFile",
    "RemoteTemplate",
    "TemplateStatusChange",
    "WorkspaceTemplate",
    "WebhookEvent",
    "OutboundJob",
    "Campaign",
    "CampaignRecipient",
    "NumberHealthRecord",
    "LoginThrottle",
    "TwoFactor",
    "RecoveryCode",
    "ConversationStatus",
    "Label",
    "LandingMark",
    "ConversationLabel",
    "CannedReply",
    "ConversationNote",
    "BusinessHours",
    "ActivityHour",
    "ResponseHour",
    "ResolutionHour",
    "ConversationOpening",
    "ReplyWait",
    "TemplateHour",
    "TemplateAwaitingReply",
    "Segment",
    "ApiToken",
    "ApiUsage",
    "HookSubscription",
    "HookDelivery",
]
