"""Campaigns: one approved template to thousands of contacts, at WhatsApp's pace, nobody twice.

- Planning reads the audience (CSV/XLSX or existing contacts), maps each template variable to a
  column or a fixed value and reports invalid numbers, duplicates, missing values and opt-outs
  before anything is sent.
- Every recipient is a row (unique per campaign); the runner turns pending recipients into
  outbox messages with an idempotency key per recipient, a couple of seconds of sends ahead of the
  channel's rate, so pause and cancel take effect at once and a restart sends no one twice.
- The outbox sends at the channel's throughput and backs off on 130429 and 131056.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Row, bindparam, func, update
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.conversations import contacts
from core.db import in_row_order, session_scope
from core.errors import UserFacingError
from core.failures import CAMPAIGN_CANCELLED
from core.models import (
    Campaign,
    CampaignRecipient,
    Channel,
    Contact,
    Message,
    MessageStatus,
    OutboundJob,
    WorkspaceTemplate,
    utcnow,
)
from core.outbox.queue import Outgoing, enqueue_many
from core.phones import InvalidPhoneNumber, canonical_wa_id, wa_id_of
from core.templates.library import as_body, sendable_template
from core.templates.messages import PreparedTemplate, TemplateValues
from core.templates.rules import template_variables

if TYPE_CHECKING:
    # pandas reads audiences and only there is it imported: the worker that runs campaigns
    # never loads it (most of a second at start, and some 40,000 objects its garbage collector
    # would otherwise walk again and again)
    import pandas as pd

AHEAD_SECONDS = 2
"""How many seconds of sends the runner queues ahead of the sender (pause reacts this fast)."""

ROUND_SIZE = 200
"""Most recipients queued in one transaction: a round stays a fraction of a second, so the
writers it holds back (on SQLite, the sender recording its sends) and a sender sharing its loop
never wait long. A round also waits until there is room for a second's sends (or a full round):
topping up as each send left kept the runner and the sender busy with rounds of one."""

MAX_AUDIENCE = 200_000


@dataclass(frozen=True)
class Source:
    """Where a variable's value comes from: a column of the audience, or one fixed value."""

    column: str | None = None
    value: str | None = None

    def read(self, row: dict[str, Any]) -> str:
        if self.column is not None:
            raw = row.get(self.column)
            return (
                ""
                if raw is None or (isinstance(raw, float) and math.isnan(raw))
                else str(raw).strip()
            )
        return (self.value or "").strip()

    def to_json(self) -> dict[str, str | None]:
        return {"column": self.column, "value": self.value}


@dataclass(frozen=True)
class Mapping:
    """The audience's number and name columns, and a source per template variable."""

    number_column: str
    name_column: str | None = None
    header: list[Source] = field(default_factory=list)
    body: list[Source] = field(default_factory=list)
    buttons: dict[int, Source] = field(default_factory=dict)
    default_region: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "number_column": self.number_column,
            "name_column": self.name_column,
            "header": [s.to_json() for s in self.header],
            "body": [s.to_json() for s in self.body],
            "buttons": {str(i): s.to_json() for i, s in self.buttons.items()},
            "default_region": self.default_region,
        }


@dataclass(frozen=True)
class PlannedRecipient:
    row: int  # 1-based row of the audience, as a spreadsheet shows it (after the header)
    number: str
    wa_id: str | None
    name: str
    values: dict[str, Any] | None
    skip_reason: str | None


@dataclass(frozen=True)
class Plan:
    recipients: list[PlannedRecipient]

    @property
    def sendable(self) -> list[PlannedRecipient]:
        return [r for r in self.recipients if r.skip_reason is None]

    def skipped_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for recipient in self.recipients:
            if recipient.skip_reason:
                counts[recipient.skip_reason] = counts.get(recipient.skip_reason, 0) + 1
        return counts


def read_audience(content: bytes, filename: str) -> pd.DataFrame:
    """A CSV or XLSX upload as text columns (numbers keep their leading + and zeros)."""
    import pandas as pd  # only where audiences are read: see the imports above

    try:
        if filename.lower().endswith((".xlsx", ".xls")):
            frame = pd.read_excel(io.BytesIO(content), dtype=str)
        else:
            frame = pd.read_csv(io.BytesIO(content), dtype=str, sep=None, engine="python")
    except Exception as exc:  # noqa: BLE001  (any unreadable file is the same answer to the user)
        raise UserFacingError("campaigns.error.unreadable", reason=str(exc)) from exc
    if len(frame) > MAX_AUDIENCE:
        raise UserFacingError("campaigns.error.too_many", maximum=MAX_AUDIENCE)
    return frame


def audience_from_contacts(
    session: Session,
    actor: Actor,
    channel_id: int,
    *,
    active_since: datetime | None = None,
    label: str | None = None,
) -> pd.DataFrame:
    """Existing contacts of a channel, by last activity and label, as an audience."""
    import pandas as pd  # only where audiences are read: see the imports above

    require(actor, Permission.RUN_CAMPAIGNS)
    query = select(Contact.wa_id, Contact.profile_name, Contact.labels).where(
        Contact.channel_id == channel_id
    )
    if active_since is not None:
        query = query.where(Contact.last_inbound_at >= active_since)
    rows = [
        {"number": f"+{wa_id}", "name": name}
        for wa_id, name, labels in session.exec(query.limit(MAX_AUDIENCE))
        if label is None or label in (labels or [])
    ]
    return pd.DataFrame(rows, columns=["number", "name"])


def _workspace(session: Session, workspace_template_id: int) -> WorkspaceTemplate:
    workspace = session.get(WorkspaceTemplate, workspace_template_id)
    if workspace is None:
        raise UserFacingError("templates.error.not_found")
    return workspace


def plan(
    session: Session,
    actor: Actor,
    workspace_template_id: int,
    audience: pd.DataFrame,
    mapping: Mapping,
) -> Plan:
    """Who would be sent what; invalid numbers, duplicates, missing values and opt-outs named."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = _workspace(session, workspace_template_id)
    template = PreparedTemplate.of(as_body(sendable_template(session, workspace)))
    marketing = workspace.category.upper() == "MARKETING"
    if mapping.number_column not in audience.columns:
        raise UserFacingError("campaigns.error.no_column", column=mapping.number_column)
    opted_out = _opted_out(session, workspace.channel_id) if marketing else set()
    seen: set[str] = set()
    planned = []
    for index, row in enumerate(audience.to_dict("records"), start=1):
        planned.append(_plan_one(index, row, mapping, template, seen, opted_out))
    return Plan(recipients=planned)


def _opted_out(session: Session, channel_id: int) -> set[str]:
    return set(
        session.exec(
            select(Contact.wa_id).where(Contact.channel_id == channel_id, Contact.opted_out == True)  # noqa: E712
        )
    )


def _plan_one(
    index: int,
    row: dict[str, Any],
    mapping: Mapping,
    template: PreparedTemplate,
    seen: set[str],
    opted_out: set[str],
) -> PlannedRecipient:
    number = Source(column=mapping.number_column).read(row)
    name = Source(column=mapping.name_column).read(row) if mapping.name_column else ""

    def skip(reason: str, wa_id: str | None = None) -> PlannedRecipient:
        return PlannedRecipient(index, number, wa_id, name, None, reason)

    try:
        wa_id = canonical_wa_id(wa_id_of(number, mapping.default_region))
    except InvalidPhoneNumber:
        return skip("invalid_number")
    if wa_id in seen:
        return skip("duplicate", wa_id)
    seen.add(wa_id)
    if wa_id in opted_out:
        return skip("opted_out", wa_id)
    values = TemplateValues(
        header=[s.read(row) for s in mapping.header],
        body=[s.read(row) for s in mapping.body],
        buttons={i: s.read(row) for i, s in mapping.buttons.items()},
    )
    if template.check(values):
        return skip("missing_value", wa_id)
    stored = {
        "header": list(values.header),
        "body": list(values.body),
        "buttons": {str(k): v for k, v in values.buttons.items()},
    }
    return PlannedRecipient(index, number, wa_id, name, stored, None)


def variables_needed(session: Session, actor: Actor, workspace_template_id: int) -> Any:
    """The variables a campaign must map (header, body, URL buttons)."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = _workspace(session, workspace_template_id)
    return template_variables(as_body(sendable_template(session, workspace)))


def preview_rows(
    session: Session, actor: Actor, workspace_template_id: int, planned: Plan, count: int = 3
) -> list[str]:
    """The first sendable recipients' messages as the customer will read them."""
    require(actor, Permission.RUN_CAMPAIGNS)
    template = as_body(sendable_template(session, _workspace(session, workspace_template_id)))
    prepared = PreparedTemplate.of(template)
    return [prepared.summary(_values(r.values)) for r in planned.sendable[:count]]


def _values(stored: dict[str, Any] | None) -> TemplateValues:
    stored = stored or {}
    return TemplateValues(
        header=stored.get("header", []),
        body=stored.get("body", []),
        buttons={int(k): v for k, v in (stored.get("buttons") or {}).items()},
    )


def create(
    session: Session,
    actor: Actor,
    *,
    name: str,
    workspace_template_id: int,
    planned: Plan,
    mapping: Mapping,
    start_at: datetime | None = None,
) -> Campaign:
    """Store the campaign and every planned recipient (skipped ones with their reason)."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = _workspace(session, workspace_template_id)
    if not name.strip():
        raise UserFacingError("campaigns.error.no_name")
    if not planned.sendable:
        raise UserFacingError("campaigns.error.nobody")
    campaign = Campaign(
        channel_id=workspace.channel_id,
        workspace_template_id=workspace.id,
        name=name.strip(),
        mapping=mapping.to_json(),
        start_at=start_at,
        created_by=actor.username,
    )
    session.add(campaign)
    session.flush()
    session.add_all(
        CampaignRecipient(
            campaign_id=campaign.id,
            wa_id=r.wa_id
            if r.skip_reason in (None, "opted_out", "missing_value")
            else f"{r.skip_reason}:{r.row}",
            name=r.name,
            values=r.values,
            state="skipped" if r.skip_reason else "pending",
            skip_reason=r.skip_reason,
        )
        for r in planned.recipients
    )
    audit.record(session, actor, "campaign.create", campaign.name, recipients=len(planned.sendable))
    session.flush()
    return campaign


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise UserFacingError("campaigns.error.not_found")
    return campaign


def start(
    session: Session, actor: Actor, campaign_id: int, start_at: datetime | None = None
) -> Campaign:
    """Now, or at ``start_at`` (the runner starts it then)."""
    require(actor, Permission.RUN_CAMPAIGNS)
    campaign = _campaign(session, campaign_id)
    if campaign.state not in {"draft", "scheduled", "paused"}:
        raise UserFacingError("campaigns.error.state", state=campaign.state)
    campaign.start_at = start_at or utcnow()
    campaign.state = "scheduled"
    audit.record(session, actor, "campaign.start", campaign.name, at=campaign.start_at.isoformat())
    return campaign


def pause(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    """Stop sending: what is queued but not yet sent is held back."""
    require(actor, Permission.RUN_CAMPAIGNS)
    campaign = _campaign(session, campaign_id)
    if campaign.state not in {"running", "scheduled"}:
        raise UserFacingError("campaigns.error.state", state=campaign.state)
    campaign.state = "paused"
    _move_jobs(session, campaign.id, "queued", "held")
    audit.record(session, actor, "campaign.pause", campaign.name)
    return campaign


def resume(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    require(actor, Permission.RUN_CAMPAIGNS)
    campaign = _campaign(session, campaign_id)
    if campaign.state != "paused":
        raise UserFacingError("campaigns.error.state", state=campaign.state)
    campaign.state = "running"
    _move_jobs(session, campaign.id, "held", "queued")
    audit.record(session, actor, "campaign.resume", campaign.name)
    return campaign


def cancel(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    """Nobody else is sent; what was already sent stays in the report."""
    require(actor, Permission.RUN_CAMPAIGNS)
    campaign = _campaign(session, campaign_id)
    if campaign.state in {"cancelled", "done"}:
        raise UserFacingError("campaigns.error.state", state=campaign.state)
    campaign.state, campaign.finished_at = "cancelled", utcnow()
    _move_jobs(session, campaign.id, "queued", "cancelled")
    _move_jobs(session, campaign.id, "held", "cancelled")
    session.execute(
        update(CampaignRecipient)
        .where(
            col(CampaignRecipient.campaign_id) == campaign.id,
            col(CampaignRecipient.state) == "pending",
        )
        .values(state="cancelled")
    )
    unsent = select(CampaignRecipient.message_id).where(
        CampaignRecipient.campaign_id == campaign.id
    )
    session.execute(
        update(Message)
        .where(col(Message.id).in_(unsent), col(Message.status) == MessageStatus.QUEUED)
        .values(status=MessageStatus.FAILED, error_title=CAMPAIGN_CANCELLED)
    )
    audit.record(session, actor, "campaign.cancel", campaign.name)
    return campaign


def _move_jobs(session: Session, campaign_id: int, from_state: str, to_state: str) -> None:
    messages = select(CampaignRecipient.message_id).where(
        CampaignRecipient.campaign_id == campaign_id, col(CampaignRecipient.message_id).is_not(None)
    )
    session.execute(
        update(OutboundJob)
        .where(col(OutboundJob.state) == from_state, col(OutboundJob.message_id).in_(messages))
        .values(state=to_state)
    )


def run_due(engine: Engine, now: datetime | None = None) -> int:
    """The runner's step: start due campaigns, queue their next recipients, finish done ones."""
    now = now or utcnow()
    queued = 0
    with session_scope(engine) as session:
        due = list(
            session.exec(
                select(Campaign.id)
                .where(col(Campaign.state).in_(["scheduled", "running"]))
                .where(Campaign.start_at <= now)
            )
        )
    for campaign_id in due:
        with session_scope(engine) as session:
            queued += _advance(session, campaign_id, now)
    return queued


def _advance(session: Session, campaign_id: int, now: datetime) -> int:
    campaign = session.exec(
        select(Campaign).where(Campaign.id == campaign_id).with_for_update(skip_locked=True)
    ).first()
    if campaign is None or campaign.state not in {"scheduled", "running"}:
        return 0
    if campaign.state == "scheduled":
        campaign.state, campaign.started_at = "running", now
    channel = session.get(Channel, campaign.channel_id)
    workspace = session.get(WorkspaceTemplate, campaign.workspace_template_id)
    assert channel is not None and workspace is not None
    ahead = max(int(channel.throughput_mps * AHEAD_SECONDS), 10)
    room = ahead - _outstanding(session, campaign.id)
    if room < min(ahead // 2, ROUND_SIZE):  # rounds of a second's sends, not one at a time
        return 0
    room = min(room, ROUND_SIZE)
    pending = _pending(session, campaign.id, room)
    if not pending:
        if _outstanding(session, campaign.id) == 0:
            campaign.state, campaign.finished_at = "done", now
        return 0
    return _queue(session, campaign, channel, workspace, pending, now)


def _queue(
    session: Session,
    campaign: Campaign,
    channel: Channel,
    workspace: WorkspaceTemplate,
    pending: list[Row[Any]],
    now: datetime,
) -> int:
    """A round: each recipient gets a message and its job, or is skipped for having opted out
    since the plan (a marketing template). Returns how many were queued."""
    template = PreparedTemplate.of(as_body(sendable_template(session, workspace)))
    marketing = workspace.category.upper() == "MARKETING"
    keys = {r.id: contacts.contact_key(campaign.channel_id, r.wa_id) for r in pending}
    names = {keys[r.id]: r.name for r in pending}
    reached = contacts.ensure(session, contacts.find(session, names), names, now=now)
    outcomes: dict[int, dict[str, Any]] = {}
    outgoing: list[tuple[int, Outgoing]] = []
    for recipient in pending:
        contact = reached.contact_ids[keys[recipient.id]]
        if marketing and contact in reached.opted_out:  # wrote STOP after the campaign was planned
            outcomes[recipient.id] = _outcome(recipient.id, "skipped", reason="opted_out")
            continue
        values = _values(recipient.values)
        item = Outgoing(
            reached.thread_ids[contact],
            recipient.wa_id,
            "template",
            template.build(values),
            template.summary(values),
            idempotency_key=f"campaign:{campaign.id}:{recipient.id}",
            template_name=workspace.name,
        )
        outgoing.append((recipient.id, item))
    message_ids = enqueue_many(session, channel, [item for _, item in outgoing])
    for (row, _), message_id in zip(outgoing, message_ids, strict=True):
        outcomes[row] = _outcome(row, "queued", message=message_id)
    _mark_recipients(session, outcomes, now)
    return len(message_ids)


RECIPIENTS = CampaignRecipient.__table__.c  # type: ignore[attr-defined]


def _pending(session: Session, campaign_id: int, room: int) -> list[Row[Any]]:
    """The next ``room`` pending recipients (id, wa_id, name, values), locked for this round.

    Rounds read and write plain rows, not models: they queue thousands of recipients a second."""
    return list(
        session.connection().execute(
            select(RECIPIENTS.id, RECIPIENTS.wa_id, RECIPIENTS.name, RECIPIENTS["values"])
            .where(RECIPIENTS.campaign_id == campaign_id, RECIPIENTS.state == "pending")
            .order_by(RECIPIENTS.id)
            .limit(room)
            .with_for_update(skip_locked=True)
        )
    )


def _outcome(
    row: int, state: str, *, reason: str | None = None, message: int | None = None
) -> dict[str, Any]:
    return {"row": row, "state": state, "reason": reason, "message": message}


def _mark_recipients(session: Session, outcomes: dict[int, dict[str, Any]], now: datetime) -> None:
    """Each recipient's outcome of the round (``_outcome``), in one executemany."""
    if outcomes:
        session.connection().execute(
            update(CampaignRecipient.__table__)  # type: ignore[arg-type]
            .where(RECIPIENTS.id == bindparam("row"))
            .values(
                state=bindparam("state"),
                skip_reason=bindparam("reason"),
                message_id=bindparam("message"),
                queued_at=now,
            ),
            in_row_order(outcomes),
        )


def _outstanding(session: Session, campaign_id: int) -> int:
    """Queued recipients whose message has not left yet: their jobs still queued or sending.

    Read from the sender's queue (its ``state`` index) rather than from the campaign's
    recipients, so it costs what is outstanding, not what a campaign of 200,000 has sent."""
    jobs = OutboundJob.__table__.c  # type: ignore[attr-defined]
    of_campaign = (
        select(RECIPIENTS.id)
        .where(RECIPIENTS.message_id == jobs.message_id, RECIPIENTS.campaign_id == campaign_id)
        .exists()
    )
    return (
        session.connection()
        .execute(
            select(func.count())
            .select_from(OutboundJob.__table__)
            .where(jobs.state.in_(["queued", "sending"]), of_campaign)
        )
        .scalar_one()
    )


@dataclass(frozen=True)
class Counts:
    total: int
    pending: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    replied: int
    skipped: dict[str, int]


SENT_OR_LATER = {
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.READ,
    MessageStatus.PLAYED,
}


def counts(session: Session, actor: Actor, campaign_id: int) -> Counts:
    """Live counts: recipients by state, their messages by status, and who replied."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    by_state = dict(
        session.exec(
            select(CampaignRecipient.state, func.count())
            .where(CampaignRecipient.campaign_id == campaign_id)
            .group_by(CampaignRecipient.state)
        ).all()
    )
    skipped = dict(
        session.exec(
            select(CampaignRecipient.skip_reason, func.count())
            .where(
                CampaignRecipient.campaign_id == campaign_id, CampaignRecipient.state == "skipped"
            )
            .group_by(CampaignRecipient.skip_reason)
        ).all()
    )
    statuses: dict[MessageStatus, int] = dict(
        session.exec(
            select(Message.status, func.count())
            .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
            .where(CampaignRecipient.campaign_id == campaign_id)
            .group_by(Message.status)
        ).all()
    )
    delivered = sum(
        statuses.get(s, 0)
        for s in (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED)
    )
    read = sum(statuses.get(s, 0) for s in (MessageStatus.READ, MessageStatus.PLAYED))
    return Counts(
        total=sum(by_state.values()),
        pending=by_state.get("pending", 0),
        queued=statuses.get(MessageStatus.QUEUED, 0) + statuses.get(MessageStatus.SENDING, 0),
        sent=sum(statuses.get(s, 0) for s in SENT_OR_LATER),
        delivered=delivered,
        read=read,
        failed=statuses.get(MessageStatus.FAILED, 0),
        replied=_replied(session, campaign_id),
        skipped={str(k): v for k, v in skipped.items()},
    )


def _replied(session: Session, campaign_id: int) -> int:
    """Recipients who wrote back after their campaign message.

    WhatsApp's timestamps have whole seconds, so a reply within the same second as the send
    counts: the send time is compared without its fraction."""
    sends = (
        select(Message.conversation_id, Message.created_at)
        .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
        .where(CampaignRecipient.campaign_id == campaign_id)
    )
    sent_at = dict(session.exec(sends).all())
    if not sent_at:
        return 0
    latest_reply = dict(
        session.exec(
            select(Message.conversation_id, func.max(Message.created_at))
            .where(Message.direction == "in")
            .where(
                col(Message.conversation_id).in_(
                    sends.with_only_columns(Message.conversation_id).scalar_subquery()
                )
            )
            .group_by(Message.conversation_id)
        ).all()
    )
    return sum(
        1
        for conversation_id, when in sent_at.items()
        if (reply := latest_reply.get(conversation_id)) is not None
        and reply >= when.replace(microsecond=0)
    )


@dataclass(frozen=True)
class Failure:
    code: int | None
    title: str | None
    count: int


def failures(session: Session, actor: Actor, campaign_id: int) -> list[Failure]:
    """Failed sends grouped by WhatsApp's error (the page says each in words)."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    rows = session.exec(
        select(Message.error_code, func.min(Message.error_title), func.count())
        .join(CampaignRecipient, col(CampaignRecipient.message_id) == Message.id)
        .where(CampaignRecipient.campaign_id == campaign_id, Message.status == MessageStatus.FAILED)
        .group_by(Message.error_code)
        .order_by(func.count().desc())
    )
    return [Failure(code, title, count) for code, title, count in rows]


def timeline(
    session: Session, actor: Actor, campaign_id: int, bucket: timedelta = timedelta(minutes=1)
) -> list[tuple[datetime, int]]:
    """Messages queued per time bucket (the report's chart)."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    seconds = bucket.total_seconds()
    found: dict[datetime, int] = {}
    for queued_at in session.exec(
        select(CampaignRecipient.queued_at).where(
            CampaignRecipient.campaign_id == campaign_id,
            col(CampaignRecipient.queued_at).is_not(None),
        )
    ):
        start = datetime.fromtimestamp(
            queued_at.timestamp() // seconds * seconds, tz=queued_at.tzinfo
        )
        found[start] = found.get(start, 0) + 1
    return sorted(found.items())


def get_campaign(session: Session, actor: Actor, campaign_id: int) -> Campaign | None:
    require(actor, Permission.VIEW_CAMPAIGNS)
    return session.get(Campaign, campaign_id)


def list_campaigns(session: Session, actor: Actor, channel_id: int | None = None) -> list[Campaign]:
    require(actor, Permission.VIEW_CAMPAIGNS)
    query = select(Campaign).order_by(col(Campaign.created_at).desc())
    if channel_id:
        query = query.where(Campaign.channel_id == channel_id)
    return list(session.exec(query.limit(200)))


def export_csv(session: Session, actor: Actor, campaign_id: int) -> str:
    """Every recipient with what happened to them, for a spreadsheet."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["number", "name", "state", "skip_reason", "status", "error_code", "error"])
    rows: Iterable[Any] = session.exec(
        select(CampaignRecipient, Message)
        .outerjoin(Message, col(Message.id) == CampaignRecipient.message_id)
        .where(CampaignRecipient.campaign_id == campaign_id)
        .order_by(col(CampaignRecipient.id))
    )
    for recipient, message in rows:
        writer.writerow(
            [
                f"+{recipient.wa_id}" if recipient.wa_id.isdigit() else "",
                recipient.name,
                recipient.state,
                recipient.skip_reason or "",
                message.status.value if message else "",
                message.error_code if message and message.error_code else "",
                message.error_title if message and message.error_title else "",
            ]
        )
    return output.getvalue()
