"""Contacts and their conversations: the one place that makes sure they exist.

A person is one contact per channel, stored under the canonical form of their WhatsApp id and
found under any of its forms (``core.phones``: Brazil's 9th digit and the like), with one
conversation per channel. Three paths need them: a webhook batch (hundreds of senders at once),
a campaign round (hundreds of recipients) and single sends (a template to a number, a message the
business sent from the WhatsApp Business app).

Batches call :func:`find` and then :func:`ensure`: one read per table, then one insert per table
for what is missing, in plain rows (building a model per contact cost more than the messages). A
webhook batch reads before it takes the writer's turn and writes after, so another writer may
have made a contact or a conversation in between: the inserts skip a row that exists
(``ON CONFLICT DO NOTHING``, on SQLite and PostgreSQL alike) and read it back instead of failing
the batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Row, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from core.db import one_of
from core.models import Channel, Contact, Conversation, utcnow
from core.phones import canonical_wa_id, equivalent_wa_ids

CONTACTS = Contact.__table__.c  # type: ignore[attr-defined]
THREADS = Conversation.__table__.c  # type: ignore[attr-defined]

ContactKey = tuple[int, str]
"""One person on one channel: the channel's id and the canonical form of their WhatsApp id."""


def contact_key(channel_id: int, wa_id: str) -> ContactKey:
    return channel_id, canonical_wa_id(wa_id)


@dataclass(frozen=True)
class Found:
    """The contacts and conversations that exist already, read before anything is written."""

    contacts: dict[ContactKey, Row[Any]]
    """Each known contact's ``id`` and ``opted_out``, by key."""
    threads: dict[int, int]
    """Each known conversation's id, by contact id."""


@dataclass(frozen=True)
class Reached:
    """Every contact asked for and its conversation, existing or made by :func:`ensure`."""

    contact_ids: dict[ContactKey, int]
    thread_ids: dict[int, int]
    """Conversation ids by contact id."""
    created: set[int]
    """The contacts made now (a new contact gets the channel's greeting)."""
    opted_out: set[int]
    """The contacts who asked for no more marketing messages."""


def find(session: Session, keys: Iterable[ContactKey]) -> Found:
    """The contacts of ``keys`` that exist, under any form of their number, and their
    conversations: one query per table, whatever the number of keys."""
    contacts = _contacts(session, keys)
    return Found(contacts, _threads(session, [(k[0], row.id) for k, row in contacts.items()]))


def ensure(
    session: Session,
    found: Found,
    names: Mapping[ContactKey, str],
    *,
    now: datetime | None = None,
) -> Reached:
    """Make the contacts of ``names`` that :func:`find` did not find (each named with its value)
    and every conversation missing, in the order given: one insert per table."""
    contact_ids, created, opted_out = _ensure_contacts(session, found.contacts, names, now)
    pairs = [(key[0], contact_id) for key, contact_id in contact_ids.items()]
    thread_ids = _ensure_threads(session, pairs, found.threads)
    return Reached(contact_ids, thread_ids, created, opted_out)


def find_or_create_contact(
    session: Session, channel: Channel, wa_id: str, name: str | None = None
) -> tuple[Contact, bool]:
    """The contact for ``wa_id`` on ``channel`` (any of its equivalent forms), and if it is new;
    a name given renames a known contact."""
    session.flush()  # the reads below are plain SQL: what the session holds must be written first
    assert channel.id is not None
    key = contact_key(channel.id, wa_id)
    ids, created, _ = _ensure_contacts(session, _contacts(session, [key]), {key: name or ""})
    contact = session.get(Contact, ids[key])
    assert contact is not None
    if not created and name and contact.profile_name != name:
        contact.profile_name = name
    return contact, bool(created)


def find_or_create_conversation(
    session: Session, channel: Channel, contact: Contact
) -> Conversation:
    """The contact's conversation on ``channel``, made if it has none."""
    session.flush()
    assert channel.id is not None and contact.id is not None
    pair = [(channel.id, contact.id)]
    ids = _ensure_threads(session, pair, _threads(session, pair))
    conversation = session.get(Conversation, ids[contact.id])
    assert conversation is not None
    return conversation


def _contacts(session: Session, keys: Iterable[ContactKey]) -> dict[ContactKey, Row[Any]]:
    """The contacts of ``keys`` that exist, matched on any form of the number (canonical first)."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    forms = {form for _, wa_id in wanted for form in equivalent_wa_ids(wa_id)}
    by_form = {
        (row.channel_id, row.wa_id): row
        for row in session.connection().execute(
            select(CONTACTS.id, CONTACTS.channel_id, CONTACTS.wa_id, CONTACTS.opted_out)
            .where(CONTACTS.channel_id.in_({channel_id for channel_id, _ in wanted}))
            .where(one_of(session, CONTACTS.wa_id, forms))
        )
    }
    found: dict[ContactKey, Row[Any]] = {}
    for channel_id, wa_id in wanted:
        for form in equivalent_wa_ids(wa_id):
            if (channel_id, form) in by_form:
                found[(channel_id, wa_id)] = by_form[(channel_id, form)]
                break
    return found


def _threads(session: Session, pairs: list[tuple[int, int]]) -> dict[int, int]:
    """The conversation ids of (channel id, contact id) pairs that have one, by contact id."""
    if not pairs:
        return {}
    return {
        row.contact_id: row.id
        for row in session.connection().execute(
            select(THREADS.id, THREADS.contact_id)  # (channel, contact): the unique index
            .where(THREADS.channel_id.in_({channel_id for channel_id, _ in pairs}))
            .where(one_of(session, THREADS.contact_id, {contact_id for _, contact_id in pairs}))
        )
    }


def _ensure_contacts(
    session: Session,
    known: dict[ContactKey, Row[Any]],
    names: Mapping[ContactKey, str],
    now: datetime | None = None,
) -> tuple[dict[ContactKey, int], set[int], set[int]]:
    """Every contact id of ``names``, making those not ``known``; the ids made now, and the ids
    of the contacts who opted out."""
    ids = {key: row.id for key, row in known.items()}
    opted_out = {row.id for row in known.values() if row.opted_out}
    missing = [key for key in names if key not in ids]
    if not missing:
        return ids, set(), opted_out
    when = now or utcnow()
    made = {
        (row.channel_id, row.wa_id): row.id
        for row in session.connection().execute(
            _insert_unless_present(session, Contact.__table__, "channel_id", "wa_id").returning(  # type: ignore[arg-type]
                CONTACTS.id, CONTACTS.channel_id, CONTACTS.wa_id
            ),
            [
                {
                    "channel_id": channel_id,
                    "wa_id": wa_id,
                    "phone_e164": f"+{wa_id}" if wa_id.isdigit() else None,
                    "profile_name": names[(channel_id, wa_id)],
                    "opted_out": False,
                    "created_at": when,
                }
                for channel_id, wa_id in missing
            ],
        )
    }
    ids.update(made)
    if len(made) < len(missing):  # another writer made some since the reads
        raced = _contacts(session, [key for key in missing if key not in made])
        ids.update((key, row.id) for key, row in raced.items())
        opted_out.update(row.id for row in raced.values() if row.opted_out)
    return ids, set(made.values()), opted_out


def _ensure_threads(
    session: Session, pairs: list[tuple[int, int]], known: dict[int, int]
) -> dict[int, int]:
    """The conversation id of every (channel id, contact id) pair, making those not ``known``."""
    threads = dict(known)
    missing = [
        (channel_id, contact_id) for channel_id, contact_id in pairs if contact_id not in threads
    ]
    if not missing:
        return threads
    threads.update(
        (row.contact_id, row.id)
        for row in session.connection().execute(
            _insert_unless_present(
                session, Conversation.__table__, "channel_id", "contact_id"
            ).returning(  # type: ignore[arg-type]
                THREADS.id, THREADS.contact_id
            ),
            [
                {"channel_id": channel_id, "contact_id": contact_id, "unread_count": 0}
                for channel_id, contact_id in missing
            ],
        )
    )
    raced = [pair for pair in missing if pair[1] not in threads]
    if raced:  # another writer made them since the reads
        threads.update(_threads(session, raced))
    return threads


def _insert_unless_present(session: Session, table: Table, *unique: str) -> Insert:
    """``INSERT … ON CONFLICT (unique) DO NOTHING``: a row that exists is skipped, not an error."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing(index_elements=list(unique))
