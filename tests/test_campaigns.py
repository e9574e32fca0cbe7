"""Campaigns against the sandbox over HTTP: planning report, pace, opt-outs, pause, restart."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import Session, select

from core.access.auth import CLI_ACTOR, SYSTEM_ACTOR, PermissionDenied
from core.campaigns import audience, report, runner
from core.channels.registry import client_for
from core.db import session_scope
from core.failures import describe
from core.hooks.subscriptions import create_subscription
from core.i18n import t
from core.models import (
    Campaign,
    CampaignRecipient,
    Channel,
    Contact,
    HookDelivery,
    OutboundJob,
    Role,
    utcnow,
)
from core.outbox.limiter import RateLimiter
from core.outbox.sender import Sender
from core.templates.library import TemplateFilter, list_templates
from core.templates.submission import submit_template
from core.templates.workspace import add_to_workspace, workspace_prefill
from core.webhooks import processor
from tests.live import LiveChannel, SandboxControl
from tests.waiting import wait_until

PROMO = {
    "name": "rebajas_invierno",
    "category": "MARKETING",
    "language": "es",
    "components": [
        {
            "type": "BODY",
            "text": "Hola {{1}}, este {{2}} tienes un 20% en toda la tienda.",
            "example": {"body_text": [["Ana", "sábado"]]},
        }
    ],
}


pytestmark = pytest.mark.sandbox(review_delay=0.05, status_delays=(0.02, 0.05, 0.08))


@pytest.fixture
def live(engine, team, live: LiveChannel) -> tuple[SandboxControl, int]:
    """The live channel with the approved marketing template in its workspace."""
    control, channel_id = live
    with session_scope(engine) as session:
        submit_template(session, team[Role.MARKETER], channel_id, PROMO)
    control.idle()
    processor.process_pending(engine)
    with session_scope(engine) as session:
        remote = list_templates(session, team[Role.MARKETER], TemplateFilter()).items[0]
        workspace = add_to_workspace(
            session, team[Role.MARKETER], channel_id, **workspace_prefill(remote)
        )
    return control, workspace.id


def audience_frame(count: int) -> pd.DataFrame:
    rows = [
        {"telefono": f"+34 611 {index:06d}", "nombre": f"Cliente {index}"} for index in range(count)
    ]
    rows += [
        {"telefono": "+34 611 000000", "nombre": "Repetido"},
        {"telefono": "no es un número", "nombre": "Roto"},
        {"telefono": "+34 622 999999", "nombre": ""},
    ]
    return pd.DataFrame(rows)


MAPPING = audience.Mapping(
    number_column="telefono",
    name_column="nombre",
    body=[audience.Source(column="nombre"), audience.Source(value="sábado")],
)


def opt_out(engine, wa_id: str) -> None:
    with session_scope(engine) as session:
        from core.channels.registry import list_channels
        from core.conversations.contacts import find_or_create_contact
        from core.models import Channel

        channel = session.get(Channel, list_channels(session, SYSTEM_ACTOR)[0].id)
        contact, _ = find_or_create_contact(session, channel, wa_id)
        contact.opted_out = True


def launch(engine, marketer, workspace_id: int, people: pd.DataFrame, name: str, start_at=None):  # type: ignore[no-untyped-def]
    """Plan, create and start a campaign (now, or at ``start_at``)."""
    with session_scope(engine) as session:
        plan = audience.plan(session, marketer, workspace_id, people, MAPPING)
        campaign = runner.create(
            session,
            marketer,
            name=name,
            workspace_template_id=workspace_id,
            planned=plan,
            mapping=MAPPING,
        )
        runner.start(session, marketer, campaign.id, start_at=start_at)
    return campaign


def run_until_done(engine, campaign_id: int, sender: Sender, control: SandboxControl) -> None:
    def one_round_done() -> bool:
        runner.run_due(engine)
        sender.run_once()
        processor.process_pending(engine)
        with Session(engine) as session:
            return session.get(Campaign, campaign_id).state == "done"

    wait_until(one_round_done, timeout=60, message="the campaign finishing", interval=0)


def test_plan_reports_invalid_duplicate_missing_and_opted_out_before_sending(
    engine, team, live
) -> None:
    control, workspace_id = live
    opt_out(engine, "34611000003")
    with Session(engine) as session:
        plan = audience.plan(session, team[Role.MARKETER], workspace_id, audience_frame(5), MAPPING)
        previews = audience.preview_rows(session, team[Role.MARKETER], workspace_id, plan)
    assert plan.skipped_by_reason() == {
        "opted_out": 1,
        "duplicate": 1,
        "invalid_number": 1,
        "missing_value": 1,
    }
    assert len(plan.sendable) == 4
    assert previews[0] == "Hola Cliente 0, este sábado tienes un 20% en toda la tienda."
    assert control.sent() == []
    with Session(engine) as session, pytest.raises(PermissionDenied):
        audience.plan(session, team[Role.AGENT], workspace_id, audience_frame(1), MAPPING)


def test_campaign_runs_to_the_end_and_the_report_matches_the_sandbox(engine, team, live) -> None:
    control, workspace_id = live
    marketer = team[Role.MARKETER]
    opt_out(engine, "34611000007")
    campaign = launch(engine, marketer, workspace_id, audience_frame(30), "Invierno")
    run_until_done(engine, campaign.id, Sender(engine, client_for), control)
    control.idle()
    processor.process_pending(engine)
    control.customer_writes(customer="34611000001", type="text", text="¡Me interesa!")
    control.customer_writes(customer="34611000002", type="text", text="baja")
    control.idle()
    processor.process_pending(engine)
    with Session(engine) as session:
        counts = report.counts(session, team[Role.MANAGER], campaign.id)
        opted = session.exec(select(Contact).where(Contact.wa_id == "34611000002")).one()
    sent_numbers = sorted(m["customer"] for m in control.sent())
    assert len(sent_numbers) == len(set(sent_numbers)) == 29 == counts.sent
    assert "34611000007" not in sent_numbers
    assert counts.read == 29 and counts.failed == 0 and counts.replied == 2
    assert counts.skipped == {
        "opted_out": 1,
        "duplicate": 1,
        "invalid_number": 1,
        "missing_value": 1,
    }
    assert opted.opted_out
    with Session(engine) as session:
        csv_text = report.export_csv(session, team[Role.MANAGER], campaign.id)
    assert csv_text.count("\n") == 1 + 33 and "+34611000007,Cliente 7,skipped,opted_out" in csv_text


def test_someone_who_opts_out_after_the_plan_is_skipped_when_their_turn_comes(
    engine, team, live
) -> None:
    control, workspace_id = live
    campaign = launch(engine, team[Role.MARKETER], workspace_id, audience_frame(5), "Tarde")
    opt_out(engine, "34611000003")  # wrote STOP after the campaign was planned
    run_until_done(engine, campaign.id, Sender(engine, client_for), control)
    with Session(engine) as session:
        counts = report.counts(session, team[Role.MANAGER], campaign.id)
    sent_numbers = sorted(m["customer"] for m in control.sent())
    assert "34611000003" not in sent_numbers and len(sent_numbers) == 4 == counts.sent
    assert counts.skipped["opted_out"] == 1


def test_pause_holds_sending_and_a_restart_sends_no_one_twice(engine, team, live) -> None:
    control, workspace_id = live
    marketer = team[Role.MARKETER]
    campaign = launch(engine, marketer, workspace_id, audience_frame(40), "Pausa")
    runner.run_due(engine)  # queues the first batch
    with session_scope(engine) as session:
        runner.pause(session, marketer, campaign.id)
    Sender(engine, client_for).run_once()
    assert control.sent() == []  # held, not sent
    runner.run_due(engine)  # a paused campaign queues nobody
    with session_scope(engine) as session:
        runner.resume(session, marketer, campaign.id)
    crashed = Sender(engine, client_for, worker="dies")
    crashed._record_sent = lambda sent: None  # dies after the sends, before recording
    crashed.run_once()
    with session_scope(engine) as session:
        from datetime import timedelta

        from core.models import Channel, OutboundJob
        from core.models import utcnow as now

        for job in session.exec(select(OutboundJob).where(OutboundJob.state == "sending")):
            job.claimed_until = now() - timedelta(seconds=1)
        for channel in session.exec(select(Channel)):  # the dead worker's lease ran out too
            channel.sender_lease_until = now() - timedelta(seconds=1)
    control.idle()
    run_until_done(engine, campaign.id, Sender(engine, client_for, worker="restarted"), control)
    sent_numbers = [m["customer"] for m in control.sent()]
    assert len(sent_numbers) == len(set(sent_numbers)) == 40
    with Session(engine) as session:
        states = {
            r.state
            for r in session.exec(
                select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
            )
        }
    assert states == {"queued", "skipped"}


def pace(engine, messages_per_second: int) -> None:
    """Every channel's sending pace (its WhatsApp throughput)."""
    with session_scope(engine) as session:
        for channel in session.exec(select(Channel)):
            channel.throughput_mps = messages_per_second


def test_a_stopping_sender_hands_back_what_it_had_not_started(engine, team, live) -> None:
    """A stop (a deploy, Ctrl-C) does not wait out the channel's pace for every job the sender
    claimed: those no send thread had taken go back to the queue unsent, and the next worker
    sends them, each customer once."""
    control, workspace_id = live
    campaign = launch(engine, team[Role.MARKETER], workspace_id, audience_frame(40), "Parada")
    runner.run_due(engine)
    pace(engine, 2)  # 20 s for the 40 at the channel's pace
    stopping = Sender(engine, client_for, worker="stopping", limiter=RateLimiter(), concurrency=2)
    assert stopping.run_once(wait=False) == 40
    stopping.close()
    with Session(engine) as session:
        jobs = session.exec(select(OutboundJob)).all()
    handed_back = [job for job in jobs if job.state == "queued"]
    assert len(handed_back) >= 30  # all but the few the two send threads had taken
    assert {(job.claimed_by, job.claimed_until, job.attempts) for job in handed_back} == {
        (None, None, 0)
    }
    assert len(control.sent()) + len(handed_back) == 40
    pace(engine, 1000)
    run_until_done(engine, campaign.id, Sender(engine, client_for, worker="next"), control)
    sent_numbers = [m["customer"] for m in control.sent()]
    assert len(sent_numbers) == len(set(sent_numbers)) == 40


def test_cancel_stops_everyone_not_yet_sent(engine, team, live) -> None:
    control, workspace_id = live
    marketer = team[Role.MARKETER]
    campaign = launch(engine, marketer, workspace_id, audience_frame(50), "Cancelada")
    runner.run_due(engine)
    with session_scope(engine) as session:
        runner.cancel(session, marketer, campaign.id)
    Sender(engine, client_for).run_once()
    runner.run_due(engine)
    assert control.sent() == []
    with Session(engine) as session:
        counts = report.counts(session, marketer, campaign.id)
        failures = report.failures(session, marketer, campaign.id)
    assert counts.sent == 0 and counts.pending == 0
    # the queued ones are failed with a reason the report says in the reader's language
    assert [describe(f.code, f.title, "es") for f in failures] == [
        t("failures.campaign_cancelled", "es")
    ]


def test_a_scheduled_campaign_waits_for_its_time(engine, team, live) -> None:
    from datetime import timedelta

    from core.models import Campaign, utcnow

    control, workspace_id = live
    marketer = team[Role.MARKETER]
    campaign = launch(
        engine,
        marketer,
        workspace_id,
        audience_frame(3),
        "Luego",
        start_at=utcnow() + timedelta(hours=1),
    )
    assert runner.run_due(engine) == 0
    assert runner.run_due(engine, now=utcnow() + timedelta(hours=2)) == 3
    with Session(engine) as session:
        assert session.get(Campaign, campaign.id).state == "running"


def test_campaigns_on_the_command_line(engine, team, live, run_cli, tmp_path) -> None:
    import json

    control, workspace_id = live
    csv_file = tmp_path / "audiencia.csv"
    audience_frame(4).to_csv(csv_file, index=False)
    created = run_cli(
        "campaigns",
        "create",
        "--name",
        "CLI",
        "--template",
        str(workspace_id),
        "--audience",
        str(csv_file),
        "--number-column",
        "telefono",
        "--name-column",
        "nombre",
        "--map",
        "body.1=column:nombre",
        "--map",
        "body.2=value:domingo",
        "--json",
    )
    assert created.returncode == 0, created.stderr
    data = json.loads(created.stdout)
    assert data["recipients"] == 4 and data["skipped"] == {
        "duplicate": 1,
        "invalid_number": 1,
        "missing_value": 1,
    }
    started = json.loads(run_cli("campaigns", "start", str(data["id"]), "--json").stdout)
    assert started["state"] == "scheduled"
    paused = json.loads(run_cli("campaigns", "pause", str(data["id"]), "--json").stdout)
    assert paused["state"] == "paused"
    status = json.loads(run_cli("campaigns", "status", str(data["id"]), "--json").stdout)
    assert (status["total"], status["pending"], status["sent"]) == (7, 4, 0)
    bad = run_cli(
        "campaigns",
        "create",
        "--name",
        "x",
        "--template",
        str(workspace_id),
        "--audience",
        str(csv_file),
        "--number-column",
        "phone",
    )
    assert bad.returncode == 1 and "no column phone" in bad.stderr


def test_a_campaign_holds_while_meta_pauses_its_template_and_goes_on_when_reinstated(
    engine, team, live
) -> None:
    """Template pausing
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pausing):
    a PAUSED status webhook holds the campaign with its reason; REINSTATED lets it go on."""
    from core.models import Campaign, WorkspaceTemplate

    control, workspace_id = live
    campaign = launch(engine, team[Role.MARKETER], workspace_id, audience_frame(30), "Pausada")
    runner.run_due(engine)  # the first round is queued
    status = f"/accounts/{control.number}/templates/{PROMO['name']}/status"
    control.call("POST", status, {"status": "PAUSED"})
    control.idle()
    processor.process_pending(engine)
    runner.run_due(engine)
    sender = Sender(engine, client_for)
    sender.run_once()
    assert control.sent() == []  # what was queued waits instead of failing with 132015
    with Session(engine) as session:
        assert session.get(Campaign, campaign.id).held_reason == "PAUSED"
        assert session.get(Campaign, campaign.id).state == "running"
        assert session.get(WorkspaceTemplate, workspace_id).flagged_reason == "PAUSED"

    control.call("POST", status, {"status": "REINSTATED"})
    control.idle()
    processor.process_pending(engine)
    run_until_done(engine, campaign.id, sender, control)
    assert len({m["customer"] for m in control.sent()}) == 30
    with Session(engine) as session:
        assert session.get(Campaign, campaign.id).held_reason is None
        assert session.get(WorkspaceTemplate, workspace_id).flagged_reason is None


def test_a_campaign_is_announced_finished_once_though_two_workers_saw_it_running(
    engine, team, live
) -> None:
    control, workspace_id = live
    with session_scope(engine) as session:
        create_subscription(session, CLI_ACTOR, "https://crm.example/hook", ["campaign.finished"])
    campaign = launch(engine, team[Role.MARKETER], workspace_id, audience_frame(3), "Una vez")
    runner.run_due(engine)  # its first round: it runs
    with Session(engine) as late:  # a second worker (SQLite: its read takes no lock)
        stale = late.get(Campaign, campaign.id)
        assert stale.state == "running"
        run_until_done(engine, campaign.id, Sender(engine, client_for), control)
        runner._finish_once(late, stale, utcnow())  # it too found nothing left to send
        late.commit()
    with Session(engine) as session:
        finished = session.exec(
            select(HookDelivery).where(HookDelivery.event == "campaign.finished")
        ).all()
        assert session.get(Campaign, campaign.id).state == "done"
    assert len(finished) == 1
