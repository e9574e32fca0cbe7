"""Customers write, the team answers: the whole 360Dialog path over real HTTP against the sandbox.

The sandbox delivers webhooks to our routes (uvicorn), the processor and the sender run as the
server runs them, and the sandbox tells what the customer's phone received.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from core.access.auth import Actor
from core.channels.registry import client_for
from core.conversations import threads
from core.db import session_scope
from core.models import Conversation, Message, MessageStatus, OutboundJob, Role, utcnow
from core.outbox.sender import Sender
from core.webhooks import processor
from tests.live import LiveChannel, SandboxControl
from tests.waiting import wait_until


@pytest.fixture
def live(live: LiveChannel) -> SandboxControl:
    """Only the sandbox's controls: these tests find the channel through the store."""
    return live.control


def one_round(engine, control: SandboxControl, sender: Sender | None = None) -> bool:
    """Run the sender and the processor once; True when nothing was left to do."""
    if sender is not None:
        sender.run_once()
    control.idle()
    return processor.process_pending(engine) == 0 and _queue_empty(engine)


def settle(engine, control: SandboxControl, sender: Sender | None = None) -> None:
    """Run the processor (and sender) until the sandbox has nothing left to deliver."""
    wait_until(lambda: one_round(engine, control, sender), timeout=20, message="settling")


def _queue_empty(engine) -> bool:
    with Session(engine) as session:
        return (
            session.exec(
                select(OutboundJob).where(OutboundJob.state.in_(["queued", "sending"]))
            ).first()
            is None
        )


def wait_for(condition: Callable[[], bool], engine, control, sender=None) -> None:
    def done() -> bool:
        one_round(engine, control, sender)
        return condition()

    wait_until(done, timeout=20, message="the condition")


def only_conversation(engine) -> Conversation:
    with Session(engine) as session:
        return session.exec(select(Conversation)).one()


def thread_messages(engine, actor: Actor) -> list[Message]:
    with Session(engine) as session:
        return [
            item.message
            for item in threads.get_thread(session, actor, only_conversation(engine).id).messages
        ]


CUSTOMER_MESSAGES = [
    {"type": "text", "text": "Hola, ¿tienen envío a Rosario?"},
    {"type": "image", "caption": "Así llegó", "mime_type": "image/jpeg"},
    {"type": "document", "filename": "factura.pdf", "mime_type": "application/pdf"},
    {"type": "audio", "voice": True, "mime_type": "audio/ogg"},
    {"type": "location", "location": {"latitude": -32.95, "longitude": -60.65, "name": "Casa"}},
    {"type": "contacts", "contact_name": "Juan Pérez", "contact_phone": "+5493415550000"},
]


def test_every_customer_message_type_arrives_with_its_media(engine, team, live) -> None:
    for message in CUSTOMER_MESSAGES:
        live.customer_writes(**message)
    settle(engine, live)
    from core.conversations import media

    assert media.download_pending(engine, client_for) == 3
    stored = thread_messages(engine, team[Role.AGENT])
    assert [m.type for m in stored] == [
        "text",
        "image",
        "document",
        "audio",
        "location",
        "contacts",
    ]
    assert stored[0].text == "Hola, ¿tienen envío a Rosario?"
    assert "Casa" in stored[4].text and "Juan Pérez" in stored[5].text
    with Session(engine) as session:
        thread = threads.get_thread(session, team[Role.AGENT], only_conversation(engine).id)
        files = [item.media for item in thread.messages if item.media]
        assert [f.status for f in files] == ["downloaded"] * 3
        assert all(media.file_path(f).exists() and f.size_bytes > 0 for f in files)
        assert thread.contact.profile_name == "Marta" and thread.window.is_open()


def test_a_failed_download_keeps_its_reason_for_the_readers_language(engine, team, live) -> None:
    from core.conversations import media
    from core.d360.client import D360Client
    from core.failures import describe
    from core.i18n import t
    from core.models import MediaFile

    live.customer_writes(type="image", caption="Así llegó", mime_type="image/jpeg")
    settle(engine, live)
    assert media.download_pending(engine, lambda c: D360Client(c.base_url, "wrong-key")) == 1
    with Session(engine) as session:
        file = session.exec(select(MediaFile)).one()
    assert file.status == "pending" and file.last_error == "reason:authentication"
    for language in ("es", "en"):
        assert describe(file.last_error_code, file.last_error, language) == t(
            "d360.error.kind.authentication", language
        )


def test_reply_in_window_reaches_the_customer_with_ticks(engine, team, live) -> None:
    live.customer_writes(type="text", text="¿Precio?")
    settle(engine, live)
    agent = team[Role.AGENT]
    conversation_id = only_conversation(engine).id
    with session_scope(engine) as session:
        threads.mark_read(session, agent, conversation_id)
        reply = threads.reply_text(session, agent, conversation_id, "Son 20 €, envío gratis")
    sender = Sender(engine, client_for)
    wait_for(lambda: _status(engine, reply.id) == MessageStatus.READ, engine, live, sender)
    phone = live.conversation()
    business = [m for m in phone["messages"] if m.get("direction") in ("business", "out")] or phone[
        "messages"
    ]
    assert any("Son 20 €" in str(m) for m in business)
    assert any(s["status"] == "read" for s in _sent_statuses(live))
    with Session(engine) as session:
        assert only_conversation(engine).unread_count == 0
        jobs = session.exec(select(OutboundJob).where(OutboundJob.kind == "mark_read")).all()
        assert [job.state for job in jobs] == ["done"]


def test_outside_the_window_only_templates(engine, team, live) -> None:
    live.customer_writes(type="text", text="hola")
    settle(engine, live)
    conversation_id = only_conversation(engine).id
    with session_scope(engine) as session:
        conversation = session.get(Conversation, conversation_id)
        conversation.last_inbound_at = utcnow() - timedelta(hours=25)
    with session_scope(engine) as session, pytest.raises(Exception) as refused:
        threads.reply_text(session, team[Role.AGENT], conversation_id, "¿Sigues ahí?")
    assert "24 hours" in str(refused.value)


def test_window_closed_at_whatsapp_fails_by_webhook_with_131047_in_words(
    engine, team, live
) -> None:
    live.customer_writes(type="text", text="hola")
    settle(engine, live)
    live.advance_clock(25 * 3600)
    with session_scope(engine) as session:
        reply = threads.reply_text(session, team[Role.AGENT], only_conversation(engine).id, "tarde")
    sender = Sender(engine, client_for)
    wait_for(lambda: _status(engine, reply.id) == MessageStatus.FAILED, engine, live, sender)
    with Session(engine) as session:
        failed = session.get(Message, reply.id)
        assert failed.error_code == 131047


def test_duplicates_reordering_and_failed_deliveries_lose_and_duplicate_nothing(
    engine, team, live
) -> None:
    live.faults(duplicates=True, reorder=True, fail_next_deliveries=3)
    for index in range(5):
        live.customer_writes(type="text", text=f"mensaje {index}")
    settle(engine, live)
    agent = team[Role.AGENT]
    conversation_id = only_conversation(engine).id
    with session_scope(engine) as session:
        replies = [
            threads.reply_text(session, agent, conversation_id, f"respuesta {i}").id
            for i in range(3)
        ]
    sender = Sender(engine, client_for)
    wait_for(
        lambda: all(_status(engine, r) == MessageStatus.READ for r in replies), engine, live, sender
    )
    texts = [m.text for m in thread_messages(engine, agent)]
    assert sorted(t for t in texts if t.startswith("mensaje")) == [f"mensaje {i}" for i in range(5)]
    assert sorted(t for t in texts if t.startswith("respuesta")) == [
        f"respuesta {i}" for i in range(3)
    ]
    assert len(live.sent()) == 3


def test_a_crash_between_send_and_commit_sends_nothing_twice(engine, team, live) -> None:
    live.customer_writes(type="text", text="hola")
    settle(engine, live)
    with session_scope(engine) as session:
        reply = threads.reply_text(
            session, team[Role.AGENT], only_conversation(engine).id, "una vez"
        )
    crashed = Sender(engine, client_for, worker="dies")
    crashed._record_sent = lambda sent: None  # the process dies before recording
    crashed.run_once()
    with session_scope(engine) as session:
        job = session.exec(select(OutboundJob).where(OutboundJob.message_id == reply.id)).one()
        assert job.state == "sending"
        job.claimed_until = utcnow() - timedelta(
            seconds=1
        )  # its claim ran out: a new process starts
    restarted = Sender(engine, client_for, worker="restarted")
    wait_for(lambda: _status(engine, reply.id) == MessageStatus.READ, engine, live, restarted)
    restarted.run_once()  # its recovery pass: the webhook proved the send, so it is done
    with Session(engine) as session:
        assert (
            session.exec(select(OutboundJob).where(OutboundJob.message_id == reply.id)).one().state
            == "done"
        )
    assert [m["payload"]["text"]["body"] for m in live.sent()] == ["una vez"]


def _status(engine, message_id: int) -> MessageStatus:
    with Session(engine) as session:
        return session.get(Message, message_id).status


def _sent_statuses(control: SandboxControl) -> list[dict]:
    return [status for message in control.sent() for status in message.get("statuses", [])]


def test_an_attachment_is_stored_first_then_uploaded_once_and_sent(engine, team, live) -> None:
    live.customer_writes(type="text", text="¿Me mandas la factura?")
    settle(engine, live)
    with session_scope(engine) as session:
        reply = threads.reply_attachment(
            session,
            team[Role.AGENT],
            only_conversation(engine).id,
            content=b"%PDF-1.4 factura",
            filename="factura.pdf",
            mime_type="application/pdf",
            caption="Aquí está",
        )
    sender = Sender(engine, client_for)
    wait_for(lambda: _status(engine, reply.id) == MessageStatus.READ, engine, live, sender)
    [sent] = live.sent()
    assert sent["type"] == "document"
    assert sent["payload"]["document"]["filename"] == "factura.pdf"
    assert sent["payload"]["document"]["caption"] == "Aquí está"
    media_id = sent["payload"]["document"]["id"]
    uploaded = httpx.get(f"{live.url}/accounts/{live.number}/media/{media_id}")
    assert uploaded.content == b"%PDF-1.4 factura"
    with Session(engine) as session:
        from core.models import MediaFile

        file = session.exec(select(MediaFile).where(MediaFile.message_id == reply.id)).one()
        assert file.wa_media_id == media_id and file.status == "uploaded"


def test_an_attachment_too_big_for_whatsapp_is_refused_in_words(engine, team, live) -> None:
    live.customer_writes(type="text", text="hola")
    settle(engine, live)
    with session_scope(engine) as session, pytest.raises(Exception) as refused:
        threads.reply_attachment(
            session,
            team[Role.AGENT],
            only_conversation(engine).id,
            content=b"x" * (5 * 1024 * 1024 + 1),
            filename="foto.jpg",
            mime_type="image/jpeg",
        )
    assert "at most 5 MB" in str(refused.value)
