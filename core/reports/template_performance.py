"""How each template did in a period: sent, delivered, read, replied, button clicks, failures
said in words; and the same as CSV.

Indexed SQL over the template messages themselves (a partial index holds only them, by time):
their statuses never move backwards, so a read message is also delivered. A template is
*replied* when the next message in its conversation is the customer's (before any other message
of ours), or when the customer pressed one of its buttons: a quick-reply press arrives as a
``button`` message whose ``context`` names the template's message
(https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.access.auth import Actor, Permission, require
from core.failures import describe
from core.i18n import t
from core.models import Message, MessageStatus
from core.reports.periods import Period

DELIVERED = (MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED)
READ = (MessageStatus.READ, MessageStatus.PLAYED)
BUTTON_TYPES = ("button", "interactive")


@dataclass(frozen=True)
class TemplateFigures:
    name: str
    sent: int
    delivered: int
    read: int
    replied: int
    clicks: int
    failed: int
    failures: list[tuple[str, int]] = field(default_factory=list)
    """Why they failed, in the reader's words, most frequent first."""

    def rate(self, count: int) -> float | None:
        return count / self.sent if self.sent else None


def performance(
    session: Session,
    actor: Actor,
    period: Period,
    channel_id: int | None = None,
    language: str | None = None,
) -> list[TemplateFigures]:
    """Every template sent in ``period``, most sent first."""
    require(actor, Permission.VIEW_REPORTS)
    sent = aliased(Message, name="sent")
    later = aliased(Message, name="later")
    reply = aliased(Message, name="reply")
    next_direction = (
        select(later.direction)
        .where(later.conversation_id == sent.conversation_id, later.created_at > sent.created_at)
        .order_by(later.created_at)
        .limit(1)
        .scalar_subquery()
    )
    clicks = (
        select(func.count())
        .where(
            reply.channel_id == sent.channel_id,
            reply.reply_to_wa_id == sent.wa_message_id,
            reply.direction == "in",
            reply.type.in_(BUTTON_TYPES),  # type: ignore[attr-defined]
        )
        .scalar_subquery()
    )
    each = (
        select(
            sent.template_name.label("name"),  # type: ignore[union-attr]
            sent.status.label("status"),  # type: ignore[attr-defined]
            next_direction.label("next_direction"),
            clicks.label("clicks"),
        )
        .where(*_template_messages(sent, period, channel_id))
        .subquery()
    )

    def count_of(condition: object) -> object:
        return func.sum(case((condition, 1), else_=0))  # type: ignore[arg-type]

    rows = session.connection().execute(
        select(
            each.c.name,
            func.count().label("sent"),
            count_of(each.c.status.in_(DELIVERED)).label("delivered"),
            count_of(each.c.status.in_(READ)).label("read"),
            count_of(or_(each.c.next_direction == "in", each.c.clicks > 0)).label("replied"),
            func.sum(each.c.clicks).label("clicks"),
            count_of(each.c.status == MessageStatus.FAILED).label("failed"),
        ).group_by(each.c.name)
    )
    failures = _failures(session, period, channel_id, language)
    figures = [
        TemplateFigures(
            row.name,
            int(row.sent),
            int(row.delivered),
            int(row.read),
            int(row.replied),
            int(row.clicks or 0),
            int(row.failed),
            failures.get(row.name, []),
        )
        for row in rows
    ]
    return sorted(figures, key=lambda item: (-item.sent, item.name))


def _template_messages(message: type[Message], period: Period, channel_id: int | None) -> list:  # type: ignore[type-arg]
    """Our template messages of the period (the conditions the partial index serves)."""
    conditions = [
        message.template_name.is_not(None),  # type: ignore[union-attr]
        message.created_at >= period.start,
        message.created_at < period.end,
        message.direction == "out",
    ]
    if channel_id is not None:
        conditions.append(message.channel_id == channel_id)
    return conditions


def _failures(
    session: Session, period: Period, channel_id: int | None, language: str | None
) -> dict[str, list[tuple[str, int]]]:
    """Failed template messages per template, grouped by what the reader is told."""
    rows = session.connection().execute(
        select(Message.template_name, Message.error_code, Message.error_title, func.count())  # type: ignore[call-overload]
        .where(*_template_messages(Message, period, channel_id))
        .where(Message.status == MessageStatus.FAILED)
        .group_by(Message.template_name, Message.error_code, Message.error_title)
    )
    words: dict[str, dict[str, int]] = {}
    for name, code, title, count in rows:
        said = (
            describe(code, title, language) if (code or title) else t("reports.no_reason", language)
        )
        per_template = words.setdefault(name, {})
        per_template[said] = per_template.get(said, 0) + int(count)
    return {
        name: sorted(counts.items(), key=lambda item: -item[1]) for name, counts in words.items()
    }


COLUMNS = ("template", "sent", "delivered", "read", "replied", "clicks", "failed", "failures")


def as_csv(figures: list[TemplateFigures], language: str | None = None) -> str:
    """The table as CSV, headed in the reader's language."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow([t(f"reports.templates.{column}", language) for column in COLUMNS])
    for item in figures:
        failures = "; ".join(f"{said} ({count})" for said, count in item.failures)
        writer.writerow(
            [
                item.name,
                item.sent,
                item.delivered,
                item.read,
                item.replied,
                item.clicks,
                item.failed,
                failures,
            ]
        )
    return output.getvalue()


def as_records(figures: list[TemplateFigures]) -> list[dict[str, object]]:
    """The table for ``--json``."""
    return [
        {
            "template": item.name,
            "sent": item.sent,
            "delivered": item.delivered,
            "read": item.read,
            "replied": item.replied,
            "clicks": item.clicks,
            "failed": item.failed,
            "failures": [{"reason": said, "count": count} for said, count in item.failures],
        }
        for item in figures
    ]
