"""Before sending: how many a campaign will reach, who it leaves out and why, and what it costs.

The estimate is the plan (``audience.plan``) priced with the rate card (``rates``): each reachable
person is charged their market's rate for the template's category, as Meta charges a delivered
template (https://developers.facebook.com/docs/whatsapp/pricing). A market the card has no figure
for is counted and named, never priced. Against the channel's messaging limit (unique people a
number may start conversations with in 24 hours,
https://developers.facebook.com/docs/whatsapp/messaging-limits) it says over how many days the
audience has to be spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from core.access.auth import Actor, Permission, require
from core.campaigns.audience import Mapping, Plan, plan, workspace_template
from core.campaigns.rates import RateCard, current_card, market_of
from core.models import Channel

if TYPE_CHECKING:
    import pandas as pd

EXCLUSIONS = (
    "invalid",
    "duplicate",
    "opted_out",
    "us_marketing",
    "marketing_limit",
    "template_unavailable",
    "missing_value",
)
"""Why a person is left out, in the order the planning report lists them."""

_PLAN_REASON = {"invalid_number": "invalid"}


@dataclass(frozen=True)
class MarketCost:
    count: int
    rate: Decimal | None  # None: the rate card has no figure for this market
    amount: Decimal | None


@dataclass(frozen=True)
class Estimate:
    recipients: int
    reachable: int
    excluded: dict[str, int]
    category: str
    currency: str
    by_market: dict[str, MarketCost]
    card: RateCard
    messaging_limit: int | None

    @property
    def total(self) -> Decimal:
        """The cost of the priced markets (``unpriced`` lists the others)."""
        return sum((c.amount for c in self.by_market.values() if c.amount is not None), Decimal(0))

    @property
    def unpriced(self) -> list[str]:
        return sorted(m for m, c in self.by_market.items() if c.rate is None)

    @property
    def days(self) -> int:
        """Days of sending the messaging limit needs for the reachable audience (1 if it fits)."""
        if not self.messaging_limit or self.reachable <= self.messaging_limit:
            return 1
        return math.ceil(self.reachable / self.messaging_limit)

    def to_json(self) -> dict[str, Any]:
        return {
            "recipients": self.recipients,
            "reachable": self.reachable,
            "excluded": self.excluded,
            "category": self.category,
            "cost": {
                "currency": self.currency,
                "total": str(self.total),
                "by_market": {
                    market: {
                        "count": cost.count,
                        "rate": None if cost.rate is None else str(cost.rate),
                        "amount": None if cost.amount is None else str(cost.amount),
                    }
                    for market, cost in sorted(self.by_market.items())
                },
                "unpriced_markets": self.unpriced,
            },
            "rate_card": {
                "effective_date": self.card.effective_date,
                "source": self.card.source,
            },
            "messaging_limit": {"limit": self.messaging_limit, "days": self.days},
        }


def price(session: Session, planned: Plan, category: str, channel: Channel | None) -> Estimate:
    """Price a plan that is already made (the page keeps its plan; the CLI makes one)."""
    card = current_card(session)
    excluded = dict.fromkeys(EXCLUSIONS, 0)
    for reason, count in planned.skipped_by_reason().items():
        key = _PLAN_REASON.get(reason, reason)
        excluded[key] = excluded.get(key, 0) + count
    counts: dict[str, int] = {}
    for recipient in planned.sendable:
        market = market_of(recipient.wa_id or "")
        counts[market] = counts.get(market, 0) + 1
    by_market = {}
    for market, count in counts.items():
        rate = card.rate(market, category)
        by_market[market] = MarketCost(count, rate, None if rate is None else rate * count)
    return Estimate(
        recipients=len(planned.recipients),
        reachable=len(planned.sendable),
        excluded=excluded,
        category=category,
        currency=card.currency,
        by_market=by_market,
        card=card,
        messaging_limit=channel.messaging_limit if channel else None,
    )


def of_plan(session: Session, actor: Actor, workspace_template_id: int, planned: Plan) -> Estimate:
    """The estimate of a plan the page already made (no second pass over the audience)."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = workspace_template(session, workspace_template_id)
    channel = session.get(Channel, workspace.channel_id)
    return price(session, planned, workspace.category.lower(), channel)


def estimate(
    session: Session,
    actor: Actor,
    workspace_template_id: int,
    audience: pd.DataFrame,
    mapping: Mapping,
) -> Estimate:
    """The planning report's reach and cost for a template and an audience; nothing is sent."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = workspace_template(session, workspace_template_id)
    planned = plan(session, actor, workspace_template_id, audience, mapping, allow_unavailable=True)
    return of_plan(session, actor, workspace.id, planned)
