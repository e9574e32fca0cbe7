"""The customer page in a real browser: write to the business, see its reply with ticks."""

from __future__ import annotations

import shutil

import pytest
from playwright import sync_api

from core.sandbox import SandboxServer

from .conftest import CUSTOMER, Api, Receiver

pytestmark = pytest.mark.browser


def test_customer_page_round_trip(cloud: Api, server: SandboxServer, receiver: Receiver) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        page.goto(server.page_url)
        page.fill("#customer", "+" + CUSTOMER)
        page.fill("#name", "Carmen Ruiz")
        page.fill("#text", "Hola desde la página")
        page.click("#send")
        page.wait_for_selector(".msg.inbound >> text=Hola desde la página")
        cloud.idle()
        [message] = receiver.messages()
        assert message["text"]["body"] == "Hola desde la página"
        assert receiver.bodies()[0]["entry"][0]["changes"][0]["value"]["contacts"][0] == {
            "profile": {"name": "Carmen Ruiz"},
            "wa_id": CUSTOMER,
        }
        cloud.send(
            {
                "to": CUSTOMER,
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": "¿Confirmas la cita?"},
                    "action": {
                        "buttons": [{"type": "reply", "reply": {"id": "si", "title": "Sí"}}]
                    },
                },
            }
        )
        page.wait_for_selector(".msg.outbound .tick-read")  # blue ticks once read
        page.click("button[data-reply=button_reply]")
        page.wait_for_selector(".msg.inbound >> text=↩ Sí")
        cloud.idle()
        assert receiver.messages()[-1]["interactive"]["button_reply"] == {"id": "si", "title": "Sí"}
        browser.close()
