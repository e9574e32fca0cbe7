"""The Conversations page: the list, a thread with every kind of message, ticks, window, replies."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from PIL import Image
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from core.config import get_settings
from core.conversations.contacts import find_or_create_contact, find_or_create_conversation
from core.db import session_scope
from core.models import (
    Channel,
    Conversation,
    MediaFile,
    Message,
    MessageStatus,
    OutboundJob,
    Role,
    utcnow,
)
from core.outbox.queue import enqueue_text
from pages._conversations.composer import NOTE_OPEN
from pages._conversations.thread import PROFILE_OPEN
from tests.pages.conftest import texts
from tests.store_helpers import make_channel

PAGE = "pages/conversations.py"


@dataclass(frozen=True)
class Chats:
    lucia: int  # window open, unread, every kind of message
    ana: int  # window open, read
    marcos: int  # window closed
    failed_message: int


def _inbound(
    session: Session,
    conversation: Conversation,
    wa_id: str,
    kind: str,
    at: datetime,
    text: str = "",
    **content: object,
) -> Message:
    message = Message(
        channel_id=conversation.channel_id,
        conversation_id=conversation.id,
        wa_message_id=wa_id,
        direction="in",
        type=kind,
        text=text,
        content={"raw": {"id": wa_id}, **content},
        status=MessageStatus.RECEIVED,
        created_at=at,
        status_at=at,
    )
    session.add(message)
    session.flush()
    return message


def _outbound(
    session: Session,
    channel: Channel,
    conversation: Conversation,
    text: str,
    status: MessageStatus,
    at: datetime,
    **fields: object,
) -> Message:
    message = enqueue_text(session, channel, conversation, text, **fields)
    message.status, message.created_at = status, at
    return message


def _media(session: Session, message: Message, name: str, data: bytes, **fields: object) -> None:
    folder = get_settings().media_dir / str(message.channel_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    session.add(
        MediaFile(
            channel_id=message.channel_id,
            message_id=message.id,
            wa_media_id=f"media-{name}",
            status="downloaded",
            path=f"{message.channel_id}/{name}",
            **fields,
        )
    )


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def chats(engine) -> Chats:
    """Three customers on one channel; Lucía's thread holds one message of each kind."""
    stored = make_channel(engine)
    now = utcnow()
    with session_scope(engine) as session:
        channel = session.get(Channel, stored.id)
        assert channel is not None

        def conversation(wa_id: str, name: str) -> Conversation:
            contact, _ = find_or_create_contact(session, channel, wa_id, name)
            return find_or_create_conversation(session, channel, contact)

        lucia = conversation("5491122334455", "Lucía Gómez")
        at = iter(now - timedelta(minutes=40 - minute) for minute in range(40))
        _inbound(session, lucia, "wamid.L1", "text", next(at), "Hola, ¿tienen stock?")
        photo = _inbound(session, lucia, "wamid.L2", "image", next(at), "la foto del modelo")
        _media(session, photo, "foto.png", _png(), mime_type="image/png")
        document = _inbound(session, lucia, "wamid.L3", "document", next(at), "catalogo.pdf")
        _media(
            session,
            document,
            "catalogo.pdf",
            b"%PDF-1.4 lista de precios",
            mime_type="application/pdf",
            filename="catalogo.pdf",
        )
        voice = _inbound(session, lucia, "wamid.L4", "audio", next(at))
        session.add(
            MediaFile(
                channel_id=channel.id, message_id=voice.id, wa_media_id="m4", status="pending"
            )
        )
        video = _inbound(session, lucia, "wamid.L5", "video", next(at))
        session.add(
            MediaFile(
                channel_id=channel.id,
                message_id=video.id,
                wa_media_id="m5",
                status="failed",
                last_error="The media could not be downloaded.",
            )
        )
        _inbound(
            session,
            lucia,
            "wamid.L6",
            "location",
            next(at),
            "Oficina",
            location={
                "latitude": -34.6037,
                "longitude": -58.3816,
                "name": "Oficina",
                "address": "Av Corrientes 1234",
            },
        )
        _inbound(
            session,
            lucia,
            "wamid.L7",
            "contacts",
            next(at),
            "Pedro",
            contacts=[{"name": "Pedro Soto", "phones": ["+5491155556666"]}],
        )
        _inbound(
            session,
            lucia,
            "wamid.L8",
            "text",
            next(at),
            "Vi el anuncio",
            referral={"headline": "Zapatillas 2x1", "source_url": "https://fb.me/ad1"},
        )
        _inbound(
            session,
            lucia,
            "wamid.L9",
            "text",
            next(at),
            "Quiero dos pares",
            edits=[{"id": "wamid.E1", "previous_text": "Quiero un par"}],
        )
        gone = _inbound(session, lucia, "wamid.L10", "text", next(at), "me equivoqué", deleted=True)
        gone.status = MessageStatus.DELETED
        unknown = _inbound(session, lucia, "wamid.L11", "unsupported", next(at))
        unknown.error_title = "Message type unknown"
        _inbound(session, lucia, "wamid.L12", "ephemeral", next(at), location="not a place")
        _inbound(session, lucia, "wamid.L13", "location", next(at), location=["not", "a", "dict"])
        _inbound(session, lucia, "wamid.R1", "reaction", next(at), "👍").reply_to_wa_id = "wamid.L1"
        _outbound(
            session,
            channel,
            lucia,
            "Sí, nos quedan tres",
            MessageStatus.READ,
            next(at),
            reply_to_wa_id="wamid.L1",
        )
        _outbound(session, channel, lucia, "Te paso el catálogo", MessageStatus.DELIVERED, next(at))
        _outbound(session, channel, lucia, "Ya salió", MessageStatus.SENT, next(at))
        _outbound(session, channel, lucia, "Un momento", MessageStatus.QUEUED, next(at))
        failed = _outbound(session, channel, lucia, "El precio es 10", MessageStatus.FAILED, now)
        failed.error_code, failed.error_title = 131047, "Re-engagement message"
        job = session.exec(select(OutboundJob).where(OutboundJob.message_id == failed.id)).one()
        job.state = "failed"
        lucia.last_inbound_at, lucia.last_message_at = now - timedelta(minutes=10), now
        lucia.last_message_preview, lucia.unread_count = "El precio es 10", 2

        ana = conversation("34600111222", "Ana Ruiz")
        _inbound(session, ana, "wamid.A1", "text", now - timedelta(hours=2), "Gracias")
        ana.last_inbound_at = ana.last_message_at = now - timedelta(hours=2)
        ana.last_message_preview = "Gracias"

        marcos = conversation("5215512345678", "Marcos Pérez")
        _inbound(
            session, marcos, "wamid.M1", "text", now - timedelta(hours=30), "¿Siguen abiertos?"
        )
        marcos.last_inbound_at = marcos.last_message_at = now - timedelta(hours=30)
        marcos.last_message_preview, marcos.unread_count = "¿Siguen abiertos?", 1
        session.flush()
        return Chats(lucia.id, ana.id, marcos.id, failed.id)


def shown(at: AppTest) -> str:
    """Every text on the page, including plain ``st.text``, warnings and template bubbles."""
    extra = [element.value for element in (*at.text, *at.warning, *at.html)]
    return "\n".join([texts(at), *map(str, extra)])


def rows(at: AppTest) -> list:  # type: ignore[type-arg]
    """The inbox's rows (each one button), top to bottom."""
    return [button for button in at.button if button.key.startswith("viewer_open_")]


def listed(at: AppTest) -> list[str]:
    """The customers in the list, top to bottom."""
    return [row.label.split("**")[1] for row in rows(at)]


def open_thread(at: AppTest, conversation_id: int) -> AppTest:
    at.button(key=f"viewer_open_{conversation_id}").click().run()
    assert not at.exception, at.exception
    return at


def stored(engine, message_id: int) -> Message:
    with Session(engine) as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message


def test_agent_lists_newest_first_searches_and_filters(run_page, roles, chats) -> None:
    at = run_page(PAGE, roles[Role.AGENT])
    assert listed(at) == ["Lucía Gómez", "Ana Ruiz", "Marcos Pérez"]
    lucia, ana, _ = rows(at)
    # one compact row: name, unread badge, time of the last message, then its first line
    assert lucia.label.startswith("**Lucía Gómez** :red-badge[2 unread] · ")
    assert lucia.label.endswith("\nEl precio es 10")
    assert "unread" not in ana.label and ana.label.endswith("\nGracias")
    assert "Choose a conversation from the list to read it." in shown(at)

    at.text_input(key="viewer_search").input("marcos").run()
    assert listed(at) == ["Marcos Pérez"]
    at.text_input(key="viewer_search").input("600 111").run()  # a number, typed with spaces
    assert listed(at) == ["Ana Ruiz"]
    at.text_input(key="viewer_search").input("").run()
    at.toggle(key="viewer_unread").set_value(True).run()
    assert listed(at) == ["Lucía Gómez", "Marcos Pérez"]
    at.toggle(key="viewer_window").set_value(True).run()
    assert listed(at) == ["Lucía Gómez"]


def test_agent_reads_every_kind_of_message(run_page, roles, chats, engine) -> None:
    at = open_thread(run_page(PAGE, roles[Role.AGENT]), chats.lucia)
    page = shown(at)
    assert [m.name for m in at.chat_message].count("customer") == 13  # the reaction is no bubble
    assert "Hola, ¿tienen stock?" in page
    assert len(at.get("image")) == 1 and "la foto del modelo" in page
    assert [b.label for b in at.get("download_button")] == ["Download catalogo.pdf"]
    assert "Downloading…" in page  # the voice note still pending
    assert "The file could not be downloaded: The media could not be downloaded." in page
    assert "[Oficina](https://maps.google.com/?q=-34.6037,-58.3816)" in page
    assert "Av Corrientes 1234" in page
    assert "**Pedro Soto**" in page and "+5491155556666" in page
    assert "From an ad: Zapatillas 2x1 · [see the ad](https://fb.me/ad1)" in page
    assert "edited" in page and "deleted by the customer" in page
    assert "Unsupported message type unsupported" in page and "Message type unknown" in page
    assert "Unsupported message type ephemeral" in page
    # the reaction sits under the message it reacts to, the quote above the answer
    bubbles = [[e.value for e in bubble.markdown] for bubble in at.chat_message]
    assert any("👍" in values for values in bubbles[:1])
    assert ["> Hola, ¿tienen stock?"] in [[v for v in b if v.startswith(">")] for b in bubbles]
    # ticks of what the team sent
    assert ":blue[✓✓] read" in page
    assert "✓✓ delivered" in page and "✓ sent" in page and "🕓 queued" in page
    assert (
        "Not sent: More than 24 hours have passed since the customer last wrote; only an approved "
        "template can be sent now." in page
    )
    assert len(at.chat_input) == 1
    # opening the thread cleared its unread count (and the list says so already), its row is
    # the highlighted one
    lucia = rows(at)[0]
    assert "unread" not in lucia.label and lucia.proto.type == "primary"
    assert {row.proto.type for row in rows(at)[1:]} == {"secondary"}
    with Session(engine) as session:
        assert session.get(Conversation, chats.lucia).unread_count == 0
        assert session.exec(select(OutboundJob).where(OutboundJob.kind == "mark_read")).all()

    at.button(key=f"viewer_retry_{chats.failed_message}").click().run()
    assert stored(engine, chats.failed_message).status == MessageStatus.QUEUED
    assert "Not sent:" not in shown(at)
    retry_download = next(b for b in at.button if b.label == "Retry download")
    retry_download.click().run()
    assert "The file could not be downloaded" not in shown(at)
    assert shown(at).count("Downloading…") == 2


def test_agent_replies_inside_the_window(run_page, roles, chats, engine) -> None:
    at = open_thread(run_page(PAGE, roles[Role.AGENT]), chats.lucia)
    at.selectbox(key=f"viewer_reply_to_{chats.lucia}").select("wamid.L9")
    at.chat_input(key=f"viewer_composer_{chats.lucia}").set_value("Mañana lo envío").run()
    assert not at.exception, at.exception
    with Session(engine) as session:
        reply = session.exec(select(Message).where(Message.text == "Mañana lo envío")).one()
    assert (reply.direction, reply.status) == ("out", MessageStatus.QUEUED)
    assert reply.reply_to_wa_id == "wamid.L9" and reply.conversation_id == chats.lucia
    bubble = at.chat_message[-1]
    assert [e.value for e in bubble.text] == ["Mañana lo envío"]
    assert any("🕓 queued" in e.value for e in bubble.caption)
    assert "> Quiero dos pares" in [e.value for e in bubble.markdown]
    options = at.selectbox(key=f"viewer_reply_to_{chats.lucia}").options
    assert "me equivoqué" not in " ".join(options)  # deleted by the customer: not quotable
    assert at.selectbox(key=f"viewer_reply_to_{chats.lucia}").value == ""  # reset after sending


def test_closed_window_replaces_the_composer(run_page, roles, chats) -> None:
    at = open_thread(run_page(PAGE, roles[Role.AGENT]), chats.marcos)
    page = shown(at)
    assert "¿Siguen abiertos?" in page and "Window closed" in page
    assert len(at.chat_input) == 0
    assert "WhatsApp only allows an approved template now" in page


def test_manager_reads_but_cannot_answer(run_page, roles, chats, engine) -> None:
    at = open_thread(run_page(PAGE, roles[Role.MANAGER]), chats.lucia)
    page = shown(at)
    assert "Hola, ¿tienen stock?" in page and "Not sent:" in page
    assert len(at.chat_input) == 0
    assert not [b for b in at.button if b.label == "Retry"]
    assert "Your role can read conversations but not answer them." in page
    with Session(engine) as session:
        assert session.get(Conversation, chats.lucia).unread_count == 0
        assert not session.exec(select(OutboundJob).where(OutboundJob.kind == "mark_read")).all()


def test_spanish_labels_through_the_menu(open_dashboard, roles, chats) -> None:
    at = open_thread(open_dashboard(roles[Role.AGENT], language="es", page=PAGE), chats.lucia)
    page = shown(at)
    assert at.title[0].value == "Conversaciones"
    assert "Ventana abierta: se cierra en 23 h" in page
    assert "No enviado: Han pasado más de 24 horas desde el último mensaje del cliente." in page
    assert "Tipo de mensaje no admitido: unsupported" in page
    assert ":blue[✓✓] leído" in page and "editado" in page
    assert [b.label for b in at.get("download_button")] == ["Descargar catalogo.pdf"]
    assert "Reintentar" in [b.label for b in at.button]
    assert at.chat_input[0].placeholder == "Escribe una respuesta"
    assert at.text_input(key="viewer_search").label == "Buscar"


def test_outside_the_window_an_agent_sends_an_approved_workspace_template(
    run_page, roles, chats, engine
) -> None:
    from core.models import RemoteTemplate, WorkspaceTemplate

    with session_scope(engine) as session:
        conversation = session.get(Conversation, chats.marcos)
        template = RemoteTemplate(
            channel_id=conversation.channel_id,
            name="seguimiento",
            language="es",
            category="UTILITY",
            status="APPROVED",
            components=[{"type": "BODY", "text": "Hola {{1}}, ¿pudiste ver el pedido?"}],
        )
        session.add(template)
        session.flush()
        session.add(
            WorkspaceTemplate(
                channel_id=conversation.channel_id,
                remote_template_id=template.id,
                name="seguimiento",
                content="Hola {{1}}, ¿pudiste ver el pedido?",
                partner_template_id="t-1",
                category="UTILITY",
                language="es",
            )
        )
    at = open_thread(run_page(PAGE, roles[Role.AGENT]), chats.marcos)
    at.text_input(key=f"viewer_tpl_{chats.marcos}_b_1_1").input("Marcos").run()
    assert "Hola Marcos, ¿pudiste ver el pedido?" in shown(at)
    at.button(key=f"viewer_tpl_send_{chats.marcos}").click().run()
    assert not at.exception, at.exception
    with Session(engine) as session:
        sent = session.exec(select(Message).where(Message.template_name == "seguimiento")).one()
    assert (sent.status, sent.text) == (
        MessageStatus.QUEUED,
        "Hola Marcos, ¿pudiste ver el pedido?",
    )
    assert sent.content["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Marcos"}
    ]


# The team inbox in the viewer: views with counts, filters, the team's badges on rows, the
# triage panel, private notes in the thread, canned replies in the composer, the profile.


@pytest.fixture
def triaged(engine, roles, chats) -> Chats:
    """Lucía is agent1's, Ana marketer1's, Marcos unassigned, pending and labelled VIP."""
    from core.conversations import assignment, labels, lifecycle

    admin = roles[Role.ADMIN]
    with session_scope(engine) as session:
        labels.create_label(session, admin, "VIP")
        assignment.assign(session, admin, chats.lucia, "agent1")
        assignment.assign(session, admin, chats.ana, "marketer1")
        lifecycle.set_status(session, admin, chats.marcos, "pending")
        labels.change_labels(session, admin, chats.marcos, add=["VIP"])
    return chats


def row_named(at: AppTest, name: str):  # type: ignore[no-untyped-def]
    return next(row for row in rows(at) if row.label.startswith(f"**{name}**"))


def choose_view(at: AppTest, view: str) -> AppTest:
    at.segmented_control(key="viewer_view").set_value(view).run()
    assert not at.exception, at.exception
    return at


def test_an_agent_sees_mine_and_unassigned_with_counts_and_badges(run_page, roles, triaged) -> None:
    at = run_page(PAGE, roles[Role.AGENT])
    views = at.segmented_control(key="viewer_view")
    assert views.options == ["Mine · 1", "Unassigned · 1", "All · 2"]  # Ana is another's
    assert views.value == "all"
    assert listed(at) == ["Lucía Gómez", "Marcos Pérez"]
    lucia, marcos = rows(at)
    assert "\n:blue-badge[:material/person: agent1] El precio es 10" in lucia.label
    assert "\n:orange-badge[pending] :violet-badge[VIP] ¿Siguen abiertos?" in marcos.label
    assert listed(choose_view(at, "mine")) == ["Lucía Gómez"]
    assert listed(choose_view(at, "unassigned")) == ["Marcos Pérez"]
    # an agent picks no other member: there is nobody else's to see
    assert not [box for box in at.selectbox if box.key == "viewer_assignee"]


def test_an_admin_filters_by_status_assignee_and_label(run_page, roles, triaged, engine) -> None:
    from core.models import Label

    at = run_page(PAGE, roles[Role.ADMIN])
    assert at.segmented_control(key="viewer_view").options == [
        "Mine · 0",
        "Unassigned · 1",
        "All · 3",
    ]
    at.selectbox(key="viewer_status").select("pending").run()
    assert listed(at) == ["Marcos Pérez"]
    at.selectbox(key="viewer_status").select(None).run()
    member = {box.key: box for box in at.selectbox}["viewer_assignee"]
    member.select(roles[Role.MARKETER].user_id).run()
    assert listed(at) == ["Ana Ruiz"]
    assert "Filters (1)" in [box.proto.popover.label for box in at.get("popover")]
    at.selectbox(key="viewer_assignee").select(None).run()
    assert at.selectbox(key="viewer_label").options == ["Any label", "VIP"]
    with Session(engine) as session:
        vip = session.exec(select(Label.id)).one()
    at.selectbox(key="viewer_label").select(vip).run()
    assert listed(at) == ["Marcos Pérez"]


def test_an_agent_triages_writes_a_note_and_answers_with_a_shortcut(
    run_page, roles, chats, engine
) -> None:
    from core.conversations import canned, labels

    with session_scope(engine) as session:
        labels.create_label(session, roles[Role.ADMIN], "VIP")
        canned.add_reply(session, roles[Role.ADMIN], "gracias", "Gracias {{name}}, {{plan}}")
    at = open_thread(run_page(PAGE, roles[Role.AGENT]), chats.ana)
    page = shown(at)
    assert "Assigned to: **nobody**" in page and "Status: **open**" in page
    assert "First seen" not in page  # the profile is read only once its popover is open
    at.session_state[PROFILE_OPEN] = True  # the agent opens it
    page = shown(at.run())
    assert "+34600111222" in page and "First seen" in page
    next(b for b in at.button if b.label == "Assign to me").click().run()
    assert "The conversation is yours." in shown(at)
    at.multiselect(key=f"labels_{chats.ana}").select("VIP").run()
    next(b for b in at.button if b.label == "Save labels").click().run()
    assert ":violet-badge[VIP]" in row_named(at, "Ana Ruiz").label

    at.session_state[NOTE_OPEN] = True  # "Write a private note" opened
    at.run()
    at.text_area(key=f"note_text_{chats.ana}").input("Pidió factura A")
    next(b for b in at.button if b.label == "Add note").click().run()
    assert "Note added." in shown(at)
    # the note sits in the thread, marked private, and is no chat bubble on either side
    assert ":material/lock: Private note · agent1 · " in shown(at)
    assert not any("Pidió factura A" in str(bubble) for bubble in at.chat_message)
    assert "Pidió factura A" in shown(at)

    composer = f"viewer_composer_{chats.ana}"
    at.chat_input(key=composer).set_value("/gracias").run()
    assert at.chat_input(key=composer).proto.value == "Gracias Ana Ruiz, {{plan}}"
    assert any("The contact has no value for plan" in w.value for w in at.warning)
    at.chat_input(key=composer).set_value("Gracias Ana Ruiz, hasta pronto").run()
    assert not at.exception, at.exception
    assert not any("no value for plan" in w.value for w in at.warning)
    with Session(engine) as session:
        sent = session.exec(
            select(Message.text)
            .where(Message.conversation_id == chats.ana)
            .where(Message.direction == "out")
        ).all()
        assert sent == ["Gracias Ana Ruiz, hasta pronto"]  # the shortcut itself never went

    at.selectbox(key=f"status_{chats.ana}").select("resolved").run()
    next(b for b in at.button if b.label == "Save status").click().run()
    assert "The conversation is resolved." in shown(at)
    assert ":green-badge[resolved]" in row_named(at, "Ana Ruiz").label
    with Session(engine) as session:
        conversation = session.get(Conversation, chats.ana)
        assert (conversation.assignee_id, conversation.status) == (
            roles[Role.AGENT].user_id,
            "resolved",
        )
