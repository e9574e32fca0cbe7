"""Templates as 360Dialog serves them on ``/v1/configs/templates`` (both generations).

Creation answers with the template echoed and ``status: "submitted"``
(https://docs.360dialog.com/partner/get-started/quickstarts/create-a-message-template); the stored
template starts ``PENDING`` and is reviewed later (see ``review.py``). Listings use 360Dialog's
envelope ``{count, filters, limit, offset, sort, total, waba_templates}`` with Meta's uppercase
statuses on Cloud and the lowercase ones 360Dialog's on-premise listings show; each item has
360Dialog's own ``id`` and Meta's ``external_id``, and ``rejected_reason: "NONE"`` when there is
none (https://docs.360dialog.com/docs/waba-messaging/template-messaging). An account can answer
without ``total`` (pages then end on a short page) or in Meta's Graph shape, ``data`` with
``paging.cursors`` and a ``next`` link only while more follow
(https://developers.facebook.com/docs/graph-api/results), as ``/message_templates`` does.

Sending a template checks what Meta checks: it exists in that language and is approved (132001),
is not paused or disabled (132015/132016), gets as many parameters as it has variables (132000), in
the form it was made with (132012, ``parameters.py``)
(https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from core.sandbox import authentication, ids
from core.sandbox.errors import ApiError
from core.sandbox.parameters import check_parameter_formats
from core.sandbox.state import Account, Generation, Template

NAME = re.compile(r"^[a-z0-9_]{1,512}$")
VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
CATEGORIES = ("AUTHENTICATION", "MARKETING", "UTILITY")
SORT_KEYS = {
    "id": "id",
    "name": "name",
    "business_templates.name": "name",
    "status": "status",
    "category": "category",
    "language": "language",
    "created_at": "created_at",
    "modified_at": "modified_at",
}
SYSTEM_USER = {"user_id": "system", "user_name": "system"}


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def variables(text: str) -> list[str]:
    """Distinct variables of a text, in order of first appearance."""
    return list(dict.fromkeys(VARIABLE.findall(text or "")))


def create(account: Account, body: Any, now: float) -> Template:
    """Validate a submission (Meta's structural rules) and store it as PENDING."""
    if not isinstance(body, dict):
        raise ApiError(100, "The request body must be a JSON object.")
    name = body.get("name")
    if not name:
        raise ApiError(100, "The parameter name is required.")
    if not isinstance(name, str) or not NAME.match(name):
        raise ApiError(
            100, "Template name may only contain lowercase letters, digits and underscores."
        )
    category = str(body.get("category", "")).upper()
    if category not in CATEGORIES:
        raise ApiError(100, f"Param category must be one of {{{', '.join(CATEGORIES)}}}.")
    language = body.get("language")
    if not language or not isinstance(language, str):
        raise ApiError(100, "The parameter language is required.")
    components = body.get("components")
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise ApiError(100, "The parameter components is required and must be a list.")
    if category == authentication.CATEGORY:
        components = authentication.with_preset_text(components)
    bodies = [c for c in components if str(c.get("type", "")).upper() == "BODY"]
    if len(bodies) != 1:
        raise ApiError(100, "A template needs exactly one BODY component.")
    # Meta writes an authentication template's body itself; the business only sets
    # add_security_recommendation (https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/authentication-templates/copy-code-button-authentication-templates).
    needs_text = category != "AUTHENTICATION"
    if len(str(bodies[0].get("text", ""))) > 1024 or (needs_text and not bodies[0].get("text")):
        raise ApiError(100, "The BODY text is required and may have at most 1024 characters.")
    if (name, language) in account.templates:
        raise ApiError(
            100,
            f"Content in this language already exists for template {name}.",
            subcode=2388024,
        )
    template = Template(
        id=ids.graph_object_id(),
        name=name,
        language=language,
        category=category,
        components=components,
        namespace=account.namespace,
        created_at=now,
        modified_at=now,
        parameter_format=str(body.get("parameter_format", "POSITIONAL")).upper(),
    )
    account.templates[(name, language)] = template
    return template


LISTING_SHAPES = ("360dialog", "without_total", "graph")


def listing_shape(shape: str) -> str:
    """A listing shape the sandbox can answer in; anything else is a ``ValueError``."""
    if shape not in LISTING_SHAPES:
        raise ValueError(f"template_listing must be one of {LISTING_SHAPES}")
    return shape


def public(template: Template, generation: Generation) -> dict[str, Any]:
    """A template as it appears in 360Dialog's listing."""
    status = template.status.lower() if generation == "onprem" else template.status
    return {
        "id": template.d360_id,
        "external_id": template.id,
        "name": template.name,
        "language": template.language,
        "status": status,
        "category": template.category,
        "components": template.components,
        "rejected_reason": template.rejected_reason,
        "namespace": template.namespace,
        "quality_score": {"score": "GREEN" if template.status == "APPROVED" else "UNKNOWN"},
        "parameter_format": template.parameter_format,
        "created_at": iso(template.created_at),
        "created_by": SYSTEM_USER,
        "modified_at": iso(template.modified_at),
        "modified_by": SYSTEM_USER,
    }


def submitted(template: Template) -> dict[str, Any]:
    """The answer to a creation: the echo 360Dialog gives, status ``submitted``."""
    return {
        "id": template.id,
        "name": template.name,
        "language": template.language,
        "category": template.category,
        "components": template.components,
        "namespace": template.namespace,
        "rejected_reason": "NONE",
        "status": "submitted",
    }


def listing(account: Account, query: dict[str, str], url: str) -> dict[str, Any]:
    """``GET /v1/configs/templates`` with ``limit``, ``offset`` (or Graph's ``after``), ``sort``
    and ``filters``, in the account's listing shape; ``url`` is where the next page is asked."""
    try:
        limit = int(query.get("limit", 1000))
        offset = (
            _cursor_offset(query["after"]) if query.get("after") else int(query.get("offset", 0))
        )
    except ValueError:
        raise ApiError(100, "limit and offset must be integers, after a cursor we gave.") from None
    if limit < 0 or offset < 0:
        raise ApiError(100, "limit and offset must not be negative.")
    try:
        filters = json.loads(query["filters"]) if query.get("filters") else {}
    except json.JSONDecodeError:
        raise ApiError(100, "filters must be a URL-encoded JSON object.") from None
    if not isinstance(filters, dict):
        raise ApiError(100, "filters must be a URL-encoded JSON object.")
    sort = [key.strip() for key in query.get("sort", "id").split(",") if key.strip()]
    generation = account.generation
    items = [public(t, generation) for t in account.templates.values()]
    for key, wanted in filters.items():
        field = SORT_KEYS.get(key)
        if field is None:
            raise ApiError(100, f"Unknown filter {key!r}.")
        items = [item for item in items if _matches(item[field], wanted)]
    for key in reversed(sort):
        field = SORT_KEYS.get(key.lstrip("-"))
        if field is None:
            raise ApiError(100, f"Unknown sort key {key!r}.")
        items.sort(key=lambda item, f=field: str(item[f]).lower(), reverse=key.startswith("-"))
    page = items[offset : offset + limit]
    if account.template_listing == "graph":
        return _graph_page(page, offset, limit, len(items), url)
    envelope: dict[str, Any] = {
        "count": len(page),
        "filters": filters,
        "limit": limit,
        "offset": offset,
        "sort": sort,
        "total": len(items),
        "waba_templates": page,
    }
    if account.template_listing == "without_total":
        del envelope["total"]
    return envelope


def _graph_page(
    page: list[dict[str, Any]], offset: int, limit: int, total: int, url: str
) -> dict[str, Any]:
    """Meta's Graph listing: items with Meta's ``id``; ``next`` only while more follow."""
    data = [{**item, "id": item["external_id"]} for item in page]
    for item in data:
        del item["external_id"]
    paging: dict[str, Any] = {}
    if page:
        after = _cursor(offset + len(page))
        paging["cursors"] = {"before": _cursor(offset), "after": after}
        if offset + len(page) < total:
            paging["next"] = f"{url}?{urlencode({'limit': limit, 'after': after})}"
    return {"data": data, "paging": paging}


def _cursor(offset: int) -> str:
    """An opaque cursor, as Graph's are (here the offset it stands for, encoded)."""
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _cursor_offset(cursor: str) -> int:
    """The offset a cursor stands for; ``ValueError`` for one we never gave."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(cursor) from None
    if not text.startswith("offset:"):
        raise ValueError(cursor)
    return int(text.removeprefix("offset:"))


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        return any(_matches(value, w) for w in wanted)
    return str(value).lower() == str(wanted).lower()


def delete(account: Account, name: str) -> list[Template]:
    removed = [t for key, t in list(account.templates.items()) if key[0] == name]
    if not removed:
        raise ApiError(100, f"Template {name!r} does not exist.", http_status=404)
    for template in removed:
        del account.templates[(template.name, template.language)]
    return removed


def quick_reply_labels(template: Template) -> list[str]:
    """Texts of the template's quick-reply buttons, in order (their index is the position)."""
    return [
        str(button.get("text"))
        for component in template.components
        if str(component.get("type", "")).upper() == "BUTTONS"
        for button in component.get("buttons", [])
        if str(button.get("type", "")).upper() == "QUICK_REPLY"
    ]


def check_send(account: Account, request: dict[str, Any]) -> Template:
    """The checks Meta makes when a template message is sent; returns the template used."""
    name = request["name"]
    code = request["language"]["code"]
    template = account.templates.get((name, code))
    if template is None:
        known = sorted(lang for (n, lang) in account.templates if n == name)
        where = f"in {code}" if known else "at all"
        raise ApiError(132001, f"template name ({name}) does not exist {where}")
    if account.generation == "onprem":
        namespace = request.get("namespace")
        if not namespace:
            raise ApiError(131008, "The parameter template['namespace'] is required.")
        if namespace != template.namespace:
            raise ApiError(
                132001, f"template name ({name}) does not exist in namespace {namespace}"
            )
    if template.status == "PAUSED":
        raise ApiError(132015, f"Template {name} is paused due to low quality.")
    if template.status == "DISABLED":
        raise ApiError(132016, f"Template {name} has been disabled due to low quality.")
    if template.status != "APPROVED":
        raise ApiError(132001, f"template name ({name}) is not approved in {code}")
    _check_parameter_counts(template, request.get("components") or [])
    check_parameter_formats(template, request.get("components") or [])
    return template


def _check_parameter_counts(template: Template, components: list[dict[str, Any]]) -> None:
    given: dict[str, int] = {}
    for component in components:
        kind = str(component.get("type", "")).lower()
        if kind in ("header", "body"):
            given[kind] = given.get(kind, 0) + len(component.get("parameters") or [])
    for component in template.components:
        kind = str(component.get("type", "")).lower()
        if kind not in ("header", "body"):
            continue
        media_header = kind == "header" and str(component.get("format", "TEXT")).upper() != "TEXT"
        expected = 1 if media_header else len(variables(str(component.get("text", ""))))
        actual = given.get(kind, 0)
        if expected != actual:
            raise ApiError(
                132000,
                f"{kind}: number of localizable_params ({actual}) does not match the expected "
                f"number of params ({expected})",
            )
