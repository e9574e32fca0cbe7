"""A campaign's audience and plan: who would be sent what, checked before anything is sent.

The audience is a CSV/XLSX upload or the channel's own contacts (``segments``); a mapping takes each template
variable from a column or a fixed value. The plan names every row that cannot be sent (an invalid
number, a duplicate, a missing value, an opt-out; for a marketing template also a US number and a
person Meta's marketing limit refused in the last 24 hours), so the marketer sees the count
before launch.

- Meta stopped delivering marketing templates to US numbers on April 1, 2025
  (https://developers.facebook.com/docs/whatsapp/cloud-api/guides/send-message-templates#per-user-marketing-template-message-limits).
- A marketing template refused with 131049 ("to maintain healthy ecosystem engagement") means the
  person reached Meta's per-user marketing limit; sending again within a day fails the same way
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.campaigns.rates import region_of
from core.errors import UserFacingError
from core.models import Contact, Conversation, Message, WorkspaceTemplate, utcnow
from core.phones import InvalidPhoneNumber, canonical_wa_id, wa_id_of
from core.templates.anatomy import template_variables
from core.templates.library import as_body
from core.templates.messages import PreparedTemplate
from core.templates.values import TemplateValues
from core.templates.workspace import sendable_template

if TYPE_CHECKING:
    # pandas reads audiences and only there is it imported: the worker that runs campaigns
    # never loads it (most of a second at start, and some 40,000 objects its garbage collector
    # would otherwise walk again and again)
    import pandas as pd

MAX_AUDIENCE = 200_000

MARKETING_LIMIT = 131049
"""Meta's code for a marketing template withheld by its per-user marketing limit."""
MARKETING_LIMIT_MEMORY = timedelta(hours=24)
"""How long a 131049 keeps a person out of a new marketing plan (Meta: try again later)."""
US_REGION = "US"


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


def workspace_template(session: Session, workspace_template_id: int) -> WorkspaceTemplate:
    """The campaign's template from the channel's workspace, or a refusal in words."""
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
    *,
    allow_unavailable: bool = False,
) -> Plan:
    """Who would be sent what; invalid numbers, duplicates, missing values, opt-outs, US numbers
    and recent marketing-limit refusals named.

    With ``allow_unavailable`` a template that cannot be sent now (paused, disabled, not yet
    approved) does not refuse the plan: each otherwise reachable person is named
    ``template_unavailable`` instead, so an estimate still counts the audience."""
    require(actor, Permission.RUN_CAMPAIGNS)
    workspace = workspace_template(session, workspace_template_id)
    template: PreparedTemplate | None
    try:
        template = PreparedTemplate.of(as_body(sendable_template(session, workspace)))
    except UserFacingError:
        if not allow_unavailable:
            raise
        template = None
    marketing = workspace.category.upper() == "MARKETING"
    if mapping.number_column not in audience.columns:
        raise UserFacingError("campaigns.error.no_column", column=mapping.number_column)
    checks = _Checks(
        seen=set(),
        opted_out=_opted_out(session, workspace.channel_id) if marketing else set(),
        limited=_marketing_limited(session, workspace.channel_id) if marketing else set(),
        marketing=marketing,
    )
    planned = []
    for index, row in enumerate(audience.to_dict("records"), start=1):
        planned.append(_plan_one(index, row, mapping, template, checks))
    return Plan(recipients=planned)


@dataclass
class _Checks:
    """What each row is checked against: the numbers seen so far and the channel's lists."""

    seen: set[str]
    opted_out: set[str]
    limited: set[str]
    marketing: bool


def _opted_out(session: Session, channel_id: int) -> set[str]:
    return set(
        session.exec(
            select(Contact.wa_id).where(Contact.channel_id == channel_id, Contact.opted_out == True)  # noqa: E712
        )
    )


def _marketing_limited(session: Session, channel_id: int) -> set[str]:
    """Contacts a marketing template was refused to with 131049 in the last 24 hours."""
    since = utcnow() - MARKETING_LIMIT_MEMORY
    return set(
        session.exec(
            select(Contact.wa_id)
            .join(Conversation, col(Conversation.contact_id) == Contact.id)
            .join(Message, col(Message.conversation_id) == Conversation.id)
            .where(
                Message.channel_id == channel_id,
                Message.error_code == MARKETING_LIMIT,
                col(Message.status_at) >= since,
            )
            .distinct()
        )
    )


def _plan_one(
    index: int,
    row: dict[str, Any],
    mapping: Mapping,
    template: PreparedTemplate | None,
    checks: _Checks,
) -> PlannedRecipient:
    number = Source(column=mapping.number_column).read(row)
    name = Source(column=mapping.name_column).read(row) if mapping.name_column else ""

    def skip(reason: str, wa_id: str | None = None) -> PlannedRecipient:
        return PlannedRecipient(index, number, wa_id, name, None, reason)

    try:
        wa_id = canonical_wa_id(wa_id_of(number, mapping.default_region))
    except InvalidPhoneNumber:
        return skip("invalid_number")
    if wa_id in checks.seen:
        return skip("duplicate", wa_id)
    checks.seen.add(wa_id)
    if wa_id in checks.opted_out:
        return skip("opted_out", wa_id)
    if checks.marketing and region_of(wa_id) == US_REGION:
        return skip("us_marketing", wa_id)
    if wa_id in checks.limited:
        return skip("marketing_limit", wa_id)
    if template is None:
        return skip("template_unavailable", wa_id)
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
    workspace = workspace_template(session, workspace_template_id)
    return template_variables(as_body(sendable_template(session, workspace)))


def preview_rows(
    session: Session, actor: Actor, workspace_template_id: int, planned: Plan, count: int = 3
) -> list[str]:
    """The first sendable recipients' messages as the customer will read them."""
    require(actor, Permission.RUN_CAMPAIGNS)
    template = as_body(
        sendable_template(session, workspace_template(session, workspace_template_id))
    )
    prepared = PreparedTemplate.of(template)
    return [prepared.summary(values_of(r.values)) for r in planned.sendable[:count]]


def values_of(stored: dict[str, Any] | None) -> TemplateValues:
    """A recipient's values as planned (stored as JSON) for the template to be built with."""
    stored = stored or {}
    return TemplateValues(
        header=stored.get("header", []),
        body=stored.get("body", []),
        buttons={int(k): v for k, v in (stored.get("buttons") or {}).items()},
    )
