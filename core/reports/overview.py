"""The home page's overview, per role: each part is there only for a role that may read it
(message figures for reports' readers, who waits for everyone who reads conversations, templates
and campaigns for those who read them, each active number's health for managers and admins)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from core.access.auth import Actor, Permission
from core.channels.registry import ChannelInfo, list_channels
from core.models import Role
from core.reports import response_times, summary
from core.reports.periods import Period
from core.reports.summary import Traffic, Waiting

HEALTH_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
"""Who sees every number's health on the overview: those answerable for the numbers' standing
(a restricted number stops sales and support alike); the channels page shows it to everyone."""


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
    health_channels: list[ChannelInfo] | None = None
    """The active channels whose number health the overview shows."""


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
        health_channels=list_channels(session, actor) if actor.role in HEALTH_ROLES else None,
    )
