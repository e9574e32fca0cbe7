"""The template journey in chromium: build a template → submit it → watch it go PENDING → APPROVED
in the Template status table without reloading → add it to the workspace → send it to a customer
whose 24-hour window has closed. The server is the real process; 360Dialog is the sandbox, over
real HTTP, reviewing the template by itself and enforcing the window (131047) on its side."""

from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from core.db import make_engine, session_scope
from core.models import Contact, Conversation, Message, utcnow
from core.sandbox import Account, SandboxConfig, SandboxServer
from tests.browser.steps import STEP, add_channel, add_user, customer_writes, log_in, settled
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

API_KEY = "journey-key-0002"
NUMBER = "+34600444555"
CUSTOMER = "5491155557777"
TEMPLATE = "pickup_ready_journey"
BODY = "Hola {{1}}, tu pedido ya está listo para recoger en la tienda."
SENT_TEXT = "Hola Marta, tu pedido ya está listo para recoger en la tienda."
# Long enough to see PENDING on the status page first, short enough for a quick test.
REVIEW_DELAY_SECONDS = 8


@pytest.fixture
def sandbox():
    config = SandboxConfig(
        accounts=[Account(API_KEY, NUMBER)],
        review_policy="rules",
        review_delay=REVIEW_DELAY_SECONDS,
        status_delays=(0.3, 0.8, 1.5),
        webhook_retry_base=0.2,
    )
    with SandboxServer(config) as server:
        yield server


def control(sandbox, path: str) -> str:
    return f"{sandbox.base_url}/sandbox/api{path}"


def button(page, key: str):
    """The button whose Streamlit key is (or, ending in ``_``, starts with) ``key``."""
    selector = f"[class*='st-key-{key}']" if key.endswith("_") else f".st-key-{key}"
    return page.locator(f"{selector}[data-stale='false'] button")


def enter(field, text: str, key: str = "Enter") -> None:
    """Type into a text widget and commit it (Enter; Tab for a text area, which commits on blur)."""
    field.fill(text)
    field.press(key)
    settled(field.page)


def choose(page, key: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox whose widget key is ``key``."""
    widget = page.locator(f".st-key-{key}[data-stale='false']")
    widget.get_by_role("button", name="Open").click()
    page.get_by_role("option", name=option, exact=True).click()
    settled(page)
    expect(widget.get_by_role("combobox")).to_have_value(option)


def let_a_day_pass(sandbox, live_server) -> None:
    """The customer wrote 25 hours ago: the sandbox clock moves 25 h on (so WhatsApp's side sees
    the window closed and would refuse free text with 131047), and the store's record of that
    message is moved 25 h back (the product computes the window from it; real time cannot pass
    in a test, and the sandbox clock only moves forward)."""
    httpx.post(control(sandbox, "/clock"), json={"advance_seconds": 25 * 3600}).raise_for_status()
    day_ago = utcnow() - timedelta(hours=25)
    engine = make_engine(live_server.env["DATABASE_URL"])
    try:
        with session_scope(engine) as session:
            conversation = session.exec(select(Conversation)).one()
            conversation.last_inbound_at = conversation.last_message_at = day_ago
            for contact in session.exec(select(Contact)):
                contact.last_inbound_at = day_ago
            for message in session.exec(select(Message).where(Message.direction == "in")):
                message.created_at = message.status_at = day_ago
    finally:
        engine.dispose()


def wait_for_inbound(live_server, text: str, timeout: float = 20) -> None:
    """Until the product has stored the customer's message (its webhook is processed)."""
    engine = make_engine(live_server.env["DATABASE_URL"])

    def stored() -> bool:
        with session_scope(engine) as session:
            return session.exec(select(Message).where(Message.text == text)).first() is not None

    try:
        wait_until(stored, timeout=timeout, message=f"{text!r} stored", interval=0.2)
    finally:
        engine.dispose()


def test_build_approve_add_and_send_outside_the_window(live_server, browser_page, sandbox) -> None:
    for username, role in (("ana", "admin"), ("mara", "marketer")):
        add_user(live_server, username, role, f"{username}-password-1")
    add_channel(live_server, sandbox, NUMBER, API_KEY)
    account = f"/accounts/{NUMBER.lstrip('+')}"
    customer_writes(sandbox, NUMBER, CUSTOMER, "¿Cuándo llega mi pedido?")
    wait_for_inbound(live_server, "¿Cuándo llega mi pedido?")

    page = browser_page()
    log_in(page, live_server.url, "mara", "mara-password-1")

    # --- Template builder: name, category, language, a body with one variable and its example
    page.get_by_role("link", name="Template builder").first.click()
    expect(page.get_by_role("heading", name="Template builder")).to_be_visible(timeout=STEP)
    enter(page.get_by_role("textbox", name="Template name", exact=True), TEMPLATE)
    choose(page, "tb_category", "Utility")
    choose(page, "tb_language", "es — Spanish")
    enter(page.get_by_role("textbox", name="Message text", exact=True), BODY, key="Tab")
    enter(page.get_by_role("textbox", name="Example for {{1}}", exact=True), "Marta")
    expect(page.locator(".template-preview")).to_contain_text(SENT_TEXT)
    expect(
        page.get_by_text("The template follows every rule; it can be submitted.")
    ).to_be_visible()
    button(page, "tb_submit").click()
    expect(
        page.get_by_text(f"Template {TEMPLATE} submitted to WhatsApp for approval.")
    ).to_be_visible()

    # --- Template status: PENDING, then APPROVED by itself (the page reruns when the status webhook lands)
    page.get_by_role("link", name="Template status").first.click()
    expect(page.get_by_role("heading", name="Template status")).to_be_visible(timeout=STEP)
    # The table is a canvas; its rows are in the grid's accessibility table (hidden fallback).
    row = page.get_by_role("row", include_hidden=True).filter(has_text=TEMPLATE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Pending")
    expect(page.get_by_text("Pending: 1", exact=True)).to_be_visible()
    expect(row).to_contain_text("Approved", timeout=30_000)
    expect(page.get_by_text("Approved: 1", exact=True)).to_be_visible()

    # --- Workspace templates: add it, every field filled in from the approved template
    page.get_by_role("link", name="Workspace templates").first.click()
    expect(page.get_by_role("heading", name="Workspace templates")).to_be_visible(timeout=STEP)
    choose(page, "wt_from", f"{TEMPLATE} (es)")
    expect(page.get_by_role("textbox", name="Template name", exact=True)).to_have_value(TEMPLATE)
    expect(page.get_by_role("textbox", name="Template content", exact=True)).to_have_value(BODY)
    settled(page)
    button(page, "wt_save").click()
    expect(
        page.get_by_text(f"{TEMPLATE} added to the workspace; it can be sent now.")
    ).to_be_visible()

    # --- Conversations: the window is closed, so the template sender is the only way to write
    let_a_day_pass(sandbox, live_server)
    customers = httpx.get(control(sandbox, f"{account}/customers")).json()
    assert [(c["wa_id"], c["window_open"]) for c in customers] == [(CUSTOMER, False)], customers
    page.get_by_role("link", name="Conversations").first.click()
    button(page, "viewer_open_").click()
    expect(page.get_by_text("¿Cuándo llega mi pedido?").first).to_be_visible(timeout=STEP)
    expect(page.get_by_text("The 24-hour window is closed")).to_be_visible()
    expect(page.get_by_text("Window closed").first).to_be_visible()
    expect(page.get_by_placeholder("Write a reply")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Approved template")).to_have_value(f"{TEMPLATE} · es")
    enter(page.get_by_role("textbox", name="Value for {{1}}", exact=True), "Marta")
    expect(page.get_by_text(SENT_TEXT, exact=True)).to_be_visible(timeout=STEP)  # the preview
    button(page, "viewer_tpl_send_").click()
    sent_message = page.get_by_test_id("stChatMessage").filter(has_text=f"Template {TEMPLATE}")
    expect(sent_message).to_contain_text(SENT_TEXT, timeout=STEP)
    expect(sent_message).to_contain_text("✓✓", timeout=STEP)  # delivered (or read)

    sent = httpx.get(control(sandbox, f"{account}/sent")).json()
    assert len(sent) == 1, sent
    assert sent[0]["customer"] == CUSTOMER
    assert sent[0]["type"] == "template"
    assert sent[0]["status"] in {"delivered", "read"}, sent[0]
    template = sent[0]["payload"]["template"]
    assert template["name"] == TEMPLATE
    assert template["language"]["code"] == "es"
    assert template["components"] == [
        {"type": "body", "parameters": [{"type": "text", "text": "Marta"}]}
    ]


COUPON = "autumn_coupon_journey"
COUPON_BODY = "Hola {{1}}, usa este código en tu próxima compra en la tienda."


def test_a_coupon_code_template_composed_and_approved(live_server, browser_page, sandbox) -> None:
    """A coupon code template (a copy-code button with its sample code,
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/coupon-templates)
    composed as a user does, previewed, submitted, and approved in the status table."""
    add_user(live_server, "mara", "marketer", "mara-password-1")
    add_channel(live_server, sandbox, NUMBER, API_KEY)
    page = browser_page()
    log_in(page, live_server.url, "mara", "mara-password-1")
    page.get_by_role("link", name="Template builder").first.click()
    expect(page.get_by_role("heading", name="Template builder")).to_be_visible(timeout=STEP)
    page.locator(".st-key-tb_type").get_by_text("Coupon code", exact=True).click()
    settled(page)
    expect(page.locator(".st-key-tb_category").get_by_role("combobox")).to_have_value("Marketing")
    enter(page.get_by_role("textbox", name="Template name", exact=True), COUPON)
    enter(page.get_by_role("textbox", name="Message text", exact=True), COUPON_BODY, key="Tab")
    enter(page.get_by_role("textbox", name="Example for {{1}}", exact=True), "Marta")
    enter(page.get_by_role("textbox", name="Coupon code", exact=True), "OTONO25")
    preview = page.locator(".template-preview")
    expect(preview).to_contain_text("Hola Marta, usa este código en tu próxima compra")
    expect(preview).to_contain_text("Copy offer code")
    expect(
        page.get_by_text("The template follows every rule; it can be submitted.")
    ).to_be_visible()
    button(page, "tb_submit").click()
    expect(
        page.get_by_text(f"Template {COUPON} submitted to WhatsApp for approval.")
    ).to_be_visible()

    [remote] = httpx.get(control(sandbox, f"/accounts/{NUMBER.lstrip('+')}/templates")).json()
    assert remote["category"] == "MARKETING"
    assert remote["components"][-1] == {
        "type": "BUTTONS",
        "buttons": [{"type": "COPY_CODE", "example": "OTONO25"}],
    }
    page.get_by_role("link", name="Template status").first.click()
    row = page.get_by_role("row", include_hidden=True).filter(has_text=COUPON)
    expect(row).to_contain_text("Approved", timeout=30_000)
