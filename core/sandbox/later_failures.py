"""Why WhatsApp fails a message it has accepted: the ``failed`` status instead of ``sent``.

Meta answers a send with a message id and reports some problems only afterwards, as a failed
status (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/; 360Dialog's
media page: "a callback is sent to your Webhook URL even though the response will yield a
message ID"). In the order Meta meets them:

* the customer is not on WhatsApp: 131026 (1013 on-premise);
* a free-form message outside the customer's 24-hour window: 131047 (470 on-premise);
* a marketing template to a customer who stopped this business's marketing messages in WhatsApp:
  131050; or to one who has reached Meta's per-user marketing limit: 131049
  (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/marketing-templates/per-user-limits),
  for a customer flagged so or for the account's ``marketing_limit_share`` of marketing sends
  (the limit depends on what other businesses sent the person, which nobody can see); both
  Cloud API only;
* a media ``link`` WhatsApp could not use: 131014 or 131053 (``web.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.sandbox.state import Account, Contact, Message
from core.sandbox.validation import MEDIA_TYPES
from core.sandbox.web import Web


@dataclass(frozen=True)
class LaterFailure:
    """The error a failed status carries: Meta's code, and its own words where they differ from
    the catalogue's (``None``: the catalogue's)."""

    code: int
    title: str | None = None
    details: str | None = None


def later_failure(
    account: Account,
    message: Message,
    contact: Contact,
    web: Web,
    now: float,
    chance: Callable[[], float],
) -> LaterFailure | None:
    """The failure WhatsApp will report for ``message`` once accepted, or None when it goes out
    (``chance``: a draw in [0, 1) for the share of marketing sends Meta withholds)."""
    if message.customer in account.not_on_whatsapp:
        return LaterFailure(131026)
    if message.template is None and not contact.window_open(now):
        return LaterFailure(131047)
    if account.generation != "cloud":
        return None
    if message.category == "marketing":
        if contact.stopped_marketing:
            return LaterFailure(131050)
        if contact.marketing_limited or chance() < account.marketing_limit_share:
            return LaterFailure(131049)
    link = _media_link(message.payload)
    found = web.failure(link) if link else None
    if found:
        code, title, details = found
        return LaterFailure(code, title, details)
    return None


def _media_link(payload: dict[str, Any]) -> str | None:
    """The ``link`` of a media message, or of a template's media header."""
    kind = payload.get("type")
    if kind in MEDIA_TYPES:
        return _link_of(payload.get(kind))
    for component in (payload.get("template") or {}).get("components") or []:
        for parameter in component.get("parameters") or [] if isinstance(component, dict) else []:
            if isinstance(parameter, dict) and parameter.get("type") in MEDIA_TYPES:
                link = _link_of(parameter.get(parameter["type"]))
                if link:
                    return link
    return None


def _link_of(media: object) -> str | None:
    link = media.get("link") if isinstance(media, dict) else None
    return link if isinstance(link, str) and link else None
