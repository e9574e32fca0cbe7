"""Labels: coloured tags on conversations. Admins and marketers make them
(``Permission.MANAGE_INBOX``); whoever answers puts them on and takes them off."""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core.access import audit
from core.access.auth import Actor, Permission, require
from core.channels import changes
from core.conversations.assignment import conversation_for
from core.errors import UserFacingError
from core.models import Conversation, ConversationLabel, Label

MAX_NAME_LENGTH = 40
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def list_labels(session: Session, actor: Actor) -> list[Label]:
    require(actor, Permission.VIEW_CONVERSATIONS)
    return list(session.exec(select(Label).order_by(func.lower(Label.name))))


def label_named(session: Session, name: str) -> Label:
    """The label called ``name`` (any case), or a refusal naming it."""
    found = session.exec(
        select(Label).where(func.lower(Label.name) == name.strip().lower())
    ).first()
    if found is None:
        raise UserFacingError("inbox.error.no_label", name=name)
    return found


def _checked(session: Session, name: str, color: str, label_id: int | None = None) -> str:
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME_LENGTH:
        raise UserFacingError("inbox.error.label_name", maximum=MAX_NAME_LENGTH)
    if not COLOR.match(color):
        raise UserFacingError("inbox.error.label_color", color=color)
    same = session.exec(select(Label).where(func.lower(Label.name) == clean.lower())).first()
    if same is not None and same.id != label_id:
        raise UserFacingError("inbox.error.label_taken", name=clean)
    return clean


def create_label(session: Session, actor: Actor, name: str, color: str = "#4e79a7") -> Label:
    require(actor, Permission.MANAGE_INBOX)
    label = Label(
        name=_checked(session, name, color), color=color.lower(), created_by=actor.username
    )
    session.add(label)
    session.flush()
    audit.record(session, actor, "label.create", f"label:{label.id}", name=label.name)
    return label


def update_label(session: Session, actor: Actor, label_id: int, name: str, color: str) -> Label:
    require(actor, Permission.MANAGE_INBOX)
    label = _label(session, label_id)
    previous = label.name
    label.name, label.color = _checked(session, name, color, label_id), color.lower()
    session.add(label)
    _note_channels_carrying(session, label_id)
    audit.record(
        session, actor, "label.change", f"label:{label.id}", previous=previous, name=label.name
    )
    return label


def delete_label(session: Session, actor: Actor, label_id: int) -> None:
    """The label goes, and with it from every conversation carrying it."""
    require(actor, Permission.MANAGE_INBOX)
    label = _label(session, label_id)
    _note_channels_carrying(session, label_id)
    session.connection().execute(
        delete(ConversationLabel.__table__).where(  # type: ignore[arg-type]
            ConversationLabel.__table__.c.label_id == label.id  # type: ignore[attr-defined]
        )
    )
    session.delete(label)
    audit.record(session, actor, "label.delete", f"label:{label_id}", name=label.name)


def _note_channels_carrying(session: Session, label_id: int) -> None:
    """Open inboxes redraw the chips of a label renamed or deleted: the channels of the
    conversations carrying it (a few, by ``ix_conversation_labels_label_conversation``)."""
    channels = session.exec(
        select(Conversation.channel_id)
        .join(ConversationLabel, col(ConversationLabel.conversation_id) == Conversation.id)
        .where(ConversationLabel.label_id == label_id)
        .distinct()
    )
    changes.note(session, *channels)


def _label(session: Session, label_id: int) -> Label:
    label = session.get(Label, label_id)
    if label is None:
        raise UserFacingError("inbox.error.no_label", name=f"#{label_id}")
    return label


def change_labels(
    session: Session,
    actor: Actor,
    conversation_id: int,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> list[Label]:
    """Put labels on a conversation and take others off, by name; its labels afterwards."""
    require(actor, Permission.REPLY_CONVERSATIONS)
    conversation = conversation_for(session, actor, conversation_id)
    assert conversation.id is not None
    adding = [label_named(session, name) for name in add]
    removing = [label_named(session, name) for name in remove]
    current = {label.id for label in labels_of(session, [conversation.id]).get(conversation.id, [])}
    for label in adding:
        if label.id not in current:
            session.add(ConversationLabel(conversation_id=conversation.id, label_id=label.id))
            current.add(label.id)
    for label in removing:
        link = session.get(ConversationLabel, (conversation.id, label.id))
        if link is not None:
            session.delete(link)
    session.flush()
    changes.note(session, conversation.channel_id)  # the row's chips, the label filter
    audit.record(
        session,
        actor,
        "conversation.labels",
        f"conversation:{conversation.id}",
        added=[label.name for label in adding],
        removed=[label.name for label in removing],
    )
    return labels_of(session, [conversation.id]).get(conversation.id, [])


def labels_of(session: Session, conversation_ids: list[int]) -> dict[int, list[Label]]:
    """The labels of a page of conversations, in one query (the link table's primary key)."""
    if not conversation_ids:
        return {}
    rows = session.exec(
        select(ConversationLabel.conversation_id, Label)
        .join(Label, col(Label.id) == ConversationLabel.label_id)
        .where(col(ConversationLabel.conversation_id).in_(conversation_ids))
        .order_by(func.lower(Label.name))
    )
    found: dict[int, list[Label]] = {}
    for conversation_id, label in rows:
        found.setdefault(conversation_id, []).append(label)
    return found
