"""Every webhook body in the shared payloads, fed to ``parse_webhook``, with what must come out.

Like courier's testdata: one row per file. ``EVENTS`` spells the events in order (M inbound
message, S status, E echo, N error notice, A account event, T template status, I ignored) and the
problems each file must report (a fragment of each sentence, in order). ``FIELDS`` pins key
fields for a representative set. A new payload file without a row fails ``test_table_is_complete``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.d360.errors import MediaError, WindowClosed
from core.d360.events import (
    AccountEvent,
    ErrorNotice,
    Ignored,
    InboundMessage,
    MessageEcho,
    Pricing,
    StatusUpdate,
    TemplateStatusChange,
    parse_webhook,
)
from core.failures import describe_error
from tests.d360.helpers import PAYLOADS, WEBHOOK_FILES, load
from tests.reference import requires_payloads

pytestmark = requires_payloads

LETTER = {
    InboundMessage: "M",
    StatusUpdate: "S",
    MessageEcho: "E",
    ErrorNotice: "N",
    AccountEvent: "A",
    TemplateStatusChange: "T",
    Ignored: "I",
}


EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "chatwoot/cloud_echo_bsuid_only.json": ("E", ()),
    "chatwoot/cloud_echo_parent_bsuid.json": ("E", ()),
    "chatwoot/cloud_echo_phone_and_bsuid.json": ("E", ()),
    "chatwoot/cloud_inbound_bsuid_only.json": ("M", ()),
    "chatwoot/cloud_inbound_bsuid_only_followup.json": ("M", ()),
    "chatwoot/cloud_inbound_contacts_ctwa_referral.json": ("M", ()),
    "chatwoot/cloud_inbound_document_accented_filename.json": ("M", ("has no id",)),
    "chatwoot/cloud_inbound_image.json": ("M", ("has no id",)),
    "chatwoot/cloud_inbound_image_media_download_error.json": ("M", ("has no id",)),
    "chatwoot/cloud_inbound_phone_and_bsuid.json": ("M", ()),
    "chatwoot/cloud_inbound_reaction.json": ("M", ("has no id", "reaction without")),
    "chatwoot/cloud_inbound_text_ctwa_referral.json": ("M", ()),
    "chatwoot/cloud_inbound_text_reply_context.json": ("M", ()),
    "chatwoot/cloud_invalid_entry_not_array.json": ("", ("'entry' is dict",)),
    "chatwoot/cloud_mutex_inbound_bsuid_only_empty_from.json": ("M", ("has no timestamp",)),
    "chatwoot/cloud_mutex_inbound_contact_user_id_only.json": ("M", ("has no timestamp",)),
    "chatwoot/cloud_mutex_inbound_parent_bsuid.json": ("M", ("has no timestamp",)),
    "chatwoot/cloud_mutex_inbound_phone_and_bsuid.json": ("M", ("has no timestamp",)),
    "chatwoot/cloud_routing_empty_change.json": ("I", ()),
    "chatwoot/cloud_routing_metadata_only.json": ("I", ()),
    "chatwoot/cloud_routing_other_number_metadata_only.json": ("I", ()),
    "chatwoot/cloud_routing_phone_number_id_mismatch.json": ("I", ()),
    "chatwoot/d360_inbound_bsuid_first_step1.json": ("M", ()),
    "chatwoot/d360_inbound_bsuid_first_step2_phone_arrives.json": ("M", ()),
    "chatwoot/d360_inbound_bsuid_only.json": ("M", ()),
    "chatwoot/d360_inbound_bsuid_only_followup.json": ("M", ()),
    "chatwoot/d360_inbound_contacts_vcard.json": ("M", ()),
    "chatwoot/d360_inbound_ephemeral.json": ("M", ()),
    "chatwoot/d360_inbound_image.json": ("M", ()),
    "chatwoot/d360_inbound_interactive_button_reply.json": ("M", ()),
    "chatwoot/d360_inbound_location.json": ("M", ()),
    "chatwoot/d360_inbound_location_long_name.json": ("M", ()),
    "chatwoot/d360_inbound_phone_and_bsuid.json": ("M", ()),
    "chatwoot/d360_inbound_template_quick_reply_button.json": ("M", ()),
    "chatwoot/d360_inbound_text.json": ("M", ()),
    "chatwoot/d360_inbound_text_argentina_with_9.json": ("M", ()),
    "chatwoot/d360_inbound_text_argentina_without_9.json": ("M", ()),
    "chatwoot/d360_inbound_text_brazil_with_9.json": ("M", ()),
    "chatwoot/d360_inbound_text_brazil_without_9.json": ("M", ()),
    "chatwoot/d360_inbound_text_profile_name_alice.json": ("M", ()),
    "chatwoot/d360_inbound_text_profile_name_blank.json": ("M", ()),
    "chatwoot/d360_inbound_text_profile_name_jane.json": ("M", ()),
    "chatwoot/d360_inbound_unsupported.json": ("M", ()),
    "chatwoot/d360_status_deleted_unsupported.json": ("S", ("has no timestamp",)),
    "chatwoot/d360_status_delivered_with_bsuid_contacts.json": ("S", ("has no timestamp",)),
    "chatwoot/d360_status_failed.json": ("S", ("has no timestamp",)),
    "chatwoot/d360_status_read.json": ("S", ("has no timestamp",)),
    "chatwoot/d360_status_seed_inbound_text.json": ("M", ()),
    "courier/cloud_webhook__audio.json": ("M", ()),
    "courier/cloud_webhook__button.json": ("M", ()),
    "courier/cloud_webhook__button_reply.json": ("M", ()),
    "courier/cloud_webhook__document.json": ("M", ()),
    "courier/cloud_webhook__duplicate.json": ("M", ("appears twice",)),
    "courier/cloud_webhook__error_errors.json": ("N", ()),
    "courier/cloud_webhook__error_msg.json": ("M", ()),
    "courier/cloud_webhook__error_status.json": ("S", ()),
    "courier/cloud_webhook__group_message.json": ("M", ()),
    "courier/cloud_webhook__hello.json": ("M", ()),
    "courier/cloud_webhook__hello_bsuid_in_from.json": ("M", ()),
    "courier/cloud_webhook__hello_from_bsuid.json": ("M", ()),
    "courier/cloud_webhook__hello_invalid_user_id.json": ("M", ("invalid user id",)),
    "courier/cloud_webhook__hello_user_id.json": ("M", ()),
    "courier/cloud_webhook__ignore_status.json": ("S", ()),
    "courier/cloud_webhook__image.json": ("M", ()),
    "courier/cloud_webhook__invalid_from.json": ("M", ("neither a phone", "has no sender")),
    "courier/cloud_webhook__invalid_status.json": ("I", ("unknown status",)),
    "courier/cloud_webhook__invalid_timestamp.json": (
        "M",
        ("neither a phone", "has no sender", "invalid timestamp"),
    ),
    "courier/cloud_webhook__list_reply.json": ("M", ()),
    "courier/cloud_webhook__location.json": ("M", ()),
    "courier/cloud_webhook__nfm_reply.json": ("M", ()),
    "courier/cloud_webhook__nfm_reply_non_object.json": ("M", ("Flow response",)),
    "courier/cloud_webhook__no_from.json": ("M", ("has no sender",)),
    "courier/cloud_webhook__valid_status.json": ("S", ()),
    "courier/cloud_webhook__video.json": ("M", ()),
    "courier/cloud_webhook__voice.json": ("M", ()),
    "courier/onprem_webhook__audioMsg.json": ("M", ()),
    "courier/onprem_webhook__buttonMsg.json": ("M", ()),
    "courier/onprem_webhook__documentMsg.json": ("M", ()),
    "courier/onprem_webhook__documentMsgMissingFile.json": ("M", ()),
    "courier/onprem_webhook__duplicateMsg.json": ("M", ("appears twice",)),
    "courier/onprem_webhook__helloMsg.json": ("M", ()),
    "courier/onprem_webhook__ignoreStatus.json": ("S", ()),
    "courier/onprem_webhook__imageMsg.json": ("M", ()),
    "courier/onprem_webhook__interactiveButtonMsg.json": ("M", ()),
    "courier/onprem_webhook__interactiveListMsg.json": ("M", ()),
    "courier/onprem_webhook__invalidFrom.json": ("M", ("neither a phone", "has no sender")),
    "courier/onprem_webhook__invalidStatus.json": ("I", ("unknown status",)),
    "courier/onprem_webhook__invalidTimestamp.json": (
        "M",
        ("neither a phone", "has no sender", "invalid timestamp"),
    ),
    "courier/onprem_webhook__locationMsg.json": ("M", ()),
    "courier/onprem_webhook__validStatus.json": ("S", ()),
    "courier/onprem_webhook__videoMsg.json": ("M", ()),
    "courier/onprem_webhook__voiceMsg.json": ("M", ()),
    "heyoo/cloud_webhook__text_real_capture.json": ("M", ()),
    "meta-docs/cloud_webhook__errors_rate_limit_130429.json": ("N", ()),
    "meta-docs/cloud_webhook__interactive_list_reply_with_description.json": ("M", ()),
    "meta-docs/status_failed_receiver_incapable_1026_legacy_shape.json": ("S", ()),
    "meta-openapi/webhook_post_payload__button_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__contact_sharing_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__group_create_message.json": ("A", ()),
    "meta-openapi/webhook_post_payload__group_remove_participants.json": ("A", ()),
    "meta-openapi/webhook_post_payload__group_settings_update.json": ("A", ()),
    "meta-openapi/webhook_post_payload__image_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__interactive_button_reply_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__interactive_list_reply_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__location_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__order_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__reaction_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__system_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__text_message.json": ("M", ()),
    "meta-openapi/webhook_post_payload__text_message_from_click_to_whatsapp_ad.json": ("M", ()),
    "meta-openapi/webhook_post_payload__text_message_with_context_product_inquiry.json": ("M", ()),
    "meta-openapi/webhook_post_payload__unsupported_message.json": ("M", ()),
}


def test_table_is_complete() -> None:
    assert sorted(EVENTS) == WEBHOOK_FILES, "add a row to EVENTS for every new webhook file"
    assert len(WEBHOOK_FILES) >= 100


@pytest.mark.parametrize("relative", WEBHOOK_FILES)
def test_webhook_file_yields_expected_events(relative: str) -> None:
    body = load(relative)
    parsed = parse_webhook(body)
    kinds, problems = EVENTS[relative]
    assert "".join(LETTER[type(e)] for e in parsed.events) == kinds
    assert len(parsed.problems) == len(problems), parsed.problems
    for fragment, problem in zip(problems, parsed.problems, strict=True):
        assert fragment in problem
    # Never silently nothing: an event, or a problem explaining why there is none.
    assert parsed.events or parsed.problems
    for event in parsed.events:
        if isinstance(event, Ignored):
            assert event.reason


@pytest.mark.parametrize("relative", WEBHOOK_FILES)
def test_webhook_file_parses_from_bytes_too(relative: str) -> None:
    raw = (PAYLOADS / relative).read_bytes()
    assert parse_webhook(raw) == parse_webhook(load(relative))


T_1454119029 = datetime(2016, 1, 30, 1, 57, 9, tzinfo=UTC)

# file -> index of the event -> attribute -> expected value ("attr.sub" reads nested objects)
FIELDS: dict[str, dict[int, dict[str, Any]]] = {
    "courier/cloud_webhook__hello.json": {
        0: {
            "message_id": "external_id",
            "wa_id": "5678",
            "contact_name": "Kerry Fisher",
            "type": "text",
            "text": "Hello World",
            "timestamp": T_1454119029,
            "phone_number_id": "1234567890",
            "display_phone_number": "+250 788 123 200",
            "waba_id": "8856996819413533",
            "generation": "cloud",
        }
    },
    "courier/onprem_webhook__helloMsg.json": {
        0: {
            "message_id": "41",
            "wa_id": "250788123123",
            "contact_name": "Jerry Cooney",
            "text": "hello world",
            "generation": "onprem",
            "phone_number_id": None,
            "display_phone_number": None,
        }
    },
    "courier/cloud_webhook__hello_from_bsuid.json": {
        0: {
            "wa_id": None,
            "user_id": "US.1234",
            "parent_user_id": "US.ENT.5678",
            "username": "kfisher",
            "sender_id": "US.1234",
        }
    },
    "courier/cloud_webhook__hello_bsuid_in_from.json": {0: {"wa_id": None, "user_id": "US.1234"}},
    "courier/cloud_webhook__hello_user_id.json": {0: {"wa_id": "5678", "user_id": "US.1234"}},
    "courier/cloud_webhook__hello_invalid_user_id.json": {0: {"wa_id": "5678", "user_id": None}},
    "chatwoot/cloud_mutex_inbound_contact_user_id_only.json": {
        0: {"wa_id": "919745786257", "user_id": "IN.2081978709342942"}
    },
    "chatwoot/d360_inbound_bsuid_only.json": {
        0: {
            "wa_id": None,
            "user_id": "IN.2081978709342942",
            "parent_user_id": "IN.ENT.9081726354",
            "contact_name": "Muhsin",
            "username": "muhsin",
        }
    },
    "chatwoot/d360_inbound_contacts_vcard.json": {
        0: {
            "wa_id": "919446284490",
            "contact_name": "Kedar",
            "text": "Apple Inc., Chatwoot",
            "contacts.0.name": "Apple Inc.",
            "contacts.0.phones": ("+911800",),
            "contacts.1.name": "Chatwoot",
        }
    },
    "chatwoot/d360_inbound_text_profile_name_blank.json": {0: {"contact_name": None}},
    "chatwoot/d360_inbound_image.json": {
        0: {
            "media.id": "b1c68f38-8734-4ad3-b4a1-ef0c10d683",
            "media.mime_type": "image/jpeg",
            "media.caption": "Check out my product!",
            "text": "Check out my product!",
        }
    },
    "chatwoot/cloud_inbound_document_accented_filename.json": {
        0: {"media.filename": "Currículum café.pdf", "text": "My résumé", "message_id": None}
    },
    "chatwoot/cloud_inbound_image_media_download_error.json": {
        0: {"errors.0.code": 400, "type": "image"}
    },
    "courier/cloud_webhook__voice.json": {
        0: {"type": "voice", "media.voice": True, "media.id": "id_voice"}
    },
    "courier/onprem_webhook__documentMsgMissingFile.json": {
        0: {"media.id": None, "media.status": "undownloaded", "media.filename": "filename.type"}
    },
    "courier/onprem_webhook__audioMsg.json": {
        0: {"media.url": "https://example.org/v1/media/41", "media.voice": False}
    },
    "chatwoot/d360_inbound_location.json": {
        0: {
            "location.latitude": 37.7893768,
            "location.longitude": -122.3895553,
            "location.url": "http://location_url.test",
            "text": "Bay Bridge, San Francisco, CA, USA",
        }
    },
    "meta-openapi/webhook_post_payload__reaction_message.json": {
        0: {
            "reaction.emoji": "👍",
            "reaction.message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA",
            "reaction.removed": False,
        }
    },
    "chatwoot/d360_inbound_interactive_button_reply.json": {
        0: {"interactive.kind": "button_reply", "interactive.id": "1", "text": "First Button"}
    },
    "meta-openapi/webhook_post_payload__interactive_list_reply_message.json": {
        0: {
            "interactive.kind": "list_reply",
            "interactive.id": "priority_express",
            "interactive.description": "Next Day to 2 Days",
            "context_message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGMzEyNzhENTZDMzNGODlDRDgA",
        }
    },
    "meta-openapi/webhook_post_payload__button_message.json": {
        0: {
            "interactive.kind": "button",
            "interactive.id": "Unsubscribe",
            "text": "Unsubscribe",
            "context_message_id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA",
        }
    },
    "courier/cloud_webhook__nfm_reply.json": {
        0: {
            "interactive.kind": "nfm_reply",
            "interactive.flow_response": {
                "flow_token": "fl0w+t0k3n",
                "first_name": "Bob",
                "age": "32",
            },
        }
    },
    "courier/cloud_webhook__nfm_reply_non_object.json": {
        0: {
            "interactive.flow_response": None,
            "interactive.flow_response_json": '["not", "an", "object"]',
        }
    },
    "meta-openapi/webhook_post_payload__order_message.json": {
        0: {"type": "order", "text": "🛒 2× di9ozbzfi4, 1× nqryix03ez — 85 USD"}
    },
    "meta-openapi/webhook_post_payload__system_message.json": {
        0: {"system.kind": "user_changed_number", "system.new_wa_id": "12195555358"}
    },
    "chatwoot/cloud_inbound_text_ctwa_referral.json": {
        0: {
            "referral.source_type": "ad",
            "referral.ctwa_clid": "AfhcQdP2E4A8wWpeb1FqUzUi",
            "text": "Hello nielekeze",
        }
    },
    "chatwoot/cloud_inbound_contacts_ctwa_referral.json": {
        0: {"type": "contacts", "text": "Diana Digital", "referral.headline": "Diana Digital"}
    },
    "chatwoot/cloud_inbound_text_reply_context.json": {
        0: {"context_message_id": "wamid.ORIGINAL_MESSAGE_ID", "context_from": "16503071063"}
    },
    "chatwoot/d360_inbound_unsupported.json": {
        0: {"type": "unsupported", "text": None, "errors.0.code": 131051}
    },
    "chatwoot/d360_inbound_ephemeral.json": {0: {"type": "ephemeral", "text": "Test"}},
    "chatwoot/cloud_inbound_request_welcome.json": {
        0: {"type": "request_welcome", "wa_id": "1111981136571", "display_phone_number": "1987654"}
    },
    "courier/cloud_webhook__group_message.json": {0: {"group_id": "555555555"}},
    "courier/cloud_webhook__valid_status.json": {
        0: {
            "message_id": "external_id",
            "status": "sent",
            "recipient_id": "5678",
            "timestamp": T_1454119029,
            "conversation_id": "CONVERSATION_ID",
            "conversation_expires_at": T_1454119029,
            "conversation_origin": "referral_conversion",
            "pricing": Pricing(model="CBP", category="referral_conversion", billable=False),
        }
    },
    "courier/cloud_webhook__error_status.json": {0: {"status": "failed", "errors.0.code": 131014}},
    "chatwoot/d360_status_failed.json": {
        0: {"status": "failed", "errors.0.code": 123, "errors.0.title": "abc", "timestamp": None}
    },
    "chatwoot/d360_status_delivered_with_bsuid_contacts.json": {
        0: {
            "status": "delivered",
            "recipient_user_id": "IN.2081978709342942",
            "recipient_parent_user_id": "IN.ENT.9081726354",
        }
    },
    "meta-docs/status_failed_receiver_incapable_1026_legacy_shape.json": {
        0: {"status": "failed", "recipient_id": "91xxxxxxxxxx", "errors.0.code": 1026}
    },
    "courier/onprem_webhook__ignoreStatus.json": {0: {"status": "deleted"}},
    "meta-docs/cloud_webhook__errors_rate_limit_130429.json": {
        0: {"error.code": 130429, "phone_number_id": "106540352242922"}
    },
    "courier/cloud_webhook__error_errors.json": {0: {"error.code": 0}},
    "chatwoot/cloud_echo_parent_bsuid.json": {
        0: {
            "message_id": "wamid-test",
            "to_wa_id": "919745786257",
            "to_user_id": "IN.2081978709342942",
            "to_parent_user_id": "IN.ENT.9081726354",
            "from_number": "12345678911",
            "text": "Hello",
        }
    },
    "chatwoot/cloud_echo_bsuid_only.json": {
        0: {"to_wa_id": None, "to_user_id": "IN.2081978709342942"}
    },
    "meta-openapi/webhook_post_payload__group_create_message.json": {
        0: {"field": "group_lifecycle_update", "waba_id": "102290129340398"}
    },
    "chatwoot/cloud_routing_metadata_only.json": {
        0: {"reason": "nothing to process (only metadata)"}
    },
}


def _read(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj[int(part)] if part.isdigit() else getattr(obj, part)
    return obj


@pytest.mark.parametrize(
    ("relative", "index", "attr", "expected"),
    [
        (rel, index, attr, value)
        for rel, by_index in FIELDS.items()
        for index, attrs in by_index.items()
        for attr, value in attrs.items()
    ],
)
def test_key_fields(relative: str, index: int, attr: str, expected: Any) -> None:
    event = parse_webhook(load(relative)).events[index]
    value = _read(event, attr)
    if attr == "reason":
        assert expected in value
    else:
        assert value == expected


def test_failed_status_errors_classify() -> None:
    status = parse_webhook(load("courier/cloud_webhook__error_status.json")).statuses[0]
    assert isinstance(status.error, MediaError)
    body = {
        "statuses": [
            {
                "id": "wamid.X",
                "status": "failed",
                "timestamp": "1683871427",
                "recipient_id": "919999999999",
                "errors": [{"code": 131047, "title": "Re-engagement message"}],
            }
        ]
    }
    error = parse_webhook(body).statuses[0].error
    assert isinstance(error, WindowClosed)
    assert "24" in describe_error(error, "en")


def test_raw_is_the_message_as_received() -> None:
    body = load("meta-openapi/webhook_post_payload__text_message.json")
    message = parse_webhook(body).messages[0]
    assert message.raw == body["entry"][0]["changes"][0]["value"]["messages"][0]
