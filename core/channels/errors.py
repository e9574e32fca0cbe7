"""The one error a channel action raises: a refusal the admin can act on, in their language."""

from __future__ import annotations

from core.d360.errors import D360Error
from core.errors import UserFacingError
from core.failures import describe_error
from core.i18n import t
from core.phones import InvalidPhoneNumber

Cause = D360Error | InvalidPhoneNumber | UserFacingError


def _cause_text(cause: Cause, language: str | None) -> str:
    if isinstance(cause, UserFacingError):
        return cause.message(language)
    if isinstance(cause, D360Error):
        return describe_error(cause, language)
    return cause.user_message(language)


class ChannelError(UserFacingError):
    """A refused channel action; ``cause`` (360Dialog's error, a bad number, an inner refusal)
    fills ``{reason}`` in the reader's language, not only in English."""

    def __init__(self, key: str, *, cause: Cause | None = None, **values: object) -> None:
        self.cause = cause
        if cause is not None:
            values["reason"] = _cause_text(cause, "en")
        super().__init__(key, **values)

    def message(self, language: str | None = None) -> str:
        values = dict(self.values)
        if self.cause is not None:
            values["reason"] = _cause_text(self.cause, language)
        return t(self.key, language, **values)
