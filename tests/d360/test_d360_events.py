"""Parser behaviour the payload files don't cover: hostile bodies, batches, rarer event kinds,
and the status ordering the store relies on."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from core.d360.events import (
    STATUS_ORDER,
    AccountEvent,
    ErrorNotice,
    Ignored,
    InboundMessage,
    TemplateStatusChange,
    parse_webhook,
    should_apply_status,
    status_rank,
)
from tests.d360.helpers import load


@pytest.mark.parametrize(
    "body",
    [
        None,
        0,
        1.5,
        True,
        "",
        "not json",
        b"\xff\xfe",
        "[]",
        [],
        [1, 2],
        {},
        {"foo": "bar"},
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": None},
        {"object": "whatsapp_business_account", "entry": "x"},
        {"object": "whatsapp_business_account", "entry": [None, 1, "x"]},
        {"object": "whatsapp_business_account", "entry": [{"changes": "x"}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [None, [], "x"]}]},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": []}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": {}}}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"messages": [1, None]}}]}]},
        {"entry": [{"changes": [{"field": "messages", "value": {"statuses": [{}]}}]}]},
        {"messages": [{}]},
        {"messages": [{"type": "image"}]},
        {"messages": [{"type": "interactive", "interactive": "x"}]},
        {"messages": [{"type": "reaction", "reaction": None, "timestamp": 10**30}]},
        {"messages": [{"type": "contacts", "contacts": [None, {"name": 3}]}]},
        {"messages": [{"type": "order", "order": {"product_items": [None, {"quantity": "x"}]}}]},
        {"messages": [{"type": "edit", "edit": {"message": {"type": "text", "text": None}}}]},
        {"statuses": [{"id": 1, "status": 2, "timestamp": []}]},
        {"errors": "x"},
        {"contacts": [{"wa_id": "1"}]},
    ],
)
def test_never_raises(body: Any) -> None:
    parsed = parse_webhook(body)
    assert parsed.events or parsed.problems


def test_non_object_body_is_a_problem() -> None:
    assert parse_webhook([1]).problems == ("the body is a JSON list, expected an object",)
    assert "not valid JSON" in parse_webhook(b"{").problems[0]


def test_reads_every_entry_change_message_and_status() -> None:
    one = load("courier/cloud_webhook__hello.json")
    status = load("courier/cloud_webhook__valid_status.json")
    body = copy.deepcopy(one)
    value = body["entry"][0]["changes"][0]["value"]
    second = dict(value["messages"][0], id="second", text={"body": "again"})
    value["messages"].append(second)
    body["entry"][0]["changes"].append(status["entry"][0]["changes"][0])
    body["entry"].append(copy.deepcopy(one["entry"][0]))
    body["entry"][1]["changes"][0]["value"]["messages"][0]["id"] = "third"
    parsed = parse_webhook(body)
    assert [m.message_id for m in parsed.messages] == ["external_id", "second", "third"]
    assert [s.status for s in parsed.statuses] == ["sent"]
    assert parsed.ok


def test_onprem_batch_of_statuses_and_errors() -> None:
    body = {
        "statuses": [
            {"id": "a", "status": "sent", "timestamp": "1", "recipient_id": "1"},
            {"id": "a", "status": "delivered", "timestamp": "2", "recipient_id": "1"},
        ],
        "errors": [{"code": 470, "title": "Re-engagement message"}],
    }
    parsed = parse_webhook(body)
    assert [s.status for s in parsed.statuses] == ["sent", "delivered"]
    notice = parsed.events[-1]
    assert isinstance(notice, ErrorNotice)
    assert notice.generation == "onprem"
    assert notice.error.code == 470


def test_template_status_update() -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "time": 1751247548,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "REJECTED",
                            "message_template_id": 1689556908129832,
                            "message_template_name": "order_confirmation",
                            "message_template_language": "en_US",
                            "reason": "INVALID_FORMAT",
                            "message_template_category": "UTILITY",
                        },
                    }
                ],
            }
        ],
    }
    (event,) = parse_webhook(body).events
    assert isinstance(event, TemplateStatusChange)
    assert (event.event, event.template_id, event.name, event.language, event.reason) == (
        "REJECTED",
        "1689556908129832",
        "order_confirmation",
        "en_US",
        "INVALID_FORMAT",
    )
    assert event.category == "UTILITY"
    assert event.waba_id == "102290129340398"


@pytest.mark.parametrize(
    "field",
    [
        "account_update",
        "phone_number_quality_update",
        "template_category_update",
        "user_preferences",
    ],
)
def test_other_fields_become_account_events(field: str) -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {"id": "1", "time": 1751247548, "changes": [{"field": field, "value": {"x": 1}}]}
        ],
    }
    (event,) = parse_webhook(body).events
    assert isinstance(event, AccountEvent)
    assert event.field == field
    assert event.value == {"x": 1}
    assert event.time is not None and event.time.year == 2025


def _message(**fields: Any) -> InboundMessage:
    body = {"messages": [{"from": "34600000000", "id": "m", "timestamp": "1", **fields}]}
    parsed = parse_webhook(body)
    assert parsed.ok, parsed.problems
    return parsed.messages[0]


def test_edit_revoke_sticker_and_voice() -> None:
    edit = _message(
        type="edit",
        edit={"original_message_id": "old", "message": {"type": "text", "text": {"body": "new"}}},
    )
    assert edit.edit is not None
    assert (edit.edit.original_message_id, edit.edit.new_text, edit.text) == ("old", "new", "new")
    revoke = _message(type="revoke", revoke={"original_message_id": "old"})
    assert revoke.revoked_message_id == "old"
    sticker = _message(
        type="sticker", sticker={"id": "s", "animated": True, "mime_type": "image/webp"}
    )
    assert sticker.media is not None and sticker.media.animated
    voice = _message(type="audio", audio={"id": "a", "voice": True})
    assert voice.media is not None and voice.media.voice


def test_removed_reaction_and_unknown_type_kept() -> None:
    removed = _message(type="reaction", reaction={"message_id": "x", "emoji": ""})
    assert removed.reaction is not None and removed.reaction.removed
    assert removed.text is None
    future = _message(type="hologram", hologram={"body": "3D hello"})
    assert (future.type, future.text) == ("hologram", "3D hello")


def test_empty_entry_list_is_ignored_with_reason() -> None:
    (event,) = parse_webhook({"object": "whatsapp_business_account", "entry": []}).events
    assert isinstance(event, Ignored) and "empty" in event.reason


def test_status_order_never_goes_backwards() -> None:
    assert STATUS_ORDER[:4] == ("sent", "failed", "delivered", "read")
    assert status_rank("sent") < status_rank("delivered") < status_rank("read")
    assert status_rank("read") < status_rank("played")
    assert status_rank("in_orbit") == -1 and status_rank(None) == -1
    assert should_apply_status(None, "sent")
    assert should_apply_status("sent", "read")
    assert not should_apply_status("read", "delivered")
    assert not should_apply_status("read", "read")
    # failed replaces sent, never delivered/read; proof of delivery replaces failed
    assert should_apply_status("sent", "failed")
    assert not should_apply_status("delivered", "failed")
    assert should_apply_status("failed", "delivered")
    # deleted is terminal; warning and unknown statuses never change the status
    assert should_apply_status("read", "deleted")
    assert not should_apply_status("deleted", "read")
    assert not should_apply_status("sent", "warning")
    assert not should_apply_status(None, "in_orbit")
