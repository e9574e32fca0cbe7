"""The overview on home per role, and the Reports page: charts, the team, template performance,
the answer target."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from core import db
from core.channels import number_health
from core.channels.number_health import NumberHealth
from core.i18n import t
from core.models import AuditEntry, Channel, Role, utcnow
from core.reports import response_times
from core.reports.recording import hour_of
from tests.pages.conftest import texts
from tests.reports.timeline import Timeline
from tests.store_helpers import make_channel

PAGE = "pages/reports.py"


@pytest.fixture
def traffic(engine, roles, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Two customers today and earlier: one answered by the agent after 2 minutes and resolved
    after 10, one waiting and assigned to the agent; a template sent and read."""
    channel = make_channel(engine)
    line = Timeline(engine, channel, monkeypatch)
    now = hour_of(utcnow())
    line.customer("34633000001", now - timedelta(hours=3))
    line.ours(
        "34633000001", now - timedelta(hours=3) + timedelta(minutes=2), by=roles[Role.AGENT].user_id
    )
    line.status("34633000001", now - timedelta(hours=3, minutes=-10), roles[Role.AGENT], "resolved")
    line.ours("34633000002", now - timedelta(hours=2), template="bienvenida", status="read")
    line.customer("34633000002", now - timedelta(hours=1))
    line.assign("34633000002", "agent1")


def metrics(at) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {metric.label: metric.value for metric in at.metric}


def test_a_manager_sees_the_whole_overview_with_changes(open_dashboard, roles, traffic) -> None:
    at = open_dashboard(roles[Role.MANAGER])
    shown = metrics(at)
    assert shown["Conversations opened"] == "2"
    assert shown["Messages received"] == "2"
    assert shown["Messages sent"] == "2"
    assert shown["First response (median)"] == "2 min"
    assert shown["Answered within 15 min"] == "100%"
    assert shown["Conversations resolved"] == "1"
    assert shown["Resolution (median)"] == "10 min"
    assert shown["Waiting for an answer"] == "1"
    assert shown["Approved templates"] == "0"
    assert shown["Campaigns sending"] == "0"
    deltas = {metric.label: metric.proto.delta for metric in at.metric}
    assert deltas["Conversations opened"] == "2"  # none in the 7 days before
    assert "Each change is against the period" in texts(at)


def test_an_agent_sees_who_waits_and_no_figures_of_others(open_dashboard, roles, traffic) -> None:
    at = open_dashboard(roles[Role.AGENT])
    shown = metrics(at)
    assert shown["Waiting for an answer"] == "1"
    assert "Messages received" not in shown and "Approved templates" not in shown
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE)


def test_the_overview_speaks_spanish(open_dashboard, roles, traffic) -> None:
    at = open_dashboard(roles[Role.MANAGER], language="es")
    assert metrics(at)["Esperan respuesta"] == "1"


def test_the_reports_page_draws_its_charts_and_tables(run_page, roles, traffic) -> None:
    at = run_page(PAGE, roles[Role.MANAGER])
    assert "Reports" in texts(at)
    assert len(at.get("vega_lite_chart")) == 2  # the heatmap, the response trend
    [team] = at.dataframe
    assert team.value.iloc[0].to_dict() == {
        "Team member": "agent1",
        "Messages sent": 1,
        "Customers answered": 1,
        "First response (median)": "2 min",
        "Resolved": 1,
        "Assigned now (not resolved)": 1,
    }
    at.button_group(key="reports_view").set_value("templates").run()
    [templates] = at.dataframe
    row = templates.value.iloc[0]
    assert (row["Template"], row["Sent"], row["Read"], row["Replied"]) == ("bienvenida", 1, 1, 1)
    assert at.get("download_button")
    assert not at.expander  # the answer target is the admins'


def test_an_admin_sets_the_answer_target(run_page, roles, engine, traffic) -> None:
    at = run_page(PAGE, roles[Role.ADMIN])
    target = next(box for box in at.selectbox if box.label.startswith("Customers should"))
    target.select(30)
    next(button for button in at.button if button.label == "Save the target").click()
    at.run()
    assert "From now on the overview counts answers within 30 min." in texts(at)
    with db.session_scope(engine) as session:
        assert response_times.target_minutes(session) == 30
        assert session.exec(
            select(AuditEntry).where(AuditEntry.action == "settings.change")
        ).first()


def test_other_roles_cannot_open_the_reports(run_page, roles) -> None:
    assert "cannot open this page" in texts(run_page(PAGE, roles[Role.AGENT]))


def test_managers_and_admins_see_each_numbers_health_with_its_warning(
    open_dashboard, roles, engine
) -> None:
    """The number's quality went from green to red (a ``phone_number_quality_update``): the
    overview's card says so; marketers read the figures but not the numbers' health."""
    channel = make_channel(engine)
    with db.session_scope(engine) as session:
        row = session.get(Channel, channel.id)
        assert row is not None
        number_health.record(
            session, row, NumberHealth(can_send="AVAILABLE", quality_rating="GREEN")
        )
        number_health.record(session, row, NumberHealth(can_send="AVAILABLE", quality_rating="RED"))
    for role in (Role.MANAGER, Role.ADMIN):
        at = open_dashboard(roles[role])
        assert "Number health" in texts(at)
        assert metrics(at)["Quality rating"] == "Low (red)"
        warning = " ".join(w.value for w in at.warning)
        assert t("number_health.aspect.quality_rating", "en") in warning
    marketer = open_dashboard(roles[Role.MARKETER])
    assert "Messages received" in metrics(marketer)
    assert "Quality rating" not in metrics(marketer) and "Number health" not in texts(marketer)
