"""Canned replies (shared, ``/shortcut``, fields from the contact) and the contact profile."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from core import db
from core.access.auth import PermissionDenied
from core.conversations import assignment, canned, labels, profile
from core.errors import UserFacingError
from core.models import (
    AuditEntry,
    Campaign,
    CampaignRecipient,
    Contact,
    Conversation,
    Message,
    MessageStatus,
    Role,
    WorkspaceTemplate,
)
from tests.inbox.helpers import customer_writes
from tests.store_helpers import make_channel


def test_canned_replies_are_managed_by_admins_and_marketers(engine, team) -> None:
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            canned.add_reply(session, team[Role.AGENT], "hola", "Hola")
        with pytest.raises(UserFacingError) as bad:
            canned.add_reply(session, team[Role.MARKETER], "two words", "Hola")
        assert bad.value.key == "inbox.error.shortcut"
    with db.session_scope(engine) as session:
        reply = canned.add_reply(session, team[Role.MARKETER], "/Hola", "Hola {{name}}")
        assert reply.shortcut == "hola"
        with pytest.raises(UserFacingError) as taken:
            canned.add_reply(session, team[Role.ADMIN], "hola", "Otra")
        assert taken.value.key == "inbox.error.shortcut_taken"
        canned.add_reply(session, team[Role.ADMIN], "envio", "Enviamos a todo el país")
    with db.session_scope(engine) as session:
        canned.update_reply(session, team[Role.ADMIN], reply.id, "saludo", "Buenas {{name}}")
    with Session(engine) as session:
        agent = team[Role.AGENT]
        assert [r.shortcut for r in canned.list_replies(session, agent)] == ["envio", "saludo"]
        assert [r.shortcut for r in canned.list_replies(session, agent, "país")] == ["envio"]
    with db.session_scope(engine) as session:
        canned.delete_reply(session, team[Role.MARKETER], reply.id)
    with Session(engine) as session:
        actions = session.exec(
            select(AuditEntry.action).where(AuditEntry.action.startswith("canned."))
        ).all()
        assert sorted(actions) == [
            "canned.change",
            "canned.create",
            "canned.create",
            "canned.delete",
        ]


def test_a_shortcut_fills_name_number_and_attributes(engine, team, conversation_id) -> None:
    with db.session_scope(engine) as session:
        canned.add_reply(
            session, team[Role.ADMIN], "plan", "Hola {{name}} ({{number}}), tu plan {{ plan }}"
        )
        contact_id = session.get(Conversation, conversation_id).contact_id
        profile.set_attribute(session, team[Role.AGENT], contact_id, "Plan", "oro")
    with Session(engine) as session:
        filled = canned.expand(session, team[Role.AGENT], conversation_id, "/plan")
        assert filled == canned.Filled("Hola Marta Gómez (+5493415551234), tu plan oro", ())
        assert canned.expand(session, team[Role.AGENT], conversation_id, "/nope") is None
        assert canned.expand(session, team[Role.AGENT], conversation_id, "plan") is None


def test_a_field_the_contact_lacks_stays_visible_and_is_named() -> None:
    contact = Contact(channel_id=1, wa_id="34600111222", profile_name="")
    filled = canned.fill("Hola {{name}}, tu pedido {{order}}", contact)
    assert filled == canned.Filled("Hola {{name}}, tu pedido {{order}}", ("name", "order"))


def test_the_profile_shows_who_the_customer_is(engine, team, conversation_id, channel_id) -> None:
    other = make_channel(engine, number="+15550000002", phone_number_id="2")
    customer_writes(engine, other.id, "wamid.other")
    with db.session_scope(engine) as session:
        vip = labels.create_label(session, team[Role.ADMIN], "VIP")
        labels.change_labels(session, team[Role.AGENT], conversation_id, add=[vip.name])
        conversation = session.get(Conversation, conversation_id)
        profile.set_attribute(session, team[Role.AGENT], conversation.contact_id, "city", "Rosario")
        template = WorkspaceTemplate(
            channel_id=channel_id,
            name="promo",
            content="{}",
            partner_template_id="p1",
            category="MARKETING",
            language="es",
        )
        session.add(template)
        session.flush()
        campaign = Campaign(
            channel_id=channel_id, workspace_template_id=template.id, name="Rebajas"
        )
        sent = Message(
            channel_id=channel_id,
            conversation_id=conversation_id,
            direction="out",
            type="template",
            template_name="promo",
            status=MessageStatus.DELIVERED,
        )
        session.add_all([campaign, sent])
        session.flush()
        session.add(
            CampaignRecipient(campaign_id=campaign.id, wa_id="5493415551234", message_id=sent.id)
        )
    with Session(engine) as session:
        shown = profile.profile(session, team[Role.MANAGER], conversation_id)
    assert (shown.name, shown.wa_id, shown.channel_name) == (
        "Marta Gómez",
        "5493415551234",
        "Ventas",
    )
    assert [label.name for label in shown.labels] == ["VIP"]
    assert shown.attributes == {"city": "Rosario"} and shown.opted_out is False
    assert [c.id for c in shown.conversations] != [] and conversation_id not in [
        c.id for c in shown.conversations
    ]
    assert [(c.name, c.status) for c in shown.campaigns] == [("Rebajas", MessageStatus.DELIVERED)]
    with Session(engine) as session:
        with pytest.raises(UserFacingError) as which:
            profile.profile_by_number(session, team[Role.ADMIN], "+54 9 341 555-1234")
        assert which.value.key == "inbox.error.which_channel"
        found = profile.profile_by_number(session, team[Role.ADMIN], "5493415551234", other.id)
        assert found.channel_id == other.id


def test_attributes_are_checked_and_an_empty_value_removes_one(
    engine, team, conversation_id
) -> None:
    with db.session_scope(engine) as session:
        contact_id = session.get(Conversation, conversation_id).contact_id
        agent = team[Role.AGENT]
        for key in ("name", "1st", "with space"):
            with pytest.raises(UserFacingError):
                profile.set_attribute(session, agent, contact_id, key, "x")
        with pytest.raises(PermissionDenied):
            profile.set_attribute(session, team[Role.MANAGER], contact_id, "city", "x")
        assert profile.set_attribute(session, agent, contact_id, "city", "Rosario") == {
            "city": "Rosario"
        }
        assert profile.set_attribute(session, agent, contact_id, "city", "") == {}


def test_an_agent_edits_only_the_customers_they_may_see(
    engine, team, agents, conversation_id
) -> None:
    with db.session_scope(engine) as session:
        assignment.assign(session, team[Role.ADMIN], conversation_id, "agent2")
        contact_id = session.get(Conversation, conversation_id).contact_id
    with Session(engine) as session:
        with pytest.raises(UserFacingError) as refused:
            profile.set_attribute(session, agents[0], contact_id, "city", "Rosario")
        assert refused.value.key == "inbox.error.not_yours"
        assert profile.set_attribute(session, agents[1], contact_id, "city", "Rosario")
