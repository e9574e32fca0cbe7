"""The Campaigns page: plan from contacts, skipped rows before sending, preview, start, controls,
the report in words, read-only managers, refused agents, Spanish.

The audience comes from the channel's contacts here (AppTest cannot drive ``st.file_uploader``);
reading CSV and XLSX files is covered by core's tests of ``read_audience``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import streamlit as st
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.db import session_scope
from core.models import (
    Campaign,
    CampaignRecipient,
    Channel,
    Contact,
    Message,
    MessageStatus,
    RemoteTemplate,
    Role,
    WorkspaceTemplate,
    utcnow,
)
from tests.pages.conftest import texts
from tests.store_helpers import make_channel

PAGE = "pages/campaigns.py"
COMPONENTS = [
    {"type": "BODY", "text": "Hola {{1}}, este {{2}} tienes un 20% en toda la tienda."},
    {"type": "FOOTER", "text": "Responde BAJA para no recibir más"},
]


@dataclass(frozen=True)
class Shop:
    channel_id: int
    workspace_id: int
    opted_out_contact: int


@pytest.fixture
def shop(engine) -> Shop:
    """A channel with an approved marketing template and contacts that trip every skip reason."""
    stored = make_channel(engine)
    with session_scope(engine) as session:
        remote = RemoteTemplate(
            channel_id=stored.id,
            remote_id="tpl-1",
            name="rebajas_invierno",
            language="es",
            category="MARKETING",
            status="APPROVED",
            components=COMPONENTS,
        )
        session.add(remote)
        session.flush()
        workspace = WorkspaceTemplate(
            channel_id=stored.id,
            remote_template_id=remote.id,
            name=remote.name,
            content="{}",
            partner_template_id="tpl-1",
            category="MARKETING",
            language="es",
        )
        session.add(workspace)
        for wa_id, name in [
            ("34611000001", "Lucía"),
            ("34611000002", "Marcos"),
            ("34611000003", ""),  # no name: the {{1}} value is missing
            ("12", "Roto"),  # not a phone number
            ("5511987654321", "Ana"),
            ("551187654321", "Ana sin 9"),  # the same Brazilian mobile, written without the 9
        ]:
            session.add(Contact(channel_id=stored.id, wa_id=wa_id, profile_name=name))
        blocked = Contact(
            channel_id=stored.id,
            wa_id="34611000009",
            profile_name="Bloqueada",
            opted_out=True,
            opted_out_at=utcnow(),
        )
        session.add(blocked)
        session.flush()
        return Shop(stored.id, workspace.id, blocked.id)


def bubble_bodies(at: AppTest) -> list[str]:
    """The text of each previewed message, as the escaped WhatsApp bubble shows it."""
    return [
        element.value.split('word-wrap:break-word">')[1].split("</div>")[0]
        for element in at.html
        if 'class="template-preview"' in element.value
    ]


def metrics(at: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in at.metric}


def plan_from_contacts(at: AppTest, shop: Shop) -> AppTest:
    """Audience: the channel's contacts; {{1}} from the name column, {{2}} the same for everyone."""
    at.radio(key="cmp_source").set_value("contacts").run()
    at.selectbox(key=f"cmp_map_{shop.workspace_id}_b_1_source").set_value("name").run()
    at.text_input(key=f"cmp_map_{shop.workspace_id}_b_2_value").input("sábado").run()
    at.button(key="cmp_check").click().run()
    assert not at.exception, at.exception
    return at


def campaign_rows(engine) -> list[Campaign]:
    with Session(engine) as session:
        return list(session.exec(select(Campaign)))


def test_plan_reports_skipped_rows_and_previews_before_anything_is_sent(
    run_page, team, shop, engine
) -> None:
    at = run_page(PAGE, team[Role.MARKETER])
    assert "New campaign" in texts(at)
    assert "Upload the file to continue." in texts(at)
    at.radio(key="cmp_source").set_value("contacts").run()
    assert "Check the audience to see who would be left out" in texts(at)
    assert [s.label for s in at.selectbox if s.label.startswith("Value for")] == [
        "Value for {{1}}",
        "Value for {{2}}",
    ]
    plan_from_contacts(at, shop)

    assert metrics(at) == {
        "Will receive it": "3",
        "Invalid number": "1",
        "Repeated number": "1",
        "Missing value": "1",
        "Asked not to receive marketing": "1",
    }
    assert "3 of 7 will be sent the template." in texts(at)
    assert "Meta's rates effective 2025-07-01" in texts(at)
    skipped = at.dataframe[-1].value
    assert sorted(skipped["Why it is left out"]) == [
        "Asked not to receive marketing",
        "Invalid number",
        "Missing value",
        "Repeated number",
    ]
    assert "+12" in set(skipped["Number"])
    bubbles = bubble_bodies(at)
    assert len(bubbles) == 3  # the first three who will receive it
    assert "Hola Lucía, este sábado tienes un 20% en toda la tienda." in bubbles
    assert all("Responde BAJA para no recibir más" in element.value for element in at.html)
    assert campaign_rows(engine) == []  # nothing created, nothing sent


@dataclass(frozen=True)
class FakeUpload:
    """What ``st.file_uploader`` returns (AppTest cannot drive the real widget)."""

    name: str
    content: bytes
    file_id: str = "upload-1"

    def getvalue(self) -> bytes:
        return self.content


def test_uploaded_csv_with_national_numbers_and_its_own_column_names(
    run_page, team, shop, monkeypatch
) -> None:
    upload = FakeUpload(
        "clientes.csv",
        "telefono;nombre;dia\n611 000 101;Lucía;sábado\n611-000-101;Otra vez;lunes\n"
        "no es un número;Roto;martes\n622 000 202;Marcos;domingo\n".encode(),
    )
    monkeypatch.setattr(st, "file_uploader", lambda *args, **kwargs: upload)
    at = run_page(PAGE, team[Role.MARKETER])
    assert "4 rows (clientes.csv). The first ones:" in texts(at)
    assert at.selectbox(key=f"cmp_map_{shop.workspace_id}_number").value == "telefono"
    assert at.selectbox(key=f"cmp_map_{shop.workspace_id}_name").value == "nombre"
    at.text_input(key="cmp_region").input("es").run()
    at.selectbox(key=f"cmp_map_{shop.workspace_id}_b_1_source").set_value("nombre").run()
    at.selectbox(key=f"cmp_map_{shop.workspace_id}_b_2_source").set_value("dia").run()
    at.button(key="cmp_check").click().run()
    assert not at.exception, at.exception
    figures = metrics(at)
    assert (figures["Will receive it"], figures["Invalid number"]) == ("2", "1")
    assert figures["Repeated number"] == "1"
    bubbles = bubble_bodies(at)
    assert "Hola Marcos, este domingo tienes un 20% en toda la tienda." in bubbles


def test_start_now_then_pause_resume_and_cancel_after_confirming(
    run_page, team, shop, engine
) -> None:
    at = plan_from_contacts(run_page(PAGE, team[Role.MARKETER]), shop)
    at.text_input(key="cmp_name").input("Invierno").run()
    at.button(key="cmp_launch").click().run()
    assert not at.exception, at.exception
    (campaign,) = campaign_rows(engine)
    assert (campaign.name, campaign.state) == ("Invierno", "scheduled")
    assert "Campaign “Invierno” started: 3 messages are on their way." in texts(at)
    with Session(engine) as session:
        recipients = session.exec(
            select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
        ).all()
    assert sorted(r.state for r in recipients) == ["pending"] * 3 + ["skipped"] * 4
    assert "State: scheduled" in texts(at)
    assert metrics(at)["Waiting"] == "3"
    assert metrics(at)["Skipped"] == "4"

    def state() -> str:
        return campaign_rows(engine)[0].state

    at.button(key=f"cmp_pause_{campaign.id}").click().run()
    assert state() == "paused"
    assert "Campaign “Invierno” paused." in texts(at)
    at.button(key=f"cmp_resume_{campaign.id}").click().run()
    assert state() == "running"
    at.button(key=f"cmp_cancel_{campaign.id}").click().run()
    assert state() == "running"  # only asked so far
    at.button(key=f"cmp_cancel_no_{campaign.id}").click().run()
    assert state() == "running"
    at.button(key=f"cmp_cancel_{campaign.id}").click().run()
    at.button(key=f"cmp_cancel_yes_{campaign.id}").click().run()
    assert not at.exception, at.exception
    assert state() == "cancelled"
    assert "State: cancelled" in texts(at)
    assert not [b for b in at.button if b.key and b.key.startswith("cmp_pause_")]


def test_a_sending_window_and_retry_delays_go_with_the_campaign(
    run_page, team, shop, engine
) -> None:
    at = plan_from_contacts(run_page(PAGE, team[Role.MARKETER]), shop)
    at.text_input(key="cmp_name").input("Mañanas").run()
    at.checkbox(key="cmp_window").check().run()
    assert [ti.value.strftime("%H:%M") for ti in at.time_input] == ["09:00", "20:00"]
    assert at.text_input(key="cmp_retry_hours").value == "24, 48"
    at.text_input(key="cmp_retry_hours").input("12").run()
    at.button(key="cmp_launch").click().run()
    assert not at.exception, at.exception
    (campaign,) = campaign_rows(engine)
    assert (campaign.send_from, campaign.send_until, campaign.retry_delays) == (
        "09:00",
        "20:00",
        [12.0],
    )


def test_contacts_saved_as_a_segment_become_an_audience(run_page, team, shop) -> None:
    at = run_page(PAGE, team[Role.MARKETER])
    at.radio(key="cmp_source").set_value("segment").run()
    assert "No segment is saved yet" in texts(at)
    at.radio(key="cmp_source").set_value("contacts").run()
    at.text_input(key="cmp_seg_name").input("Todos").run()
    at.button(key="cmp_seg_save").click().run()
    assert "Segment Todos saved." in texts(at)
    at.radio(key="cmp_source").set_value("segment").run()
    assert not at.exception, at.exception
    assert at.selectbox(key="cmp_seg").value is not None
    assert "7 rows (Todos). The first ones:" in texts(at)


def test_start_at_a_time_already_past_is_refused(run_page, team, shop, engine) -> None:
    at = plan_from_contacts(run_page(PAGE, team[Role.MARKETER]), shop)
    at.text_input(key="cmp_name").input("Ayer").run()
    at.radio(key="cmp_when").set_value("later").run()
    assert "In your time zone (UTC)." in texts(at)
    at.date_input(key="cmp_date").set_value(utcnow().date() - timedelta(days=1)).run()
    at.button(key="cmp_launch").click().run()
    assert "That time has already passed" in texts(at)
    assert campaign_rows(engine) == []


@pytest.fixture
def finished(engine, shop: Shop) -> int:
    """A done campaign: two read, one failed as undeliverable, one skipped; one customer replied."""
    now = utcnow()
    with session_scope(engine) as session:
        channel = session.get(Channel, shop.channel_id)
        campaign = Campaign(
            channel_id=shop.channel_id,
            workspace_template_id=shop.workspace_id,
            name="Verano",
            state="done",
            start_at=now - timedelta(minutes=10),
            started_at=now - timedelta(minutes=10),
            finished_at=now - timedelta(minutes=5),
            created_by="marketer1",
        )
        session.add(campaign)
        session.flush()
        outcomes = [
            ("34611000001", MessageStatus.READ, None),
            ("34611000002", MessageStatus.READ, None),
            ("34611000003", MessageStatus.FAILED, 131026),
        ]
        for wa_id, status, code in outcomes:
            contact, _ = find_or_create_contact(session, channel, wa_id)
            conversation = find_or_create_conversation(session, channel, contact)
            message = Message(
                channel_id=shop.channel_id,
                conversation_id=conversation.id,
                direction="out",
                type="template",
                text="Hola",
                template_name="rebajas_invierno",
                status=status,
                error_code=code,
                error_title="Message undeliverable" if code else None,
                created_at=now - timedelta(minutes=9),
            )
            session.add(message)
            session.flush()
            session.add(
                CampaignRecipient(
                    campaign_id=campaign.id,
                    wa_id=wa_id,
                    state="queued",
                    message_id=message.id,
                    queued_at=now - timedelta(minutes=9),
                )
            )
            if wa_id == "34611000001":
                session.add(
                    Message(
                        channel_id=shop.channel_id,
                        conversation_id=conversation.id,
                        wa_message_id="wamid.reply",
                        direction="in",
                        type="text",
                        text="¡Me interesa!",
                        status=MessageStatus.RECEIVED,
                        created_at=now - timedelta(minutes=8),
                    )
                )
        session.add(
            CampaignRecipient(
                campaign_id=campaign.id,
                wa_id="34611000009",
                state="skipped",
                skip_reason="opted_out",
            )
        )
        session.flush()
        return campaign.id


def test_manager_sees_the_report_in_spanish_read_only(run_page, team, shop, finished) -> None:
    at = run_page(PAGE, team[Role.MANAGER], language="es")
    shown = texts(at)
    assert "Campañas" in shown
    assert "Nueva campaña" not in shown
    assert "crearlas y controlarlas es cosa de marketing" in shown
    assert "Estado: terminada" in shown
    assert "Omitidos — Pidió no recibir publicidad: 1" in shown
    figures = metrics(at)
    assert figures["Enviados"] == "2"
    assert figures["Fallidos"] == "1"
    assert figures["Respondieron"] == "1"
    assert figures["Leídos"] == "2"
    assert figures["Tasa de entrega"] == "100%"
    assert figures["Tasa de lectura"] == "100%"
    assert figures["Tasa de respuesta"] == "50%"
    assert figures["Tasa de fallos"] == "33%"
    failures = at.dataframe[-1].value
    assert list(failures["Motivo"]) == [
        "No se pudo entregar el mensaje: puede que el número no tenga WhatsApp, tenga una "
        "versión antigua o no haya aceptado las condiciones."
    ]
    assert list(failures["Mensajes"]) == [1]
    assert len(at.get("download_button")) == 1
    assert len(at.get("vega_lite_chart")) == 1
    assert [b.key for b in at.button if b.key and b.key.startswith("cmp_")] == []
    assert "Contactos que pidieron no recibir publicidad" not in shown


def test_admin_opts_a_contact_back_in(run_page, team, shop, engine) -> None:
    at = run_page(PAGE, team[Role.ADMIN])
    assert "Contacts who asked not to receive marketing" in texts(at)
    assert "**Bloqueada** · +34611000009" in texts(at)
    at.button(key=f"cmp_opt_in_{shop.opted_out_contact}").click().run()
    assert not at.exception, at.exception
    assert "+34611000009 will receive marketing campaigns again." in texts(at)
    assert "Nobody on this channel has opted out." in texts(at)
    with Session(engine) as session:
        assert session.get(Contact, shop.opted_out_contact).opted_out is False


def test_agent_cannot_open_the_page(run_page, team, shop) -> None:
    at = run_page(PAGE, team[Role.AGENT])
    assert [error.value for error in at.error] == ["Your role (Agent) cannot open this page."]
    assert not at.title


def test_a_paused_template_is_flagged_and_its_campaign_says_it_is_on_hold(
    run_page, team, shop, engine
) -> None:
    """Meta paused the template (template pausing): the picker names it instead of offering it,
    and the running campaign that sends it says why it holds."""
    at = plan_from_contacts(run_page(PAGE, team[Role.MARKETER]), shop)
    at.text_input(key="cmp_name").input("Invierno").run()
    at.button(key="cmp_launch").click().run()
    (campaign,) = campaign_rows(engine)
    from core.campaigns import runner
    from core.templates.library import record_status

    with session_scope(engine) as session:
        remote = session.exec(select(RemoteTemplate)).one()
        record_status(session, remote, "PAUSED", None)
    runner.run_due(engine, utcnow() + timedelta(seconds=1))
    with Session(engine) as session:
        assert session.get(Campaign, campaign.id).held_reason == "PAUSED"
    at.run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert (
        "Not offered now, WhatsApp does not let them be sent: rebajas\\_invierno · es (Paused)"
        in (warnings)
    )
    assert "**On hold:** its template is paused by WhatsApp" in warnings
