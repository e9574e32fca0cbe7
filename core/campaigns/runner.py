"""Running campaigns: one approved template to thousands of contacts, at WhatsApp's pace, and
nobody sent twice.

- Every recipient is a row (unique per campaign); the runner turns pending recipients into
  outbox messages with an idempotency key per recipient, a couple of seconds of sends ahead of the
  channel's rate, so pause and cancel take effect at once and a restart sends no one twice.
- A round makes the contacts and conversations its recipients lack, set-wise
  (``core.conversations.contacts``), and skips whoever opted out since the plan.
- The outbox sends at the channel's throughput and backs off on 130429 and 131056.
- A recipient Meta refused with 131049 (its marketing limit) waits and is sent again
  (``core.campaigns.retries``); each attempt is its own outbox message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Integer, Row, bindparam, func, or_, update
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.campaigns import retries, windows
from core.campaigns.audience import Mapping, Plan, values_of, workspace_template
from core.channels import changes
from core.conversations import contacts
from core.db import in_row_order, session_scope
from core.errors import UserFacingError
from core.failures import CAMPAIGN_CANCELLED
from core.hooks.events import Event, emit
from core.models import (
    Campaign,
    CampaignRecipient,
    Channel,
    Message,
    MessageStatus,
    OutboundJob,
    RemoteTemplate,
    UTCDateTime,
    WorkspaceTemplate,
    utcnow,
)
from core.outbox.queue import Outgoing, enqueue_many
from core.templates.library import APPROVED, as_body
from core.templates.messages import PreparedTemplate
from core.templates.workspace import sendable_template

AHEAD_SECONDS = 2
"""How many seconds of sends the runner queues ahead of the sender (pause reacts this fast)."""

ROUND_SIZE = 200
"""Most recipients queued in one transaction: a round stays a fraction of a second, so the
writers it holds back (on SQLite, the sender recording its sends) and a sender sharing its loop
never wait long. A round also waits until there is room for a second's sends (or a full round):
topping up as each send left kept the runner and the sender busy with rounds of one."""


def create(
    session: Session,
    actor: Actor,
    *,
    name: str,
    workspace_template_id: int,
    planned: Plan,
    mapping: Mapping,
    start_at: datetime | None = None,
    retry_delays: list[float] | None = None,
    retarget_of: int | None = None,
    window: tuple[str, str] | None = None,
) -> Campaign:
    """Store the campaign and every planned recipient (skipped ones with their reason).

    ``retry_delays``: hours to wait after each 131049 before trying again (None: the default,
    ``retries.DEFAULT_RETRY_HOURS``; ``[]``: never). ``window``: from and until, "HH:MM" in each
    recipient's local time (``core.campaigns.windows``); None: any time."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = workspace_template(session, workspace_template_id)
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
        retry_delays=retry_delays,
        retarget_of=retarget_of,
        send_from=windows.parse_time(window[0]) if window else None,
        send_until=windows.parse_time(window[1]) if window else None,
    )
    session.add(campaign)
    session.flush()
    session.add_all(
        CampaignRecipient(
            campaign_id=campaign.id,
            wa_id=r.wa_id
            if r.wa_id is not None and r.skip_reason != "duplicate"
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
    """The campaign a user is about to start, pause, resume or cancel: its progress shows the
    change in every open tab."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise UserFacingError("campaigns.error.not_found")
    changes.note(session, campaign.channel_id)
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
    campaign.held_reason = None  # the next round holds it again if its template still says so
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
            col(CampaignRecipient.state).in_(WAITING),
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
        retries.schedule(session, now)
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
        changes.note(session, campaign.channel_id)
    channel = session.get(Channel, campaign.channel_id)
    workspace = session.get(WorkspaceTemplate, campaign.workspace_template_id)
    assert channel is not None and workspace is not None
    if not _template_lets_it_send(session, campaign, workspace):
        return 0
    ahead = max(int(channel.throughput_mps * AHEAD_SECONDS), 10)
    room = ahead - _outstanding(session, campaign.id)
    if room < min(ahead // 2, ROUND_SIZE):  # rounds of a second's sends, not one at a time
        return 0
    room = min(room, ROUND_SIZE)
    pending = _pending(session, campaign.id, room, now)
    if not pending:
        if _outstanding(session, campaign.id) == 0 and not _waiting(session, campaign.id):
            _finish_once(session, campaign, now)
        return 0
    return _queue(session, campaign, channel, workspace, pending, now)


def _finish_once(session: Session, campaign: Campaign, now: datetime) -> None:
    """Mark the campaign done and announce it, once. Two workers may both have read it running
    (SQLite takes no row lock on a read; a PostgreSQL worker may hold a copy read before another
    committed): the state moves only where the store still says running, and only the worker
    that moved it says ``campaign.finished``."""
    session.flush()  # the round's own changes first (say, scheduled -> running)
    moved = session.connection().execute(
        update(Campaign)
        .where(col(Campaign.id) == campaign.id, col(Campaign.state) == "running")
        .values(state="done", finished_at=now)
    )
    session.expire(campaign)
    if moved.rowcount == 1:
        changes.note(session, campaign.channel_id)
        emit(session, [_finished(campaign)])


def _template_lets_it_send(
    session: Session, campaign: Campaign, workspace: WorkspaceTemplate
) -> bool:
    """A campaign whose template Meta paused or disabled (or that is otherwise not approved)
    holds itself: what it queued waits, and ``held_reason`` says why. Once the template is
    approved again (a paused one is, after some hours) it goes on where it stopped."""
    remote = (
        session.get(RemoteTemplate, workspace.remote_template_id)
        if workspace.remote_template_id
        else None
    )
    status = remote.status if remote is not None else None
    if status == APPROVED:
        if campaign.held_reason:
            campaign.held_reason = None
            _move_jobs(session, campaign.id, "held", "queued")
        return True
    reason = status or "MISSING"
    if campaign.held_reason != reason:
        campaign.held_reason = reason
        _move_jobs(session, campaign.id, "queued", "held")
    return False


def _queue(
    session: Session,
    campaign: Campaign,
    channel: Channel,
    workspace: WorkspaceTemplate,
    pending: list[Row[Any]],
    now: datetime,
) -> int:
    """A round: each recipient gets a message and its job, or is skipped for having opted out
    since the plan (a marketing template), or waits for their sending window to open. Returns
    how many were queued."""
    template = PreparedTemplate.of(as_body(sendable_template(session, workspace)))
    marketing = workspace.category.upper() == "MARKETING"
    keys = {r.id: contacts.contact_key(campaign.channel_id, r.wa_id) for r in pending}
    names = {keys[r.id]: r.name for r in pending}
    reached = contacts.ensure(session, contacts.find(session, names), names, now=now)
    outcomes: dict[int, dict[str, Any]] = {}
    outgoing: list[tuple[int, Outgoing]] = []
    for recipient in pending:
        opens = _window_opens(campaign, recipient.wa_id, now)
        if opens is not None:  # outside the person's sending window: later, still pending
            outcomes[recipient.id] = _outcome(recipient.id, "pending", due=opens)
            continue
        contact = reached.contact_ids[keys[recipient.id]]
        if marketing and contact in reached.opted_out:  # wrote STOP after the campaign was planned
            outcomes[recipient.id] = _outcome(recipient.id, "skipped", reason="opted_out")
            continue
        values = values_of(recipient.values)
        item = Outgoing(
            reached.thread_ids[contact],
            recipient.wa_id,
            "template",
            template.build(values),
            template.summary(values),
            idempotency_key=f"campaign:{campaign.id}:{recipient.id}"
            + (f":{recipient.attempts + 1}" if recipient.attempts else ""),
            template_name=workspace.name,
        )
        outgoing.append((recipient.id, item))
    message_ids = enqueue_many(session, channel, [item for _, item in outgoing])
    for (row, _), message_id in zip(outgoing, message_ids, strict=True):
        outcomes[row] = _outcome(row, "queued", message=message_id)
    _mark_recipients(session, outcomes, now)
    return len(message_ids)


RECIPIENTS = CampaignRecipient.__table__.c  # type: ignore[attr-defined]


WAITING = ("pending", "retry")
"""Recipients still to be sent: not yet, or again after a 131049 once their ``due_at`` comes."""


def _finished(campaign: Campaign) -> Event:
    """``campaign.finished``: its last recipient's message has left (see ``core.hooks``)."""
    return Event(
        "campaign.finished",
        f"campaign:{campaign.id}",
        {"campaign_id": campaign.id, "name": campaign.name, "channel_id": campaign.channel_id},
    )


def _pending(session: Session, campaign_id: int, room: int, now: datetime) -> list[Row[Any]]:
    """The next ``room`` recipients due now (id, wa_id, name, values, attempts), locked for this
    round.

    Rounds read and write plain rows, not models: they queue thousands of recipients a second."""
    return list(
        session.connection().execute(
            select(
                RECIPIENTS.id,
                RECIPIENTS.wa_id,
                RECIPIENTS.name,
                RECIPIENTS["values"],
                RECIPIENTS.attempts,
            )
            .where(RECIPIENTS.campaign_id == campaign_id, RECIPIENTS.state.in_(WAITING))
            .where(or_(RECIPIENTS.due_at.is_(None), RECIPIENTS.due_at <= now))
            .order_by(RECIPIENTS.id)
            .limit(room)
            .with_for_update(skip_locked=True)
        )
    )


def _waiting(session: Session, campaign_id: int) -> bool:
    """Whether anyone is still to be sent, due now or later."""
    return (
        session.connection()
        .execute(
            select(RECIPIENTS.id)
            .where(RECIPIENTS.campaign_id == campaign_id, RECIPIENTS.state.in_(WAITING))
            .limit(1)
        )
        .first()
        is not None
    )


def _window_opens(campaign: Campaign, wa_id: str, now: datetime) -> datetime | None:
    if not campaign.send_from or not campaign.send_until:
        return None
    return windows.next_opening(wa_id, campaign.send_from, campaign.send_until, now)


def _outcome(
    row: int,
    state: str,
    *,
    reason: str | None = None,
    message: int | None = None,
    due: datetime | None = None,
) -> dict[str, Any]:
    return {
        "row": row,
        "state": state,
        "reason": reason,
        "message": message,
        "sent": 0 if message is None else 1,
        "due": due,
    }


def _mark_recipients(session: Session, outcomes: dict[int, dict[str, Any]], now: datetime) -> None:
    """Each recipient's outcome of the round (``_outcome``), in one executemany. One who waits for
    their window keeps their last message (a 131049 retry's) and is not counted as queued."""
    for outcome in outcomes.values():
        outcome["at"] = None if outcome["state"] == "pending" else now
    if outcomes:
        session.connection().execute(
            update(CampaignRecipient.__table__)  # type: ignore[arg-type]
            .where(RECIPIENTS.id == bindparam("row"))
            .values(
                state=bindparam("state"),
                skip_reason=bindparam("reason"),
                message_id=func.coalesce(
                    bindparam("message", type_=Integer), RECIPIENTS.message_id
                ),
                queued_at=func.coalesce(bindparam("at", type_=UTCDateTime), RECIPIENTS.queued_at),
                attempts=RECIPIENTS.attempts + bindparam("sent", type_=Integer),
                due_at=bindparam("due", type_=UTCDateTime),
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
