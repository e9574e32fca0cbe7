"""What the pages write for moments and codes, and how untrusted text is made safe in markdown.

Every moment is shown in the viewer's timezone. A label used as a ``format_func`` is bound to this
run's language with :func:`in_this_language`: Streamlit (and AppTest) may call it after the run,
when the language of the run is no longer set.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from core.i18n import get_language, t
from core.models import utcnow
from core.templates.vocabulary import LANGUAGES

_MARKDOWN_SPECIAL = str.maketrans({char: "\\" + char for char in "\\`*_[]<>$~|#:"})


class NamedChannel(Protocol):
    name: str
    number: str


def plain(value: object) -> str:
    """Untrusted text made safe inside markdown (no formatting, LaTeX, links or emoji codes)."""
    return " ".join(str(value).split()).translate(_MARKDOWN_SPECIAL)


def in_this_language(label: Callable[..., str]) -> Callable[..., str]:
    """``label`` (``t`` or one of the labels below) bound to this run's language."""
    return partial(label, language=get_language())


def viewer_timezone() -> tzinfo:
    """The browser's timezone (``st.context``), UTC when it is unknown."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def when(moment: datetime | None, missing: str = "") -> str:
    """A moment in the viewer's timezone: the time alone today, the date too on any other day."""
    if moment is None:
        return missing
    zone = viewer_timezone()
    local = moment.astimezone(zone)
    today = utcnow().astimezone(zone).date()
    return local.strftime(t("time.today" if local.date() == today else "time.other_day"))


def category_label(code: str, language: str | None = None) -> str:
    """A template category in the user's words (the code itself for one we have no words for)."""
    key = f"template_pages.category.{code}"
    text = t(key, language)
    return code if text == key else text


def status_label(status: str | None, language: str | None = None) -> str:
    """A template status in the user's words (WhatsApp's own word when we have none for it)."""
    key = f"template_pages.state.{status}"
    text = t(key, language)
    return status or "?" if text == key else text


def language_label(code: str) -> str:
    """A template language as its code and name: ``es — Spanish``."""
    return f"{code} — {LANGUAGES.get(code, code)}"


def role_label(role: str, language: str | None = None) -> str:
    return t(f"role.{role}", language)


def channel_label(channel: NamedChannel) -> str:
    """How a channel is named in pickers, lists and headings: ``Shop (+34600000000)``."""
    return f"{channel.name} ({channel.number})"


def duration(seconds: float | None, missing: str = "–") -> str:
    """A length of time as people say it: ``45 s``, ``12 min``, ``3 h 20 min``, ``2 d 4 h``."""
    if seconds is None:
        return missing
    whole = round(seconds)
    if whole < 60:
        return t("time.seconds", n=whole)
    if whole < 3600:
        return t("time.minutes", n=round(whole / 60))
    if whole < 86400:
        hours, minutes = divmod(round(whole / 60), 60)
        return t("time.hours_minutes", h=hours, m=minutes) if minutes else t("time.hours", n=hours)
    days, hours = divmod(round(whole / 3600), 24)
    return t("time.days_hours", d=days, h=hours) if hours else t("time.days", n=days)
