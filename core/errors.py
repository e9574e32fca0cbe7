"""Errors a person can act on: each carries a translation key, so pages and the CLI say it in words."""

from __future__ import annotations

from core.i18n import t


class UserFacingError(Exception):
    """A refused action with a reason the user can fix (``message()`` in their language)."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(t(key, "en", **values))

    def message(self, language: str | None = None) -> str:
        return t(self.key, language, **self.values)
