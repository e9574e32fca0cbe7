"""The team inbox's pages and widgets as people use them: the labels and canned replies page, a
channel's hours and automatic assignment, availability on the Users page, and the widgets beside
a conversation (each run by a tiny script, as the viewer will draw them)."""

from __future__ import annotations

from datetime import time

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core import db
from core.access import settings
from core.channels import hours
from core.conversations import assignment, canned, labels
from core.models import CannedReply, Channel, Conversation, ConversationNote, Label, Role, User
from pages._conversations.composer import NOTE_OPEN
from tests.inbox.helpers import conversation_of, customer_writes
from tests.pages.conftest import TIMEOUT, texts
from tests.store_helpers import make_channel

PAGE = "pages/inbox_settings.py"


def press(at: AppTest, label: str) -> None:
    next(button for button in at.button if button.label == label).click()
    at.run()
    assert not at.exception, at.exception


def test_a_marketer_adds_a_label_and_a_canned_reply(run_page, roles, engine) -> None:
    at = run_page(PAGE, roles[Role.MARKETER])
    assert "No labels yet." in texts(at)
    at.text_input(key="new_label_name").input("VIP")
    press(at, "Add label")
    assert "Label VIP added." in texts(at)
    at.text_input(key="new_canned_shortcut").input("/Hola")
    at.text_area(key="new_canned_text").input("Hola {{name}}")
    press(at, "Add canned reply")
    assert "Canned reply /hola added." in texts(at)
    at.text_input(key="new_canned_shortcut").input("hola")
    at.text_area(key="new_canned_text").input("Otra")
    press(at, "Add canned reply")
    assert "The shortcut /hola is taken." in texts(at)
    with Session(engine) as session:
        assert [label.name for label in session.exec(select(Label))] == ["VIP"]
        assert [reply.text for reply in session.exec(select(CannedReply))] == ["Hola {{name}}"]


def test_agents_may_not_open_the_page(run_page, roles) -> None:
    at = run_page(PAGE, roles[Role.AGENT], language="es")
    assert "Etiquetas" not in [tab.label for tab in at.tabs]
    assert at.error


def channel_script() -> None:
    import streamlit as st

    from core.i18n import set_language
    from pages._channels.inbox import channel_inbox_settings

    set_language("en")  # what the page's guard does first
    channel_inbox_settings(st.session_state["actor"], st.session_state["channel_id"], False)


def test_an_admin_sets_business_hours_and_automatic_assignment(engine, roles) -> None:
    channel = make_channel(engine)
    at = AppTest.from_function(channel_script, default_timeout=TIMEOUT)
    at.session_state["actor"], at.session_state["channel_id"] = roles[Role.ADMIN], channel.id
    at.run()
    at.toggle(key=f"hours_enabled_{channel.id}").set_value(True)
    at.checkbox(key=f"hours_open_{channel.id}_0").check()
    at.text_area(key=f"hours_away_{channel.id}").input("Volvemos a las 9.")
    press(at, "Save business hours")
    assert "Business hours saved." in texts(at)
    at.toggle(key=f"auto_assign_{channel.id}").set_value(True)
    at.run()
    assert "New conversations are now assigned automatically." in texts(at)
    with Session(engine) as session:
        stored = hours.get_hours(session, roles[Role.ADMIN], channel.id)
        assert stored.enabled and stored.week == {0: ((time(9), time(18)),)}
        assert session.get(Channel, channel.id).auto_assign


def test_hours_without_an_away_message_are_refused_in_words(engine, roles) -> None:
    channel = make_channel(engine)
    at = AppTest.from_function(channel_script, default_timeout=TIMEOUT)
    at.session_state["actor"], at.session_state["channel_id"] = roles[Role.ADMIN], channel.id
    at.run()
    at.toggle(key=f"hours_enabled_{channel.id}").set_value(True)
    press(at, "Save business hours")
    assert "Write the away message" in texts(at)


def test_an_admin_sets_availability_and_lets_agents_see_all(run_page, roles, engine) -> None:
    at = run_page("pages/users.py", roles[Role.ADMIN])
    at.toggle(key="agents_see_all").set_value(True)
    at.run()
    assert "Agents now see every conversation." in texts(at)
    at.selectbox(key="manage_user").select("agent1")
    at.run()
    at.toggle(key="available_agent1").set_value(False)
    at.number_input(key="open_limit_agent1").set_value(3)
    press(at, "Save availability")
    assert "Availability of agent1 saved." in texts(at)
    with Session(engine) as session:
        agent = session.exec(select(User).where(User.username == "agent1")).one()
        assert (agent.available, agent.open_limit) == (False, 3)
        assert settings.get(session, settings.AGENTS_SEE_ALL) is True


def conversation_script() -> None:
    import streamlit as st

    from core.i18n import set_language
    from pages._conversations.assignment import triage_panel
    from pages._conversations.canned import canned_picker
    from pages._conversations.notes import note_form
    from pages._conversations.profile import profile_panel

    set_language("en")  # what the viewer page's guard does first
    actor, conversation_id = st.session_state["actor"], st.session_state["conversation_id"]
    triage_panel(actor, conversation_id)
    profile_panel(actor, conversation_id)
    note_form(actor, conversation_id)
    canned_picker(actor, conversation_id, "composer")
    st.text_area("Message", key="composer")


def open_conversation(engine, actor) -> tuple[AppTest, int]:
    channel = make_channel(engine)
    customer_writes(engine, channel.id, "wamid.1", name="Marta")
    with Session(engine) as session:
        conversation_id = conversation_of(session).id
    at = AppTest.from_function(conversation_script, default_timeout=TIMEOUT)
    at.session_state["actor"], at.session_state["conversation_id"] = actor, conversation_id
    at.run()
    assert not at.exception, at.exception
    return at, conversation_id


def test_an_agent_takes_resolves_labels_notes_and_uses_a_canned_reply(engine, roles) -> None:
    with db.session_scope(engine) as session:
        labels.create_label(session, roles[Role.ADMIN], "VIP")
        canned.add_reply(session, roles[Role.ADMIN], "hola", "Hola {{name}}, {{plan}}")
    at, conversation_id = open_conversation(engine, roles[Role.AGENT])
    assert "Marta" in texts(at) and "+5493415551234" in texts(at)
    press(at, "Assign to me")
    assert "The conversation is yours." in texts(at)
    at.selectbox(key=f"status_{conversation_id}").select("resolved")
    at.run()
    press(at, "Save status")
    assert "The conversation is resolved." in texts(at)
    at.multiselect(key=f"labels_{conversation_id}").select("VIP")
    at.run()
    press(at, "Save labels")
    at.session_state[NOTE_OPEN] = True  # "Write a private note" opened
    at.run()
    at.text_area(key=f"note_text_{conversation_id}").input("Quiere factura A")
    press(at, "Add note")
    assert "Note added." in texts(at)
    at.selectbox(key="composer_canned").select("hola")
    at.run()
    assert at.text_area(key="composer").value == "Hola Marta, {{plan}}"
    assert any("The contact has no value for plan" in w.value for w in at.warning)
    with Session(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation.assignee_id == roles[Role.AGENT].user_id
        assert conversation.status == "resolved"
        assert labels.labels_of(session, [conversation_id])[conversation_id][0].name == "VIP"
        assert session.exec(select(ConversationNote.text)).one() == "Quiere factura A"


def test_a_manager_reads_the_profile_and_changes_nothing(engine, roles) -> None:
    at, conversation_id = open_conversation(engine, roles[Role.MANAGER])
    assert "Marta" in texts(at) and "Assigned to: **nobody**" in texts(at)
    assert [button.label for button in at.button] == []  # nothing to take, save or add
    assert [area.key for area in at.text_area] == ["composer"]  # no note form
    assert not at.text_input  # no attribute form
    assert not at.selectbox  # neither status nor canned replies to choose
    assert at.session_state["conversation_id"] == conversation_id


def test_an_agent_is_told_when_the_conversation_is_anothers(engine, roles) -> None:
    channel = make_channel(engine)
    customer_writes(engine, channel.id, "wamid.1")
    with db.session_scope(engine) as session:
        conversation_id = conversation_of(session).id
        assignment.assign(session, roles[Role.ADMIN], conversation_id, "marketer1")
    at = AppTest.from_function(conversation_script, default_timeout=TIMEOUT)
    at.session_state["actor"], at.session_state["conversation_id"] = (
        roles[Role.AGENT],
        conversation_id,
    )
    at.run()
    assert not at.exception, at.exception
    said = [error.value for error in at.error]
    assert said == ["This conversation is assigned to another team member."] * 2
