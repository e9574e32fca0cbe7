"""The login's steps after the form is sent, the same for every way in (password, code, SSO).

The form asks :func:`refusal` before it looks at the password (a waiting name or address is
refused even with the right one), reports a wrong password or code with :func:`failed`, and
ends with :func:`succeed`, which starts the server-side session whose ticket the browser takes to
``/auth/session``.
"""

from __future__ import annotations

import math
from datetime import timedelta
from enum import StrEnum

from sqlmodel import Session

from core.access import sessions, throttle, two_factor, users
from core.errors import UserFacingError


def wait_error(wait: timedelta) -> UserFacingError:
    """The refusal a waiting login reads: how long, never whether the username exists."""
    return UserFacingError("login.locked", minutes=max(1, math.ceil(wait.total_seconds() / 60)))


def refusal(session: Session, username: str, address: str) -> UserFacingError | None:
    wait = throttle.remaining_wait(session, username, address)
    return wait_error(wait) if wait else None


def failed(
    session: Session, username: str, address: str, wrong: str = "login.failed"
) -> UserFacingError:
    """Audit and count a wrong password or code; the words to show: ``wrong``, or the wait once
    one started."""
    users.record_failed_login(session, username)
    wait = throttle.record_failure(session, username, address)
    return wait_error(wait) if wait else UserFacingError(wrong)


class SecondStep(StrEnum):
    """What a login needs after a right password."""

    NONE = "none"
    CODE = "code"  # a code from the user's authenticator app (or a recovery code)
    SET_UP = "set_up"  # two-step login is required of this user, who has not set it up yet


def second_step(session: Session, username: str) -> SecondStep:
    if two_factor.is_enabled(session, username):
        return SecondStep.CODE
    user = users.get_user(session, username)
    if user is not None and two_factor.is_required(session, user):
        return SecondStep.SET_UP
    return SecondStep.NONE


def succeed(session: Session, username: str, client: str, binding: str) -> str:
    """Forget the name's failures, start its session; the one-time ticket for the cookie, valid
    only in the browser whose login binding is ``binding`` (``sessions.start``)."""
    throttle.record_success(session, username)
    ticket = sessions.start(session, username, client, binding=binding)
    users.record_login(session, username)
    return ticket
