"""How each template did in a period: sent, delivered, read, replied, button presses, failures
said in words; and the same as CSV.

Sends and statuses are counted from a partial index that holds only template messages (by time,
with channel, name and status), never from the rows themselves: statuses never move backwards,
so a read message is also delivered. Replies and button presses are kept as the customers'
messages arrive (``core.reports.recording``), under the hour the template was sent; a template
is *replied* when the customer's next message in its conversation came before any other of ours
(a quick-reply press is such a message).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from core.access.auth import Actor, Permission, require
from core.d360.errors import class_for_code
from core.failures import describe
from core.i18n import t
from core.models import Message, MessageStatus, TemplateHour
from core.reports.periods import Period
from core.reports.summary import in_period

DELIVERED = frozenset({MessageStatus.DELIVERED, MessageStatus.READ, MessageStatus.PLAYED})
READ = frozenset({MessageStatus.READ, MessageStatus.PLAYED})
MESSAGES = Message.__table__.c  # type: ignore[attr-defined]
TEMPLATE_HOURS = TemplateHour.__table__.c  # type: ignore[attr-defined]


@dataclass
class TemplateFigures:
    name: str
    sent: int = 0
    delivered: int = 0
    read: int = 0
    replied: int = 0
    clicks: int = 0
    failed: int = 0
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
    figures: dict[str, TemplateFigures] = {}
    for name, status, count in session.connection().execute(
        select(MESSAGES.template_name, MESSAGES.status, func.count())
        .where(*_template_messages(period, channel_id))
        .group_by(MESSAGES.template_name, MESSAGES.status)
    ):
        item = figures.setdefault(name, TemplateFigures(name))
        item.sent += count
        item.delivered += count if status in DELIVERED else 0
        item.read += count if status in READ else 0
        item.failed += count if status == MessageStatus.FAILED else 0
    for name, replied, clicks in session.connection().execute(
        select(
            TEMPLATE_HOURS.template_name,
            func.sum(TEMPLATE_HOURS.replied),
            func.sum(TEMPLATE_HOURS.clicks),
        )
        .where(*in_period(TEMPLATE_HOURS, period, channel_id))
        .group_by(TEMPLATE_HOURS.template_name)
    ):
        if name in figures:
            figures[name].replied, figures[name].clicks = int(replied), int(clicks)
    for name, failures in _failures(session, period, channel_id, language).items():
        figures[name].failures = failures
    return sorted(figures.values(), key=lambda item: (-item.sent, item.name))


def _template_messages(period: Period, channel_id: int | None) -> list:  # type: ignore[type-arg]
    """Our template messages of the period (the conditions the partial index serves)."""
    conditions = [
        MESSAGES.template_name.is_not(None),
        MESSAGES.created_at >= period.start,
        MESSAGES.created_at < period.end,
    ]
    if channel_id is not None:
        conditions.append(MESSAGES.channel_id == channel_id)
    return conditions


def _failures(
    session: Session, period: Period, channel_id: int | None, language: str | None
) -> dict[str, list[tuple[str, int]]]:
    """Failed template messages per template, grouped by what the reader is told.

    Counted by error code from the index; only a failure whose code we have no words for (or no
    code: a reason of ours) has its stored title read, which then says it."""
    words: dict[str, dict[str, int]] = {}
    failed = [*_template_messages(period, channel_id), MESSAGES.status == MessageStatus.FAILED]
    for name, code, count in session.connection().execute(
        select(MESSAGES.template_name, MESSAGES.error_code, func.count())
        .where(*failed)
        .group_by(MESSAGES.template_name, MESSAGES.error_code)
    ):
        if code is not None and class_for_code(code) is not None:
            titles = [(None, count)]
        else:
            titles = (
                session.connection()
                .execute(
                    select(MESSAGES.error_title, func.count())
                    .where(*failed, MESSAGES.template_name == name, _same_code(code))
                    .group_by(MESSAGES.error_title)
                )
                .all()
            )
        per_template = words.setdefault(name, {})
        for title, times in titles:
            said = (
                describe(code, title, language)
                if (code or title)
                else t("reports.no_reason", language)
            )
            per_template[said] = per_template.get(said, 0) + int(times)
    return {
        name: sorted(counts.items(), key=lambda item: -item[1]) for name, counts in words.items()
    }


def _same_code(code: int | None) -> ColumnElement[bool]:
    return MESSAGES.error_code.is_(None) if code is None else MESSAGES.error_code == code


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
