"""The business profile: ``GET`` and ``POST /whatsapp_business_profile`` on the Cloud base.

360Dialog's WABA profile page (https://docs.360dialog.com/docs/waba-management/set-whatsapp-profile-information)
gives the Cloud API's endpoints on ``https://waba-v2.360dialog.io/whatsapp_business_profile`` with
its limits: address at most 256 characters, description 512, email a valid address of at most
128, websites at most 2 of at most 256 characters with ``http://`` or ``https://``, vertical one of
Meta's values; about 1 to 139 characters and the profile photo as ``profile_picture_handle``, a
handle from the Resumable Upload (Meta's ``WhatsAppBusinessProfileUpdateRequest`` in its OpenAPI
description). ``GET`` answers ``{"data": [{...the fields asked..., "messaging_product"}]}``.
A value Meta refuses is Graph error 100 with Meta's sentence, and nothing is changed.
"""

from __future__ import annotations

import re
from typing import Any

from core.sandbox.errors import ApiError
from core.sandbox.state import Account

VERTICALS = (
    "UNDEFINED",
    "OTHER",
    "AUTO",
    "BEAUTY",
    "APPAREL",
    "EDU",
    "ENTERTAIN",
    "EVENT_PLAN",
    "FINANCE",
    "GROCERY",
    "GOVT",
    "HOTEL",
    "HEALTH",
    "NONPROFIT",
    "PROF_SERVICES",
    "RETAIL",
    "TRAVEL",
    "RESTAURANT",
    "NOT_A_BIZ",
    "ALCOHOL",
    "ONLINE_GAMBLING",
    "PHYSICAL_GAMBLING",
    "OTC_DRUGS",
)
TEXT_LIMITS = {"about": 139, "address": 256, "description": 512, "email": 128}
FIELDS = (
    "about",
    "address",
    "description",
    "email",
    "profile_picture_url",
    "websites",
    "vertical",
)
MAX_WEBSITES = 2
MAX_WEBSITE_LENGTH = 256
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PICTURE_URL = "https://pps.whatsapp.net/v/t61.24694-24/{token}.jpg"


def read(account: Account, fields: str | None) -> dict[str, Any]:
    asked = [f.strip() for f in (fields or "").split(",") if f.strip()] or list(FIELDS)
    unknown = [f for f in asked if f not in FIELDS and f != "messaging_product"]
    if unknown:
        raise ApiError(100, f"Tried accessing nonexisting field ({unknown[0]})")
    found = {f: account.profile[f] for f in asked if f in account.profile}
    return {"data": [{**found, "messaging_product": "whatsapp"}]}


def update(account: Account, body: Any) -> None:
    """Check every value as Meta does, then change only the fields given."""
    if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
        raise ApiError(100, "The parameter messaging_product is required.")
    changes = {k: v for k, v in body.items() if k != "messaging_product"}
    unknown = set(changes) - {*TEXT_LIMITS, "websites", "vertical", "profile_picture_handle"}
    if unknown:
        raise ApiError(100, f"Unknown parameter: {sorted(unknown)[0]}")
    for key, limit in TEXT_LIMITS.items():
        if key in changes:
            _text(key, changes[key], limit)
    if "about" in changes and not changes["about"]:
        raise ApiError(100, "Param about must be at least 1 character long.")
    if changes.get("email") and not EMAIL.match(changes["email"]):
        raise ApiError(100, "Param email must be a valid email address.")
    if "websites" in changes:
        _websites(changes["websites"])
    if "vertical" in changes and changes["vertical"] not in VERTICALS:
        raise ApiError(100, f"Param vertical must be one of {{{', '.join(VERTICALS)}}}.")
    handle = changes.pop("profile_picture_handle", None)
    if handle is not None:
        if not any(upload.handle == handle for upload in account.uploads.values()):
            raise ApiError(
                100,
                "Check the handle provided for the uploaded media in the request.",
                subcode=2494102,
            )
        changes["profile_picture_url"] = PICTURE_URL.format(token=handle.split(":")[3])
    account.profile.update(changes)


def _text(key: str, value: object, limit: int) -> None:
    if not isinstance(value, str):
        raise ApiError(100, f"Param {key} must be a string.")
    if len(value) > limit:
        raise ApiError(100, f"Param {key} must be at most {limit} characters long.")


def _websites(websites: object) -> None:
    if not isinstance(websites, list) or not all(isinstance(w, str) for w in websites):
        raise ApiError(100, "Param websites must be an array of strings.")
    if len(websites) > MAX_WEBSITES:
        raise ApiError(100, f"Param websites must have at most {MAX_WEBSITES} elements.")
    for website in websites:
        if len(website) > MAX_WEBSITE_LENGTH:
            raise ApiError(
                100, f"Param websites[] must be at most {MAX_WEBSITE_LENGTH} characters long."
            )
        if not website.startswith(("http://", "https://")):
            raise ApiError(
                100, f"Param websites[] must be a URL with http:// or https://: {website}"
            )
