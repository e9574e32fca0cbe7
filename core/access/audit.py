"""The audit log: who did what and when. Written by core actions, read by admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from core.access.auth import Actor, Permission, require
from core.models import AuditEntry, utcnow
from core.paging import Page, fetch_page


def record(
    session: Session, actor: Actor | str, action: str, target: str = "", **details: Any
) -> None:
    """Append an entry in the caller's transaction, so the change and its record land together."""
    session.add(
        AuditEntry(actor=_name(actor), action=action, target=target, details=details or None)
    )


@dataclass(frozen=True)
class Entry:
    """One entry of :func:`record_many`."""

    actor: Actor | str
    action: str
    target: str = ""
    details: dict[str, Any] | None = None


def record_many(session: Session, entries: Sequence[Entry]) -> None:
    """Append many entries with one insert, in the caller's transaction: a batch of API sends
    records one entry per message without building an ORM object for each."""
    if not entries:
        return
    now = utcnow()
    session.connection().execute(
        insert(AuditEntry.__table__),  # type: ignore[arg-type]
        [
            {
                "at": now,
                "actor": _name(entry.actor),
                "action": entry.action,
                "target": entry.target,
                "details": entry.details or None,
            }
            for entry in entries
        ],
    )


def _name(actor: Actor | str) -> str:
    return actor if isinstance(actor, str) else actor.username


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def search(
    session: Session, viewer: Actor, filters: AuditFilter, page: int = 1, page_size: int = 50
) -> Page[AuditEntry]:
    """Entries newest first, filtered; one page at a time (the log grows without bound)."""
    require(viewer, Permission.VIEW_AUDIT)
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.since:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until:
        query = query.where(AuditEntry.at < filters.until)
    query = query.order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
    return fetch_page(session, query, page, page_size)


def known_actions(session: Session, viewer: Actor) -> list[str]:
    require(viewer, Permission.VIEW_AUDIT)
    return list(session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
