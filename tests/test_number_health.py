"""Number health against the sandbox over HTTP: checks, the webhooks that announce changes, the
history, and the warning when something worsens."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from core.access.auth import SYSTEM_ACTOR
from core.channels import number_health
from core.channels.health import HealthReason
from core.db import session_scope
from core.models import Channel, NumberHealthRecord
from core.webhooks import processor
from tests.live import LiveChannel
from tests.store_helpers import make_channel

pytestmark = pytest.mark.sandbox(status_delays=(0.02, 0.05, 0.08))

VERIFICATION = {
    "error_code": 141010,
    "error_description": "The Business has not passed business verification.",
    "possible_solution": "Visit business settings and start or resolve the business "
    "verification request.",
}


def check(engine, channel_id: int) -> number_health.NumberHealth:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        state = number_health.check_number(session, SYSTEM_ACTOR, channel_id)
    assert state is not None
    return state


def rows(engine, channel_id: int) -> list[NumberHealthRecord]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return list(
            session.exec(
                select(NumberHealthRecord)
                .where(NumberHealthRecord.channel_id == channel_id)
                .order_by(NumberHealthRecord.id)
            )
        )


def announced(engine, live: LiveChannel) -> number_health.NumberHealth:  # type: ignore[no-untyped-def]
    """What the webhooks the sandbox sent made of the number's health."""
    live.control.idle()
    processor.process_pending(engine)
    with session_scope(engine) as session:
        state = number_health.current(session, SYSTEM_ACTOR, live.channel_id)
    assert state is not None
    return state


def test_a_check_records_health_quality_limit_and_name_then_only_changes(
    engine, live: LiveChannel
) -> None:
    """Meta's phone-number fields (quality_rating, name_status,
    whatsapp_business_manager_messaging_limit) and 360Dialog's health_status."""
    first = check(engine, live.channel_id)
    assert (first.can_send, first.quality_rating, first.messaging_limit, first.name_status) == (
        "AVAILABLE",
        "GREEN",
        "TIER_250",
        "APPROVED",
    )
    assert not first.needs_attention
    again = check(engine, live.channel_id)
    assert len(rows(engine, live.channel_id)) == 1  # the same state is seen again, not repeated
    assert again.checked_at > first.checked_at

    live.control.call(
        "PUT",
        f"/accounts/{live.control.number}/health/BUSINESS",
        {"can_send_message": "LIMITED", "errors": [VERIFICATION]},
    )
    live.control.call(
        "PATCH", f"/accounts/{live.control.number}/standing", {"quality_rating": "YELLOW"}
    )
    limited = check(engine, live.channel_id)
    assert limited.can_send == "LIMITED"
    assert limited.reasons == (
        HealthReason(
            "BUSINESS", 141010, VERIFICATION["error_description"], VERIFICATION["possible_solution"]
        ),
    )
    assert limited.worsened == ("can_send", "quality_rating")
    assert limited.problems == ("can_send", "quality_rating")
    with session_scope(engine) as session:
        history = number_health.history(session, SYSTEM_ACTOR, live.channel_id)
    assert [state.can_send for state in history] == ["LIMITED", "AVAILABLE"]


def test_webhooks_announcing_changes_are_recorded_with_the_warning(
    engine, live: LiveChannel
) -> None:
    """phone_number_quality_update (UPGRADE, DOWNGRADE, FLAGGED) and phone_number_name_update
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/)."""
    check(engine, live.channel_id)
    standing = f"/accounts/{live.control.number}/standing"
    live.control.call("PATCH", standing, {"whatsapp_business_manager_messaging_limit": "TIER_10K"})
    upgraded = announced(engine, live)
    assert (upgraded.source, upgraded.event, upgraded.messaging_limit) == (
        "phone_number_quality_update",
        "UPGRADE",
        "TIER_10K",
    )
    assert not upgraded.needs_attention

    live.control.call("PATCH", standing, {"whatsapp_business_manager_messaging_limit": "TIER_2K"})
    downgraded = announced(engine, live)
    assert (downgraded.event, downgraded.messaging_limit) == ("DOWNGRADE", "TIER_2K")
    assert downgraded.worsened == ("messaging_limit",)

    live.control.call("PATCH", standing, {"name_status": "DECLINED"})
    declined = announced(engine, live)
    assert (declined.source, declined.event, declined.name_status) == (
        "phone_number_name_update",
        "REJECTED",
        "DECLINED",
    )
    assert declined.worsened == ("name_status",)
    assert declined.problems == ("name_status",)

    live.control.call("PATCH", standing, {"quality_rating": "RED"})
    flagged = announced(engine, live)
    assert (flagged.event, flagged.worsened) == ("FLAGGED", ("quality_rating",))


def test_an_account_restriction_is_recorded_with_metas_words(engine, live: LiveChannel) -> None:
    """account_update with ACCOUNT_RESTRICTION and its restriction_info."""
    value = {
        "phone_number": live.control.number,
        "event": "ACCOUNT_RESTRICTION",
        "restriction_info": [
            {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING", "expiration": 1767225600}
        ],
    }
    with session_scope(engine) as session:
        channel = session.get(Channel, live.channel_id)
        state = number_health.apply_webhook(session, channel, "account_update", value)
    assert state.worsened == ("account",)
    assert state.reasons == (
        HealthReason("WABA", None, "RESTRICTED_BIZ_INITIATED_MESSAGING (until 1767225600)"),
    )
    assert len(rows(engine, live.channel_id)) == 1


def test_the_worker_checks_every_cloud_channel(engine, live: LiveChannel) -> None:
    assert number_health.check_all(engine) == 0
    assert [row.source for row in rows(engine, live.channel_id)] == ["check"]


def test_channels_health_on_the_command_line(engine, live: LiveChannel, run_cli) -> None:
    """``python -m core channels health ID --json``: asks WhatsApp, exits 1 when it needs
    attention so a monitor can alert."""
    fine = run_cli("channels", "health", str(live.channel_id), "--json")
    assert fine.returncode == 0, fine.stderr
    data = json.loads(fine.stdout)
    assert (data["can_send"], data["quality_rating"], data["history"][0]["source"]) == (
        "AVAILABLE",
        "GREEN",
        "check",
    )
    live.control.call(
        "PATCH", f"/accounts/{live.control.number}/standing", {"quality_rating": "RED"}
    )
    worse = run_cli("channels", "health", str(live.channel_id), "--json")
    assert worse.returncode == 1
    assert json.loads(worse.stdout)["worsened"] == ["quality_rating"]
    recorded = run_cli("channels", "health", str(live.channel_id), "--recorded")
    assert "WORSE: quality_rating" in recorded.stdout


def messaging_limit(engine, channel_id: int) -> int | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        return channel.messaging_limit


def test_the_limit_a_check_or_webhook_records_is_the_channels_people_a_day(
    engine, live: LiveChannel
) -> None:
    """The campaign estimate's ``Channel.messaging_limit`` follows Meta's tiers
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/messaging-limits):
    from a check's ``whatsapp_business_manager_messaging_limit`` and from
    ``phone_number_quality_update``'s ``max_daily_conversations_per_business``."""
    assert messaging_limit(engine, live.channel_id) is None  # not known before the first check
    check(engine, live.channel_id)
    assert messaging_limit(engine, live.channel_id) == 250
    standing = f"/accounts/{live.control.number}/standing"
    live.control.call("PATCH", standing, {"whatsapp_business_manager_messaging_limit": "TIER_10K"})
    announced(engine, live)
    assert messaging_limit(engine, live.channel_id) == 10_000
    live.control.call(
        "PATCH", standing, {"whatsapp_business_manager_messaging_limit": "TIER_UNLIMITED"}
    )
    announced(engine, live)
    assert messaging_limit(engine, live.channel_id) is None  # unlimited: nothing to split by


@pytest.mark.parametrize(
    ("field", "value", "people"),
    [
        ("phone_number_quality_update", {"event": "UPGRADE", "current_limit": "TIER_1K"}, 1_000),
        (
            "phone_number_quality_update",
            {"event": "DOWNGRADE", "max_daily_conversations_per_business": "TIER_2K"},
            2_000,
        ),
        (
            "business_capability_update",
            {"max_daily_conversations_per_business": "TIER_100K"},
            100_000,
        ),
        ("business_capability_update", {"max_daily_conversations_per_business": "2000"}, 2_000),
        ("phone_number_quality_update", {"event": "UPGRADE", "current_limit": "TIER_50"}, 50),
        # a number that has not sent yet: Meta says nothing about the limit, the known one stays
        ("phone_number_quality_update", {"event": "UPGRADE", "current_limit": "TIER_NOT_SET"}, 250),
        ("phone_number_name_update", {"decision": "APPROVED"}, 250),
    ],
)
def test_each_of_metas_limit_values_as_people_a_day(engine, field, value, people) -> None:  # type: ignore[no-untyped-def]
    """Meta's values in ``phone_number_quality_update`` (``current_limit``,
    ``max_daily_conversations_per_business``,
    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/phone_number_quality_update)
    and ``business_capability_update``."""
    channel_id = make_channel(engine).id
    with session_scope(engine) as session:
        channel = session.get(Channel, channel_id)
        assert channel is not None
        channel.messaging_limit = 250
        number_health.apply_webhook(session, channel, field, value)
    assert messaging_limit(engine, channel_id) == people
