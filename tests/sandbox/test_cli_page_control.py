"""The CLI, the customer page, account creation through the control API and the demo chatter."""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from core.sandbox import SandboxServer
from core.sandbox.cli import accounts_from, add_arguments
from tests.waiting import wait_until

from .conftest import CLOUD_KEY, CLOUD_NUMBER, Api, Receiver, make_config

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = (
    "import argparse, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from core.sandbox import cli; parser = argparse.ArgumentParser(); "
    "cli.add_arguments(parser); sys.exit(cli.run(parser.parse_args(sys.argv[1:])))"
)
"""The sandbox's command line, taking Ctrl-C (SIGINT) as a terminal delivers it: a suite started in
the background ignores SIGINT, and a child inherits that unless some earlier test in the same
process happened to install a handler (so the outcome depended on which tests a worker ran)."""


def test_cli_starts_a_sandbox_with_the_given_accounts() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            LAUNCH,
            "--port",
            "0",
            "--json",
            "--generation",
            "onprem",
            "--api-key",
            "k1",
            "--number",
            "+34600000009",
            "--api-key",
            "k2",
            "--number",
            "+34600000010",
            "--generation",
            "cloud",
            "--throughput",
            "5",
        ],  # fmt: skip
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["customer_page"] == info["url"] + "/sandbox/"
        generations = {a["api_key"]: a["generation"] for a in info["accounts"]}
        assert generations == {"k1": "onprem", "k2": "cloud"}
        assert {a["throughput_mps"] for a in info["accounts"]} == {5}
        health = httpx.get(info["url"] + "/v1/health", headers={"D360-API-KEY": "k1"})
        assert health.status_code == 200
        listing = httpx.get(info["url"] + "/v1/configs/templates", headers={"D360-API-KEY": "k2"})
        assert [t["name"] for t in listing.json()["waba_templates"]] == ["hello_world"]
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


def test_cli_option_pairing() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(["--api-key", "a", "--number", "+1555", "--review-policy", "approve"])
    assert args.review_policy == "approve" and args.port == 8790 and args.host == "127.0.0.1"
    [account] = accounts_from(args.account_options, None)
    assert (account.api_key, account.number, account.generation) == ("a", "1555", "cloud")
    defaults = accounts_from([], None)
    assert {a.generation for a in defaults} == {"cloud", "onprem"}
    for bad in (
        [("number", "+1")],
        [("api_key", "a")],
        [("api_key", "a"), ("number", "1"), ("number", "2")],
    ):
        with pytest.raises(ValueError):
            accounts_from(bad, None)


def test_customer_page_is_self_contained(server: SandboxServer) -> None:
    page = httpx.get(server.page_url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # no external assets
    assert "/sandbox/api" in html and "setInterval(refresh, 1000)" in html
    assert httpx.get(server.base_url + "/sandbox").status_code == 307


def test_accounts_created_through_the_control_api(
    server: SandboxServer, receiver: Receiver
) -> None:
    control = httpx.Client(base_url=server.base_url + "/sandbox/api")
    created = control.post(
        "/accounts",
        json={"api_key": "new-key", "number": "+44 7700 900123", "throughput_mps": 20},
    )
    assert created.status_code == 201
    account = created.json()
    assert account["number"] == "+447700900123"
    assert account["phone_number_id"].isdigit() and account["waba_id"].isdigit()
    assert account["display_phone_number"] == "447700900123"
    assert control.post("/accounts", json={"api_key": "new-key", "number": "+1"}).status_code == 400
    assert (
        control.post("/accounts", json={"api_key": "x", "number": "1", "bogus": 1}).status_code
        == 400
    )
    numbers = [a["number"] for a in control.get("/accounts").json()]
    assert "+447700900123" in numbers and "+" + CLOUD_NUMBER in numbers
    api = Api(server.base_url, "new-key", "447700900123")
    api.set_webhook(receiver.url)
    api.customer_says(type="text", text="hello")
    api.idle()
    value = receiver.bodies()[0]["entry"][0]["changes"][0]["value"]
    assert value["metadata"]["phone_number_id"] == account["phone_number_id"]
    assert control.get("/accounts/+999").status_code == 404


def test_chatter_makes_customers_write_in(receiver: Receiver) -> None:
    with SandboxServer(make_config(chatter_seconds=0.02)) as server:
        api = Api(server.base_url, CLOUD_KEY, CLOUD_NUMBER)
        api.set_webhook(receiver.url)
        # the chatter never goes idle (POST /idle would wait forever): watch what arrives
        wait_until(lambda: len(receiver.bodies()) >= 3, message="three customers writing in")
        names = {
            b["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"]
            for b in receiver.bodies()
        }
        assert len(receiver.bodies()) >= 3 and names
