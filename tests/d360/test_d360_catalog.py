"""The d360 catalogs: same keys in Spanish and English, and every key the code asks for exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.d360 import errors
from core.d360.events import KNOWN_STATUSES
from core.phones import _PARSE_REASONS

LOCALES = Path(__file__).resolve().parents[2] / "core" / "locales"


def _catalog(language: str) -> dict[str, str]:
    return json.loads((LOCALES / f"d360.{language}.json").read_text(encoding="utf-8"))


def test_same_keys_in_both_languages() -> None:
    es, en = _catalog("es"), _catalog("en")
    assert set(es) == set(en)
    assert all(key.startswith("d360.") for key in es)
    for key in es:
        assert es[key].strip() and en[key].strip(), key
        assert set(re.findall(r"{(\w+)}", es[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_error_family_has_words() -> None:
    keys = set(_catalog("en"))
    families = [
        cls
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.D360Error)
    ]
    assert len(families) >= 15
    for cls in families:
        assert f"d360.error.kind.{cls.kind}" in keys, cls


def test_specific_codes_are_known_codes() -> None:
    for key in _catalog("en"):
        if re.fullmatch(r"d360\.error\.\d+", key):
            assert errors.class_for_code(int(key.rsplit(".", 1)[1])) is not None, key


def test_statuses_and_phone_reasons_have_words() -> None:
    keys = set(_catalog("es"))
    assert {f"d360.status.{s}" for s in KNOWN_STATUSES} <= keys
    reasons = {reason for reason, _ in _PARSE_REASONS.values()} | {
        "empty",
        "wrong_length",
        "invalid",
    }
    assert {f"d360.phone.{r}" for r in reasons} <= keys


@pytest.mark.parametrize("language", ["es", "en"])
def test_catalogs_load_through_i18n(language: str) -> None:
    from core.i18n import catalog, t

    assert set(_catalog(language)) <= set(catalog(language))
    assert t("d360.status.read", language) in ("Leído", "Read")
