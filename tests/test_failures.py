"""Stored failures are said in the reader's language, whatever language they were stored in."""

from __future__ import annotations

import pytest

from core.d360.errors import (
    AuthenticationError,
    CloudApiOnly,
    ConnectionFailed,
    D360Error,
    InvalidRequest,
    MarketingLimited,
    MarketingStopped,
    MediaError,
    PermissionDenied,
    RateLimited,
    Undeliverable,
    error_from_response,
    error_from_webhook,
)
from core.failures import CAMPAIGN_CANCELLED, describe, describe_error, stored_title
from core.i18n import t


def test_an_error_without_whatsapps_title_is_stored_as_its_family() -> None:
    assert stored_title(ConnectionFailed("")) == "reason:connection"
    assert stored_title(AuthenticationError("Invalid api_key")) == "reason:authentication"
    assert stored_title(Undeliverable("Message undeliverable", code=131026)) == (
        "Message undeliverable"
    )


def test_an_error_is_said_with_the_words_written_for_its_code() -> None:
    error = error_from_webhook({"code": 131047, "title": "Re-engagement message"})
    assert describe_error(error, "en") == (
        "More than 24 hours have passed since the customer last wrote; "
        "only an approved template can be sent now."
    )
    assert "24 horas" in describe_error(error, "es")


def test_an_error_without_words_for_its_code_is_said_as_its_family() -> None:
    error = error_from_webhook({"code": 131005, "title": "Access denied"})
    assert isinstance(error, PermissionDenied)
    assert describe_error(error, "en").startswith("This account is not allowed")
    assert describe_error(D360Error("?"), "es").startswith("WhatsApp devolvió")


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_family_reason_is_said_in_the_readers_language(language: str) -> None:
    assert describe(None, stored_title(ConnectionFailed("")), language) == t(
        "d360.error.kind.connection", language
    )


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_known_code_wins_over_whatsapps_english_title(language: str) -> None:
    words = describe(131026, "Message undeliverable", language)
    assert words == describe_error(Undeliverable("", code=131026), language)
    assert words != "Message undeliverable"


def test_a_media_code_with_a_family_reason_keeps_the_codes_message() -> None:
    title = stored_title(MediaError("", code=131052))
    assert describe(131052, title, "es") == describe_error(MediaError("", code=131052), "es")


def test_a_cancelled_campaign_message_is_said_in_spanish_and_english() -> None:
    spanish, english = (
        describe(None, CAMPAIGN_CANCELLED, "es"),
        describe(None, CAMPAIGN_CANCELLED, "en"),
    )
    assert "campaña" in spanish and "campaign" in english


def test_an_unknown_code_keeps_whatsapps_own_title() -> None:
    assert describe(999_999, "Something new from Meta", "es") == "Something new from Meta"


def test_older_rows_stored_in_english_are_still_shown() -> None:
    assert describe(None, "The media could not be downloaded.", "es") == (
        "The media could not be downloaded."
    )


def test_metas_own_explanation_wins_over_a_familys_words() -> None:
    refused = InvalidRequest(
        "Invalid parameter",
        code=100,
        user_title="Uploaded Media Handle Is Invalid",
        user_message="Check the handle provided for the uploaded media in the request.",
    )
    assert describe_error(refused, "es") == (
        "Uploaded Media Handle Is Invalid — "
        "Check the handle provided for the uploaded media in the request."
    )
    only_message = InvalidRequest("Invalid parameter", code=100, user_message="Name too long.")
    assert describe_error(only_message, "en") == "Name too long."


def test_words_written_for_the_code_still_come_first() -> None:
    error = MediaError("Media upload error", code=131053, user_title="Upload failed")
    assert describe_error(error, "en") == t("d360.error.131053", "en")


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_on_premise_number_is_told_it_needs_the_cloud_api(language: str) -> None:
    words = describe_error(
        CloudApiOnly("the Resumable Upload exists only on the Cloud API"), language
    )
    assert words == t("d360.error.kind.cloud_api_only", language) and "Cloud API" in words


@pytest.mark.parametrize(
    ("code", "family", "transient", "wait"),
    [(131049, MarketingLimited, True, 24 * 3600.0), (131050, MarketingStopped, False, None)],
)
def test_the_marketing_refusals_have_families_of_their_own(
    code: int, family: type[D360Error], transient: bool, wait: float | None
) -> None:
    """131049: a later try can succeed, but not before a day (Meta's per-user marketing limit,
    https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits);
    131050: the customer stopped this business's marketing messages."""
    error = error_from_webhook({"code": code, "title": "…"})
    assert type(error) is family and isinstance(error, Undeliverable)
    assert (error.is_transient, error.retry_after) == (transient, wait)
    for language in ("es", "en"):
        assert describe_error(error, language) == t(f"d360.error.{code}", language)
        assert describe(None, f"reason:{family.kind}", language) == t(
            f"d360.error.kind.{family.kind}", language
        )


@pytest.mark.parametrize("language", ["es", "en"])
def test_360dialogs_usage_limit_says_when_to_try_again(language: str) -> None:
    """360Dialog's "1 request every N seconds" (https://docs.360dialog.com/docs/useful/api-error-message-list)."""
    error = error_from_response(
        400, {"error": "You have exceeded the limit of 1 request every 30 seconds."}
    )
    assert isinstance(error, RateLimited) and error.retry_after == 30
    assert describe_error(error, language) == t("d360.error.usage_limit", language, seconds="30")
    assert "30" in describe_error(error, language)


def test_a_graph_rate_limit_is_said_as_its_code_not_as_a_usage_limit() -> None:
    error = error_from_webhook({"code": 130429, "title": "Rate limit hit"})
    assert describe_error(error, "en") == t("d360.error.130429", "en")
