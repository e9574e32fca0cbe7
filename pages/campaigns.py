"""Campaigns: one approved template to many contacts, checked before anything is sent, followed live.

Marketers and admins plan and run campaigns; managers see them and their reports, read-only.
Planning a large audience takes a moment, so it runs when asked ("Check the audience") and the
result stays in the session until the template, the audience or the mapping changes. Each
campaign's progress is a fragment that reruns every 2 seconds on its own; the report below it is
drawn on full reruns and its CSV is built only when downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core.access.auth import Permission, PermissionDenied
from core.campaigns import audience, report, runner
from core.campaigns.audience import Mapping, Plan, Source
from core.campaigns.report import Counts
from core.channels.registry import list_channels
from core.conversations import optouts
from core.errors import UserFacingError
from core.failures import describe
from core.i18n import t
from core.models import Campaign, WorkspaceTemplate, utcnow
from core.templates import library as templates
from core.templates.messages import TemplateValues
from core.templates.rules import TemplateVariables, render_preview
from pages.common import current_actor, fixed_language_t, page_guard, plain, store, viewer_timezone

PLAN = "cmp_plan"  # (signature of the inputs, Plan, preview texts) of the last check
# Where the outcome of the last action is said: ("success", text) or ("error", UserFacingError).
LAUNCH_FLASH = "cmp_flash_launch"
CAMPAIGN_FLASH = "cmp_flash_campaign"  # said inside the live fragment (its buttons rerun only it)
OPT_IN_FLASH = "cmp_flash_opt_in"
CONFIRM_CANCEL = "cmp_confirm_cancel"  # id of the campaign whose cancel awaits confirmation
SELECTED = "cmp_selected"
UPLOADED = "cmp_uploaded"  # (upload id, audience read from it) of the current file
REFRESH_SECONDS = 2
PREVIEW_COUNT = 3
OPTED_OUT_SHOWN = 50
REASONS = ("invalid_number", "duplicate", "missing_value", "opted_out")
ACTIVE_STATES = {"scheduled", "running"}
FINISHED_STATES = {"cancelled", "done"}
NUMBER_COLUMNS = {"number", "phone", "telefono", "teléfono", "movil", "móvil", "whatsapp"}
NAME_COLUMNS = {"name", "nombre"}


# --- small helpers ---------------------------------------------------------------------------


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(viewer_timezone()).strftime(translate("campaign_page.time_format"))


def reason_words(reason: str) -> str:
    return translate(f"campaign_page.reason.{reason}")


def state_words(state: str) -> str:
    return translate(f"campaign_page.state.{state}")


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def show_flash(where: str) -> None:
    found = st.session_state.pop(where, None)
    if not found:
        return
    kind, content = found
    if kind == "error":
        st.error(content.message(), icon=":material/error:")
    else:
        st.success(content, icon=":material/check_circle:")


def act(
    action: Callable[[Any, Any], object], where: str, success_key: str, **values: object
) -> bool:
    """Run a core action for the acting user (from a callback); say what happened on the rerun."""
    actor = current_actor()
    if actor is None:
        return False
    try:
        with store() as session:
            action(session, actor)
    except UserFacingError as exc:
        st.session_state[where] = ("error", exc)
        return False
    except PermissionDenied:
        st.session_state[where] = ("error", UserFacingError("campaign_page.error.not_allowed"))
        return False
    shown = {name: plain(value) for name, value in values.items()}  # names are typed by people
    st.session_state[where] = ("success", translate(success_key, **shown))
    return True


# --- a new campaign: template, audience, mapping, check, preview, start -------------------------


def approved_templates(channel_id: int) -> dict[int, WorkspaceTemplate]:
    with store() as session:
        found = templates.list_workspace(session, actor, channel_id)
    return {workspace.id: workspace for workspace in found if not workspace.flagged_reason}


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


def audience_from_contacts(channel_id: int) -> tuple[pd.DataFrame, str]:
    since_col, label_col = st.columns(2)
    recent_only = since_col.toggle(t("campaign_page.audience.recent_only"), key="cmp_recent")
    since: date | None = None
    if recent_only:
        today = utcnow().astimezone(viewer_timezone()).date()
        since = since_col.date_input(
            t("campaign_page.audience.active_since"),
            value=today - timedelta(days=30),
            max_value=today,
            key="cmp_since",
        )
    label = label_col.text_input(t("campaign_page.audience.label"), key="cmp_label").strip()
    active_since = (
        datetime.combine(since, time(), tzinfo=viewer_timezone()).astimezone(UTC) if since else None
    )
    with store() as session:
        frame = audience.audience_from_contacts(
            session, actor, channel_id, active_since=active_since, label=label or None
        )
    return frame, t("campaign_page.audience.contacts_name")


def choose_audience(channel_id: int) -> pd.DataFrame | None:
    """The audience as a table, from an upload or from the channel's contacts."""
    source = st.radio(
        t("campaign_page.audience.source"),
        ["file", "contacts"],
        format_func=lambda option: translate(f"campaign_page.audience.{option}"),
        horizontal=True,
        key="cmp_source",
    )
    try:
        frame, origin = (
            audience_from_file() if source == "file" else audience_from_contacts(channel_id)
        )
    except UserFacingError as exc:
        st.error(exc.message(), icon=":material/error:")
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


def guess(columns: list[str], names: set[str]) -> str | None:
    return next((column for column in columns if column.strip().lower() in names), None)


def source_picker(label: str, columns: list[str], key: str, variable: str) -> Source:
    """One variable's value: a column of the audience, or the same fixed value for everyone."""
    options: list[str | None] = [*columns, None]
    default = guess(columns, {variable.lower()})
    picked_col, value_col = st.columns(2)
    column = picked_col.selectbox(
        label,
        options,
        index=options.index(default),
        format_func=lambda option: (
            translate("campaign_page.mapping.fixed")
            if option is None
            else translate("campaign_page.mapping.column", column=option)
        ),
        key=f"{key}_source",
    )
    if column is not None:
        return Source(column=column)
    value = value_col.text_input(t("campaign_page.mapping.fixed_value"), key=f"{key}_value")
    return Source(value=value)


def choose_mapping(frame: pd.DataFrame, needed: TemplateVariables, workspace_id: int) -> Mapping:
    """Which column holds the number and the name, and where each variable's value comes from."""
    columns = [str(column) for column in frame.columns]
    frame.columns = columns
    key = f"cmp_map_{workspace_id}"  # a column no longer in the audience resets its choice
    number_col, name_col, region_col = st.columns(3)
    number_default = guess(columns, NUMBER_COLUMNS) or columns[0]
    number_column = number_col.selectbox(
        t("campaign_page.mapping.number"),
        columns,
        index=columns.index(number_default),
        key=f"{key}_number",
    )
    name_options: list[str | None] = [None, *columns]
    name_column = name_col.selectbox(
        t("campaign_page.mapping.name"),
        name_options,
        index=name_options.index(guess(columns, NAME_COLUMNS)),
        format_func=lambda option: (
            translate("campaign_page.mapping.no_name") if option is None else option
        ),
        key=f"{key}_name",
    )
    region = region_col.text_input(
        t("campaign_page.mapping.region"),
        max_chars=2,
        help=t("campaign_page.mapping.region_help"),
        key="cmp_region",
    )
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
    return Mapping(
        number_column=number_column,
        name_column=name_column,
        header=header,
        body=body,
        buttons=buttons,
        default_region=region.strip().upper() or None,
    )


def signature(workspace_id: int, frame: pd.DataFrame, mapping: Mapping) -> str:
    """What a check depends on: a stored plan is only used while none of it changed."""
    rows = int(pd.util.hash_pandas_object(frame, index=False).sum()) if len(frame) else 0
    return json.dumps([workspace_id, list(frame.columns), rows, mapping.to_json()], sort_keys=True)


def check(workspace_id: int, frame: pd.DataFrame, mapping: Mapping, checked: str) -> None:
    try:
        with store() as session:
            planned = audience.plan(session, actor, workspace_id, frame, mapping)
            previews = audience.preview_rows(
                session, actor, workspace_id, planned, count=PREVIEW_COUNT
            )
    except UserFacingError as exc:
        st.session_state.pop(PLAN, None)
        st.error(exc.message(), icon=":material/error:")
        return
    st.session_state[PLAN] = (checked, planned, previews)


def show_plan_report(planned: Plan) -> None:
    """Who will not be sent and why, before anything is sent."""
    skipped = planned.skipped_by_reason()
    metrics = st.columns(len(REASONS) + 1)
    metrics[0].metric(t("campaign_page.plan.sendable"), len(planned.sendable))
    for column, reason in zip(metrics[1:], REASONS, strict=True):
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


def bubble(definition: dict[str, Any], stored: dict[str, Any] | None, text: str, key: str) -> None:
    """One message as the customer's WhatsApp shows it (header, body, footer, buttons)."""
    stored = stored or {}
    values = TemplateValues(
        header=stored.get("header", []),
        body=stored.get("body", []),
        buttons={int(k): v for k, v in (stored.get("buttons") or {}).items()},
    )
    preview = render_preview(definition.get("components") or [], values)
    with st.chat_message("business", avatar=":material/storefront:"):
        if preview.header:
            st.markdown(f"**{plain(preview.header)}**")
        elif preview.header_format:
            st.caption(f":material/attach_file: {preview.header_format.lower()}")
        st.text(text)
        if preview.footer:
            st.caption(plain(preview.footer))
        for index, button in enumerate(preview.buttons):
            st.button(button.text, disabled=True, key=f"{key}_{index}")


def show_previews(definition: dict[str, Any], planned: Plan, previews: list[str]) -> None:
    st.markdown(f"**{t('campaign_page.preview.title')}**")
    if not previews:
        st.caption(t("campaign_page.preview.nobody"))
    for position, (recipient, text) in enumerate(zip(planned.sendable, previews, strict=False)):
        st.caption(
            t(
                "campaign_page.preview.to",
                name=plain(recipient.name or "—"),
                number=plain(recipient.number),
                row=recipient.row,
            )
        )
        bubble(definition, recipient.values, text, key=f"cmp_preview_{position}")


def start_moment() -> datetime | None:
    """The chosen start in UTC (``None``: now), from the date and time in the viewer's zone."""
    if st.session_state.get("cmp_when") != "later":
        return None
    day, moment = st.session_state.get("cmp_date"), st.session_state.get("cmp_time")
    if day is None or moment is None:
        return None
    return datetime.combine(day, moment, tzinfo=viewer_timezone()).astimezone(UTC)


def launch(workspace_id: int, mapping: Mapping) -> None:
    """Create the campaign from the checked plan and start it (now or at the chosen time)."""
    stored = st.session_state.get(PLAN)
    if stored is None:
        return
    planned: Plan = stored[1]
    name = (st.session_state.get("cmp_name") or "").strip()
    start_at = start_moment()
    if start_at is not None and start_at < utcnow():
        st.session_state[LAUNCH_FLASH] = ("error", UserFacingError("campaign_page.error.past"))
        return
    created: list[int] = []

    def create_and_start(session, actor) -> None:  # type: ignore[no-untyped-def]
        campaign = runner.create(
            session,
            actor,
            name=name,
            workspace_template_id=workspace_id,
            planned=planned,
            mapping=mapping,
            start_at=start_at,
        )
        runner.start(session, actor, campaign.id, start_at=start_at)
        created.append(campaign.id)

    success = "campaign_page.launch.scheduled" if start_at else "campaign_page.launch.started"
    if act(create_and_start, LAUNCH_FLASH, success, name=name, count=len(planned.sendable)):
        st.session_state.pop(PLAN, None)
        st.session_state["cmp_name"] = ""
        st.session_state[SELECTED] = created[0]


def launch_controls(workspace_id: int, mapping: Mapping, planned: Plan) -> None:
    show_flash(LAUNCH_FLASH)
    st.text_input(t("campaign_page.launch.name"), max_chars=200, key="cmp_name")
    when = st.radio(
        t("campaign_page.launch.when"),
        ["now", "later"],
        format_func=lambda option: translate(f"campaign_page.launch.{option}"),
        horizontal=True,
        key="cmp_when",
    )
    if when == "later":
        zone = viewer_timezone()
        soon = (utcnow() + timedelta(hours=1)).astimezone(zone)
        st.session_state.setdefault("cmp_date", soon.date())
        st.session_state.setdefault("cmp_time", time(soon.hour))
        day_col, time_col = st.columns(2)
        day_col.date_input(t("campaign_page.launch.date"), key="cmp_date")
        time_col.time_input(t("campaign_page.launch.time"), step=300, key="cmp_time")
        st.caption(t("campaign_page.launch.timezone", zone=str(zone)))
    st.button(
        t("campaign_page.launch.submit", count=len(planned.sendable)),
        type="primary",
        icon=":material/send:",
        disabled=not planned.sendable,
        on_click=launch,
        args=(workspace_id, mapping),
        key="cmp_launch",
    )


def new_campaign(channel_id: int) -> None:
    st.subheader(t("campaign_page.new"))
    by_id = approved_templates(channel_id)
    if not by_id:
        st.info(t("campaign_page.no_templates"), icon=":material/article:")
        return
    workspace_id = st.selectbox(
        t("campaign_page.template"),
        list(by_id),
        format_func=lambda wid: f"{by_id[wid].name} · {by_id[wid].language}",
        key=f"cmp_template_{channel_id}",
    )
    try:
        with store() as session:
            needed = audience.variables_needed(session, actor, workspace_id)
            definition = templates.as_body(
                templates.sendable_template(session, by_id[workspace_id])
            )
    except UserFacingError as exc:
        st.error(exc.message(), icon=":material/error:")
        return
    st.markdown(f"**{t('campaign_page.step.audience')}**")
    frame = choose_audience(channel_id)
    if frame is None:
        return
    st.markdown(f"**{t('campaign_page.step.mapping')}**")
    mapping = choose_mapping(frame, needed, workspace_id)
    checked = signature(workspace_id, frame, mapping)
    if st.button(t("campaign_page.check"), icon=":material/fact_check:", key="cmp_check"):
        check(workspace_id, frame, mapping, checked)
    stored = st.session_state.get(PLAN)
    if stored is None or stored[0] != checked:
        st.caption(t("campaign_page.check_hint"))
        return
    _, planned, previews = stored
    st.markdown(f"**{t('campaign_page.step.check')}**")
    show_plan_report(planned)
    show_previews(definition, planned, previews)
    st.markdown(f"**{t('campaign_page.step.launch')}**")
    launch_controls(workspace_id, mapping, planned)


# --- one campaign: live progress, controls, report --------------------------------------------


def _pause(campaign_id: int, name: str) -> None:
    act(
        lambda s, a: runner.pause(s, a, campaign_id),
        CAMPAIGN_FLASH,
        "campaign_page.paused",
        name=name,
    )


def _resume(campaign_id: int, name: str) -> None:
    act(
        lambda s, a: runner.resume(s, a, campaign_id),
        CAMPAIGN_FLASH,
        "campaign_page.resumed",
        name=name,
    )


def _ask_cancel(campaign_id: int) -> None:
    st.session_state[CONFIRM_CANCEL] = campaign_id


def _keep(campaign_id: int) -> None:
    st.session_state.pop(CONFIRM_CANCEL, None)


def _cancel(campaign_id: int, name: str) -> None:
    st.session_state.pop(CONFIRM_CANCEL, None)
    act(
        lambda s, a: runner.cancel(s, a, campaign_id),
        CAMPAIGN_FLASH,
        "campaign_page.cancelled",
        name=name,
    )


def campaign_controls(campaign: Campaign) -> None:
    """Pause, resume and cancel (cancel asks first); only for those who run campaigns."""
    if campaign.state in FINISHED_STATES:
        return
    args = (campaign.id, campaign.name)
    if st.session_state.get(CONFIRM_CANCEL) == campaign.id:
        st.warning(t("campaign_page.cancel_confirm", name=plain(campaign.name)))
        yes_col, no_col = st.columns(2)
        yes_col.button(
            t("campaign_page.cancel_yes"),
            type="primary",
            key=f"cmp_cancel_yes_{campaign.id}",
            on_click=_cancel,
            args=args,
        )
        no_col.button(
            t("campaign_page.cancel_no"),
            key=f"cmp_cancel_no_{campaign.id}",
            on_click=_keep,
            args=(campaign.id,),
        )
        return
    buttons = st.columns(3)
    if campaign.state in ACTIVE_STATES:
        buttons[0].button(
            t("campaign_page.pause"),
            icon=":material/pause:",
            key=f"cmp_pause_{campaign.id}",
            on_click=_pause,
            args=args,
        )
    if campaign.state == "paused":
        buttons[0].button(
            t("campaign_page.resume"),
            icon=":material/play_arrow:",
            key=f"cmp_resume_{campaign.id}",
            on_click=_resume,
            args=args,
        )
    buttons[1].button(
        t("campaign_page.cancel"),
        icon=":material/cancel:",
        key=f"cmp_cancel_{campaign.id}",
        on_click=_ask_cancel,
        args=(campaign.id,),
    )


def show_counts(counts: Counts) -> None:
    skipped = sum(counts.skipped.values())
    handled = counts.sent + counts.failed + skipped
    st.progress(
        min(handled / counts.total, 1.0) if counts.total else 0.0,
        text=t("campaign_page.progress", done=handled, total=counts.total),
    )
    figures = [
        ("pending", counts.pending),
        ("queued", counts.queued),
        ("sent", counts.sent),
        ("delivered", counts.delivered),
        ("read", counts.read),
        ("failed", counts.failed),
        ("replied", counts.replied),
        ("skipped", skipped),
    ]
    for column, (label, value) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(t(f"campaign_page.count.{label}"), value)
    if skipped:
        reasons = " · ".join(
            f"{reason_words(reason)}: {count}" for reason, count in sorted(counts.skipped.items())
        )
        st.caption(t("campaign_page.skipped_why", reasons=reasons))


@st.fragment(run_every=REFRESH_SECONDS)
def live_progress(channel_id: int, campaign_id: int) -> None:
    """State, progress bar, live counts and the controls; reruns on its own every 2 seconds."""
    actor = page_guard(Permission.VIEW_CAMPAIGNS)
    show_flash(CAMPAIGN_FLASH)
    with store() as session:
        campaign = report.get_campaign(session, actor, campaign_id)
        if campaign is None:
            st.info(t("campaign_page.gone"))
            return
        counts = report.counts(session, actor, campaign_id)
    st.markdown(f"### {plain(campaign.name)}")
    details = [t("campaign_page.state", state=state_words(campaign.state))]
    if campaign.start_at:
        details.append(t("campaign_page.starts", when=local_time(campaign.start_at)))
    if campaign.finished_at:
        details.append(t("campaign_page.finished", when=local_time(campaign.finished_at)))
    details.append(t("campaign_page.created_by", user=plain(campaign.created_by or "—")))
    st.caption(" · ".join(details))
    show_counts(counts)
    if actor.can(Permission.RUN_CAMPAIGNS):
        campaign_controls(campaign)


def csv_for(campaign_id: int) -> Callable[[], str]:
    """The export, built only when the download button is pressed."""

    def build() -> str:
        actor = current_actor()
        if actor is None:
            return ""
        with store() as session:
            return report.export_csv(session, actor, campaign_id)

    return build


def campaign_report(campaign: Campaign) -> None:
    """Delivery and read rates, failures in words, replies, sends over time, CSV export."""
    with store() as session:
        counts = report.counts(session, actor, campaign.id)
        failed = report.failures(session, actor, campaign.id)
        sends = report.timeline(session, actor, campaign.id)
    st.markdown(f"#### {t('campaign_page.report')}")
    rates = st.columns(4)
    rates[0].metric(t("campaign_page.rate.delivered"), percent(counts.delivered, counts.sent))
    rates[1].metric(t("campaign_page.rate.read"), percent(counts.read, counts.sent))
    rates[2].metric(t("campaign_page.rate.replied"), percent(counts.replied, counts.sent))
    rates[3].metric(
        t("campaign_page.rate.failed"), percent(counts.failed, counts.sent + counts.failed)
    )
    st.markdown(f"**{t('campaign_page.failures')}**")
    if failed:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        t("campaign_page.failure.reason"): describe(failure.code, failure.title),
                        t("campaign_page.failure.code"): str(failure.code or ""),
                        t("campaign_page.failure.count"): failure.count,
                    }
                    for failure in failed
                ]
            ),
            hide_index=True,
        )
    else:
        st.caption(t("campaign_page.no_failures"))
    st.markdown(f"**{t('campaign_page.over_time')}**")
    if sends:
        zone = viewer_timezone()
        chart = pd.DataFrame(
            {t("campaign_page.messages"): [count for _, count in sends]},
            index=pd.Index(
                [moment.astimezone(zone).replace(tzinfo=None) for moment, _ in sends],
                name=t("campaign_page.minute"),
            ),
        )
        st.bar_chart(chart)
    else:
        st.caption(t("campaign_page.nothing_sent"))
    st.download_button(
        t("campaign_page.export"),
        data=csv_for(campaign.id),
        file_name=f"campaign-{campaign.id}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=f"cmp_export_{campaign.id}",
    )


def campaign_list(channel_id: int) -> None:
    st.subheader(t("campaign_page.list"))
    show_flash(LAUNCH_FLASH)  # a campaign just started (the form it came from is gone)
    with store() as session:
        found = report.list_campaigns(session, actor, channel_id)
    if not found:
        st.info(t("campaign_page.none"), icon=":material/campaign:")
        return
    by_id = {campaign.id: campaign for campaign in found}
    if st.session_state.get(SELECTED) not in by_id:
        st.session_state[SELECTED] = found[0].id
    chosen = st.selectbox(
        t("campaign_page.open"),
        list(by_id),
        format_func=lambda cid: f"{by_id[cid].name} · {local_time(by_id[cid].created_at)}",
        key=SELECTED,
    )
    with st.container(border=True):
        live_progress(channel_id, chosen)
        campaign_report(by_id[chosen])


# --- opted-out contacts (admins) ----------------------------------------------------------------


def _opt_in(contact_id: int, number: str) -> None:
    act(
        lambda s, a: optouts.set_opted_out(s, a, contact_id, False),
        OPT_IN_FLASH,
        "campaign_page.optout.opted_in",
        number=number,
    )


def opted_out_section(channel_id: int) -> None:
    st.subheader(t("campaign_page.optout.title"))
    st.caption(t("campaign_page.optout.intro"))
    show_flash(OPT_IN_FLASH)
    with store() as session:
        contacts = optouts.list_opted_out(session, page_guard(), channel_id, limit=OPTED_OUT_SHOWN)
    if not contacts:
        st.caption(t("campaign_page.optout.none"))
        return
    for contact in contacts:
        number = f"+{contact.wa_id}"
        who_col, since_col, button_col = st.columns([3, 2, 2])
        who_col.markdown(f"**{plain(contact.profile_name or number)}** · {plain(number)}")
        since_col.caption(t("campaign_page.optout.since", when=local_time(contact.opted_out_at)))
        button_col.button(
            t("campaign_page.optout.opt_in"),
            icon=":material/undo:",
            key=f"cmp_opt_in_{contact.id}",
            on_click=_opt_in,
            args=(contact.id, number),
        )


# --- the page ----------------------------------------------------------------------------------

actor = page_guard(Permission.VIEW_CAMPAIGNS)
translate = fixed_language_t()  # after the guard: it sets this run's language
st.title(t("campaign_page.title"))
with store() as session:
    channels = list_channels(session, actor)
if not channels:
    st.info(t("campaign_page.no_channels"), icon=":material/forum:")
    st.stop()
channel_names = {channel.id: f"{channel.name} ({channel.number})" for channel in channels}
selected_channel = st.selectbox(
    t("campaign_page.channel"),
    list(channel_names),
    format_func=channel_names.__getitem__,
    key="cmp_channel",
)
if actor.can(Permission.RUN_CAMPAIGNS):
    with st.container(border=True):
        new_campaign(selected_channel)
else:
    st.caption(f":material/visibility: {t('campaign_page.read_only')}")
campaign_list(selected_channel)
if actor.can(Permission.MANAGE_CHANNELS):
    opted_out_section(selected_channel)
