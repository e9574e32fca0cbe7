"""Why a message was not sent, or an attachment not downloaded: stored once, said in each
reader's language.

A failure is stored as WhatsApp's error code and title, as 360Dialog gave them. When there is no
WhatsApp error (a connection that failed, a refused API key, a campaign cancelled before its turn)
a reason is stored instead, so the words are chosen when someone reads them, not in English up
front. ``core.d360.errors`` only classifies; every sentence a person reads about a 360Dialog error
is chosen here.
"""

from __future__ import annotations

from core.d360.errors import D360Error, RateLimited, class_for_code, family_for_kind
from core.i18n import t

REASON_PREFIX = "reason:"
CAMPAIGN_CANCELLED = f"{REASON_PREFIX}campaign_cancelled"
"""A campaign recipient's message that was still queued when the campaign was cancelled."""


def stored_title(error: D360Error) -> str:
    """What a failure keeps as its title: WhatsApp's own beside its error code; else the error's
    family as a reason (a gateway's or connection's sentence in English says no more than the
    family's message does in the reader's language)."""
    if error.code is not None and error.title:
        return error.title
    return f"{REASON_PREFIX}{error.kind}"


def describe_error(error: D360Error, language: str | None = None) -> str:
    """Words a non-technical user understands, saying what happened and what to do.

    A message written for the exact code comes first (it is in the reader's language). Without
    one, Meta's own explanation wins over the family's message: when Meta refuses a template its
    ``error_user_title`` / ``error_user_msg`` name what to fix, where the family can only say that
    something was wrong. 360Dialog's usage limit ("1 request every N seconds") says when to try
    again, and so do we.
    """
    return (
        _for_code(error.code, language)
        or meta_explanation(error)
        or _usage_limit(error, language)
        or t(f"d360.error.kind.{error.kind}", language)
    )


def _usage_limit(error: D360Error, language: str | None) -> str | None:
    """When to try again, for a refusal by 360Dialog's own usage limit (it has no WhatsApp code
    and names its wait; https://docs.360dialog.com/docs/useful/api-error-message-list)."""
    if not isinstance(error, RateLimited) or error.code is not None or not error.retry_after:
        return None
    return t("d360.error.usage_limit", language, seconds=f"{error.retry_after:g}")


def meta_explanation(error: D360Error) -> str | None:
    """What Meta wrote for the person using the API, title and message, as it wrote them."""
    parts = [part for part in (error.user_title, error.user_message) if part]
    return " — ".join(dict.fromkeys(parts)) or None


def describe(code: int | None, title: str | None, language: str | None = None) -> str:
    """A stored failure in words a user understands: the message written for its code or its
    family, else WhatsApp's own title."""
    if title and title.startswith(REASON_PREFIX):
        reason = title.removeprefix(REASON_PREFIX)
        family = family_for_kind(reason)
        if family is None:
            return t(f"failures.{reason}", language)
        return _words(code, family.kind, language)
    family = class_for_code(code)
    if family is None and title:
        return title
    return _words(code, (family or D360Error).kind, language)


def _words(code: int | None, kind: str, language: str | None) -> str:
    """A message written for this exact code wins; otherwise the family's generic message."""
    return _for_code(code, language) or t(f"d360.error.kind.{kind}", language)


def _for_code(code: int | None, language: str | None) -> str | None:
    """The message written for this exact code, if there is one."""
    if code is None:
        return None
    key = f"d360.error.{code}"
    text = t(key, language)
    return text if text != key else None
