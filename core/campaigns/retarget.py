"""Retarget in one click: a new campaign for the people of a past one who did not read it, whose
message failed, or who replied, with the same template or another.

The new campaign's audience is those people with the values they were sent (columns
``header.N``, ``body.N``, ``button.N``), so the same template needs no mapping again; another
template takes each variable from the column of the same place, or is refused per person with
``missing_value`` in its plan. It is created as a draft: nothing is sent until it is started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.campaigns import runner
from core.campaigns.audience import Mapping, Source, plan, workspace_template
from core.campaigns.report import repliers
from core.errors import UserFacingError
from core.models import Campaign, CampaignRecipient, Message, MessageStatus
from core.templates.anatomy import template_variables
from core.templates.library import as_body
from core.templates.workspace import sendable_template

if TYPE_CHECKING:
    import pandas as pd

WHO = ("not_read", "failed", "replied")
"""Whom a retarget reaches: sent but never read, failed (or given up), or wrote back."""

NOT_READ = (MessageStatus.SENT, MessageStatus.DELIVERED)


def people(session: Session, actor: Actor, campaign_id: int, who: str) -> pd.DataFrame:
    """The past campaign's recipients of one kind, as an audience (``number``, ``name`` and the
    values they were sent)."""
    import pandas as pd  # only where audiences are made (see ``core.campaigns.audience``)

    require(actor, Permission.RUN_CAMPAIGNS)
    if who not in WHO:
        raise UserFacingError("campaigns.retarget.error.who")
    query = (
        select(CampaignRecipient.wa_id, CampaignRecipient.name, CampaignRecipient.values)
        .join(Message, col(Message.id) == CampaignRecipient.message_id)
        .where(CampaignRecipient.campaign_id == campaign_id)
        .order_by(col(CampaignRecipient.id))
    )
    if who == "not_read":
        query = query.where(col(Message.status).in_(NOT_READ))
    elif who == "failed":
        query = query.where(Message.status == MessageStatus.FAILED)
    else:
        query = query.where(col(Message.conversation_id).in_(repliers(session, campaign_id)))
    rows = [
        {"number": f"+{wa_id}", "name": name, **_columns(values)}
        for wa_id, name, values in session.exec(query)
    ]
    return pd.DataFrame(rows, columns=_all_columns(rows))


def _columns(values: dict[str, Any] | None) -> dict[str, str]:
    values = values or {}
    found = {f"header.{i}": v for i, v in enumerate(values.get("header") or [], start=1)}
    found |= {f"body.{i}": v for i, v in enumerate(values.get("body") or [], start=1)}
    found |= {f"button.{k}": v for k, v in (values.get("buttons") or {}).items()}
    return found


def _all_columns(rows: list[dict[str, str]]) -> list[str]:
    names = ["number", "name"]
    for row in rows:
        names += [key for key in row if key not in names]
    return names


def _mapping(session: Session, workspace_template_id: int) -> Mapping:
    """Each variable of the template from the column of the same place."""
    workspace = workspace_template(session, workspace_template_id)
    needed = template_variables(as_body(sendable_template(session, workspace)))
    return Mapping(
        number_column="number",
        name_column="name",
        header=[Source(column=f"header.{i}") for i in range(1, len(needed.header) + 1)],
        body=[Source(column=f"body.{i}") for i in range(1, len(needed.body) + 1)],
        buttons={i: Source(column=f"button.{i}") for i in needed.buttons},
    )


def retarget(
    session: Session,
    actor: Actor,
    campaign_id: int,
    who: str,
    *,
    workspace_template_id: int | None = None,
    name: str | None = None,
) -> Campaign:
    """A draft campaign for the past campaign's ``who`` (same template unless another is given)."""
    require(actor, Permission.RUN_CAMPAIGNS)
    past = session.get(Campaign, campaign_id)
    if past is None:
        raise UserFacingError("campaigns.error.not_found")
    template_id = workspace_template_id or past.workspace_template_id
    audience = people(session, actor, campaign_id, who)
    if audience.empty:
        raise UserFacingError("campaigns.retarget.error.nobody")
    mapping = _mapping(session, template_id)
    planned = plan(session, actor, template_id, audience, mapping)
    campaign = runner.create(
        session,
        actor,
        name=name or f"{past.name} · {who}",
        workspace_template_id=template_id,
        planned=planned,
        mapping=mapping,
        retry_delays=past.retry_delays,
        retarget_of=past.id,
    )
    audit.record(session, actor, "campaign.retarget", campaign.name, of=past.name, who=who)
    return campaign
