"""Template review: PENDING → APPROVED or REJECTED after a delay, announced by webhook.

With policy ``rules`` (the default) the sandbox rejects what Meta's review rejects mechanically
(reason ``INVALID_FORMAT``; https://developers.facebook.com/docs/whatsapp/message-templates/guidelines): variables next to each other (``{{1}}{{2}}``), positional variables
that do not run 1, 2, 3…, and variables without sample values in ``example``. (A variable at the
start or end of the body is allowed: templates like that are approved, e.g. Chatwoot's samples.)
Policies ``approve`` and ``reject`` decide regardless of content.

Cloud accounts get Meta's ``message_template_status_update`` webhook
(https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/message_template_status_update).
On-premise numbers had no such notification: a client learnt a decision by reading
``GET /v1/configs/templates`` again, so on-premise accounts only see the new status in the
listing.
"""

from __future__ import annotations

import re
from typing import Any

from core.sandbox import authentication, payloads
from core.sandbox.engine import Sandbox
from core.sandbox.state import Account, Template
from core.sandbox.templates import variables

ADJACENT = re.compile(r"\}\}\s*\{\{")
STATUSES = (
    "APPROVED",
    "PENDING",
    "REJECTED",
    "PAUSED",
    "DISABLED",
    "IN_APPEAL",
    "FLAGGED",
    "REINSTATED",
    "PENDING_DELETION",
    "DELETED",
    "ARCHIVED",
    "LIMIT_EXCEEDED",
)


def rule_violation(template: Template) -> str | None:
    """What Meta's automatic review would object to, or None. An authentication template's text
    is Meta's own (``authentication.py``): nothing in it to object to."""
    if template.category == authentication.CATEGORY:
        return None
    for component in template.components:
        kind = str(component.get("type", "")).upper()
        text = str(component.get("text", ""))
        if kind not in ("HEADER", "BODY") or not text:
            continue
        if ADJACENT.search(text):
            return (
                "Your template has parameters placed next to each other (like {{1}}{{2}}). "
                "Add text between the parameters."
            )
        names = variables(text)
        if not names:
            continue
        if template.parameter_format == "POSITIONAL" and names != [
            str(i) for i in range(1, len(names) + 1)
        ]:
            return "Variables must be numbered sequentially starting at {{1}}."
        if not _has_examples(component, kind, len(names)):
            return f"Add a sample for every variable of the {kind.lower()} in 'example'."
    return None


def _has_examples(component: dict[str, Any], kind: str, count: int) -> bool:
    example = component.get("example")
    if not isinstance(example, dict):
        return False
    if kind == "HEADER":
        samples = example.get("header_text") or example.get("header_text_named_params") or []
        return len(samples) >= count
    named = example.get("body_text_named_params")
    if named:
        return len(named) >= count
    rows = example.get("body_text") or []
    return bool(rows) and isinstance(rows[0], list) and len(rows[0]) >= count


def decide(template: Template, policy: str) -> tuple[str, str, str]:
    """(status, reason, recommendation) the reviewer reaches."""
    if policy == "approve":
        return "APPROVED", "NONE", ""
    if policy == "reject":
        return "REJECTED", "INCORRECT_CATEGORY", "The content does not match the category."
    problem = rule_violation(template)
    if problem:
        return "REJECTED", "INVALID_FORMAT", problem
    return "APPROVED", "NONE", ""


def submit(sandbox: Sandbox, account: Account, template: Template) -> None:
    """Start the review of a just-created template."""
    policy = sandbox.review.policy

    def conclude() -> None:
        if account.templates.get((template.name, template.language)) is not template:
            return  # deleted while under review
        if template.status != "PENDING":
            return  # forced through the control API meanwhile
        status, reason, recommendation = decide(template, policy)
        set_status(sandbox, account, template, status, reason, recommendation)

    sandbox.scheduler.later(sandbox.review.delay, conclude)


def set_status(
    sandbox: Sandbox,
    account: Account,
    template: Template,
    status: str,
    reason: str = "NONE",
    recommendation: str = "",
) -> dict[str, Any] | None:
    """Change a template's status and announce it; returns the webhook body (Cloud only).

    ``REINSTATED`` is an event, not a status: a paused template Meta lets go again is approved
    (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-pausing)."""
    if status not in STATUSES:
        raise ValueError(f"status must be one of {STATUSES}")
    now = sandbox.clock.now()
    with sandbox.state.lock:
        template.status = "APPROVED" if status == "REINSTATED" else status
        template.rejected_reason = reason if status == "REJECTED" else "NONE"
        template.recommendation = recommendation
        template.modified_at = now
    if account.generation != "cloud":
        return None
    body = payloads.template_status(account, template, status, now, reason, recommendation)
    sandbox.emit(account, body, f"template:{status}")
    return body
