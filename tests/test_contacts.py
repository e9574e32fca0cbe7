"""Contacts and conversations are made in one place, one by one or a set at a time."""

from __future__ import annotations

from sqlmodel import Session, select

from core.conversations import contacts
from core.db import session_scope
from core.models import Contact, Conversation
from tests.store_helpers import make_channel


def test_one_contact_is_found_under_any_form_of_its_number_and_renamed(engine) -> None:
    channel = make_channel(engine)
    with session_scope(engine) as session:
        made, created = contacts.find_or_create_contact(session, channel, "554188887777", "Ana")
        assert created and made.wa_id == "5541988887777" and made.phone_e164 == "+5541988887777"
        thread = contacts.find_or_create_conversation(session, channel, made)
    with session_scope(engine) as session:
        again, created = contacts.find_or_create_contact(
            session, channel, "+5541988887777", "Ana B"
        )
        assert not created and again.id == made.id and again.profile_name == "Ana B"
        assert contacts.find_or_create_conversation(session, channel, again).id == thread.id


def test_a_set_is_read_first_and_the_missing_made_in_order(engine) -> None:
    channel = make_channel(engine)
    assert channel.id is not None
    with session_scope(engine) as session:
        known, _ = contacts.find_or_create_contact(session, channel, "34611000001")
        known.opted_out = True
    keys = [contacts.contact_key(channel.id, f"3461100000{n}") for n in (3, 1, 2)]
    with session_scope(engine) as session:
        found = contacts.find(session, keys)
        assert list(found.contacts) == [keys[1]] and found.threads == {}
        reached = contacts.ensure(session, found, {key: f"C{key[1][-1]}" for key in keys})
    assert reached.opted_out == {known.id}
    assert set(reached.contact_ids) == set(keys) and len(set(reached.thread_ids)) == 3
    assert reached.created == {reached.contact_ids[keys[0]], reached.contact_ids[keys[2]]}
    with Session(engine) as session:
        rows = session.exec(select(Contact).order_by(Contact.id)).all()
        assert [(c.wa_id, c.profile_name) for c in rows] == [
            ("34611000001", ""),
            ("34611000003", "C3"),
            ("34611000002", "C2"),
        ]


def test_rows_another_writer_made_after_the_reads_are_taken_not_refused(engine) -> None:
    """A webhook batch reads before its writer's turn; meanwhile a send to the same number made
    the contact and its conversation. The batch's inserts skip them and use those rows."""
    channel = make_channel(engine)
    assert channel.id is not None
    key = contacts.contact_key(channel.id, "34611000009")
    with Session(engine) as session:
        found = contacts.find(session, [key])
        with session_scope(engine) as other:
            contact, _ = contacts.find_or_create_contact(other, channel, "34611000009")
            thread = contacts.find_or_create_conversation(other, channel, contact)
        reached = contacts.ensure(session, found, {key: ""})
        session.commit()
    assert reached.contact_ids == {key: contact.id} and reached.created == set()
    assert reached.thread_ids == {contact.id: thread.id}
    with Session(engine) as session:
        assert len(session.exec(select(Conversation)).all()) == 1
