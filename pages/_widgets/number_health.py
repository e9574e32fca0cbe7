"""A number's health as WhatsApp reports it: can it send, quality rating, messaging limit and
display name status, with a warning when any is bad or just got worse. Placed on the channels
page and on the managers' overview."""

from __future__ import annotations

import streamlit as st

from core.access.auth import Actor
from core.channels import number_health
from core.channels.number_health import NumberHealth
from core.i18n import t
from pages._widgets.labels import when
from pages._widgets.session import store


def value_label(aspect: str, value: str | None) -> str:
    """WhatsApp's value in the reader's words (an unknown one as WhatsApp wrote it)."""
    if value is None:
        return t("number_health.unknown")
    key = f"number_health.{aspect}.{value}"
    worded = t(key)
    return value if worded == key else worded


def warning(state: NumberHealth) -> None:
    """What is wrong or got worse, with Meta's reasons as Meta wrote them (English only)."""
    if not state.needs_attention:
        return
    restricted = state.can_send in ("LIMITED", "BLOCKED")
    lines = [
        t(f"channels.health.{state.can_send.lower()}" if restricted else "number_health.warning")
    ]
    for aspect in dict.fromkeys(state.worsened + state.problems):
        if not (restricted and aspect == "can_send"):  # the first line said it
            lines.append(t(f"number_health.aspect.{aspect}"))
    if state.event:
        lines.append(t("number_health.event", event=state.event))
    lines += [
        t(
            "channels.health.reason",
            entity=t(f"channels.health.entity.{reason.entity}"),
            description=reason.description,
            solution=reason.solution or "",
        )
        for reason in state.reasons
    ]
    st.warning("\n\n".join(lines), icon=":material/warning:")


def figures(state: NumberHealth, *, compact: bool = False) -> None:
    sends, quality, limit, name = st.columns(4)
    sends.metric(t("number_health.can_send"), value_label("can_send", state.can_send))
    quality.metric(
        t("number_health.quality_rating"), value_label("quality_rating", state.quality_rating)
    )
    limit.metric(
        t("number_health.messaging_limit"), value_label("messaging_limit", state.messaging_limit)
    )
    name.metric(t("number_health.name_status"), value_label("name_status", state.name_status))
    if compact:
        return
    st.caption(
        t(
            "number_health.checked",
            changed=when(state.recorded_at, t("number_health.unknown")),
            checked=when(state.checked_at, t("number_health.unknown")),
        )
    )


def number_health_card(
    actor: Actor, channel_id: int, *, compact: bool = False
) -> NumberHealth | None:
    """The channel's last known health (the worker checks every few minutes; a channel never
    checked is checked now), or a note that WhatsApp could not tell. Returns it. ``compact``
    (the overview) leaves out when it was checked."""
    with store() as session:
        state = number_health.known_or_checked(session, actor, channel_id)
    if state is None:
        st.caption(t("number_health.never_checked"))
        return None
    warning(state)
    figures(state, compact=compact)
    return state
