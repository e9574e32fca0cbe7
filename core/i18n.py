"""One translation function for every visible string: ``t("key", **values)``.

Catalogs live in ``core/locales/`` as ``<area>.<lang>.json`` (for example ``ui.es.json``,
``errors.en.json``) so that each part of the product owns its own file; all files of a language
are merged into one catalog. Every key must exist in every language: ``missing_keys()`` reports
the gaps and a test fails on any.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("es", "en")
DEFAULT_LANGUAGE = "es"
LOCALES_DIR = Path(__file__).parent / "locales"

_current_language: contextvars.ContextVar[str] = contextvars.ContextVar(
    "language", default=DEFAULT_LANGUAGE
)


@cache
def catalog(language: str) -> dict[str, str]:
    """All keys of one language, merged from every ``*.<language>.json`` file."""
    merged: dict[str, str] = {}
    for path in sorted(LOCALES_DIR.glob(f"*.{language}.json")):
        for key, text in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"translation key {key!r} defined twice ({path.name})")
            merged[key] = text
    return merged


def set_language(language: str) -> None:
    """Choose the language for the current request or script run."""
    _current_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def get_language() -> str:
    return _current_language.get()


def t(key: str, language: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``language`` (default: the current one), with ``{name}`` filled.

    An unknown key returns the key itself so a gap is visible on screen instead of crashing a page;
    the catalog test keeps such gaps out of the repository.
    """
    lang = language or get_language()
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**values) if values else text


def preferred_language(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Pick es or en from a browser's Accept-Language header (Spanish when preferred)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        pieces = part.strip().split(";q=")
        code = pieces[0].split("-")[0].strip().lower()
        try:
            quality = float(pieces[1]) if len(pieces) > 1 else 1.0
        except ValueError:
            quality = 0.0
        ranked.append((quality, code))
    for _, code in sorted(ranked, key=lambda item: -item[0]):
        if code in LANGUAGES:
            return code
    return default


def missing_keys(languages: Iterable[str] = LANGUAGES) -> dict[str, set[str]]:
    """Keys that some language has and another lacks, per language."""
    catalogs = {lang: set(catalog(lang)) for lang in languages}
    every_key = set().union(*catalogs.values())
    return {lang: every_key - keys for lang, keys in catalogs.items() if every_key - keys}
