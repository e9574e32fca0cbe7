"""Two-step login: a code from an authenticator app (TOTP, RFC 6238) after the password.

Any user may turn it on; admins may require it of admins or of everyone (:data:`POLICY`), and then
a user without it sets it up during their next login, before the session starts. The app's key is
kept encrypted (``core.crypto``); the ten recovery codes, shown once, are kept as keyed hashes
(they are random, so a fast keyed hash is enough and checking ten costs nothing).

A code is accepted in its own 30-second step or one step either side (:data:`DRIFT_STEPS`, for
phones whose clock is a little off) and only once: the last step used is stored, and a code of
that step or an earlier one is refused, so a code seen over a shoulder is spent.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import pyotp
import segno
from sqlmodel import Session, col, delete, select

from core import crypto
from core.access import audit, settings
from core.access.auth import Actor, Permission, require
from core.errors import UserFacingError
from core.models import RecoveryCode, Role, TwoFactor, User, utcnow

ISSUER = "1980TIC WhatsApp"
DRIFT_STEPS = 1
RECOVERY_CODE_COUNT = 10
POLICY = "two_factor_required"


class Policy(StrEnum):
    """Who must use two-step login (the ``two_factor_required`` team setting)."""

    NOBODY = "nobody"
    ADMINS = "admins"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class Enrolment:
    """A new authenticator key, not stored until a first code from the app confirms it."""

    secret: str
    uri: str  # otpauth://totp/..., what the QR code says

    def qr_png(self) -> bytes:
        buffer = io.BytesIO()
        segno.make(self.uri, error="m").save(buffer, kind="png", scale=5, border=2)
        return buffer.getvalue()


def start_enrolment(username: str) -> Enrolment:
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)
    return Enrolment(secret=secret, uri=uri)


def _user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None or user.id is None:
        raise UserFacingError("users.error.not_found", username=username)
    return user


def _own_or_admin(actor: Actor, username: str) -> None:
    if username.strip().lower() != actor.username:
        require(actor, Permission.MANAGE_USERS)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is, within the allowed drift, or ``None``."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _code_hash(code: str) -> str:
    key = crypto.derive_key(crypto.master_key(), "recovery-codes")
    return hmac.new(key, code.replace("-", "").strip().lower().encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(5)  # 40 bits each, ten of them, each usable once
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(raw)))
    return codes


def confirm(
    session: Session, actor: Actor | str, enrolment: Enrolment, code: str, username: str
) -> list[str]:
    """Store the key once the app shows a right code; the new recovery codes (shown only now).

    ``actor`` is the user themselves: a logged-in one, or (as a name) one setting it up during a
    login the policy requires it for, whose password was just checked."""
    if isinstance(actor, Actor):
        _own_or_admin(actor, username)
    user = _user(session, username)
    step = _matching_step(enrolment.secret, _digits(code), utcnow())
    if step is None:
        raise UserFacingError("two_factor.error.code_wrong")
    row = session.get(TwoFactor, user.id) or TwoFactor(user_id=user.id, secret_encrypted=b"")
    row.secret_encrypted = crypto.encrypt(enrolment.secret)
    row.enabled_at, row.last_used_step = utcnow(), step
    session.add(row)
    audit.record(session, actor, "two_factor.enable", user.username)
    return _new_recovery_codes(session, user)


def _digits(code: str) -> str:
    return "".join(code.split())


def is_enabled(session: Session, username: str) -> bool:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    return user is not None and session.get(TwoFactor, user.id) is not None


def users_with_it(session: Session, actor: Actor) -> set[str]:
    """Who has two-step login on, for the Users page's team table (one query for the team)."""
    require(actor, Permission.MANAGE_USERS)
    query = select(User.username).join(TwoFactor, col(TwoFactor.user_id) == User.id)
    return set(session.exec(query))


def policy(session: Session) -> Policy:
    try:
        return Policy(settings.get(session, POLICY) or Policy.NOBODY)
    except ValueError:
        return Policy.EVERYONE  # an unreadable setting errs on the safe side


def set_policy(session: Session, actor: Actor, value: Policy | str) -> None:
    require(actor, Permission.MANAGE_USERS)
    settings.put(session, actor, POLICY, Policy(value).value)


def is_required(session: Session, user: User) -> bool:
    chosen = policy(session)
    return chosen == Policy.EVERYONE or (chosen == Policy.ADMINS and user.role == Role.ADMIN)


def check(session: Session, username: str, code: str) -> bool:
    """A login's second step: a fresh app code, or an unused recovery code (then spent)."""
    user = _user(session, username)
    row = session.exec(
        select(TwoFactor).where(TwoFactor.user_id == user.id).with_for_update()
    ).first()
    if row is None:
        return False
    digits = _digits(code)
    if digits.isdigit() and len(digits) == 6:
        step = _matching_step(crypto.decrypt(row.secret_encrypted), digits, utcnow())
        if step is None or (row.last_used_step is not None and step <= row.last_used_step):
            return False
        row.last_used_step = step
        session.add(row)
        return True
    return _spend_recovery_code(session, user, code)


def _spend_recovery_code(session: Session, user: User, code: str) -> bool:
    found = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code),
            col(RecoveryCode.used_at).is_(None),
        )
    ).first()
    if found is None:
        return False
    found.used_at = utcnow()
    session.add(found)
    audit.record(session, user.username, "two_factor.recovery_code_used", user.username)
    return True


def recovery_codes_left(session: Session, actor: Actor, username: str) -> int:
    _own_or_admin(actor, username)
    user = _user(session, username)
    rows = session.exec(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
        )
    )
    return len(list(rows))


def renew_recovery_codes(session: Session, actor: Actor, username: str) -> list[str]:
    """Ten new codes; the old ones stop working."""
    _own_or_admin(actor, username)
    user = _user(session, username)
    if session.get(TwoFactor, user.id) is None:
        raise UserFacingError("two_factor.error.not_enabled")
    audit.record(session, actor, "two_factor.recovery_codes_renewed", user.username)
    return _new_recovery_codes(session, user)


def turn_off(session: Session, actor: Actor, username: str, code: str = "") -> None:
    """A user turning it off for themselves, with a current code (not while it is required of
    them), or an admin resetting someone who lost their phone and codes (who sets it up again at
    their next login)."""
    _own_or_admin(actor, username)
    user = _user(session, username)
    row = session.get(TwoFactor, user.id)
    if row is None:
        raise UserFacingError("two_factor.error.not_enabled")
    if user.username == actor.username:
        if is_required(session, user):
            raise UserFacingError("two_factor.error.required")
        if not check(session, user.username, code):
            raise UserFacingError("two_factor.error.code_wrong")
    session.delete(row)
    session.exec(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    audit.record(session, actor, "two_factor.disable", user.username)
