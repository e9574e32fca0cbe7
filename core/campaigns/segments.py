"""Segments: a channel's contacts chosen by conditions, saved by name, as a campaign audience
besides an uploaded file.

A segment is a list of conditions that must all hold, each ``{"kind": ..., "value": ...}``.
Each kind is one entry of ``CONDITIONS``: a narrowing of the contacts query (done by the
database) or a test of one contact's row (for what is stored as JSON, like labels). Conversation
labels and contact attributes are kinds to add there when their tables exist; a stored kind this
version does not know is refused in words, never ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.campaigns.audience import MAX_AUDIENCE
from core.errors import UserFacingError
from core.models import Contact, Segment, utcnow

if TYPE_CHECKING:
    import pandas as pd
    from sqlmodel.sql.expression import SelectOfScalar


@dataclass(frozen=True)
class Condition:
    """How one kind of condition chooses contacts: ``narrow`` changes the query, ``keeps``
    tests a row (wa_id, name, labels); either may be None."""

    narrow: Callable[[Any, Any], Any] | None = None
    keeps: Callable[[tuple[str, str, list[str] | None], Any], bool] | None = None


def _active_within(query: SelectOfScalar[Any], days: Any) -> Any:
    return query.where(col(Contact.last_inbound_at) >= utcnow() - timedelta(days=int(days)))


def _inactive_for(query: SelectOfScalar[Any], days: Any) -> Any:
    since = utcnow() - timedelta(days=int(days))
    return query.where(
        (col(Contact.last_inbound_at) < since) | col(Contact.last_inbound_at).is_(None)
    )


def _has_label(row: tuple[str, str, list[str] | None], label: Any) -> bool:
    return str(label) in (row[2] or [])


def _not_opted_out(query: SelectOfScalar[Any], wanted: Any) -> Any:
    return query.where(Contact.opted_out == False) if wanted else query  # noqa: E712


CONDITIONS: dict[str, Condition] = {
    "label": Condition(keeps=_has_label),
    "active_within_days": Condition(narrow=_active_within),
    "inactive_for_days": Condition(narrow=_inactive_for),
    "not_opted_out": Condition(narrow=_not_opted_out),
}


def check(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions as stored, or a refusal naming a kind or value that cannot be used."""
    checked = []
    for condition in conditions:
        kind, value = condition.get("kind"), condition.get("value")
        if kind not in CONDITIONS:
            raise UserFacingError("campaigns.segment.error.kind", kind=str(kind))
        if kind.endswith("_days") and (not str(value).isdigit() or int(value) <= 0):
            raise UserFacingError("campaigns.segment.error.days", value=str(value))
        if kind == "label" and not str(value or "").strip():
            raise UserFacingError("campaigns.segment.error.label")
        checked.append({"kind": kind, "value": value})
    return checked


def contacts(
    session: Session, actor: Actor, channel_id: int, conditions: list[dict[str, Any]]
) -> pd.DataFrame:
    """The channel's contacts meeting every condition, as an audience (``number``, ``name``)."""
    import pandas as pd  # only where audiences are made (see ``core.campaigns.audience``)

    require(actor, Permission.RUN_CAMPAIGNS)
    conditions = check(conditions)
    query: Any = select(Contact.wa_id, Contact.profile_name, Contact.labels).where(
        Contact.channel_id == channel_id
    )
    tests = []
    for condition in conditions:
        kind = CONDITIONS[condition["kind"]]
        if kind.narrow is not None:
            query = kind.narrow(query, condition["value"])
        if kind.keeps is not None:
            tests.append((kind.keeps, condition["value"]))
    rows = [
        {"number": f"+{row[0]}", "name": row[1] or ""}
        for row in session.exec(query.order_by(col(Contact.id)).limit(MAX_AUDIENCE))
        if all(keeps(row, value) for keeps, value in tests)
    ]
    return pd.DataFrame(rows, columns=["number", "name"])


def save(
    session: Session, actor: Actor, channel_id: int, name: str, conditions: list[dict[str, Any]]
) -> Segment:
    """Save (or replace) a named segment of the channel; audited."""
    require(actor, Permission.RUN_CAMPAIGNS)
    if not name.strip():
        raise UserFacingError("campaigns.segment.error.name")
    segment = session.exec(
        select(Segment).where(Segment.channel_id == channel_id, Segment.name == name.strip())
    ).first() or Segment(channel_id=channel_id, name=name.strip(), created_by=actor.username)
    segment.conditions = check(conditions)
    session.add(segment)
    audit.record(session, actor, "segment.save", segment.name, conditions=segment.conditions)
    session.flush()
    return segment


def saved(session: Session, actor: Actor, channel_id: int) -> list[Segment]:
    require(actor, Permission.RUN_CAMPAIGNS)
    return list(
        session.exec(
            select(Segment).where(Segment.channel_id == channel_id).order_by(col(Segment.name))
        )
    )
