"""The home page's overview, per role: each part is there only for a role that may read it
(message figures for reports' readers, who waits for everyone who reads conversations, templates
and campaigns for those who read them)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.reports import response_times, summary
from core.reports.periods import Period
from core.reports.summary import Traffic, Waiting


@dataclass(frozen=True)
class Overview:
    period: Period
    traffic: Traffic | None
    previous: Traffic | None
    """The same figures for the period just before, to compare."""
    target_seconds: int
    waiting: Waiting | None
    templates: dict[str, int] | None
    campaigns_running: int | None


def overview(session: Session, actor: Actor, period: Period) -> Overview:
    reads = actor.can(Permission.VIEW_REPORTS)
    return Overview(
        period=period,
        traffic=summary.traffic(session, actor, period) if reads else None,
        previous=summary.traffic(session, actor, period.previous) if reads else None,
        target_seconds=response_times.target_minutes(session) * 60,
        waiting=summary.waiting(session, actor)
        if actor.can(Permission.VIEW_CONVERSATIONS)
        else None,
        templates=summary.templates_by_status(session, actor)
        if actor.can(Permission.VIEW_TEMPLATES)
        else None,
        campaigns_running=summary.campaigns_running(session, actor)
        if actor.can(Permission.VIEW_CAMPAIGNS)
        else None,
    )
