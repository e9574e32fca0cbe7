"""What every event module shares: lenient readers of raw values, the route a value came by, and
``Ignored``.

A webhook body comes from outside and may hold anything. Each reader here answers ``None`` (or an
empty value) for a value of the wrong type instead of raising, so one odd field never costs the
rest of the body; where the oddity matters, the caller writes a sentence into ``problems``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Generation = Literal["cloud", "onprem"]

MEDIA_TYPES = ("image", "video", "audio", "voice", "document", "sticker")

_BSUID = re.compile(r"^[A-Z]{2}\.(?:ENT\.)?[0-9A-Za-z]+$")
_DIGITS = re.compile(r"^\+?\d{3,20}$")


@dataclass(frozen=True)
class Route:
    """Where a ``value`` came from: which number it is for (the channel routing keys)."""

    generation: Generation
    phone_number_id: str | None = None
    display_phone_number: str | None = None
    waba_id: str | None = None


@dataclass(frozen=True)
class Ignored:
    """Something deliberately not turned into an event, and why (empty change, metadata only)."""

    reason: str


def as_text(value: object) -> str | None:
    """A trimmed string, or a number as text; ``None`` for blanks, booleans and containers."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float):
        return str(value)
    return None


def as_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_float(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def read_timestamp(value: object, what: str, problems: list[str]) -> datetime | None:
    """Unix seconds (string or number) → aware UTC datetime; a problem when absent or wrong."""
    if value is None or value == "":
        problems.append(f"{what} has no timestamp")
        return None
    seconds = as_float(value)
    if seconds is None:
        problems.append(f"{what} has an invalid timestamp {value!r}")
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        problems.append(f"{what} has an out-of-range timestamp {value!r}")
        return None


def is_bsuid(value: str | None) -> bool:
    """Whether ``value`` looks like Meta's business-scoped user id (``US.1234``)."""
    return bool(value and _BSUID.match(value))


def phone_digits(value: str | None) -> str | None:
    if value and _DIGITS.match(value):
        return value.lstrip("+")
    return None
