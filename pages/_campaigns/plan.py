"""A new campaign before anything is sent: its audience, where each variable's value comes from,
the check of who would be left out and why, and the first messages as customers will see them.

Planning a large audience takes a moment, so it runs when asked ("Check the audience") and the
result stays in the session until the template, the audience or the mapping changes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core.access.auth import Actor
from core.campaigns import audience, estimate, segments
from core.campaigns.audience import Source
from core.campaigns.runner import Mapping, Plan
from core.errors import UserFacingError
from core.i18n import t
from core.models import utcnow
from core.templates.anatomy import TemplateVariables
from core.templates.preview import render_preview
from core.templates.values import TemplateValues
from pages._campaigns.segments import audience_from_segment, save_segment
from pages._campaigns.state import PLAN
from pages._widgets.bubble import show_bubble
from pages._widgets.flash import say_refusal
from pages._widgets.labels import plain, viewer_timezone
from pages._widgets.session import store

UPLOADED = "cmp_uploaded"  # (upload id, audience read from it) of the current file
PREVIEW_COUNT = 3
REASONS = ("invalid_number", "duplicate", "missing_value", "opted_out")
RARE_REASONS = ("us_marketing", "marketing_limit")
"""Shown only when some row has them (marketing templates only)."""
NUMBER_COLUMNS = {"number", "phone", "telefono", "teléfono", "movil", "móvil", "whatsapp"}
NAME_COLUMNS = {"name", "nombre"}


def reason_words(reason: str) -> str:
    """Why a recipient is left out, in the user's words."""
    return t(f"campaign_page.reason.{reason}")


# --- the audience ----------------------------------------------------------------------------


def audience_from_file() -> tuple[pd.DataFrame | None, str]:
    upload = st.file_uploader(
        t("campaign_page.audience.upload"),
        type=["csv", "xlsx"],
        key="cmp_file",
        help=t("campaign_page.audience.upload_help"),
    )
    if upload is None:
        return None, ""
    kept = st.session_state.get(UPLOADED)
    if kept is None or kept[0] != upload.file_id:  # a large file is read once, not every rerun
        kept = (upload.file_id, audience.read_audience(upload.getvalue(), upload.name))
        st.session_state[UPLOADED] = kept
    return kept[1].copy(), upload.name


def audience_from_contacts(actor: Actor, channel_id: int) -> tuple[pd.DataFrame, str]:
    """The channel's contacts by last activity and label; the conditions can be saved."""
    since_col, label_col = st.columns(2)
    recent_only = since_col.toggle(t("campaign_page.audience.recent_only"), key="cmp_recent")
    conditions: list[dict[str, object]] = []
    if recent_only:
        today = utcnow().astimezone(viewer_timezone()).date()
        since = since_col.date_input(
            t("campaign_page.audience.active_since"),
            value=today - timedelta(days=30),
            max_value=today,
            key="cmp_since",
        )
        days = max((today - since).days, 1)
        conditions.append({"kind": "active_within_days", "value": days})
    label = label_col.text_input(t("campaign_page.audience.label"), key="cmp_label").strip()
    if label:
        conditions.append({"kind": "label", "value": label})
    with store() as session:
        frame = segments.contacts(session, actor, channel_id, conditions)
    save_segment(actor, channel_id, conditions)
    return frame, t("campaign_page.audience.contacts_name")


def choose_audience(actor: Actor, channel_id: int) -> pd.DataFrame | None:
    """The audience as a table, from an upload or from the channel's contacts."""
    options = ("file", "contacts", "segment")
    sources = {option: t(f"campaign_page.audience.{option}") for option in options}
    source = st.radio(
        t("campaign_page.audience.source"),
        list(sources),
        format_func=sources.__getitem__,
        horizontal=True,
        key="cmp_source",
    )
    try:
        if source == "file":
            frame, origin = audience_from_file()
        elif source == "contacts":
            frame, origin = audience_from_contacts(actor, channel_id)
        else:
            frame, origin = audience_from_segment(actor, channel_id)
    except UserFacingError as exc:
        say_refusal(exc)
        return None
    if frame is None:
        st.caption(t("campaign_page.audience.waiting"))
        return None
    if frame.empty or not len(frame.columns):
        st.warning(t("campaign_page.audience.empty"), icon=":material/group_off:")
        return None
    st.caption(t("campaign_page.audience.rows", count=len(frame), origin=origin))
    st.dataframe(frame.head(5), hide_index=True)
    return frame


# --- the mapping -----------------------------------------------------------------------------


def guess(columns: list[str], names: set[str]) -> str | None:
    return next((column for column in columns if column.strip().lower() in names), None)


def source_picker(label: str, columns: list[str], key: str, variable: str) -> Source:
    """One variable's value: a column of the audience, or the same fixed value for everyone."""
    options: list[str | None] = [*columns, None]
    fixed = t("campaign_page.mapping.fixed")
    shown = {column: t("campaign_page.mapping.column", column=column) for column in columns}
    picked_col, value_col = st.columns(2)
    column = picked_col.selectbox(
        label,
        options,
        index=options.index(guess(columns, {variable.lower()})),
        format_func=lambda option: fixed if option is None else shown[option],
        key=f"{key}_source",
    )
    if column is not None:
        return Source(column=column)
    value = value_col.text_input(t("campaign_page.mapping.fixed_value"), key=f"{key}_value")
    return Source(value=value)


def variable_sources(
    columns: list[str], needed: TemplateVariables, key: str
) -> tuple[list[Source], list[Source], dict[int, Source]]:
    """Where the header's, the body's and each button's variables take their values from."""
    header = [
        source_picker(
            t("campaign_page.mapping.header", name=name), columns, f"{key}_h_{name}", name
        )
        for name in needed.header
    ]
    body = [
        source_picker(t("campaign_page.mapping.body", name=name), columns, f"{key}_b_{name}", name)
        for name in needed.body
    ]
    buttons = {
        index: source_picker(
            t("campaign_page.mapping.button", index=index + 1),
            columns,
            f"{key}_u_{index}",
            names[0] if names else "",
        )
        for index, names in needed.buttons.items()
    }
    if not (needed.header or needed.body or needed.buttons):
        st.caption(t("campaign_page.mapping.no_variables"))
    return header, body, buttons


def choose_mapping(frame: pd.DataFrame, needed: TemplateVariables, workspace_id: int) -> Mapping:
    """Which column holds the number and the name, and where each variable's value comes from."""
    columns = [str(column) for column in frame.columns]
    frame.columns = columns
    key = f"cmp_map_{workspace_id}"  # a column no longer in the audience resets its choice
    number_col, name_col, region_col = st.columns(3)
    number_column = number_col.selectbox(
        t("campaign_page.mapping.number"),
        columns,
        index=columns.index(guess(columns, NUMBER_COLUMNS) or columns[0]),
        key=f"{key}_number",
    )
    name_options: list[str | None] = [None, *columns]
    no_name = t("campaign_page.mapping.no_name")
    name_column = name_col.selectbox(
        t("campaign_page.mapping.name"),
        name_options,
        index=name_options.index(guess(columns, NAME_COLUMNS)),
        format_func=lambda option: no_name if option is None else option,
        key=f"{key}_name",
    )
    region = region_col.text_input(
        t("campaign_page.mapping.region"),
        max_chars=2,
        help=t("campaign_page.mapping.region_help"),
        key="cmp_region",
    )
    header, body, buttons = variable_sources(columns, needed, key)
    return Mapping(
        number_column=number_column,
        name_column=name_column,
        header=header,
        body=body,
        buttons=buttons,
        default_region=region.strip().upper() or None,
    )


# --- the check and the previews --------------------------------------------------------------


def signature(workspace_id: int, frame: pd.DataFrame, mapping: Mapping) -> str:
    """What a check depends on: a stored plan is only used while none of it changed."""
    rows = int(pd.util.hash_pandas_object(frame, index=False).sum()) if len(frame) else 0
    return json.dumps([workspace_id, list(frame.columns), rows, mapping.to_json()], sort_keys=True)


def check(
    actor: Actor, workspace_id: int, frame: pd.DataFrame, mapping: Mapping, checked: str
) -> None:
    try:
        with store() as session:
            planned = audience.plan(session, actor, workspace_id, frame, mapping)
            previews = audience.preview_rows(
                session, actor, workspace_id, planned, count=PREVIEW_COUNT
            )
            cost = estimate.of_plan(session, actor, workspace_id, planned)
    except UserFacingError as exc:
        st.session_state.pop(PLAN, None)
        say_refusal(exc)
        return
    st.session_state[PLAN] = (checked, planned, previews, cost)


def show_plan_report(planned: Plan) -> None:
    """Who will not be sent and why, before anything is sent."""
    skipped = planned.skipped_by_reason()
    shown = REASONS + tuple(r for r in RARE_REASONS if skipped.get(r))
    metrics = st.columns(len(shown) + 1)
    metrics[0].metric(t("campaign_page.plan.sendable"), len(planned.sendable))
    for column, reason in zip(metrics[1:], shown, strict=True):
        column.metric(reason_words(reason), skipped.get(reason, 0))
    if not skipped:
        st.success(t("campaign_page.plan.all_sendable"), icon=":material/check_circle:")
        return
    st.warning(
        t("campaign_page.plan.some_skipped", count=sum(skipped.values())),
        icon=":material/warning:",
    )
    affected = pd.DataFrame(
        [
            {
                t("campaign_page.plan.row"): recipient.row,
                t("campaign_page.plan.number"): recipient.number,
                t("campaign_page.plan.name"): recipient.name,
                t("campaign_page.plan.reason"): reason_words(recipient.skip_reason),
            }
            for recipient in planned.recipients
            if recipient.skip_reason
        ]
    )
    st.dataframe(affected, hide_index=True)


def show_previews(definition: dict[str, Any], planned: Plan, previews: list[str]) -> None:
    """The first recipients' messages as their WhatsApp will show them."""
    st.markdown(f"**{t('campaign_page.preview.title')}**")
    if not previews:
        st.caption(t("campaign_page.preview.nobody"))
    components = definition.get("components") or []
    for recipient, text in zip(planned.sendable, previews, strict=False):
        st.caption(
            t(
                "campaign_page.preview.to",
                name=plain(recipient.name or "—"),
                number=plain(recipient.number),
                row=recipient.row,
            )
        )
        stored = recipient.values or {}
        values = TemplateValues(
            header=stored.get("header", []),
            body=stored.get("body", []),
            buttons={int(k): v for k, v in (stored.get("buttons") or {}).items()},
        )
        show_bubble(replace(render_preview(components, values), body=text))
