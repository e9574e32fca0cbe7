"""Installation-wide choices admins make in the dashboard, stored in the ``app_settings`` table."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.models import AppSetting, utcnow

TEMPLATE_LIMITS = "template_limits"
"""``meta`` (everything Meta accepts; the default) or ``compact`` (the compact buttons layout: at
most 3 quick replies, one website and one call button). Any other stored value reads as
``compact`` (``core.templates.submission.active_limits``)."""

OPT_OUT_KEYWORDS = "opt_out_keywords"
"""Words that, written alone by a customer, opt them out of marketing templates."""

AGENTS_SEE_ALL = "agents_see_all"
"""Whether agents see every conversation (``True``) or only theirs and the unassigned ones."""

DEFAULTS: dict[str, Any] = {
    TEMPLATE_LIMITS: "meta",
    OPT_OUT_KEYWORDS: ["STOP", "BAJA"],
    AGENTS_SEE_ALL: False,
}


def get(session: Session, key: str) -> Any:
    row = session.get(AppSetting, key)
    return row.value if row is not None else DEFAULTS.get(key)


def put(session: Session, actor: Actor, key: str, value: Any) -> None:
    """Admins only; every change is audited."""
    require(actor, Permission.MANAGE_CHANNELS)
    row = session.get(AppSetting, key) or AppSetting(key=key)
    old = row.value
    row.value, row.updated_at, row.updated_by = value, utcnow(), actor.username
    session.add(row)
    audit.record(session, actor, "settings.change", key, old=old, new=value)
