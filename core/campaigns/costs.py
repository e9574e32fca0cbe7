"""What a campaign actually cost: its delivered messages Meta says it charges, priced by market.

Each status webhook carries ``pricing`` (kept on the message by ``core.conversations.statuses``).
Under per-message pricing Meta charges a delivered template whose ``pricing.type`` is
``regular``; ``free_customer_service`` and ``free_entry_point`` cost nothing. Before July 2025
(``pricing_model`` ``CBP``) there was no ``type`` and ``billable`` said it
(https://developers.facebook.com/docs/whatsapp/pricing,
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status/).
The report shows this next to the estimate.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.campaigns.rates import current_card, market_of
from core.models import Campaign, CampaignRecipient, Message, MessageStatus, WorkspaceTemplate

DELIVERED = (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED)


@dataclass(frozen=True)
class ActualCost:
    currency: str
    charged: int  # delivered messages Meta charges
    free: int  # delivered messages Meta says are free
    total: Decimal  # the charged ones the rate card prices
    unpriced: dict[str, int]  # market -> charged messages the rate card has no figure for


def estimated_cost(session: Session, actor: Actor, campaign_id: int) -> tuple[Decimal, int]:
    """What the campaign's planned recipients cost at the rate card (the estimate, as the
    report shows it next to the actual cost), and how many of them the card cannot price."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    campaign = session.get(Campaign, campaign_id)
    workspace = session.get(WorkspaceTemplate, campaign.workspace_template_id) if campaign else None
    if workspace is None:
        return Decimal(0), 0
    card = current_card(session)
    total, unpriced = Decimal(0), 0
    for wa_id in session.exec(
        select(CampaignRecipient.wa_id).where(
            CampaignRecipient.campaign_id == campaign_id,
            col(CampaignRecipient.state).not_in(["skipped", "cancelled"]),
        )
    ):
        rate = card.rate(market_of(wa_id), workspace.category)
        if rate is None:
            unpriced += 1
        else:
            total += rate
    return total, unpriced


def actual_cost(session: Session, actor: Actor, campaign_id: int) -> ActualCost:
    """The campaign's delivered messages by what Meta says they cost, priced with the card."""
    require(actor, Permission.VIEW_CAMPAIGNS)
    card = current_card(session)
    pricing = Message.content["pricing"]  # type: ignore[index]
    rows = session.exec(
        select(
            CampaignRecipient.wa_id,
            pricing["category"].as_string(),
            pricing["type"].as_string(),
            pricing["billable"].as_boolean(),
        )
        .join(Message, col(Message.id) == CampaignRecipient.message_id)
        .where(
            CampaignRecipient.campaign_id == campaign_id,
            col(Message.status).in_(DELIVERED),
        )
    )
    charged = free = 0
    total = Decimal(0)
    unpriced: dict[str, int] = {}
    for wa_id, category, kind, billable in rows:
        if category is None or kind not in (None, "regular") or billable is False:
            free += category is not None
            continue
        charged += 1
        market = market_of(wa_id)
        rate = card.rate(market, category)
        if rate is None:
            unpriced[market] = unpriced.get(market, 0) + 1
        else:
            total += rate
    return ActualCost(card.currency, charged, free, total, unpriced)
