"""The retarget journey in chromium: a marketing campaign runs against the sandbox (set up with
the CLI, as an operator would), two of its three people never read it, and the marketer creates
a retarget campaign of the non-readers from the campaign's report in one click."""

import json

import httpx
import pytest
from playwright.sync_api import expect

from core.sandbox import Account, SandboxConfig, SandboxServer
from tests.browser.steps import STEP, log_in
from tests.browser.test_template_journey import button, control
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

API_KEY = "journey-key-0017"
NUMBER = "+34600444017"
NEVER_READ = ("34611200002", "34611200003")
PROMO = {
    "name": "otono_retarget",
    "category": "MARKETING",
    "language": "es",
    "components": [
        {
            "type": "BODY",
            "text": "Hola {{1}}, esta semana tienes un 20% en abrigos.",
            "example": {"body_text": [["Ana"]]},
        }
    ],
}


@pytest.fixture
def sandbox():
    config = SandboxConfig(
        accounts=[Account(API_KEY, NUMBER)],
        review_delay=0.2,
        status_delays=(0.2, 0.4, 0.6),
        webhook_retry_base=0.2,
    )
    with SandboxServer(config) as server:
        yield server


def status(live_server, campaign: int) -> dict:
    return json.loads(live_server.cli("campaigns", "status", str(campaign), "--json").stdout)


def test_a_retarget_of_non_readers_from_the_report(live_server, browser_page, sandbox, tmp_path):
    for username, role in (("ana", "admin"), ("mara", "marketer")):
        live_server.cli(
            "users", "add", "--username", username, "--role", role, "--password-stdin",
            stdin=f"{username}-password-1\n",
        )  # fmt: skip
    live_server.cli(
        "channels", "add", "--number", NUMBER, "--api-key", API_KEY, "--name", "Tienda",
        "--base-url", sandbox.base_url, "--json",
    )  # fmt: skip
    template = tmp_path / "promo.json"
    template.write_text(json.dumps(PROMO), encoding="utf-8")
    live_server.cli("templates", "submit", "--channel", "1", str(template))

    def approved() -> bool:
        live_server.cli("templates", "sync", "--channel", "1")
        listed = json.loads(live_server.cli("templates", "list", "--json").stdout)
        return any(t["status"] == "APPROVED" for t in listed)

    wait_until(approved, timeout=30, message="the template approved", interval=0.5)
    added = live_server.cli(
        "templates", "workspace", "add", "--channel", "1", "--template", PROMO["name"],
        "--language", "es", "--json",
    )  # fmt: skip
    workspace_id = json.loads(added.stdout)["id"]
    account = f"/accounts/{NUMBER.lstrip('+')}"
    for customer in NEVER_READ:
        httpx.patch(
            control(sandbox, f"{account}/customers/{customer}"), json={"auto_read": False}
        ).raise_for_status()
    people = tmp_path / "people.csv"
    people.write_text(
        "telefono,nombre\n+34611200001,Ana\n+34611200002,Beto\n+34611200003,Caro\n",
        encoding="utf-8",
    )
    live_server.cli(
        "campaigns", "create", "--name", "Otoño", "--template", str(workspace_id),
        "--audience", str(people), "--number-column", "telefono", "--map", "body.1=column:nombre",
        "--start-at", "2000-01-01T00:00:00+00:00",
    )  # fmt: skip
    wait_until(
        lambda: (
            (s := status(live_server, 1))["state"] == "done"
            and (s["delivered"], s["read"]) == (3, 1)
        ),
        timeout=60,
        message="the campaign delivered, one of three read",
        interval=0.5,
    )

    page = browser_page()
    log_in(page, live_server.url, "mara", "mara-password-1")
    page.get_by_role("link", name="Campaigns").first.click()
    expect(page.get_by_text("Retarget", exact=True)).to_be_visible(timeout=STEP)
    button(page, "cmp_rt_create_1").click()
    expect(page.get_by_text("Otoño · Who did not read it created as a draft")).to_be_visible(
        timeout=STEP
    )

    retarget = status(live_server, 2)
    assert (retarget["state"], retarget["total"], retarget["pending"]) == ("draft", 2, 2)
