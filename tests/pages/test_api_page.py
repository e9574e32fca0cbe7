"""The API and webhooks page as an admin uses it: a token shown once, revoked; a URL subscribed
with its secret shown once; the delivery log and "send again"."""

from sqlmodel import Session, select

from core import db
from core.api.tokens import TokenCache
from core.hooks.events import Event, emit
from core.models import HookDelivery, Role
from tests.pages.conftest import texts


def shown_once(at) -> str:  # type: ignore[no-untyped-def]
    [note] = [message.value for message in at.info if "`" in message.value]
    return note.split("`")[1]


def test_admin_creates_a_token_sees_it_once_and_revokes_it(run_page, roles, engine) -> None:
    at = run_page("pages/api.py", roles[Role.ADMIN])
    at.text_input[0].input("CRM")
    at.multiselect[0].select("send").select("read")
    next(b for b in at.button if b.label == "Create token").click()
    at.run()
    assert "Token CRM created." in texts(at)
    token = shown_once(at)
    holder = TokenCache(ttl=0).lookup(engine, token)
    assert holder is not None and holder.scopes == {"send", "read"}
    at.run()
    assert token not in texts(at)  # said once
    next(b for b in at.button if b.label == "Revoke").click()
    at.run()
    assert "Token CRM revoked" in texts(at)
    assert TokenCache(ttl=0).lookup(engine, token) is None


def test_admin_subscribes_a_url_and_sends_a_delivery_again(run_page, roles, engine) -> None:
    at = run_page("pages/api.py", roles[Role.ADMIN], language="es")
    at.text_input[1].input("https://crm.example/hook")
    at.multiselect[1].select("message.received")
    next(b for b in at.button if b.label == "Suscribir").click()
    at.run()
    assert "https://crm.example/hook suscrita." in texts(at)
    assert shown_once(at).startswith("whsec_")
    with db.session_scope(engine) as session:
        emit(session, [Event("message.received", "conversation:1", {"text": "hola"})])
        delivery = session.exec(select(HookDelivery)).one()
        delivery.state, delivery.attempts = "failed", 13
    at.run()
    assert "abandonado tras un día" in at.dataframe[-1].value.to_string()
    next(b for b in at.button if b.label == "Enviar de nuevo").click()
    at.run()
    assert f"El envío {delivery.id} se enviará de nuevo." in texts(at)
    with Session(engine) as session:
        again = session.get(HookDelivery, delivery.id)
    assert again is not None and again.state == "pending" and again.attempts == 0


def test_the_page_is_for_admins_only(run_page, roles) -> None:
    at = run_page("pages/api.py", roles[Role.MARKETER])
    assert "API and webhooks" not in [title.value for title in at.title]
